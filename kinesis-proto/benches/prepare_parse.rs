//! The hot paths, each measured next to the floor it cannot beat, in the
//! same run (the machines here are noisy; the ratio is the figure):
//!
//! - `a_put_record`: `Client::prepare` of a PutRecord with 100 bytes of
//!   data (validate, serialize, sign with the cached signing key) against
//!   SHA-256 of its body + SHA-256 of its canonical request + one
//!   HMAC-SHA256. Target ≤ 3×.
//! - `b_put_records`: prepare of PutRecords with 500 × 1 KiB records
//!   against base64 of all the data + SHA-256 of the resulting body.
//!   Target ≤ 1.15×.
//! - `c_get_records`: parse of a 10 MiB GetRecords answer (10,000 records ×
//!   700 bytes) into records with decoded data against a borrowed
//!   serde_json parse of the same body + base64 decode of every `Data`.
//!   Target ≤ 1.2×.
//! - `d_put_records_answer`: parse of a full 500-entry PutRecords answer
//!   (every record written: a sequence number and a shard each), through
//!   the `Expect` token of the request (so with every check: the entry
//!   count, FailedRecordCount), against a borrowed serde_json parse of the
//!   same bytes into structs of `&str`. Target ≤ 1.1×.
//!
//! The targets are set against floors that use the `base64` crate
//! (`floor`). Since the crate itself uses `base64-simd`, `b` and `c` also
//! have a second floor, `floor_simd`, the same work with `base64-simd` for
//! the base64 part: the ratio against it is what is left of our overhead
//! once both sides have the faster codec. Both `c` floors borrow `Data` as
//! a `&str`, so serde_json checks it is UTF-8; the crate reads it as bytes
//! (the base64 decoder checks every byte), which the floors do not.
//!
//! `cargo bench -p kinesis-proto -- --noplot` prints a table at the end
//! with two ratios per pair: criterion's medians, and a paired figure that
//! alternates the two routines in short rounds and keeps each one's fastest
//! round (load from other processes drifts over a criterion run, which
//! skews medians taken seconds apart; the paired figure shares the drift).
//! Under `cargo test` (no `--bench` argument) criterion runs each routine
//! once, on a 100-record GetRecords page so the debug build stays quick.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use criterion::{black_box, Criterion};
use hmac::{Hmac, Mac};
use kinesis_proto::ops::{GetRecords, PutRecord, PutRecords, PutRecordsRequestEntry};
use kinesis_proto::{Client, Config, Credentials};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

mod support;
use support::{bench_mode, time_round, BorrowedPage};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const B64_SIMD: base64_simd::Base64 = base64_simd::STANDARD;

/// 2023-11-14 22:13:20 UTC.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a valid time")
}

fn client() -> (Client, Credentials) {
    let client = Client::new(Config::new("us-east-1"));
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
    );
    (client, credentials)
}

/// `len` bytes that are not all alike.
fn data(seed: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + seed * 7) as u8).collect()
}

