#![no_main]
//! A whole `Producer` driven by arbitrary pushes, arbitrary answers
//! (PutRecords bodies with arbitrary entry fates, any status and body,
//! transport failures, answers held back and fed late or twice) and
//! arbitrary time steps, with and without aggregation and per-shard order.
//! Then the stream heals: every pushed record must end in exactly one event,
//! within the record time to live; nothing may panic.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use kinesis_proto::http;
use kinesis_proto::kpl::{hash_key_of, AggregationLimits};
use kinesis_proto::producer::{Event, Ordering, Producer, ProducerConfig, Record, Transmit};
use kinesis_proto::{Client, Config, Credentials, TransportError, TransportErrorKind};
use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;

#[derive(Arbitrary, Debug)]
enum Fate {
    Ok,
    Throttled,
    Internal,
    Other(String),
    /// Lands on a shard other than the one its key maps to.
    Elsewhere,
}

#[derive(Arbitrary, Debug)]
enum Answer {
    Put(Vec<Fate>),
    Http {
        status: u16,
        body: Vec<u8>,
    },
    Transport(u8),
    /// Kept back, fed later (possibly after the producer gave up on it).
    Hold,
}

#[derive(Arbitrary, Debug)]
enum Step {
    Push {
        key: u8,
        len: u16,
        explicit: Option<u128>,
    },
    Answer(Answer),
    /// Feeds the oldest held answer as a success.
    Late,
    Advance(u16),
    Flush,
    Close,
    Reshard,
}

#[derive(Arbitrary, Debug)]
struct Script {
    aggregate: bool,
    per_shard: bool,
    max_in_flight: u8,
    max_count: u8,
    steps: Vec<Step>,
}

struct World {
    producer: Producer,
    now: Instant,
    wall: OffsetDateTime,
    split: bool,
    out: Vec<Transmit>,
    held: Vec<Transmit>,
    events: BTreeMap<u64, Event>,
    pushed: u64,
    sequence: u64,
}

fn target(t: &Transmit) -> String {
    t.request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn shard(split: bool, hash: u128) -> &'static str {
    match (split, hash <= u128::MAX / 2) {
        (false, _) => "shardId-000000000000",
        (true, true) => "shardId-000000000001",
        (true, false) => "shardId-000000000002",
    }
}

/// The hash keys of a PutRecords body's entries, read without a JSON
/// library: each entry has `"PartitionKey":"…"` and maybe
/// `"ExplicitHashKey":"…"` (the producer writes them, no escapes in the
/// fuzzer's keys).
fn hashes_of(body: &[u8]) -> Result<Vec<u128>, ()> {
    let text = std::str::from_utf8(body).map_err(|_| ())?;
    let mut out = Vec::new();
    for entry in text.split("{\"Data\":").skip(1) {
        let field = |name: &str| {
            let start = entry.find(name)? + name.len();
            let end = entry[start..].find('"')? + start;
            Some(entry[start..end].to_owned())
        };
        let hash = match field("\"ExplicitHashKey\":\"") {
            Some(h) => h.parse().map_err(|_| ())?,
            None => hash_key_of(&field("\"PartitionKey\":\"").ok_or(())?),
        };
        out.push(hash);
    }
    Ok(out)
}

impl World {
    fn drain(&mut self) {
        self.producer.handle_timeout(self.now);
        while let Some(t) = self.producer.poll_transmit(self.now, self.wall, 0.5) {
            self.out.push(t);
        }
        while let Some(e) = self.producer.poll_event() {
            let id = e.id().0;
            assert!(id < self.pushed, "an event for a record never pushed");
            assert!(
                self.events.insert(id, e).is_none(),
                "record {id} has two events"
            );
        }
    }

    fn answer(&mut self, t: Transmit, answer: Answer) {
        let reply = |status: u16, body: Vec<u8>| {
            http::Response::builder()
                .status(100 + status % 900) // any valid status code
                .body(body)
                .expect("a response")
        };
        let name = target(&t);
        if !name.ends_with("PutRecords") {
            if let Answer::Transport(k) = answer {
                let e = TransportError::new(kind(k), "fuzz");
                self.producer.handle_transport_error(t.id, e, self.now);
            } else {
                let body = self.setup_body(&name);
                self.producer.handle_response(
                    t.id,
                    reply(200, body.into_bytes()),
                    self.now,
                    self.wall,
                );
            }
            return;
        }
        match answer {
            Answer::Hold => self.held.push(t),
            Answer::Transport(k) => {
                let e = TransportError::new(kind(k), "fuzz");
                self.producer.handle_transport_error(t.id, e, self.now)
            }
            Answer::Http { status, body } => {
                self.producer
                    .handle_response(t.id, reply(status, body), self.now, self.wall)
            }
            Answer::Put(fates) => {
                let body = self.put_body(&t, &fates);
                self.producer.handle_response(
                    t.id,
                    reply(200, body.into_bytes()),
                    self.now,
                    self.wall,
                )
            }
        }
    }

