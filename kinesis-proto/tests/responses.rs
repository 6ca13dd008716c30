//! Response vectors: how every operation's answer parses.
//!
//! One JSON file per case under `tests/vectors/responses/`, one `#[test]`
//! per file (the `vectors!` list below), and a test that fails when a file
//! on disk is not listed. A case file holds:
//!
//! ```json
//! {
//!   "description": "what the case shows",
//!   "operation": "GetRecords",                 // the X-Amz-Target name
//!   "status": 200,
//!   "headers": {"x-amzn-RequestId": "…"},      // optional
//!   "body": "exact body text",                 // or:
//!   "body_json": { … },                        // a JSON body, sent byte for byte as written
//!   "expect": {
//!     "output": { … },                         // the parsed output, serialized back to the wire form
//!     "output_text_contains": ["…"],           // optional: exact snippets of that serialization
//!     // or
//!     "service_error": {"code": "ExpiredIteratorException", "message": "…",
//!                       "request_id": "…", "retryable": false, "throttling": false},
//!     // or
//!     "response_error": {"reason_contains": "…"}
//!   }
//! }
//! ```
//!
//! Outputs compare as JSON values with `null` members and empty arrays
//! dropped on both sides, so a case lists only what the answer carries.
//! Operations are dispatched by name through `for_each_operation!`, so every
//! operation in the table is covered once its vectors exist; this needs each
//! output type to implement `Serialize` (wire names, as it parses).

use std::path::{Path, PathBuf};

