//! A fault-injecting HTTP/1.1 proxy on 127.0.0.1, between a client and a
//! real server, for the producer's no-loss tests.
//!
//! Each request the proxy reads gets a number in arrival order; whether it
//! is faulted, and how, is drawn from the seed and that number alone, so a
//! run with the same seed faults the same requests the same way. A fault
//! is one of [`FaultKind`]: answers the proxy makes up without forwarding
//! (500, 503, throttling), connections reset before or after forwarding,
//! PutRecords answers with entries turned into failures, truncated bodies,
//! and stalls past the client's attempt timeout.
//!
//! Faults that come *after* forwarding hide an answer from the client
//! although the server stored the records: every record of such an answer
//! is kept ([`FaultProxy::hidden`]) so that a test can explain each
//! duplicate it reads back by one of them.
//!
//! The proxy is bounded in count and time ([`ProxyConfig::max_requests`],
//! [`ProxyConfig::lifetime`], [`ProxyConfig::max_connections`]): past
//! them it closes connections instead of forwarding. It stops when
//! dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The largest request or answer body the proxy reads (a 10 MiB
/// PutRecords grows by base64).
const MAX_BODY: usize = 16 << 20;
/// The largest request or answer head.
const MAX_HEAD: usize = 64 << 10;
/// How long a client connection may sit idle before the proxy closes it.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to answer a forwarded request.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);

/// One way the proxy mistreats a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// 500 with an empty body; not forwarded.
    InternalErrorEmpty,
    /// 503 with an HTML body (as a load balancer sends); not forwarded.
    UnavailableHtml,
    /// Forwarded, then the server's answer replaced by a 500 with an HTML
    /// body: stored, answer hidden.
    InternalErrorHtmlAfterForward,
    /// Forwarded, then the answer replaced by a 503 with an empty body:
    /// stored, answer hidden.
    UnavailableEmptyAfterForward,
    /// 400 `ProvisionedThroughputExceededException` in JSON, as Kinesis
    /// sends it; not forwarded.
    Throttled,
    /// PutRecords only: forwarded, and a 200 answer with some entries
    /// turned into `ProvisionedThroughputExceededException` or
    /// `InternalFailure`. The server stored them: those entries are hidden.
    PartialFailure,
    /// The connection reset (RST) before the request is forwarded.
    ResetBeforeForward,
    /// Forwarded, then the connection reset instead of the answer: stored,
    /// answer hidden.
    ResetAfterForward,
    /// Forwarded, then the answer's head (with its full Content-Length)
    /// and half its body, then the connection closed: stored, answer
    /// hidden.
    TruncatedBody,
    /// Forwarded, then nothing for [`ProxyConfig::stall`] (past the
    /// client's attempt timeout), then the connection closed: stored,
    /// answer hidden.
    Stall,
}

impl FaultKind {
    /// Every kind, in order.
    pub const ALL: [FaultKind; 10] = [
        FaultKind::InternalErrorEmpty,
        FaultKind::UnavailableHtml,
        FaultKind::InternalErrorHtmlAfterForward,
        FaultKind::UnavailableEmptyAfterForward,
        FaultKind::Throttled,
        FaultKind::PartialFailure,
        FaultKind::ResetBeforeForward,
        FaultKind::ResetAfterForward,
        FaultKind::TruncatedBody,
        FaultKind::Stall,
    ];

    /// Whether the request reaches the server (so what it carried may be
    /// stored although the client never learns it).
    pub fn forwards(self) -> bool {
        !matches!(
            self,
            FaultKind::InternalErrorEmpty
                | FaultKind::UnavailableHtml
                | FaultKind::Throttled
                | FaultKind::ResetBeforeForward
        )
    }

    /// Whether the kind applies to a request of `target` (the
    /// `X-Amz-Target` operation name, such as `PutRecords`).
    fn applies_to(self, operation: &str) -> bool {
        match self {
            FaultKind::PartialFailure => operation == "PutRecords",
            _ => true,
        }
    }
}

/// What the proxy does, and within which bounds.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// The seed every decision is drawn from.
    pub seed: u64,
    /// The share of faulted requests, 0.0 to 1.0.
    pub fault_rate: f64,
    /// The kinds drawn from and their weights (a kind that does not apply
    /// to a request is left out of that request's draw).
    pub weights: Vec<(FaultKind, u32)>,
    /// Only requests of these operations (`X-Amz-Target` after the dot)
    /// are faulted; `None` faults any.
    pub operations: Option<Vec<String>>,
    /// How long a [`FaultKind::Stall`] holds an answer back (make it longer
    /// than the client's attempt timeout).
    pub stall: Duration,
    /// At most this many requests are served; later ones find their
    /// connection closed.
    pub max_requests: u64,
    /// At most this many client connections at once; more are closed at
    /// once.
    pub max_connections: usize,
    /// The proxy stops serving this long after it started.
    pub lifetime: Duration,
}

