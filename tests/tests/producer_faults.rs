//! The producer never loses a record: 100,000 records through the fault
//! proxy (15 % of requests faulted: 500/503 with empty or HTML bodies,
//! throttling answers, PutRecords answers with entries turned into
//! failures, resets before and after forwarding, truncated bodies, stalls
//! past the attempt timeout) into ferrokinesis, with and without KPL
//! aggregation, for both clients; then with ferrokinesis enforcing the
//! shard limits, so that throttling is real too. Each run reads the stream
//! back directly and asserts: 0 lost, every record exactly one event,
//! every duplicate explained by an answer the proxy hid after the server
//! stored it. Each prints its counts and timings.

use std::time::{Duration, Instant};

use kinesis_proto::kpl::AggregationLimits;
use kinesis_proto::producer::{Event, Metrics, ProducerConfig};
use kinesis_proto::Settings;
use kinesis_tests::no_loss::{judge, read_back, record};
use kinesis_tests::steps::TestStream;
use kinesis_tests::{FaultProxy, Ferrokinesis, FerrokinesisOptions, ProxyConfig, Server};

/// Records per run.
const RECORDS: u64 = 100_000;
/// Bytes of data per record.
const RECORD_BYTES: usize = 100;
/// The share of requests the proxy faults.
const FAULT_RATE: f64 = 0.15;
/// The least share of requests that must have been faulted.
const MIN_FAULT_SHARE: f64 = 0.10;
/// The client's limit on one attempt, and the proxy's stalls past it.
const ATTEMPT: Duration = Duration::from_secs(2);
const STALL: Duration = Duration::from_millis(2_500);

/// How a run drives a producer: settings of a client through the proxy,
/// the stream, the configuration and the records to send; gives back every
/// event with its record's index, and the metrics after the flush.
type Produce = fn(Settings, &str, ProducerConfig) -> (Vec<(u64, Event)>, Metrics);

fn produce_blocking(
    settings: Settings,
    stream: &str,
    config: ProducerConfig,
) -> (Vec<(u64, Event)>, Metrics) {
    use kinesis_blocking::producer::Producer;
    let client = kinesis_blocking::Client::new(settings).expect("a client");
    let producer = Producer::new(&client, stream, config).expect("a producer");
    let receipts: Vec<_> = (0..RECORDS)
        .map(|i| {
            producer
                .send(record(i, RECORD_BYTES))
                .unwrap_or_else(|e| panic!("record {i}: {e}"))
        })
        .collect();
    producer.flush();
    let metrics = producer.metrics();
    let events = receipts
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as u64, r.wait()))
        .collect();
    producer.close();
    (events, metrics)
}

fn produce_async(
    settings: Settings,
    stream: &str,
    config: ProducerConfig,
) -> (Vec<(u64, Event)>, Metrics) {
    use kinesis_async::producer::Producer;
    async_std::task::block_on(async {
        let client = kinesis_async::Client::new(settings).expect("a client");
        let producer = Producer::new(&client, stream, config).expect("a producer");
        let mut receipts = Vec::with_capacity(RECORDS as usize);
        for i in 0..RECORDS {
            let receipt = producer
                .send(record(i, RECORD_BYTES))
                .await
                .unwrap_or_else(|e| panic!("record {i}: {e}"));
            receipts.push(receipt);
        }
        producer.flush().await;
        let metrics = producer.metrics();
        let mut events = Vec::with_capacity(receipts.len());
        for (i, r) in receipts.into_iter().enumerate() {
            events.push((i as u64, r.await));
        }
        producer.close().await;
        (events, metrics)
    })
}

struct Plan {
    name: &'static str,
    aggregate: bool,
    enforce_limits: bool,
    shards: u32,
    seed: u64,
}

fn config(plan: &Plan) -> ProducerConfig {
    let config = ProducerConfig::default()
        .with_linger(Duration::from_millis(20))
        .with_record_ttl(Duration::from_secs(120))
        .with_max_in_flight(8)
        .with_max_buffered_records(20_000);
    if plan.aggregate && plan.enforce_limits {
        // Aggregates of about 2 records, 50 a request: the shards' 1,000
        // records/s bind (about 12,500 aggregates a shard), so the server
        // throttles for real.
        config
            .with_aggregation(Some(AggregationLimits::default().with_max_size(256)))
            .with_max_batch_records(50)
    } else if plan.aggregate {
        // Small aggregates and batches: many requests, so that many are
        // faulted (about 9 records an aggregate, 20 aggregates a request).
        config
            .with_aggregation(Some(AggregationLimits::default().with_max_size(1024)))
            .with_max_batch_records(20)
    } else {
        config.with_max_batch_records(100)
    }
}

