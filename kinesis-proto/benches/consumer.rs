//! A 10 MiB GetRecords page to delivered user records through the
//! consumer (the answer parsed by its call, records unpacked, the batch
//! handed out and dropped), plain and aggregated, next to the floor it
//! cannot beat in the same run: a borrowed serde_json parse of the same
//! page plus the base64 decode of every record's data into a page of
//! decoded records (base64-simd, the fastest decoder at hand; the decoded
//! records live until the page is done, as delivered ones do, so both pay
//! for 10 MiB of fresh memory), plus for aggregated records the MD5 of each
//! protobuf.
//!
//! `CONSUMER_BENCH_PARTS=1` also prints where the time goes (the owned
//! parse alone, the borrowed parse alone, the consumer's steps);
//! `CONSUMER_BENCH_ONLY=plain_1kib` runs one page.
//!
//! `cargo bench -p kinesis-proto --bench consumer` prints, per page, the
//! paired figure: the two routines alternate in short rounds and each keeps
//! its fastest round, so load from other processes hits both alike. Under
//! `cargo test` each routine runs once.

use std::time::{Duration, Instant};

use criterion::black_box;
use kinesis_proto::consumer::{Consumer, ConsumerConfig, Event, RequestId};
use kinesis_proto::kpl::{Add, Aggregator};
use kinesis_proto::{Client, Config, Credentials};
use md5::{Digest as _, Md5};
use serde::Deserialize;

mod support;
use support::{bench_mode, BorrowedPage};

const PAGE_BYTES: usize = 10 << 20;

fn base64(data: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(data)
}

/// A GetRecords answer holding about 10 MiB of record data: plain records
/// of 1 KiB, or aggregated records (default 51,200-byte cap) of user
/// records of 1 KiB.
fn page(aggregated: bool) -> (Vec<u8>, usize) {
    let mut records = Vec::new();
    let mut user_records = 0;
    let mut bytes = 0;
    let mut seq: u128 = 49_590_000_000_000_000_000_000_000_000_000_000_000;
    let mut push = |pk: &str, data: &[u8], records: &mut Vec<String>| {
        seq += 7;
        records.push(format!(
            r#"{{"SequenceNumber":"{seq}","ApproximateArrivalTimestamp":1.7E9,"Data":"{}","PartitionKey":"{pk}"}}"#,
            base64(data)
        ));
    };
    let mut agg = Aggregator::default();
    let mut i = 0usize;
    while bytes < PAGE_BYTES {
        let pk = format!("partition-{}", i % 64);
        let data: Vec<u8> = (0..1024).map(|j| (i * 31 + j * 7) as u8).collect();
        if aggregated {
            if agg.add(&pk, None, &data) == Add::Full {
                let a = agg.finish().expect("full, so not empty");
                bytes += a.data.len();
                push(&a.partition_key, &a.data, &mut records);
                assert_eq!(agg.add(&pk, None, &data), Add::Added);
            }
        } else {
            bytes += data.len();
            push(&pk, &data, &mut records);
        }
        user_records += 1;
        i += 1;
    }
    if let Some(a) = agg.finish() {
        push(&a.partition_key, &a.data, &mut records);
    }
    let body = format!(
        r#"{{"Records":[{}],"NextShardIterator":"AAAAAAAAAAFnext","MillisBehindLatest":1000}}"#,
        records.join(",")
    );
    (body.into_bytes(), user_records)
}

fn answer(body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .body(body)
        .expect("a response")
}

/// A consumer whose one shard's GetRecords is out, and that request's id.
fn consumer_at_get_records(now: Instant) -> (Consumer, RequestId) {
    let wall = time::OffsetDateTime::UNIX_EPOCH;
    let client = Client::new(Config::new("us-east-1"));
    let mut consumer = Consumer::new(
        &client,
        Credentials::new("AKID", "SECRET", None),
        ConsumerConfig::new("bench"),
    );
    let script = [
        r#"{"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},"SequenceNumberRange":{"StartingSequenceNumber":"1"}}]}"#,
        r#"{"ShardIterator":"AAAAAAAAAAFfirst"}"#,
    ];
    for body in script {
        let t = consumer.poll_transmit(now, wall, 0.5).expect("a request");
        consumer.handle_response(t.id, answer(body.as_bytes().to_vec()), now, wall);
    }
    let t = consumer.poll_transmit(now, wall, 0.5).expect("GetRecords");
    (consumer, t.id)
}