    fn put_body(&mut self, t: &Transmit, fates: &[Fate]) -> String {
        let mut failed = 0;
        let entries: Vec<String> = hashes_of(t.request.body())
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, hash)| match fates.get(i).unwrap_or(&Fate::Ok) {
                Fate::Ok | Fate::Elsewhere => {
                    self.sequence += 1;
                    let elsewhere = matches!(fates.get(i), Some(Fate::Elsewhere));
                    let id = shard(self.split, if elsewhere { !hash } else { hash });
                    format!(
                        r#"{{"ShardId":"{id}","SequenceNumber":"{}"}}"#,
                        self.sequence
                    )
                }
                Fate::Throttled => {
                    failed += 1;
                    r#"{"ErrorCode":"ProvisionedThroughputExceededException"}"#.to_owned()
                }
                Fate::Internal => {
                    failed += 1;
                    r#"{"ErrorCode":"InternalFailure"}"#.to_owned()
                }
                Fate::Other(code) => {
                    failed += 1;
                    let code: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
                    format!(r#"{{"ErrorCode":"X{code}"}}"#)
                }
            })
            .collect();
        format!(
            r#"{{"FailedRecordCount":{failed},"Records":[{}]}}"#,
            entries.join(",")
        )
    }

    fn setup_body(&self, name: &str) -> String {
        if name.ends_with("DescribeStreamSummary") {
            return r#"{"StreamDescriptionSummary":{"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s","StreamStatus":"ACTIVE","RetentionPeriodHours":24,"StreamCreationTimestamp":1,"EnhancedMonitoring":[],"OpenShardCount":1}}"#.to_owned();
        }
        let range = |id: &str, lo: u128, hi: u128| {
            format!(
                r#"{{"ShardId":"{id}","HashKeyRange":{{"StartingHashKey":"{lo}","EndingHashKey":"{hi}"}},"SequenceNumberRange":{{"StartingSequenceNumber":"1"}}}}"#
            )
        };
        let shards = if self.split {
            vec![
                range("shardId-000000000001", 0, u128::MAX / 2),
                range("shardId-000000000002", u128::MAX / 2 + 1, u128::MAX),
            ]
        } else {
            vec![range("shardId-000000000000", 0, u128::MAX)]
        };
        format!(r#"{{"Shards":[{}]}}"#, shards.join(","))
    }
}

fn kind(k: u8) -> TransportErrorKind {
    match k % 6 {
        0 => TransportErrorKind::Connect,
        1 => TransportErrorKind::Io,
        2 => TransportErrorKind::Timeout,
        3 => TransportErrorKind::Tls,
        4 => TransportErrorKind::Protocol,
        _ => TransportErrorKind::Other,
    }
}

fuzz_target!(|script: Script| {
    let ttl = Duration::from_secs(5);
    let mut config = ProducerConfig::default()
        .with_record_ttl(ttl)
        .with_max_in_flight(usize::from(script.max_in_flight % 4) + 1)
        .with_max_buffered_records(64)
        .with_ordering(if script.per_shard {
            Ordering::PerShard
        } else {
            Ordering::Throughput
        });
    if script.aggregate {
        let limits = AggregationLimits::default()
            .with_max_count(u64::from(script.max_count % 8) + 1)
            .with_max_size(2_000);
        config = config.with_aggregation(Some(limits));
    }
    let client =
        Client::new(Config::new("us-east-1").with_attempt_timeout(Some(Duration::from_secs(1))));
    let producer = Producer::new(&client, "s", Credentials::new("A", "S", None), config)
        .expect("a valid config");
    let mut w = World {
        producer,
        now: Instant::now(),
        wall: OffsetDateTime::UNIX_EPOCH,
        split: false,
        out: Vec::new(),
        held: Vec::new(),
        events: BTreeMap::new(),
        pushed: 0,
        sequence: 0,
    };
    for step in script.steps.into_iter().take(200) {
        match step {
            Step::Push { key, len, explicit } => {
                let mut record = Record::new(format!("k{key}"), vec![key; usize::from(len % 1500)]);
                record.explicit_hash_key = explicit;
                if let Ok(id) = w.producer.push(record, w.now) {
                    assert_eq!(id.0, w.pushed);
                    w.pushed += 1;
                }
            }
            Step::Answer(a) => {
                if !w.out.is_empty() {
                    let t = w.out.remove(0);
                    w.answer(t, a);
                }
            }
            Step::Late => {
                if !w.held.is_empty() {
                    let t = w.held.remove(0);
                    w.answer(t, Answer::Put(Vec::new()));
                }
            }
            Step::Advance(ms) => {
                let d = Duration::from_millis(u64::from(ms % 2000));
                w.now += d;
                w.wall += d;
            }
            Step::Flush => {
                let _ = w.producer.flush();
            }
            Step::Close => w.producer.close(),
            Step::Reshard => w.split = !w.split,
        }
        w.drain();
    }
    // The stream heals: everything is answered with success from now on.
    w.producer.close();
    let end = w.now + ttl * 4;
    while !w.producer.is_finished() {
        assert!(
            w.now < end,
            "records still without an event past their TTL: {:?}",
            w.producer
        );
        w.drain();
        let out: Vec<Transmit> = w.out.drain(..).chain(w.held.drain(..)).collect();
        for t in out {
            w.answer(t, Answer::Put(Vec::new()));
        }
        w.drain();
        match w.producer.poll_timeout() {
            Some(t) if t > w.now => {
                let d = t - w.now;
                w.now = t;
                w.wall += d;
            }
            _ if w.out.is_empty() => {
                w.now += Duration::from_millis(10);
                w.wall += Duration::from_millis(10);
            }
            _ => {}
        }
    }
    assert_eq!(
        w.events.len() as u64,
        w.pushed,
        "every record has one event"
    );
});
