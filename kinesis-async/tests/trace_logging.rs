//! What reaches the logger at trace level, every target on, for calls with
//! a session token over plain HTTP/1.1: no credential, signature, token or
//! record data in any line, from this crate or from its dependencies.
//!
//! Its own test binary: the logger is process-wide.

use kinesis_async::ops::PutRecord;
use kinesis_async::{Client, Config, Credentials, Settings};
use kinesis_test_server::{answer, capture, RawServer};

/// Answers the first request with 503 and every later one with a
/// PutRecord answer, so that one call is retried.
fn server() -> RawServer {
    RawServer::start(|index| {
        let reply = match index {
            0 => answer(503, b""),
            _ => answer(
                200,
                br#"{"ShardId":"shardId-000000000001","SequenceNumber":"49"}"#,
            ),
        };
        (reply, false)
    })
}

#[test]
fn at_trace_level_nothing_logs_secrets_or_payloads() {
    let logs = capture();
    let config = Config::new("us-east-1")
        .with_endpoint_url(&server().url())
        .expect("a local URL");
    let credentials = Credentials::new(
        "AKIDTRACETEST",
        "SECRET-KEY-TRACETEST",
        Some("TOKEN-TRACETEST".into()),
    );
    let client = Client::new(Settings::new(config, credentials)).expect("valid settings");
    let put = PutRecord::new("s", "PARTITION-TRACETEST", b"PAYLOAD-TRACETEST".to_vec());
    futures::executor::block_on(client.call(&put)).expect("the retry succeeds");

    let lines: Vec<String> = logs
        .lines()
        .iter()
        .map(|l| format!("{} {}", l.target, l.text))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("HTTP/1.1 connection") || l.contains("opened connection")),
        "{lines:#?}"
    );
    let all = lines.join("\n");
    for secret in [
        "SECRET-KEY-TRACETEST",
        "TOKEN-TRACETEST",
        "Signature=",
        "PARTITION-TRACETEST",
        "UEFZTE9BRC1UUkFDRVRFU1Q=",
    ] {
        assert!(!all.contains(secret), "{secret} was logged:\n{all}");
    }
}
