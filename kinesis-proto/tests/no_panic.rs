//! No operation's response parser panics, whatever the status, headers and
//! body, and each answer lands in the right error class: a non-2xx status is
//! always `Error::Service`, a 2xx either the output or `Error::Response`.
//!
//! Bodies are arbitrary bytes; JSON built from the field names the Kinesis
//! outputs use with values of any type (right names with wrong types, odd
//! number forms, nesting where none is expected), sometimes cut short; and
//! the valid answers of the response vectors (`tests/vectors/responses/`)
//! with a few of their values replaced, dropped, nulled or repeated, which
//! reaches the parsers' inner shapes. Every operation in
//! `for_each_operation!` parses every case.

use std::sync::OnceLock;

use kinesis_proto::fuzzing::parse_response;
use kinesis_proto::http::{HeaderValue, Response, StatusCode};
use kinesis_proto::{Error, Operation};
use proptest::prelude::*;
use serde_json::Value;

/// Field names of the Kinesis outputs (and the shapes inside them).
const FIELDS: &[&str] = &[
    "AdjacentParentShardId",
    "AdjacentShardToMerge",
    "ApproximateArrivalTimestamp",
    "BucketARN",
    "ChannelARN",
    "ChannelCount",
    "ChannelCreationTimestamp",
    "ChannelDescription",
    "ChannelDestinationType",
    "ChannelId",
    "ChannelName",
    "ChannelStatus",
    "ChannelStatusReason",
    "ChannelSummaries",
    "ChildShards",
    "CloudWatchLogs",
    "CompressionType",
    "Consumer",
    "ConsumerARN",
    "ConsumerCount",
    "ConsumerCreationTimestamp",
    "ConsumerDescription",
    "ConsumerName",
    "ConsumerStatus",
    "Consumers",
    "Count",
    "CurrentMiBps",
    "CurrentShardCount",
    "CurrentShardLevelMetrics",
    "Data",
    "DataFreshnessInSeconds",
    "DeadLetterConfiguration",
    "DeadLetterQueueS3Configuration",
    "Decoder",
    "DesiredShardLevelMetrics",
    "Destination",
    "EarliestAllowedEndAt",
    "Enabled",
    "Encoder",
    "EncryptionConfiguration",
    "EncryptionType",
    "EndedAt",
    "EndingHashKey",
    "EndingSequenceNumber",
    "EnforceConsumerDeletion",
    "EnhancedMonitoring",
    "Entries",
    "ErrorCode",
    "ErrorMessage",
    "ErrorOutputPrefix",
    "ExclusiveStartShardId",
    "ExclusiveStartStreamName",
    "ExclusiveStartTagKey",
    "ExpectedBucketOwner",
    "ExplicitHashKey",
    "Failed",
    "FailedRecordCount",
    "Field",
    "FirstReceiveTimestamp",
    "GSRSchemaARN",
    "GsrSchemaArn",
    "HasMoreShards",
    "HasMoreStreams",
    "HasMoreTags",
    "HashKeyRange",
    "Id",
    "Item",
    "Key",
    "KeyId",
    "Kind",
    "Kinds",
    "Limit",
    "LogGroupName",
    "LogStreamName",
    "LoggingConfiguration",
    "Max",
    "MaxReceiveCount",
    "MaxRecordSizeInKiB",
    "MaxResults",
    "MillisBehindLatest",
    "Min",
    "MinimumThroughputBillingCommitment",
    "Namespace",
    "NewStartingHashKey",
    "NextShardIterator",
    "NextToken",
    "OnDemandStreamCount",
    "OnDemandStreamCountLimit",
    "OpenShardCount",
    "OutputKeyTemplate",
    "ParentShardId",
    "ParentShards",
    "PartitionFields",
    "PartitionKey",
    "PartitionSpec",
    "Policy",
    "QueueARN",
    "QueueAttributes",
    "QueueCreationTimestamp",
    "QueueDescription",
    "QueueName",
    "QueueStatus",
    "QueueSummaries",
    "Reason",
    "ReceiptHandle",
    "ReceiptHandles",
    "ReceiveCount",
    "RecordConfiguration",
    "RecordDistributionStrategy",
    "RecordFormatType",
    "RecordId",
    "Records",
    "ResourceARN",
    "RetentionPeriodHours",
    "S3DestinationConfiguration",
    "S3TablesConfigurationList",
    "S3TablesDestinationConfiguration",
    "ScalingType",
    "SequenceNumber",
    "SequenceNumberForOrdering",
    "SequenceNumberRange",
    "ServiceExecutionRoleARN",
    "ShardCount",
    "ShardFilter",
    "ShardId",
    "ShardIterator",
    "ShardIteratorType",
    "ShardLevelMetrics",
    "ShardLimit",
    "ShardToMerge",
    "ShardToSplit",
    "Shards",
    "SourceName",
    "StartedAt",
    "StartingHashKey",
    "StartingPosition",
    "StartingSequenceNumber",
    "Status",
    "StorageClass",
    "StorageConfiguration",
    "Stream",
    "StreamARN",
    "StreamConfigurationList",
    "StreamCreationTimestamp",
    "StreamDescription",
    "StreamDescriptionSummary",
    "StreamFilter",
    "StreamMode",
    "StreamModeDetails",
    "StreamName",
    "StreamNames",
    "StreamStatus",
    "StreamSummaries",
    "Streams",
    "Successful",
    "TableBucketARN",
    "TableName",
    "TagKeys",
    "Tags",
    "TargetMiBps",
    "TargetShardCount",
    "TargetType",
    "Timestamp",
    "Transform",
    "Type",
    "Value",
    "VisibilityTimeoutSeconds",
    "WaitTimeSeconds",
    "WarmThroughput",
    "WarmThroughputMiBps",
];

