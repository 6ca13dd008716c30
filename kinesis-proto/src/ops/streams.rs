//! Creating, describing, listing and changing streams.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::shapes::{StreamRef, TagSet};
use super::support::{operation, with_stream_arn};
use crate::limits::{
    MAX_KEY_ID_CHARS, MAX_LIST_LIMIT, MAX_RECORD_SIZE_KIB, MAX_RETENTION_HOURS,
    MAX_SHARD_LEVEL_METRICS, MIN_RECORD_SIZE_KIB, MIN_RETENTION_HOURS,
};
use crate::operation::{Empty, Paginated};
use crate::ops::shards::Shard;
use crate::validate;
use crate::wire::string_enum;

string_enum! {
    /// Where a stream is in its life.
    StreamStatus {
        /// Being created.
        Creating = "CREATING",
        /// Being deleted.
        Deleting = "DELETING",
        /// Ready for reads and writes.
        Active = "ACTIVE",
        /// Being resharded or reconfigured; reads and writes continue.
        Updating = "UPDATING",
    }
}

string_enum! {
    /// How a stream's capacity is managed.
    StreamMode {
        /// A fixed number of shards that you scale.
        Provisioned = "PROVISIONED",
        /// Shards the service scales with the traffic.
        OnDemand = "ON_DEMAND",
    }
}

string_enum! {
    /// Server-side encryption of records.
    EncryptionType {
        /// Not encrypted.
        None = "NONE",
        /// Encrypted with a KMS key.
        Kms = "KMS",
    }
}

string_enum! {
    /// A shard-level CloudWatch metric.
    MetricsName {
        /// Bytes written.
        IncomingBytes = "IncomingBytes",
        /// Records written.
        IncomingRecords = "IncomingRecords",
        /// Bytes read.
        OutgoingBytes = "OutgoingBytes",
        /// Records read.
        OutgoingRecords = "OutgoingRecords",
        /// Throttled writes.
        WriteProvisionedThroughputExceeded = "WriteProvisionedThroughputExceeded",
        /// Throttled reads.
        ReadProvisionedThroughputExceeded = "ReadProvisionedThroughputExceeded",
        /// Age of the last record read.
        IteratorAgeMilliseconds = "IteratorAgeMilliseconds",
        /// Every metric.
        All = "ALL",
    }
}

string_enum! {
    /// How an on-demand stream spreads records over its shards.
    RecordDistributionStrategy {
        /// The service spreads records evenly and ignores partition keys.
        Auto = "AUTO",
        /// The partition key (or explicit hash key) picks the shard (the default).
        UserPartitionKey = "USER_PARTITION_KEY",
    }
}

/// A stream's capacity mode, as the API nests it.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct StreamModeDetails {
    /// The mode.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_mode: StreamMode,
}

impl StreamModeDetails {
    /// Details for `mode`.
    pub fn new(stream_mode: StreamMode) -> Self {
        StreamModeDetails { stream_mode }
    }
}

/// The enhanced (shard-level) metrics a stream has on.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct EnhancedMetrics {
    /// The metrics.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub shard_level_metrics: Vec<MetricsName>,
}

/// An on-demand stream's warm throughput: write capacity ready at once.
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WarmThroughput {
    /// The throughput the stream is scaling to, in MiB/s.
    #[serde(rename = "TargetMiBps", default)]
    pub target_mibps: Option<u32>,
    /// The throughput the stream is scaled to now, in MiB/s.
    #[serde(rename = "CurrentMiBps", default)]
    pub current_mibps: Option<u32>,
}

// ------------------------------------------------------------- CreateStream

/// Creates a stream: provisioned with a shard count, or on-demand.
///
/// ```
/// use kinesis_proto::ops::{CreateStream, StreamMode};
/// let provisioned = CreateStream::new("orders").with_shard_count(4);
/// let on_demand = CreateStream::new("clicks").with_stream_mode(StreamMode::OnDemand);
/// # let _ = (provisioned, on_demand);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CreateStream {
    /// The new stream's name.
    pub stream_name: String,
    /// The shard count of a provisioned stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard_count: Option<u32>,
    /// The capacity mode (provisioned unless given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_mode_details: Option<StreamModeDetails>,
    /// Tags to put on the stream (at most 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagSet>,
    /// Warm throughput of an on-demand stream, in MiB/s.
    #[serde(
        rename = "WarmThroughputMiBps",
        skip_serializing_if = "Option::is_none"
    )]
    pub warm_throughput_mibps: Option<u32>,
    /// Largest record the stream takes, in KiB (1024–10240).
    #[serde(rename = "MaxRecordSizeInKiB", skip_serializing_if = "Option::is_none")]
    pub max_record_size_in_kib: Option<u32>,
    /// How an on-demand stream spreads records over shards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_distribution_strategy: Option<RecordDistributionStrategy>,
}

