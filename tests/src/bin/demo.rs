//! The demo: creates a stream of four shards, writes records with the
//! blocking client (PutRecord and PutRecords, raw bytes and JSON values),
//! reads every one back across all shards, checks them, and deletes the
//! stream.
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

use std::collections::BTreeMap;
use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kinesis_blocking::ops::{
    CreateStream, DeleteStream, GetRecords, GetShardIterator, ListShards, PutRecord, PutRecords,
    PutRecordsRequestEntry, Shard, ShardIteratorType,
};
use kinesis_blocking::{Client, Settings, WaiterConfig};
use kinesis_tests::mock::{KinesisMock, KINESIS_LOCAL_VERSION};
use serde::{Deserialize, Serialize};

const SHARDS: u32 = 4;
const RAW_RECORDS: usize = 6;
const JSON_RECORDS: usize = 30;
/// The variable the AWS tools read a Kinesis endpoint from.
const ENDPOINT_VARIABLE: &str = "AWS_ENDPOINT_URL_KINESIS";

/// The JSON value the demo writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reading {
    sensor: String,
    sequence: u32,
    celsius: f64,
}

/// Where the demo sends its requests.
enum Target {
    /// A kinesis-mock the demo starts.
    Mock,
    /// The server at this URL, given as the argument.
    Endpoint(String),
    /// The server `AWS_ENDPOINT_URL_KINESIS` names.
    FromEnvironment,
    /// AWS: the region's own endpoint.
    Aws,
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

/// The target the command line or the environment names.
fn target() -> Result<Target, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let target = match args.next().as_deref() {
        Some("-h" | "--help") => {
            println!(
                "usage: demo [ENDPOINT_URL | aws]\n\
                 \n\
                 With no argument the demo uses {ENDPOINT_VARIABLE} when it is set, else it\n\
                 starts kinesis-mock on 127.0.0.1. `aws` uses the region's AWS endpoint.\n\
                 Region and credentials for an endpoint or AWS come from the AWS_*\n\
                 variables and ~/.aws files."
            );
            std::process::exit(0);
        }
        Some("aws") => Target::Aws,
        Some(url) => Target::Endpoint(url.to_owned()),
        None => match std::env::var(ENDPOINT_VARIABLE) {
            Ok(url) if !url.is_empty() => Target::FromEnvironment,
            _ => Target::Mock,
        },
    };
    if let Some(extra) = args.next() {
        return Err(format!("unexpected argument {extra:?} (try --help)").into());
    }
    Ok(target)
}

/// Settings from the environment and profile files, with the endpoint
/// `target` names in place of any configured one.
fn settings_from_env(target: &Target) -> Result<Settings, Box<dyn Error>> {
    // With an argument or `aws`, configured endpoints are not looked at.
    let ignore_configured = matches!(target, Target::Endpoint(_) | Target::Aws);
    let var = |name: &str| match name {
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" if ignore_configured => Some("true".to_owned()),
        "AWS_ENDPOINT_URL" | ENDPOINT_VARIABLE if ignore_configured => None,
        _ => std::env::var(name).ok(),
    };
    let settings = Settings::from_env_with(var, |f| std::fs::read_to_string(f))?;
    match target {
        Target::Endpoint(url) => settings
            .with_endpoint_url(url)
            .map_err(|e| format!("the endpoint argument {url:?}: {e}").into()),
        _ => Ok(settings),
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let target = target()?;
    let mock = match target {
        Target::Mock => {
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
            Some(mock)
        }
        Target::Endpoint(_) | Target::FromEnvironment | Target::Aws => None,
    };
    let settings = match &mock {
        Some(mock) => mock.settings(),
        None => settings_from_env(&target)?,
    };
    let client = Client::new(settings)?;
    match client.config().endpoint_url() {
        Some(url) if mock.is_none() => println!(
            "Using the server at {url} (region {})",
            client.config().region()
        ),
        Some(_) => {}
        None => println!("Using AWS in {}", client.config().region()),
    }

    // A fresh name, so that a run against a shared server or an account
    // never meets an old stream.
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let stream = format!("kinesis-rs-demo-{stamp}");
    // Quick polls for a local server, at most 5 s apart for AWS (where
    // a stream takes about half a minute to become ACTIVE).
    let wait = WaiterConfig::new(Duration::from_secs(300))
        .with_delays(Duration::from_millis(100), Duration::from_secs(5));

    client.create_stream(&CreateStream::new(stream.as_str()).with_shard_count(SHARDS))?;
    print!("Created stream {stream:?} with {SHARDS} shards, waiting for ACTIVE…");
    let outcome = client
        .wait_for_stream_active(&stream, wait)
        .map_err(Box::<dyn Error>::from)
        .and_then(|summary| {
            println!(" {}", summary.stream_status);
            write_and_read(&client, &stream, mock.is_some())
        });

    // Delete the stream whatever happened in between.
    let deleted = client
        .delete_stream(&DeleteStream::new(stream.as_str()))
        .map_err(Box::<dyn Error>::from)
        .and_then(|_| {
            client
                .wait_for_stream_gone(&stream, wait)
                .map_err(Box::<dyn Error>::from)
        });
    match &deleted {
        Ok(()) => println!("Deleted stream {stream:?}"),
        Err(e) => eprintln!("could not delete stream {stream:?}: {e}"),
    }
    if let Some(mock) = mock {
        drop(mock);
        println!("Stopped kinesis-mock");
    }
    outcome.and(deleted)
}

/// Writes the demo's records to `stream`, reads them back from every
/// shard and checks them.
fn write_and_read(client: &Client, stream: &str, local: bool) -> Result<(), Box<dyn Error>> {
    // What was written, by (partition key, data), to check the reads against.
    let mut written: BTreeMap<(String, Vec<u8>), usize> = BTreeMap::new();

    println!("PutRecord × {RAW_RECORDS} (raw bytes):");
    for i in 0..RAW_RECORDS {
        let key = format!("raw-{i}");
        let data: Vec<u8> = (0..=255u8).cycle().skip(i * 40).take(16 + i * 8).collect();
        let put = client.put_record(&PutRecord::new(stream, key.as_str(), data.clone()))?;
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
    let batch = client.put_records(&PutRecords::new(stream, entries))?;
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
    let first = ListShards::new(stream).with_max_results(2);
    let mut shards: Vec<Shard> = Vec::new();
    let mut pages = 0;
    for page in client.list_shards_pages(first) {
        pages += 1;
        shards.extend(page?.shards);
    }
    println!("ListShards: {} shards in {pages} pages", shards.len());

    let mut read: BTreeMap<(String, Vec<u8>), usize> = BTreeMap::new();
    let mut decoded = Vec::new();
    // Small pages locally to show the iterator chain; one page per shard
    // against a real service, which allows 5 reads a second per shard.
    let limit = if local { 5 } else { 1000 };
    for shard in &shards {
        let mut iterator = client
            .get_shard_iterator(&GetShardIterator::new(
                stream,
                shard.shard_id.as_str(),
                ShardIteratorType::TrimHorizon,
            ))?
            .shard_iterator;
        let (mut count, mut calls) = (0, 0);
        while let Some(it) = iterator {
            let page = client.get_records(&GetRecords::new(it).with_limit(limit))?;
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
            if !local {
                std::thread::sleep(Duration::from_millis(200));
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
    if read != written || !json_ok {
        return Err("the records read back differ from those written".into());
    }
    Ok(())
}
