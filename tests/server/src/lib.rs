//! Raw HTTP/1.1 servers on 127.0.0.1 for the clients' own tests and
//! benchmarks, written once for both transports (kinesis-blocking's unit
//! tests, kinesis-async's integration tests, the blocking benchmark), and a
//! logger that captures every line for the trace-level tests.
//!
//! - [`serve`]: answers each request with the next [`Reply`] of a script and
//!   records what it received ([`Seen`]).
//! - [`RawServer`]: answers every request by a function of its index with
//!   bytes written as they are (cut short, too large, not HTTP, closing),
//!   one thread per connection, and counts connections.
//! - [`unanswered`]: a port whose connections never complete.
//! - [`read_request`] and [`answer`]: one request off a connection, and the
//!   bytes of a JSON 1.1 answer, for servers written by hand.
//! - [`capture`]: the process-wide logger that keeps every line, and
//!   [`traced`]: a call whose every secret and payload is a marker to look
//!   for in what was logged.
//!
//! Only for tests: every failure to bind or set up panics.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::Duration;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The request line and header lines, without their line ends.
    pub head: Vec<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Seen {
    /// How many header lines are named `name`.
    pub fn count(&self, name: &str) -> usize {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.head
            .iter()
            .filter(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .count()
    }

    /// Whether a line of the head is `line`, ignoring ASCII case.
    pub fn has(&self, line: &str) -> bool {
        self.head.iter().any(|l| l.eq_ignore_ascii_case(line))
    }
}

/// Reads one request (head and a `content-length` body), or `None` when the
/// connection ended first.
pub fn read_request<R: BufRead>(reader: &mut R) -> Option<Seen> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let length = head
        .iter()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen { head, body })
}

/// The bytes of an HTTP/1.1 answer with `status`, a JSON 1.1 content type,
/// request id `req-1` and `body`.
pub fn answer(status: u16, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.1\r\n\
         x-amzn-RequestId: req-1\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// What a [`serve`] server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answers with this status and body.
    Answer(u16, Vec<u8>),
    /// Closes the connection without answering.
    Close,
    /// Holds the connection for a few seconds without answering.
    Silent,
}

/// A running scripted server.
pub struct Server {
    /// Its port on 127.0.0.1.
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Starts a server that plays `script`, one reply per request in the order
/// they come, one connection at a time; a request past the end of the
/// script closes its connection.
pub fn serve(script: Vec<Reply>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
    let port = listener.local_addr().expect("a bound port").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    thread::spawn(move || {
        let mut script = script.into_iter();
        'connections: while let Ok((stream, _)) = listener.accept() {
            let mut reader = BufReader::new(stream);
            loop {
                let Some(request) = read_request(&mut reader) else {
                    continue 'connections;
                };
                log.lock().unwrap_or_else(|p| p.into_inner()).push(request);
                match script.next() {
                    Some(Reply::Answer(status, body)) => {
                        let _ = reader.get_mut().write_all(&answer(status, &body));
                    }
                    Some(Reply::Silent) => {
                        thread::sleep(Duration::from_secs(5));
                        continue 'connections;
                    }
                    Some(Reply::Close) | None => continue 'connections,
                }
            }
        }
    });
    Server { port, seen }
}

/// What a [`RawServer`] writes for the request with this index (counted
/// over all connections), and whether it then closes the connection.
pub type Script = dyn Fn(usize) -> (Vec<u8>, bool) + Send + Sync;

/// A server that answers every request by a [`Script`], one thread per
/// connection, and counts the connections it accepted.
pub struct RawServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    connections: Arc<AtomicUsize>,
}

impl RawServer {
    /// Starts answering by `script`.
    pub fn start(script: impl Fn(usize) -> (Vec<u8>, bool) + Send + Sync + 'static) -> RawServer {
        let script: Arc<Script> = Arc::new(script);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
        let port = listener.local_addr().expect("a bound port").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        thread::spawn(move || {
            while let Ok((stream, _)) = listener.accept() {
                counter.fetch_add(1, Ordering::SeqCst);
                let (script, requests) = (script.clone(), requests.clone());
                thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    while read_request(&mut reader).is_some() {
                        let (bytes, close) = script(requests.fetch_add(1, Ordering::SeqCst));
                        if reader.get_mut().write_all(&bytes).is_err() || close {
                            return;
                        }
                    }
                });
            }
        });
        RawServer { port, connections }
    }

    /// Starts answering every request with 200 and `body`, keeping
    /// connections open.
    pub fn answering(body: &'static [u8]) -> RawServer {
        RawServer::start(move |_| (answer(200, body), false))
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A port of 127.0.0.1 that never completes a connection: its listener has
/// a backlog of 0 and never accepts, and once its accept queue holds the one
/// connection made here the kernel drops every further SYN unanswered, as a
/// host that has gone away does. Nothing leaves the machine.
pub struct Unanswered {
    /// Its port on 127.0.0.1.
    pub port: u16,
    _listener: socket2::Socket,
    _queued: Vec<TcpStream>,
}

/// Opens an [`Unanswered`] port, checking that a connection to it does
/// time out.
pub fn unanswered() -> Unanswered {
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
    // The queue fills after one or two connections; a few more tries cover
    // kernels that count differently.
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

/// One line that reached the logger.
#[derive(Debug, Clone)]
pub struct Line {
    /// Its target.
    pub target: String,
    /// Its text.
    pub text: String,
}

/// A logger that keeps every line, at every level and target.
pub struct Capture(Mutex<Vec<Line>>);

impl Capture {
    /// The lines logged so far.
    pub fn lines(&self) -> MutexGuard<'_, Vec<Line>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = Line {
            target: record.target().to_owned(),
            text: record.args().to_string(),
        };
        self.lines().push(line);
    }
    fn flush(&self) {}
}

/// Installs [`Capture`] as the process's logger at trace level (once; a
/// test binary that calls this should have no other logger).
pub fn capture() -> &'static Capture {
    static LOGGER: OnceLock<&'static Capture> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let logger: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(logger).expect("the only logger of this binary");
        log::set_max_level(log::LevelFilter::Trace);
        logger
    })
}

/// What the trace-level tests send: credentials, a partition key and data
/// that are each a marker, so that a line containing one of [`traced::SECRETS`]
/// logged a secret or a payload.
pub mod traced {
    use kinesis_proto::ops::PutRecord;
    use kinesis_proto::{Config, Credentials, Settings};

    /// The markers: the secret key, the session token, any signature, the
    /// partition key and the record data as the request body carries it
    /// (base64).
    pub const SECRETS: [&str; 5] = [
        "SECRET-KEY-TRACETEST",
        "TOKEN-TRACETEST",
        "Signature=",
        "PARTITION-TRACETEST",
        PAYLOAD_BASE64,
    ];

    /// The record data, base64 as the request body carries it.
    pub const PAYLOAD_BASE64: &str = "UEFZTE9BRC1UUkFDRVRFU1Q=";

    /// Settings for a client of `url` with the marker credentials.
    pub fn settings(url: &str) -> Settings {
        let config = Config::new("us-east-1")
            .with_endpoint_url(url)
            .expect("a local URL");
        let credentials = Credentials::new(
            "AKIDTRACETEST",
            "SECRET-KEY-TRACETEST",
            Some("TOKEN-TRACETEST".into()),
        );
        Settings::new(config, credentials)
    }

    /// A PutRecord with the marker partition key and data.
    pub fn put() -> PutRecord {
        PutRecord::new("s", "PARTITION-TRACETEST", b"PAYLOAD-TRACETEST".to_vec())
    }
}