impl CreateStream {
    /// Creates the stream named `stream_name` with the service's defaults.
    pub fn new(stream_name: impl Into<String>) -> Self {
        CreateStream {
            stream_name: stream_name.into(),
            shard_count: None,
            stream_mode_details: None,
            tags: None,
            warm_throughput_mibps: None,
            max_record_size_in_kib: None,
            record_distribution_strategy: None,
        }
    }
    /// A provisioned stream of `shard_count` shards.
    pub fn with_shard_count(mut self, shard_count: u32) -> Self {
        self.shard_count = Some(shard_count);
        self
    }
    /// Sets the capacity mode.
    pub fn with_stream_mode(mut self, mode: StreamMode) -> Self {
        self.stream_mode_details = Some(StreamModeDetails::new(mode));
        self
    }
    /// Adds a tag.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.get_or_insert_with(TagSet::new).insert(key, value);
        self
    }
}

operation! {
    CreateStream: Control -> Empty,
    validate(op) {
        validate::stream_name("StreamName", &op.stream_name)?;
        if let Some(n) = op.shard_count {
            validate::at_least("ShardCount", n, 1)?;
        }
        if let Some(tags) = &op.tags {
            tags.validate("Tags", false)?;
        }
        if let Some(kib) = op.max_record_size_in_kib {
            validate::range("MaxRecordSizeInKiB", kib, MIN_RECORD_SIZE_KIB, MAX_RECORD_SIZE_KIB)?;
        }
        Ok(())
    },
}

// ------------------------------------------------------------- DeleteStream

/// Deletes a stream and all its data.
///
/// ```
/// let op = kinesis_proto::ops::DeleteStream::new("orders").with_enforce_consumer_deletion(true);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeleteStream {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// Deletes the stream's registered consumers too; without it a stream
    /// with consumers is not deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce_consumer_deletion: Option<bool>,
}

impl DeleteStream {
    /// Deletes the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(stream: impl Into<StreamRef>) -> Self {
        DeleteStream {
            stream: stream.into(),
            enforce_consumer_deletion: None,
        }
    }
    /// Deletes registered consumers too.
    pub fn with_enforce_consumer_deletion(mut self, on: bool) -> Self {
        self.enforce_consumer_deletion = Some(on);
        self
    }
}
with_stream_arn!(DeleteStream);

operation! {
    DeleteStream: Control -> Empty,
    validate(op) { op.stream.validate() },
    resource_arn(op) { op.stream.as_arn() },
}

// ----------------------------------------------------------- DescribeStream

/// Describes a stream with its shards, a page of shards at a time (prefer
/// [`DescribeStreamSummary`] and [`ListShards`](crate::ops::ListShards)).
///
/// ```
/// use kinesis_proto::ops::DescribeStream;
/// let op = DescribeStream::new("orders").with_limit(100);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeStream {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// Most shards per page, 1–10000 (the service returns at most 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Describe the shards after this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_start_shard_id: Option<String>,
}

impl DescribeStream {
    /// Describes the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(stream: impl Into<StreamRef>) -> Self {
        DescribeStream {
            stream: stream.into(),
            limit: None,
            exclusive_start_shard_id: None,
        }
    }
    /// Returns at most `limit` shards per page.
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}
with_stream_arn!(DescribeStream);

/// A stream with (a page of) its shards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct StreamDescription {
    /// The stream's name.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_name: String,
    /// The stream's ARN.
    #[serde(
        rename = "StreamARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub stream_arn: String,
    /// Where the stream is in its life.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_status: StreamStatus,
    /// Its capacity mode.
    #[serde(default)]
    pub stream_mode_details: Option<StreamModeDetails>,
    /// This page of shards.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub shards: Vec<Shard>,
    /// Whether more shards follow this page.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub has_more_shards: bool,
    /// How long records stay, in hours.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub retention_period_hours: u32,
    /// When the stream was created.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub stream_creation_timestamp: OffsetDateTime,
    /// The enhanced metrics on.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub enhanced_monitoring: Vec<EnhancedMetrics>,
    /// Server-side encryption.
    #[serde(default)]
    pub encryption_type: Option<EncryptionType>,
    /// The KMS key, when encrypted.
    #[serde(default)]
    pub key_id: Option<String>,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for StreamDescription {
    fn default() -> Self {
        StreamDescription {
            stream_name: Default::default(),
            stream_arn: Default::default(),
            stream_status: Default::default(),
            stream_mode_details: Default::default(),
            shards: Default::default(),
            has_more_shards: Default::default(),
            retention_period_hours: Default::default(),
            stream_creation_timestamp: crate::wire::epoch(),
            enhanced_monitoring: Default::default(),
            encryption_type: Default::default(),
            key_id: Default::default(),
        }
    }
}

/// The answer to [`DescribeStream`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeStreamOutput {
    /// The stream.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_description: StreamDescription,
}

operation! {
    DescribeStream: Control -> DescribeStreamOutput,
    validate(op) {
        op.stream.validate()?;
        if let Some(limit) = op.limit {
            validate::range("Limit", limit, 1, MAX_LIST_LIMIT)?;
        }
        if let Some(id) = &op.exclusive_start_shard_id {
            validate::shard_id("ExclusiveStartShardId", id)?;
        }
        Ok(())
    },
    resource_arn(op) { op.stream.as_arn() },
}

