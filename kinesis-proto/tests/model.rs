//! Every operation's types against the service model itself: botocore's
//! Kinesis `service-2.json` (which version: `tests/model/README.md`).
//!
//! For each operation of the table (`for_each_operation!`), answers are
//! generated from the model's output shape and parsed as that operation's
//! answer:
//!
//! - **every member present** (nested structures, lists and maps filled
//!   recursively): parsing must read every key — a key the parser skips is
//!   a member the output type lacks or names differently;
//! - **only the `required` members** (recursively): must parse, so no type
//!   requires what the model leaves optional;
//! - **every optional member `null`**, and every member of the top level
//!   `null`: must parse, `null` reading as absent (as botocore reads it);
//! - **`{}`**: must parse, missing required members filled with their
//!   defaults (smithy's client error correction).
//!
//! Inputs: the request body of each operation, built with every field the
//! type has set, must use only members of the model's input shape, with the
//! model's names and JSON types.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use kinesis_proto::fuzzing::parse_response;
use kinesis_proto::ops::*;
use kinesis_proto::{ops, Error, Operation};
use serde::ser::{self, Impossible, Serialize};
use serde_json::{json, Map, Value};

/// The model's shapes, by name.
struct Model {
    shapes: Map<String, Value>,
    operations: Map<String, Value>,
}

static MODEL: LazyLock<Model> = LazyLock::new(|| {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/model/service-2.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut model: Value = serde_json::from_str(&text).expect("the model is JSON");
    let take = |model: &mut Value, key: &str| match model[key].take() {
        Value::Object(map) => map,
        _ => panic!("the model has no {key}"),
    };
    Model {
        shapes: take(&mut model, "shapes"),
        operations: take(&mut model, "operations"),
    }
});

/// Operations whose answer must carry some member error correction would
/// fill, and why.
const NO_EMPTY_ANSWER: &[(&str, &str)] = &[(
    "PutRecord",
    "without a sequence number the answer does not say the record was written",
)];

/// Which members a generated answer carries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fill {
    /// Every member.
    All,
    /// Only the required members.
    Required,
    /// Required members filled, optional ones `null`.
    OptionalNull,
    /// The top level's required members, every structure below it `{}`.
    Hollow,
}

/// Structures whose members the model leaves all optional but of which the
/// crate needs some, with the least it takes and why: (shape, members).
const LEAST: &[(&str, &str, &str)] = &[(
    "PutRecordsResultEntry",
    r#"{"ErrorCode":"InternalFailure"}"#,
    "an entry must say whether its record was written (a sequence number and shard, or an error code); \
     one with neither is a Response error, not a guess",
)];

impl Model {
    fn shape(&self, name: &str) -> &Map<String, Value> {
        self.shapes[name]
            .as_object()
            .unwrap_or_else(|| panic!("no shape {name}"))
    }

    /// The operation's input or output shape (`"input"`/`"output"`).
    fn io_shape(&self, operation: &str, which: &str) -> Option<&str> {
        self.operations
            .get(operation)
            .unwrap_or_else(|| panic!("{operation} is not in the model"))
            .get(which)
            .map(|io| io["shape"].as_str().expect("a shape name"))
    }

