//! Enhanced fan-out consumers: RegisterStreamConsumer,
//! DeregisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers, and
//! the request side of SubscribeToShard.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use time::OffsetDateTime;

use super::records::ShardIteratorType;
use super::shapes::{ConsumerRef, Page, TagSet};
use super::support::{operation, page_setters};
use crate::limits::MAX_LIST_MAX_RESULTS;
use crate::operation::{Empty, Paginated};
use crate::validate;
use crate::wire::{self, string_enum};

string_enum! {
    /// Where a consumer is in its life. It reads data only while `Active`.
    ConsumerStatus {
        /// Being registered.
        Creating = "CREATING",
        /// Being deregistered.
        Deleting = "DELETING",
        /// Registered and able to subscribe to shards.
        Active = "ACTIVE",
    }
}

/// A registered consumer, as RegisterStreamConsumer and ListStreamConsumers
/// return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Consumer {
    /// The name chosen at registration, unique within the stream.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub consumer_name: String,
    /// The consumer's ARN (it embeds the registration time, so a consumer
    /// registered again under the same name gets a new ARN).
    #[serde(
        rename = "ConsumerARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub consumer_arn: String,
    /// Where the consumer is in its life.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub consumer_status: ConsumerStatus,
    /// When it was registered.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub consumer_creation_timestamp: OffsetDateTime,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for Consumer {
    fn default() -> Self {
        Consumer {
            consumer_name: Default::default(),
            consumer_arn: Default::default(),
            consumer_status: Default::default(),
            consumer_creation_timestamp: crate::wire::epoch(),
        }
    }
}

/// A registered consumer and its stream, as DescribeStreamConsumer returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ConsumerDescription {
    /// The name chosen at registration.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub consumer_name: String,
    /// The consumer's ARN.
    #[serde(
        rename = "ConsumerARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub consumer_arn: String,
    /// Where the consumer is in its life.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub consumer_status: ConsumerStatus,
    /// When it was registered.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub consumer_creation_timestamp: OffsetDateTime,
    /// The stream it is registered with.
    #[serde(
        rename = "StreamARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub stream_arn: String,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for ConsumerDescription {
    fn default() -> Self {
        ConsumerDescription {
            consumer_name: Default::default(),
            consumer_arn: Default::default(),
            consumer_status: Default::default(),
            consumer_creation_timestamp: crate::wire::epoch(),
            stream_arn: Default::default(),
        }
    }
}

/// Registers an enhanced fan-out consumer with a stream; the consumer can then
/// call SubscribeToShard.
///
/// ```
/// use kinesis_proto::ops::RegisterStreamConsumer;
/// let op = RegisterStreamConsumer::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders", "billing")
///     .with_tag("team", "payments");
/// assert_eq!(op.tags.as_ref().map(|t| t.len()), Some(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RegisterStreamConsumer {
    /// The stream to register with.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// The consumer's name, unique within the stream.
    pub consumer_name: String,
    /// Tags for the new consumer (needs `kinesis:TagResource` as well).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagSet>,
}

impl RegisterStreamConsumer {
    /// Registers `consumer_name` with the stream `stream_arn`.
    pub fn new(stream_arn: impl Into<String>, consumer_name: impl Into<String>) -> Self {
        RegisterStreamConsumer {
            stream_arn: stream_arn.into(),
            consumer_name: consumer_name.into(),
            tags: None,
        }
    }

    /// Adds one tag to the new consumer.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.get_or_insert_with(TagSet::new).insert(key, value);
        self
    }
}

/// The answer to [`RegisterStreamConsumer`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RegisterStreamConsumerOutput {
    /// The new consumer, usually still `Creating`.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub consumer: Consumer,
}

