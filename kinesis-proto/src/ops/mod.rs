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
            [put_records, PutRecords, "Writes up to 500 records into a stream in one request; each succeeds or fails on its own.",
                r#"PutRecords::new("my-stream", vec![PutRecordsRequestEntry::new("partition-key", b"hello".to_vec())])"#],
            [get_shard_iterator, GetShardIterator, "Gets an iterator: the position in a shard from which GetRecords reads.",
                r#"GetShardIterator::new("my-stream", "shardId-000000000000", ShardIteratorType::TrimHorizon)"#],
            [get_records, GetRecords, "Reads records from a shard at a shard iterator.",
                r#"GetRecords::new("AAAAAAAAAAGSbGYzGTQ2U7n").with_limit(1000)"#],
            [create_stream, CreateStream, "Creates a stream, provisioned or on-demand.",
                r#"CreateStream::new("my-stream").with_shard_count(2)"#],
            [delete_stream, DeleteStream, "Deletes a stream and all its data.",
                r#"DeleteStream::new("my-stream")"#],
            [describe_stream, DescribeStream, "Describes a stream with a page of its shards.",
                r#"DescribeStream::new("my-stream")"#],
            [describe_stream_summary, DescribeStreamSummary, "Describes a stream without its shard list.",
                r#"DescribeStreamSummary::new("my-stream")"#],
            [list_streams, ListStreams, "Lists the account's streams, a page at a time.",
                r#"ListStreams::new().with_limit(100)"#],
            [update_stream_mode, UpdateStreamMode, "Switches a stream between provisioned and on-demand capacity.",
                r#"UpdateStreamMode::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream", StreamMode::OnDemand)"#],
            [increase_stream_retention_period, IncreaseStreamRetentionPeriod, "Lengthens how long a stream keeps records.",
                r#"IncreaseStreamRetentionPeriod::new("my-stream", 48)"#],
            [decrease_stream_retention_period, DecreaseStreamRetentionPeriod, "Shortens how long a stream keeps records.",
                r#"DecreaseStreamRetentionPeriod::new("my-stream", 24)"#],
            [start_stream_encryption, StartStreamEncryption, "Starts encrypting new records with a KMS key.",
                r#"StartStreamEncryption::new("my-stream", "alias/aws/kinesis")"#],
            [stop_stream_encryption, StopStreamEncryption, "Stops encrypting new records.",
                r#"StopStreamEncryption::new("my-stream", "alias/aws/kinesis")"#],
            [enable_enhanced_monitoring, EnableEnhancedMonitoring, "Turns on shard-level CloudWatch metrics.",
                r#"EnableEnhancedMonitoring::new("my-stream", vec![MetricsName::All])"#],
            [disable_enhanced_monitoring, DisableEnhancedMonitoring, "Turns off shard-level CloudWatch metrics.",
                r#"DisableEnhancedMonitoring::new("my-stream", vec![MetricsName::All])"#],
            [update_max_record_size, UpdateMaxRecordSize, "Changes the largest record a stream takes (1-10 MiB).",
                r#"UpdateMaxRecordSize::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream", 10240)"#],
            [update_stream_warm_throughput, UpdateStreamWarmThroughput, "Sets the warm throughput of an on-demand stream.",
                r#"UpdateStreamWarmThroughput::new("my-stream", 100)"#],
            [update_stream_record_distribution_strategy, UpdateStreamRecordDistributionStrategy, "Sets how an on-demand stream spreads records over its shards.",
                r#"UpdateStreamRecordDistributionStrategy::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream", RecordDistributionStrategy::Auto)"#],
            [list_shards, ListShards, "Lists a stream's shards, a page at a time.",
                r#"ListShards::new("my-stream")"#],
            [split_shard, SplitShard, "Splits a shard in two at a hash key.",
                r#"SplitShard::new("my-stream", "shardId-000000000000", 170141183460469231731687303715884105728)"#],
            [merge_shards, MergeShards, "Merges two adjacent shards into one.",
                r#"MergeShards::new("my-stream", "shardId-000000000001", "shardId-000000000002")"#],
            [update_shard_count, UpdateShardCount, "Scales a provisioned stream to a number of shards.",
                r#"UpdateShardCount::new("my-stream", 4)"#],
            // ---- end of ops-a ----

            // ---- consumers, tags, policies, account, channels, queues (ops-b) ----
            // ---- end of ops-b ----
        }
    };
}
