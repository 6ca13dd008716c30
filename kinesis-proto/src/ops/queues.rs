//! Queues, which deliver a stream's records one at a time with receipt
//! handles, visibility timeouts and built-in dead-letter handling:
//! CreateQueue, DescribeQueue, ListQueues, UpdateQueue, DeleteQueue,
//! ReceiveQueueRecords, AcknowledgeQueueRecords, UpdateQueueRecordsVisibility,
//! and their dead-letter counterparts ReceiveDeadLetterQueueRecords,
//! AcknowledgeDeadLetterQueueRecords, UpdateDeadLetterQueueRecordsVisibility,
//! RestoreDeadLetterQueueRecords.
//!
//! The record operations (receive, acknowledge, change visibility, restore)
//! are sent as [`Plane::Data`](crate::Plane::Data); queue management is [`Plane::Control`](crate::Plane::Control).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::channels::{check_stream_filters, StreamFilter};
use super::shapes::{Page, TagSet};
use super::support::{self, operation, page_setters};
use crate::error::UsageError;
use crate::limits::{
    MAX_LIST_MAX_RESULTS, MAX_QUEUE_BATCH, MAX_RECEIPT_HANDLE_CHARS,
    MAX_VISIBILITY_TIMEOUT_SECONDS, STREAMS_PER_QUEUE_OR_CHANNEL,
};
use crate::operation::{Empty, Paginated};
use crate::validate;
use crate::wire::string_enum;

string_enum! {
    /// Where a queue is in its life.
    QueueStatus {
        /// Being created.
        Creating = "CREATING",
        /// Delivering records.
        Active = "ACTIVE",
        /// A change is being applied (records can still be received).
        Updating = "UPDATING",
        /// Being deleted.
        Deleting = "DELETING",
    }
}

string_enum! {
    /// Where in the stream a queue starts delivering.
    QueueStartingPositionType {
        /// The oldest record the stream still holds.
        TrimHorizon = "TRIM_HORIZON",
        /// Records that arrive after the queue is created (the default).
        Latest = "LATEST",
        /// Records that arrive at or after a given time.
        AtTimestamp = "AT_TIMESTAMP",
    }
}

string_enum! {
    /// Whether a queue sets aside records it failed to deliver.
    DeadLetterTargetType {
        /// Built-in dead-letter handling: after `MaxReceiveCount` receives
        /// without acknowledgement a record becomes a dead-letter record.
        BuiltIn = "BUILT_IN",
        /// No dead-letter handling: records are redelivered until
        /// acknowledged or expired.
        None = "NONE",
    }
}

/// Where in the stream a queue starts delivering.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct QueueStartingPosition {
    /// Which position.
    #[serde(rename = "Type", default, deserialize_with = "crate::wire::nullable")]
    pub kind: QueueStartingPositionType,
    /// The time, for `AtTimestamp` (in answers: the effective position,
    /// approximate, once the queue is active).
    #[serde(
        default,
        with = "crate::wire::opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<OffsetDateTime>,
}

impl QueueStartingPosition {
    /// The oldest record the stream still holds.
    pub fn trim_horizon() -> Self {
        QueueStartingPosition {
            kind: QueueStartingPositionType::TrimHorizon,
            timestamp: None,
        }
    }

    /// Records arriving after the queue is created.
    pub fn latest() -> Self {
        QueueStartingPosition {
            kind: QueueStartingPositionType::Latest,
            timestamp: None,
        }
    }

    /// Records arriving at or after `timestamp`.
    pub fn at_timestamp(timestamp: OffsetDateTime) -> Self {
        QueueStartingPosition {
            kind: QueueStartingPositionType::AtTimestamp,
            timestamp: Some(timestamp),
        }
    }
}

/// The stream a queue delivers from, and where it starts.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct QueueStreamConfiguration {
    /// The stream.
    #[serde(
        rename = "StreamARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub stream_arn: String,
    /// Where delivery starts (LATEST when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_position: Option<QueueStartingPosition>,
}

impl QueueStreamConfiguration {
    /// Delivers from `stream_arn`, starting at LATEST.
    pub fn new(stream_arn: impl Into<String>) -> Self {
        QueueStreamConfiguration {
            stream_arn: stream_arn.into(),
            starting_position: None,
        }
    }

    /// Starts delivering at `position`.
    pub fn with_starting_position(mut self, position: QueueStartingPosition) -> Self {
        self.starting_position = Some(position);
        self
    }
}

/// A queue's stream, as ListQueues reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct QueueStreamIdentifier {
    /// The stream.
    #[serde(
        rename = "StreamARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub stream_arn: String,
    /// When the stream was created.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub stream_creation_timestamp: OffsetDateTime,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for QueueStreamIdentifier {
    fn default() -> Self {
        QueueStreamIdentifier {
            stream_arn: Default::default(),
            stream_creation_timestamp: crate::wire::epoch(),
        }
    }
}

/// Dead-letter handling of a queue.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeadLetterConfiguration {
    /// On (`BuiltIn`) or off (`None`).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub target_type: DeadLetterTargetType,
    /// Receives without acknowledgement before a record becomes a
    /// dead-letter record (needed with `BuiltIn`; the service default is 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_receive_count: Option<u32>,
}

impl DeadLetterConfiguration {
    /// Built-in dead-letter handling after `max_receive_count` receives.
    pub fn built_in(max_receive_count: u32) -> Self {
        DeadLetterConfiguration {
            target_type: DeadLetterTargetType::BuiltIn,
            max_receive_count: Some(max_receive_count),
        }
    }

    /// No dead-letter handling.
    pub fn none() -> Self {
        DeadLetterConfiguration {
            target_type: DeadLetterTargetType::None,
            max_receive_count: None,
        }
    }
}

