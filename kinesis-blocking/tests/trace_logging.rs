//! What reaches the logger at trace level, every target on, for one signed
//! call with a session token: the crate documentation says that only the
//! `ureq_proto::util` target dumps raw bytes (the request head with its
//! signature and session token, and the whole answer) and that everything
//! else stays free of secrets. Both halves are checked here, so this test
//! fails the day ureq-proto dumps more, less or elsewhere than the docs say.
//!
//! Its own test binary: the logger is process-wide and trace level would
//! slow the unit tests.

use kinesis_blocking::Client;
use kinesis_test_server::{answer, capture, traced, RawServer};

/// The target that hex-dumps every byte ureq sends and receives.
const DUMP_TARGET: &str = "ureq_proto::util";

/// The PutRecord answer the server gives every request.
const ANSWER: &[u8] = br#"{"ShardId":"shardId-000000000001","SequenceNumber":"49"}"#;

/// The bytes of a hex-dump row: up to 16 bytes as hex pairs in groups of
/// two, `--` for none, then the same bytes as text.
fn row_bytes(text: &str) -> Vec<u8> {
    let hex: String = text
        .chars()
        .take(40)
        .filter(|c| !c.is_whitespace())
        .collect();
    hex.as_bytes()
        .chunks(2)
        .filter_map(|pair| std::str::from_utf8(pair).ok())
        .filter_map(|pair| u8::from_str_radix(pair, 16).ok())
        .collect()
}

#[test]
fn at_trace_level_only_the_documented_target_dumps_secrets() {
    let logs = capture();
    let server = RawServer::start(|_| (answer(200, ANSWER), false));
    let client = Client::new(traced::settings(&server.url())).expect("valid settings");
    client.call(&traced::put()).expect("an answer");

    let lines = logs.lines();
    let payload = traced::PAYLOAD_BASE64;
    let mut dumped = Vec::new();
    for line in lines.iter() {
        if line.target == DUMP_TARGET {
            dumped.extend(row_bytes(&line.text));
            continue;
        }
        for secret in traced::SECRETS {
            assert!(
                !line.text.contains(secret),
                "{secret} logged by target {}: {}",
                line.target,
                line.text
            );
        }
    }
    // The dump is what the docs say it is: the request head, signature and
    // session token included, and the whole answer; not the request body
    // (ureq writes it undumped) nor the secret key (never sent).
    let dumped = String::from_utf8_lossy(&dumped);
    let answer = String::from_utf8_lossy(ANSWER);
    for sent in [
        "x-amz-security-token: TOKEN-TRACETEST",
        "Signature=",
        &answer,
    ] {
        assert!(
            dumped.contains(sent),
            "{DUMP_TARGET} no longer dumps {sent:?}; update the logging docs:\n{dumped}"
        );
    }
    for unsent in ["PARTITION-TRACETEST", payload, "SECRET-KEY-TRACETEST"] {
        assert!(
            !dumped.contains(unsent),
            "{DUMP_TARGET} now dumps {unsent:?}; update the logging docs:\n{dumped}"
        );
    }
    assert!(
        lines.iter().any(|l| l.target.starts_with("kinesis")),
        "the client's own lines were captured too"
    );
}