    fn required(&self, shape: &Map<String, Value>) -> BTreeSet<String> {
        shape
            .get("required")
            .and_then(Value::as_array)
            .map(|names| {
                names
                    .iter()
                    .map(|n| n.as_str().expect("a member name").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether a structure is (or holds) an event stream: such answers are
    /// not JSON documents.
    fn is_event_stream(&self, name: &str) -> bool {
        let shape = self.shape(name);
        shape.get("eventstream").is_some()
            || shape
                .get("members")
                .and_then(Value::as_object)
                .is_some_and(|members| {
                    members.values().any(|m| {
                        let target = m["shape"].as_str().expect("a shape name");
                        self.shape(target).get("eventstream").is_some()
                    })
                })
    }

    /// A value of shape `name` as `fill` says.
    fn sample(&self, name: &str, fill: Fill, depth: usize) -> Value {
        assert!(depth < 16, "shape {name} nests too deep (recursive?)");
        let shape = self.shape(name);
        let target = |member: &Value| member["shape"].as_str().expect("a shape name").to_owned();
        match shape["type"].as_str().expect("a shape type") {
            "structure" => {
                let least = LEAST.iter().find(|(shape, _, _)| *shape == name);
                let mut out = match least {
                    Some((_, least, _)) if fill != Fill::All => {
                        serde_json::from_str(least).expect("a JSON object")
                    }
                    _ => Map::new(),
                };
                if fill == Fill::Hollow && depth > 0 {
                    return Value::Object(out);
                }
                let required = self.required(shape);
                for (member, spec) in shape["members"].as_object().expect("members") {
                    if out.contains_key(member) {
                        continue;
                    }
                    let value = match (fill, required.contains(member)) {
                        (Fill::Required | Fill::Hollow, false) => continue,
                        (Fill::OptionalNull, false) => Value::Null,
                        _ => self.sample(&target(spec), fill, depth + 1),
                    };
                    out.insert(member.clone(), value);
                }
                Value::Object(out)
            }
            "list" => json!([self.sample(&target(&shape["member"]), fill, depth + 1)]),
            "map" => json!({ "key-1": self.sample(&target(&shape["value"]), fill, depth + 1) }),
            "string" => match shape.get("enum").and_then(Value::as_array) {
                Some(values) => values[0].clone(),
                // Digits are every string the parsers check (hash keys).
                None => json!("1"),
            },
            "integer" | "long" => json!(1),
            "boolean" => json!(true),
            "timestamp" => json!(1_700_000_000),
            "blob" => json!("aGk="),
            other => panic!("shape {name}: type {other} not handled"),
        }
    }

    /// Checks that `body` (a request body) uses only members of shape
    /// `name`, with their JSON types; problems go to `out`, `at` names the
    /// place.
    fn check_input(&self, name: &str, body: &Value, at: &str, out: &mut Vec<String>) {
        let shape = self.shape(name);
        let target = |member: &Value| member["shape"].as_str().expect("a shape name").to_owned();
        let kind = shape["type"].as_str().expect("a shape type");
        match (kind, body) {
            ("structure", Value::Object(members)) => {
                let model = shape["members"].as_object().expect("members");
                for (key, value) in members {
                    match model.get(key) {
                        Some(spec) => {
                            self.check_input(&target(spec), value, &format!("{at}.{key}"), out)
                        }
                        None => out.push(format!(
                            "{at}: sends {key}, which is not a member of {name}"
                        )),
                    }
                }
            }
            ("list", Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_input(&target(&shape["member"]), item, &format!("{at}[{i}]"), out);
                }
            }
            ("map", Value::Object(entries)) => {
                for (key, value) in entries {
                    self.check_input(&target(&shape["value"]), value, &format!("{at}.{key}"), out);
                }
            }
            ("string" | "blob", Value::String(_))
            | ("integer" | "long", Value::Number(_))
            | ("boolean", Value::Bool(_))
            | ("timestamp", Value::Number(_)) => {}
            _ => out.push(format!("{at}: sends {body} for a {kind} ({name})")),
        }
    }
}

fn ok_response(body: impl Into<Vec<u8>>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .body(body.into())
        .expect("a valid response")
}

/// One check, run for every operation of the table.
trait Check {
    fn check<O: Operation>(&mut self);
}

macro_rules! for_each {
    ($( [$method:ident, $ty:ident, $summary:literal, $example:literal] ),* $(,)?) => {
        /// Runs `check` for every operation; returns how many it ran.
        fn for_each_operation(check: &mut impl Check) -> usize {
            let mut n = 0;
            $( check.check::<ops::$ty>(); n += 1; )*
            n
        }
    };
}
kinesis_proto::for_each_operation!(for_each);

/// Runs `check` over every operation and fails with every problem it found.
fn run<C: Check + Problems>(mut check: C) {
    let n = for_each_operation(&mut check);
    assert_eq!(
        n,
        MODEL.operations.len(),
        "operations in the table vs the model"
    );
    let problems = check.problems();
    assert!(
        problems.is_empty(),
        "{} problems:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

trait Problems {
    fn problems(self) -> Vec<String>;
}

/// The output shape of `O`, unless it has none or is an event stream.
fn output_shape<O: Operation>() -> Option<&'static str> {
    let shape = MODEL.io_shape(O::NAME, "output")?;
    (!MODEL.is_event_stream(shape)).then_some(shape)
}

/// Parses `body` as `O`'s answer, as a problem on failure.
fn parses<O: Operation>(body: &Value, what: &str, out: &mut Vec<String>) {
    let text = body.to_string();
    match parse_response::<O, _>(&ok_response(text.clone())) {
        Ok(_) => {}
        Err(Error::Response(e)) => {
            out.push(format!("{}: {what} {text} fails: {}", O::NAME, e.reason))
        }
        Err(e) => out.push(format!("{}: {what}: {e}", O::NAME)),
    }
}

#[derive(Default)]
struct EveryMemberRead(Vec<String>);

impl Check for EveryMemberRead {
    fn check<O: Operation>(&mut self) {
        let Some(shape) = output_shape::<O>() else {
            return;
        };
        let body = MODEL.sample(shape, Fill::All, 0).to_string();
        let mut ignored = Vec::new();
        let mut de = serde_json::Deserializer::from_str(&body);
        let parsed: Result<O::Output, _> =
            serde_ignored::deserialize(&mut de, |path| ignored.push(path.to_string()));
        match parsed {
            Ok(_) => {
                // `?` marks where the parse went through an `Option`.
                for path in ignored.iter().map(|p| p.replace(".?", "")) {
                    self.0.push(format!(
                        "{}: {shape}.{path} is in the model but the output type does not read it",
                        O::NAME
                    ));
                }
            }
            Err(e) => self
                .0
                .push(format!("{}: every member of {shape}: {e}", O::NAME)),
        }
        // And through the operation's own parse (its checks included).
        parses::<O>(
            &MODEL.sample(shape, Fill::All, 0),
            "every member",
            &mut self.0,
        );
    }
}

impl Problems for EveryMemberRead {
    fn problems(self) -> Vec<String> {
        self.0
    }
}

#[test]
fn outputs_read_every_member_of_the_model() {
    run(EveryMemberRead::default());
}

/// Parses answers generated with `fill` (and whatever else `extra` adds).
struct Parses {
    fill: Fill,
    problems: Vec<String>,
}

impl Check for Parses {
    fn check<O: Operation>(&mut self) {
        let Some(shape) = output_shape::<O>() else {
            return;
        };
        let body = MODEL.sample(shape, self.fill, 0);
        parses::<O>(&body, &format!("{:?}", self.fill), &mut self.problems);
    }
}

impl Problems for Parses {
    fn problems(self) -> Vec<String> {
        self.problems
    }
}

#[test]
fn outputs_need_only_the_members_the_model_requires() {
    run(Parses {
        fill: Fill::Required,
        problems: Vec::new(),
    });
}

#[test]
fn outputs_read_null_as_absent() {
    run(Parses {
        fill: Fill::OptionalNull,
        problems: Vec::new(),
    });
}

#[derive(Default)]
struct ErrorCorrection(Vec<String>);

impl Check for ErrorCorrection {
    fn check<O: Operation>(&mut self) {
        let Some(shape) = output_shape::<O>() else {
            return;
        };
        if let Some((_, why)) = NO_EMPTY_ANSWER.iter().find(|(name, _)| *name == O::NAME) {
            // Must fail instead, as a Response error.
            match parse_response::<O, _>(&ok_response("{}")) {
                Err(Error::Response(_)) => {}
                Ok(_) => self.0.push(format!("{}: {{}} must fail ({why})", O::NAME)),
                Err(e) => self.0.push(format!(
                    "{}: {{}} must fail as a Response error: {e}",
                    O::NAME
                )),
            }
            return;
        }
        parses::<O>(&json!({}), "an empty object", &mut self.0);
        // Every member of the top level `null`, required ones too.
        let members = MODEL.shape(shape)["members"].as_object().expect("members");
        let nulls: Map<String, Value> = members.keys().map(|k| (k.clone(), Value::Null)).collect();
        parses::<O>(&Value::Object(nulls), "every member null", &mut self.0);
        // Required members present, each holding structures whose own
        // members are all missing.
        let hollow = MODEL.sample(shape, Fill::Hollow, 0);
        parses::<O>(&hollow, "nested structures empty", &mut self.0);
    }
}

impl Problems for ErrorCorrection {
    fn problems(self) -> Vec<String> {
        self.0
    }
}

#[test]
fn outputs_fill_missing_required_members_with_defaults() {
    run(ErrorCorrection::default());
}

#[test]
fn answers_that_are_not_the_shape_still_fail() {
    // Error correction fills what is missing; it never turns another
    // shape into an answer.
    for body in [
        "[]",
        "\"x\"",
        "5",
        "null",
        r#"{"StreamDescription":5}"#,
        r#"{"StreamDescription":{"Shards":{}}}"#,
    ] {
        let parsed = parse_response::<ops::DescribeStream, _>(&ok_response(body));
        assert!(
            matches!(parsed, Err(Error::Response(_))),
            "{body}: {parsed:?}"
        );
    }
    for body in [
        r#"{"Records":{}}"#,
        r#"{"Records":[{"SequenceNumber":5}]}"#,
        r#"{"Records":[{"Data":true}]}"#,
    ] {
        let parsed = parse_response::<ops::GetRecords, _>(&ok_response(body));
        assert!(
            matches!(parsed, Err(Error::Response(_))),
            "{body}: {parsed:?}"
        );
    }
}

#[test]
fn the_model_file_is_the_one_the_readme_names() {
    use sha2::Digest as _;
    let readme = include_str!("model/README.md");
    let file = include_bytes!("model/service-2.json");
    let hash: String = sha2::Sha256::digest(file)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        readme.contains(&hash),
        "README does not name the hash {hash}"
    );
    assert!(
        readme.contains("botocore **1.44.5**"),
        "README names no version"
    );
}

// ------------------------------------------------------------------ inputs

/// What serializing an input showed: the body it sends (through
/// `to_body`, which some inputs write by hand), and the name of every
/// member its `Serialize` wrote or skipped (`skip_serializing_if`).
struct Recorded {
    name: &'static str,
    body: Value,
    members: BTreeSet<String>,
}

fn recorded<O: Operation>(op: O) -> Recorded {
    let body = op.to_body().expect("the example serializes");
    let body = serde_json::from_slice(&body).expect("a body is JSON");
    let members = op
        .serialize(MemberNames::default())
        .unwrap_or_else(|e| panic!("{}: {e}", O::NAME));
    Recorded {
        name: O::NAME,
        body,
        members,
    }
}

/// One input of every operation: the table's example (as `for_each_operation!`
/// lists it; `every_operation_has_an_input_example` keeps the two in step).
fn inputs() -> Vec<Recorded> {
    vec![
        recorded(PutRecord::new(
            "my-stream",
            "partition-key",
            b"hello".to_vec(),
        )),
        recorded(PutRecords::new(
            "my-stream",
            vec![PutRecordsRequestEntry::new(
                "partition-key",
                b"hello".to_vec(),
            )],
        )),
        recorded(GetShardIterator::new(
            "my-stream",
            "shardId-000000000000",
            ShardIteratorType::TrimHorizon,
        )),
        recorded(GetRecords::new("AAAAAAAAAAGSbGYzGTQ2U7n").with_limit(1000)),
        recorded(CreateStream::new("my-stream").with_shard_count(2)),
        recorded(DeleteStream::new("my-stream")),
        recorded(DescribeStream::new("my-stream")),
        recorded(DescribeStreamSummary::new("my-stream")),
        recorded(ListStreams::new().with_limit(100)),
        recorded(UpdateStreamMode::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
            StreamMode::OnDemand,
        )),
        recorded(IncreaseStreamRetentionPeriod::new("my-stream", 48)),
        recorded(DecreaseStreamRetentionPeriod::new("my-stream", 24)),
        recorded(StartStreamEncryption::new("my-stream", "alias/aws/kinesis")),
        recorded(StopStreamEncryption::new("my-stream", "alias/aws/kinesis")),
        recorded(EnableEnhancedMonitoring::new(
            "my-stream",
            vec![MetricsName::All],
        )),
        recorded(DisableEnhancedMonitoring::new(
            "my-stream",
            vec![MetricsName::All],
        )),
        recorded(UpdateMaxRecordSize::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
            10240,
        )),
        recorded(UpdateStreamWarmThroughput::new("my-stream", 100)),
        recorded(UpdateStreamRecordDistributionStrategy::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
            RecordDistributionStrategy::Auto,
        )),
        recorded(ListShards::new("my-stream")),
        recorded(SplitShard::new(
            "my-stream",
            "shardId-000000000000",
            170141183460469231731687303715884105728,
        )),
        recorded(MergeShards::new(
            "my-stream",
            "shardId-000000000001",
            "shardId-000000000002",
        )),
        recorded(UpdateShardCount::new("my-stream", 4)),
        recorded(RegisterStreamConsumer::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
            "my-app",
        )),
        recorded(DeregisterStreamConsumer::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream/consumer/my-app:1700000000",
        )),
        recorded(DescribeStreamConsumer::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream/consumer/my-app:1700000000",
        )),
        recorded(ListStreamConsumers::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
        )),
        recorded(SubscribeToShard::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream/consumer/my-app:1700000000",
            "shardId-000000000000",
            ShardIteratorType::Latest,
        )),
        recorded(AddTagsToStream::new("my-stream").with_tag("team", "data")),
        recorded(RemoveTagsFromStream::new("my-stream", ["team"])),
        recorded(ListTagsForStream::new("my-stream")),
        recorded(
            TagResource::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream")
                .with_tag("team", "data"),
        ),
        recorded(UntagResource::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
            ["team"],
        )),
        recorded(ListTagsForResource::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
        )),
        recorded(PutResourcePolicy::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
            r#"{"Version":"2012-10-17","Statement":[]}"#,
        )),
        recorded(GetResourcePolicy::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
        )),
        recorded(DeleteResourcePolicy::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
        )),
        recorded(DescribeLimits::new()),
        recorded(DescribeAccountSettings::new()),
        recorded(UpdateAccountSettings::new(CommitmentRequestStatus::Enabled)),
        recorded(
            CreateChannel::new(
                "my-channel",
                "arn:aws:iam::123456789012:role/delivery",
                ChannelStreamConfiguration::new(
                    "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
                    RecordConfiguration::new(RecordFormatType::Json),
                ),
            )
            .with_s3_destination(S3DestinationConfiguration::new(
                S3StorageConfiguration::new(
                    "arn:aws:s3:::my-bucket",
                    "123456789012",
                    S3CompressionType::Gzip,
                ),
            )),
        ),
        recorded(DescribeChannel::new(
            "arn:aws:kinesis:us-east-1:123456789012:channel/my-channel",
        )),
        recorded(ListChannels::new()),
        recorded(
            UpdateChannel::new("arn:aws:kinesis:us-east-1:123456789012:channel/my-channel")
                .with_s3_destination(DestinationUpdate::new(600)),
        ),
        recorded(DeleteChannel::new(
            "arn:aws:kinesis:us-east-1:123456789012:channel/my-channel",
        )),
        recorded(CreateQueue::new(
            "my-queue",
            "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream",
        )),
        recorded(DescribeQueue::new(
            "arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id",
        )),
        recorded(ListQueues::new()),
        recorded(UpdateQueue::new(
            "arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id",
            QueueAttributes::new().with_visibility_timeout_seconds(60),
        )),
        recorded(DeleteQueue::new(
            "arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id",
        )),
        recorded(
            ReceiveQueueRecords::new("arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id")
                .with_limit(10),
        ),
        recorded(AcknowledgeQueueRecords::new(
            "arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id",
            ["receipt-handle"],
        )),
        recorded(UpdateQueueRecordsVisibility::new(
            "arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id",
            vec![VisibilityEntry::new("receipt-handle", 60)],
        )),
        recorded(ReceiveDeadLetterQueueRecords::new(
            "arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id",
        )),
        recorded(AcknowledgeDeadLetterQueueRecords::new(
            "arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id",
            ["receipt-handle"],
        )),
        recorded(UpdateDeadLetterQueueRecordsVisibility::new(
            "arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id",
            vec![VisibilityEntry::new("receipt-handle", 60)],
        )),
        recorded(RestoreDeadLetterQueueRecords::new(
            "arn:aws:kinesis:us-east-1:123456789012:queue/my-queue-id",
            ["receipt-handle"],
        )),
    ]
}