impl ProxyConfig {
    /// Every kind with weight 1, at `fault_rate`, seeded with `seed`;
    /// stalls of 3 s, 100,000 requests and 64 connections at most, 10
    /// minutes at most.
    pub fn new(seed: u64, fault_rate: f64) -> ProxyConfig {
        ProxyConfig {
            seed,
            fault_rate,
            weights: FaultKind::ALL.iter().map(|k| (*k, 1)).collect(),
            operations: None,
            stall: Duration::from_secs(3),
            max_requests: 100_000,
            max_connections: 64,
            lifetime: Duration::from_secs(600),
        }
    }

    /// The same, faulting only the operations named.
    pub fn only(mut self, operations: &[&str]) -> ProxyConfig {
        self.operations = Some(operations.iter().map(|o| (*o).to_owned()).collect());
        self
    }

    /// The same, drawing only `kind` when a request is faulted.
    pub fn with_only_kind(mut self, kind: FaultKind) -> ProxyConfig {
        self.weights = vec![(kind, 1)];
        self
    }

    /// The same with stalls of `stall`.
    pub fn with_stall(mut self, stall: Duration) -> ProxyConfig {
        self.stall = stall;
        self
    }
}

/// A record the server stored (a PutRecords entry or PutRecord answer)
/// whose answer the client never saw.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StoredRecord {
    /// The shard the server put it in.
    pub shard_id: String,
    /// Its sequence number there.
    pub sequence_number: String,
}

/// An answer the proxy kept from the client after the server handled the
/// request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiddenAnswer {
    /// The request's number (arrival order, from 0).
    pub request: u64,
    /// The operation (`PutRecords`, `ListShards`, …).
    pub operation: String,
    /// How it was hidden.
    pub kind: FaultKind,
    /// The server's status.
    pub status: u16,
    /// What the server stored that the client was not told about (for
    /// [`FaultKind::PartialFailure`], only the entries turned into
    /// failures).
    pub records: Vec<StoredRecord>,
}

/// What the proxy did so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Requests read from clients.
    pub requests: u64,
    /// Requests forwarded to the server.
    pub forwarded: u64,
    /// Requests refused for being past the bounds.
    pub refused: u64,
    /// Throttling the server itself answered (before any fault): whole
    /// answers `ProvisionedThroughputExceededException` and PutRecords
    /// entries with that error code. Proof that throttling was real.
    pub server_throttled: u64,
    /// Faults injected, by kind.
    pub faults: BTreeMap<FaultKind, u64>,
}

impl ProxyStats {
    /// Faults of every kind.
    pub fn total_faults(&self) -> u64 {
        self.faults.values().sum()
    }

    /// Faults of `kind`.
    pub fn count(&self, kind: FaultKind) -> u64 {
        self.faults.get(&kind).copied().unwrap_or(0)
    }
}

impl fmt::Display for ProxyStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} requests, {} forwarded, {} throttled by the server, {} faults",
            self.requests,
            self.forwarded,
            self.server_throttled,
            self.total_faults()
        )?;
        if !self.faults.is_empty() {
            f.write_str(" (")?;
            for (i, (kind, n)) in self.faults.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{kind:?} {n}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Shared {
    stats: ProxyStats,
    hidden: Vec<HiddenAnswer>,
}

struct State {
    config: ProxyConfig,
    upstream: SocketAddr,
    started: Instant,
    next_request: AtomicU64,
    connections: AtomicUsize,
    stop: AtomicBool,
    shared: Mutex<Shared>,
}

impl State {
    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn expired(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.started.elapsed() > self.config.lifetime
    }
}

/// A fault-injecting proxy on a free port of 127.0.0.1 in front of
/// `upstream`, stopped when dropped.
///
/// ```no_run
/// use kinesis_tests::proxy::{FaultProxy, ProxyConfig};
/// let server = kinesis_tests::Ferrokinesis::shared();
/// let proxy = FaultProxy::start(server.addr(), ProxyConfig::new(7, 0.1));
/// let settings = kinesis_tests::Server::settings_for(server, &proxy.url());
/// // … send through `settings`, then:
/// println!("{}", proxy.stats());
/// ```
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<State>,
    acceptor: Option<thread::JoinHandle<()>>,
}

