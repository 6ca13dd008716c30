//! The whole consumer driven by arbitrary answers, for the `consumer` fuzz
//! target and a unit test: bytes pick each answer (a transport failure, an
//! error code, raw bytes, or a well-formed ListShards, GetShardIterator or
//! GetRecords answer with arbitrary shards, records, aggregated records,
//! iterators and children), answers out of order or twice, clock jumps,
//! a user who takes events or not and stores checkpoints or not.
//! Must hold: no panic, and no user record delivered twice in one run.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use base64::Engine as _;
use time::OffsetDateTime;

use super::{Checkpoint, Consumer, ConsumerConfig, Event, RequestId, StartPosition};
use crate::kpl::Aggregator;
use crate::{Client, Config, Credentials, TransportError, TransportErrorKind};

struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
    fn shard(&mut self) -> String {
        format!("shardId-{:012}", self.u8() % 6)
    }
    fn seq(&mut self) -> String {
        let n = u16::from(self.u8()) << 4 | u16::from(self.u8() & 0xf);
        n.to_string()
    }
}

fn answer(status: u16, body: String) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.into_bytes())
        .unwrap_or_default()
}

const CODES: [&str; 8] = [
    "ExpiredIteratorException",
    "ProvisionedThroughputExceededException",
    "InvalidArgumentException",
    "ResourceNotFoundException",
    "ExpiredNextTokenException",
    "InternalFailure",
    "AccessDeniedException",
    "",
];

