//! One client shared by 16 threads against a local server, beside the same
//! calls made one after another (the floor), end to end: prepare, sign,
//! send over HTTP/1.1 on 127.0.0.1, read and parse the answer of a
//! PutRecord with 100 bytes of data.
//!
//! The figure is the client's CPU time per call, not wall time: each calling
//! thread reads its own CPU clock (`/proc/thread-self/schedstat`) before and
//! after its calls, and the sums are what criterion reports. The server is
//! this same binary started again as a separate process, so its CPU is not
//! counted. It counts the connections it accepts; a connection opened per
//! few calls (what ureq's default of 3 idle connections per host does to 16
//! threads) shows up both in that count and in the CPU per call, as the
//! connect and close system calls are the client's. (So did a thread that
//! ureq's default resolver started at every call: see `src/resolve.rs`;
//! and a request sent in two writes, which `src/coalesce.rs` makes one.)
//!
//! Target: CPU per call at 16 threads no higher than sequential, and no
//! more connections opened than threads.
//!
//! `cargo bench -p kinesis-blocking --bench concurrent_calls -- --noplot`
//! runs criterion, then a paired measurement (the variants alternated in
//! rounds, the cheapest round of each kept, so load from other processes
//! weighs on both alike) and prints a table with the ratios and the
//! connections each variant opened; the second 16-thread row keeps ureq's
//! default pool (3 idle connections per host) for comparison, and the last
//! two rows are the same exchange written and read as bare bytes on a TCP
//! connection per thread, no HTTP library, against their own sequential
//! run: what 16 threads cost on this machine's scheduler and loopback
//! whatever the client does. Under
//! `cargo test` (no `--bench` argument) every routine runs a few times and
//! the connection bound is still checked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{black_box, Criterion};
use kinesis_blocking::ops::PutRecord;
use kinesis_blocking::{Client, Config, Credentials, Settings, TransportOptions};
use kinesis_test_server::read_request;

/// Threads sharing one client.
const THREADS: usize = 16;
/// Set in the environment of the server process.
const SERVER_ENV: &str = "KINESIS_BLOCKING_BENCH_SERVER";
/// Set to `sequential` or `threads` to run only that variant (for a
/// profiler).
const PROFILE_ENV: &str = "KINESIS_BLOCKING_BENCH_PROFILE";
/// The path that asks the server for its connection count.
const COUNT_PATH: &str = "/connections";
/// The server's answer to every PutRecord.
const PUT_OK: &[u8] = br#"{"ShardId":"shardId-000000000000","SequenceNumber":"49590338271490256608559692538361571095921575989136588898"}"#;