impl fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .field("upstream", &self.state.upstream)
            .field("stats", &self.stats())
            .finish()
    }
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream`
    /// (which must be on the loopback too). Panics if it cannot bind or
    /// `upstream` is not a loopback address.
    pub fn start(upstream: SocketAddr, config: ProxyConfig) -> FaultProxy {
        assert!(
            upstream.ip().is_loopback(),
            "the proxy forwards to the loopback only, not {upstream}"
        );
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap_or_else(|e| panic!("cannot bind a port on 127.0.0.1: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("a bound listener has an address: {e}"));
        let state = Arc::new(State {
            config,
            upstream,
            started: Instant::now(),
            next_request: AtomicU64::new(0),
            connections: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            shared: Mutex::new(Shared::default()),
        });
        let acceptor = {
            let state = state.clone();
            thread::spawn(move || accept_loop(&listener, &state))
        };
        FaultProxy {
            addr,
            state,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What it did so far.
    pub fn stats(&self) -> ProxyStats {
        self.state.lock().stats.clone()
    }

    /// Every answer it hid after the server handled the request.
    pub fn hidden_answers(&self) -> Vec<HiddenAnswer> {
        self.state.lock().hidden.clone()
    }

    /// Every record the server stored whose answer the client did not see:
    /// the duplicates a client that resends may cause.
    pub fn hidden(&self) -> BTreeSet<StoredRecord> {
        self.state
            .lock()
            .hidden
            .iter()
            .flat_map(|h| h.records.iter().cloned())
            .collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::Relaxed);
        // Wake the acceptor.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, state: &Arc<State>) {
    for stream in listener.incoming() {
        if state.expired() {
            break;
        }
        let Ok(stream) = stream else { continue };
        if state.connections.fetch_add(1, Ordering::SeqCst) >= state.config.max_connections {
            state.connections.fetch_sub(1, Ordering::SeqCst);
            reset(&stream);
            continue;
        }
        let state = state.clone();
        thread::spawn(move || {
            let _ = serve(stream, &state);
            state.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Closes `stream` with a reset (RST), not an orderly FIN.
fn reset(stream: &TcpStream) {
    let socket = socket2::SockRef::from(stream);
    let _ = socket.set_linger(Some(Duration::ZERO));
    // Dropping the caller's stream now sends the RST.
}

/// One HTTP/1.1 message: its head (start line and headers, raw) and body.
struct Message {
    head: Vec<u8>,
    body: Vec<u8>,
}

impl Message {
    /// The value of header `name` (case-insensitive), first one.
    fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.head);
        text.split("\r\n").skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }

    /// The status of an answer.
    fn status(&self) -> u16 {
        let text = String::from_utf8_lossy(&self.head);
        text.split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// The same head with its body length set to `len` (and chunked
    /// framing dropped).
    fn head_with_length(&self, len: usize) -> Vec<u8> {
        let text = String::from_utf8_lossy(&self.head);
        let mut out = String::new();
        for (i, line) in text.split("\r\n").enumerate() {
            if line.is_empty() {
                continue;
            }
            if i > 0 {
                let name = line.split(':').next().unwrap_or("").trim();
                if name.eq_ignore_ascii_case("content-length")
                    || name.eq_ignore_ascii_case("transfer-encoding")
                {
                    continue;
                }
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str(&format!("content-length: {len}\r\n\r\n"));
        out.into_bytes()
    }
}

/// Reads one message, or `None` at a clean end of stream before it.
fn read_message(reader: &mut impl BufRead) -> io::Result<Option<Message>> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader.take(MAX_HEAD as u64).read_until(b'\n', &mut head)?;
        if n == 0 {
            if head.is_empty() {
                return Ok(None);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "end of stream in a head",
            ));
        }
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
        }
        if &head[before..] == b"\r\n" && before > 0 {
            break;
        }
    }
    let mut message = Message {
        head,
        body: Vec::new(),
    };
    let chunked = message
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        message.body = read_chunked(reader)?;
    } else if let Some(len) = message.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?;
        if len > MAX_BODY {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "body too long"));
        }
        message.body = vec![0; len];
        reader.read_exact(&mut message.body)?;
    }
    Ok(Some(message))
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let mut body = Vec::new();
    loop {
        let mut line = String::new();
        reader.take(1024).read_line(&mut line)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| bad("bad chunk size"))?;
        if body.len() + size > MAX_BODY {
            return Err(bad("body too long"));
        }
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                line.clear();
                reader.take(MAX_HEAD as u64).read_line(&mut line)?;
                if line == "\r\n" || line.is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf)?;
    }
}

/// A small, seeded, reproducible generator (SplitMix64).
struct Draw(u64);

impl Draw {
    fn for_request(seed: u64, request: u64) -> Draw {
        let mut d = Draw(seed ^ request.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        d.next();
        d
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The fault (if any) for request number `request` of `operation`.
fn choose(
    config: &ProxyConfig,
    request: u64,
    operation: &str,
    draw: &mut Draw,
) -> Option<FaultKind> {
    if let Some(only) = &config.operations {
        if !only.iter().any(|o| o == operation) {
            return None;
        }
    }
    let roll = draw.unit();
    let _ = request;
    if roll >= config.fault_rate {
        return None;
    }
    let candidates: Vec<(FaultKind, u32)> = config
        .weights
        .iter()
        .copied()
        .filter(|(k, w)| *w > 0 && k.applies_to(operation))
        .collect();
    let total: u64 = candidates.iter().map(|(_, w)| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let mut pick = draw.below(total);
    for (kind, weight) in candidates {
        if pick < u64::from(weight) {
            return Some(kind);
        }
        pick -= u64::from(weight);
    }
    None
}

/// Serves one client connection until it closes or a fault ends it.
fn serve(client: TcpStream, state: &State) -> io::Result<()> {
    client.set_read_timeout(Some(IDLE_TIMEOUT))?;
    let _ = client.set_nodelay(true);
    let mut reader = BufReader::new(client.try_clone()?);
    let mut writer = client;
    let mut upstream: Option<(BufReader<TcpStream>, TcpStream)> = None;
    loop {
        let Some(request) = read_message(&mut reader)? else {
            return Ok(());
        };
        let number = state.next_request.fetch_add(1, Ordering::SeqCst);
        if number >= state.config.max_requests || state.expired() {
            state.lock().stats.refused += 1;
            reset(&writer);
            return Ok(());
        }
        let operation = request
            .header("x-amz-target")
            .and_then(|t| t.rsplit('.').next().map(str::to_owned))
            .unwrap_or_default();
        let mut draw = Draw::for_request(state.config.seed, number);
        let fault = choose(&state.config, number, &operation, &mut draw);
        {
            let mut shared = state.lock();
            shared.stats.requests += 1;
            if let Some(kind) = fault {
                *shared.stats.faults.entry(kind).or_insert(0) += 1;
            }
        }
        match fault {
            Some(FaultKind::InternalErrorEmpty) => {
                write_answer(&mut writer, 500, "Internal Server Error", &[], b"")?;
                continue;
            }
            Some(FaultKind::UnavailableHtml) => {
                write_answer(&mut writer, 503, "Service Unavailable", HTML, HTML_503)?;
                continue;
            }
            Some(FaultKind::Throttled) => {
                write_answer(
                    &mut writer,
                    400,
                    "Bad Request",
                    THROTTLE_HEADERS,
                    THROTTLE_BODY,
                )?;
                continue;
            }
            Some(FaultKind::ResetBeforeForward) => {
                reset(&writer);
                return Ok(());
            }
            _ => {}
        }
        let answer = match forward(&mut upstream, state.upstream, &request) {
            Ok(answer) => answer,
            Err(e) => {
                // The server did not answer: neither can we.
                log::debug!("proxy: upstream failed for request {number}: {e}");
                reset(&writer);
                return Ok(());
            }
        };
        {
            let throttled = server_throttles(&answer);
            let mut shared = state.lock();
            shared.stats.forwarded += 1;
            shared.stats.server_throttled += throttled;
        }
        let Some(kind) = fault else {
            writer.write_all(&answer.head)?;
            writer.write_all(&answer.body)?;
            continue;
        };
        let mut hidden = HiddenAnswer {
            request: number,
            operation: operation.clone(),
            kind,
            status: answer.status(),
            records: stored_records(&answer),
        };
        match kind {
            FaultKind::PartialFailure => {
                let (body, failed) = fail_some_entries(&answer, &mut draw);
                hidden.records = failed;
                // Kept before the client can see the answer, so that a
                // client done with its answers finds every hidden record.
                state.lock().hidden.push(hidden);
                writer.write_all(&answer.head_with_length(body.len()))?;
                writer.write_all(&body)?;
                continue;
            }
            FaultKind::InternalErrorHtmlAfterForward => {
                state.lock().hidden.push(hidden);
                write_answer(&mut writer, 500, "Internal Server Error", HTML, HTML_500)?;
                continue;
            }
            FaultKind::UnavailableEmptyAfterForward => {
                state.lock().hidden.push(hidden);
                write_answer(&mut writer, 503, "Service Unavailable", &[], b"")?;
                continue;
            }
            FaultKind::ResetAfterForward => {
                state.lock().hidden.push(hidden);
                reset(&writer);
                return Ok(());
            }
            FaultKind::TruncatedBody => {
                state.lock().hidden.push(hidden);
                writer.write_all(&answer.head_with_length(answer.body.len()))?;
                writer.write_all(&answer.body[..answer.body.len() / 2])?;
                writer.flush()?;
                let _ = writer.shutdown(Shutdown::Both);
                return Ok(());
            }
            FaultKind::Stall => {
                state.lock().hidden.push(hidden);
                let until = Instant::now() + state.config.stall;
                while Instant::now() < until && !state.stop.load(Ordering::Relaxed) {
                    thread::sleep(Duration::from_millis(20));
                }
                reset(&writer);
                return Ok(());
            }
            // Handled before forwarding.
            FaultKind::InternalErrorEmpty
            | FaultKind::UnavailableHtml
            | FaultKind::Throttled
            | FaultKind::ResetBeforeForward => {}
        }
    }
}

/// Sends `request` to the server on the connection kept for this client
/// (opened on first use, opened again once if it was closed) and reads its
/// answer.
fn forward(
    upstream: &mut Option<(BufReader<TcpStream>, TcpStream)>,
    addr: SocketAddr,
    request: &Message,
) -> io::Result<Message> {
    for attempt in 0..2 {
        if upstream.is_none() {
            let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
            stream.set_read_timeout(Some(UPSTREAM_TIMEOUT))?;
            let _ = stream.set_nodelay(true);
            *upstream = Some((BufReader::new(stream.try_clone()?), stream));
        }
        let Some((reader, writer)) = upstream.as_mut() else {
            continue;
        };
        let sent = writer
            .write_all(&request.head)
            .and_then(|()| writer.write_all(&request.body));
        let answer = sent.and_then(|()| read_message(reader));
        match answer {
            Ok(Some(answer)) => {
                let closes = answer
                    .header("connection")
                    .is_some_and(|v| v.eq_ignore_ascii_case("close"));
                if closes {
                    *upstream = None;
                }
                return Ok(answer);
            }
            // A kept connection the server closed while idle: once more on
            // a new one (nothing was read, so nothing was handled).
            Ok(None) if attempt == 0 => *upstream = None,
            Ok(None) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ))
            }
            Err(e) => {
                *upstream = None;
                return Err(e);
            }
        }
    }
    Err(io::Error::other("no connection to the server"))
}

const HTML: &[(&str, &str)] = &[("content-type", "text/html")];
const HTML_503: &[u8] = b"<html><head><title>503 Service Temporarily Unavailable</title></head>\
<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n";
const HTML_500: &[u8] = b"<html><head><title>500 Internal Server Error</title></head>\
<body><center><h1>500 Internal Server Error</h1></center></body></html>\n";
const THROTTLE_HEADERS: &[(&str, &str)] = &[
    ("content-type", "application/x-amz-json-1.1"),
    (
        "x-amzn-errortype",
        "ProvisionedThroughputExceededException:http://internal.amazon.com/coral/com.amazon.kinesis/",
    ),
];
const THROTTLE_BODY: &[u8] = br#"{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard shardId-000000000000 in stream proxied under account 000000000000."}"#;

fn write_answer(
    writer: &mut TcpStream,
    status: u16,
    reason: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "x-amzn-requestid: fault-proxy\r\ncontent-length: {}\r\n\r\n",
        body.len()
    ));
    writer.write_all(head.as_bytes())?;
    writer.write_all(body)
}

/// How many throttling answers the server's own answer holds: 1 for a
/// whole answer of `ProvisionedThroughputExceededException`, else the
/// PutRecords entries with that error code.
fn server_throttles(answer: &Message) -> u64 {
    const CODE: &str = "ProvisionedThroughputExceededException";
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&answer.body) else {
        return 0;
    };
    if answer.status() != 200 {
        let kind = json
            .get("__type")
            .and_then(|t| t.as_str())
            .unwrap_or_default();
        return u64::from(kind.rsplit('#').next() == Some(CODE));
    }
    json.get("Records")
        .and_then(|r| r.as_array())
        .map_or(0, |entries| {
            entries
                .iter()
                .filter(|e| e.get("ErrorCode").and_then(|c| c.as_str()) == Some(CODE))
                .count() as u64
        })
}

/// What a successful PutRecords or PutRecord answer says the server stored.
fn stored_records(answer: &Message) -> Vec<StoredRecord> {
    if answer.status() != 200 {
        return Vec::new();
    }
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&answer.body) else {
        return Vec::new();
    };
    let one = |v: &serde_json::Value| {
        Some(StoredRecord {
            shard_id: v.get("ShardId")?.as_str()?.to_owned(),
            sequence_number: v.get("SequenceNumber")?.as_str()?.to_owned(),
        })
    };
    match json.get("Records").and_then(|r| r.as_array()) {
        Some(entries) => entries.iter().filter_map(one).collect(),
        None => one(&json).into_iter().collect(),
    }
}

/// A PutRecords answer with some of its successful entries turned into
/// failures (at least one, about a third): the new body and the records
/// the server stored for those entries.
fn fail_some_entries(answer: &Message, draw: &mut Draw) -> (Vec<u8>, Vec<StoredRecord>) {
    let unchanged = (answer.body.clone(), Vec::new());
    if answer.status() != 200 {
        return unchanged;
    }
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&answer.body) else {
        return unchanged;
    };
    let Some(entries) = json.get_mut("Records").and_then(|r| r.as_array_mut()) else {
        return unchanged;
    };
    let successes: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.get("SequenceNumber").is_some())
        .map(|(i, _)| i)
        .collect();
    if successes.is_empty() {
        return unchanged;
    }
    let mut chosen: Vec<usize> = successes
        .iter()
        .copied()
        .filter(|_| draw.below(3) == 0)
        .collect();
    if chosen.is_empty() {
        let only = successes[draw.below(successes.len() as u64) as usize];
        chosen.push(only);
    }
    let mut failed = Vec::new();
    for &i in &chosen {
        let entry = &mut entries[i];
        if let (Some(shard), Some(seq)) = (
            entry.get("ShardId").and_then(|v| v.as_str()),
            entry.get("SequenceNumber").and_then(|v| v.as_str()),
        ) {
            failed.push(StoredRecord {
                shard_id: shard.to_owned(),
                sequence_number: seq.to_owned(),
            });
        }
        *entry = if draw.below(2) == 0 {
            serde_json::json!({
                "ErrorCode": "ProvisionedThroughputExceededException",
                "ErrorMessage": "Rate exceeded for shard shardId-000000000000 in stream proxied under account 000000000000."
            })
        } else {
            serde_json::json!({
                "ErrorCode": "InternalFailure",
                "ErrorMessage": "Internal service failure."
            })
        };
    }
    let failed_count = entries
        .iter()
        .filter(|e| e.get("ErrorCode").is_some())
        .count();
    json["FailedRecordCount"] = serde_json::json!(failed_count);
    let body = serde_json::to_vec(&json).unwrap_or_else(|_| answer.body.clone());
    (body, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::net::TcpListener;

    /// A tiny upstream: answers every request with a PutRecords-shaped
    /// 200 of three entries numbered by how many requests it has seen.
    struct Upstream {
        addr: SocketAddr,
        seen: Arc<AtomicU64>,
    }

    impl Upstream {
        fn start() -> Upstream {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
            let addr = listener.local_addr().expect("addr");
            let seen = Arc::new(AtomicU64::new(0));
            let counter = seen.clone();
            thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let counter = counter.clone();
                    thread::spawn(move || {
                        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                        let mut writer = stream;
                        while let Ok(Some(_)) = read_message(&mut reader) {
                            let n = counter.fetch_add(1, Ordering::SeqCst);
                            let body = format!(
                                r#"{{"FailedRecordCount":0,"Records":[{{"SequenceNumber":"{n}-0","ShardId":"shardId-000000000000"}},{{"SequenceNumber":"{n}-1","ShardId":"shardId-000000000000"}},{{"SequenceNumber":"{n}-2","ShardId":"shardId-000000000001"}}]}}"#
                            );
                            let head = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n",
                                body.len()
                            );
                            if writer.write_all(head.as_bytes()).is_err()
                                || writer.write_all(body.as_bytes()).is_err()
                            {
                                break;
                            }
                        }
                    });
                }
            });
            Upstream { addr, seen }
        }
    }

    /// What a raw client saw for one request.
    #[derive(Debug, PartialEq)]
    enum Seen {
        Answer(u16, Vec<u8>),
        Closed,
        Truncated,
    }

    fn send(proxy: &FaultProxy, operation: &str) -> Seen {
        let mut stream = TcpStream::connect(proxy.addr()).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let body = b"{}";
        let head = format!(
            "POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: Kinesis_20131202.{operation}\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(body).is_err() {
            return Seen::Closed;
        }
        let mut reader = BufReader::new(stream);
        match read_message(&mut reader) {
            Ok(Some(m)) => Seen::Answer(m.status(), m.body),
            Ok(None) => Seen::Closed,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Seen::Truncated,
            Err(_) => Seen::Closed,
        }
    }

    fn only(kind: FaultKind) -> ProxyConfig {
        ProxyConfig::new(1, 1.0)
            .with_only_kind(kind)
            .with_stall(Duration::from_millis(200))
    }

    #[test]
    fn no_faults_forwards_everything_unchanged() {
        let upstream = Upstream::start();
        let proxy = FaultProxy::start(upstream.addr, ProxyConfig::new(1, 0.0));
        for _ in 0..5 {
            match send(&proxy, "PutRecords") {
                Seen::Answer(200, body) => {
                    assert!(String::from_utf8_lossy(&body).contains("\"FailedRecordCount\":0"))
                }
                other => panic!("{other:?}"),
            }
        }
        let stats = proxy.stats();
        assert_eq!(
            (stats.requests, stats.forwarded, stats.total_faults()),
            (5, 5, 0)
        );
        assert!(proxy.hidden().is_empty());
        assert_eq!(upstream.seen.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn answers_made_up_without_forwarding() {
        for (kind, status, needle) in [
            (FaultKind::InternalErrorEmpty, 500, ""),
            (FaultKind::UnavailableHtml, 503, "<html>"),
            (
                FaultKind::Throttled,
                400,
                "ProvisionedThroughputExceededException",
            ),
        ] {
            let upstream = Upstream::start();
            let proxy = FaultProxy::start(upstream.addr, only(kind));
            match send(&proxy, "PutRecords") {
                Seen::Answer(s, body) => {
                    assert_eq!(s, status, "{kind:?}");
                    let body = String::from_utf8_lossy(&body);
                    assert!(body.contains(needle), "{kind:?}: {body}");
                    if needle.is_empty() {
                        assert!(body.is_empty(), "{kind:?}: {body}");
                    }
                }
                other => panic!("{kind:?}: {other:?}"),
            }
            assert_eq!(
                upstream.seen.load(Ordering::SeqCst),
                0,
                "{kind:?} forwarded"
            );
            assert_eq!(proxy.stats().count(kind), 1);
            assert!(proxy.hidden().is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn throttling_parses_as_kinesis_throttling() {
        let body: serde_json::Value = serde_json::from_slice(THROTTLE_BODY).expect("json");
        assert_eq!(body["__type"], "ProvisionedThroughputExceededException");
        let response = kinesis_proto::http::Response::builder()
            .status(400)
            .header(THROTTLE_HEADERS[1].0, THROTTLE_HEADERS[1].1)
            .body(THROTTLE_BODY.to_vec())
            .expect("response");
        let error = kinesis_proto::error::parse_service_error(&response);
        assert!(error.is_throttling(), "{error:?}");
    }

    #[test]
    fn reset_before_forwarding_sends_nothing_upstream() {
        let upstream = Upstream::start();
        let proxy = FaultProxy::start(upstream.addr, only(FaultKind::ResetBeforeForward));
        assert_eq!(send(&proxy, "PutRecords"), Seen::Closed);
        assert_eq!(upstream.seen.load(Ordering::SeqCst), 0);
        assert!(proxy.hidden().is_empty());
    }

    #[test]
    fn faults_after_forwarding_hide_what_was_stored() {
        for kind in [
            FaultKind::ResetAfterForward,
            FaultKind::TruncatedBody,
            FaultKind::Stall,
            FaultKind::InternalErrorHtmlAfterForward,
            FaultKind::UnavailableEmptyAfterForward,
        ] {
            let upstream = Upstream::start();
            let proxy = FaultProxy::start(upstream.addr, only(kind));
            let seen = send(&proxy, "PutRecords");
            match kind {
                FaultKind::ResetAfterForward | FaultKind::Stall => {
                    assert_eq!(seen, Seen::Closed, "{kind:?}")
                }
                FaultKind::TruncatedBody => assert_eq!(seen, Seen::Truncated, "{kind:?}"),
                _ => assert!(
                    matches!(seen, Seen::Answer(500 | 503, _)),
                    "{kind:?}: {seen:?}"
                ),
            }
            assert_eq!(upstream.seen.load(Ordering::SeqCst), 1, "{kind:?}");
            let hidden = proxy.hidden_answers();
            assert_eq!(hidden.len(), 1, "{kind:?}");
            assert_eq!(hidden[0].kind, kind);
            assert_eq!(hidden[0].operation, "PutRecords");
            assert_eq!(hidden[0].records.len(), 3, "{kind:?}: {hidden:?}");
            assert!(kind.forwards());
        }
    }

    #[test]
    fn stall_holds_the_answer_for_its_duration() {
        let upstream = Upstream::start();
        let proxy = FaultProxy::start(
            upstream.addr,
            only(FaultKind::Stall).with_stall(Duration::from_millis(500)),
        );
        let start = Instant::now();
        assert_eq!(send(&proxy, "ListShards"), Seen::Closed);
        assert!(
            start.elapsed() >= Duration::from_millis(450),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn partial_failure_turns_entries_into_failures_and_keeps_them() {
        let upstream = Upstream::start();
        let proxy = FaultProxy::start(upstream.addr, only(FaultKind::PartialFailure));
        let mut failed_entries = 0;
        for _ in 0..20 {
            let Seen::Answer(200, body) = send(&proxy, "PutRecords") else {
                panic!("a partial failure is a 200");
            };
            let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
            let entries = json["Records"].as_array().expect("records");
            assert_eq!(entries.len(), 3);
            let failed = entries
                .iter()
                .filter(|e| e.get("ErrorCode").is_some())
                .count();
            assert!(failed >= 1, "{json}");
            assert_eq!(json["FailedRecordCount"], failed);
            for e in entries {
                let code = e.get("ErrorCode").and_then(|c| c.as_str());
                assert!(
                    matches!(
                        code,
                        None | Some("ProvisionedThroughputExceededException" | "InternalFailure")
                    ),
                    "{e}"
                );
            }
            failed_entries += failed;
        }
        assert_eq!(proxy.hidden().len(), failed_entries);
        // Other operations are never partially failed.
        assert!(matches!(send(&proxy, "ListShards"), Seen::Answer(200, _)));
        assert_eq!(proxy.stats().count(FaultKind::PartialFailure), 20);
    }

    #[test]
    fn same_seed_same_faults() {
        let run = |seed| {
            let upstream = Upstream::start();
            let proxy = FaultProxy::start(upstream.addr, ProxyConfig::new(seed, 0.3));
            let seen: Vec<Seen> = (0..40).map(|_| send(&proxy, "PutRecords")).collect();
            let seen: Vec<String> = seen
                .into_iter()
                .map(|s| match s {
                    // Partial failures differ in sequence numbers only by
                    // the request count, which is the same in both runs.
                    Seen::Answer(status, body) => format!("{status} {}", body.len()),
                    other => format!("{other:?}"),
                })
                .collect();
            (seen, proxy.stats())
        };
        let (a, stats_a) = run(42);
        let (b, stats_b) = run(42);
        let (c, _) = run(43);
        assert_eq!(a, b);
        assert_eq!(stats_a, stats_b);
        assert_ne!(a, c, "another seed, other faults");
        // About 30 % of 40.
        assert!((4..=22).contains(&stats_a.total_faults()), "{stats_a}");
    }

    #[test]
    fn the_rate_is_kept_over_many_requests() {
        let config = ProxyConfig::new(9, 0.12);
        let faulted = (0..10_000)
            .filter(|n| choose(&config, *n, "PutRecords", &mut Draw::for_request(9, *n)).is_some())
            .count();
        assert!((1_100..=1_300).contains(&faulted), "{faulted} of 10000");
        // Every kind is drawn.
        let kinds: BTreeSet<FaultKind> = (0..10_000)
            .filter_map(|n| choose(&config, n, "PutRecords", &mut Draw::for_request(9, n)))
            .collect();
        assert_eq!(kinds.len(), FaultKind::ALL.len());
    }

    #[test]
    fn only_the_named_operations_are_faulted() {
        let upstream = Upstream::start();
        let proxy = FaultProxy::start(
            upstream.addr,
            ProxyConfig::new(3, 1.0)
                .only(&["PutRecords"])
                .with_only_kind(FaultKind::InternalErrorEmpty),
        );
        assert!(matches!(send(&proxy, "ListShards"), Seen::Answer(200, _)));
        assert!(matches!(send(&proxy, "PutRecords"), Seen::Answer(500, _)));
    }

    #[test]
    fn bounded_in_count() {
        let upstream = Upstream::start();
        let mut config = ProxyConfig::new(1, 0.0);
        config.max_requests = 3;
        let proxy = FaultProxy::start(upstream.addr, config);
        for _ in 0..3 {
            assert!(matches!(send(&proxy, "PutRecords"), Seen::Answer(200, _)));
        }
        assert_eq!(send(&proxy, "PutRecords"), Seen::Closed);
        assert_eq!(proxy.stats().refused, 1);
    }

    #[test]
    fn bounded_in_time_and_stops_on_drop() {
        let upstream = Upstream::start();
        let mut config = ProxyConfig::new(1, 0.0);
        config.lifetime = Duration::from_millis(300);
        let proxy = FaultProxy::start(upstream.addr, config);
        assert!(matches!(send(&proxy, "PutRecords"), Seen::Answer(200, _)));
        thread::sleep(Duration::from_millis(400));
        assert_eq!(send(&proxy, "PutRecords"), Seen::Closed);
        let addr = proxy.addr();
        drop(proxy);
        assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
    }

    #[test]
    fn the_server_s_own_throttling_is_counted() {
        let answer = |status: u16, body: &str| Message {
            head: format!("HTTP/1.1 {status} X\r\n\r\n").into_bytes(),
            body: body.as_bytes().to_vec(),
        };
        let entries = r#"{"FailedRecordCount":2,"Records":[{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard."},{"SequenceNumber":"1","ShardId":"s"},{"ErrorCode":"ProvisionedThroughputExceededException"},{"ErrorCode":"InternalFailure"}]}"#;
        assert_eq!(server_throttles(&answer(200, entries)), 2);
        let whole =
            r#"{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded"}"#;
        assert_eq!(server_throttles(&answer(400, whole)), 1);
        let other = r#"{"__type":"ResourceNotFoundException"}"#;
        assert_eq!(server_throttles(&answer(400, other)), 0);
        assert_eq!(server_throttles(&answer(503, "<html>")), 0);
    }

    #[test]
    fn chunked_answers_are_read_whole() {
        let mut input: &[u8] = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nabcd\r\n3;x=y\r\nefg\r\n0\r\n\r\n";
        let m = read_message(&mut input).expect("read").expect("a message");
        assert_eq!(m.body, b"abcdefg");
        let head = String::from_utf8(m.head_with_length(7)).expect("utf-8");
        assert!(head.ends_with("content-length: 7\r\n\r\n"), "{head}");
        assert!(!head.contains("chunked"), "{head}");
    }
}