/// Model input members no type sends yet. Each is a known gap; the test
/// fails when a listed member is sent (take it off the list) as well as
/// when an unlisted one is missing.
const NOT_YET_SENT: &[(&str, &str)] = &[];

/// Whether the model marks a member as not implemented (`StreamId`: "Not
/// Implemented. Reserved for future use.").
fn not_implemented(spec: &Value) -> bool {
    spec["documentation"]
        .as_str()
        .is_some_and(|doc| doc.contains("Not Implemented"))
}

const STREAM_ARN: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

/// Inputs with more set than the table's examples: every member of the
/// bodies written by hand, and of the types whose `Serialize` does not
/// name the members it skips.
fn more_inputs() -> Vec<Recorded> {
    let time = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a time");
    vec![
        recorded(
            PutRecord::new("s", "k", b"hi".to_vec())
                .with_explicit_hash_key(7)
                .with_sequence_number_for_ordering("1")
                .with_dry_run(true)
                .with_stream_arn("arn:aws:kinesis:us-east-1:123456789012:stream/s"),
        ),
        recorded(
            PutRecords::new(
                "s",
                vec![
                    PutRecordsRequestEntry::new("k", b"hi".to_vec()).with_explicit_hash_key(7),
                    PutRecordsRequestEntry::without_partition_key(b"hi".to_vec()),
                ],
            )
            .with_dry_run(false)
            .with_stream_arn(STREAM_ARN),
        ),
        recorded(
            GetShardIterator::new(
                "s",
                "shardId-000000000000",
                ShardIteratorType::AtTimestamp(time),
            )
            .with_dry_run(true),
        ),
        recorded(
            GetShardIterator::new(
                "s",
                "shardId-000000000000",
                ShardIteratorType::AfterSequenceNumber("1".into()),
            )
            .with_stream_arn("arn:aws:kinesis:us-east-1:123456789012:stream/s"),
        ),
        recorded(GetRecords::new("it").with_limit(5).with_dry_run(true)),
        // Every member set (types with `#[serde(flatten)]` serialize as
        // maps, which do not name the members they skip).
        recorded(
            DeleteStream::new(StreamRef::arn(STREAM_ARN)).with_enforce_consumer_deletion(true),
        ),
        recorded({
            let mut op = DescribeStream::new(StreamRef::arn(STREAM_ARN)).with_limit(5);
            op.exclusive_start_shard_id = Some("shardId-000000000000".into());
            op
        }),
        recorded(DescribeStreamSummary::new(StreamRef::arn(STREAM_ARN))),
        recorded(IncreaseStreamRetentionPeriod::new(
            StreamRef::arn(STREAM_ARN),
            48,
        )),
        recorded(DecreaseStreamRetentionPeriod::new(
            StreamRef::arn(STREAM_ARN),
            24,
        )),
        recorded(StartStreamEncryption::new(StreamRef::arn(STREAM_ARN), "k")),
        recorded(StopStreamEncryption::new(StreamRef::arn(STREAM_ARN), "k")),
        recorded(EnableEnhancedMonitoring::new(
            StreamRef::arn(STREAM_ARN),
            vec![MetricsName::All],
        )),
        recorded(DisableEnhancedMonitoring::new(
            StreamRef::arn(STREAM_ARN),
            vec![MetricsName::All],
        )),
        recorded(UpdateStreamWarmThroughput::new(
            StreamRef::arn(STREAM_ARN),
            100,
        )),
        recorded({
            let mut op = ListShards::new(StreamRef::arn(STREAM_ARN))
                .with_shard_filter(ShardFilter::AtLatest)
                .with_max_results(5)
                .with_next_token("t");
            op.exclusive_start_shard_id = Some("shardId-000000000000".into());
            op.stream_creation_timestamp = Some(time);
            op
        }),
        recorded(SplitShard::new(
            StreamRef::arn(STREAM_ARN),
            "shardId-000000000000",
            1,
        )),
        recorded(MergeShards::new(
            StreamRef::arn(STREAM_ARN),
            "shardId-000000000000",
            "shardId-000000000001",
        )),
        recorded(UpdateShardCount::new(StreamRef::arn(STREAM_ARN), 2)),
        recorded(DeregisterStreamConsumer::by_name(STREAM_ARN, "c")),
        recorded(DescribeStreamConsumer::by_name(STREAM_ARN, "c")),
        recorded(
            ListStreamConsumers::new(STREAM_ARN)
                .with_stream_creation_timestamp(time)
                .with_max_results(5)
                .with_next_token("t"),
        ),
        recorded(AddTagsToStream::new(StreamRef::arn(STREAM_ARN)).with_tag("k", "v")),
        recorded(RemoveTagsFromStream::new(StreamRef::arn(STREAM_ARN), ["k"])),
        recorded(
            ListTagsForStream::new(StreamRef::arn(STREAM_ARN))
                .with_exclusive_start_tag_key("k")
                .with_limit(5),
        ),
        recorded(
            ListChannels::new()
                .with_stream_filter(StreamFilter::new(STREAM_ARN))
                .with_max_results(5)
                .with_next_token("t"),
        ),
        recorded(
            ListQueues::new()
                .with_stream_filter(StreamFilter::new(STREAM_ARN))
                .with_max_results(5)
                .with_next_token("t"),
        ),
        recorded(
            SubscribeToShard::new(
                "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
                "shardId-000000000000",
                ShardIteratorType::AtTimestamp(time),
            )
            .with_dry_run(true),
        ),
    ]
}