/// A queue's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct QueueAttributes {
    /// Seconds a received record stays invisible before it is delivered
    /// again (0–43200; 30 when a queue is created without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility_timeout_seconds: Option<u32>,
    /// Dead-letter handling (built in, after 6 receives, when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_configuration: Option<DeadLetterConfiguration>,
}

impl QueueAttributes {
    /// No settings (the service's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the visibility timeout to `seconds`.
    pub fn with_visibility_timeout_seconds(mut self, seconds: u32) -> Self {
        self.visibility_timeout_seconds = Some(seconds);
        self
    }

    /// Sets the dead-letter handling.
    pub fn with_dead_letter_configuration(mut self, config: DeadLetterConfiguration) -> Self {
        self.dead_letter_configuration = Some(config);
        self
    }

    fn validate(&self, field: &str) -> Result<(), UsageError> {
        if let Some(seconds) = self.visibility_timeout_seconds {
            validate::range(
                format!("{field}.VisibilityTimeoutSeconds"),
                seconds,
                0,
                MAX_VISIBILITY_TIMEOUT_SECONDS,
            )?;
        }
        if let Some(dl) = &self.dead_letter_configuration {
            let count_field = format!("{field}.DeadLetterConfiguration.MaxReceiveCount");
            match (&dl.target_type, dl.max_receive_count) {
                (DeadLetterTargetType::BuiltIn, None) => {
                    return Err(UsageError::new(
                        count_field,
                        "required when TargetType is BUILT_IN",
                    ))
                }
                (DeadLetterTargetType::BuiltIn, Some(0)) => {
                    return Err(UsageError::new(count_field, "must be at least 1"))
                }
                (DeadLetterTargetType::None, Some(_)) => {
                    return Err(UsageError::new(
                        count_field,
                        "not allowed when TargetType is NONE",
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// A queue's configuration and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct QueueDescription {
    /// The queue's ARN (its resource id is generated, not the name).
    #[serde(
        rename = "QueueARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub queue_arn: String,
    /// Its name.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub queue_name: String,
    /// Where it is in its life.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub queue_status: QueueStatus,
    /// When it was created.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub queue_creation_timestamp: OffsetDateTime,
    /// The stream it delivers from (exactly one).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_configuration_list: Vec<QueueStreamConfiguration>,
    /// Its settings.
    #[serde(default)]
    pub queue_attributes: Option<QueueAttributes>,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for QueueDescription {
    fn default() -> Self {
        QueueDescription {
            queue_arn: Default::default(),
            queue_name: Default::default(),
            queue_status: Default::default(),
            queue_creation_timestamp: crate::wire::epoch(),
            stream_configuration_list: Default::default(),
            queue_attributes: Default::default(),
        }
    }
}

/// A queue as ListQueues reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct QueueSummary {
    /// The queue's ARN.
    #[serde(
        rename = "QueueARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub queue_arn: String,
    /// Its name.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub queue_name: String,
    /// Where it is in its life.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub queue_status: QueueStatus,
    /// When it was created.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub queue_creation_timestamp: OffsetDateTime,
    /// The stream it delivers from.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub streams: Vec<QueueStreamIdentifier>,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for QueueSummary {
    fn default() -> Self {
        QueueSummary {
            queue_arn: Default::default(),
            queue_name: Default::default(),
            queue_status: Default::default(),
            queue_creation_timestamp: crate::wire::epoch(),
            streams: Default::default(),
        }
    }
}

/// The answer to CreateQueue, DescribeQueue and UpdateQueue.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct QueueDescriptionOutput {
    /// The queue.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub queue_description: QueueDescription,
}

fn check_queue_arn(arn: &str) -> Result<(), UsageError> {
    validate::queue_arn("QueueARN", arn)
}

/// Creates a queue on an on-demand stream. It counts against the stream's
/// registered-consumer limit.
///
/// ```
/// use kinesis_proto::ops::{CreateQueue, QueueAttributes, QueueStartingPosition};
/// let op = CreateQueue::new("orders-work", "arn:aws:kinesis:us-east-1:123456789012:stream/orders")
///     .with_starting_position(QueueStartingPosition::trim_horizon())
///     .with_attributes(QueueAttributes::new().with_visibility_timeout_seconds(120));
/// assert_eq!(op.stream_configuration_list.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CreateQueue {
    /// The queue's name (1–128 of `a-z A-Z 0-9 _ . -`).
    pub queue_name: String,
    /// The stream it delivers from (exactly one).
    pub stream_configuration_list: Vec<QueueStreamConfiguration>,
    /// Its settings (the service's defaults when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_attributes: Option<QueueAttributes>,
    /// Tags for the new queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagSet>,
}

impl CreateQueue {
    /// A queue named `queue_name` delivering from `stream_arn`, starting at LATEST.
    pub fn new(queue_name: impl Into<String>, stream_arn: impl Into<String>) -> Self {
        CreateQueue {
            queue_name: queue_name.into(),
            stream_configuration_list: vec![QueueStreamConfiguration::new(stream_arn)],
            queue_attributes: None,
            tags: None,
        }
    }

    /// Starts delivering at `position`.
    pub fn with_starting_position(mut self, position: QueueStartingPosition) -> Self {
        for stream in &mut self.stream_configuration_list {
            stream.starting_position = Some(position.clone());
        }
        self
    }

    /// Sets the queue's settings.
    pub fn with_attributes(mut self, attributes: QueueAttributes) -> Self {
        self.queue_attributes = Some(attributes);
        self
    }

    /// Adds one tag to the new queue.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.get_or_insert_with(TagSet::new).insert(key, value);
        self
    }
}

operation! {
    CreateQueue: Control in Queues -> QueueDescriptionOutput,
    validate(op) {
        support::check_name("QueueName", &op.queue_name)?;
        support::check_count(
            "StreamConfigurationList",
            op.stream_configuration_list.len(),
            STREAMS_PER_QUEUE_OR_CHANNEL,
            STREAMS_PER_QUEUE_OR_CHANNEL,
        )?;
        for (i, stream) in op.stream_configuration_list.iter().enumerate() {
            validate::stream_arn(
                format!("StreamConfigurationList[{i}].StreamARN"),
                &stream.stream_arn,
            )?;
            if let Some(position) = &stream.starting_position {
                let field = format!("StreamConfigurationList[{i}].StartingPosition.Timestamp");
                match (&position.kind, position.timestamp.is_some()) {
                    (QueueStartingPositionType::AtTimestamp, false) => {
                        return Err(UsageError::new(field, "required when Type is AT_TIMESTAMP"))
                    }
                    (QueueStartingPositionType::AtTimestamp, true) => {}
                    (other, true) => {
                        return Err(UsageError::new(
                            field,
                            format!("not allowed when Type is {other}"),
                        ))
                    }
                    (_, false) => {}
                }
            }
        }
        if let Some(attributes) = &op.queue_attributes {
            attributes.validate("QueueAttributes")?;
        }
        if let Some(tags) = &op.tags {
            tags.validate("Tags", false)?;
        }
        Ok(())
    },
}

/// Describes a queue: its state, stream and settings.
///
/// ```
/// let op = kinesis_proto::ops::DescribeQueue::new("arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c");
/// assert!(op.queue_arn.contains(":queue/"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeQueue {
    /// The queue.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
}

impl DescribeQueue {
    /// Describes the queue `queue_arn`.
    pub fn new(queue_arn: impl Into<String>) -> Self {
        DescribeQueue {
            queue_arn: queue_arn.into(),
        }
    }
}

operation! {
    DescribeQueue: Control in Queues -> QueueDescriptionOutput,
    validate(op) { check_queue_arn(&op.queue_arn) },
    resource_arn(op) { Some(&op.queue_arn) },
}

/// Changes a queue's settings (visibility timeout, dead-letter handling).
/// Its stream and starting position cannot change.
///
/// ```
/// use kinesis_proto::ops::{DeadLetterConfiguration, QueueAttributes, UpdateQueue};
/// let op = UpdateQueue::new(
///     "arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c",
///     QueueAttributes::new().with_dead_letter_configuration(DeadLetterConfiguration::built_in(3)),
/// );
/// assert!(op.queue_attributes.dead_letter_configuration.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateQueue {
    /// The queue.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
    /// The settings to apply (those absent stay as they are).
    pub queue_attributes: QueueAttributes,
}

impl UpdateQueue {
    /// Applies `queue_attributes` to the queue `queue_arn`.
    pub fn new(queue_arn: impl Into<String>, queue_attributes: QueueAttributes) -> Self {
        UpdateQueue {
            queue_arn: queue_arn.into(),
            queue_attributes,
        }
    }
}

operation! {
    UpdateQueue: Control in Queues -> QueueDescriptionOutput,
    validate(op) {
        check_queue_arn(&op.queue_arn)?;
        if op.queue_attributes == QueueAttributes::default() {
            return Err(UsageError::new("QueueAttributes", "nothing to update"));
        }
        op.queue_attributes.validate("QueueAttributes")
    },
    resource_arn(op) { Some(&op.queue_arn) },
}

/// Deletes a queue. The stream and its records are untouched; receipt
/// handles the queue issued stop being valid.
///
/// ```
/// let op = kinesis_proto::ops::DeleteQueue::new("arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c");
/// assert!(op.queue_arn.ends_with("q-1a2b3c"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeleteQueue {
    /// The queue.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
}

