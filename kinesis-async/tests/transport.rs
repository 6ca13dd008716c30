//! The HTTP layer against a raw HTTP/1.1 server on 127.0.0.1 that misbehaves
//! on purpose: connections closed between requests, answers cut short or too
//! large. (kinesis-mock is too well-behaved for these; see
//! `tests/tests/async.rs` for the tests against it; the connect time limit
//! is a scenario of `tests/src/surface.rs`, run for both clients.)

use async_std::task;
use kinesis_async::{Transport, TransportErrorKind, TransportOptions};
use kinesis_proto::http;
use kinesis_proto::{Config, Credentials, Settings};
use kinesis_test_server::{serve, RawServer, Reply};

/// A POST of `{}` to the server.
fn request(server: &RawServer) -> http::Request<Vec<u8>> {
    http::Request::post(format!("{}/", server.url()))
        .header("host", format!("127.0.0.1:{}", server.port))
        .body(b"{}".to_vec())
        .expect("a valid request")
}

fn ok_answer() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec()
}

fn transport(options: TransportOptions) -> Transport {
    let settings = Settings::new(
        Config::new("us-east-1"),
        Credentials::new("AKID", "SECRET", None),
    );
    Transport::new(&settings, options).expect("a transport")
}

#[test]
fn connections_the_server_closed_are_not_reused() {
    // Every answer closes its connection without saying so.
    let server = RawServer::start(|_| (ok_answer(), true));
    let transport = transport(TransportOptions::default());
    task::block_on(async {
        for i in 0..5 {
            let response = transport.send(request(&server)).await;
            let response = response.unwrap_or_else(|e| panic!("request {i}: {e}"));
            assert_eq!(response.status(), 200);
            assert_eq!(response.body(), b"{}");
        }
    });
    assert_eq!(server.connections(), 5);
}

#[test]
fn kept_alive_connections_are_reused() {
    let server = RawServer::start(|_| (ok_answer(), false));
    let transport = transport(TransportOptions::default());
    task::block_on(async {
        for _ in 0..5 {
            let response = transport.send(request(&server)).await.expect("an answer");
            assert_eq!(response.status(), 200);
        }
    });
    assert_eq!(server.connections(), 1);
}

#[test]
fn an_answer_cut_short_is_an_io_error_and_the_next_request_works() {
    let server = RawServer::start(|i| match i {
        0 => (
            b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"trunc".to_vec(),
            true,
        ),
        _ => (ok_answer(), false),
    });
    let transport = transport(TransportOptions::default());
    task::block_on(async {
        let err = transport
            .send(request(&server))
            .await
            .expect_err("cut short");
        assert_eq!(err.kind, TransportErrorKind::Io, "{err}");
        let response = transport.send(request(&server)).await.expect("an answer");
        assert_eq!(response.status(), 200);
    });
    assert_eq!(server.connections(), 2);
}

#[test]
fn an_answer_over_the_size_limit_is_a_protocol_error() {
    let server = RawServer::start(|_| {
        let mut answer = b"HTTP/1.1 200 OK\r\ncontent-length: 4096\r\n\r\n".to_vec();
        answer.extend(std::iter::repeat_n(b'x', 4096));
        (answer, false)
    });
    let mut options = TransportOptions::default();
    options.max_response_bytes = 1024;
    let transport = transport(options);
    let err = task::block_on(transport.send(request(&server))).expect_err("too large");
    assert_eq!(err.kind, TransportErrorKind::Protocol, "{err}");
    assert_eq!(err.message, "response body larger than 1024 bytes");
}

#[test]
fn garbage_instead_of_http_is_a_protocol_error() {
    let server = RawServer::start(|_| (b"SMTP ready\r\n\r\n".to_vec(), true));
    let transport = transport(TransportOptions::default());
    let err = task::block_on(transport.send(request(&server))).expect_err("not HTTP");
    assert_eq!(err.kind, TransportErrorKind::Protocol, "{err}");
}

#[test]
fn error_statuses_are_answers_not_failures() {
    let server = RawServer::start(|_| {
        let body = br#"{"__type":"ResourceNotFoundException","message":"no"}"#;
        let mut answer = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        answer.extend_from_slice(body);
        (answer, false)
    });
    let transport = transport(TransportOptions::default());
    let response = task::block_on(transport.send(request(&server))).expect("an answer");
    assert_eq!(response.status(), 400);
    assert!(response.body().starts_with(b"{\"__type\""));
}

#[test]
fn requests_go_out_in_origin_form_with_host_and_body() {
    let server = serve(vec![Reply::Answer(200, b"{}".to_vec())]);
    let port = server.port;
    let transport = transport(TransportOptions::default());
    let request = http::Request::post(format!("http://127.0.0.1:{port}/?x=1"))
        .header("host", format!("127.0.0.1:{port}"))
        .body(b"{}".to_vec())
        .expect("a valid request");
    task::block_on(transport.send(request)).expect("an answer");
    let seen = server.seen();
    let (head, body) = (&seen[0].head, &seen[0].body);
    assert_eq!(head[0], "POST /?x=1 HTTP/1.1");
    assert!(seen[0].has(&format!("host: 127.0.0.1:{port}")), "{head:?}");
    assert!(seen[0].has("content-length: 2"), "{head:?}");
    assert!(
        head.iter().any(|l| l
            .to_ascii_lowercase()
            .starts_with("user-agent: kinesis-async/")),
        "{head:?}"
    );
    assert_eq!(body, b"{}");
}