#[test]
fn inputs_send_only_model_members_by_their_names() {
    let mut problems = Vec::new();
    for input in inputs().into_iter().chain(more_inputs()) {
        let shape = MODEL
            .io_shape(input.name, "input")
            .unwrap_or_else(|| panic!("{} has no input shape", input.name));
        MODEL.check_input(shape, &input.body, input.name, &mut problems);
        let members = MODEL.shape(shape)["members"].as_object().expect("members");
        for name in &input.members {
            if !members.contains_key(name) {
                problems.push(format!(
                    "{}: the input type has a member {name} that {shape} lacks",
                    input.name
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn inputs_have_every_model_member() {
    let mut problems = Vec::new();
    let mut listed: BTreeSet<(&str, &str)> = NOT_YET_SENT.iter().copied().collect();
    // Every member name any input of the operation wrote or skipped.
    let mut seen: std::collections::BTreeMap<&str, BTreeSet<String>> = Default::default();
    let all: Vec<Recorded> = inputs().into_iter().chain(more_inputs()).collect();
    for input in &all {
        seen.entry(input.name)
            .or_default()
            .extend(input.members.iter().cloned());
        if let Value::Object(body) = &input.body {
            seen.entry(input.name)
                .or_default()
                .extend(body.keys().cloned());
        }
    }
    for input in inputs() {
        let shape = MODEL.io_shape(input.name, "input").expect("an input shape");
        let members = MODEL.shape(shape)["members"].as_object().expect("members");
        for (member, spec) in members {
            if not_implemented(spec) {
                continue;
            }
            let has = seen[input.name].contains(member);
            let known_gap = listed.remove(&(input.name, member.as_str()));
            match (has, known_gap) {
                (false, false) => problems.push(format!(
                    "{}: the input type lacks {shape}.{member}",
                    input.name
                )),
                (true, true) => problems.push(format!(
                    "{}: {member} is sent now: take it off NOT_YET_SENT",
                    input.name
                )),
                _ => {}
            }
        }
    }
    problems.extend(
        listed
            .iter()
            .map(|(op, member)| format!("NOT_YET_SENT lists {op}.{member}, which the model lacks")),
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn every_operation_has_an_input_example() {
    struct Names(Vec<&'static str>);
    impl Check for Names {
        fn check<O: Operation>(&mut self) {
            self.0.push(O::NAME);
        }
    }
    let mut table = Names(Vec::new());
    for_each_operation(&mut table);
    let examples: Vec<&str> = inputs().iter().map(|i| i.name).collect();
    assert_eq!(
        examples, table.0,
        "inputs() lists the table's operations in its order"
    );
}

/// A `Serializer` that records the member names a structure writes or
/// skips (and the keys a map writes, for `#[serde(flatten)]` types).
#[derive(Default)]
struct MemberNames(BTreeSet<String>);

#[derive(Debug)]
struct NotAStructure(String);

impl std::fmt::Display for NotAStructure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotAStructure {}

impl ser::Error for NotAStructure {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NotAStructure(msg.to_string())
    }
}

macro_rules! not_a_structure {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(
            fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> {
                Err(NotAStructure(concat!("an input serializes as a structure, not via ", stringify!($method)).into()))
            }
        )*
    };
}

impl ser::Serializer for MemberNames {
    type Ok = BTreeSet<String>;
    type Error = NotAStructure;
    type SerializeSeq = Impossible<Self::Ok, Self::Error>;
    type SerializeTuple = Impossible<Self::Ok, Self::Error>;
    type SerializeTupleStruct = Impossible<Self::Ok, Self::Error>;
    type SerializeTupleVariant = Impossible<Self::Ok, Self::Error>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<Self::Ok, Self::Error>;

    not_a_structure! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_char(char),
        serialize_str(&str), serialize_bytes(&[u8]), serialize_none(), serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, Self::Error> {
        Err(ser::Error::custom("an input is not an enum"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        Err(ser::Error::custom("an input is not a list"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Self::Error> {
        Err(ser::Error::custom("an input is not a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        Err(ser::Error::custom("an input is not a tuple"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Err(ser::Error::custom("an input is not an enum"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Self::Error> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Self::Error> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Err(ser::Error::custom("an input is not an enum"))
    }
}

impl ser::SerializeStruct for MemberNames {
    type Ok = BTreeSet<String>;
    type Error = NotAStructure;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        _: &T,
    ) -> Result<(), Self::Error> {
        self.0.insert(key.to_owned());
        Ok(())
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), Self::Error> {
        self.0.insert(key.to_owned());
        Ok(())
    }
    fn end(self) -> Result<Self::Ok, Self::Error> {
        Ok(self.0)
    }
}

impl ser::SerializeMap for MemberNames {
    type Ok = BTreeSet<String>;
    type Error = NotAStructure;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Self::Error> {
        match serde_json::to_value(key) {
            Ok(Value::String(key)) => {
                self.0.insert(key);
                Ok(())
            }
            _ => Err(ser::Error::custom("a member name is a string")),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Self::Error> {
        Ok(())
    }
    fn end(self) -> Result<Self::Ok, Self::Error> {
        Ok(self.0)
    }
}