impl DeleteQueue {
    /// Deletes the queue `queue_arn`.
    pub fn new(queue_arn: impl Into<String>) -> Self {
        DeleteQueue {
            queue_arn: queue_arn.into(),
        }
    }
}

operation! {
    DeleteQueue: Control in Queues -> Empty,
    validate(op) { check_queue_arn(&op.queue_arn) },
    resource_arn(op) { Some(&op.queue_arn) },
}

/// Lists only the queues on one stream: the same filter as the channels'
/// [`StreamFilter`], under the name the queue operations had first.
pub type QueueStreamFilter = StreamFilter;

/// Lists the account's queues, a page at a time (see [`Paginated`]).
///
/// ```
/// use kinesis_proto::ops::{ListQueues, QueueStreamFilter};
/// let op = ListQueues::new()
///     .with_max_results(50)
///     .with_stream_filter(QueueStreamFilter::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders"));
/// assert_eq!(op.page.max_results, Some(50));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListQueues {
    /// Where the previous page ended, and the most queues per page
    /// (1–10000).
    #[serde(flatten)]
    pub page: Page,
    /// Only queues on these streams.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_filter: Option<Vec<QueueStreamFilter>>,
}

impl ListQueues {
    /// Lists every queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lists only the queues on the stream `filter` names.
    pub fn with_stream_filter(mut self, filter: QueueStreamFilter) -> Self {
        self.stream_filter.get_or_insert_with(Vec::new).push(filter);
        self
    }
}
page_setters!(ListQueues: "queues");

/// The answer to [`ListQueues`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListQueuesOutput {
    /// The queues on this page.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub queue_summaries: Vec<QueueSummary>,
    /// Present when more queues may follow.
    #[serde(default)]
    pub next_token: Option<String>,
}

operation! {
    ListQueues: Control in Queues -> ListQueuesOutput,
    validate(op) {
        op.page.validate(MAX_LIST_MAX_RESULTS)?;
        check_stream_filters(op.stream_filter.as_deref())?;
        Ok(())
    },
}

