//! The HTTP layer against a raw HTTP/1.1 server on 127.0.0.1 that misbehaves
//! on purpose: connections closed between requests, answers cut short or too
//! large. (kinesis-mock is too well-behaved for these; see
//! `tests/tests/async.rs` for the tests against it.)

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use async_std::task;
use kinesis_async::{Transport, TransportErrorKind, TransportOptions};
use kinesis_proto::http;
use kinesis_proto::{Config, Credentials, Settings};

/// What the server does with each request it reads: the bytes to answer,
/// and whether to close the connection afterwards.
type Script = fn(request_index: usize) -> (Vec<u8>, bool);

/// A server that answers every request by `script`; counts connections.
struct RawServer {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl RawServer {
    fn start(script: Script) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("bound").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        thread::spawn(move || {
            while let Ok((stream, _)) = listener.accept() {
                counter.fetch_add(1, Ordering::SeqCst);
                let requests = requests.clone();
                thread::spawn(move || serve(stream, script, &requests));
            }
        });
        RawServer { port, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn request(&self) -> http::Request<Vec<u8>> {
        http::Request::post(format!("http://127.0.0.1:{}/", self.port))
            .header("host", format!("127.0.0.1:{}", self.port))
            .body(b"{}".to_vec())
            .expect("a valid request")
    }
}

/// Reads requests off `stream` and answers each as `script` says.
fn serve(stream: TcpStream, script: Script, requests: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    let mut writer = stream;
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
        let (answer, close) = script(requests.fetch_add(1, Ordering::SeqCst));
        if writer.write_all(&answer).is_err() || close {
            return;
        }
    }
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

/// A port of 127.0.0.1 that never completes a connection: its listener has
/// a backlog of 0 and never accepts, and once its accept queue holds the one
/// connection made here the kernel drops every further SYN unanswered, as a
/// host that has gone away does. Nothing leaves the machine.
struct Unanswered {
    port: u16,
    _listener: socket2::Socket,
    _queued: Vec<TcpStream>,
}

impl Unanswered {
    fn start() -> Unanswered {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
        let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        socket.bind(&any_port.into()).expect("bind a test port");
        socket.listen(0).expect("listen");
        let addr = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("a bound IPv4 port");
        let mut queued = Vec::new();
        for _ in 0..8 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(stream) => queued.push(stream),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    return Unanswered {
                        port: addr.port(),
                        _listener: socket,
                        _queued: queued,
                    }
                }
                Err(e) => panic!("connecting to the full listener: {e}"),
            }
        }
        panic!("the listener's accept queue never filled");
    }
}

#[test]
fn a_connect_that_gets_no_answer_is_a_timeout() {
    let port = Unanswered::start();
    let mut settings = Settings::new(
        Config::new("us-east-1"),
        Credentials::new("AKID", "SECRET", None),
    );
    settings.timeouts.connect = Some(Duration::from_millis(300));
    let transport = Transport::new(&settings, TransportOptions::default()).expect("a transport");
    let request = http::Request::post(format!("http://127.0.0.1:{}/", port.port))
        .body(b"{}".to_vec())
        .expect("a valid request");
    let started = Instant::now();
    let error = task::block_on(transport.send(request)).expect_err("no connection");
    assert_eq!(error.kind, TransportErrorKind::Timeout, "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn connections_the_server_closed_are_not_reused() {
    // Every answer closes its connection without saying so.
    let server = RawServer::start(|_| (ok_answer(), true));
    let transport = transport(TransportOptions::default());
    task::block_on(async {
        for i in 0..5 {
            let response = transport.send(server.request()).await;
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
            let response = transport.send(server.request()).await.expect("an answer");
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
            .send(server.request())
            .await
            .expect_err("cut short");
        assert_eq!(err.kind, TransportErrorKind::Io, "{err}");
        let response = transport.send(server.request()).await.expect("an answer");
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
    let err = task::block_on(transport.send(server.request())).expect_err("too large");
    assert_eq!(err.kind, TransportErrorKind::Protocol, "{err}");
    assert_eq!(err.message, "response body larger than 1024 bytes");
}

#[test]
fn garbage_instead_of_http_is_a_protocol_error() {
    let server = RawServer::start(|_| (b"SMTP ready\r\n\r\n".to_vec(), true));
    let transport = transport(TransportOptions::default());
    let err = task::block_on(transport.send(server.request())).expect_err("not HTTP");
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
    let response = task::block_on(transport.send(server.request())).expect("an answer");
    assert_eq!(response.status(), 400);
    assert!(response.body().starts_with(b"{\"__type\""));
}

#[test]
fn requests_go_out_in_origin_form_with_host_and_body() {
    // The script sees only indexes, so this server checks the request
    // itself and answers 200 only when it is what HTTP/1.1 expects.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("bound").port();
    let seen = thread::spawn(move || {
        let (stream, _) = listener.accept().expect("a connection");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("a request line");
            if line == "\r\n" {
                break;
            }
            head.push(line.trim_end().to_owned());
        }
        let mut body = vec![0; 2];
        reader.read_exact(&mut body).expect("the body");
        let mut writer = stream;
        writer.write_all(&ok_answer()).expect("answer");
        (head, body)
    });
    let transport = transport(TransportOptions::default());
    let request = http::Request::post(format!("http://127.0.0.1:{port}/?x=1"))
        .header("host", format!("127.0.0.1:{port}"))
        .body(b"{}".to_vec())
        .expect("a valid request");
    task::block_on(transport.send(request)).expect("an answer");
    let (head, body) = seen.join().expect("the server thread");
    assert_eq!(head[0], "POST /?x=1 HTTP/1.1");
    let has = |h: &str| head.iter().any(|l| l.eq_ignore_ascii_case(h));
    assert!(has(&format!("host: 127.0.0.1:{port}")), "{head:?}");
    assert!(has("content-length: 2"), "{head:?}");
    assert!(
        head.iter().any(|l| l
            .to_ascii_lowercase()
            .starts_with("user-agent: kinesis-async/")),
        "{head:?}"
    );
    assert_eq!(body, b"{}");
}