impl Paginated for DescribeStream {
    /// The next page starts after the last shard of `output`.
    fn next_page(&self, output: &DescribeStreamOutput) -> Option<Self> {
        let description = &output.stream_description;
        if !description.has_more_shards {
            return None;
        }
        let last = description.shards.last()?;
        Some(DescribeStream {
            exclusive_start_shard_id: Some(last.shard_id.clone()),
            ..self.clone()
        })
    }
}

// ---------------------------------------------------- DescribeStreamSummary

/// Describes a stream without its shard list.
///
/// ```
/// let op = kinesis_proto::ops::DescribeStreamSummary::new("my-stream");
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeStreamSummary {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
}

impl DescribeStreamSummary {
    /// Describes the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(stream: impl Into<StreamRef>) -> Self {
        DescribeStreamSummary {
            stream: stream.into(),
        }
    }
}
with_stream_arn!(DescribeStreamSummary);

/// A stream's settings and state, without its shards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct StreamDescriptionSummary {
    /// The stream's name.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_name: String,
    /// The stream's ARN.
    #[serde(
        rename = "StreamARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub stream_arn: String,
    /// The stream's ID.
    #[serde(default)]
    pub stream_id: Option<String>,
    /// Where the stream is in its life.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_status: StreamStatus,
    /// Its capacity mode.
    #[serde(default)]
    pub stream_mode_details: Option<StreamModeDetails>,
    /// How long records stay, in hours.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub retention_period_hours: u32,
    /// When the stream was created.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub stream_creation_timestamp: OffsetDateTime,
    /// The enhanced metrics on.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub enhanced_monitoring: Vec<EnhancedMetrics>,
    /// Server-side encryption.
    #[serde(default)]
    pub encryption_type: Option<EncryptionType>,
    /// The KMS key, when encrypted.
    #[serde(default)]
    pub key_id: Option<String>,
    /// How many shards are open.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub open_shard_count: u32,
    /// How many enhanced fan-out consumers are registered.
    #[serde(default)]
    pub consumer_count: Option<u32>,
    /// Warm throughput of an on-demand stream.
    #[serde(default)]
    pub warm_throughput: Option<WarmThroughput>,
    /// Largest record the stream takes, in KiB.
    #[serde(rename = "MaxRecordSizeInKiB", default)]
    pub max_record_size_in_kib: Option<u32>,
    /// How many channels the stream has.
    #[serde(default)]
    pub channel_count: Option<u32>,
    /// How many queues read the stream.
    #[serde(default)]
    pub queue_count: Option<u32>,
    /// How an on-demand stream spreads records over shards.
    #[serde(default)]
    pub record_distribution_strategy: Option<RecordDistributionStrategy>,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for StreamDescriptionSummary {
    fn default() -> Self {
        StreamDescriptionSummary {
            stream_name: Default::default(),
            stream_arn: Default::default(),
            stream_id: None,
            stream_status: Default::default(),
            stream_mode_details: Default::default(),
            retention_period_hours: Default::default(),
            stream_creation_timestamp: crate::wire::epoch(),
            enhanced_monitoring: Default::default(),
            encryption_type: Default::default(),
            key_id: Default::default(),
            open_shard_count: Default::default(),
            consumer_count: Default::default(),
            warm_throughput: Default::default(),
            max_record_size_in_kib: Default::default(),
            channel_count: Default::default(),
            queue_count: None,
            record_distribution_strategy: Default::default(),
        }
    }
}

/// The answer to [`DescribeStreamSummary`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeStreamSummaryOutput {
    /// The summary.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_description_summary: StreamDescriptionSummary,
}

operation! {
    DescribeStreamSummary: Control -> DescribeStreamSummaryOutput,
    validate(op) { op.stream.validate() },
    resource_arn(op) { op.stream.as_arn() },
}

// -------------------------------------------------------------- ListStreams

/// Lists the account's streams in the region, a page at a time.
///
/// ```
/// use kinesis_proto::ops::{ListStreams, ListStreamsOutput};
/// use kinesis_proto::Paginated;
/// let first = ListStreams::new().with_limit(10);
/// let page: ListStreamsOutput =
///     serde_json::from_str(r#"{"StreamNames":["a"],"HasMoreStreams":true,"NextToken":"t"}"#).unwrap();
/// assert_eq!(first.next_page(&page).unwrap().next_token.as_deref(), Some("t"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListStreams {
    /// Most streams per page, 1–10000 (the service returns at most 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// List the streams after this name (the older way to page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_start_stream_name: Option<String>,
    /// The token of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl ListStreams {
    /// The first page.
    pub fn new() -> Self {
        ListStreams::default()
    }
    /// Returns at most `limit` streams per page.
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// A stream as ListStreams lists it.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct StreamSummary {
    /// The stream's name.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_name: String,
    /// The stream's ARN.
    #[serde(
        rename = "StreamARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub stream_arn: String,
    /// Where the stream is in its life.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_status: StreamStatus,
    /// Its capacity mode.
    #[serde(default)]
    pub stream_mode_details: Option<StreamModeDetails>,
    /// When it was created.
    #[serde(default, with = "crate::wire::opt_timestamp")]
    pub stream_creation_timestamp: Option<OffsetDateTime>,
}