/// Ours: the answer into the consumer, every user record out.
fn ours(
    mut consumer: Consumer,
    id: RequestId,
    response: http::Response<Vec<u8>>,
    now: Instant,
) -> usize {
    let wall = time::OffsetDateTime::UNIX_EPOCH;
    consumer.handle_response(id, response, now, wall);
    let later = now + Duration::from_secs(1);
    let _next = consumer.poll_transmit(later, wall, 0.5);
    let mut n = 0;
    while let Some(event) = consumer.poll_event() {
        if let Event::Records(batch) = event {
            for r in &batch.records {
                black_box(&r.data);
            }
            n += batch.records.len();
        }
    }
    n
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct OwnedPage {
    records: Vec<OwnedRecord>,
}
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct OwnedRecord {
    sequence_number: String,
    data: String,
    partition_key: String,
    approximate_arrival_timestamp: Option<f64>,
}

/// The floor: borrowed parse, base64 decode of each record into a page
/// of decoded records (kept until the page is done, as delivered records
/// are), and with `md5` the MD5 of each aggregated record's protobuf.
fn floor(body: &[u8], md5: bool) -> usize {
    let page: BorrowedPage<'_> = serde_json::from_slice(body).expect("the page");
    black_box((page.next_shard_iterator, page.millis_behind_latest));
    let mut decoded = Vec::with_capacity(page.records.len());
    for r in &page.records {
        black_box((
            r.sequence_number,
            r.partition_key,
            r.approximate_arrival_timestamp,
        ));
        let data = base64_simd::STANDARD
            .decode_to_vec(r.data.as_bytes())
            .expect("base64");
        if md5 {
            black_box(Md5::digest(&data[4..data.len() - 16]));
        }
        decoded.push(data);
    }
    black_box(&decoded);
    decoded.len()
}

fn main() {
    let rounds = if bench_mode() { 12 } else { 1 };
    let per_round = if bench_mode() { 4 } else { 1 };
    let mut rows = Vec::new();
    let only = std::env::var("CONSUMER_BENCH_ONLY").ok();
    for (name, aggregated) in [("plain_1kib", false), ("aggregated_1kib", true)] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let (body, user_records) = page(aggregated);
        let now = Instant::now();
        let (mut best_ours, mut best_floor) = (Duration::MAX, Duration::MAX);
        for _ in 0..rounds {
            // Set-up outside the clock: consumers at their GetRecords and
            // a copy of the answer for each.
            let ready: Vec<_> = (0..per_round)
                .map(|_| {
                    let (c, id) = consumer_at_get_records(now);
                    (c, id, answer(body.clone()))
                })
                .collect();
            let start = Instant::now();
            for (c, id, response) in ready {
                assert_eq!(ours(c, id, response, now), user_records);
            }
            best_ours = best_ours.min(start.elapsed() / per_round);
            let start = Instant::now();
            for _ in 0..per_round {
                black_box(floor(black_box(&body), aggregated));
            }
            best_floor = best_floor.min(start.elapsed() / per_round);
        }
        if std::env::var("CONSUMER_BENCH_PARTS").is_ok() {
            let start = Instant::now();
            for _ in 0..4 {
                let out: kinesis_proto::ops::GetRecordsOutput =
                    serde_json::from_slice(&body).expect("page");
                black_box(out);
            }
            eprintln!(
                "  {name}: GetRecordsOutput parse alone {:.2} ms",
                start.elapsed().as_secs_f64() * 1e3 / 4.0
            );
            let start = Instant::now();
            for _ in 0..4 {
                let out: BorrowedPage<'_> = serde_json::from_slice(&body).expect("page");
                black_box(out);
            }
            eprintln!(
                "  {name}: borrowed parse alone {:.2} ms",
                start.elapsed().as_secs_f64() * 1e3 / 4.0
            );
            let start = Instant::now();
            for _ in 0..4 {
                let out: OwnedPage = serde_json::from_slice(&body).expect("page");
                black_box(out);
            }
            eprintln!(
                "  {name}: owned strings, data as String {:.2} ms",
                start.elapsed().as_secs_f64() * 1e3 / 4.0
            );
            for _ in 0..3 {
                let (mut c, id) = consumer_at_get_records(now);
                let response = answer(body.clone());
                let wall = time::OffsetDateTime::UNIX_EPOCH;
                let t0 = Instant::now();
                c.handle_response(id, response, now, wall);
                let t1 = Instant::now();
                let _next = c.poll_transmit(now + Duration::from_secs(1), wall, 0.5);
                let t2 = Instant::now();
                let mut events = vec![];
                while let Some(e) = c.poll_event() {
                    events.push(e);
                }
                let t3 = Instant::now();
                drop(events);
                let t4 = Instant::now();
                eprintln!("  {name}: handle_response {:.2} ms, poll_transmit {:.2} ms, events {:.2} ms, drop {:.2} ms",
                    (t1 - t0).as_secs_f64() * 1e3, (t2 - t1).as_secs_f64() * 1e3, (t3 - t2).as_secs_f64() * 1e3, (t4 - t3).as_secs_f64() * 1e3);
            }
        }
        rows.push((name, body.len(), user_records, best_ours, best_floor));
    }
    eprintln!("\nconsumer: a 10 MiB GetRecords page to user records vs floor (borrowed parse + base64 [+ MD5]), paired fastest rounds");
    for (name, bytes, user_records, ours, floor) in rows {
        eprintln!(
            "  {name}: {bytes} bytes of answer, {user_records} user records: {:.2} ms / {:.2} ms = {:.2}×",
            ours.as_secs_f64() * 1e3,
            floor.as_secs_f64() * 1e3,
            ours.as_secs_f64() / floor.as_secs_f64()
        );
    }
}
