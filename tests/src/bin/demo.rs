//! The demo: creates a stream of four shards, writes records with the
//! producer (a first batch sent as plain records, a second with KPL
//! aggregation on), reads everything back with the consumer from
//! TRIM_HORIZON (aggregated records come out as the user records put in),
//! checks that each record arrived exactly once, and deletes the stream.
//!
//! Where it runs:
//! - `cargo run -p kinesis-tests --bin demo` starts kinesis-mock on
//!   127.0.0.1 and stops it at the end.
//! - `cargo run -p kinesis-tests --bin demo -- http://127.0.0.1:4567` (or
//!   `AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567` in the environment)
//!   uses that server instead: any Kinesis-compatible server. Region and
//!   credentials then come from the environment and profile files, as the
//!   AWS tools find them.
//! - `cargo run -p kinesis-tests --bin demo -- aws` uses AWS itself: the
//!   region's own endpoint (configured endpoint URLs are ignored), with
//!   real credentials from the environment. It creates and deletes a
//!   four-shard stream named `kinesis-rs-demo-…`.
//!
//! `demo_restart` shows a consumer resuming from a checkpoint file.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use kinesis_blocking::consumer::{Consumer, ConsumerConfig, StartPosition};
use kinesis_blocking::producer::{
    AggregationLimits, Event as Fate, Producer, ProducerConfig, Record,
};
use kinesis_tests::demo::{self, DemoResult, DemoStream, Next, Seen};
use serde::{Deserialize, Serialize};

const SHARDS: u32 = 4;
/// Records of the first batch (plain: one Kinesis record each).
const PLAIN_RECORDS: usize = 36;
/// Records of the second batch (aggregated: many per Kinesis record).
const AGGREGATED_RECORDS: usize = 200;

/// The JSON value the demo writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reading {
    batch: String,
    sensor: String,
    sequence: u32,
    celsius: f64,
}

fn main() -> ExitCode {
    demo::main("demo", SHARDS, write_and_read)
}

/// Each record's (partition key, data), the same for both batches but
/// for the batch name inside the data.
fn records(batch: &str, count: usize) -> DemoResult<Vec<Record>> {
    (0..count)
        .map(|i| {
            let reading = Reading {
                batch: batch.to_owned(),
                sensor: format!("sensor-{}", i % 7),
                sequence: i as u32,
                celsius: 18.0 + (i as f64) * 0.25,
            };
            let key = format!("{}-{}", reading.sensor, reading.sequence);
            Ok(Record::new(key, serde_json::to_vec(&reading)?))
        })
        .collect()
}

/// Sends `records` through a producer of `config`, waits for every
/// receipt and prints the batch's counts; returns what was delivered.
fn produce(
    stream: &DemoStream<'_>,
    label: &str,
    config: ProducerConfig,
    records: Vec<Record>,
) -> DemoResult<Vec<(String, Vec<u8>)>> {
    let producer = Producer::new(stream.client, stream.name, config)?;
    let mut receipts = Vec::new();
    for record in &records {
        receipts.push(producer.send(record.clone())?);
    }
    producer.flush();
    let (mut delivered, mut failed) = (Vec::new(), 0);
    let mut per_shard: BTreeMap<String, usize> = BTreeMap::new();
    let mut kinesis_records = std::collections::BTreeSet::new();
    for (receipt, record) in receipts.into_iter().zip(records) {
        match receipt.wait() {
            Fate::Delivered {
                shard_id,
                sequence_number,
                ..
            } => {
                *per_shard.entry(shard_id.clone()).or_default() += 1;
                kinesis_records.insert((shard_id, sequence_number));
                delivered.push((record.partition_key, record.data));
            }
            Fate::Failed {
                error, attempts, ..
            } => {
                failed += 1;
                eprintln!(
                    "  {}: failed after {attempts} requests: {error}",
                    record.partition_key
                );
            }
            _ => failed += 1,
        }
    }
    let metrics = producer.metrics();
    producer.close();
    println!(
        "Producer, {label}: {} records sent, {} delivered, {failed} failed \
         (receipts; metrics say {} delivered, {} failed), as {} Kinesis records \
         in {} PutRecords requests; per shard {per_shard:?}",
        metrics.records_pushed,
        delivered.len(),
        metrics.records_delivered,
        metrics.records_failed,
        kinesis_records.len(),
        metrics.put_requests_sent,
    );
    if failed != 0 || metrics.records_failed != 0 {
        return Err(format!("the producer failed {failed} records of the {label} batch").into());
    }
    Ok(delivered)
}

/// Writes both batches, then reads the stream back with the consumer
/// until every record written has been seen, and checks each came once.
fn write_and_read(stream: &DemoStream<'_>) -> DemoResult {
    let mut written = produce(
        stream,
        "plain",
        ProducerConfig::default(),
        records("plain", PLAIN_RECORDS)?,
    )?;
    written.extend(produce(
        stream,
        "aggregated",
        ProducerConfig::default().with_aggregation(Some(AggregationLimits::default())),
        records("aggregated", AGGREGATED_RECORDS)?,
    )?);

    // How often each record written was read: each must end at 1.
    let mut seen: BTreeMap<(String, Vec<u8>), usize> =
        written.iter().cloned().map(|r| (r, 0)).collect();
    let total = written.len();
    let (mut read, mut unknown, mut from_aggregated, mut batches) = (0, 0, 0, 0);
    let mut per_shard: BTreeMap<String, usize> = BTreeMap::new();
    let mut caught_up = std::collections::BTreeSet::new();
    let client = stream.client.clone();
    let name = stream.name.to_owned();
    let limit = Duration::from_secs(if stream.local { 60 } else { 300 });
    demo::consume(
        move || {
            let config = ConsumerConfig::new(name.as_str())
                .with_start(StartPosition::TrimHorizon)
                .with_idle_delay(Duration::from_millis(200));
            Ok(Consumer::new(&client, config))
        },
        limit,
        |seen_now| {
            let batch = match seen_now {
                Seen::Batch(batch) => batch,
                Seen::CaughtUp(shard) => {
                    caught_up.insert(shard.to_owned());
                    // Every record written read at least once, and every
                    // shard read to its tip since (so a repeat anywhere
                    // in the stream has been seen too): done.
                    let all = seen.values().all(|&n| n > 0);
                    let tips = caught_up.len() == SHARDS as usize;
                    return Ok(if all && tips { Next::Stop } else { Next::More });
                }
            };
            batches += 1;
            for record in &batch.records {
                read += 1;
                from_aggregated += usize::from(record.aggregated);
                *per_shard.entry(batch.shard_id.clone()).or_default() += 1;
                let key = (record.partition_key.clone(), record.data.to_vec());
                match seen.get_mut(&key) {
                    Some(n) => *n += 1,
                    None => unknown += 1,
                }
            }
            Ok(Next::More)
        },
    )?;
    let repeated: usize = seen.values().map(|&n| n.saturating_sub(1)).sum();
    let missing = seen.values().filter(|&&n| n == 0).count();
    let once = repeated == 0 && missing == 0 && unknown == 0 && read == total;
    println!(
        "Consumer from TRIM_HORIZON: {read} user records in {batches} batches \
         ({from_aggregated} unpacked from aggregated records), every shard read to its tip; \
         per shard {per_shard:?}"
    );
    println!(
        "Wrote {total} records, read {read} back: missing {missing}, repeated {repeated}, \
         unknown {unknown}; every record exactly once: {}",
        if once { "yes" } else { "NO" }
    );
    if !once {
        return Err("the records read back differ from those written".into());
    }
    Ok(())
}