/// The canonical request SigV4 hashes for a Kinesis call with this body.
fn canonical_request(target: &str, body: &[u8]) -> String {
    let body_hash = hex(&Sha256::digest(body));
    format!(
        "POST\n/\n\ncontent-type:application/x-amz-json-1.1\n\
         host:kinesis.us-east-1.amazonaws.com\nx-amz-date:20231114T221320Z\n\
         x-amz-target:Kinesis_20131202.{target}\n\n\
         content-type;host;x-amz-date;x-amz-target\n{body_hash}"
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn put_record(c: &mut Criterion) -> Row {
    let (client, credentials) = client();
    let put = PutRecord::new("my-stream", "user-42", data(0, 100));
    let (request, _) = client
        .prepare(&put, &credentials, now())
        .expect("a valid PutRecord");
    assert!(request.headers().contains_key("authorization"));

    let body = request.body().clone();
    let canonical = canonical_request("PutRecord", &body);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n20231114T221320Z\n20231114/us-east-1/kinesis/aws4_request\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let signing_key = [7u8; 32];

    compare(
        c,
        Pair {
            group: "a_put_record",
            ours: "prepare",
            target: 3.0,
            paired_iters: 2_000,
        },
        &mut || {
            let _ = black_box(client.prepare(black_box(&put), &credentials, now()));
        },
        &mut [("floor", &mut || {
            let body_hash = Sha256::digest(black_box(&body));
            let canonical_hash = Sha256::digest(black_box(canonical.as_bytes()));
            let mut mac = Hmac::<Sha256>::new_from_slice(&signing_key).expect("any key length");
            mac.update(black_box(string_to_sign.as_bytes()));
            black_box((body_hash, canonical_hash, mac.finalize().into_bytes()));
        })],
    )
}

fn put_records(c: &mut Criterion) -> Row {
    let (client, credentials) = client();
    let records: Vec<Vec<u8>> = (0..500).map(|i| data(i, 1024)).collect();
    let put = PutRecords::new(
        "my-stream",
        records
            .iter()
            .enumerate()
            .map(|(i, d)| PutRecordsRequestEntry::new(format!("partition-{i}"), d.clone()))
            .collect(),
    );
    let (request, _) = client
        .prepare(&put, &credentials, now())
        .expect("a valid PutRecords");
    let body = request.body().clone();
    let mut base64 = String::with_capacity(body.len());
    let mut base64_simd = String::with_capacity(body.len());

    compare(
        c,
        Pair {
            group: "b_put_records",
            ours: "prepare",
            target: 1.15,
            paired_iters: 10,
        },
        &mut || {
            let _ = black_box(client.prepare(black_box(&put), &credentials, now()));
        },
        &mut [
            ("floor", &mut || {
                base64.clear();
                for record in &records {
                    B64.encode_string(black_box(record), &mut base64);
                }
                black_box((base64.len(), Sha256::digest(black_box(&body))));
            }),
            ("floor_simd", &mut || {
                base64_simd.clear();
                for record in &records {
                    B64_SIMD.encode_append(black_box(record), &mut base64_simd);
                }
                black_box((base64_simd.len(), Sha256::digest(black_box(&body))));
            }),
        ],
    )
}

/// A GetRecords answer with `n` records of 700 bytes.
fn get_records_body(n: usize) -> Vec<u8> {
    let mut body = String::from(r#"{"Records":["#);
    for i in 0..n {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            r#"{{"SequenceNumber":"4959033827149025660855969253836157109592157598913{i:07}","ApproximateArrivalTimestamp":1.700000{i:03}123E9,"Data":"{}","PartitionKey":"partition-{i}","EncryptionType":"NONE"}}"#,
            B64.encode(data(i, 700)),
        ));
    }
    body.push_str(r#"],"NextShardIterator":"AAAAAAAAAAGQ9bS0hFdXdvVHpFeWx2QW1mNUJjS0VLMWdFYzRXYk9TWW9hWmlUVGRtRE5lUUpHMWdaZz09","MillisBehindLatest":0}"#);
    body.into_bytes()
}

fn get_records(c: &mut Criterion, n: usize) -> Row {
    let response = kinesis_proto::http::Response::builder()
        .status(200)
        .body(get_records_body(n))
        .expect("a valid response");
    // The token a prepared GetRecords hands back is what parses its answer.
    let client = Client::new(Config::new("us-east-1"));
    let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
    let (_request, expect) = client
        .prepare(
            &GetRecords::new("AAAAAAAAAAGSbGYzGTQ2U7n"),
            &credentials,
            OffsetDateTime::UNIX_EPOCH,
        )
        .expect("a valid request");
    let parse = |r: &kinesis_proto::http::Response<Vec<u8>>| expect.parse(r);
    let page = parse(&response).expect("a valid page");
    assert_eq!(page.records.len(), n);
    assert_eq!(page.records[n - 1].data, data(n - 1, 700));
    drop(page);

    // The floor's work, with `decode` for the base64 part.
    let floor = |decode: &dyn Fn(&str) -> Vec<u8>| {
        let page: BorrowedPage<'_> =
            serde_json::from_slice(black_box(response.body())).expect("valid JSON");
        let data: Vec<Vec<u8>> = page.records.iter().map(|r| decode(r.data)).collect();
        for r in &page.records {
            black_box((
                r.sequence_number,
                r.approximate_arrival_timestamp,
                r.partition_key,
                r.encryption_type,
            ));
        }
        black_box((data, page.next_shard_iterator, page.millis_behind_latest));
    };
    let with_base64 = |text: &str| B64.decode(text).expect("valid base64");
    let with_simd = |text: &str| B64_SIMD.decode_to_vec(text).expect("valid base64");
    compare(
        c,
        Pair {
            group: "c_get_records",
            ours: "parse",
            target: 1.2,
            paired_iters: 3,
        },
        &mut || {
            let _ = black_box(parse(black_box(&response)));
        },
        &mut [
            ("floor", &mut || floor(&with_base64)),
            ("floor_simd", &mut || floor(&with_simd)),
        ],
    )
}

/// A PutRecords answer of `n` written records over four shards.
fn put_records_answer(n: usize) -> Vec<u8> {
    let entries: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"SequenceNumber":"4959033827149025660855969253836157109592157598913{i:07}","ShardId":"shardId-00000000000{}"}}"#,
                i % 4
            )
        })
        .collect();
    format!(
        r#"{{"FailedRecordCount":0,"Records":[{}]}}"#,
        entries.join(",")
    )
    .into_bytes()
}

