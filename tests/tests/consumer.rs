//! The consumer of both clients against kinesis-mock on 127.0.0.1: a
//! producer writes while the stream is split and merged; a consumer from
//! TRIM_HORIZON delivers every record exactly once and, per partition key,
//! in order; stopped midway and started again from its checkpoint file, it
//! leaves no gap and delivers nothing before the checkpoint. Aggregated
//! input comes out as the original user records.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use kinesis_proto::consumer::{ConsumerConfig, Event, StartPosition};
use kinesis_proto::kpl::{Add, Aggregator};
use kinesis_proto::ops::{ListShards, MergeShards, PutRecords, PutRecordsRequestEntry, SplitShard};
use kinesis_tests::steps::{self, ok, TestStream};
use kinesis_tests::KinesisMock;

/// User records per phase (three phases: before the split, between the
/// split and the merge, after the merge). `CONSUMER_RECORDS` sets it.
fn per_phase() -> usize {
    std::env::var("CONSUMER_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

/// How long a whole run may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(600);

/// Where and how a run goes.
struct Setup {
    name: &'static str,
    settings: kinesis_proto::Settings,
    per_phase: usize,
    /// Every this many batches the user pauses `pause` (0: never), so
    /// iterators older than the server's TTL expire.
    slow_every: usize,
    pause: Duration,
    /// GetRecords `Limit`, for more, smaller pages.
    limit: Option<u32>,
}

impl Setup {
    fn mock(name: &'static str) -> Setup {
        Setup {
            name,
            settings: KinesisMock::shared().settings(),
            per_phase: per_phase(),
            slow_every: 0,
            pause: Duration::ZERO,
            limit: None,
        }
    }

    /// Whether the user pauses after its `batches`-th batch.
    fn pauses_after(&self, batches: usize) -> bool {
        self.slow_every > 0 && batches % self.slow_every == 0
    }

    fn config(&self, stream: &str) -> ConsumerConfig {
        let config = config(stream);
        match self.limit {
            Some(limit) => config.with_records_per_call(limit),
            None => config,
        }
    }

    fn blocking_client(&self) -> kinesis_blocking::Client {
        kinesis_blocking::Client::new(self.settings.clone()).expect("a client")
    }
}

fn config(stream: &str) -> ConsumerConfig {
    ConsumerConfig::new(stream)
        .with_start(StartPosition::TrimHorizon)
        .with_idle_delay(Duration::from_millis(200))
        .with_rediscover_interval(Duration::from_secs(2))
}

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kinesis-consumer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Writes `per_phase()` user records three times (plain, and aggregated
/// in groups of ten), splitting a shard after the first phase and merging
/// two after the second. Returns every user record's data.
fn produce(
    client: &kinesis_blocking::Client,
    stream: &str,
    per_phase: usize,
    done: &AtomicBool,
) -> Vec<Vec<u8>> {
    let mut counters: HashMap<String, u64> = HashMap::new();
    let mut data = |key: &str| {
        let n = counters.entry(key.to_owned()).or_default();
        *n += 1;
        format!("{key}#{n:06}").into_bytes()
    };
    let mut all = vec![];
    for phase in 0..3 {
        let mut written = 0;
        while written < per_phase {
            let mut entries = vec![];
            for i in 0..90 {
                let key = format!("pk-{}", (written + i) % 20);
                let d = data(&key);
                all.push(d.clone());
                entries.push(PutRecordsRequestEntry::new(key, d));
            }
            let key = format!("agg-{}", written % 3);
            let mut agg = Aggregator::default();
            for _ in 0..10 {
                let d = data(&key);
                all.push(d.clone());
                assert_eq!(agg.add(&key, None, &d), Add::Added);
            }
            let a = agg.finish().expect("ten records");
            entries.push(PutRecordsRequestEntry::new(a.partition_key, a.data));
            written += 100;
            let mut put = PutRecords::new(stream, entries);
            loop {
                let out = ok("PutRecords", client.call(&put));
                match put.failed_only(&out) {
                    Some(again) => {
                        thread::sleep(Duration::from_millis(100));
                        put = again;
                    }
                    None => break,
                }
            }
        }
        let shards = ok("ListShards", client.call(&ListShards::new(stream))).shards;
        let mut open: Vec<_> = shards.into_iter().filter(|s| s.is_open()).collect();
        open.sort_by_key(|s| s.hash_key_range.starting_hash_key);
        match phase {
            0 => {
                let s = &open[0];
                let r = &s.hash_key_range;
                let middle = r.starting_hash_key + (r.ending_hash_key - r.starting_hash_key) / 2;
                ok(
                    "SplitShard",
                    client.call(&SplitShard::new(stream, s.shard_id.as_str(), middle)),
                );
                steps::wait_active(client, stream);
            }
            1 => {
                ok(
                    "MergeShards",
                    client.call(&MergeShards::new(
                        stream,
                        open[0].shard_id.as_str(),
                        open[1].shard_id.as_str(),
                    )),
                );
                steps::wait_active(client, stream);
            }
            _ => {}
        }
    }
    done.store(true, Ordering::SeqCst);
    all
}

/// What the consumers delivered, checked as it comes.
#[derive(Default)]
struct Check {
    positions: HashSet<(String, String, u64)>,
    data: Vec<Vec<u8>>,
    seen: HashSet<Vec<u8>>,
    last: HashMap<String, u64>,
    batches: usize,
    ended: usize,
}

impl Check {
    fn batch(&mut self, batch: &kinesis_proto::consumer::Batch) {
        self.batches += 1;
        for r in &batch.records {
            let position = (
                batch.shard_id.clone(),
                r.sequence_number.clone(),
                r.sub_sequence_number,
            );
            assert!(self.positions.insert(position), "delivered twice: {r:?}");
            let text = std::str::from_utf8(&r.data).expect("text").to_owned();
            let (key, n) = text.split_once('#').expect("key#n");
            let n: u64 = n.parse().expect("counter");
            assert_eq!(key, r.partition_key, "the user record's own key");
            if let Some(prev) = self.last.insert(key.to_owned(), n) {
                assert!(prev < n, "{key}: {n} after {prev}");
            }
            assert!(self.seen.insert(r.data.to_vec()), "data twice: {text}");
            self.data.push(r.data.to_vec());
        }
    }
}

fn report(name: &str, first: &Check, second: &Check, produced: &[Vec<u8>]) {
    let all: HashSet<&Vec<u8>> = produced.iter().collect();
    let got: HashSet<&Vec<u8>> = first.data.iter().chain(&second.data).collect();
    let missing = all.difference(&got).count();
    let extra = got.difference(&all).count();
    let repeated = first.seen.intersection(&second.seen).count();
    println!(
        "{name}: produced {} user records; first run delivered {} in {} batches, \
         restart from the checkpoint file {} in {} batches ({} shard ends); \
         {missing} missing, {extra} unknown, {repeated} delivered by both runs",
        produced.len(),
        first.data.len(),
        first.batches,
        second.data.len(),
        second.batches,
        first.ended + second.ended,
    );
    assert_eq!((missing, extra, repeated), (0, 0, 0));
    assert_eq!(first.data.len() + second.data.len(), produced.len());
}

/// How long a run may go without an event before it counts as stalled
/// (the producer writes all along; an idle consumer still sees the
/// rediscovery and its shards' ends within seconds).
const STALL: Duration = Duration::from_secs(90);

/// Ends the test binary if a run hangs (a consumer's `next` waits for
/// events forever), or goes [`STALL`] without an event, saying how far it
/// got; dropped, it stands down.
struct Watchdog(Arc<Progress>);

#[derive(Default)]
struct Progress {
    finished: AtomicBool,
    /// Milliseconds since the watchdog started, at the last event.
    last_event_ms: std::sync::atomic::AtomicU64,
    events: std::sync::atomic::AtomicU64,
}

impl Watchdog {
    /// Notes that the consumer gave an event.
    fn event(&self, start: Instant) {
        let ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.0.last_event_ms.store(ms, Ordering::SeqCst);
        self.0.events.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.finished.store(true, Ordering::SeqCst);
    }
}

/// A watchdog for a run that started at `start`.
fn watchdog(name: &'static str, start: Instant) -> Watchdog {
    let progress = Arc::new(Progress::default());
    let seen = progress.clone();
    thread::spawn(move || {
        while !seen.finished.load(Ordering::SeqCst) {
            let last = Duration::from_millis(seen.last_event_ms.load(Ordering::SeqCst));
            let events = seen.events.load(Ordering::SeqCst);
            if start.elapsed() > DEADLINE + Duration::from_secs(30) {
                eprintln!("{name}: no end after {DEADLINE:?} ({events} events)");
                std::process::exit(1);
            }
            // Later than the async run's own timeout, which names its state.
            if start.elapsed().saturating_sub(last) > STALL + Duration::from_secs(15) {
                eprintln!(
                    "{name}: stalled, no event for {STALL:?} ({events} events so far, \
                     the last {last:?} into the run)"
                );
                std::process::exit(1);
            }
            thread::sleep(Duration::from_millis(200));
        }
    });
    Watchdog(progress)
}

fn checkpoint_file_holds(path: &Path, shards: usize) {
    let text = std::fs::read_to_string(path).expect("the checkpoint file");
    let stored = kinesis_proto::consumer::Checkpoints::from_json(&text).expect("checkpoints");
    assert!(stored.len() >= shards, "{text}");
}

#[test]
fn blocking_consumer_reads_through_resharding_and_restarts_from_its_file() {
    run_blocking(Setup::mock("blocking"));
}

#[test]
fn async_consumer_reads_through_resharding_and_restarts_from_its_file() {
    run_async(Setup::mock("async"));
}

/// ferrokinesis with 2-second iterators and a user who pauses 2.5 s now
/// and then: the iterator of the page before each pause has expired.
fn ferrokinesis(name: &'static str) -> (kinesis_tests::Ferrokinesis, Setup) {
    let server = kinesis_tests::Ferrokinesis::start(kinesis_tests::FerrokinesisOptions {
        iterator_ttl_seconds: Some(2),
        ..kinesis_tests::FerrokinesisOptions::default()
    })
    .expect("ferrokinesis");
    let setup = Setup {
        name,
        settings: server.settings(),
        per_phase: per_phase() / 5,
        slow_every: 1,
        pause: Duration::from_millis(2_500),
        limit: Some(60),
    };
    (server, setup)
}

#[test]
fn blocking_consumer_on_ferrokinesis_with_expiring_iterators() {
    let (_server, setup) = ferrokinesis("blocking, ferrokinesis, 2 s iterators");
    run_blocking(setup);
}

#[test]
fn async_consumer_on_ferrokinesis_with_expiring_iterators() {
    let (_server, setup) = ferrokinesis("async, ferrokinesis, 2 s iterators");
    run_async(setup);
}

fn run_blocking(setup: Setup) {
    use kinesis_blocking::consumer::{Consumer, FileStore};
    let client = setup.blocking_client();
    let stream = TestStream::create(
        &client,
        format!("consumer-blocking-{}", std::process::id()),
        2,
    );
    let name = stream.name().to_owned();
    let path = temp_file(&format!(
        "{}.json",
        setup
            .name
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    ));
    let done = Arc::new(AtomicBool::new(false));
    let producer = {
        let (client, name, done) = (client.clone(), name.clone(), done.clone());
        let per_phase = setup.per_phase;
        thread::spawn(move || produce(&client, &name, per_phase, &done))
    };
    let total = 3 * setup.per_phase.div_ceil(100) * 100;
    let start = Instant::now();
    let watchdog = watchdog(setup.name, start);

    // The first run stops after a third, right after a checkpoint.
    let mut first = Check::default();
    let mut consumer = Consumer::with_store(&client, setup.config(&name), FileStore::new(&path))
        .expect("consumer");
    while first.data.len() < total / 3 {
        assert!(
            start.elapsed() < DEADLINE,
            "first run: {} of {total}",
            first.data.len()
        );
        let event = consumer.next().expect("events");
        watchdog.event(start);
        match event {
            Event::Records(batch) => {
                first.batch(&batch);
                if setup.pauses_after(first.batches) {
                    thread::sleep(setup.pause);
                }
                ok(
                    "checkpoint",
                    consumer.checkpoint(&batch.shard_id, &batch.checkpoint),
                );
            }
            Event::ShardEnded {
                shard_id,
                checkpoint,
                ..
            } => {
                first.ended += 1;
                ok("checkpoint", consumer.checkpoint(&shard_id, &checkpoint));
            }
            Event::Error { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    drop(consumer);
    checkpoint_file_holds(&path, 1);

    // The second run resumes from the file.
    let mut second = Check {
        last: first.last.clone(),
        ..Check::default()
    };
    let mut consumer = Consumer::with_store(&client, setup.config(&name), FileStore::new(&path))
        .expect("consumer");
    while !(done.load(Ordering::SeqCst) && first.data.len() + second.data.len() >= total) {
        assert!(
            start.elapsed() < DEADLINE,
            "second run: {} + {} of {total}",
            first.data.len(),
            second.data.len()
        );
        let event = consumer.next().expect("events");
        watchdog.event(start);
        match event {
            Event::Records(batch) => {
                for r in &batch.records {
                    assert!(
                        !first.seen.contains(&r.data.to_vec()),
                        "delivered before the checkpoint"
                    );
                }
                second.batch(&batch);
                if setup.pauses_after(second.batches) {
                    thread::sleep(setup.pause);
                }
                ok(
                    "checkpoint",
                    consumer.checkpoint(&batch.shard_id, &batch.checkpoint),
                );
            }
            Event::ShardEnded {
                shard_id,
                checkpoint,
                ..
            } => {
                second.ended += 1;
                ok("checkpoint", consumer.checkpoint(&shard_id, &checkpoint));
            }
            Event::Error { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    let produced = producer.join().expect("producer");
    report(setup.name, &first, &second, &produced);
    assert!(
        first.ended + second.ended >= 3,
        "the split's parent and the merge's two ended"
    );
}

/// The next event, or a failure naming the consumer's state after
/// [`STALL`] without one (a `Pending` nothing wakes, or a stall).
async fn next_within_stall(consumer: &mut kinesis_async::consumer::Consumer) -> Event {
    use async_std::stream::StreamExt;
    match async_std::future::timeout(STALL, consumer.next()).await {
        Ok(event) => event.expect("events"),
        Err(_) => panic!("no event for {STALL:?}: {consumer:?}"),
    }
}

fn run_async(setup: Setup) {
    use kinesis_async::consumer::{Consumer, FileStore};
    let admin = setup.blocking_client();
    let client = kinesis_async::Client::new(setup.settings.clone()).expect("a client");
    let stream = TestStream::create(&admin, format!("consumer-async-{}", std::process::id()), 2);
    let name = stream.name().to_owned();
    let path = temp_file(&format!(
        "{}.json",
        setup
            .name
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    ));
    let done = Arc::new(AtomicBool::new(false));
    let producer = {
        let (admin, name, done) = (admin.clone(), name.clone(), done.clone());
        let per_phase = setup.per_phase;
        thread::spawn(move || produce(&admin, &name, per_phase, &done))
    };
    let total = 3 * setup.per_phase.div_ceil(100) * 100;
    let start = Instant::now();
    let watchdog = watchdog(setup.name, start);
    let (first, second) = async_std::task::block_on(async {
        let mut first = Check::default();
        let mut consumer =
            Consumer::with_store(&client, setup.config(&name), FileStore::new(&path))
                .await
                .expect("consumer");
        while first.data.len() < total / 3 {
            assert!(
                start.elapsed() < DEADLINE,
                "first run: {} of {total}",
                first.data.len()
            );
            let event = next_within_stall(&mut consumer).await;
            watchdog.event(start);
            match event {
                Event::Records(batch) => {
                    first.batch(&batch);
                    if setup.pauses_after(first.batches) {
                        async_std::task::sleep(setup.pause).await;
                    }
                    ok(
                        "checkpoint",
                        consumer
                            .checkpoint(&batch.shard_id, &batch.checkpoint)
                            .await,
                    );
                }
                Event::ShardEnded {
                    shard_id,
                    checkpoint,
                    ..
                } => {
                    first.ended += 1;
                    ok(
                        "checkpoint",
                        consumer.checkpoint(&shard_id, &checkpoint).await,
                    );
                }
                Event::Error { error, .. } => panic!("{error}"),
                _ => {}
            }
        }
        drop(consumer);
        let mut second = Check {
            last: first.last.clone(),
            ..Check::default()
        };
        let mut consumer =
            Consumer::with_store(&client, setup.config(&name), FileStore::new(&path))
                .await
                .expect("consumer");
        while !(done.load(Ordering::SeqCst) && first.data.len() + second.data.len() >= total) {
            assert!(
                start.elapsed() < DEADLINE,
                "second run: {} + {} of {total}",
                first.data.len(),
                second.data.len()
            );
            let event = next_within_stall(&mut consumer).await;
            watchdog.event(start);
            match event {
                Event::Records(batch) => {
                    for r in &batch.records {
                        assert!(
                            !first.seen.contains(&r.data.to_vec()),
                            "delivered before the checkpoint"
                        );
                    }
                    second.batch(&batch);
                    if setup.pauses_after(second.batches) {
                        async_std::task::sleep(setup.pause).await;
                    }
                    ok(
                        "checkpoint",
                        consumer
                            .checkpoint(&batch.shard_id, &batch.checkpoint)
                            .await,
                    );
                }
                Event::ShardEnded {
                    shard_id,
                    checkpoint,
                    ..
                } => {
                    second.ended += 1;
                    ok(
                        "checkpoint",
                        consumer.checkpoint(&shard_id, &checkpoint).await,
                    );
                }
                Event::Error { error, .. } => panic!("{error}"),
                _ => {}
            }
        }
        (first, second)
    });
    let produced = producer.join().expect("producer");
    report(setup.name, &first, &second, &produced);
}