impl Paginated for ListQueues {
    /// The same request with the answer's `NextToken`, while it has one.
    fn next_page(&self, output: &Self::Output) -> Option<Self> {
        Some(ListQueues {
            page: self.page.after(output.next_token.as_deref())?,
            ..self.clone()
        })
    }
}

/// A record delivered by a queue. `Debug` shows the data's length, not the
/// data.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct QueueRecord {
    /// What acknowledges, re-times or restores this delivery (a new one each
    /// time the record is received).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub receipt_handle: String,
    /// The record's identity, the same on every delivery and in every queue.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub record_id: String,
    /// The partition key it was written with.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub partition_key: String,
    /// The record's data.
    #[serde(default, with = "crate::wire::blob")]
    pub data: Vec<u8>,
    /// About when it arrived in the stream.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub approximate_arrival_timestamp: OffsetDateTime,
    /// About when the queue first delivered it.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub first_receive_timestamp: OffsetDateTime,
    /// How many times it was received without being acknowledged.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub receive_count: u32,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for QueueRecord {
    fn default() -> Self {
        QueueRecord {
            receipt_handle: Default::default(),
            record_id: Default::default(),
            partition_key: Default::default(),
            data: Default::default(),
            approximate_arrival_timestamp: crate::wire::epoch(),
            first_receive_timestamp: crate::wire::epoch(),
            receive_count: Default::default(),
        }
    }
}

impl fmt::Debug for QueueRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueRecord")
            .field("receipt_handle", &self.receipt_handle)
            .field("record_id", &self.record_id)
            .field("partition_key", &self.partition_key)
            .field("data", &crate::wire::Payload(&self.data))
            .field(
                "approximate_arrival_timestamp",
                &self.approximate_arrival_timestamp,
            )
            .field("first_receive_timestamp", &self.first_receive_timestamp)
            .field("receive_count", &self.receive_count)
            .finish()
    }
}

/// The answer to [`ReceiveQueueRecords`] and [`ReceiveDeadLetterQueueRecords`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ReceiveQueueRecordsOutput {
    /// The records received (none when the wait ended first); the wire
    /// member is `QueueRecords`.
    #[serde(
        rename = "QueueRecords",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub records: Vec<QueueRecord>,
}

/// The checks both receive calls share.
fn check_receive(
    queue_arn: &str,
    limit: Option<u32>,
    visibility_timeout_seconds: Option<u32>,
) -> Result<(), UsageError> {
    check_queue_arn(queue_arn)?;
    if let Some(limit) = limit {
        validate::range("Limit", limit, 1, MAX_QUEUE_BATCH as u32)?;
    }
    if let Some(seconds) = visibility_timeout_seconds {
        validate::range(
            "VisibilityTimeoutSeconds",
            seconds,
            0,
            MAX_VISIBILITY_TIMEOUT_SECONDS,
        )?;
    }
    Ok(())
}

/// Receives up to 10 records from a queue. Each comes with a receipt
/// handle and stays invisible to other receivers for the visibility
/// timeout; acknowledge it when done or it is delivered again.
///
/// ```
/// use kinesis_proto::ops::ReceiveQueueRecords;
/// let op = ReceiveQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c")
///     .with_limit(10)
///     .with_wait_time_seconds(20);
/// assert_eq!(op.limit, Some(10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ReceiveQueueRecords {
    /// The queue.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
    /// Most records to return (1–10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Seconds the received records stay invisible (0–43200; the queue's
    /// setting when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility_timeout_seconds: Option<u32>,
    /// Seconds to wait for a record before answering with none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_time_seconds: Option<u32>,
}

impl ReceiveQueueRecords {
    /// Receives from the queue `queue_arn`.
    pub fn new(queue_arn: impl Into<String>) -> Self {
        ReceiveQueueRecords {
            queue_arn: queue_arn.into(),
            limit: None,
            visibility_timeout_seconds: None,
            wait_time_seconds: None,
        }
    }

    /// Returns at most `limit` records.
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Keeps the received records invisible for `seconds`.
    pub fn with_visibility_timeout_seconds(mut self, seconds: u32) -> Self {
        self.visibility_timeout_seconds = Some(seconds);
        self
    }

    /// Waits up to `seconds` for a record (long polling).
    pub fn with_wait_time_seconds(mut self, seconds: u32) -> Self {
        self.wait_time_seconds = Some(seconds);
        self
    }
}

operation! {
    ReceiveQueueRecords: Data in Queues -> ReceiveQueueRecordsOutput,
    validate(op) { check_receive(&op.queue_arn, op.limit, op.visibility_timeout_seconds) },
    resource_arn(op) { Some(&op.queue_arn) },
}

/// Receives up to 10 dead-letter records (records received
/// `MaxReceiveCount` times without acknowledgement) from a queue, to
/// inspect, then acknowledge or restore them.
///
/// ```
/// use kinesis_proto::ops::ReceiveDeadLetterQueueRecords;
/// let op = ReceiveDeadLetterQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c").with_limit(5);
/// assert_eq!(op.limit, Some(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ReceiveDeadLetterQueueRecords {
    /// The queue.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
    /// Most records to return (1–10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Seconds the received records stay invisible (0–43200; the queue's
    /// setting when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility_timeout_seconds: Option<u32>,
    /// Seconds to wait for a record before answering with none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_time_seconds: Option<u32>,
}

impl ReceiveDeadLetterQueueRecords {
    /// Receives from the queue `queue_arn`.
    pub fn new(queue_arn: impl Into<String>) -> Self {
        ReceiveDeadLetterQueueRecords {
            queue_arn: queue_arn.into(),
            limit: None,
            visibility_timeout_seconds: None,
            wait_time_seconds: None,
        }
    }

