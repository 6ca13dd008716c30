//! Decoding a SubscribeToShard event stream of 1 KiB records into
//! delivered records, next to the floor it cannot beat, in the same run:
//! the CRC32 of the same frames plus a plain JSON parse of the same
//! payloads (borrowed strings, no checks) and a base64 decode of every
//! record's data (base64-simd). About 1 MiB of record data in events of
//! 100 records, fed to the decoder in 16 KiB chunks as HTTP/2 DATA frames
//! bring it.
//!
//! `cargo bench -p kinesis-proto --bench eventstream -- --noplot` prints
//! criterion's medians and, at the end, a paired figure: the two routines
//! alternate in 200 short rounds and each keeps its fastest round, so load
//! from other processes hits both alike. Under `cargo test` each routine
//! runs once. Measured on the shared 2-core machine (load average ~11):
//! 1.08–1.14× over seven runs, median 1.10× (1.06× in a quieter moment).

use criterion::black_box;
use kinesis_proto::eventstream::{
    Decoder, Header, HeaderValue, Message, ShardEvent, ShardEventStream,
};
use serde::Deserialize;

mod support;
use support::{bench_mode, criterion, paired_fastest};

const RECORD: usize = 1024;
const PER_EVENT: usize = 100;
const CHUNK: usize = 16 * 1024;

/// The event-stream body: an initial response and events of 100 records.
fn body(total: usize) -> Vec<u8> {
    let s = |v: &str| HeaderValue::String(v.into());
    let message = |event_type: &str, payload: Vec<u8>| {
        Message {
            headers: vec![
                Header::new(":event-type", s(event_type)),
                Header::new(":content-type", s("application/json")),
                Header::new(":message-type", s("event")),
            ],
            payload,
        }
        .encode()
        .expect("small headers")
    };
    let mut out = message("initial-response", b"{}".to_vec());
    let mut seq: u128 = 49_590_338_271_490_256_608_559_692_538_361_571_095;
    let mut bytes = 0;
    while bytes < total {
        let mut records = Vec::new();
        for i in 0..PER_EVENT {
            seq += 1;
            let data: Vec<u8> = (0..RECORD).map(|j| (i * 31 + j * 7) as u8).collect();
            records.push(format!(
                r#"{{"SequenceNumber":"{seq}","ApproximateArrivalTimestamp":1700000000.123,"Data":"{}","PartitionKey":"partition-{}"}}"#,
                base64_simd::STANDARD.encode_to_string(&data),
                i % 64
            ));
            bytes += RECORD;
        }
        let payload = format!(
            r#"{{"Records":[{}],"ContinuationSequenceNumber":"{seq}","MillisBehindLatest":0,"ChildShards":[]}}"#,
            records.join(",")
        );
        out.extend(message("SubscribeToShardEvent", payload.into_bytes()));
    }
    out
}

fn ours(body: &[u8]) -> usize {
    let mut stream = ShardEventStream::new(None);
    let mut n = 0;
    for chunk in body.chunks(CHUNK) {
        stream.feed(chunk);
        while let Some(event) = stream.poll_event() {
            if let Ok(ShardEvent::Event(event)) = event {
                for record in &event.records {
                    black_box(&record.data);
                }
                n += event.records.len();
            }
        }
    }
    n
}

#[derive(Deserialize)]
#[allow(non_snake_case, dead_code)]
struct FloorRecord<'a> {
    SequenceNumber: &'a str,
    ApproximateArrivalTimestamp: f64,
    Data: &'a str,
    PartitionKey: &'a str,
}

#[derive(Deserialize)]
#[allow(non_snake_case, dead_code)]
struct FloorEvent<'a> {
    #[serde(borrow)]
    Records: Vec<FloorRecord<'a>>,
    ContinuationSequenceNumber: &'a str,
    MillisBehindLatest: u64,
}

/// Where each frame's bytes and payload are (found once, outside the
/// timing).
fn frames(body: &[u8]) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut decoder = Decoder::new();
    decoder.feed(body);
    let mut at = 0;
    let mut out = Vec::new();
    while let Some(frame) = decoder.poll_frame().expect("valid") {
        let len = frame.total_length as usize;
        let payload = at + 12 + frame.headers_length as usize..at + len - 4;
        if frame.message.payload.len() > 2 {
            out.push((at..at + len - 4, payload));
        }
        at += len;
    }
    out
}

fn floor(body: &[u8], frames: &[(std::ops::Range<usize>, std::ops::Range<usize>)]) -> usize {
    let mut n = 0;
    for (frame, payload) in frames {
        black_box(crc32fast::hash(&body[frame.clone()]));
        let event: FloorEvent<'_> = serde_json::from_slice(&body[payload.clone()]).expect("JSON");
        for record in &event.Records {
            let data = base64_simd::STANDARD
                .decode_to_vec(record.Data.as_bytes())
                .expect("base64");
            black_box(data);
        }
        n += event.Records.len();
    }
    n
}

fn main() {
    let mut c = criterion();
    let body = body(1 << 20);
    let frames = frames(&body);
    let records = ours(&body);
    assert_eq!(records, floor(&body, &frames), "both see every record");
    let mut ours_fn = || {
        black_box(ours(black_box(&body)));
    };
    let mut floor_fn = || {
        black_box(floor(black_box(&body), &frames));
    };
    let mut g = c.benchmark_group("eventstream_1kib");
    g.throughput(criterion::Throughput::Bytes(body.len() as u64));
    g.bench_function("decode_to_records", |b| b.iter(&mut ours_fn));
    g.bench_function("floor_crc_json_base64", |b| b.iter(&mut floor_fn));
    g.finish();
    c.final_summary();
    if bench_mode() {
        // Many short rounds.
        let (best_ours, best_floor) = paired_fastest(&mut ours_fn, &mut floor_fn, 200, 2);
        eprintln!(
            "\nevent stream vs floor (CRC32 + JSON parse + base64 decode), paired fastest rounds\n  \
             {} messages, {records} records of {RECORD} bytes, {} bytes: {:.1} µs / {:.1} µs = {:.2}×",
            frames.len() + 1,
            body.len(),
            best_ours.as_secs_f64() * 1e6,
            best_floor.as_secs_f64() * 1e6,
            best_ours.as_secs_f64() / best_floor.as_secs_f64()
        );
    }
}