operation! {
    RegisterStreamConsumer: Control -> RegisterStreamConsumerOutput,
    validate(op) {
        validate::stream_arn("StreamARN", &op.stream_arn)?;
        validate::consumer_name("ConsumerName", &op.consumer_name)?;
        if let Some(tags) = &op.tags {
            tags.validate("Tags", false)?;
        }
        Ok(())
    },
    resource_arn(op) { Some(&op.stream_arn) },
}

/// Deregisters a consumer, named by its ARN or by its stream's ARN and its
/// name.
///
/// ```
/// use kinesis_proto::ops::{ConsumerRef, DeregisterStreamConsumer};
/// let by_arn = DeregisterStreamConsumer::new(
///     "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/billing:1700000000",
/// );
/// let by_name = DeregisterStreamConsumer::by_name("arn:aws:kinesis:us-east-1:123456789012:stream/orders", "billing");
/// assert!(matches!(by_arn.consumer, ConsumerRef::Arn(_)));
/// assert!(matches!(by_name.consumer, ConsumerRef::Name { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeregisterStreamConsumer {
    /// The consumer: by its ARN, or by its stream's ARN and its name.
    #[serde(flatten)]
    pub consumer: ConsumerRef,
}

impl DeregisterStreamConsumer {
    /// Deregisters the consumer `consumer` (a consumer ARN, or a
    /// [`ConsumerRef::by_name`]).
    pub fn new(consumer: impl Into<ConsumerRef>) -> Self {
        DeregisterStreamConsumer {
            consumer: consumer.into(),
        }
    }

    /// Deregisters the consumer named `consumer_name` on the stream `stream_arn`.
    pub fn by_name(stream_arn: impl Into<String>, consumer_name: impl Into<String>) -> Self {
        DeregisterStreamConsumer::new(ConsumerRef::by_name(stream_arn, consumer_name))
    }
}

operation! {
    DeregisterStreamConsumer: Control -> Empty,
    validate(op) {
        op.consumer.validate()
    },
    resource_arn(op) { Some(op.consumer.resource_arn()) },
}

/// Describes a consumer, named by its ARN or by its stream's ARN and its name.
///
/// ```
/// use kinesis_proto::ops::{ConsumerRef, DescribeStreamConsumer};
/// let op = DescribeStreamConsumer::by_name("arn:aws:kinesis:us-east-1:123456789012:stream/orders", "billing");
/// assert_eq!(op.consumer, ConsumerRef::by_name("arn:aws:kinesis:us-east-1:123456789012:stream/orders", "billing"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeStreamConsumer {
    /// The consumer: by its ARN, or by its stream's ARN and its name.
    #[serde(flatten)]
    pub consumer: ConsumerRef,
}

impl DescribeStreamConsumer {
    /// Describes the consumer `consumer` (a consumer ARN, or a
    /// [`ConsumerRef::by_name`]).
    pub fn new(consumer: impl Into<ConsumerRef>) -> Self {
        DescribeStreamConsumer {
            consumer: consumer.into(),
        }
    }

    /// Describes the consumer named `consumer_name` on the stream `stream_arn`.
    pub fn by_name(stream_arn: impl Into<String>, consumer_name: impl Into<String>) -> Self {
        DescribeStreamConsumer::new(ConsumerRef::by_name(stream_arn, consumer_name))
    }
}

/// The answer to [`DescribeStreamConsumer`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeStreamConsumerOutput {
    /// The consumer.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub consumer_description: ConsumerDescription,
}

operation! {
    DescribeStreamConsumer: Control -> DescribeStreamConsumerOutput,
    validate(op) {
        op.consumer.validate()
    },
    resource_arn(op) { Some(op.consumer.resource_arn()) },
}

