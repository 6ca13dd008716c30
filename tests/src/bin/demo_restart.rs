//! A restart resuming from a checkpoint file: writes records with the
//! producer, then consumer A reads part of the stream, storing a
//! checkpoint after each batch in a JSON [`FileStore`], and stops (as a
//! process would be stopped). Consumer B, started with the same file,
//! delivers the rest: nothing A had checkpointed comes again and nothing
//! is skipped. The stream is deleted at the end.
//!
//! `cargo run -p kinesis-tests --bin demo_restart` (with kinesis-mock on
//! 127.0.0.1); an endpoint argument, `AWS_ENDPOINT_URL_KINESIS` or `aws`
//! as for `demo`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use kinesis_blocking::consumer::{
    CheckpointStore, Consumer, ConsumerConfig, FileStore, StartPosition,
};
use kinesis_blocking::producer::{Event as Fate, Producer, ProducerConfig, Record};
use kinesis_tests::demo::{self, DemoResult, DemoStream, Next, Seen};

const SHARDS: u32 = 2;
const RECORDS: usize = 60;
/// Consumer A stops after the batch that brings it to this many records.
const A_STOPS_AFTER: usize = 25;
/// Small GetRecords pages, so that checkpoints fall mid-shard.
const PAGE: u32 = 5;

fn main() -> ExitCode {
    demo::main("demo_restart", SHARDS, restart)
}

/// A user record as the demo tells them apart.
type Key = (String, Vec<u8>);

/// What one consumer run delivered: each record with its shard and
/// position.
#[derive(Default)]
struct Run {
    records: Vec<(Key, String, String, u64)>,
    /// The shards whose reader reached the tip.
    caught_up: BTreeSet<String>,
}

/// Reads `stream` with a consumer keeping checkpoints in `file`, until
/// `stop` says so (asked after each batch and each shard reaching its
/// tip).
fn read(
    stream: &DemoStream<'_>,
    file: &Path,
    mut stop: impl FnMut(&Run) -> bool,
) -> DemoResult<Run> {
    let client = stream.client.clone();
    let name = stream.name.to_owned();
    let path = file.to_path_buf();
    let mut run = Run::default();
    let limit = Duration::from_secs(if stream.local { 60 } else { 300 });
    demo::consume(
        move || {
            let config = ConsumerConfig::new(name.as_str())
                .with_start(StartPosition::TrimHorizon)
                .with_records_per_call(PAGE)
                .with_idle_delay(Duration::from_millis(200));
            Consumer::with_store(&client, config, FileStore::new(path))
        },
        limit,
        |seen| {
            let batch = match seen {
                Seen::Batch(batch) => batch,
                Seen::CaughtUp(shard) => {
                    run.caught_up.insert(shard.to_owned());
                    return Ok(if stop(&run) { Next::Stop } else { Next::More });
                }
            };
            for r in &batch.records {
                run.records.push((
                    (r.partition_key.clone(), r.data.to_vec()),
                    batch.shard_id.clone(),
                    r.sequence_number.clone(),
                    r.sub_sequence_number,
                ));
            }
            Ok(if stop(&run) { Next::Stop } else { Next::More })
        },
    )?;
    Ok(run)
}

fn restart(stream: &DemoStream<'_>) -> DemoResult {
    // Write the records; keep those delivered.
    let producer = Producer::new(stream.client, stream.name, ProducerConfig::default())?;
    let mut receipts = Vec::new();
    for i in 0..RECORDS {
        let record = Record::new(
            format!("order-{i}"),
            format!("order {i} of {RECORDS}").into_bytes(),
        );
        receipts.push((producer.send(record.clone())?, record));
    }
    producer.flush();
    let mut written: BTreeSet<Key> = BTreeSet::new();
    for (receipt, record) in receipts {
        match receipt.wait() {
            Fate::Delivered { .. } => {
                written.insert((record.partition_key, record.data));
            }
            other => return Err(format!("the producer did not deliver a record: {other:?}").into()),
        }
    }
    producer.close();
    println!("Producer: {} records delivered", written.len());

    let file = std::env::temp_dir().join(format!("{}-checkpoints.json", stream.name));
    let outcome = restart_with(stream, &file, &written);
    let _ = std::fs::remove_file(&file);
    outcome
}

fn restart_with(stream: &DemoStream<'_>, file: &Path, written: &BTreeSet<Key>) -> DemoResult {
    let _ = std::fs::remove_file(file);
    let a = read(stream, file, |run| run.records.len() >= A_STOPS_AFTER)?;
    let stored = FileStore::new(file).load()?;
    println!(
        "Consumer A: read {} records (pages of {PAGE}), checkpointed after each batch to {}, stopped",
        a.records.len(),
        file.display()
    );
    // The file's JSON on one line.
    let json: serde_json::Value = serde_json::from_str(&stored.to_json())?;
    println!("  checkpoint file: {json}");

    // B: a new consumer on the same file, as after a restart.
    let a_keys: BTreeSet<Key> = a.records.iter().map(|r| r.0.clone()).collect();
    // B goes on until it has every record and every shard is read to
    // its tip (so a repeat anywhere after the checkpoints is seen too).
    let b = read(stream, file, |run| {
        if run.caught_up.len() < SHARDS as usize {
            return false;
        }
        let b_keys: BTreeSet<&Key> = run.records.iter().map(|r| &r.0).collect();
        written
            .iter()
            .all(|k| a_keys.contains(k) || b_keys.contains(k))
    })?;
    // Records B delivered that A's checkpoint already covered.
    let before_checkpoint = b
        .records
        .iter()
        .filter(|(_, shard, seq, sub)| stored.get(shard).is_some_and(|cp| cp.covers(seq, *sub)))
        .count();
    let mut first_per_shard: BTreeMap<&str, &str> = BTreeMap::new();
    for (_, shard, seq, _) in &b.records {
        first_per_shard
            .entry(shard.as_str())
            .or_insert(seq.as_str());
    }
    println!(
        "Consumer B (same file): resumed, read {} records; {before_checkpoint} at or before \
         A's checkpoints; first sequence number per shard {first_per_shard:?}",
        b.records.len()
    );

    let mut count: BTreeMap<&Key, usize> = BTreeMap::new();
    for r in a.records.iter().chain(&b.records) {
        *count.entry(&r.0).or_default() += 1;
    }
    let repeated: usize = count.values().map(|n| n - 1).sum();
    let missing = written.iter().filter(|k| !count.contains_key(k)).count();
    let unknown = count.keys().filter(|k| !written.contains(**k)).count();
    let once = repeated == 0 && missing == 0 && unknown == 0 && before_checkpoint == 0;
    println!(
        "A then B: {} + {} = {} of {} records: missing {missing}, repeated {repeated}, \
         unknown {unknown}; every record exactly once across the restart: {}",
        a.records.len(),
        b.records.len(),
        a.records.len() + b.records.len(),
        written.len(),
        if once { "yes" } else { "NO" }
    );
    if !once {
        return Err("the restart lost or repeated records".into());
    }
    Ok(())
}