fn main() {
    if std::env::var_os(SERVER_ENV).is_some() {
        serve();
        return;
    }
    let bench = std::env::args().any(|a| a == "--bench");
    let options = TransportOptions::default;
    let sequential = Variant::new("sequential (floor)", 1, options(), false);
    let threaded = Variant::new("16 threads", THREADS, options(), false);
    let mut ureq_default = options();
    ureq_default.max_idle_per_host = 3;
    let before = Variant::new(
        "16 threads, 3 idle per host (ureq's)",
        THREADS,
        ureq_default,
        false,
    );
    let raw_sequential = Variant::new("bare TCP exchange, sequential", 1, options(), true);
    let raw_threaded = Variant::new("bare TCP exchange, 16 threads", THREADS, options(), true);
    // For a profiler: only one variant, many calls, e.g.
    // `KINESIS_BLOCKING_BENCH_PROFILE=threads perf record -g <this binary>`.
    if let Ok(which) = std::env::var(PROFILE_ENV) {
        let variant = if which == "sequential" {
            &sequential
        } else {
            &threaded
        };
        let calls = 100_000;
        let per_call = variant.run(calls) / calls as u32;
        println!("{}: {per_call:?} CPU per call", variant.name);
        return;
    }

    let mut criterion = Criterion::default()
        .sample_size(if bench { 20 } else { 10 })
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(if bench { 5 } else { 1 }))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("blocking_put_record_cpu_per_call");
        for variant in [&sequential, &threaded] {
            group.bench_function(variant.id(), |b| b.iter_custom(|iters| variant.run(iters)));
        }
        group.finish();
    }
    criterion.final_summary();

    // Paired rounds: every variant in each round, the cheapest round kept.
    let (rounds, calls) = if bench { (12, 3_200) } else { (1, 64) };
    let variants = [
        &sequential,
        &threaded,
        &before,
        &raw_sequential,
        &raw_threaded,
    ];
    let mut best = [Duration::MAX; 5];
    for _ in 0..rounds {
        for (variant, best) in variants.iter().zip(best.iter_mut()) {
            let per_call = variant.run(calls) / calls as u32;
            *best = (*best).min(per_call);
        }
    }
    println!();
    println!("client CPU per PutRecord round trip on 127.0.0.1 (server in its own process, not counted),");
    println!("cheapest of {rounds} paired rounds of {calls} calls:");
    println!(
        "{:<46} {:>10} {:>12} {:>12}",
        "", "CPU/call", "ratio", "connections"
    );
    for (i, (variant, per_call)) in variants.iter().zip(best).enumerate() {
        // The bare exchanges are measured against their own sequential run.
        let floor = if i < 3 { best[0] } else { best[3] };
        println!(
            "{:<46} {:>8.1}µs {:>11.2}× {:>12}",
            variant.name,
            per_call.as_secs_f64() * 1e6,
            per_call.as_secs_f64() / floor.as_secs_f64(),
            variant.connections(),
        );
    }
    let opened = threaded.connections();
    assert!(
        opened <= THREADS,
        "{THREADS} threads opened {opened} connections"
    );
}

/// One way of making calls: a client and a server process of its own, and
/// `threads` calling threads that live as long as the variant (a thread
/// started per batch would bill its start and exit, and the TLB shootdowns
/// they cause on the other threads, to the calls).
struct Variant {
    name: &'static str,
    threads: usize,
    /// One channel per calling thread: how many calls to make next.
    work: Vec<mpsc::Sender<u64>>,
    /// The CPU time each batch of calls took, from every thread.
    done: mpsc::Receiver<Duration>,
    server: Server,
}

impl Variant {
    /// A variant calling through a client with `options`, or, with `raw`,
    /// writing a fixed request on a TCP connection of each thread and
    /// reading the answer, with no HTTP library at all.
    fn new(name: &'static str, threads: usize, options: TransportOptions, raw: bool) -> Self {
        let server = Server::spawn();
        let config = Config::new("us-east-1")
            .with_endpoint_url(&format!("http://127.0.0.1:{}", server.port))
            .expect("a local endpoint");
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
        );
        let client = Client::with_transport_options(Settings::new(config, credentials), options)
            .expect("valid settings");
        let (report, done) = mpsc::channel();
        let work = (0..threads)
            .map(|_| {
                let (tx, rx) = mpsc::channel::<u64>();
                let (client, report) = (client.clone(), report.clone());
                let port = server.port;
                thread::spawn(move || {
                    let put = PutRecord::new("bench-stream", "partition-1", vec![7; 100]);
                    let mut raw = raw.then(|| RawCaller::new(port));
                    for n in rx {
                        let started = thread_cpu();
                        for _ in 0..n {
                            match &mut raw {
                                Some(raw) => raw.call(),
                                None => {
                                    let out = client.call(&put).expect("the local server answers");
                                    black_box(out);
                                }
                            }
                        }
                        let _ = report.send(thread_cpu().saturating_sub(started));
                    }
                });
                tx
            })
            .collect();
        Variant {
            name,
            threads,
            work,
            done,
            server,
        }
    }

    fn id(&self) -> &'static str {
        if self.threads == 1 {
            "a_sequential"
        } else {
            "b_16_threads"
        }
    }

    /// Makes `calls` calls, spread over the threads, and returns the CPU
    /// time the calling threads spent on them.
    fn run(&self, calls: u64) -> Duration {
        let threads = self.threads as u64;
        for (i, work) in self.work.iter().enumerate() {
            let n = calls / threads + u64::from((i as u64) < calls % threads);
            work.send(n).expect("a calling thread");
        }
        (0..self.threads)
            .map(|_| self.done.recv().expect("a calling thread"))
            .sum()
    }

    /// Connections this variant's server accepted.
    fn connections(&self) -> usize {
        self.server.accepted()
    }
}