/// String values that mean something somewhere in an output.
const WORDS: &[&str] = &[
    "",
    "ACTIVE",
    "CREATING",
    "DELETING",
    "UPDATING",
    "KMS",
    "NONE",
    "ON_DEMAND",
    "PROVISIONED",
    "shardId-000000000000",
    "49590338271490256608559692538361571095921575989136588898",
    "arn:aws:kinesis:us-east-1:123456789012:stream/s",
    "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000",
    "340282366920938463463374607431768211455",
    "340282366920938463463374607431768211456",
    "-1",
    "0",
    "aGVsbG8=",
    "aGVsbG8",
    "aGVsbG8===",
    "a",
    "@@@@",
    "\u{0}",
    "\u{fffd}",
    "ProvisionedThroughputExceededException",
    "ALL",
    "IncomingBytes",
];

/// Number literals as the service (or a broken one) might write them.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "1441215410",
    "1441215410.867",
    "1.441215410867E9",
    "1.7e9",
    "1e400",
    "-1e400",
    "1E-7",
    "0.000000000000000000001",
    "253402300799",
    "253402300800",
    "99999999999999999999999999999999999999999",
    "18446744073709551616",
    "4294967296",
    "9223372036854775808",
    "-9223372036854775809",
    "1.5",
    "2e0",
    "1e",
    "01",
];

/// JSON text built from the pieces above.
fn json(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        prop::sample::select(NUMBERS).prop_map(str::to_string),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        prop::sample::select(WORDS).prop_map(quote),
        "\\PC{0,12}".prop_map(|s| quote(&s)),
        "[A-Za-z0-9+/]{0,16}={0,3}".prop_map(|s| quote(&s)),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        3 => leaf,
        1 => prop::collection::vec(json(depth - 1), 0..4).prop_map(|items| format!("[{}]", items.join(","))),
        2 => object(depth - 1),
    ]
    .boxed()
}

/// A JSON object whose keys are output field names (mostly).
fn object(depth: u32) -> BoxedStrategy<String> {
    let key = prop_oneof![
        9 => prop::sample::select(FIELDS).prop_map(str::to_string),
        1 => "\\PC{0,8}",
    ];
    prop::collection::vec((key, json(depth)), 0..8)
        .prop_map(|fields| {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}:{v}", quote(k)))
                .collect();
            format!("{{{}}}", fields.join(","))
        })
        .boxed()
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a str always serializes")
}

/// The JSON bodies of the response vectors: valid answers to mutate.
fn seeds() -> &'static [Value] {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/responses");
        let mut seeds = Vec::new();
        for entry in std::fs::read_dir(dir).expect("the response vectors exist") {
            let path = entry.expect("a readable directory").path();
            let text = std::fs::read(&path).expect("a readable vector");
            let case: Value = serde_json::from_slice(&text).expect("a vector is JSON");
            let body = match (&case["body_json"], &case["body"]) {
                (Value::Null, Value::String(text)) => serde_json::from_str(text).ok(),
                (Value::Null, _) => None,
                (json, _) => Some(json.clone()),
            };
            seeds.extend(body.filter(|b| b.is_object()));
        }
        assert!(
            seeds.len() >= 20,
            "only {} JSON answers among the vectors",
            seeds.len()
        );
        seeds
    })
}

