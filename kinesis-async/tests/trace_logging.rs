//! What reaches the logger at trace level, every target on, for calls with
//! a session token over plain HTTP/1.1: no credential, signature, token or
//! record data in any line, from this crate or from its dependencies.
//!
//! Its own test binary: the logger is process-wide.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};
use std::thread;

use kinesis_async::ops::PutRecord;
use kinesis_async::{Client, Config, Credentials, Settings};

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}", record.target(), record.args());
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(line);
    }
    fn flush(&self) {}
}

fn capture() -> &'static Capture {
    static LOGGER: OnceLock<&'static Capture> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let logger: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(logger).expect("the only logger of this binary");
        log::set_max_level(log::LevelFilter::Trace);
        logger
    })
}

/// Answers the first request with 503 and every later one with a
/// PutRecord answer, so that one call is retried.
fn server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
    let port = listener.local_addr().expect("bound").port();
    thread::spawn(move || {
        let mut answered = 0;
        while let Ok((stream, _)) = listener.accept() {
            let mut reader = BufReader::new(stream);
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = vec![0; length];
                if length == 0 || reader.read_exact(&mut body).is_err() {
                    break;
                }
                let (status, answer): (&str, &[u8]) = if answered == 0 {
                    ("503 Service Unavailable", b"")
                } else {
                    (
                        "200 OK",
                        br#"{"ShardId":"shardId-000000000001","SequenceNumber":"49"}"#,
                    )
                };
                answered += 1;
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.1\r\n\
                     content-length: {}\r\n\r\n",
                    answer.len()
                );
                let stream = reader.get_mut();
                if stream.write_all(head.as_bytes()).is_err() || stream.write_all(answer).is_err() {
                    break;
                }
            }
        }
    });
    port
}

#[test]
fn at_trace_level_nothing_logs_secrets_or_payloads() {
    let logs = capture();
    let config = Config::new("us-east-1")
        .with_endpoint_url(&format!("http://127.0.0.1:{}", server()))
        .expect("a local URL");
    let credentials = Credentials::new(
        "AKIDTRACETEST",
        "SECRET-KEY-TRACETEST",
        Some("TOKEN-TRACETEST".into()),
    );
    let client = Client::new(Settings::new(config, credentials)).expect("valid settings");
    let put = PutRecord::new("s", "PARTITION-TRACETEST", b"PAYLOAD-TRACETEST".to_vec());
    futures::executor::block_on(client.call(&put)).expect("the retry succeeds");

    let lines = logs.0.lock().unwrap_or_else(|p| p.into_inner());
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
