//! The async consumer's `poll_next` keeps the futures contract: every
//! `Pending` leaves a wake that will come. Played against a scripted
//! HTTP/1.1 server on 127.0.0.1 (one shard, requests one after another),
//! each run bounded by a watchdog timeout that fails with a message instead
//! of hanging.

use std::time::{Duration, Instant};

use async_std::stream::StreamExt;
use kinesis_async::consumer::{Consumer, ConsumerConfig, Event, StartPosition};
use kinesis_async::Client;
use kinesis_proto::{Config, Credentials, Settings};
use kinesis_test_server::{serve, Reply};

/// Far beyond what any step of these scripts takes, far below the long
/// timers a lost wake would fall back on.
const WATCHDOG: Duration = Duration::from_secs(8);

fn client(url: &str) -> Client {
    let config = Config::new("us-east-1")
        .with_endpoint_url(url)
        .expect("a local URL");
    Client::new(Settings::new(
        config,
        Credentials::new("AKID", "SECRET", None),
    ))
    .expect("a client")
}

fn ok(body: &str) -> Reply {
    Reply::Answer(200, body.as_bytes().to_vec())
}

const ONE_SHARD: &str = r#"{"Shards":[{"ShardId":"shardId-000000000000",
 "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},
 "SequenceNumberRange":{"StartingSequenceNumber":"1"}}]}"#;

const ONE_RECORD: &str = r#"{"Records":[{"SequenceNumber":"7","Data":"aGk=","PartitionKey":"k",
 "ApproximateArrivalTimestamp":1700000000}],"NextShardIterator":"it-2","MillisBehindLatest":0}"#;

/// Polls `consumer` until its first batch, failing after [`WATCHDOG`].
fn first_batch(consumer: &mut Consumer) -> (Duration, Vec<u8>) {
    let start = Instant::now();
    let found = async_std::task::block_on(async_std::future::timeout(WATCHDOG, async {
        loop {
            match consumer.next().await {
                Some(Event::Records(batch)) => return batch.records[0].data.to_vec(),
                Some(Event::Error { error, .. }) => panic!("{error}"),
                Some(_) => {}
                None => panic!("the stream ended"),
            }
        }
    }));
    match found {
        Ok(data) => (start.elapsed(), data),
        Err(_) => {
            panic!("no batch after {WATCHDOG:?}: a Pending without a wake (state: {consumer:?})")
        }
    }
}

/// While the GetRecords is out, the only timer is the next listing, a
/// minute away. Its answer, a 500, makes the call back off ~25 ms: the
/// deadline moves earlier inside the same `poll_next` that handled the
/// answer, and the timer must be re-armed for it, or the retry waits for
/// the listing.
#[test]
fn a_backoff_after_an_answer_moves_the_timer_earlier() {
    let server = serve(vec![
        ok(ONE_SHARD),
        ok(r#"{"ShardIterator":"it-1"}"#),
        Reply::Answer(
            500,
            br#"{"__type":"InternalFailure","message":"try again"}"#.to_vec(),
        ),
        ok(ONE_RECORD),
    ]);
    let config = ConsumerConfig::new("s")
        .with_start(StartPosition::TrimHorizon)
        .with_rediscover_interval(Duration::from_secs(60))
        .with_idle_delay(Duration::from_secs(60));
    let mut consumer = Consumer::new(&client(&server.url()), config);
    let (took, data) = first_batch(&mut consumer);
    assert_eq!(data, b"hi");
    assert_eq!(
        server.seen().len(),
        4,
        "ListShards, GetShardIterator, GetRecords twice"
    );
    assert!(took < WATCHDOG, "{took:?}");
}

/// After a page, the reader's next GetRecords is paced 200 ms out (the
/// 5-per-second limit) while the listing waits a minute: the timer armed
/// for the pace must fire, and the page after it arrive.
#[test]
fn the_pace_timer_wakes_the_task_for_the_next_page() {
    let server = serve(vec![
        ok(ONE_SHARD),
        ok(r#"{"ShardIterator":"it-1"}"#),
        ok(r#"{"Records":[],"NextShardIterator":"it-1b","MillisBehindLatest":5000}"#),
        ok(ONE_RECORD),
    ]);
    let config = ConsumerConfig::new("s")
        .with_start(StartPosition::TrimHorizon)
        .with_rediscover_interval(Duration::from_secs(60))
        .with_idle_delay(Duration::from_secs(60))
        .with_min_get_records_interval(Duration::from_millis(200));
    let mut consumer = Consumer::new(&client(&server.url()), config);
    let (took, data) = first_batch(&mut consumer);
    assert_eq!(data, b"hi");
    assert!(took >= Duration::from_millis(200), "paced: {took:?}");
}