/// One change to a valid answer, made at one node (picked by index in
/// document order, modulo the node count).
#[derive(Debug, Clone)]
enum Mutation {
    /// Becomes this JSON text (any type, odd numbers).
    Replace(String),
    /// Leaves its object or array.
    Drop,
    /// Becomes `null`.
    Null,
    /// Appears twice (array element) or is wrapped in an array.
    Repeat,
}

fn mutation() -> impl Strategy<Value = (usize, Mutation)> {
    let what = prop_oneof![
        4 => json(2).prop_map(Mutation::Replace),
        2 => Just(Mutation::Drop),
        1 => Just(Mutation::Null),
        1 => Just(Mutation::Repeat),
    ];
    (any::<usize>(), what)
}

/// Placeholder for replacement text, swapped in after serializing (so the
/// replacement keeps number forms a `Value` cannot hold).
const HOLE: &str = "\u{0}hole\u{0}";

/// Applies `changes` to `seed` and writes the result as JSON text.
fn mutate(seed: &Value, changes: &[(usize, Mutation)]) -> String {
    let mut value = seed.clone();
    let mut holes = Vec::new();
    for (at, change) in changes {
        let target = at % count_nodes(&value);
        visit(
            &mut value,
            &mut { target },
            &mut |node, parent_is_array| match change {
                Mutation::Replace(text) => {
                    holes.push(text.clone());
                    *node = Value::String(HOLE.to_string());
                }
                Mutation::Null => *node = Value::Null,
                Mutation::Drop => *node = Value::String("\u{1}drop".to_string()),
                Mutation::Repeat if parent_is_array => {
                    *node = Value::Array(vec![node.clone(), node.clone()]);
                    // Flattened into the parent below.
                    node.as_array_mut()
                        .expect("just made")
                        .insert(0, Value::String("\u{2}splice".into()));
                }
                Mutation::Repeat => *node = Value::Array(vec![node.clone()]),
            },
        );
        tidy(&mut value);
    }
    let mut text = serde_json::to_string(&value).expect("a Value always serializes");
    let hole = serde_json::to_string(HOLE).expect("a str always serializes");
    for replacement in holes {
        text = text.replacen(&hole, &replacement, 1);
    }
    text
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(fields) => fields.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Calls `f` on the `*target`-th node in document order.
fn visit(v: &mut Value, target: &mut usize, f: &mut impl FnMut(&mut Value, bool)) -> bool {
    visit_inner(v, target, false, f)
}

fn visit_inner(
    v: &mut Value,
    target: &mut usize,
    in_array: bool,
    f: &mut impl FnMut(&mut Value, bool),
) -> bool {
    if *target == 0 {
        f(v, in_array);
        return true;
    }
    *target -= 1;
    match v {
        Value::Array(items) => items
            .iter_mut()
            .any(|item| visit_inner(item, target, true, f)),
        Value::Object(fields) => fields
            .values_mut()
            .any(|field| visit_inner(field, target, false, f)),
        _ => false,
    }
}

/// Carries out the `Drop` and `Repeat` marks left by [`mutate`].
fn tidy(v: &mut Value) {
    let dropped = |v: &Value| v.as_str().is_some_and(|s| s.starts_with('\u{1}'));
    let spliced = |v: &Value| {
        v.as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with('\u{2}'))
    };
    match v {
        Value::Array(items) => {
            let old = std::mem::take(items);
            for mut item in old {
                if dropped(&item) {
                    continue;
                }
                if spliced(&item) {
                    if let Value::Array(parts) = item {
                        items.extend(parts.into_iter().skip(1));
                    }
                    continue;
                }
                tidy(&mut item);
                items.push(item);
            }
        }
        Value::Object(fields) => {
            fields.retain(|_, field| !dropped(field));
            fields.values_mut().for_each(tidy);
        }
        _ => {}
    }
    if dropped(v) {
        *v = Value::Null;
    }
}

/// A valid answer from the vectors with one to four changes.
fn mutated_answer() -> impl Strategy<Value = String> {
    (
        any::<prop::sample::Index>(),
        prop::collection::vec(mutation(), 1..5),
    )
        .prop_map(|(seed, changes)| {
            let seeds = seeds();
            mutate(&seeds[seed.index(seeds.len())], &changes)
        })
}