/// Lists the consumers registered with a stream, a page at a time
/// (see [`Paginated`]).
///
/// ```
/// use kinesis_proto::ops::ListStreamConsumers;
/// use kinesis_proto::Paginated;
/// let first = ListStreamConsumers::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders").with_max_results(100);
/// let page: kinesis_proto::ops::ListStreamConsumersOutput =
///     serde_json::from_str(r#"{"Consumers":[],"NextToken":"t2"}"#).unwrap();
/// let next = first.next_page(&page).unwrap();
/// assert_eq!(next.page.next_token.as_deref(), Some("t2"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListStreamConsumers {
    /// The stream whose consumers to list.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// Where the previous page ended, and the most consumers per page
    /// (1–10000).
    #[serde(flatten)]
    pub page: Page,
    /// Tells apart streams of the same name deleted and created again.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::wire::opt_timestamp"
    )]
    pub stream_creation_timestamp: Option<OffsetDateTime>,
}

impl ListStreamConsumers {
    /// Lists the consumers of the stream `stream_arn`.
    pub fn new(stream_arn: impl Into<String>) -> Self {
        ListStreamConsumers {
            stream_arn: stream_arn.into(),
            page: Page::new(),
            stream_creation_timestamp: None,
        }
    }

    /// Lists only if the stream was created at `created`.
    pub fn with_stream_creation_timestamp(mut self, created: OffsetDateTime) -> Self {
        self.stream_creation_timestamp = Some(created);
        self
    }
}
page_setters!(ListStreamConsumers: "consumers");

/// The answer to [`ListStreamConsumers`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListStreamConsumersOutput {
    /// The consumers on this page.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub consumers: Vec<Consumer>,
    /// Present when more consumers follow.
    #[serde(default)]
    pub next_token: Option<String>,
}

operation! {
    ListStreamConsumers: Control -> ListStreamConsumersOutput,
    validate(op) {
        validate::stream_arn("StreamARN", &op.stream_arn)?;
        op.page.validate(MAX_LIST_MAX_RESULTS)?;
        if let Some(created) = &op.stream_creation_timestamp {
            validate::timestamp_not_before_epoch("StreamCreationTimestamp", created)?;
        }
        Ok(())
    },
    resource_arn(op) { Some(&op.stream_arn) },
}

impl Paginated for ListStreamConsumers {
    /// The same request with the answer's `NextToken`, while it has one.
    fn next_page(&self, output: &Self::Output) -> Option<Self> {
        Some(ListStreamConsumers {
            page: self.page.after(output.next_token.as_deref())?,
            ..self.clone()
        })
    }
}

/// Subscribes a registered consumer to one shard (enhanced fan-out).
///
/// The service answers a successful call with an HTTP/2 event stream
/// (`application/vnd.amazon.eventstream`) of SubscribeToShardEvent
/// messages for up to five minutes. A driver reads it as it arrives with
/// [`Expect::event_stream`](crate::Expect::event_stream) (a
/// [`ShardEventStream`](crate::eventstream::ShardEventStream)); an error
/// answer, or a whole body read at once, goes through
/// [`crate::Expect::parse`] (the events, or a [`crate::Error::Service`] for
/// an error status or an exception message).
///
/// ```
/// use kinesis_proto::ops::{ShardIteratorType, SubscribeToShard};
/// let op = SubscribeToShard::new(
///     "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/billing:1700000000",
///     "shardId-000000000000",
///     ShardIteratorType::Latest,
/// );
/// assert_eq!(op.shard_id, "shardId-000000000000");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SubscribeToShard {
    /// The registered consumer that reads.
    #[serde(rename = "ConsumerARN")]
    pub consumer_arn: String,
    /// The shard to read.
    pub shard_id: String,
    /// Where to start (`StartingPosition` on the wire: its `Type`, with
    /// `SequenceNumber` or `Timestamp` when the position carries one).
    #[serde(serialize_with = "starting_position")]
    pub starting_position: ShardIteratorType,
    /// Asks the service only to check whether the request would succeed,
    /// without carrying it out (`DryRun`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// Writes a [`ShardIteratorType`] as the `StartingPosition` object.