fn well_formed(b: &mut Bytes<'_>, target: &str) -> String {
    match target {
        "ListShards" => {
            let mut shards = vec![];
            for _ in 0..b.u8() % 5 {
                let id = b.shard();
                let mut shard = format!(
                    r#"{{"ShardId":"{id}","HashKeyRange":{{"StartingHashKey":"0","EndingHashKey":"{}"}},"SequenceNumberRange":{{"StartingSequenceNumber":"0""#,
                    u128::MAX
                );
                if b.u8() % 2 == 0 {
                    shard.push_str(r#","EndingSequenceNumber":"99999""#);
                }
                shard.push('}');
                if b.u8() % 2 == 0 {
                    shard.push_str(&format!(r#","ParentShardId":"{}""#, b.shard()));
                }
                if b.u8() % 4 == 0 {
                    shard.push_str(&format!(r#","AdjacentParentShardId":"{}""#, b.shard()));
                }
                shard.push('}');
                shards.push(shard);
            }
            let token = if b.u8() % 3 == 0 {
                format!(r#","NextToken":"t{}""#, b.u8())
            } else {
                String::new()
            };
            format!(r#"{{"Shards":[{}]{token}}}"#, shards.join(","))
        }
        "GetShardIterator" => {
            if b.u8() % 5 == 0 {
                r#"{"ShardIterator":null}"#.to_owned()
            } else {
                format!(r#"{{"ShardIterator":"it{}"}}"#, b.u8())
            }
        }
        _ => {
            let mut records = vec![];
            for _ in 0..b.u8() % 6 {
                let seq = b.seq();
                let data = if b.u8() % 3 == 0 {
                    let mut agg = Aggregator::default();
                    for i in 0..1 + b.u8() % 4 {
                        let _ = agg.add(&format!("k{i}"), None, &[b.u8()]);
                    }
                    agg.finish().map(|a| a.data).unwrap_or_default()
                } else {
                    vec![b.u8(); usize::from(b.u8() % 4)]
                };
                records.push(format!(
                    r#"{{"SequenceNumber":"{seq}","Data":"{}","PartitionKey":"p{}"}}"#,
                    base64::engine::general_purpose::STANDARD.encode(&data),
                    b.u8() % 3
                ));
            }
            let next = if b.u8() % 4 == 0 {
                "null".to_owned()
            } else {
                format!(r#""it{}""#, b.u8())
            };
            let mut children = vec![];
            for _ in 0..b.u8() % 3 {
                children.push(format!(
                    r#"{{"ShardId":"{}","ParentShards":["{}"],"HashKeyRange":{{"StartingHashKey":"0","EndingHashKey":"1"}}}}"#,
                    b.shard(),
                    b.shard()
                ));
            }
            format!(
                r#"{{"Records":[{}],"NextShardIterator":{next},"MillisBehindLatest":{},"ChildShards":[{}]}}"#,
                records.join(","),
                b.u8() % 3,
                children.join(",")
            )
        }
    }
}

/// Runs a consumer against answers picked by `data`; panics if a user
/// record is delivered twice. Returns how many were delivered.
pub fn drive(data: &[u8]) -> usize {
    let mut b = Bytes { data, pos: 0 };
    let start = match b.u8() % 3 {
        0 => StartPosition::TrimHorizon,
        1 => StartPosition::Latest,
        _ => StartPosition::AtTimestamp(OffsetDateTime::UNIX_EPOCH),
    };
    let mut config = ConsumerConfig::new("fuzz")
        .with_start(start)
        .with_children_after_checkpoint(b.u8() % 2 == 0)
        .with_prefetch(usize::from(b.u8() % 3));
    if b.u8() % 2 == 0 {
        let mut checkpoints = super::Checkpoints::new();
        for _ in 0..b.u8() % 3 {
            let cp = if b.u8() % 3 == 0 {
                Checkpoint::ShardEnd
            } else {
                Checkpoint::after(b.seq(), u64::from(b.u8() % 3))
            };
            checkpoints.set(b.shard(), cp);
        }
        config = config.with_checkpoints(checkpoints);
    }
    let client = Client::new(Config::new("us-east-1"));
    let mut consumer = Consumer::new(&client, Credentials::new("AKID", "SECRET", None), config);
    let origin = Instant::now();
    let mut now = origin;
    let wall = |now: Instant| OffsetDateTime::UNIX_EPOCH + (now - origin);
    let mut seen = HashSet::new();
    let mut held: Vec<(RequestId, String)> = vec![];
    let mut steps = 0;
    while !b.done() && steps < 5_000 {
        steps += 1;
        while let Some(t) = consumer.poll_transmit(now, wall(now), f64::from(b.u8()) / 256.0) {
            let target = t
                .request
                .headers()
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .trim_start_matches("Kinesis_20131202.")
                .to_owned();
            if b.u8() % 8 == 0 {
                held.push((t.id, target)); // answered later, out of order
                continue;
            }
            feed(&mut consumer, &mut b, t.id, &target, now, wall(now));
            if b.done() {
                break;
            }
        }
        if let (false, Some((id, target))) = (held.is_empty(), held.pop()) {
            if b.u8() % 2 == 0 {
                feed(&mut consumer, &mut b, id, &target, now, wall(now));
            } else {
                held.insert(0, (id, target));
            }
        }
        if b.u8() % 4 != 0 {
            while let Some(event) = consumer.poll_event() {
                match event {
                    Event::Records(batch) => {
                        for r in &batch.records {
                            let key = (
                                batch.shard_id.clone(),
                                r.sequence_number.trim_start_matches('0').to_owned(),
                                r.sub_sequence_number,
                            );
                            assert!(seen.insert(key), "delivered twice: {r:?}");
                        }
                        if b.u8() % 2 == 0 {
                            consumer.handle_checkpoint(&batch.shard_id, &batch.checkpoint);
                        }
                    }
                    Event::ShardEnded {
                        shard_id,
                        checkpoint,
                        ..
                    } if b.u8() % 4 != 0 => {
                        consumer.handle_checkpoint(&shard_id, &checkpoint);
                    }
                    _ => {}
                }
            }
        }
        let jump = Duration::from_millis(u64::from(b.u8()) * 20);
        now = match consumer.poll_timeout() {
            Some(at) if b.u8() % 2 == 0 => now.max(at),
            _ => now + jump,
        };
    }
    seen.len()
}

fn feed(
    consumer: &mut Consumer,
    b: &mut Bytes<'_>,
    id: RequestId,
    target: &str,
    now: Instant,
    wall: OffsetDateTime,
) {
    let choice = b.u8();
    match choice % 8 {
        0 => consumer.handle_transport_error(
            id,
            TransportError::new(TransportErrorKind::Io, "reset"),
            now,
        ),
        1 | 2 => {
            let code = CODES[usize::from(b.u8()) % CODES.len()];
            let status = if b.u8() % 4 == 0 { 500 } else { 400 };
            consumer.handle_response(
                id,
                answer(status, format!(r#"{{"__type":"{code}"}}"#)),
                now,
                wall,
            );
        }
        3 => {
            let raw: Vec<u8> = (0..b.u8() % 16).map(|_| b.u8()).collect();
            consumer.handle_response(
                id,
                answer(200, String::from_utf8_lossy(&raw).into_owned()),
                now,
                wall,
            );
        }
        _ => {
            let body = well_formed(b, target);
            consumer.handle_response(id, answer(200, body), now, wall);
        }
    }
    if choice >= 0xf0 {
        // The same answer again: no request is out for it any more.
        consumer.handle_response(id, answer(200, "{}".to_owned()), now, wall);
    }
}