/// A body: near-valid JSON, the same cut short, whitespace, or any bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => object(3).prop_map(String::into_bytes),
        4 => mutated_answer().prop_map(String::into_bytes),
        2 => (object(3), any::<prop::sample::Index>()).prop_map(|(text, at)| {
            let mut bytes = text.into_bytes();
            bytes.truncate(at.index(bytes.len() + 1));
            bytes
        }),
        1 => "[ \t\r\n]{0,4}".prop_map(String::into_bytes),
        2 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

/// Headers a response might carry, with any value a header can hold.
fn headers() -> impl Strategy<Value = Vec<(&'static str, Vec<u8>)>> {
    let name = prop::sample::select(vec![
        "x-amzn-errortype",
        "x-amzn-requestid",
        "x-amz-request-id",
        "x-amz-id-2",
        "content-type",
        "date",
        "content-length",
    ]);
    let value = prop_oneof![
        prop::sample::select(WORDS).prop_map(|w| w.as_bytes().to_vec()),
        "[ -~]{0,40}".prop_map(String::into_bytes),
        prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff], 0..40),
    ];
    prop::collection::vec((name, value), 0..4)
}

fn response(status: u16, headers: &[(&'static str, Vec<u8>)], body: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).expect("status in 100..=999");
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            response.headers_mut().append(*name, value);
        }
    }
    response
}

/// Parses `response` as `O`'s answer and checks the outcome's class.
fn check<O: Operation>(response: &Response<Vec<u8>>) -> Result<(), String> {
    let success = response.status().is_success();
    match (success, parse_response::<O, _>(response)) {
        (true, Ok(_)) | (true, Err(Error::Response(_))) | (false, Err(Error::Service(_))) => Ok(()),
        (_, outcome) => Err(format!(
            "{}: HTTP {} gave {:?}",
            O::NAME,
            response.status(),
            outcome.map(|_| "the output")
        )),
    }
}

macro_rules! check_every_operation {
    ($([$method:ident, $ty:ident, $summary:literal, $example:literal]),* $(,)?) => {
        /// Runs [`check`] for every operation in the table.
        fn check_all(response: &Response<Vec<u8>>) -> Result<(), String> {
            $(check::<kinesis_proto::ops::$ty>(response)?;)*
            Ok(())
        }
        /// How many operations the table lists.
        const OPERATIONS: usize = [$(stringify!($ty)),*].len();
    };
}
kinesis_proto::for_each_operation!(check_every_operation);

// The table is there (57 operations when this was written).
const _: () = assert!(OPERATIONS >= 50);

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_parser_panics_on_any_answer(
        status in prop_oneof![3 => 200u16..300, 2 => 400u16..600, 1 => 100u16..1000],
        headers in headers(),
        body in body(),
    ) {
        let response = response(status, &headers, body);
        if let Err(e) = check_all(&response) {
            return Err(TestCaseError::fail(e));
        }
    }

    #[test]
    fn no_parser_panics_on_near_valid_json(body in prop_oneof![object(4), mutated_answer()]) {
        let response = response(200, &[], body.into_bytes());
        if let Err(e) = check_all(&response) {
            return Err(TestCaseError::fail(e));
        }
    }
}

/// The class checks above can fail: a 2xx never gives a service error and
/// an error status never parses as an output.
#[test]
fn outcome_classes() {
    let ok_garbage = response(200, &[], b"not json".to_vec());
    let throttled = response(
        400,
        &[(
            "x-amzn-errortype",
            b"ProvisionedThroughputExceededException".to_vec(),
        )],
        b"{}".to_vec(),
    );
    let empty_error = response(503, &[], Vec::new());
    for r in [&ok_garbage, &throttled, &empty_error] {
        assert_eq!(check_all(r), Ok(()));
    }
    assert!(matches!(
        parse_response::<kinesis_proto::ops::PutRecord, _>(&ok_garbage),
        Err(Error::Response(_))
    ));
    assert!(matches!(
        parse_response::<kinesis_proto::ops::PutRecord, _>(&throttled),
        Err(Error::Service(e)) if e.is_throttling()
    ));
}