/// A page of [`ListStreams`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListStreamsOutput {
    /// The names of this page's streams.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_names: Vec<String>,
    /// Whether more streams follow.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub has_more_streams: bool,
    /// The token of the next page.
    #[serde(default)]
    pub next_token: Option<String>,
    /// This page's streams with their status and ARN.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_summaries: Vec<StreamSummary>,
}

operation! {
    ListStreams: Control -> ListStreamsOutput,
    validate(op) {
        if let Some(limit) = op.limit {
            validate::range("Limit", limit, 1, MAX_LIST_LIMIT)?;
        }
        if let Some(name) = &op.exclusive_start_stream_name {
            validate::stream_name("ExclusiveStartStreamName", name)?;
        }
        if let Some(token) = &op.next_token {
            validate::required_text("NextToken", token)?;
        }
        Ok(())
    },
}

impl Paginated for ListStreams {
    /// Follows `NextToken` when the answer has one, else starts after the
    /// last name of a page that says more streams follow.
    fn next_page(&self, output: &ListStreamsOutput) -> Option<Self> {
        if let Some(token) = output.next_token.as_deref().filter(|t| !t.is_empty()) {
            return Some(ListStreams {
                limit: self.limit,
                exclusive_start_stream_name: None,
                next_token: Some(token.to_owned()),
            });
        }
        if !output.has_more_streams {
            return None;
        }
        let last = output.stream_names.last()?;
        Some(ListStreams {
            limit: self.limit,
            exclusive_start_stream_name: Some(last.clone()),
            next_token: None,
        })
    }
}

// --------------------------------------------------------- UpdateStreamMode

/// Switches a stream between provisioned and on-demand capacity.
///
/// ```
/// use kinesis_proto::ops::{StreamMode, UpdateStreamMode};
/// let op = UpdateStreamMode::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders", StreamMode::OnDemand);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateStreamMode {
    /// The stream, by ARN.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// The new mode.
    pub stream_mode_details: StreamModeDetails,
    /// Warm throughput when switching to on-demand, in MiB/s.
    #[serde(
        rename = "WarmThroughputMiBps",
        skip_serializing_if = "Option::is_none"
    )]
    pub warm_throughput_mibps: Option<u32>,
}

impl UpdateStreamMode {
    /// Sets the mode of the stream `stream_arn`.
    pub fn new(stream_arn: impl Into<String>, mode: StreamMode) -> Self {
        UpdateStreamMode {
            stream_arn: stream_arn.into(),
            stream_mode_details: StreamModeDetails::new(mode),
            warm_throughput_mibps: None,
        }
    }
}

operation! {
    UpdateStreamMode: Control -> Empty,
    validate(op) { validate::stream_arn("StreamARN", &op.stream_arn) },
    resource_arn(op) { Some(&op.stream_arn) },
}

// ------------------------------------------------------- retention periods

fn check_retention(stream: &StreamRef, hours: u32) -> Result<(), crate::error::UsageError> {
    stream.validate()?;
    validate::range(
        "RetentionPeriodHours",
        hours,
        MIN_RETENTION_HOURS,
        MAX_RETENTION_HOURS,
    )
}

/// Lengthens how long a stream keeps records.
///
/// ```
/// let op = kinesis_proto::ops::IncreaseStreamRetentionPeriod::new("orders", 168);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct IncreaseStreamRetentionPeriod {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The new retention period in hours (24–8760).
    pub retention_period_hours: u32,
}

impl IncreaseStreamRetentionPeriod {
    /// Raises the retention of the stream `stream` (a name, or a
    /// [`StreamRef::arn`]) to `hours`.
    pub fn new(stream: impl Into<StreamRef>, hours: u32) -> Self {
        IncreaseStreamRetentionPeriod {
            stream: stream.into(),
            retention_period_hours: hours,
        }
    }
}
with_stream_arn!(IncreaseStreamRetentionPeriod);

operation! {
    IncreaseStreamRetentionPeriod: Control -> Empty,
    validate(op) { check_retention(&op.stream, op.retention_period_hours) },
    resource_arn(op) { op.stream.as_arn() },
}

/// Shortens how long a stream keeps records (older records become
/// unreadable).
///
/// ```
/// let op = kinesis_proto::ops::DecreaseStreamRetentionPeriod::new("orders", 24);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DecreaseStreamRetentionPeriod {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The new retention period in hours (24–8760).
    pub retention_period_hours: u32,
}

