//! One method per operation, generated from kinesis-proto's operation
//! table so that no operation is missed and every one reads alike.

use kinesis_proto::{ops, Operation};

use crate::{Client, Error};

/// SubscribeToShard is left out: its answer is an HTTP/2 event stream,
/// which ureq (HTTP/1.1) cannot carry; see the crate docs' "Enhanced
/// fan-out".
macro_rules! operation_methods {
    ($( [$method:ident, $input:ident, $summary:literal, $example:literal] ),* $(,)?) => {
        /// One method per Kinesis operation.
        impl Client {
            $( operation_method!($method, $input, $summary, $example); )*
        }
    };
}

/// One method of the table.
macro_rules! operation_method {
    (subscribe_to_shard, $input:ident, $summary:literal, $example:literal) => {};
    ($method:ident, $input:ident, $summary:literal, $example:literal) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = concat!(
                            "Sends a [`", stringify!($input), "`](crate::ops::", stringify!($input),
                            ") and waits for its output, retrying as [`Client::call`] does."
                        )]
        #[doc = ""]
        #[doc = "```no_run"]
        #[doc = "use kinesis_blocking::{ops::*, Client};"]
        #[doc = ""]
        #[doc = "let client = Client::from_env()?;"]
        #[doc = concat!("let output = client.", stringify!($method), "(&", $example, ")?;")]
        #[doc = "println!(\"{output:?}\");"]
        #[doc = "# Ok::<(), kinesis_blocking::Error>(())"]
        #[doc = "```"]
        pub fn $method(
            &self,
            input: &ops::$input,
        ) -> Result<<ops::$input as Operation>::Output, Error> {
            self.call(input)
        }
    };
}

kinesis_proto::for_each_operation!(operation_methods);
