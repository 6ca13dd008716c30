//! CPU per record from `Producer::push` to a signed PutRecords request,
//! beside its floor in the same run. Records of 100 bytes and of 1 KiB,
//! 500 per round (one full request without aggregation), plain and
//! aggregated (KPL format, the default 51,200-byte cap).
//!
//! The floor, per record: base64 of its data plus SHA-256 of its share of
//! the request body (the body the producer built, hashed whole); with
//! aggregation also the MD5 of the protobuf and the copy of the data into
//! it. What the producer adds beyond that (validation, shard prediction,
//! batching, JSON framing, signing headers, bookkeeping) is the ratio's
//! excess over 1.
//!
//! `cargo bench -p kinesis-proto --bench producer -- --noplot` prints
//! criterion's medians and, at the end, the ratios from paired rounds (the
//! two routines alternate and each keeps its fastest round, so load from
//! other processes hits both alike). Answers are fed outside the timed
//! part. Under `cargo test` each routine runs once.

use std::time::{Duration, Instant};

use criterion::black_box;
use kinesis_proto::kpl::AggregationLimits;
use kinesis_proto::producer::{Producer, ProducerConfig, Record};
use kinesis_proto::{Client, Config, Credentials};
use md5::{Digest as _, Md5};
use sha2::Sha256;
use time::OffsetDateTime;

mod support;
use support::{bench_mode, criterion};

const RECORDS: usize = 500;

struct Rig {
    producer: Producer,
    now: Instant,
    wall: OffsetDateTime,
    records: Vec<Record>,
    /// The last round's request bodies, for the floor.
    bodies: Vec<Vec<u8>>,
}

fn answer(status: u16, body: String) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.into_bytes())
        .expect("a response")
}