impl DecreaseStreamRetentionPeriod {
    /// Lowers the retention of the stream `stream` (a name, or a
    /// [`StreamRef::arn`]) to `hours`.
    pub fn new(stream: impl Into<StreamRef>, hours: u32) -> Self {
        DecreaseStreamRetentionPeriod {
            stream: stream.into(),
            retention_period_hours: hours,
        }
    }
}
with_stream_arn!(DecreaseStreamRetentionPeriod);

operation! {
    DecreaseStreamRetentionPeriod: Control -> Empty,
    validate(op) { check_retention(&op.stream, op.retention_period_hours) },
    resource_arn(op) { op.stream.as_arn() },
}

// ------------------------------------------------------ stream encryption

fn check_encryption(stream: &StreamRef, key_id: &str) -> Result<(), crate::error::UsageError> {
    stream.validate()?;
    validate::char_length("KeyId", key_id, 1, MAX_KEY_ID_CHARS)?;
    validate::no_control_chars("KeyId", key_id)
}

/// Starts encrypting new records with a KMS key.
///
/// ```
/// let op = kinesis_proto::ops::StartStreamEncryption::new("orders", "alias/aws/kinesis");
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct StartStreamEncryption {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The encryption type (only `KMS` is valid).
    pub encryption_type: EncryptionType,
    /// The KMS key: id, ARN, alias name or alias ARN
    /// (`alias/aws/kinesis` for the Kinesis-owned key).
    pub key_id: String,
}

impl StartStreamEncryption {
    /// For the stream `stream` (a name, or a [`StreamRef::arn`]) and the KMS
    /// key `key_id`.
    pub fn new(stream: impl Into<StreamRef>, key_id: impl Into<String>) -> Self {
        StartStreamEncryption {
            stream: stream.into(),
            encryption_type: EncryptionType::Kms,
            key_id: key_id.into(),
        }
    }
}
with_stream_arn!(StartStreamEncryption);

operation! {
    StartStreamEncryption: Control -> Empty,
    validate(op) { check_encryption(&op.stream, &op.key_id) },
    resource_arn(op) { op.stream.as_arn() },
}

/// Stops encrypting new records.
///
/// ```
/// let op = kinesis_proto::ops::StopStreamEncryption::new("orders", "alias/aws/kinesis");
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct StopStreamEncryption {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The encryption type (only `KMS` is valid).
    pub encryption_type: EncryptionType,
    /// The KMS key: id, ARN, alias name or alias ARN
    /// (`alias/aws/kinesis` for the Kinesis-owned key).
    pub key_id: String,
}

impl StopStreamEncryption {
    /// For the stream `stream` (a name, or a [`StreamRef::arn`]) and the KMS
    /// key `key_id`.
    pub fn new(stream: impl Into<StreamRef>, key_id: impl Into<String>) -> Self {
        StopStreamEncryption {
            stream: stream.into(),
            encryption_type: EncryptionType::Kms,
            key_id: key_id.into(),
        }
    }
}
with_stream_arn!(StopStreamEncryption);

operation! {
    StopStreamEncryption: Control -> Empty,
    validate(op) { check_encryption(&op.stream, &op.key_id) },
    resource_arn(op) { op.stream.as_arn() },
}

// ---------------------------------------------------- enhanced monitoring

/// The answer to [`EnableEnhancedMonitoring`] and [`DisableEnhancedMonitoring`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct EnhancedMonitoringOutput {
    /// The stream's name.
    #[serde(default)]
    pub stream_name: Option<String>,
    /// The metrics on before the call.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub current_shard_level_metrics: Vec<MetricsName>,
    /// The metrics on after the call.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub desired_shard_level_metrics: Vec<MetricsName>,
    /// The stream's ARN.
    #[serde(rename = "StreamARN", default)]
    pub stream_arn: Option<String>,
}

fn check_monitoring(
    stream: &StreamRef,
    metrics: &[MetricsName],
) -> Result<(), crate::error::UsageError> {
    stream.validate()?;
    validate::range(
        "ShardLevelMetrics",
        metrics.len(),
        1,
        MAX_SHARD_LEVEL_METRICS,
    )
}

/// Turns on shard-level CloudWatch metrics.
///
/// ```
/// use kinesis_proto::ops::{EnableEnhancedMonitoring, MetricsName};
/// let op = EnableEnhancedMonitoring::new("orders", vec![MetricsName::All]);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct EnableEnhancedMonitoring {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The shard-level metrics (1–7; `ALL` for every one).
    pub shard_level_metrics: Vec<MetricsName>,
}

impl EnableEnhancedMonitoring {
    /// For the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(stream: impl Into<StreamRef>, shard_level_metrics: Vec<MetricsName>) -> Self {
        EnableEnhancedMonitoring {
            stream: stream.into(),
            shard_level_metrics,
        }
    }
}
with_stream_arn!(EnableEnhancedMonitoring);

