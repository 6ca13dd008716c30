//! No operation's response parser panics, whatever the status, headers and
//! body, and each answer lands in the right error class: a non-2xx status is
//! always `Error::Service`, a 2xx either the output or `Error::Response`.
//!
//! Bodies are arbitrary bytes, or JSON built from the field names the
//! Kinesis outputs use with values of any type (so right names with wrong
//! types, odd number forms, nesting where none is expected), sometimes cut
//! short. Every operation in `for_each_operation!` parses every case.

use kinesis_proto::http::{HeaderValue, Response, StatusCode};
use kinesis_proto::{parse_response, Error, Operation};
use proptest::prelude::*;

/// Field names of the Kinesis outputs (and the shapes inside them).
const FIELDS: &[&str] = &[
    "AdjacentParentShardId", "AdjacentShardToMerge", "ApproximateArrivalTimestamp",
    "BucketARN", "ChannelARN", "ChannelCount", "ChannelCreationTimestamp",
    "ChannelDescription", "ChannelDestinationType", "ChannelId", "ChannelName",
    "ChannelStatus", "ChannelStatusReason", "ChannelSummaries", "ChildShards",
    "CloudWatchLogs", "CompressionType", "Consumer", "ConsumerARN", "ConsumerCount",
    "ConsumerCreationTimestamp", "ConsumerDescription", "ConsumerName", "ConsumerStatus",
    "Consumers", "CurrentMiBps", "CurrentShardCount", "CurrentShardLevelMetrics", "Data",
    "DataFreshnessInSeconds", "DeadLetterConfiguration", "DeadLetterQueueS3Configuration",
    "DesiredShardLevelMetrics", "EarliestAllowedEndAt", "Enabled", "EncryptionConfiguration",
    "EncryptionType", "EndedAt", "EndingHashKey", "EndingSequenceNumber",
    "EnforceConsumerDeletion", "EnhancedMonitoring", "Entries", "ErrorCode", "ErrorMessage",
    "ErrorOutputPrefix", "ExclusiveStartShardId", "ExclusiveStartStreamName",
    "ExclusiveStartTagKey", "ExpectedBucketOwner", "ExplicitHashKey", "Failed",
    "FailedRecordCount", "FirstReceiveTimestamp", "GSRSchemaARN", "GsrSchemaArn",
    "HasMoreShards", "HasMoreStreams", "HasMoreTags", "HashKeyRange", "Key", "KeyId", "Kind",
    "Limit", "LogGroupName", "LogStreamName", "LoggingConfiguration", "MaxReceiveCount",
    "MaxRecordSizeInKiB", "MaxResults", "MillisBehindLatest",
    "MinimumThroughputBillingCommitment", "Namespace", "NewStartingHashKey",
    "NextShardIterator", "NextToken", "OnDemandStreamCount", "OnDemandStreamCountLimit",
    "OpenShardCount", "OutputKeyTemplate", "ParentShardId", "ParentShards", "PartitionFields",
    "PartitionKey", "PartitionSpec", "Policy", "QueueARN", "QueueAttributes",
    "QueueCreationTimestamp", "QueueDescription", "QueueName", "QueueStatus", "QueueSummaries",
    "Reason", "ReceiptHandle", "ReceiveCount", "RecordConfiguration",
    "RecordDistributionStrategy", "RecordFormatType", "RecordId", "Records", "ResourceARN",
    "RetentionPeriodHours", "S3DestinationConfiguration", "S3TablesConfigurationList",
    "S3TablesDestinationConfiguration", "ScalingType", "SequenceNumber",
    "SequenceNumberForOrdering", "SequenceNumberRange", "ServiceExecutionRoleARN",
    "ShardCount", "ShardFilter", "ShardId", "ShardIterator", "ShardIteratorType",
    "ShardLevelMetrics", "ShardLimit", "ShardToMerge", "ShardToSplit", "Shards", "SourceName",
    "StartedAt", "StartingHashKey", "StartingPosition", "StartingSequenceNumber", "Status",
    "StorageClass", "StorageConfiguration", "StreamARN", "StreamConfigurationList",
    "StreamCreationTimestamp", "StreamDescription", "StreamDescriptionSummary", "StreamFilter",
    "StreamMode", "StreamModeDetails", "StreamName", "StreamNames", "StreamStatus",
    "StreamSummaries", "Streams", "Successful", "TableBucketARN", "TableName", "TagKeys",
    "Tags", "TargetMiBps", "TargetShardCount", "TargetType", "Timestamp", "Transform", "Type",
    "Value", "VisibilityTimeoutSeconds", "WaitTimeSeconds", "WarmThroughput",
    "WarmThroughputMiBps",
];

/// String values that mean something somewhere in an output.
const WORDS: &[&str] = &[
    "", "ACTIVE", "CREATING", "DELETING", "UPDATING", "KMS", "NONE", "ON_DEMAND", "PROVISIONED",
    "shardId-000000000000", "49590338271490256608559692538361571095921575989136588898",
    "arn:aws:kinesis:us-east-1:123456789012:stream/s",
    "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000",
    "340282366920938463463374607431768211455", "340282366920938463463374607431768211456",
    "-1", "0", "aGVsbG8=", "aGVsbG8", "aGVsbG8===", "a", "@@@@", "\u{0}", "\u{fffd}",
    "ProvisionedThroughputExceededException", "ALL", "IncomingBytes",
];

/// Number literals as the service (or a broken one) might write them.
const NUMBERS: &[&str] = &[
    "0", "-0", "1", "-1", "1441215410", "1441215410.867", "1.441215410867E9", "1.7e9", "1e400",
    "-1e400", "1E-7", "0.000000000000000000001", "253402300799", "253402300800",
    "99999999999999999999999999999999999999999", "18446744073709551616", "4294967296",
    "9223372036854775808", "-9223372036854775809", "1.5", "2e0", "1e", "01",
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
            let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{}:{v}", quote(k))).collect();
            format!("{{{}}}", fields.join(","))
        })
        .boxed()
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a str always serializes")
}

/// A body: near-valid JSON, the same cut short, whitespace, or any bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => object(3).prop_map(String::into_bytes),
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
        "x-amzn-errortype", "x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "content-type",
        "date", "content-length",
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
    fn no_parser_panics_on_near_valid_json(body in object(4)) {
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
        &[("x-amzn-errortype", b"ProvisionedThroughputExceededException".to_vec())],
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
    assert!(OPERATIONS >= 2);
}