use kinesis_proto::fuzzing::parse_response;
use kinesis_proto::{ops, Error, Operation};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[allow(dead_code)]
    description: String,
    operation: String,
    status: u16,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_json: Option<Box<RawValue>>,
    expect: Expectation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectation {
    #[serde(default)]
    output: Option<Value>,
    #[serde(default)]
    output_text_contains: Vec<String>,
    #[serde(default)]
    service_error: Option<ServiceExpectation>,
    #[serde(default)]
    response_error: Option<ResponseExpectation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceExpectation {
    /// The code's wire name; `""` for an answer without one.
    code: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
    retryable: bool,
    #[serde(default)]
    throttling: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseExpectation {
    #[serde(default)]
    reason_contains: Option<String>,
}

/// What a parse gave: the output serialized back (value and text), or the error.
type Parsed = Result<(Value, String), Error>;

fn parse_typed<O>(response: &http::Response<Vec<u8>>) -> Parsed
where
    O: Operation,
    O::Output: serde::Serialize,
{
    parse_response::<O, _>(response).map(|output| {
        let text = serde_json::to_string(&output).expect("an output serializes");
        let value = serde_json::from_str(&text).expect("a serialized output is JSON");
        (value, text)
    })
}

macro_rules! dispatch {
    ($( [$method:ident, $ty:ident, $summary:literal, $example:literal] ),* $(,)?) => {
        /// Parses `response` as the answer to the operation named `name`.
        fn parse_as(name: &str, response: &http::Response<Vec<u8>>) -> Option<Parsed> {
            $(
                if name == <ops::$ty as Operation>::NAME {
                    return Some(parse_typed::<ops::$ty>(response));
                }
            )*
            None
        }
    };
}
kinesis_proto::for_each_operation!(dispatch);

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/responses")
}

/// Drops `null` members and empty arrays, recursively.
fn normalize(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| (k, normalize(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        other => other,
    }
}

fn run_vector(name: &str) {
    let path = vectors_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let case: Case =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: bad case file: {e}"));

    let body: Vec<u8> = match (&case.body, &case.body_json) {
        (Some(text), None) => text.clone().into_bytes(),
        (None, Some(json)) => json.get().as_bytes().to_vec(),
        (None, None) => Vec::new(),
        (Some(_), Some(_)) => panic!("{name}: give body or body_json, not both"),
    };
    let mut builder = http::Response::builder().status(case.status);
    for (header, value) in &case.headers {
        let value = value
            .as_str()
            .unwrap_or_else(|| panic!("{name}: header {header} is not a string"));
        builder = builder.header(header.as_str(), value);
    }
    let response = builder
        .body(body)
        .unwrap_or_else(|e| panic!("{name}: bad response: {e}"));

    let parsed = parse_as(&case.operation, &response)
        .unwrap_or_else(|| panic!("{name}: operation {} is not in the table", case.operation));

    let expect = &case.expect;
    let expectations = [
        expect.output.is_some(),
        expect.service_error.is_some(),
        expect.response_error.is_some(),
    ];
    assert_eq!(
        expectations.iter().filter(|e| **e).count(),
        1,
        "{name}: expect exactly one of output, service_error, response_error"
    );

    if let Some(want) = &expect.output {
        let (got, got_text) = match parsed {
            Ok(ok) => ok,
            Err(e) => panic!("{name}: expected an output, got error: {e:?}"),
        };
        let (got, want) = (normalize(got), normalize(want.clone()));
        assert!(
            got == want,
            "{name}: output differs\n got: {}\nwant: {}",
            serde_json::to_string_pretty(&got).unwrap_or_default(),
            serde_json::to_string_pretty(&want).unwrap_or_default()
        );
        for snippet in &expect.output_text_contains {
            assert!(
                got_text.contains(snippet.as_str()),
                "{name}: output text lacks {snippet:?}: {got_text}"
            );
        }
    } else if let Some(want) = &expect.service_error {
        let e = match parsed {
            Err(Error::Service(e)) => e,
            other => panic!("{name}: expected a service error, got {other:?}"),
        };
        assert_eq!(e.code.as_str(), want.code, "{name}: code");
        assert_eq!(e.status.as_u16(), case.status, "{name}: status");
        assert_eq!(e.message, want.message, "{name}: message");
        assert_eq!(e.request_id, want.request_id, "{name}: request id");
        assert_eq!(e.is_retryable(), want.retryable, "{name}: retryable");
        assert_eq!(e.is_throttling(), want.throttling, "{name}: throttling");
    } else if let Some(want) = &expect.response_error {
        let e = match parsed {
            Err(Error::Response(e)) => e,
            other => panic!("{name}: expected a response error, got {other:?}"),
        };
        assert_eq!(e.status.as_u16(), case.status, "{name}: status");
        if let Some(part) = &want.reason_contains {
            assert!(
                e.reason.contains(part.as_str()),
                "{name}: reason {:?} lacks {part:?}",
                e.reason
            );
        }
        assert!(
            e.reason.starts_with(&case.operation),
            "{name}: reason {:?} names the operation",
            e.reason
        );
    }
}

macro_rules! vectors {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_vector(stringify!($name));
            }
        )*
        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

vectors! {
    // records
    put_record_ok,
    put_record_kms,
    put_records_all_ok,
    put_records_partial_failure,
    put_records_entry_without_fate,
    put_records_failed_count_disagrees,
    put_records_failed_count_absent,
    put_record_empty_sequence_number,
    get_records_no_partition_key,
    list_tags_for_resource_null_tags,
    describe_stream_consumer_without_stream_arn,
    get_shard_iterator_ok,
    get_records_page,
    get_records_end_of_shard,
    get_records_caught_up,
    get_records_bad_base64,
    get_records_negative_timestamp,
    get_records_missing_records,
    // streams
    create_stream_empty_body,
    delete_stream_empty_object,
    describe_stream_page,
    describe_stream_summary_full,
    describe_stream_summary_unknown_values,
    describe_stream_summary_missing_summary,
    describe_stream_summary_null_summary,
    describe_stream_summary_array_summary,
    describe_stream_summary_array_with_values,
    describe_stream_summary_string_summary,
    list_streams_page,
    enable_enhanced_monitoring_ok,
    update_stream_warm_throughput_ok,
    update_stream_record_distribution_strategy_ok,
    update_max_record_size_empty_body,
    // shards
    list_shards_page,
    list_shards_last_page,
    list_shards_hash_key_overflow,
    list_shards_number_for_list,
    list_shards_array_for_shard,
    update_shard_count_ok,
    merge_shards_empty_body,
    split_shard_whitespace_body,
    // consumers, tags, policies, account, channels, queues (ops-b)
    register_stream_consumer_ok,
    describe_stream_consumer_ok,
    list_stream_consumers_page,
    deregister_stream_consumer_empty_body,
    subscribe_to_shard_corrupt_event_stream,
    error_consumer_in_use,
    list_tags_for_stream_more,
    list_tags_for_resource_ok,
    get_resource_policy_ok,
    describe_limits_ok,
    describe_account_settings_commitment,
    describe_channel_s3_tables,
    list_channels_page,
    create_queue_creating,
    list_queues_page,
    receive_queue_records_page,
    receive_dead_letter_queue_records_none,
    acknowledge_queue_records_partial,
    error_queue_not_found,
    // errors
    error_header_type_wins,
    error_namespaced_type,
    error_upper_message_key,
    error_code_key,
    error_empty_500,
    error_html_502,
    error_503_no_body_throttled,
    error_expired_iterator,
    error_read_throughput_exceeded,
    error_expired_next_token,
    error_kms_throttling,
    error_validation,
    error_resource_in_use,
    error_access_denied,
    response_html_200,
    response_truncated_json,
    response_array_body_200,
    get_records_array_for_record,
    put_records_array_for_entry,
}

#[test]
fn every_vector_file_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(vectors_dir())
        .expect("vectors directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            path.file_stem()
                .expect("file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let unlisted: Vec<&String> = on_disk
        .iter()
        .filter(|f| !LISTED.contains(&f.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "vector files not listed in vectors!: {unlisted:?}"
    );
    let missing: Vec<&&str> = LISTED
        .iter()
        .filter(|l| !on_disk.iter().any(|f| f == *l))
        .collect();
    assert!(
        missing.is_empty(),
        "listed vectors without a file: {missing:?}"
    );
}

#[test]
fn the_harness_can_fail() {
    // A wrong expectation must not pass: parse a real vector and compare
    // against a changed output.
    let response = http::Response::builder()
        .status(200)
        .body(br#"{"ShardId":"shardId-000000000000","SequenceNumber":"1"}"#.to_vec())
        .expect("valid response");
    let (got, _) = parse_as("PutRecord", &response)
        .expect("known operation")
        .expect("parses");
    let wrong = serde_json::json!({"ShardId": "shardId-000000000001", "SequenceNumber": "1"});
    assert_ne!(normalize(got), normalize(wrong));
    assert!(parse_as("NoSuchOperation", &response).is_none());
}
