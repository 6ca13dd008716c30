//! What reaches the logger at trace level, every target on, for calls with
//! a session token over plain HTTP/1.1: no credential, signature, token or
//! record data in any line, from this crate or from its dependencies.
//!
//! Its own test binary: the logger is process-wide.

use kinesis_async::Client;
use kinesis_test_server::{answer, capture, traced, RawServer};

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
    let client = Client::new(traced::settings(&server().url())).expect("valid settings");
    futures::executor::block_on(client.call(&traced::put())).expect("the retry succeeds");

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
    for secret in traced::SECRETS {
        assert!(!all.contains(secret), "{secret} was logged:\n{all}");
    }
}