macro_rules! count_parsed {
    ($([$method:ident, $ty:ident, $summary:literal, $example:literal]),* $(,)?) => {
        /// How many operations parse `response` into their output.
        fn count_parsed(response: &Response<Vec<u8>>) -> usize {
            0 $(+ usize::from(parse_response::<kinesis_proto::ops::$ty, _>(response).is_ok()))*
        }
    };
}
kinesis_proto::for_each_operation!(count_parsed);

/// The mutated answers start from real answers: every seed parses as some
/// operation's output, and a dropped or replaced node does change it.
#[test]
fn seeds_are_valid_answers() {
    for seed in seeds() {
        let body = mutate(seed, &[]);
        assert!(
            count_parsed(&response(200, &[], body.clone().into_bytes())) > 0,
            "{body}"
        );
    }
    let seed = serde_json::json!({"A": [1, 2], "B": {"C": "x"}});
    assert_eq!(mutate(&seed, &[(1, Mutation::Drop)]), r#"{"B":{"C":"x"}}"#);
    assert_eq!(
        mutate(&seed, &[(2, Mutation::Repeat)]),
        r#"{"A":[1,1,2],"B":{"C":"x"}}"#
    );
    assert_eq!(
        mutate(&seed, &[(5, Mutation::Replace("1e400".into()))]),
        r#"{"A":[1,2],"B":{"C":1e400}}"#
    );
    assert_eq!(
        mutate(&seed, &[(4, Mutation::Null)]),
        r#"{"A":[1,2],"B":null}"#
    );
}

// ---------------------------------------------------------------------------
// Regression test of a bug found by the `call` fuzz target in the adaptive
// rate limiter (kinesis-proto/src/retry.rs), fixed by a 1 ms floor on its
// waits.
//
// After a throttle, `RateLimiter::acquire` can find the bucket short of one
// token by more than its 1e-9 tolerance but by less than one nanosecond's
// worth of refill (`(1 - capacity) / fill_rate < 1e-9 s` when the fill rate
// is above 1/s). It then asks for a wait of 0 ns; the driver sleeps
// nothing, the clock does not move, nothing refills, and the call asks for
// the same wait forever.
// ---------------------------------------------------------------------------
#[test]
fn adaptive_call_never_sleeps_zero_forever() {
    use kinesis_proto::call::{Action, Call};
    use kinesis_proto::retry::RetryConfig;
    use kinesis_proto::{ops::PutRecord, Client, Config, Credentials};
    use kinesis_proto::{TransportError, TransportErrorKind as Kind};
    use std::time::{Duration, Instant};

    let start = time::OffsetDateTime::UNIX_EPOCH + Duration::from_secs(33_535);
    let retry = RetryConfig::adaptive()
        .with_max_attempts(7)
        .with_base_delay(Duration::from_millis(65_535));
    let client = Client::new(Config::new("us-east-1").with_retry(retry));
    let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
    let put = PutRecord::new("stream", "key", b"data".to_vec());
    // 429 with a Date 127 s ahead of the local clock.
    let throttled = |now: time::OffsetDateTime| {
        let date = now + Duration::from_secs(127);
        let date = format!(
            "Thu, 01 Jan 1970 {:02}:{:02}:{:02} GMT",
            date.hour(),
            date.minute(),
            date.second()
        );
        Response::builder()
            .status(429)
            .header("date", date)
            .body(Vec::new())
            .expect("a valid response")
    };
    let script = [
        Some(Kind::Tls),
        None,
        Some(Kind::Tls),
        Some(Kind::Protocol),
        Some(Kind::Connect),
    ];
    let mut script = script.iter().cycle();
    let (mut now, mut wall) = (Instant::now(), start);
    for call_number in 1..=4 {
        let mut call = Call::new(&client, put.clone(), credentials.clone());
        let mut zero_waits = 0;
        loop {
            match call.poll(now, wall, 1e-301) {
                Action::Send { .. } => match script.next().expect("cycled") {
                    Some(kind) => {
                        call.handle_transport_error(TransportError::new(*kind, "scripted"), now)
                    }
                    None => call.handle_response(throttled(wall), now, wall),
                },
                Action::Wait => {
                    let d = call
                        .poll_timeout()
                        .map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
                    zero_waits = if d.is_zero() { zero_waits + 1 } else { 0 };
                    assert!(
                        zero_waits < 100,
                        "call {call_number}: a zero wait forever: {call:?}"
                    );
                    now += d;
                    wall += d;
                }
                Action::Done(_) => break,
            }
        }
    }
}
