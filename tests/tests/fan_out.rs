//! Enhanced fan-out against ferrokinesis on 127.0.0.1, which serves
//! SubscribeToShard over cleartext HTTP/2 (h2c, prior knowledge): the
//! async client's event-stream path end to end, no HTTP layer mocked.
#![allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_std::task;
use futures_core::Stream;
use kinesis_async::eventstream::{ShardEvent, ShardSubscription, SubscriptionEvent};
use kinesis_async::ops::{
    CreateStream, DescribeStreamConsumer, ListShards, PutRecord, RegisterStreamConsumer,
    ShardIteratorType, SubscribeToShard,
};
use kinesis_async::{Client, ErrorCode};
use kinesis_tests::{Ferrokinesis, KinesisMock};

async fn next<S: Stream + Unpin>(s: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *s).poll_next(cx)).await
}

fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh ACTIVE one-shard stream named from `prefix`: its name, ARN
/// and shard.
async fn one_shard_stream(client: &Client, prefix: &str) -> (String, String, String) {
    let name = unique(prefix);
    client
        .create_stream(&CreateStream::new(name.as_str()).with_shard_count(1))
        .await
        .unwrap();
    let summary = client
        .wait_for_stream_active(name.as_str(), Duration::from_secs(30))
        .await
        .unwrap();
    let shard = client
        .list_shards(&ListShards::new(name.as_str()))
        .await
        .unwrap()
        .shards[0]
        .shard_id
        .clone();
    (name, summary.stream_arn, shard)
}

/// A fresh one-shard stream with a registered, ACTIVE consumer: the
/// client, the stream's name, its shard and the consumer's ARN.
async fn stream_with_consumer() -> (Client, String, String, String) {
    stream_with_consumer_on(Client::new(Ferrokinesis::shared().settings()).unwrap()).await
}

