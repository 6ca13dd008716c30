//! kinesis-async against kinesis-mock on 127.0.0.1.
//!
//! - Every shared scenario of `kinesis_tests::scenarios`, driven by the
//!   async client, over plain HTTP (`plain_http::*`) and over the mock's TLS
//!   port with its certificate as an extra root (`over_tls::*`, where ALPN
//!   picks HTTP/2).
//! - What only an async client has: many calls in flight on one client,
//!   dropped call futures, HTTP/2 multiplexing. Connections are counted by a
//!   TCP proxy on 127.0.0.1 in front of the mock (`CountingProxy`): it
//!   counts what the mock would see, not what the client says about itself.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Waker};
use std::time::Duration;

use async_std::net::{TcpListener, TcpStream};
use async_std::task;
use kinesis_async::{Client, Transport, TransportOptions};
use kinesis_proto::http::Version;
use kinesis_proto::ops::{ListStreams, PutRecord};
use kinesis_proto::Error;
use kinesis_proto::{Operation, Settings};
use kinesis_tests::steps::{self, TestStream};
use kinesis_tests::{Driver, KinesisMock};

// ---- the async client as a scenario driver ----

/// The async client, driven by the (blocking) scenarios: each call blocks
/// on its future.
pub struct AsyncDriver(Client);

impl Driver for AsyncDriver {
    fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        task::block_on(self.0.call(op))
    }
}

/// Settings in, driver out: the scenarios' view of `Client::new`.
fn connect(settings: Settings) -> Result<AsyncDriver, Error> {
    Client::new(settings).map(AsyncDriver)
}

/// As [`connect`], but a client the scenario meant for the mock's plain
/// port goes to its TLS port instead, trusting the mock's certificate.
/// (Clients of other endpoints, such as a scenario's counting listener,
/// are left alone.)
fn connect_tls(settings: Settings) -> Result<AsyncDriver, Error> {
    let mock = KinesisMock::shared();
    let port = settings.config.endpoint_url().and_then(|u| u.port_u16());
    if port == Some(mock.plain_port()) {
        let mut tls = mock.tls_settings();
        tls.timeouts = settings.timeouts;
        tls.retry = settings.retry;
        tls.credentials = settings.credentials;
        tls.extra_root_certificates_pem
            .extend(settings.extra_root_certificates_pem);
        return connect(tls);
    }
    connect(settings)
}

mod plain_http {
    kinesis_tests::scenario_tests!(super::connect);
}

mod over_tls {
    kinesis_tests::scenario_tests!(super::connect_tls);
}

// ---- counting connections ----

/// A TCP proxy on 127.0.0.1 in front of one port of the mock, counting the
/// connections it accepts. Runs until the test binary exits.
struct CountingProxy {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl CountingProxy {
    async fn start(upstream_port: u16) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        task::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                task::spawn(pipe(client, upstream_port));
            }
        });
        CountingProxy { port, accepted }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// Copies bytes both ways between `client` and the mock until both sides
/// are done.
async fn pipe(client: TcpStream, upstream_port: u16) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)).await else {
        return;
    };
    let (mut client_r, mut client_w) = (client.clone(), client);
    let (mut server_r, mut server_w) = (server.clone(), server);
    let up = task::spawn(async move {
        let _ = async_std::io::copy(&mut client_r, &mut server_w).await;
        let _ = server_w.shutdown(std::net::Shutdown::Write);
    });
    let _ = async_std::io::copy(&mut server_r, &mut client_w).await;
    let _ = client_w.shutdown(std::net::Shutdown::Write);
    up.await;
}

/// Which port of the mock a test talks to.
#[derive(Debug, Clone, Copy)]
enum Port {
    Plain,
    Tls,
}