/// What the floor parses: a PutRecords answer, every string borrowed.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BorrowedPutAnswer<'a> {
    failed_record_count: Option<u32>,
    #[serde(borrow)]
    records: Vec<BorrowedPutEntry<'a>>,
    #[serde(borrow)]
    encryption_type: Option<&'a str>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BorrowedPutEntry<'a> {
    #[serde(borrow)]
    sequence_number: Option<&'a str>,
    #[serde(borrow)]
    shard_id: Option<&'a str>,
    #[serde(borrow)]
    error_code: Option<&'a str>,
    #[serde(borrow)]
    error_message: Option<&'a str>,
}

fn put_records_answer_parse(c: &mut Criterion) -> Row {
    const N: usize = 500;
    let (client, credentials) = client();
    let put = PutRecords::new(
        "my-stream",
        (0..N)
            .map(|i| PutRecordsRequestEntry::new(format!("partition-{i}"), data(i, 10)))
            .collect(),
    );
    let (_, expect) = client
        .prepare(&put, &credentials, now())
        .expect("a valid PutRecords");
    let response = kinesis_proto::http::Response::builder()
        .status(200)
        .body(put_records_answer(N))
        .expect("a valid response");
    let answer = expect.parse(&response).expect("a valid answer");
    assert_eq!(answer.records.len(), N);
    assert_eq!(
        answer.records[N - 1].shard_id(),
        Some("shardId-000000000003")
    );
    drop(answer);

    compare(
        c,
        Pair {
            group: "d_put_records_answer",
            ours: "parse",
            target: 1.1,
            paired_iters: 200,
        },
        &mut || {
            let _ = black_box(expect.parse(black_box(&response)));
        },
        &mut [("floor", &mut || {
            let answer: BorrowedPutAnswer<'_> =
                serde_json::from_slice(black_box(response.body())).expect("valid JSON");
            for entry in &answer.records {
                black_box((
                    entry.sequence_number,
                    entry.shard_id,
                    entry.error_code,
                    entry.error_message,
                ));
            }
            black_box((answer.failed_record_count, answer.encryption_type));
        })],
    )
}

/// One routine of ours and its floor.
struct Pair {
    group: &'static str,
    /// The name of our routine in the group.
    ours: &'static str,
    /// The ratio to stay under.
    target: f64,
    /// Iterations per round of the paired measurement.
    paired_iters: u32,
}

