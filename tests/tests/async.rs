//! kinesis-async against kinesis-mock on 127.0.0.1: the HTTP layer on its
//! own (protocol negotiation, connection reuse, cancellation), with every
//! connection counted by a TCP proxy in front of the mock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_std::net::{TcpListener, TcpStream};
use async_std::task;
use kinesis_async::{Transport, TransportOptions};
use kinesis_proto::http::{self, Version};
use kinesis_proto::Settings;
use kinesis_tests::KinesisMock;

/// A TCP proxy on 127.0.0.1 in front of one port of the mock, counting the
/// connections it accepts. Runs until the test binary exits.
struct CountingProxy {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl CountingProxy {
    async fn start(upstream_port: u16) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        task::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { return };
                counter.fetch_add(1, Ordering::SeqCst);
                task::spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)).await else { return };
                    let (mut client_r, mut client_w) = (client.clone(), client);
                    let (mut server_r, mut server_w) = (server.clone(), server);
                    let up = task::spawn(async move {
                        let _ = async_std::io::copy(&mut client_r, &mut server_w).await;
                        let _ = server_w.shutdown(std::net::Shutdown::Write);
                    });
                    let _ = async_std::io::copy(&mut server_r, &mut client_w).await;
                    let _ = client_w.shutdown(std::net::Shutdown::Write);
                    up.await;
                });
            }
        });
        CountingProxy { port, accepted }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// Which port of the mock a test talks to.
#[derive(Debug, Clone, Copy)]
enum Port {
    Plain,
    Tls,
}

/// Settings for a client of `port` of the mock, through `proxy`.
fn settings_via(mock: &KinesisMock, port: Port, proxy: &CountingProxy) -> Settings {
    match port {
        Port::Plain => mock.settings_for(&format!("http://127.0.0.1:{}", proxy.port)),
        Port::Tls => {
            let mut settings = mock.settings_for(&format!("https://127.0.0.1:{}", proxy.port));
            settings.extra_root_certificates_pem.push(mock.certificate_pem().to_vec());
            settings
        }
    }
}

fn upstream(mock: &KinesisMock, port: Port) -> u16 {
    match port {
        Port::Plain => mock.plain_port(),
        Port::Tls => mock.tls_port(),
    }
}

/// A ListStreams request the mock accepts (it checks that a request is
/// signed, not the signature).
fn list_streams(settings: &Settings) -> http::Request<Vec<u8>> {
    let uri = settings.config.endpoint_url().expect("an endpoint").clone();
    let host = uri.authority().expect("an authority").to_string();
    http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("host", host)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "Kinesis_20131202.ListStreams")
        .header("x-amz-date", "20240101T000000Z")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kinesis/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=00",
        )
        .body(b"{}".to_vec())
        .expect("a valid request")
}

async fn transport_via(port: Port) -> (Transport, Settings, CountingProxy) {
    transport_with(port, TransportOptions::default()).await
}

async fn transport_with(port: Port, options: TransportOptions) -> (Transport, Settings, CountingProxy) {
    let mock = KinesisMock::shared();
    let proxy = CountingProxy::start(upstream(mock, port)).await;
    let settings = settings_via(mock, port, &proxy);
    let transport = Transport::new(&settings, options).expect("a transport");
    (transport, settings, proxy)
}

async fn list_ok(transport: &Transport, settings: &Settings) -> Version {
    let response = transport.send(list_streams(settings)).await.expect("an answer");
    assert_eq!(response.status(), 200, "{}", String::from_utf8_lossy(response.body()));
    let body: serde_json::Value = serde_json::from_slice(response.body()).expect("JSON");
    assert!(body["StreamNames"].is_array(), "{body}");
    response.version()
}

#[test]
fn transport_speaks_http1_on_the_plain_port_and_reuses_its_connection() {
    task::block_on(async {
        let (transport, settings, proxy) = transport_via(Port::Plain).await;
        for _ in 0..5 {
            assert_eq!(list_ok(&transport, &settings).await, Version::HTTP_11);
        }
        assert_eq!(proxy.accepted(), 1);
    });
}

#[test]
fn transport_negotiates_http2_on_the_tls_port() {
    task::block_on(async {
        let (transport, settings, proxy) = transport_via(Port::Tls).await;
        for _ in 0..5 {
            assert_eq!(list_ok(&transport, &settings).await, Version::HTTP_2);
        }
        assert_eq!(proxy.accepted(), 1);
    });
}

#[test]
fn transport_refuses_the_tls_port_without_the_extra_root() {
    task::block_on(async {
        let mock = KinesisMock::shared();
        let settings = mock.settings_for(&mock.tls_url());
        let transport = Transport::new(&settings, TransportOptions::default()).expect("a transport");
        let err = transport.send(list_streams(&settings)).await.expect_err("untrusted certificate");
        assert_eq!(err.kind, kinesis_proto::call::TransportErrorKind::Tls, "{err}");
    });
}

/// 200 requests at once over one transport.
async fn concurrent(port: Port) -> (usize, Vec<Version>) {
    let (transport, settings, proxy) = transport_via(port).await;
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (transport, settings) = (transport.clone(), settings.clone());
            task::spawn(async move { list_ok(&transport, &settings).await })
        })
        .collect();
    let mut versions = Vec::new();
    for t in tasks {
        versions.push(t.await);
    }
    (proxy.accepted(), versions)
}

#[test]
fn transport_200_at_once_over_http1_use_a_bounded_pool() {
    task::block_on(async {
        let (connections, versions) = concurrent(Port::Plain).await;
        assert!(versions.iter().all(|v| *v == Version::HTTP_11));
        let limit = TransportOptions::default().max_connections_per_host;
        assert!((1..=limit).contains(&connections), "{connections} connections");
        eprintln!("200 concurrent requests over HTTP/1.1: {connections} connections");
    });
}

#[test]
fn transport_200_at_once_over_http2_share_one_connection() {
    task::block_on(async {
        let (connections, versions) = concurrent(Port::Tls).await;
        assert!(versions.iter().all(|v| *v == Version::HTTP_2));
        assert_eq!(connections, 1);
    });
}

/// Drops sends at several points in flight, then checks the transport
/// still works and has not leaked its single HTTP/1.1 connection slot.
async fn cancelled(port: Port) {
    let mut options = TransportOptions::default();
    options.max_connections_per_host = 1;
    let (transport, settings, proxy) = transport_with(port, options).await;
    list_ok(&transport, &settings).await;
    for micros in [1, 50, 200, 1_000, 3_000, 10_000] {
        let dropped = async_std::future::timeout(Duration::from_micros(micros), transport.send(list_streams(&settings)));
        let _ = dropped.await;
    }
    // The one slot must be free again: with it leaked, these would wait
    // forever.
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let (transport, settings) = (transport.clone(), settings.clone());
            task::spawn(async move { list_ok(&transport, &settings).await })
        })
        .collect();
    for t in tasks {
        async_std::future::timeout(Duration::from_secs(30), t).await.expect("no slot leaked");
    }
    eprintln!("{port:?}: {} connections after cancellations", proxy.accepted());
}

#[test]
fn transport_survives_dropped_sends_over_http1() {
    task::block_on(cancelled(Port::Plain));
}

#[test]
fn transport_survives_dropped_sends_over_http2() {
    task::block_on(cancelled(Port::Tls));
}