fn target(request: &http::Request<Vec<u8>>) -> String {
    request.headers()["x-amz-target"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

impl Rig {
    fn new(record_len: usize, aggregate: bool) -> Rig {
        let client = Client::new(Config::new("us-east-1"));
        let mut config = ProducerConfig::default().with_linger(Duration::from_secs(3600));
        if aggregate {
            config = config.with_aggregation(Some(AggregationLimits::default()));
        }
        let producer = Producer::new(
            &client,
            "bench-stream",
            Credentials::new("AKIDEXAMPLE", "SECRET", None),
            config,
        )
        .expect("a valid config");
        let records = (0..RECORDS)
            .map(|i| {
                let data: Vec<u8> = (0..record_len).map(|j| (i * 31 + j * 7) as u8).collect();
                Record::new(format!("partition-{}", i % 64), data)
            })
            .collect();
        let mut rig = Rig {
            producer,
            now: Instant::now(),
            wall: OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a time"),
            records,
            bodies: Vec::new(),
        };
        // Setup: the stream summary and the shard map (one shard).
        for _ in 0..4 {
            while let Some(t) = rig.producer.poll_transmit(rig.now, rig.wall, 0.5) {
                let body = if target(&t.request).ends_with("ListShards") {
                    r#"{"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},"SequenceNumberRange":{"StartingSequenceNumber":"1"}}]}"#
                } else {
                    r#"{"StreamDescriptionSummary":{"StreamName":"bench-stream","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/bench-stream","StreamStatus":"ACTIVE","RetentionPeriodHours":24,"StreamCreationTimestamp":1,"EnhancedMonitoring":[],"OpenShardCount":1}}"#
                };
                rig.producer
                    .handle_response(t.id, answer(200, body.into()), rig.now, rig.wall);
            }
        }
        rig
    }

    /// One round: pushes and signed requests timed, answers not.
    fn round(&mut self) -> Duration {
        let records = self.records.clone();
        let start = Instant::now();
        for record in records {
            self.producer.push(record, self.now).expect("room");
        }
        let _ = self.producer.flush();
        let mut out = Vec::new();
        while let Some(t) = self.producer.poll_transmit(self.now, self.wall, 0.5) {
            out.push(t);
        }
        let elapsed = start.elapsed();
        self.bodies.clear();
        for t in out {
            let entries = count_entries(t.request.body());
            let results: Vec<&str> =
                vec![r#"{"ShardId":"shardId-000000000000","SequenceNumber":"1"}"#; entries];
            let body = format!(
                r#"{{"FailedRecordCount":0,"Records":[{}]}}"#,
                results.join(",")
            );
            self.bodies.push(t.request.into_body());
            self.producer
                .handle_response(t.id, answer(200, body), self.now, self.wall);
        }
        while let Some(e) = self.producer.poll_event() {
            black_box(e);
        }
        assert_eq!(self.producer.outstanding(), 0, "every record answered");
        elapsed
    }
}

fn count_entries(body: &[u8]) -> usize {
    body.windows(8).filter(|w| w == b"{\"Data\":").count()
}

/// The floor of a round: base64 of each record's data and SHA-256 of the
/// bodies; with aggregation, MD5 of (and a copy into) each aggregate's
/// protobuf of the same data.
fn floor(records: &[Record], bodies: &[Vec<u8>], aggregate: bool) -> Duration {
    let start = Instant::now();
    // The same SIMD base64 the producer uses, into one buffer.
    let mut text: Vec<u8> = Vec::with_capacity(bodies.iter().map(Vec::len).sum());
    for r in records {
        base64_simd::STANDARD.encode_append(&r.data, &mut text);
    }
    black_box(&text);
    for body in bodies {
        black_box(Sha256::digest(body));
    }
    if aggregate {
        let mut protobuf = Vec::with_capacity(64 * 1024);
        let mut md5 = Md5::new();
        for r in records {
            protobuf.extend_from_slice(&r.data);
            if protobuf.len() >= 50_000 {
                md5.update(&protobuf);
                protobuf.clear();
            }
        }
        md5.update(&protobuf);
        black_box(md5.finalize());
    }
    start.elapsed()
}

fn main() {
    let mut c = criterion();
    let mut rows = Vec::new();
    for (group, record_len, aggregate) in [
        ("producer_100b", 100, false),
        ("producer_1kib", 1024, false),
        ("producer_100b_aggregated", 100, true),
        ("producer_1kib_aggregated", 1024, true),
    ] {
        let mut rig = Rig::new(record_len, aggregate);
        rig.round();
        let records = rig.records.clone();
        let mut g = c.benchmark_group(group);
        g.throughput(criterion::Throughput::Elements(RECORDS as u64));
        g.bench_function("push_to_signed_request", |b| {
            b.iter_custom(|iters| (0..iters).map(|_| rig.round()).sum())
        });
        let bodies = rig.bodies.clone();
        g.bench_function("floor", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| floor(&records, &bodies, aggregate))
                    .sum()
            })
        });
        g.finish();
        if bench_mode() {
            let (mut ours, mut base) = (Duration::MAX, Duration::MAX);
            for _ in 0..40 {
                let o: Duration = (0..10).map(|_| rig.round()).sum::<Duration>() / 10;
                let f: Duration = (0..10)
                    .map(|_| floor(&records, &rig.bodies, aggregate))
                    .sum::<Duration>()
                    / 10;
                ours = ours.min(o);
                base = base.min(f);
            }
            rows.push((group, ours, base));
        }
    }
    c.final_summary();
    if !rows.is_empty() {
        eprintln!("\nproducer push→signed request vs floor, per record, paired fastest rounds");
    }
    for (group, ours, base) in rows {
        let per = |d: Duration| d.as_secs_f64() * 1e9 / RECORDS as f64;
        eprintln!(
            "  {group}: {:.0} ns / {:.0} ns = {:.2}×",
            per(ours),
            per(base),
            ours.as_secs_f64() / base.as_secs_f64()
        );
    }
}
