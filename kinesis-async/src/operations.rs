//! One `async fn` per operation, generated from kinesis-proto's operation
//! table so that none is missed and every one reads alike.

use kinesis_proto::{ops, Operation};

use crate::{Client, Error};

macro_rules! async_operation_methods {
    ($( [$method:ident, $input:ident, $summary:literal, $example:literal] ),* $(,)?) => {
        /// One `async fn` per Kinesis operation.
        impl Client {
            $(
                #[doc = $summary]
                #[doc = ""]
                #[doc = concat!(
                    "Sends a [`", stringify!($input), "`](crate::ops::", stringify!($input),
                    ") and resolves to its output: [`Client::call`] with a fixed input type."
                )]
                #[doc = ""]
                #[doc = "```no_run"]
                #[doc = "# async_std::task::block_on(async {"]
                #[doc = "use kinesis_async::{ops::*, Client};"]
                #[doc = "let client = Client::from_env()?;"]
                #[doc = concat!("let output = client.", stringify!($method), "(&", $example, ").await?;")]
                #[doc = "println!(\"{output:?}\");"]
                #[doc = "# Ok::<(), kinesis_async::Error>(())"]
                #[doc = "# });"]
                #[doc = "```"]
                pub async fn $method(
                    &self,
                    input: &ops::$input,
                ) -> Result<<ops::$input as Operation>::Output, Error> {
                    self.call(input).await
                }
            )*
        }
    };
}

kinesis_proto::for_each_operation!(async_operation_methods);
