//! Every Kinesis Data Streams operation: one input type each (implementing
//! [`Operation`](crate::Operation)) and its output, grouped by what users
//! do with them. Everything is re-exported flat here.
//!
//! Inputs share four shapes ([`shapes`]): a stream by name or ARN
//! ([`StreamRef`]; every constructor that takes a stream takes a name as
//! `&str` or a [`StreamRef::arn`]), a consumer by ARN or by stream and name
//! ([`ConsumerRef`]), a page of a list ([`Page`]) and a set of tags
//! ([`TagSet`]). The types make "exactly one of" rules the compiler's.
//!
//! ```
//! use kinesis_proto::ops::{PutRecord, StreamRef};
//! let by_name = PutRecord::new("orders", "key", b"data".to_vec());
//! let by_arn = PutRecord::new(
//!     StreamRef::arn("arn:aws:kinesis:us-east-1:123456789012:stream/orders"),
//!     "key",
//!     b"data".to_vec(),
//! );
//! assert_eq!(by_name.stream.as_name(), Some("orders"));
//! assert!(by_arn.stream.as_arn().is_some());
//! ```

pub mod account;
pub mod channels;
pub mod consumers;
pub mod policies;
pub mod queues;
pub mod records;
pub mod shapes;
pub mod shards;
pub mod streams;
mod support;
pub mod tags;
#[cfg(test)]
mod test_support;