    /// Returns at most `limit` records.
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Keeps the received records invisible for `seconds`.
    pub fn with_visibility_timeout_seconds(mut self, seconds: u32) -> Self {
        self.visibility_timeout_seconds = Some(seconds);
        self
    }

    /// Waits up to `seconds` for a record (long polling).
    pub fn with_wait_time_seconds(mut self, seconds: u32) -> Self {
        self.wait_time_seconds = Some(seconds);
        self
    }
}

operation! {
    ReceiveDeadLetterQueueRecords: Data in Queues -> ReceiveQueueRecordsOutput,
    validate(op) { check_receive(&op.queue_arn, op.limit, op.visibility_timeout_seconds) },
    resource_arn(op) { Some(&op.queue_arn) },
}

/// One record of a batch, named by its receipt handle.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ReceiptHandleEntry {
    /// The receipt handle from the receive call.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub receipt_handle: String,
}

impl ReceiptHandleEntry {
    /// The delivery `receipt_handle`.
    pub fn new(receipt_handle: impl Into<String>) -> Self {
        ReceiptHandleEntry {
            receipt_handle: receipt_handle.into(),
        }
    }
}

/// One record whose visibility timeout changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct VisibilityEntry {
    /// The receipt handle from the receive call.
    pub receipt_handle: String,
    /// Seconds from now until the record is visible again (0–43200; 0 makes
    /// it visible at once).
    pub visibility_timeout_seconds: u32,
}

impl VisibilityEntry {
    /// Makes `receipt_handle` visible again in `seconds`.
    pub fn new(receipt_handle: impl Into<String>, seconds: u32) -> Self {
        VisibilityEntry {
            receipt_handle: receipt_handle.into(),
            visibility_timeout_seconds: seconds,
        }
    }
}

/// One entry of a batch that failed, and why.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct FailedReceiptHandle {
    /// The entry's receipt handle.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub receipt_handle: String,
    /// The failure (`ResourceNotFoundException`, `InvalidArgumentException`,
    /// `ThrottlingException`, `InternalFailureException`…).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub error_code: String,
    /// A description of the failure.
    #[serde(default)]
    pub error_message: Option<String>,
}

/// The answer to every queue batch call (acknowledge, change visibility,
/// restore): each entry succeeded or failed on its own, so check `failed`
/// even though the call succeeded.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ReceiptHandleBatchOutput {
    /// The entries that succeeded.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub successful: Vec<ReceiptHandleEntry>,
    /// The entries that failed.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub failed: Vec<FailedReceiptHandle>,
}

fn check_handles<'a>(handles: impl ExactSizeIterator<Item = &'a str>) -> Result<(), UsageError> {
    support::check_count("Entries", handles.len(), 1, MAX_QUEUE_BATCH)?;
    for (i, handle) in handles.enumerate() {
        validate::char_length(
            format!("Entries[{i}].ReceiptHandle"),
            handle,
            1,
            MAX_RECEIPT_HANDLE_CHARS,
        )?;
    }
    Ok(())
}

/// Acknowledges up to 10 received records so the queue does not deliver
/// them again (the records stay in the stream).
///
/// ```
/// use kinesis_proto::ops::AcknowledgeQueueRecords;
/// let op = AcknowledgeQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c", ["rh-1", "rh-2"]);
/// assert_eq!(op.entries.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AcknowledgeQueueRecords {
    /// The queue the records were received from.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
    /// The records (1–10).
    pub entries: Vec<ReceiptHandleEntry>,
}

impl AcknowledgeQueueRecords {
    /// Applies to the records `receipt_handles` of the queue `queue_arn`.
    pub fn new<H: Into<String>>(
        queue_arn: impl Into<String>,
        receipt_handles: impl IntoIterator<Item = H>,
    ) -> Self {
        AcknowledgeQueueRecords {
            queue_arn: queue_arn.into(),
            entries: receipt_handles
                .into_iter()
                .map(ReceiptHandleEntry::new)
                .collect(),
        }
    }
}

operation! {
    AcknowledgeQueueRecords: Data in Queues -> ReceiptHandleBatchOutput,
    validate(op) {
        check_queue_arn(&op.queue_arn)?;
        check_handles(op.entries.iter().map(|e| e.receipt_handle.as_str()))
    },
    resource_arn(op) { Some(&op.queue_arn) },
}

/// Acknowledges up to 10 dead-letter records, discarding them.
///
/// ```
/// use kinesis_proto::ops::AcknowledgeDeadLetterQueueRecords;
/// let op = AcknowledgeDeadLetterQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c", ["rh-1"]);
/// assert_eq!(op.entries[0].receipt_handle, "rh-1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AcknowledgeDeadLetterQueueRecords {
    /// The queue the records were received from.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
    /// The records (1–10).
    pub entries: Vec<ReceiptHandleEntry>,
}

impl AcknowledgeDeadLetterQueueRecords {
    /// Applies to the records `receipt_handles` of the queue `queue_arn`.
    pub fn new<H: Into<String>>(
        queue_arn: impl Into<String>,
        receipt_handles: impl IntoIterator<Item = H>,
    ) -> Self {
        AcknowledgeDeadLetterQueueRecords {
            queue_arn: queue_arn.into(),
            entries: receipt_handles
                .into_iter()
                .map(ReceiptHandleEntry::new)
                .collect(),
        }
    }
}

operation! {
    AcknowledgeDeadLetterQueueRecords: Data in Queues -> ReceiptHandleBatchOutput,
    validate(op) {
        check_queue_arn(&op.queue_arn)?;
        check_handles(op.entries.iter().map(|e| e.receipt_handle.as_str()))
    },
    resource_arn(op) { Some(&op.queue_arn) },
}