/// A bare HTTP/1.1 exchange over one kept-alive connection: the same bytes
/// a client call sends and receives, without preparing, signing, parsing or
/// pooling, in one write each way. What the machine's scheduler and
/// loopback charge for a round trip, at this many threads.
struct RawCaller {
    stream: TcpStream,
    request: Vec<u8>,
    answer: Vec<u8>,
}

impl RawCaller {
    fn new(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("reach the server");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let body = format!(
            r#"{{"Data":"{}","PartitionKey":"partition-1","StreamName":"bench-stream"}}"#,
            "B".repeat(136)
        );
        let request = format!(
            "POST / HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/x-amz-json-1.1\r\n\
             x-amz-target: Kinesis_20131202.PutRecord\r\nx-amz-date: 20231114T221320Z\r\n\
             authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/kinesis/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={}\r\n\
             content-length: {}\r\n\r\n{body}",
            "0".repeat(64),
            body.len()
        );
        RawCaller {
            stream,
            request: request.into_bytes(),
            answer: vec![0; answer().len()],
        }
    }

    fn call(&mut self) {
        self.stream.write_all(&self.request).expect("send");
        self.stream
            .read_exact(&mut self.answer)
            .expect("the answer");
        black_box(&self.answer);
    }
}

/// This thread's CPU time so far (Linux: `/proc/thread-self/schedstat`,
/// nanoseconds on the CPU); elsewhere wall time, which counts waiting too.
fn thread_cpu() -> Duration {
    static WALL: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
    match ns {
        Some(ns) => Duration::from_nanos(ns),
        None => WALL.get_or_init(Instant::now).elapsed(),
    }
}

/// The server process, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn spawn() -> Server {
        let exe = std::env::current_exe().expect("this benchmark's path");
        let mut child = Command::new(exe)
            .env(SERVER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server process");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the server's port");
        let port = line.trim().parse().expect("a port number");
        Server { child, port }
    }

    /// Connections the server has accepted (not counting the ones that ask).
    fn accepted(&self) -> usize {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("reach the server");
        write!(
            stream,
            "GET {COUNT_PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"
        )
        .expect("ask for the count");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("the count");
        answer
            .rsplit("\r\n\r\n")
            .next()
            .and_then(|body| body.trim().parse().ok())
            .expect("a count in the answer")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server process: answers every request on every connection with a
/// PutRecord answer, one thread per connection, and counts connections.
fn serve() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("bound").port();
    println!("{port}");
    let _ = std::io::stdout().flush();
    // Stop when the benchmark goes away (its end of stdin closes).
    thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let accepted = Arc::new(AtomicUsize::new(0));
    while let Ok((stream, _)) = listener.accept() {
        let accepted = accepted.clone();
        thread::spawn(move || connection(stream, &accepted));
    }
}

/// The server's answer to every PutRecord, head and body.
fn answer() -> Vec<u8> {
    kinesis_test_server::answer(200, PUT_OK)
}

fn connection(stream: TcpStream, accepted: &AtomicUsize) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream);
    let mut first = true;
    let answer = answer();
    while let Some(request) = read_request(&mut reader) {
        if request.head[0].contains(COUNT_PATH) {
            let count = accepted.load(Ordering::SeqCst).to_string();
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{count}",
                count.len()
            );
            return;
        }
        if first {
            accepted.fetch_add(1, Ordering::SeqCst);
            first = false;
        }
        if reader.get_mut().write_all(&answer).is_err() {
            return;
        }
    }
}