/// What one pair measured.
struct Row {
    pair: Pair,
    /// One entry per floor: its name, the criterion medians (ours, floor)
    /// when measured, and the fastest paired rounds (ours, floor) per
    /// iteration.
    floors: Vec<FloorRow>,
}

/// Our routine against one floor.
struct FloorRow {
    name: &'static str,
    medians: Option<(f64, f64)>,
    paired: Option<(Duration, Duration)>,
}

/// A routine to time; it `black_box`es its own result.
type Routine<'a> = &'a mut dyn FnMut();

/// Benchmarks `ours` next to each floor in one criterion group and, when
/// benchmarking, measures them again in alternating rounds (ours, then
/// every floor, repeated).
fn compare(
    c: &mut Criterion,
    pair: Pair,
    ours: Routine<'_>,
    floors: &mut [(&'static str, Routine<'_>)],
) -> Row {
    let mut group = c.benchmark_group(pair.group);
    group.bench_function(pair.ours, |b| b.iter(&mut *ours));
    for (name, floor) in floors.iter_mut() {
        group.bench_function(*name, |b| b.iter(&mut **floor));
    }
    group.finish();
    if !bench_mode() {
        let floors = floors
            .iter()
            .map(|(name, _)| FloorRow {
                name,
                medians: None,
                paired: None,
            })
            .collect();
        return Row { pair, floors };
    }
    let mut best_ours = Duration::MAX;
    let mut best = vec![Duration::MAX; floors.len()];
    for _ in 0..PAIRED_ROUNDS {
        best_ours = best_ours.min(time_round(ours, pair.paired_iters));
        for ((_, floor), best) in floors.iter_mut().zip(&mut best) {
            *best = (*best).min(time_round(*floor, pair.paired_iters));
        }
    }
    let dir = criterion_dir();
    let ours_median = median_ns(&dir, pair.group, pair.ours);
    let floors = floors
        .iter()
        .zip(best)
        .map(|((name, _), best)| FloorRow {
            name,
            medians: ours_median.zip(median_ns(&dir, pair.group, name)),
            paired: Some((best_ours, best)),
        })
        .collect();
    Row { pair, floors }
}

/// Rounds of the paired measurement.
const PAIRED_ROUNDS: u32 = 15;

/// Where criterion keeps its results (set in `main`).
fn criterion_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|target| target.join("criterion"))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// Median time of one routine, as criterion saved it in this run.
fn median_ns(dir: &std::path::Path, group: &str, id: &str) -> Option<f64> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .output_directory(&criterion_dir())
        .configure_from_args();
    let records = if bench_mode() { 10_000 } else { 100 };
    let rows = [
        put_record(&mut c),
        put_records(&mut c),
        get_records(&mut c, records),
        put_records_answer_parse(&mut c),
    ];
    c.final_summary();
    if !bench_mode() {
        return;
    }
    eprintln!("\nours vs floor: criterion medians | paired fastest rounds");
    for row in rows {
        let Pair { group, target, .. } = row.pair;
        for floor in row.floors {
            let mut line = format!("  {group:<14} {:<10}", floor.name);
            if let Some((o, f)) = floor.medians {
                line += &format!(
                    " {:>9.1} µs / {:>9.1} µs = {:4.2}× |",
                    o / 1e3,
                    f / 1e3,
                    o / f
                );
            }
            if let Some((o, f)) = floor.paired {
                let ratio = o.as_secs_f64() / f.as_secs_f64();
                let verdict = if ratio <= target { "ok" } else { "MISSED" };
                line += &format!(
                    " {:>9.1} µs / {:>9.1} µs = {ratio:4.2}× (target ≤ {target}×) {verdict}",
                    o.as_secs_f64() * 1e6,
                    f.as_secs_f64() * 1e6
                );
            }
            eprintln!("{line}");
        }
    }
}