/// Restores up to 10 dead-letter records to the normal receive path,
/// with their receive counts reset.
///
/// ```
/// use kinesis_proto::ops::RestoreDeadLetterQueueRecords;
/// let op = RestoreDeadLetterQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c", ["rh-1"]);
/// assert_eq!(op.entries.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RestoreDeadLetterQueueRecords {
    /// The queue the records were received from.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
    /// The records (1–10).
    pub entries: Vec<ReceiptHandleEntry>,
}

impl RestoreDeadLetterQueueRecords {
    /// Applies to the records `receipt_handles` of the queue `queue_arn`.
    pub fn new<H: Into<String>>(
        queue_arn: impl Into<String>,
        receipt_handles: impl IntoIterator<Item = H>,
    ) -> Self {
        RestoreDeadLetterQueueRecords {
            queue_arn: queue_arn.into(),
            entries: receipt_handles
                .into_iter()
                .map(ReceiptHandleEntry::new)
                .collect(),
        }
    }
}

operation! {
    RestoreDeadLetterQueueRecords: Data in Queues -> ReceiptHandleBatchOutput,
    validate(op) {
        check_queue_arn(&op.queue_arn)?;
        check_handles(op.entries.iter().map(|e| e.receipt_handle.as_str()))
    },
    resource_arn(op) { Some(&op.queue_arn) },
}

/// The checks both visibility calls share.
fn check_visibility(queue_arn: &str, entries: &[VisibilityEntry]) -> Result<(), UsageError> {
    check_queue_arn(queue_arn)?;
    check_handles(entries.iter().map(|e| e.receipt_handle.as_str()))?;
    for (i, entry) in entries.iter().enumerate() {
        validate::range(
            format!("Entries[{i}].VisibilityTimeoutSeconds"),
            entry.visibility_timeout_seconds,
            0,
            MAX_VISIBILITY_TIMEOUT_SECONDS,
        )?;
    }
    Ok(())
}

/// Changes the visibility timeout of up to 10 received, unacknowledged
/// records: extend it while still working, or set 0 to hand a record
/// back at once.
///
/// ```
/// use kinesis_proto::ops::{UpdateQueueRecordsVisibility, VisibilityEntry};
/// let op = UpdateQueueRecordsVisibility::new(
///     "arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c",
///     vec![VisibilityEntry::new("rh-1", 300)],
/// );
/// assert_eq!(op.entries[0].visibility_timeout_seconds, 300);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateQueueRecordsVisibility {
    /// The queue the records were received from.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
    /// The records and their new timeouts (1–10).
    pub entries: Vec<VisibilityEntry>,
}

impl UpdateQueueRecordsVisibility {
    /// Changes the visibility of `entries` of the queue `queue_arn`.
    pub fn new(queue_arn: impl Into<String>, entries: Vec<VisibilityEntry>) -> Self {
        UpdateQueueRecordsVisibility {
            queue_arn: queue_arn.into(),
            entries,
        }
    }
}

operation! {
    UpdateQueueRecordsVisibility: Data in Queues -> ReceiptHandleBatchOutput,
    validate(op) { check_visibility(&op.queue_arn, &op.entries) },
    resource_arn(op) { Some(&op.queue_arn) },
}

/// Changes the visibility timeout of up to 10 received dead-letter
/// records.
///
/// ```
/// use kinesis_proto::ops::{UpdateDeadLetterQueueRecordsVisibility, VisibilityEntry};
/// let op = UpdateDeadLetterQueueRecordsVisibility::new(
///     "arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c",
///     vec![VisibilityEntry::new("rh-1", 0)],
/// );
/// assert_eq!(op.entries.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateDeadLetterQueueRecordsVisibility {
    /// The queue the records were received from.
    #[serde(rename = "QueueARN")]
    pub queue_arn: String,
    /// The records and their new timeouts (1–10).
    pub entries: Vec<VisibilityEntry>,
}

impl UpdateDeadLetterQueueRecordsVisibility {
    /// Changes the visibility of `entries` of the queue `queue_arn`.
    pub fn new(queue_arn: impl Into<String>, entries: Vec<VisibilityEntry>) -> Self {
        UpdateDeadLetterQueueRecordsVisibility {
            queue_arn: queue_arn.into(),
            entries,
        }
    }
}