operation! {
    EnableEnhancedMonitoring: Control -> EnhancedMonitoringOutput,
    validate(op) { check_monitoring(&op.stream, &op.shard_level_metrics) },
    resource_arn(op) { op.stream.as_arn() },
}

/// Turns off shard-level CloudWatch metrics.
///
/// ```
/// use kinesis_proto::ops::{DisableEnhancedMonitoring, MetricsName};
/// let op = DisableEnhancedMonitoring::new("orders", vec![MetricsName::IncomingBytes]);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DisableEnhancedMonitoring {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The shard-level metrics (1–7; `ALL` for every one).
    pub shard_level_metrics: Vec<MetricsName>,
}

impl DisableEnhancedMonitoring {
    /// For the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(stream: impl Into<StreamRef>, shard_level_metrics: Vec<MetricsName>) -> Self {
        DisableEnhancedMonitoring {
            stream: stream.into(),
            shard_level_metrics,
        }
    }
}
with_stream_arn!(DisableEnhancedMonitoring);

operation! {
    DisableEnhancedMonitoring: Control -> EnhancedMonitoringOutput,
    validate(op) { check_monitoring(&op.stream, &op.shard_level_metrics) },
    resource_arn(op) { op.stream.as_arn() },
}

// ------------------------------------------------------ UpdateMaxRecordSize

/// Changes the largest record a stream takes (1–10 MiB).
///
/// Raise [`Limits::max_record_bytes`](crate::Limits) to match when writing
/// larger records.
///
/// ```
/// let op = kinesis_proto::ops::UpdateMaxRecordSize::new(
///     "arn:aws:kinesis:us-east-1:123456789012:stream/orders", 10240);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateMaxRecordSize {
    /// The stream, by ARN.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// The largest record, in KiB (1024–10240).
    #[serde(rename = "MaxRecordSizeInKiB")]
    pub max_record_size_in_kib: u32,
}

impl UpdateMaxRecordSize {
    /// Sets the largest record of the stream `stream_arn`, in KiB.
    pub fn new(stream_arn: impl Into<String>, max_record_size_in_kib: u32) -> Self {
        UpdateMaxRecordSize {
            stream_arn: stream_arn.into(),
            max_record_size_in_kib,
        }
    }
}

operation! {
    UpdateMaxRecordSize: Control -> Empty,
    validate(op) {
        validate::stream_arn("StreamARN", &op.stream_arn)?;
        validate::range(
            "MaxRecordSizeInKiB",
            op.max_record_size_in_kib,
            MIN_RECORD_SIZE_KIB,
            MAX_RECORD_SIZE_KIB,
        )
    },
    resource_arn(op) { Some(&op.stream_arn) },
}

// ----------------------------------------------- UpdateStreamWarmThroughput

/// Sets the warm throughput of an on-demand stream.
///
/// ```
/// let op = kinesis_proto::ops::UpdateStreamWarmThroughput::new("clicks", 100);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateStreamWarmThroughput {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The write throughput to have ready, in MiB/s.
    #[serde(rename = "WarmThroughputMiBps")]
    pub warm_throughput_mibps: u32,
}

impl UpdateStreamWarmThroughput {
    /// Sets the warm throughput of the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(stream: impl Into<StreamRef>, warm_throughput_mibps: u32) -> Self {
        UpdateStreamWarmThroughput {
            stream: stream.into(),
            warm_throughput_mibps,
        }
    }
}
with_stream_arn!(UpdateStreamWarmThroughput);

/// The answer to [`UpdateStreamWarmThroughput`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateStreamWarmThroughputOutput {
    /// The stream's ARN.
    #[serde(rename = "StreamARN", default)]
    pub stream_arn: Option<String>,
    /// The stream's name.
    #[serde(default)]
    pub stream_name: Option<String>,
    /// The warm throughput now and targeted.
    #[serde(default)]
    pub warm_throughput: Option<WarmThroughput>,
}

operation! {
    UpdateStreamWarmThroughput: Control -> UpdateStreamWarmThroughputOutput,
    validate(op) { op.stream.validate() },
    resource_arn(op) { op.stream.as_arn() },
}

// ----------------------------------- UpdateStreamRecordDistributionStrategy

/// Sets how an on-demand stream spreads records over its shards.
///
/// ```
/// use kinesis_proto::ops::{RecordDistributionStrategy, UpdateStreamRecordDistributionStrategy};
/// let op = UpdateStreamRecordDistributionStrategy::new(
///     "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", RecordDistributionStrategy::Auto);
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateStreamRecordDistributionStrategy {
    /// The stream, by ARN.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// The strategy to use.
    pub record_distribution_strategy: RecordDistributionStrategy,
}

impl UpdateStreamRecordDistributionStrategy {
    /// Sets the strategy of the stream `stream_arn`.
    pub fn new(stream_arn: impl Into<String>, strategy: RecordDistributionStrategy) -> Self {
        UpdateStreamRecordDistributionStrategy {
            stream_arn: stream_arn.into(),
            record_distribution_strategy: strategy,
        }
    }
}

