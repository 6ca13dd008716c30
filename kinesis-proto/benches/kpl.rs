//! Deaggregating 1 MiB of KPL aggregated records, next to the floor it
//! cannot beat, in the same run: the MD5 of the same protobuf bytes plus a
//! plain protobuf decode of them (every field walked, every user record's
//! data sliced out, with the same `prost` wire primitives; no checks, no
//! tables). Two pages: user records of 100 bytes and of 1 KiB, each packed
//! into aggregated records of the default 51,200-byte cap.
//!
//! `cargo bench -p kinesis-proto --bench kpl -- --noplot` prints criterion's
//! medians and, at the end, a paired figure per page: the two routines
//! alternate in short rounds and each keeps its fastest round, so load
//! from other processes hits both alike. Under `cargo test` each routine
//! runs once.

use criterion::black_box;
use kinesis_proto::kpl::{deaggregate, Add, Aggregator};
use md5::{Digest as _, Md5};
use prost::encoding::{decode_key, decode_varint, skip_field, DecodeContext, WireType};

mod support;
use support::{bench_mode, criterion, paired_fastest};

/// Aggregated records holding at least `total` bytes of them, made of user
/// records of `record_len` bytes under 64 partition keys.
fn page(record_len: usize, total: usize) -> Vec<(String, Vec<u8>)> {
    let mut aggregator = Aggregator::default();
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut bytes = 0;
    let mut i = 0usize;
    while bytes < total {
        let key = format!("partition-{}", i % 64);
        let data: Vec<u8> = (0..record_len).map(|j| (i * 31 + j * 7) as u8).collect();
        if aggregator.add(&key, None, &data) == Add::Full {
            let aggregate = aggregator.finish().expect("full, so not empty");
            bytes += aggregate.data.len();
            out.push((aggregate.partition_key, aggregate.data));
            assert_eq!(aggregator.add(&key, None, &data), Add::Added);
        }
        i += 1;
    }
    if let Some(aggregate) = aggregator.finish() {
        out.push((aggregate.partition_key, aggregate.data));
    }
    out
}

/// Length-delimited field contents, or `None` for other wire types.
fn field<'a>(buf: &mut &'a [u8]) -> Option<(u32, Option<&'a [u8]>)> {
    let (tag, wire_type) = decode_key(buf).ok()?;
    if wire_type == WireType::LengthDelimited {
        let len = decode_varint(buf).ok()? as usize;
        let (bytes, rest) = buf.split_at_checked(len)?;
        *buf = rest;
        Some((tag, Some(bytes)))
    } else {
        skip_field(wire_type, tag, buf, DecodeContext::default()).ok()?;
        Some((tag, None))
    }
}

/// The floor for one aggregated record: MD5 of its protobuf, and a walk
/// of every field that slices out each user record's data.
fn floor(data: &[u8]) -> usize {
    let protobuf = &data[4..data.len() - 16];
    let digest = Md5::digest(protobuf);
    let mut buf = protobuf;
    let mut records = 0;
    let mut data_bytes = 0;
    while !buf.is_empty() {
        let Some((tag, bytes)) = field(&mut buf) else {
            break;
        };
        if let (3, Some(mut record)) = (tag, bytes) {
            records += 1;
            while !record.is_empty() {
                match field(&mut record) {
                    Some((3, Some(user_data))) => data_bytes += black_box(user_data).len(),
                    Some(_) => {}
                    None => break,
                }
            }
        }
    }
    black_box((digest, data_bytes));
    records
}

fn ours(page: &[(String, Vec<u8>)]) -> usize {
    let mut n = 0;
    for (key, data) in page {
        let records = deaggregate(key, data);
        for record in &records {
            black_box(record.data);
        }
        n += records.len();
    }
    n
}

fn floors(page: &[(String, Vec<u8>)]) -> usize {
    page.iter().map(|(_, data)| floor(data)).sum()
}

fn main() {
    let mut c = criterion();
    let mut rows = Vec::new();
    for (group, record_len) in [
        ("kpl_deaggregate_100b", 100),
        ("kpl_deaggregate_1kib", 1024),
    ] {
        let page = page(record_len, 1 << 20);
        let user_records: usize = page.iter().map(|(k, d)| deaggregate(k, d).len()).sum();
        assert_eq!(user_records, floors(&page), "both see every user record");
        let mut ours_fn = || {
            black_box(ours(black_box(&page)));
        };
        let mut floor_fn = || {
            black_box(floors(black_box(&page)));
        };
        let mut g = c.benchmark_group(group);
        g.throughput(criterion::Throughput::Bytes(
            page.iter().map(|(_, d)| d.len() as u64).sum(),
        ));
        g.bench_function("deaggregate", |b| b.iter(&mut ours_fn));
        g.bench_function("floor_md5_decode", |b| b.iter(&mut floor_fn));
        g.finish();
        if bench_mode() {
            let (best_ours, best_floor) = paired_fastest(&mut ours_fn, &mut floor_fn, 30, 20);
            let bytes: usize = page.iter().map(|(_, d)| d.len()).sum();
            rows.push((
                group,
                page.len(),
                user_records,
                bytes,
                best_ours,
                best_floor,
            ));
        }
    }
    c.final_summary();
    if !rows.is_empty() {
        eprintln!("\ndeaggregate vs floor (MD5 + plain protobuf decode), paired fastest rounds");
    }
    for (group, aggregates, user_records, bytes, ours, floor) in rows {
        eprintln!(
            "  {group}: {aggregates} aggregated records, {user_records} user records, {bytes} bytes: \
             {:.1} µs / {:.1} µs = {:.2}×",
            ours.as_secs_f64() * 1e6,
            floor.as_secs_f64() * 1e6,
            ours.as_secs_f64() / floor.as_secs_f64()
        );
    }
}
