//! The demo: starts kinesis-mock on 127.0.0.1, creates a stream of four
//! shards, writes records with the blocking client (PutRecord and
//! PutRecords, raw bytes and JSON values), reads every one back across all
//! shards, checks them, and stops the mock.
//!
//! Run it with `cargo run -p kinesis-tests --bin demo`.

use std::collections::BTreeMap;
use std::error::Error;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use kinesis_blocking::ops::{
    CreateStream, DeleteStream, DescribeStreamSummary, GetRecords, GetShardIterator, ListShards,
    PutRecord, PutRecords, PutRecordsRequestEntry, ShardIteratorType, StreamStatus,
};
use kinesis_blocking::{Client, Paginated};
use kinesis_tests::mock::{KinesisMock, KINESIS_LOCAL_VERSION};
use serde::{Deserialize, Serialize};

const STREAM: &str = "demo-stream";
const SHARDS: u32 = 4;
const RAW_RECORDS: usize = 6;
const JSON_RECORDS: usize = 30;

/// The JSON value the demo writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reading {
    sensor: String,
    sequence: u32,
    celsius: f64,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    println!(
        "Starting kinesis-mock (npm kinesis-local {KINESIS_LOCAL_VERSION}, installed into \
         tests/kinesis-mock/node_modules on first use) on 127.0.0.1…"
    );
    let mock = KinesisMock::start()?;
    println!(
        "  listening on {} (and {} over TLS)",
        mock.plain_url(),
        mock.tls_url()
    );
    let client = Client::new(mock.settings())?;

    client.create_stream(&CreateStream::new(STREAM).with_shard_count(SHARDS))?;
    print!("Created stream {STREAM:?} with {SHARDS} shards, waiting for ACTIVE…");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let summary = client
            .describe_stream_summary(&DescribeStreamSummary::new(STREAM))?
            .stream_description_summary;
        if summary.stream_status == StreamStatus::Active {
            println!(" ACTIVE");
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("stream still {:?} after 30 s", summary.stream_status).into());
        }
        thread::sleep(Duration::from_millis(100));
    }

    // What was written, by (partition key, data), to check the reads against.
    let mut written: BTreeMap<(String, Vec<u8>), usize> = BTreeMap::new();

    println!("PutRecord × {RAW_RECORDS} (raw bytes):");
    for i in 0..RAW_RECORDS {
        let key = format!("raw-{i}");
        let data: Vec<u8> = (0..=255u8).cycle().skip(i * 40).take(16 + i * 8).collect();
        let put = client.put_record(&PutRecord::new(STREAM, key.as_str(), data.clone()))?;
        println!(
            "  {key}: {} bytes -> {} seq {}",
            data.len(),
            put.shard_id,
            put.sequence_number
        );
        *written.entry((key, data)).or_default() += 1;
    }

    let readings: Vec<Reading> = (0..JSON_RECORDS)
        .map(|i| Reading {
            sensor: format!("sensor-{}", i % 7),
            sequence: i as u32,
            celsius: 18.0 + (i as f64) * 0.25,
        })
        .collect();
    let mut entries = Vec::new();
    for reading in &readings {
        let key = format!("{}-{}", reading.sensor, reading.sequence);
        let entry = PutRecordsRequestEntry::json(key.as_str(), reading)?;
        *written.entry((key, entry.data.clone())).or_default() += 1;
        entries.push(entry);
    }
    let batch = client.put_records(&PutRecords::new(STREAM, entries))?;
    let mut per_shard: BTreeMap<String, usize> = BTreeMap::new();
    for entry in &batch.records {
        if let Some(shard) = entry.shard_id() {
            *per_shard.entry(shard.to_owned()).or_default() += 1;
        }
    }
    println!(
        "PutRecords × {JSON_RECORDS} (JSON values): {} failed; per shard {per_shard:?}",
        batch.failed_record_count
    );
    if batch.failed_record_count != 0 {
        return Err("PutRecords reported failed records".into());
    }

    // Every shard, two per ListShards page to show the paging.
    let mut list = ListShards::new(STREAM).with_max_results(2);
    let mut shards = Vec::new();
    let mut pages = 0;
    loop {
        let page = client.list_shards(&list)?;
        pages += 1;
        let next = list.next_page(&page);
        shards.extend(page.shards);
        match next {
            Some(next) => list = next,
            None => break,
        }
    }
    println!("ListShards: {} shards in {pages} pages", shards.len());

    let mut read: BTreeMap<(String, Vec<u8>), usize> = BTreeMap::new();
    let mut decoded = Vec::new();
    for shard in &shards {
        let mut iterator = client
            .get_shard_iterator(&GetShardIterator::new(
                STREAM,
                shard.shard_id.as_str(),
                ShardIteratorType::TrimHorizon,
            ))?
            .shard_iterator;
        let (mut count, mut calls) = (0, 0);
        while let Some(it) = iterator {
            let page = client.get_records(&GetRecords::new(it).with_limit(5))?;
            calls += 1;
            let caught_up = page.records.is_empty() && page.millis_behind_latest == Some(0);
            for record in page.records {
                count += 1;
                if let Ok(reading) = record.json::<Reading>() {
                    decoded.push(reading);
                }
                *read.entry((record.partition_key, record.data)).or_default() += 1;
            }
            if caught_up || calls > 1000 {
                break;
            }
            iterator = page.next_shard_iterator;
        }
        println!(
            "  {} [{}..{}]: {count} records in {calls} GetRecords calls",
            shard.shard_id,
            shard.hash_key_range.starting_hash_key,
            shard.hash_key_range.ending_hash_key
        );
    }

    let total_written: usize = written.values().sum();
    let total_read: usize = read.values().sum();
    decoded.sort_by_key(|r| r.sequence);
    let json_ok = decoded == readings;
    println!(
        "Wrote {total_written} records, read {total_read} back across {} shards; \
         byte-exact match: {}; JSON values decoded: {} of {JSON_RECORDS}",
        shards.len(),
        if read == written { "yes" } else { "NO" },
        decoded.len()
    );

    client.delete_stream(&DeleteStream::new(STREAM))?;
    println!("Deleted stream {STREAM:?}");
    drop(mock);
    println!("Stopped kinesis-mock");

    if read != written || !json_ok {
        return Err("the records read back differ from those written".into());
    }
    Ok(())
}
