//! Every Kinesis Data Streams operation: one input type each (implementing
//! [`Operation`](crate::Operation)) and its output, grouped by what users
//! do with them. Everything is re-exported flat here.

pub mod account;
pub mod channels;
pub mod consumers;
pub mod policies;
pub mod queues;
pub mod records;
pub mod shards;
pub mod streams;
mod support;
pub mod tags;

pub use account::*;
pub use channels::*;
pub use consumers::*;
pub use policies::*;
pub use queues::*;
pub use records::*;
pub use shards::*;
pub use streams::*;
pub use tags::*;

/// The operation table: the one place that lists every operation, for
/// drivers that generate one method per operation.
///
/// Calls `$callback!` with one entry per operation:
/// `[method_name, InputType, "one-line summary", "example input expression"]`.
/// The example expression uses only names from `kinesis_proto::ops`.
#[macro_export]
macro_rules! for_each_operation {
    ($callback:ident) => {
        $callback! {
            // ---- records, streams, shards (ops-a) ----
            [put_record, PutRecord, "Writes one data record into a stream.",
                r#"PutRecord::new("my-stream", "partition-key", b"hello".to_vec())"#],
            [describe_stream_summary, DescribeStreamSummary, "Describes a stream without its shard list.",
                r#"DescribeStreamSummary::new("my-stream")"#],
            // ---- end of ops-a ----

            // ---- consumers, tags, policies, account, channels, queues (ops-b) ----
            // ---- end of ops-b ----
        }
    };
}