operation! {
    UpdateDeadLetterQueueRecordsVisibility: Data in Queues -> ReceiptHandleBatchOutput,
    validate(op) { check_visibility(&op.queue_arn, &op.entries) },
    resource_arn(op) { Some(&op.queue_arn) },
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::operation::{Operation, Plane};
    use crate::ops::test_support::{field_of, json_body as body, STREAM};
    use serde_json::json;

    const QUEUE: &str = "arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c";

    #[test]
    fn create_serializes_stream_position_attributes_and_tags() {
        let op = CreateQueue::new("orders-work", STREAM)
            .with_starting_position(QueueStartingPosition::at_timestamp(
                OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
            ))
            .with_attributes(
                QueueAttributes::new()
                    .with_visibility_timeout_seconds(120)
                    .with_dead_letter_configuration(DeadLetterConfiguration::built_in(3)),
            )
            .with_tag("team", "ops");
        assert_eq!(
            body(&op),
            json!({
                "QueueName": "orders-work",
                "StreamConfigurationList": [{
                    "StreamARN": STREAM,
                    "StartingPosition": {"Type": "AT_TIMESTAMP", "Timestamp": 1700000000}
                }],
                "QueueAttributes": {
                    "VisibilityTimeoutSeconds": 120,
                    "DeadLetterConfiguration": {"TargetType": "BUILT_IN", "MaxReceiveCount": 3}
                },
                "Tags": {"team": "ops"}
            })
        );
        assert!(op.validate(&Limits::default()).is_ok());
        assert_eq!(
            body(&CreateQueue::new("q", STREAM)),
            json!({"QueueName": "q", "StreamConfigurationList": [{"StreamARN": STREAM}]})
        );
    }

    #[test]
    fn create_validation() {
        assert_eq!(field_of(&CreateQueue::new("bad name", STREAM)), "QueueName");
        assert_eq!(
            field_of(&CreateQueue::new("q", QUEUE)),
            "StreamConfigurationList[0].StreamARN"
        );
        let mut op = CreateQueue::new("q", STREAM);
        op.stream_configuration_list.clear();
        assert_eq!(field_of(&op), "StreamConfigurationList");
        let mut op =
            CreateQueue::new("q", STREAM).with_starting_position(QueueStartingPosition::latest());
        op.stream_configuration_list[0]
            .starting_position
            .as_mut()
            .unwrap()
            .timestamp = Some(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(
            field_of(&op),
            "StreamConfigurationList[0].StartingPosition.Timestamp"
        );
        let mut op = CreateQueue::new("q", STREAM);
        op.stream_configuration_list[0].starting_position = Some(QueueStartingPosition {
            kind: QueueStartingPositionType::AtTimestamp,
            timestamp: None,
        });
        assert_eq!(
            field_of(&op),
            "StreamConfigurationList[0].StartingPosition.Timestamp"
        );
        let op = CreateQueue::new("q", STREAM)
            .with_attributes(QueueAttributes::new().with_visibility_timeout_seconds(43_201));
        assert_eq!(field_of(&op), "QueueAttributes.VisibilityTimeoutSeconds");
        let mut dl = DeadLetterConfiguration::built_in(3);
        dl.max_receive_count = None;
        let op = CreateQueue::new("q", STREAM)
            .with_attributes(QueueAttributes::new().with_dead_letter_configuration(dl));
        assert_eq!(
            field_of(&op),
            "QueueAttributes.DeadLetterConfiguration.MaxReceiveCount"
        );
        let op = CreateQueue::new("q", STREAM).with_attributes(
            QueueAttributes::new().with_dead_letter_configuration(DeadLetterConfiguration::none()),
        );
        assert!(op.validate(&Limits::default()).is_ok());
    }

    const DESCRIPTION: &str = r#"{"QueueDescription":{
        "QueueARN":"arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c","QueueName":"orders-work",
        "QueueStatus":"ACTIVE","QueueCreationTimestamp":1.7E9,
        "StreamConfigurationList":[{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/orders",
            "StartingPosition":{"Type":"TRIM_HORIZON","Timestamp":1699990000.25}}],
        "QueueAttributes":{"VisibilityTimeoutSeconds":30,
            "DeadLetterConfiguration":{"TargetType":"BUILT_IN","MaxReceiveCount":6}}}}"#;

    #[test]
    fn description_parses() {
        let out: QueueDescriptionOutput = serde_json::from_str(DESCRIPTION).unwrap();
        let q = out.queue_description;
        assert_eq!(q.queue_arn, QUEUE);
        assert_eq!(q.queue_status, QueueStatus::Active);
        assert_eq!(q.queue_creation_timestamp.unix_timestamp(), 1_700_000_000);
        let position = q.stream_configuration_list[0]
            .starting_position
            .as_ref()
            .unwrap();
        assert_eq!(position.kind, QueueStartingPositionType::TrimHorizon);
        assert_eq!(position.timestamp.unwrap().nanosecond(), 250_000_000);
        let attributes = q.queue_attributes.unwrap();
        assert_eq!(
            attributes.dead_letter_configuration,
            Some(DeadLetterConfiguration::built_in(6))
        );
    }

    #[test]
    fn describe_update_delete_address_the_queue() {
        assert_eq!(body(&DescribeQueue::new(QUEUE)), json!({"QueueARN": QUEUE}));
        assert_eq!(body(&DeleteQueue::new(QUEUE)), json!({"QueueARN": QUEUE}));
        let op = UpdateQueue::new(
            QUEUE,
            QueueAttributes::new().with_visibility_timeout_seconds(0),
        );
        assert_eq!(
            body(&op),
            json!({"QueueARN": QUEUE, "QueueAttributes": {"VisibilityTimeoutSeconds": 0}})
        );
        assert!(op.validate(&Limits::default()).is_ok());
        assert_eq!(
            field_of(&UpdateQueue::new(QUEUE, QueueAttributes::new())),
            "QueueAttributes"
        );
        assert_eq!(field_of(&DescribeQueue::new(STREAM)), "QueueARN");
        for arn in [
            DescribeQueue::new(QUEUE).resource_arn(),
            DeleteQueue::new(QUEUE).resource_arn(),
            op.resource_arn(),
        ] {
            assert_eq!(arn, Some(QUEUE));
        }
        assert_eq!(CreateQueue::new("q", STREAM).resource_arn(), None);
    }

    #[test]
    fn list_parses_summaries_and_pages() {
        let first = ListQueues::new().with_stream_filter(QueueStreamFilter::new(STREAM));
        assert_eq!(
            body(&first),
            json!({"StreamFilter": [{"StreamARN": STREAM}]})
        );
        let page: ListQueuesOutput = serde_json::from_str(&format!(
            r#"{{"QueueSummaries":[{{"QueueARN":"{QUEUE}","QueueName":"orders-work","QueueStatus":"RESIZING",
                "QueueCreationTimestamp":1700000000,
                "Streams":[{{"StreamARN":"{STREAM}","StreamCreationTimestamp":1600000000}}]}}],
                "NextToken":"p2"}}"#
        ))
        .unwrap();
        assert_eq!(
            page.queue_summaries[0].queue_status,
            QueueStatus::Unknown("RESIZING".into())
        );
        let second = first.next_page(&page).unwrap();
        assert_eq!(second.page.next_token.as_deref(), Some("p2"));
        let last: ListQueuesOutput = serde_json::from_str(r#"{"QueueSummaries":[]}"#).unwrap();
        assert!(second.next_page(&last).is_none());
        assert_eq!(
            field_of(&ListQueues::new().with_max_results(10_001)),
            "MaxResults"
        );
        let mut empty_filter = ListQueues::new();
        empty_filter.stream_filter = Some(vec![]);
        assert_eq!(field_of(&empty_filter), "StreamFilter");
    }

    #[test]
    fn receive_serializes_and_parses_records() {
        let op = ReceiveQueueRecords::new(QUEUE)
            .with_limit(10)
            .with_wait_time_seconds(20)
            .with_visibility_timeout_seconds(60);
        assert_eq!(
            body(&op),
            json!({"QueueARN": QUEUE, "Limit": 10, "VisibilityTimeoutSeconds": 60, "WaitTimeSeconds": 20})
        );
        assert_eq!(ReceiveQueueRecords::PLANE, Plane::Data);
        assert_eq!(op.resource_arn(), Some(QUEUE));
        let out: ReceiveQueueRecordsOutput = serde_json::from_str(
            r#"{"QueueRecords":[{"ReceiptHandle":"rh-1","RecordId":"r-1","PartitionKey":"user-7",
                "Data":"aGVsbG8=","ApproximateArrivalTimestamp":1700000000.123,
                "FirstReceiveTimestamp":1700000001,"ReceiveCount":2}]}"#,
        )
        .unwrap();
        let r = &out.records[0];
        assert_eq!(r.data, b"hello");
        assert_eq!(r.receive_count, 2);
        assert_eq!(r.approximate_arrival_timestamp.nanosecond(), 123_000_000);
        let shown = format!("{r:?}");
        assert!(
            shown.contains("<5 bytes>") && !shown.contains("hello"),
            "{shown}"
        );
        let none: ReceiveQueueRecordsOutput =
            serde_json::from_str(r#"{"QueueRecords":[]}"#).unwrap();
        assert!(none.records.is_empty());
    }

    #[test]
    fn receive_validation() {
        assert_eq!(
            field_of(&ReceiveQueueRecords::new(QUEUE).with_limit(11)),
            "Limit"
        );
        assert_eq!(
            field_of(&ReceiveDeadLetterQueueRecords::new(QUEUE).with_limit(0)),
            "Limit"
        );
        assert_eq!(
            field_of(&ReceiveQueueRecords::new(QUEUE).with_visibility_timeout_seconds(43_201)),
            "VisibilityTimeoutSeconds"
        );
        assert_eq!(
            field_of(&ReceiveDeadLetterQueueRecords::new(STREAM)),
            "QueueARN"
        );
    }

    #[test]
    fn batches_serialize_entries_and_parse_partial_failures() {
        let ack = AcknowledgeQueueRecords::new(QUEUE, ["rh-1", "rh-2"]);
        assert_eq!(
            body(&ack),
            json!({"QueueARN": QUEUE, "Entries": [{"ReceiptHandle": "rh-1"}, {"ReceiptHandle": "rh-2"}]})
        );
        let vis = UpdateDeadLetterQueueRecordsVisibility::new(
            QUEUE,
            vec![VisibilityEntry::new("rh-1", 0)],
        );
        assert_eq!(
            body(&vis),
            json!({"QueueARN": QUEUE, "Entries": [{"ReceiptHandle": "rh-1", "VisibilityTimeoutSeconds": 0}]})
        );
        for plane in [
            AcknowledgeQueueRecords::PLANE,
            AcknowledgeDeadLetterQueueRecords::PLANE,
            RestoreDeadLetterQueueRecords::PLANE,
            UpdateQueueRecordsVisibility::PLANE,
            UpdateDeadLetterQueueRecordsVisibility::PLANE,
        ] {
            assert_eq!(plane, Plane::Data);
        }
        let out: ReceiptHandleBatchOutput = serde_json::from_str(
            r#"{"Successful":[{"ReceiptHandle":"rh-1"}],
                "Failed":[{"ReceiptHandle":"rh-2","ErrorCode":"InvalidArgumentException","ErrorMessage":"expired"}]}"#,
        )
        .unwrap();
        assert_eq!(out.successful, vec![ReceiptHandleEntry::new("rh-1")]);
        assert_eq!(out.failed[0].error_code, "InvalidArgumentException");
        assert_eq!(out.failed[0].error_message.as_deref(), Some("expired"));
        let empty: ReceiptHandleBatchOutput = serde_json::from_str("{}").unwrap();
        assert!(empty.successful.is_empty() && empty.failed.is_empty());
    }

    #[test]
    fn batch_validation() {
        assert_eq!(
            field_of(&AcknowledgeQueueRecords::new(QUEUE, Vec::<String>::new())),
            "Entries"
        );
        let eleven: Vec<String> = (0..11).map(|i| format!("rh-{i}")).collect();
        assert_eq!(
            field_of(&RestoreDeadLetterQueueRecords::new(QUEUE, eleven)),
            "Entries"
        );
        assert_eq!(
            field_of(&AcknowledgeDeadLetterQueueRecords::new(QUEUE, ["ok", ""])),
            "Entries[1].ReceiptHandle"
        );
        assert_eq!(
            field_of(&AcknowledgeQueueRecords::new(QUEUE, ["x".repeat(1025)])),
            "Entries[0].ReceiptHandle"
        );
        assert_eq!(
            field_of(&UpdateQueueRecordsVisibility::new(
                QUEUE,
                vec![VisibilityEntry::new("rh", 43_201)]
            )),
            "Entries[0].VisibilityTimeoutSeconds"
        );
        assert_eq!(
            field_of(&AcknowledgeQueueRecords::new(STREAM, ["rh"])),
            "QueueARN"
        );
    }
}