operation! {
    UpdateStreamRecordDistributionStrategy: Control -> Empty,
    validate(op) { validate::stream_arn("StreamARN", &op.stream_arn) },
    resource_arn(op) { Some(&op.stream_arn) },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::operation::Operation;
    use crate::ops::test_support::text_body as body;

    const ARN: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

    #[test]
    fn create_stream_body_and_validation() {
        let op = CreateStream::new("s")
            .with_stream_mode(StreamMode::OnDemand)
            .with_tag("team", "data")
            .with_tag("env", "prod");
        assert_eq!(
            body(&op),
            r#"{"StreamName":"s","StreamModeDetails":{"StreamMode":"ON_DEMAND"},"Tags":{"env":"prod","team":"data"}}"#
        );
        let mut full = CreateStream::new("s").with_shard_count(2);
        full.max_record_size_in_kib = Some(10240);
        full.warm_throughput_mibps = Some(50);
        full.record_distribution_strategy = Some(RecordDistributionStrategy::Auto);
        assert_eq!(
            body(&full),
            r#"{"StreamName":"s","ShardCount":2,"WarmThroughputMiBps":50,"MaxRecordSizeInKiB":10240,"RecordDistributionStrategy":"AUTO"}"#
        );
        let limits = Limits::default();
        assert!(full.validate(&limits).is_ok());
        assert_eq!(
            CreateStream::new("a b")
                .validate(&limits)
                .expect_err("name")
                .field,
            "StreamName"
        );
        assert_eq!(
            CreateStream::new("s")
                .with_shard_count(0)
                .validate(&limits)
                .expect_err("0")
                .field,
            "ShardCount"
        );
        full.max_record_size_in_kib = Some(1023);
        assert_eq!(
            full.validate(&limits).expect_err("size").field,
            "MaxRecordSizeInKiB"
        );
        let mut tagged = CreateStream::new("s");
        for i in 0..51 {
            tagged = tagged.with_tag(format!("k{i}"), "v");
        }
        assert_eq!(tagged.validate(&limits).expect_err("tags").field, "Tags");
    }

    #[test]
    fn small_control_bodies() {
        assert_eq!(
            body(&DeleteStream::new("s").with_enforce_consumer_deletion(true)),
            r#"{"StreamName":"s","EnforceConsumerDeletion":true}"#
        );
        assert_eq!(
            body(&DescribeStreamSummary::new("s").with_stream_arn(ARN)),
            format!(r#"{{"StreamARN":"{ARN}"}}"#)
        );
        assert_eq!(
            body(&UpdateStreamMode::new(ARN, StreamMode::Provisioned)),
            format!(
                r#"{{"StreamARN":"{ARN}","StreamModeDetails":{{"StreamMode":"PROVISIONED"}}}}"#
            )
        );
        assert_eq!(
            body(&IncreaseStreamRetentionPeriod::new("s", 48)),
            r#"{"StreamName":"s","RetentionPeriodHours":48}"#
        );
        assert_eq!(
            body(&StartStreamEncryption::new("s", "alias/aws/kinesis")),
            r#"{"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}"#
        );
        assert_eq!(
            body(&EnableEnhancedMonitoring::new(
                "s",
                vec![MetricsName::IncomingBytes, MetricsName::All]
            )),
            r#"{"StreamName":"s","ShardLevelMetrics":["IncomingBytes","ALL"]}"#
        );
        assert_eq!(
            body(&UpdateMaxRecordSize::new(ARN, 2048)),
            format!(r#"{{"StreamARN":"{ARN}","MaxRecordSizeInKiB":2048}}"#)
        );
        assert_eq!(
            body(&UpdateStreamWarmThroughput::new("s", 10)),
            r#"{"StreamName":"s","WarmThroughputMiBps":10}"#
        );
        assert_eq!(
            body(&UpdateStreamRecordDistributionStrategy::new(
                ARN,
                RecordDistributionStrategy::UserPartitionKey
            )),
            format!(r#"{{"StreamARN":"{ARN}","RecordDistributionStrategy":"USER_PARTITION_KEY"}}"#)
        );
        assert_eq!(body(&ListStreams::new()), "{}");
    }

    #[test]
    fn control_validation() {
        let limits = Limits::default();
        assert_eq!(
            IncreaseStreamRetentionPeriod::new("s", 23)
                .validate(&limits)
                .expect_err("23")
                .field,
            "RetentionPeriodHours"
        );
        assert!(DecreaseStreamRetentionPeriod::new("s", 8760)
            .validate(&limits)
            .is_ok());
        assert!(DecreaseStreamRetentionPeriod::new("s", 8761)
            .validate(&limits)
            .is_err());
        assert_eq!(
            StartStreamEncryption::new("s", "")
                .validate(&limits)
                .expect_err("key")
                .field,
            "KeyId"
        );
        assert_eq!(
            EnableEnhancedMonitoring::new("s", vec![])
                .validate(&limits)
                .expect_err("none")
                .field,
            "ShardLevelMetrics"
        );
        assert_eq!(
            UpdateMaxRecordSize::new(ARN, 10241)
                .validate(&limits)
                .expect_err("big")
                .field,
            "MaxRecordSizeInKiB"
        );
        assert_eq!(
            UpdateMaxRecordSize::new("s", 2048)
                .validate(&limits)
                .expect_err("arn")
                .field,
            "StreamARN"
        );
        assert_eq!(
            UpdateStreamMode::new("s", StreamMode::OnDemand).resource_arn(),
            Some("s")
        );
        assert_eq!(
            ListStreams::new()
                .with_limit(0)
                .validate(&limits)
                .expect_err("0")
                .field,
            "Limit"
        );
        assert_eq!(
            DescribeStream::new("s")
                .with_limit(10_001)
                .validate(&limits)
                .expect_err("big")
                .field,
            "Limit"
        );
        assert_eq!(
            DeleteStream::new(StreamRef::arn("s"))
                .validate(&limits)
                .expect_err("not an ARN")
                .field,
            "StreamARN"
        );
    }

    #[test]
    fn describe_stream_pages() {
        let first = DescribeStream::new("s").with_limit(2);
        let page: DescribeStreamOutput = serde_json::from_str(
            r#"{"StreamDescription":{"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s",
            "StreamStatus":"ACTIVE","RetentionPeriodHours":24,"StreamCreationTimestamp":1.7E9,"EnhancedMonitoring":[{"ShardLevelMetrics":[]}],
            "HasMoreShards":true,"Shards":[
              {"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},"SequenceNumberRange":{"StartingSequenceNumber":"1"}},
              {"ShardId":"shardId-000000000001","HashKeyRange":{"StartingHashKey":"2","EndingHashKey":"3"},"SequenceNumberRange":{"StartingSequenceNumber":"2"}}]}}"#,
        )
        .expect("parses");
        let next = first.next_page(&page).expect("more");
        assert_eq!(
            next.exclusive_start_shard_id.as_deref(),
            Some("shardId-000000000001")
        );
        assert_eq!(next.limit, Some(2));
        assert_eq!(next.stream, StreamRef::name("s"));
        let mut last = page.clone();
        last.stream_description.has_more_shards = false;
        assert_eq!(first.next_page(&last), None);
        let mut empty = page;
        empty.stream_description.shards.clear();
        assert_eq!(first.next_page(&empty), None, "no shard to continue from");
    }

    #[test]
    fn list_streams_pages() {
        let first = ListStreams::new().with_limit(2);
        let by_token = ListStreamsOutput {
            stream_names: vec!["a".into(), "b".into()],
            has_more_streams: true,
            next_token: Some("t".into()),
            stream_summaries: vec![],
        };
        let next = first.next_page(&by_token).expect("more");
        assert_eq!(
            (
                next.next_token.as_deref(),
                next.exclusive_start_stream_name.as_deref()
            ),
            (Some("t"), None)
        );
        assert_eq!(body(&next), r#"{"Limit":2,"NextToken":"t"}"#);
        let legacy = ListStreamsOutput {
            next_token: None,
            ..by_token.clone()
        };
        let next = first.next_page(&legacy).expect("more");
        assert_eq!(next.exclusive_start_stream_name.as_deref(), Some("b"));
        let done = ListStreamsOutput {
            next_token: None,
            has_more_streams: false,
            ..by_token
        };
        assert_eq!(first.next_page(&done), None);
    }

    #[test]
    fn summary_parses_new_fields_and_unknown_values() {
        let out: DescribeStreamSummaryOutput = serde_json::from_str(
            r#"{"StreamDescriptionSummary":{"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s",
            "StreamStatus":"ARCHIVING","StreamModeDetails":{"StreamMode":"ON_DEMAND"},"RetentionPeriodHours":24,
            "StreamCreationTimestamp":1.441215410867E9,"EnhancedMonitoring":[{"ShardLevelMetrics":["IncomingBytes","NewMetric"]}],
            "EncryptionType":"NONE","OpenShardCount":4,"ConsumerCount":1,"WarmThroughput":{"TargetMiBps":20,"CurrentMiBps":10},
            "MaxRecordSizeInKiB":1024,"RecordDistributionStrategy":"AUTO","SomethingNew":{"x":1}}}"#,
        )
        .expect("parses");
        let s = out.stream_description_summary;
        assert_eq!(s.stream_status, StreamStatus::Unknown("ARCHIVING".into()));
        assert_eq!(
            s.stream_creation_timestamp.unix_timestamp_nanos(),
            1_441_215_410_867_000_000
        );
        assert_eq!(
            s.enhanced_monitoring[0].shard_level_metrics[1],
            MetricsName::Unknown("NewMetric".into())
        );
        assert_eq!(s.warm_throughput.and_then(|w| w.target_mibps), Some(20));
        assert_eq!(
            s.record_distribution_strategy,
            Some(RecordDistributionStrategy::Auto)
        );
        assert_eq!(s.open_shard_count, 4);
    }
}