pub use account::*;
pub use channels::*;
pub use consumers::*;
pub use policies::*;
pub use queues::*;
pub use records::*;
pub use shapes::*;
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
            [register_stream_consumer, RegisterStreamConsumer, "Registers an enhanced fan-out consumer with a stream.",
                r##"RegisterStreamConsumer::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream", "my-app")"##],
            [deregister_stream_consumer, DeregisterStreamConsumer, "Deregisters an enhanced fan-out consumer.",
                r##"DeregisterStreamConsumer::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream/consumer/my-app:1700000000")"##],
            [describe_stream_consumer, DescribeStreamConsumer, "Describes a registered consumer.",
                r##"DescribeStreamConsumer::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream/consumer/my-app:1700000000")"##],
            [list_stream_consumers, ListStreamConsumers, "Lists the consumers registered with a stream (paginated).",
                r##"ListStreamConsumers::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream")"##],
            [subscribe_to_shard, SubscribeToShard, "Subscribes a consumer to a shard: records pushed over HTTP/2 as an event stream for up to five minutes.",
                r##"SubscribeToShard::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream/consumer/my-app:1700000000", "shardId-000000000000", ShardIteratorType::Latest)"##],
            [add_tags_to_stream, AddTagsToStream, "Adds or overwrites tags on a stream.",
                r##"AddTagsToStream::new("my-stream").with_tag("team", "data")"##],
            [remove_tags_from_stream, RemoveTagsFromStream, "Removes tags from a stream.",
                r##"RemoveTagsFromStream::new("my-stream", ["team"])"##],
            [list_tags_for_stream, ListTagsForStream, "Lists a stream's tags (paginated).",
                r##"ListTagsForStream::new("my-stream")"##],
            [tag_resource, TagResource, "Adds or overwrites tags on a Kinesis resource by ARN.",
                r##"TagResource::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream").with_tag("team", "data")"##],
            [untag_resource, UntagResource, "Removes tags from a Kinesis resource by ARN.",
                r##"UntagResource::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream", ["team"])"##],
            [list_tags_for_resource, ListTagsForResource, "Lists the tags of a Kinesis resource by ARN.",
                r##"ListTagsForResource::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream")"##],
            [put_resource_policy, PutResourcePolicy, "Attaches a resource-based policy to a stream or consumer.",
                r##"PutResourcePolicy::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream", r#"{"Version":"2012-10-17","Statement":[]}"#)"##],
            [get_resource_policy, GetResourcePolicy, "Reads the resource-based policy of a stream or consumer.",
                r##"GetResourcePolicy::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream")"##],
            [delete_resource_policy, DeleteResourcePolicy, "Removes the resource-based policy of a stream or consumer.",
                r##"DeleteResourcePolicy::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream")"##],
            [describe_limits, DescribeLimits, "Reads the account's shard and on-demand stream limits and usage.",
                r##"DescribeLimits::new()"##],
            [describe_account_settings, DescribeAccountSettings, "Reads the account's settings (minimum throughput billing commitment).",
                r##"DescribeAccountSettings::new()"##],
            [update_account_settings, UpdateAccountSettings, "Changes the account's minimum throughput billing commitment.",
                r##"UpdateAccountSettings::new(CommitmentRequestStatus::Enabled)"##],
            [create_channel, CreateChannel, "Creates a channel delivering a stream to S3 or S3 Tables.",
                r##"CreateChannel::new("my-channel", "arn:aws:iam::123456789012:role/delivery", ChannelStreamConfiguration::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream", RecordConfiguration::new(RecordFormatType::Json))).with_s3_destination(S3DestinationConfiguration::new(S3StorageConfiguration::new("arn:aws:s3:::my-bucket", "123456789012", S3CompressionType::Gzip)))"##],
            [describe_channel, DescribeChannel, "Describes a channel.",
                r##"DescribeChannel::new("arn:aws:kinesis:us-east-1:123456789012:channel/my-channel")"##],
            [list_channels, ListChannels, "Lists the account's channels (paginated).",
                r##"ListChannels::new()"##],
            [update_channel, UpdateChannel, "Changes a channel's data freshness or logging.",
                r##"UpdateChannel::new("arn:aws:kinesis:us-east-1:123456789012:channel/my-channel").with_s3_destination(DestinationUpdate::new(600))"##],
            [delete_channel, DeleteChannel, "Deletes a channel.",
                r##"DeleteChannel::new("arn:aws:kinesis:us-east-1:123456789012:channel/my-channel")"##],
            [create_queue, CreateQueue, "Creates a queue on an on-demand stream.",
                r##"CreateQueue::new("my-queue", "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream")"##],
            [describe_queue, DescribeQueue, "Describes a queue.",
                r##"DescribeQueue::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id")"##],
            [list_queues, ListQueues, "Lists the account's queues (paginated).",
                r##"ListQueues::new()"##],
            [update_queue, UpdateQueue, "Changes a queue's visibility timeout or dead-letter handling.",
                r##"UpdateQueue::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id", QueueAttributes::new().with_visibility_timeout_seconds(60))"##],
            [delete_queue, DeleteQueue, "Deletes a queue.",
                r##"DeleteQueue::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id")"##],
            [receive_queue_records, ReceiveQueueRecords, "Receives up to 10 records from a queue.",
                r##"ReceiveQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id").with_limit(10)"##],
            [acknowledge_queue_records, AcknowledgeQueueRecords, "Acknowledges up to 10 received queue records.",
                r##"AcknowledgeQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id", ["receipt-handle"])"##],
            [update_queue_records_visibility, UpdateQueueRecordsVisibility, "Changes the visibility timeout of up to 10 received queue records.",
                r##"UpdateQueueRecordsVisibility::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id", vec![VisibilityEntry::new("receipt-handle", 60)])"##],
            [receive_dead_letter_queue_records, ReceiveDeadLetterQueueRecords, "Receives up to 10 dead-letter records from a queue.",
                r##"ReceiveDeadLetterQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id")"##],
            [acknowledge_dead_letter_queue_records, AcknowledgeDeadLetterQueueRecords, "Acknowledges (discards) up to 10 dead-letter records.",
                r##"AcknowledgeDeadLetterQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id", ["receipt-handle"])"##],
            [update_dead_letter_queue_records_visibility, UpdateDeadLetterQueueRecordsVisibility, "Changes the visibility timeout of up to 10 dead-letter records.",
                r##"UpdateDeadLetterQueueRecordsVisibility::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id", vec![VisibilityEntry::new("receipt-handle", 60)])"##],
            [restore_dead_letter_queue_records, RestoreDeadLetterQueueRecords, "Returns up to 10 dead-letter records to the normal receive path.",
                r##"RestoreDeadLetterQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id", ["receipt-handle"])"##],
            // ---- end of ops-b ----
        }
    };
}