async fn stream_with_consumer_on(client: Client) -> (Client, String, String, String) {
    let (name, stream_arn, shard) = one_shard_stream(&client, "fan-out").await;
    let registered = client
        .register_stream_consumer(&RegisterStreamConsumer::new(stream_arn.as_str(), "reader"))
        .await
        .unwrap();
    let arn = registered.consumer.consumer_arn;
    client
        .wait_for_consumer_active(
            DescribeStreamConsumer::new(arn.as_str()),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    (client, name, shard, arn)
}

/// One subscription: the initial response first, then records put while
/// subscribed arrive through the stream as frames come.
#[test]
fn subscribe_to_shard_streams_records_put_while_subscribed() {
    task::block_on(async {
        let (client, name, shard, arn) = stream_with_consumer().await;
        let op = SubscribeToShard::new(arn.as_str(), shard.as_str(), ShardIteratorType::Latest);
        let mut events = client.subscribe_to_shard(&op).await.unwrap();
        assert_eq!(
            next(&mut events).await.unwrap().unwrap(),
            ShardEvent::InitialResponse
        );
        for i in 0..5 {
            client
                .put_record(&PutRecord::new(
                    name.as_str(),
                    "k",
                    format!("live-{i}").into_bytes(),
                ))
                .await
                .unwrap();
        }
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while got.len() < 5 && Instant::now() < deadline {
            match next(&mut events).await {
                Some(Ok(ShardEvent::Event(e))) => got.extend(
                    e.records
                        .into_iter()
                        .map(|r| String::from_utf8(r.data).unwrap()),
                ),
                Some(Ok(other)) => panic!("{other:?}"),
                Some(Err(e)) => panic!("{e}"),
                None => break,
            }
        }
        assert_eq!(got, ["live-0", "live-1", "live-2", "live-3", "live-4"]);
    });
}

/// The subscription machine through resubscriptions (a 2-second
/// lifetime forces several): every record put exactly once, in order.
#[test]
fn fan_out_shard_delivers_every_record_once_in_order_across_resubscriptions() {
    task::block_on(async {
        let (client, name, shard, arn) = stream_with_consumer().await;
        let sub = ShardSubscription::new(
            arn.as_str(),
            shard.as_str(),
            ShardIteratorType::TrimHorizon,
            Instant::now(),
        )
        .with_lifetime(Duration::from_secs(2));
        let mut events = client.fan_out_shard(sub);
        const N: usize = 60;
        let producer = {
            let client = client.clone();
            let name = name.clone();
            task::spawn(async move {
                for i in 0..N {
                    client
                        .put_record(&PutRecord::new(
                            name.as_str(),
                            format!("k{}", i % 7),
                            format!("r{i}").into_bytes(),
                        ))
                        .await
                        .unwrap();
                    task::sleep(Duration::from_millis(100)).await;
                }
            })
        };
        let mut data = Vec::new();
        let mut sequence_numbers: Vec<String> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while data.len() < N && Instant::now() < deadline {
            match async_std::future::timeout(Duration::from_secs(20), next(&mut events)).await {
                Ok(Some(SubscriptionEvent::Records { records, .. })) => {
                    for r in records {
                        data.push(String::from_utf8(r.data).unwrap());
                        sequence_numbers.push(r.sequence_number);
                    }
                }
                Ok(Some(other)) => panic!("{other:?}"),
                Ok(None) => panic!("the stream ended after {} records", data.len()),
                Err(_) => panic!("nothing for 20 s after {} records", data.len()),
            }
        }
        producer.await;
        let want: Vec<String> = (0..N).map(|i| format!("r{i}")).collect();
        assert_eq!(data, want, "every record once, in order");
        let mut sorted = sequence_numbers.clone();
        sorted.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        sorted.dedup();
        assert_eq!(
            sorted, sequence_numbers,
            "sequence numbers rise, none twice"
        );
    });
}

/// ferrokinesis refuses a subscription while the consumer is still
/// CREATING with ResourceInUseException: the error answer surfaces as that
/// service error, and the subscription machine backs off on it until the
/// consumer is ACTIVE, then delivers.
#[test]
fn resource_in_use_surfaces_and_the_machine_backs_off_through_it() {
    task::block_on(async {
        let client = Client::new(Ferrokinesis::shared().settings()).unwrap();
        let (name, stream_arn, shard) = one_shard_stream(&client, "fan-out-early").await;
        client
            .put_record(&PutRecord::new(name.as_str(), "k", b"before".to_vec()))
            .await
            .unwrap();
        let arn = client
            .register_stream_consumer(&RegisterStreamConsumer::new(stream_arn.as_str(), "early"))
            .await
            .unwrap()
            .consumer
            .consumer_arn;
        let op =
            SubscribeToShard::new(arn.as_str(), shard.as_str(), ShardIteratorType::TrimHorizon);
        let error = client.subscribe_to_shard(&op).await.unwrap_err();
        assert_eq!(error.code(), Some(&ErrorCode::ResourceInUse), "{error}");

        let started = Instant::now();
        let sub = ShardSubscription::new(
            arn.as_str(),
            shard.as_str(),
            ShardIteratorType::TrimHorizon,
            started,
        );
        let mut events = client.fan_out_shard(sub);
        match async_std::future::timeout(Duration::from_secs(20), next(&mut events)).await {
            Ok(Some(SubscriptionEvent::Records { records, .. })) => {
                assert_eq!(records.len(), 1);
                assert_eq!(records[0].data, b"before");
            }
            other => panic!("{other:?}"),
        }
    });
}

/// A consumer that does not exist: ResourceNotFound, not a hang.
#[test]
fn an_unknown_consumer_is_resource_not_found() {
    task::block_on(async {
        let (client, _name, shard, arn) = stream_with_consumer().await;
        let unknown = format!("{}9", arn);
        let op = SubscribeToShard::new(unknown.as_str(), shard.as_str(), ShardIteratorType::Latest);
        let started = Instant::now();
        let error = match client.subscribe_to_shard(&op).await {
            Err(e) => e,
            Ok(mut events) => match next(&mut events).await {
                Some(Err(e)) => e,
                other => panic!("{other:?}"),
            },
        };
        assert!(
            matches!(
                error.code(),
                Some(ErrorCode::ResourceNotFound | ErrorCode::InvalidArgument)
            ),
            "{error}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    });
}

/// A scripted HTTP/2 server (hyper's, cleartext, on 127.0.0.1) that
/// answers any request with the shared SubscribeToShard vector stream:
/// the initial response, then nothing until the test says it saw it, then
/// the rest in 7-byte DATA frames (two events, then a
/// ResourceInUseException message). ferrokinesis never sends an exception
/// message, and this shows the decoder gets frames as they arrive.
mod scripted {
    use std::convert::Infallible;
    use std::net::SocketAddr;

    use async_std::channel::{self, Receiver, Sender};
    use async_std::net::TcpListener;
    use bytes::Bytes;
    use http_body_util::StreamBody;
    use hyper::body::Frame;
    use smol_hyper::rt::FuturesIo;

    const STREAM: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../kinesis-proto/tests/vectors/eventstream/kinesis/subscribe_to_shard_stream"
    ));
    const INITIAL: usize = 104;

    #[derive(Clone, Copy)]
    struct Exec;
    impl<F: std::future::Future + Send + 'static> hyper::rt::Executor<F> for Exec
    where
        F::Output: Send + 'static,
    {
        fn execute(&self, f: F) {
            drop(async_std::task::spawn(f));
        }
    }

    /// Starts the server; `go` releases the rest of the stream.
    pub(super) async fn start() -> (SocketAddr, Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (go_tx, go_rx) = channel::bounded::<()>(1);
        async_std::task::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let go = go_rx.clone();
                async_std::task::spawn(async move {
                    let service = hyper::service::service_fn(move |_request| {
                        let go = go.clone();
                        async move { Ok::<_, Infallible>(answer(go)) }
                    });
                    let _ = hyper::server::conn::http2::Builder::new(Exec)
                        .serve_connection(FuturesIo::new(tcp), service)
                        .await;
                });
            }
        });
        (addr, go_tx)
    }

    type Chunks = Receiver<Result<Frame<Bytes>, Infallible>>;

    fn answer(go: Receiver<()>) -> kinesis_proto::http::Response<StreamBody<Chunks>> {
        let (tx, rx) = channel::unbounded();
        async_std::task::spawn(async move {
            let _ = tx
                .send(Ok(Frame::data(Bytes::from_static(&STREAM[..INITIAL]))))
                .await;
            let _ = go.recv().await;
            for chunk in STREAM[INITIAL..].chunks(7) {
                let _ = tx.send(Ok(Frame::data(Bytes::from_static(chunk)))).await;
                async_std::task::yield_now().await;
            }
        });
        kinesis_proto::http::Response::builder()
            .status(200)
            .header("content-type", "application/vnd.amazon.eventstream")
            .header("x-amzn-requestid", "scripted-1")
            .body(StreamBody::new(rx))
            .unwrap()
    }
}