fn starting_position<S: Serializer>(position: &ShardIteratorType, s: S) -> Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("StartingPosition", 3)?;
    st.serialize_field("Type", position.as_str())?;
    match position.sequence_number() {
        Some(seq) => st.serialize_field("SequenceNumber", seq)?,
        None => st.skip_field("SequenceNumber")?,
    }
    match &position.timestamp() {
        Some(t) => st.serialize_field("Timestamp", &wire::EpochSeconds(t))?,
        None => st.skip_field("Timestamp")?,
    }
    st.end()
}

impl SubscribeToShard {
    /// Subscribes `consumer_arn` to `shard_id` from `starting_position`.
    pub fn new(
        consumer_arn: impl Into<String>,
        shard_id: impl Into<String>,
        starting_position: ShardIteratorType,
    ) -> Self {
        SubscribeToShard {
            consumer_arn: consumer_arn.into(),
            shard_id: shard_id.into(),
            starting_position,
            dry_run: None,
        }
    }

    /// Asks the service only to check the request (`DryRun`).
    pub fn with_dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = Some(dry_run);
        self
    }
}

// Written out (not `operation!`): the answer is an event stream, not JSON.
impl crate::operation::Operation for SubscribeToShard {
    const NAME: &'static str = "SubscribeToShard";
    const PLANE: crate::operation::Plane = crate::operation::Plane::Data;
    type Output = crate::eventstream::SubscribeToShardOutput;

    fn validate(&self, _limits: &crate::Limits) -> Result<(), crate::error::UsageError> {
        validate::consumer_arn("ConsumerARN", &self.consumer_arn)?;
        validate::shard_id("ShardId", &self.shard_id)?;
        self.starting_position
            .validate("StartingPosition.", "SequenceNumber")
    }

    fn resource_arn(&self) -> Option<&str> {
        Some(&self.consumer_arn)
    }

