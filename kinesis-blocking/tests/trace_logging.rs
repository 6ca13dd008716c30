//! What reaches the logger at trace level, every target on, for one signed
//! call with a session token: the crate documentation says that only the
//! `ureq_proto::util` target dumps raw bytes (the request head with its
//! signature and session token, and the whole answer) and that everything
//! else stays free of secrets. Both halves are checked here, so this test
//! fails the day ureq-proto dumps more, less or elsewhere than the docs say.
//!
//! Its own test binary: the logger is process-wide and trace level would
//! slow the unit tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};
use std::thread;

use kinesis_blocking::ops::PutRecord;
use kinesis_blocking::{Client, Config, Credentials, Settings};

/// The target that hex-dumps every byte ureq sends and receives.
const DUMP_TARGET: &str = "ureq_proto::util";

struct Line {
    target: String,
    text: String,
}

struct Capture(Mutex<Vec<Line>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = Line {
            target: record.target().to_owned(),
            text: record.args().to_string(),
        };
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

/// Answers every request on 127.0.0.1 with a PutRecord answer.
fn server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
    let port = listener.local_addr().expect("bound").port();
    thread::spawn(move || {
        while let Ok((stream, _)) = listener.accept() {
            let mut reader = BufReader::new(stream);
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
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
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let answer = br#"{"ShardId":"shardId-000000000001","SequenceNumber":"49"}"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\
                     content-length: {}\r\n\r\n",
                    answer.len()
                );
                let stream = reader.get_mut();
                if stream.write_all(head.as_bytes()).is_err() || stream.write_all(answer).is_err() {
                    return;
                }
            }
        }
    });
    port
}

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
    client.call(&put).expect("an answer");

    let lines = logs.0.lock().unwrap_or_else(|p| p.into_inner());
    // Base64 of the payload, as the request body carries it.
    let payload = "UEFZTE9BRC1UUkFDRVRFU1Q=";
    let secrets = [
        "SECRET-KEY-TRACETEST",
        "TOKEN-TRACETEST",
        "Signature=",
        "PARTITION-TRACETEST",
        payload,
    ];
    let mut dumped = Vec::new();
    for line in lines.iter() {
        if line.target == DUMP_TARGET {
            dumped.extend(row_bytes(&line.text));
            continue;
        }
        for secret in secrets {
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
    let answer = r#"{"ShardId":"shardId-000000000001","SequenceNumber":"49"}"#;
    for sent in [
        "x-amz-security-token: TOKEN-TRACETEST",
        "Signature=",
        answer,
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