#[test]
fn events_arrive_as_frames_do_and_an_exception_message_is_a_service_error() {
    use kinesis_async::{Config, Credentials, Error, Settings};
    task::block_on(async {
        let (addr, go) = scripted::start().await;
        let config = Config::new("us-east-1")
            .with_endpoint_url(&format!("http://{addr}"))
            .unwrap();
        let client = Client::new(Settings::new(
            config,
            Credentials::new("AKID", "SECRET", None),
        ))
        .unwrap();
        let op = SubscribeToShard::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000",
            "shardId-000000000000",
            ShardIteratorType::Latest,
        );
        let mut events = client.subscribe_to_shard(&op).await.unwrap();
        // The server holds the rest back until this arrives: a client that
        // waited for the body's end would time out here.
        let first = async_std::future::timeout(Duration::from_secs(10), next(&mut events))
            .await
            .expect("the initial response before the body ends");
        assert_eq!(first.unwrap().unwrap(), ShardEvent::InitialResponse);
        go.send(()).await.unwrap();
        let Some(Ok(ShardEvent::Event(one))) = next(&mut events).await else {
            panic!()
        };
        assert_eq!(one.records[0].data, b"hello");
        let Some(Ok(ShardEvent::Event(end))) = next(&mut events).await else {
            panic!()
        };
        assert_eq!(end.child_shards[0].shard_id, "shardId-000000000002");
        match next(&mut events).await {
            Some(Err(Error::Service(e))) => {
                assert_eq!(e.code, ErrorCode::ResourceInUse);
                assert_eq!(
                    e.message.as_deref(),
                    Some("Another active subscription exists for this consumer")
                );
                assert_eq!(e.request_id.as_deref(), Some("scripted-1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            next(&mut events).await.is_none(),
            "nothing after the exception"
        );
    });
}

/// kinesis-blocking's facade (the `fan-out` feature): the same shard read
/// as a blocking iterator, from a plain thread.
#[test]
fn blocking_facade_reads_the_shard() {
    let (_client, name, shard, arn) = task::block_on(stream_with_consumer());
    let blocking = kinesis_blocking::Client::new(Ferrokinesis::shared().settings()).unwrap();
    for i in 0..3 {
        blocking
            .put_record(&PutRecord::new(
                name.as_str(),
                "k",
                format!("b{i}").into_bytes(),
            ))
            .unwrap();
    }
    let fan_out = kinesis_blocking::FanOut::new(Ferrokinesis::shared().settings()).unwrap();
    let sub = ShardSubscription::new(
        arn.as_str(),
        shard.as_str(),
        ShardIteratorType::TrimHorizon,
        Instant::now(),
    );
    let mut got = Vec::new();
    for event in fan_out.fan_out_shard(sub) {
        match event {
            SubscriptionEvent::Records { records, .. } => {
                got.extend(
                    records
                        .into_iter()
                        .map(|r| String::from_utf8(r.data).unwrap()),
                );
                if got.len() >= 3 {
                    break;
                }
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(got, ["b0", "b1", "b2"]);
    let op = SubscribeToShard::new(arn.as_str(), shard.as_str(), ShardIteratorType::TrimHorizon);
    let mut events = fan_out.subscribe_to_shard(&op).unwrap();
    assert_eq!(events.next().unwrap().unwrap(), ShardEvent::InitialResponse);
}

/// Over TLS: kinesis-mock's TLS port (its certificate trusted as an extra
/// root), where ALPN negotiates h2, as it does with AWS.
#[test]
fn subscribe_over_tls_with_alpn_h2() {
    task::block_on(async {
        let client = Client::new(KinesisMock::shared().tls_settings()).unwrap();
        let (client, name, shard, arn) = stream_with_consumer_on(client).await;
        for i in 0..3 {
            client
                .put_record(&PutRecord::new(
                    name.as_str(),
                    "k",
                    format!("t{i}").into_bytes(),
                ))
                .await
                .unwrap();
        }
        let op =
            SubscribeToShard::new(arn.as_str(), shard.as_str(), ShardIteratorType::TrimHorizon);
        let mut events = client.subscribe_to_shard(&op).await.unwrap();
        let mut got = Vec::new();
        while got.len() < 3 {
            match async_std::future::timeout(Duration::from_secs(20), next(&mut events)).await {
                Ok(Some(Ok(ShardEvent::Event(e)))) => got.extend(
                    e.records
                        .into_iter()
                        .map(|r| String::from_utf8(r.data).unwrap()),
                ),
                Ok(Some(Ok(_))) => {}
                other => panic!("after {got:?}: {other:?}"),
            }
        }
        assert_eq!(got, ["t0", "t1", "t2"]);
    });
}

/// A split while subscribed: the parent's records, then the shard's end
/// with both children, and the stream ends.
#[test]
fn a_split_during_the_subscription_ends_the_shard_with_its_children() {
    use kinesis_async::ops::SplitShard;
    task::block_on(async {
        let (client, name, shard, arn) = stream_with_consumer().await;
        let sub = ShardSubscription::new(
            arn.as_str(),
            shard.as_str(),
            ShardIteratorType::TrimHorizon,
            Instant::now(),
        );
        let mut events = client.fan_out_shard(sub);
        client
            .put_record(&PutRecord::new(name.as_str(), "k", b"parent".to_vec()))
            .await
            .unwrap();
        let mut got = Vec::new();
        let mut split = false;
        let children = loop {
            match async_std::future::timeout(Duration::from_secs(20), next(&mut events)).await {
                Ok(Some(SubscriptionEvent::Records { records, .. })) => {
                    got.extend(records.into_iter().map(|r| r.data));
                    if !got.is_empty() && !split {
                        split = true;
                        client
                            .split_shard(&SplitShard::new(
                                name.as_str(),
                                shard.as_str(),
                                1u128 << 127,
                            ))
                            .await
                            .unwrap();
                    }
                }
                Ok(Some(SubscriptionEvent::ShardEnded { child_shards })) => break child_shards,
                other => panic!("after {got:?}: {other:?}"),
            }
        };
        assert_eq!(got, [b"parent".to_vec()]);
        assert_eq!(children.len(), 2, "{children:?}");
        for child in &children {
            assert_eq!(child.parent_shards, std::slice::from_ref(&shard));
        }
        assert!(
            next(&mut events).await.is_none(),
            "nothing after the shard's end"
        );
    });
}
