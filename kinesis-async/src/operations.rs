//! One `async fn` per operation, generated from kinesis-proto's operation
//! table so that none is missed and every one reads alike.

use kinesis_proto::{ops, Operation};

use crate::{Client, Error};

/// Expands the table into `impl Client { async fn … }`, each with its
/// summary and an example built from the table's example input.
/// SubscribeToShard is left out: its answer streams, and
/// `Client::subscribe_to_shard` (fan_out.rs) is written by hand.
macro_rules! async_methods {
    ($( [$method:ident, $input:ident, $summary:literal, $example:literal] ),* $(,)?) => {
        /// One `async fn` per Kinesis operation.
        impl Client {
            $( async_method!($method, $input, $summary, $example); )*
        }
    };
}

/// One method of the table.
macro_rules! async_method {
    (subscribe_to_shard, $input:ident, $summary:literal, $example:literal) => {};
    ($method:ident, $input:ident, $summary:literal, $example:literal) => {
        #[doc = concat!($summary, "\n\n",
            "Resolves to the output of a [`", stringify!($input), "`](crate::ops::",
            stringify!($input), "), with retries: [`Client::call`] for this one input type.\n\n",
            "```no_run\n",
            "use kinesis_async::{ops::*, Client};\n",
            "# async_std::task::block_on(async {\n",
            "let client = Client::from_env()?;\n",
            "let output = client.", stringify!($method), "(&", $example, ").await?;\n",
            "println!(\"{output:?}\");\n",
            "# Ok::<(), kinesis_async::Error>(())\n",
            "# });\n",
            "```")]
        pub async fn $method(&self, input: &ops::$input) -> Result<<ops::$input as Operation>::Output, Error> {
            self.call(input).await
        }
    };
}

kinesis_proto::for_each_operation!(async_methods);