/// A proxy in front of `port` of the mock, and settings for a client of it.
async fn via_proxy(port: Port) -> (CountingProxy, Settings) {
    let mock = KinesisMock::shared();
    let (upstream, scheme) = match port {
        Port::Plain => (mock.plain_port(), "http"),
        Port::Tls => (mock.tls_port(), "https"),
    };
    let proxy = CountingProxy::start(upstream).await;
    let mut settings = mock.settings_for(&format!("{scheme}://127.0.0.1:{}", proxy.port));
    if let Port::Tls = port {
        settings
            .extra_root_certificates_pem
            .push(mock.certificate_pem().to_vec());
    }
    (proxy, settings)
}

/// A stream of one shard for one test, made and deleted through a client
/// that does not go through any proxy.
fn test_stream<'d>(driver: &'d AsyncDriver, test: &str) -> TestStream<'d, AsyncDriver> {
    TestStream::create(driver, format!("async-{test}-{}", std::process::id()), 1)
}

fn direct_driver() -> AsyncDriver {
    connect(KinesisMock::shared().settings()).expect("a client of the mock")
}

fn put(stream: &str, i: usize) -> PutRecord {
    PutRecord::new(stream, format!("key-{i}"), steps::record_data(i))
}

// ---- the HTTP layer on its own ----

/// Sends a signed ListStreams through `transport` and checks the answer;
/// returns the HTTP version it came over.
async fn list_streams(transport: &Transport, settings: &Settings) -> Version {
    let proto = kinesis_proto::Client::new(settings.config.clone());
    let now = time::OffsetDateTime::now_utc();
    let (request, expect) = proto
        .prepare(&ListStreams::new(), &settings.credentials, now)
        .expect("a valid request");
    let response = transport.send(request).await.expect("an answer");
    assert_eq!(
        response.status(),
        200,
        "{}",
        String::from_utf8_lossy(response.body())
    );
    expect.parse(&response).expect("a ListStreams output");
    response.version()
}

#[test]
fn plain_port_speaks_http1_and_reuses_one_connection() {
    task::block_on(async {
        let (proxy, settings) = via_proxy(Port::Plain).await;
        let transport =
            Transport::new(&settings, TransportOptions::default()).expect("a transport");
        for _ in 0..5 {
            assert_eq!(list_streams(&transport, &settings).await, Version::HTTP_11);
        }
        assert_eq!(proxy.accepted(), 1);
    });
}

#[test]
fn tls_port_negotiates_http2_by_alpn_and_reuses_one_connection() {
    task::block_on(async {
        let (proxy, settings) = via_proxy(Port::Tls).await;
        let transport =
            Transport::new(&settings, TransportOptions::default()).expect("a transport");
        for _ in 0..5 {
            assert_eq!(list_streams(&transport, &settings).await, Version::HTTP_2);
        }
        assert_eq!(proxy.accepted(), 1);
    });
}