    fn parse_answer<B: AsRef<[u8]>>(
        response: &http::Response<B>,
    ) -> Option<Result<Self::Output, crate::Error>> {
        Some(crate::eventstream::parse_whole(
            response.body().as_ref(),
            crate::error::request_id(response),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::operation::{Operation, Plane};
    use crate::ops::test_support::{field_of, json_body as body, STREAM};
    use serde_json::json;

    const CONSUMER: &str =
        "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/billing:1700000000";

    #[test]
    fn register_serializes_arn_name_and_tags() {
        let op = RegisterStreamConsumer::new(STREAM, "billing").with_tag("team", "payments");
        assert_eq!(
            body(&op),
            json!({"StreamARN": STREAM, "ConsumerName": "billing", "Tags": {"team": "payments"}})
        );
        assert_eq!(
            body(&RegisterStreamConsumer::new(STREAM, "billing")),
            json!({"StreamARN": STREAM, "ConsumerName": "billing"})
        );
        assert_eq!(op.resource_arn(), Some(STREAM));
        assert!(op.validate(&Limits::default()).is_ok());
    }

    #[test]
    fn register_output_parses_a_consumer() {
        let out: RegisterStreamConsumerOutput = serde_json::from_str(&format!(
            r#"{{"Consumer":{{"ConsumerName":"billing","ConsumerARN":"{CONSUMER}",
                "ConsumerStatus":"CREATING","ConsumerCreationTimestamp":1.700000000123E9}}}}"#
        ))
        .unwrap();
        let c = out.consumer;
        assert_eq!(c.consumer_arn, CONSUMER);
        assert_eq!(c.consumer_status, ConsumerStatus::Creating);
        assert_eq!(
            c.consumer_creation_timestamp.unix_timestamp(),
            1_700_000_000
        );
        assert_eq!(c.consumer_creation_timestamp.nanosecond(), 123_000_000);
    }

    #[test]
    fn register_validation() {
        assert_eq!(
            field_of(&RegisterStreamConsumer::new("orders", "billing")),
            "StreamARN"
        );
        assert_eq!(
            field_of(&RegisterStreamConsumer::new(STREAM, "bad name")),
            "ConsumerName"
        );
        assert_eq!(
            field_of(&RegisterStreamConsumer::new(STREAM, "")),
            "ConsumerName"
        );
        let mut op = RegisterStreamConsumer::new(STREAM, "billing");
        op.tags = Some(TagSet::new().with("", "v"));
        assert!(field_of(&op).starts_with("Tags["));
    }

    #[test]
    fn deregister_and_describe_take_arn_or_stream_and_name() {
        assert_eq!(
            body(&DeregisterStreamConsumer::new(CONSUMER)),
            json!({"ConsumerARN": CONSUMER})
        );
        assert_eq!(
            body(&DescribeStreamConsumer::by_name(STREAM, "billing")),
            json!({"StreamARN": STREAM, "ConsumerName": "billing"})
        );
        assert_eq!(
            DeregisterStreamConsumer::new(CONSUMER).resource_arn(),
            Some(CONSUMER)
        );
        assert_eq!(
            DescribeStreamConsumer::by_name(STREAM, "b").resource_arn(),
            Some(STREAM)
        );

        assert_eq!(
            field_of(&DescribeStreamConsumer::by_name(STREAM, "bad name")),
            "ConsumerName"
        );
        assert_eq!(
            field_of(&DescribeStreamConsumer::by_name(CONSUMER, "billing")),
            "StreamARN"
        );
        assert_eq!(
            field_of(&DeregisterStreamConsumer::new(STREAM)),
            "ConsumerARN"
        );
        assert!(DeregisterStreamConsumer::by_name(STREAM, "billing")
            .validate(&Limits::default())
            .is_ok());
    }

    #[test]
    fn describe_output_parses_the_description() {
        let out: DescribeStreamConsumerOutput = serde_json::from_str(&format!(
            r#"{{"ConsumerDescription":{{"ConsumerName":"billing","ConsumerARN":"{CONSUMER}",
                "ConsumerStatus":"ACTIVE","ConsumerCreationTimestamp":1700000000,
                "StreamARN":"{STREAM}"}}}}"#
        ))
        .unwrap();
        assert_eq!(out.consumer_description.stream_arn, STREAM);
        assert_eq!(
            out.consumer_description.consumer_status,
            ConsumerStatus::Active
        );
    }

    #[test]
    fn list_pages_with_next_token_and_keeps_the_stream() {
        let first = ListStreamConsumers::new(STREAM)
            .with_max_results(2)
            .with_stream_creation_timestamp(
                OffsetDateTime::from_unix_timestamp(1_600_000_000).unwrap(),
            );
        assert_eq!(
            body(&first),
            json!({"StreamARN": STREAM, "MaxResults": 2, "StreamCreationTimestamp": 1600000000})
        );
        let page: ListStreamConsumersOutput = serde_json::from_str(&format!(
            r#"{{"Consumers":[{{"ConsumerName":"a","ConsumerARN":"{CONSUMER}","ConsumerStatus":"DELETING",
                "ConsumerCreationTimestamp":1700000000}}],"NextToken":"abc"}}"#
        ))
        .unwrap();
        assert_eq!(page.consumers[0].consumer_status, ConsumerStatus::Deleting);
        let second = first.next_page(&page).unwrap();
        assert_eq!(second.page.next_token.as_deref(), Some("abc"));
        assert_eq!(second.page.max_results, Some(2));
        assert_eq!(second.stream_arn, STREAM);
        let last: ListStreamConsumersOutput = serde_json::from_str(r#"{"Consumers":[]}"#).unwrap();
        assert!(second.next_page(&last).is_none());
        let empty_token: ListStreamConsumersOutput =
            serde_json::from_str(r#"{"Consumers":[],"NextToken":""}"#).unwrap();
        assert!(second.next_page(&empty_token).is_none());
    }

    #[test]
    fn list_validation() {
        assert_eq!(
            field_of(&ListStreamConsumers::new(STREAM).with_max_results(0)),
            "MaxResults"
        );
        assert_eq!(
            field_of(&ListStreamConsumers::new(STREAM).with_max_results(10_001)),
            "MaxResults"
        );
        assert_eq!(
            field_of(&ListStreamConsumers::new(STREAM).with_next_token("")),
            "NextToken"
        );
        assert_eq!(
            field_of(&ListStreamConsumers::new(
                CONSUMER.replace("stream/", "queue/")
            )),
            "StreamARN"
        );
    }

    #[test]
    fn unknown_consumer_status_is_kept() {
        let s: ConsumerStatus = serde_json::from_str(r#""PAUSED""#).unwrap();
        assert_eq!(s, ConsumerStatus::Unknown("PAUSED".into()));
        assert_eq!(s.as_str(), "PAUSED");
    }

    #[test]
    fn subscribe_serializes_each_starting_position() {
        let latest =
            SubscribeToShard::new(CONSUMER, "shardId-000000000001", ShardIteratorType::Latest);
        assert_eq!(
            body(&latest),
            json!({"ConsumerARN": CONSUMER, "ShardId": "shardId-000000000001",
                   "StartingPosition": {"Type": "LATEST"}})
        );
        let after = SubscribeToShard::new(
            CONSUMER,
            "shardId-000000000001",
            ShardIteratorType::AfterSequenceNumber("49590".into()),
        );
        assert_eq!(
            body(&after)["StartingPosition"],
            json!({"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": "49590"})
        );
        let at = SubscribeToShard::new(
            CONSUMER,
            "shardId-000000000001",
            ShardIteratorType::AtTimestamp(
                OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
            ),
        );
        assert_eq!(
            body(&at)["StartingPosition"],
            json!({"Type": "AT_TIMESTAMP", "Timestamp": 1700000000})
        );
        assert_eq!(at.resource_arn(), Some(CONSUMER));
        assert_eq!(SubscribeToShard::PLANE, Plane::Data);
        for op in [latest, after, at] {
            assert!(op.validate(&Limits::default()).is_ok());
        }
    }

    /// Some servers issue consumer ARNs without the `:{creation-epoch}`
    /// suffix; every operation that takes a consumer ARN takes those.
    #[test]
    fn consumer_arns_without_creation_time_are_taken() {
        let bare = "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c";
        let limits = Limits::default();
        assert!(DescribeStreamConsumer::new(bare).validate(&limits).is_ok());
        assert!(DeregisterStreamConsumer::new(bare)
            .validate(&limits)
            .is_ok());
        assert!(
            SubscribeToShard::new(bare, "shardId-000000000000", ShardIteratorType::Latest)
                .validate(&limits)
                .is_ok()
        );
    }

    #[test]
    fn subscribe_validation() {
        // The position type carries what it needs, so only bad values remain.
        let mut op = SubscribeToShard::new(
            CONSUMER,
            "shardId-000000000001",
            ShardIteratorType::AtSequenceNumber("12x".into()),
        );
        assert_eq!(field_of(&op), "StartingPosition.SequenceNumber");
        op.starting_position = ShardIteratorType::AfterSequenceNumber(String::new());
        assert_eq!(field_of(&op), "StartingPosition.SequenceNumber");
        op.starting_position =
            ShardIteratorType::AtTimestamp(OffsetDateTime::UNIX_EPOCH - time::Duration::seconds(1));
        assert_eq!(field_of(&op), "StartingPosition.Timestamp");
        assert_eq!(
            field_of(&SubscribeToShard::new(
                STREAM,
                "shardId-0",
                ShardIteratorType::Latest
            )),
            "ConsumerARN"
        );
        assert_eq!(
            field_of(&SubscribeToShard::new(
                CONSUMER,
                "",
                ShardIteratorType::Latest
            )),
            "ShardId"
        );
    }
}
