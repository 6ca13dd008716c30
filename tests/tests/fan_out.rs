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
use kinesis_tests::Ferrokinesis;

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

/// A fresh one-shard stream with a registered, ACTIVE consumer: the
/// client, the stream's name, its shard and the consumer's ARN.
async fn stream_with_consumer() -> (Client, String, String, String) {
    let client = Client::new(Ferrokinesis::shared().settings()).unwrap();
    let name = unique("fan-out");
    client
        .create_stream(&CreateStream::new(name.as_str()).with_shard_count(1))
        .await
        .unwrap();
    let summary = client
        .wait_for_stream_active(name.as_str(), Duration::from_secs(30))
        .await
        .unwrap();
    let shard = client.list_shards(&ListShards::new(name.as_str())).await.unwrap().shards[0]
        .shard_id
        .clone();
    let registered = client
        .register_stream_consumer(&RegisterStreamConsumer::new(
            summary.stream_arn.as_str(),
            "reader",
        ))
        .await
        .unwrap();
    let arn = registered.consumer.consumer_arn;
    client
        .wait_for_consumer_active(DescribeStreamConsumer::new(arn.as_str()), Duration::from_secs(30))
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
        assert_eq!(next(&mut events).await.unwrap().unwrap(), ShardEvent::InitialResponse);
        for i in 0..5 {
            client
                .put_record(&PutRecord::new(name.as_str(), "k", format!("live-{i}").into_bytes()))
                .await
                .unwrap();
        }
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while got.len() < 5 && Instant::now() < deadline {
            match next(&mut events).await {
                Some(Ok(ShardEvent::Event(e))) => {
                    got.extend(e.records.into_iter().map(|r| String::from_utf8(r.data).unwrap()))
                }
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
                        .put_record(&PutRecord::new(name.as_str(), format!("k{}", i % 7), format!("r{i}").into_bytes()))
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
        assert_eq!(sorted, sequence_numbers, "sequence numbers rise, none twice");
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
        let name = unique("fan-out-early");
        client
            .create_stream(&CreateStream::new(name.as_str()).with_shard_count(1))
            .await
            .unwrap();
        let summary = client
            .wait_for_stream_active(name.as_str(), Duration::from_secs(30))
            .await
            .unwrap();
        let shard = client.list_shards(&ListShards::new(name.as_str())).await.unwrap().shards[0]
            .shard_id
            .clone();
        client
            .put_record(&PutRecord::new(name.as_str(), "k", b"before".to_vec()))
            .await
            .unwrap();
        let arn = client
            .register_stream_consumer(&RegisterStreamConsumer::new(summary.stream_arn.as_str(), "early"))
            .await
            .unwrap()
            .consumer
            .consumer_arn;
        let op = SubscribeToShard::new(arn.as_str(), shard.as_str(), ShardIteratorType::TrimHorizon);
        let error = client.subscribe_to_shard(&op).await.unwrap_err();
        assert_eq!(error.code(), Some(&ErrorCode::ResourceInUse), "{error}");

        let started = Instant::now();
        let sub = ShardSubscription::new(arn.as_str(), shard.as_str(), ShardIteratorType::TrimHorizon, started);
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
            matches!(error.code(), Some(ErrorCode::ResourceNotFound | ErrorCode::InvalidArgument)),
            "{error}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    });
}