#[test]
fn tls_port_is_refused_without_the_extra_root() {
    let mock = KinesisMock::shared();
    let client = Client::new(mock.settings_for(&mock.tls_url())).expect("a client");
    let err =
        task::block_on(client.call(&ListStreams::new())).expect_err("an untrusted certificate");
    match err {
        Error::Transport(e) => {
            assert_eq!(e.kind, kinesis_async::TransportErrorKind::Tls, "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn idle_connections_are_not_kept_past_the_idle_timeout() {
    task::block_on(async {
        let (proxy, settings) = via_proxy(Port::Plain).await;
        let mut options = TransportOptions::default();
        options.idle_timeout = Duration::ZERO;
        let transport = Transport::new(&settings, options).expect("a transport");
        for _ in 0..3 {
            list_streams(&transport, &settings).await;
        }
        assert_eq!(proxy.accepted(), 3);
    });
}

// ---- many calls at once ----

/// How long one of the 200 calls may take, waiting for a connection slot
/// (or HTTP/2 stream) included. The default attempt limit (10 s) counts
/// that wait: with 200 calls queued on 16 connections, the last waits for
/// about 13 round trips before its own, and on a loaded machine (a 2-core
/// box running several builds) kinesis-mock's round trips slow enough for
/// the last calls to time out, be retried on new connections, and fail the
/// test or its connection bound. This test is about the pool, not latency.
const PATIENT: Duration = Duration::from_secs(120);

/// 200 put_record calls at once on one client through a counting proxy;
/// every one must succeed and the records must all be in the stream.
/// Returns the connections the client opened.
fn put_200_at_once(port: Port, test: &str) -> usize {
    let direct = direct_driver();
    let stream = test_stream(&direct, test);
    let started = std::time::Instant::now();
    let connections = task::block_on(async {
        let (proxy, mut settings) = via_proxy(port).await;
        settings.timeouts.attempt = Some(PATIENT);
        settings.timeouts.connect = Some(PATIENT);
        let client = Client::new(settings).expect("a client");
        let calls: Vec<_> = (0..200)
            .map(|i| {
                let (client, put) = (client.clone(), put(stream.name(), i));
                task::spawn(async move { client.put_record(&put).await })
            })
            .collect();
        for (i, call) in calls.into_iter().enumerate() {
            let output = call.await.unwrap_or_else(|e| {
                panic!("put_record #{i} failed after {:?}: {e}", started.elapsed())
            });
            assert_eq!(output.shard_id, "shardId-000000000000");
            assert!(!output.sequence_number.is_empty());
        }
        proxy.accepted()
    });
    eprintln!(
        "200 concurrent put_record calls over {port:?}: {connections} connection(s), {:?}",
        started.elapsed()
    );
    let records = steps::read_stream(&direct, stream.name());
    assert_eq!(records.len(), 200);
    connections
}

#[test]
fn put_record_200_at_once_over_http1_uses_a_bounded_pool() {
    let connections = put_200_at_once(Port::Plain, "200-http1");
    let limit = TransportOptions::default().max_connections_per_host;
    assert!(
        (1..=limit).contains(&connections),
        "{connections} connections"
    );
}

#[test]
fn put_record_200_at_once_over_http2_share_one_connection() {
    assert_eq!(put_200_at_once(Port::Tls, "200-http2"), 1);
}

// ---- cancelled calls ----

/// Cancels calls at many points in flight, then checks the client still
/// works: with one HTTP/1.1 connection slot, a slot leaked by a cancelled
/// call would make every later call wait forever.
fn cancelled_calls_leave_the_client_usable(port: Port, test: &str) {
    let direct = direct_driver();
    let stream = test_stream(&direct, test);
    task::block_on(async {
        let (proxy, settings) = via_proxy(port).await;
        let mut options = TransportOptions::default();
        options.max_connections_per_host = 1;
        let client = Client::with_transport_options(settings, options).expect("a client");
        client
            .put_record(&put(stream.name(), 0))
            .await
            .expect("a first call");

        // Dropped after its first poll: it got as far as it could without
        // waiting (a request may be on the wire).
        {
            let put = put(stream.name(), 1);
            let mut call = pin!(client.put_record(&put));
            let _ = call.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        }
        // Dropped by a time limit at points from before connecting to
        // during the answer.
        for micros in [1, 20, 100, 300, 1_000, 3_000, 10_000] {
            let put = put(stream.name(), 2);
            let _ =
                async_std::future::timeout(Duration::from_micros(micros), client.put_record(&put))
                    .await;
        }
        let next: Vec<_> = (0..20)
            .map(|i| {
                let (client, put) = (client.clone(), put(stream.name(), 100 + i));
                task::spawn(async move { client.put_record(&put).await })
            })
            .collect();
        for call in next {
            async_std::future::timeout(Duration::from_secs(30), call)
                .await
                .expect("no connection slot was leaked")
                .expect("the call succeeds");
        }
        eprintln!(
            "{port:?}: {} connection(s) after cancelled calls",
            proxy.accepted()
        );
    });
}

#[test]
fn cancelled_calls_leave_the_client_usable_over_http1() {
    cancelled_calls_leave_the_client_usable(Port::Plain, "cancel-http1");
}

#[test]
fn cancelled_calls_leave_the_client_usable_over_http2() {
    cancelled_calls_leave_the_client_usable(Port::Tls, "cancel-http2");
}
