//! End-to-end producer figures against ferrokinesis on 127.0.0.1 (limits
//! off, no proxy): records/s for 100 B and 1 KiB records, with and
//! without aggregation, blocking and async; then the resident memory of a
//! producer with a 64 MiB buffer while the server stalls every request.
//! For the record, not a timed test:
//!
//! ```text
//! cargo run --release -p kinesis-tests --example producer_throughput
//! cargo run --release -p kinesis-tests --example producer_throughput -- --rss
//! ```

use std::time::{Duration, Instant};

use kinesis_proto::kpl::AggregationLimits;
use kinesis_proto::producer::{Event, ProducerConfig, PushError};
use kinesis_proto::Settings;
use kinesis_tests::no_loss::record;
use kinesis_tests::steps::TestStream;
use kinesis_tests::{
    FaultKind, FaultProxy, Ferrokinesis, FerrokinesisOptions, ProxyConfig, Server,
};

/// One client's run: settings, stream, configuration, record count and
/// size in; time taken and records failed out.
type Run = fn(Settings, &str, ProducerConfig, u64, usize) -> (Duration, u64);

/// Shards of each stream.
const SHARDS: u32 = 8;

/// Sends `count` records of `size` bytes and waits for every event;
/// returns the time taken and how many failed.
fn blocking(
    settings: Settings,
    stream: &str,
    config: ProducerConfig,
    count: u64,
    size: usize,
) -> (Duration, u64) {
    use kinesis_blocking::producer::Producer;
    let client = kinesis_blocking::Client::new(settings).expect("a client");
    let producer = Producer::new(&client, stream, config).expect("a producer");
    let records: Vec<_> = (0..count).map(|i| record(i, size)).collect();
    let start = Instant::now();
    let receipts: Vec<_> = records
        .into_iter()
        .map(|r| producer.send(r).expect("sent"))
        .collect();
    producer.flush();
    let took = start.elapsed();
    let failed = receipts
        .into_iter()
        .map(|r| r.wait())
        .filter(|e| matches!(e, Event::Failed { .. }))
        .count() as u64;
    producer.close();
    (took, failed)
}

fn asynchronous(
    settings: Settings,
    stream: &str,
    config: ProducerConfig,
    count: u64,
    size: usize,
) -> (Duration, u64) {
    use kinesis_async::producer::Producer;
    async_std::task::block_on(async {
        let client = kinesis_async::Client::new(settings).expect("a client");
        let producer = Producer::new(&client, stream, config).expect("a producer");
        let records: Vec<_> = (0..count).map(|i| record(i, size)).collect();
        let start = Instant::now();
        let mut receipts = Vec::with_capacity(records.len());
        for r in records {
            receipts.push(producer.send(r).await.expect("sent"));
        }
        producer.flush().await;
        let took = start.elapsed();
        let mut failed = 0;
        for r in receipts {
            if matches!(r.await, Event::Failed { .. }) {
                failed += 1;
            }
        }
        producer.close().await;
        (took, failed)
    })
}

fn throughput(server: &Ferrokinesis) {
    let direct = kinesis_blocking::Client::new(server.settings()).expect("a client");
    println!("client    size  aggregated  records     seconds  records/s   MiB/s");
    for size in [100usize, 1024] {
        let count: u64 = if size <= 100 { 200_000 } else { 100_000 };
        for aggregated in [false, true] {
            let runs: [(&str, Run); 2] = [("blocking", blocking), ("async", asynchronous)];
            for (name, run) in runs {
                let stream = TestStream::create(
                    &direct,
                    format!("bench-{name}-{size}-{aggregated}"),
                    SHARDS,
                );
                let config = ProducerConfig::default()
                    .with_aggregation(aggregated.then(AggregationLimits::default));
                let (took, failed) = run(server.settings(), stream.name(), config, count, size);
                let secs = took.as_secs_f64();
                println!(
                    "{name:<9} {size:>5}  {aggregated:<10}  {count:>7}  {secs:>10.2}  {:>9.0}  {:>6.1}{}",
                    count as f64 / secs,
                    (count as f64 * size as f64) / secs / (1024.0 * 1024.0),
                    if failed > 0 { format!("  ({failed} failed)") } else { String::new() }
                );
            }
        }
    }
}

/// Resident and peak resident memory of this process, in bytes (Linux).
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn stalled_memory(server: &Ferrokinesis) {
    const BUFFER: usize = 64 << 20;
    let direct = kinesis_blocking::Client::new(server.settings()).expect("a client");
    let stream = TestStream::create(&direct, "bench-rss", SHARDS);
    // Every PutRecords stalls for a minute; the rest (ListShards) passes.
    let proxy = FaultProxy::start(
        server.addr(),
        ProxyConfig::new(1, 1.0)
            .only(&["PutRecords"])
            .with_only_kind(FaultKind::Stall)
            .with_stall(Duration::from_secs(60)),
    );
    let mut settings = server.settings_for(&proxy.url());
    settings.timeouts.attempt = Some(Duration::from_secs(50));
    let (before, _) = rss();
    let client = kinesis_blocking::Client::new(settings).expect("a client");
    let producer = kinesis_blocking::producer::Producer::new(
        &client,
        stream.name(),
        ProducerConfig::default()
            .with_max_buffered_bytes(BUFFER)
            .with_max_buffered_records(10_000_000)
            .with_record_ttl(Duration::from_secs(30)),
    )
    .expect("a producer");
    let mut sent = 0u64;
    let start = Instant::now();
    let mut receipts = Vec::new();
    loop {
        match producer.send_timeout(record(sent, 1024), Duration::from_secs(2)) {
            Ok(r) => {
                receipts.push(r);
                sent += 1;
            }
            Err(PushError::Full(_)) => break,
            Err(e) => panic!("{e}"),
        }
        if start.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    let (now, peak) = rss();
    let m = producer.metrics();
    println!(
        "stalled server, buffer limit {} MiB: {sent} records of 1 KiB taken, {} in flight requests, \
         RSS {:.1} MiB above the start ({:.1} MiB peak above; the floor is the buffer + 32 MiB = {} MiB)",
        BUFFER >> 20,
        m.requests_in_flight,
        (now.saturating_sub(before)) as f64 / 1048576.0,
        (peak.saturating_sub(before)) as f64 / 1048576.0,
        (BUFFER >> 20) + 32
    );
    // The records fail by their time to live; the drop waits for that.
    drop(receipts);
    drop(producer);
}

fn main() {
    let server =
        Ferrokinesis::start(FerrokinesisOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    if std::env::args().any(|a| a == "--rss") {
        stalled_memory(&server);
    } else {
        throughput(&server);
    }
}