fn run(plan: Plan, produce: Produce) {
    let options = FerrokinesisOptions {
        enforce_limits: plan.enforce_limits,
        ..FerrokinesisOptions::default()
    };
    let server = Ferrokinesis::start(options).unwrap_or_else(|e| panic!("{e}"));
    let direct = kinesis_blocking::Client::new(server.settings()).expect("a client");
    let stream = TestStream::create(&direct, plan.name, plan.shards);
    let proxy = FaultProxy::start(
        server.addr(),
        ProxyConfig::new(plan.seed, FAULT_RATE).with_stall(STALL),
    );
    let mut settings = server.settings_for(&proxy.url());
    settings.timeouts.attempt = Some(ATTEMPT);
    if plan.enforce_limits {
        // A shard's limit refills every second: back off throttled shards
        // for up to a second, not the default 20 s (with which a run took
        // five minutes: the producer's per-shard backoff climbs to the cap).
        settings.retry.throttling_base_delay = Duration::from_millis(100);
        settings.retry.max_backoff = Duration::from_secs(1);
    }

    let started = Instant::now();
    let (events, metrics) = produce(settings, stream.name(), config(&plan));
    let produced = started.elapsed();
    let stats = proxy.stats();
    let hidden = proxy.hidden();
    drop(proxy);
    let read_started = Instant::now();
    let (copies, strangers) = read_back(&direct, stream.name());
    let read = read_started.elapsed();
    let verdict = judge(RECORDS, &events, &copies, strangers, &hidden);

    println!(
        "{}: produced in {produced:.1?} ({:.0} records/s), read back in {read:.1?}",
        plan.name,
        RECORDS as f64 / produced.as_secs_f64()
    );
    println!("{}: {verdict}", plan.name);
    println!("{}: proxy {stats}", plan.name);
    println!(
        "{}: producer {} PutRecords, {} retried, {} throttled, {} resent at the risk of a duplicate",
        plan.name,
        metrics.put_requests_sent,
        metrics.records_retried,
        metrics.records_throttled,
        metrics.duplicate_risk_resends
    );
    assert!(verdict.holds(), "{}: {verdict}", plan.name);
    assert_eq!(verdict.failed, 0, "{}: {verdict}", plan.name);
    assert_eq!(verdict.delivered, RECORDS, "{}: {verdict}", plan.name);
    let share = stats.total_faults() as f64 / stats.requests as f64;
    assert!(
        share >= MIN_FAULT_SHARE,
        "{}: only {share:.3} of requests faulted ({stats})",
        plan.name
    );
    // Every kind of fault happened at least once.
    for kind in kinesis_tests::FaultKind::ALL {
        assert!(
            stats.count(kind) > 0,
            "{}: no {kind:?} ({stats})",
            plan.name
        );
    }
    if plan.enforce_limits {
        assert!(
            stats.server_throttled > 0,
            "{}: ferrokinesis never throttled ({stats})",
            plan.name
        );
    }
}

#[test]
fn blocking_plain() {
    run(
        Plan {
            name: "blocking-plain",
            aggregate: false,
            enforce_limits: false,
            shards: 4,
            seed: 1,
        },
        produce_blocking,
    );
}

#[test]
fn blocking_aggregated() {
    run(
        Plan {
            name: "blocking-aggregated",
            aggregate: true,
            enforce_limits: false,
            shards: 4,
            seed: 2,
        },
        produce_blocking,
    );
}

#[test]
fn async_plain() {
    run(
        Plan {
            name: "async-plain",
            aggregate: false,
            enforce_limits: false,
            shards: 4,
            seed: 3,
        },
        produce_async,
    );
}

#[test]
fn async_aggregated() {
    run(
        Plan {
            name: "async-aggregated",
            aggregate: true,
            enforce_limits: false,
            shards: 4,
            seed: 4,
        },
        produce_async,
    );
}

#[test]
fn blocking_plain_with_real_throttling() {
    run(
        Plan {
            name: "blocking-throttled",
            aggregate: false,
            enforce_limits: true,
            shards: 8,
            seed: 5,
        },
        produce_blocking,
    );
}

#[test]
fn async_aggregated_with_real_throttling() {
    run(
        Plan {
            name: "async-throttled",
            aggregate: true,
            enforce_limits: true,
            shards: 4,
            seed: 6,
        },
        produce_async,
    );
}
