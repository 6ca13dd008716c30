//! The producer in virtual time against a scripted stream: no server, no
//! sleeping. Every step checks that no record has two events; every test
//! ends by checking that every record has exactly one.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use proptest::prelude::*;
use serde_json::Value;
use time::OffsetDateTime;

use super::*;
use crate::kpl::{self, AggregationLimits};
use crate::{Client, Config, Credentials, Error, ErrorCode, TransportError, TransportErrorKind};

const MAX: u128 = u128::MAX;

/// One entry of a PutRecords request as the test server reads it.
#[derive(Debug, Clone)]
struct Entry {
    key: String,
    explicit: Option<u128>,
    data: Vec<u8>,
}

impl Entry {
    fn hash_key(&self) -> u128 {
        self.explicit.unwrap_or_else(|| kpl::hash_key_of(&self.key))
    }
}

/// What the scripted server does with one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Ok,
    Throttle,
    Internal,
}

/// What the scripted network does with one request.
#[derive(Debug, Clone)]
enum Reply {
    /// A PutRecords 200 with these fates (by entry), others Ok.
    Put(Vec<Fate>),
    /// A status and body.
    Http(u16, String),
    /// A transport failure.
    Lost(TransportErrorKind),
    /// No answer (yet).
    Hold,
}

/// A request handed out and not answered.
struct Out {
    transmit: Transmit,
    target: String,
}

impl Out {
    fn entries(&self) -> Vec<Entry> {
        put_entries(&self.transmit.request)
    }
}

fn put_entries(request: &http::Request<Vec<u8>>) -> Vec<Entry> {
    let body: Value = serde_json::from_slice(request.body()).expect("JSON body");
    body["Records"]
        .as_array()
        .expect("Records")
        .iter()
        .map(|r| Entry {
            key: r["PartitionKey"].as_str().expect("key").to_owned(),
            explicit: r["ExplicitHashKey"]
                .as_str()
                .map(|h| h.parse().expect("u128")),
            data: base64::engine::general_purpose::STANDARD
                .decode(r["Data"].as_str().expect("data"))
                .expect("base64"),
        })
        .collect()
}

struct Harness {
    producer: Producer,
    now: Instant,
    wall: OffsetDateTime,
    /// The stream's open shards as the server has them.
    shards: Vec<(u128, u128, String)>,
    auto: bool,
    /// Each record's event; checked for repeats at every step.
    events: BTreeMap<u64, Event>,
    pushed: u64,
    out: Vec<Out>,
    sequence: u64,
    /// PutRecords requests seen, entries per request.
    put_sizes: Vec<usize>,
}

fn client() -> Client {
    Client::new(
        Config::new("us-east-1")
            .with_attempt_timeout(Some(Duration::from_secs(5)))
            .with_call_timeout(None),
    )
}

fn one_shard() -> Vec<(u128, u128, String)> {
    vec![(0, MAX, "shardId-000000000000".into())]
}

fn two_shards() -> Vec<(u128, u128, String)> {
    vec![
        (0, MAX / 2, "shardId-000000000001".into()),
        (MAX / 2 + 1, MAX, "shardId-000000000002".into()),
    ]
}

/// A partition key whose hash lands in the lower (`true`) or upper half.
fn key_in_half(lower: bool, n: usize) -> String {
    (0..)
        .map(|i| format!("key-{n}-{i}"))
        .find(|k| (kpl::hash_key_of(k) <= MAX / 2) == lower)
        .expect("some key hashes there")
}

impl Harness {
    fn new(config: ProducerConfig, shards: Vec<(u128, u128, String)>) -> Self {
        let producer = Producer::new(
            &client(),
            "stream",
            Credentials::new("AKID", "SECRET", None),
            config,
        )
        .expect("a valid config");
        Harness {
            producer,
            now: Instant::now(),
            wall: OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a time"),
            shards,
            auto: false,
            events: BTreeMap::new(),
            pushed: 0,
            out: Vec::new(),
            sequence: 0,
            put_sizes: Vec::new(),
        }
    }

    fn push(&mut self, key: &str, data: &[u8]) -> RecordId {
        let id = self
            .producer
            .push(Record::new(key, data.to_vec()), self.now)
            .expect("pushed");
        assert_eq!(id.0, self.pushed);
        self.pushed += 1;
        id
    }

    /// Handles timers, collects transmits and events, checks the invariant.
    fn step(&mut self) {
        self.producer.handle_timeout(self.now);
        while let Some(t) = self.producer.poll_transmit(self.now, self.wall, 0.5) {
            let target = t.request.headers()["x-amz-target"]
                .to_str()
                .expect("ascii")
                .trim_start_matches("Kinesis_20131202.")
                .to_owned();
            if target == "PutRecords" {
                self.put_sizes.push(put_entries(&t.request).len());
            }
            self.out.push(Out {
                transmit: t,
                target,
            });
        }
        self.drain_events();
        // Drained, the producer has nothing to do before its timer: a
        // timer at or before now would make a driver spin.
        if let Some(t) = self.producer.poll_timeout() {
            assert!(
                t > self.now,
                "a timer {:?} not after now {:?}: {}",
                self.now - t,
                self.now,
                self.producer.debug_timers()
            );
        }
    }

    fn drain_events(&mut self) {
        while let Some(e) = self.producer.poll_event() {
            let id = e.id().0;
            assert!(
                id < self.pushed,
                "an event for a record never pushed: {e:?}"
            );
            if let Some(first) = self.events.insert(id, e.clone()) {
                panic!("record {id} has two events: {first:?} and {e:?}");
            }
        }
        let m = self.producer.metrics(self.now);
        assert_eq!(
            m.records_delivered + m.records_failed,
            self.events.len() as u64,
            "metrics count the events"
        );
        assert_eq!(
            m.records_outstanding as u64,
            self.pushed - self.events.len() as u64
        );
    }

    fn advance(&mut self, d: Duration) {
        self.now += d;
        self.wall += d;
    }

    /// Moves the clocks to the producer's next timer, if it has one.
    fn advance_to_timeout(&mut self) -> bool {
        match self.producer.poll_timeout() {
            Some(t) if t > self.now => {
                let d = t - self.now;
                self.advance(d);
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    /// Takes out the first unanswered request of this target.
    fn take(&mut self, target: &str) -> Option<Out> {
        let i = self.out.iter().position(|o| o.target == target)?;
        Some(self.out.remove(i))
    }

    fn shard_of(&self, hash: u128) -> &str {
        &self
            .shards
            .iter()
            .find(|(lo, hi, _)| *lo <= hash && hash <= *hi)
            .expect("the shards cover every key")
            .2
    }

    /// Answers one request as the scripted network does.
    fn answer(&mut self, out: Out, reply: Reply) {
        let id = out.transmit.id;
        let response = |status: u16, body: String| {
            http::Response::builder()
                .status(status)
                .body(body.into_bytes())
                .expect("a response")
        };
        match reply {
            Reply::Hold => self.out.push(out),
            Reply::Lost(kind) => self.producer.handle_transport_error(
                id,
                TransportError::new(kind, "scripted"),
                self.now,
            ),
            Reply::Http(status, body) => {
                self.producer
                    .handle_response(id, response(status, body), self.now, self.wall)
            }
            Reply::Put(fates) => {
                let body = self.put_answer(&out, &fates);
                self.producer
                    .handle_response(id, response(200, body), self.now, self.wall)
            }
        }
        self.drain_events();
    }

    fn put_answer(&mut self, out: &Out, fates: &[Fate]) -> String {
        let entries = out.entries();
        let mut failed = 0;
        let mut records = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            match fates.get(i).copied().unwrap_or(Fate::Ok) {
                Fate::Ok => {
                    self.sequence += 1;
                    let shard = self.shard_of(e.hash_key()).to_owned();
                    records.push(format!(
                        r#"{{"ShardId":"{shard}","SequenceNumber":"{}"}}"#,
                        self.sequence
                    ));
                }
                Fate::Throttle => {
                    failed += 1;
                    records.push(r#"{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"slow down"}"#.into());
                }
                Fate::Internal => {
                    failed += 1;
                    records.push(r#"{"ErrorCode":"InternalFailure","ErrorMessage":"oops"}"#.into());
                }
            }
        }
        format!(
            r#"{{"FailedRecordCount":{failed},"Records":[{}]}}"#,
            records.join(",")
        )
    }

    /// The stream's answer to a setup request (ListShards,
    /// DescribeStreamSummary).
    fn setup_answer(&self, target: &str) -> String {
        match target {
            "ListShards" => {
                let shards: Vec<String> = self
                    .shards
                    .iter()
                    .map(|(lo, hi, id)| {
                        format!(
                            r#"{{"ShardId":"{id}","HashKeyRange":{{"StartingHashKey":"{lo}","EndingHashKey":"{hi}"}},"SequenceNumberRange":{{"StartingSequenceNumber":"1"}}}}"#
                        )
                    })
                    .collect();
                format!(r#"{{"Shards":[{}]}}"#, shards.join(","))
            }
            "DescribeStreamSummary" => format!(
                r#"{{"StreamDescriptionSummary":{{"StreamName":"stream","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/stream","StreamStatus":"ACTIVE","RetentionPeriodHours":24,"StreamCreationTimestamp":1.7E9,"EnhancedMonitoring":[],"OpenShardCount":{},"RecordDistributionStrategy":"{}"}}}}"#,
                self.shards.len(),
                if self.auto {
                    "AUTO"
                } else {
                    "USER_PARTITION_KEY"
                }
            ),
            other => panic!("not a setup request: {other}"),
        }
    }

    /// Answers every setup request out now.
    fn answer_setup(&mut self) {
        loop {
            self.step();
            let Some(i) = self.out.iter().position(|o| o.target != "PutRecords") else {
                return;
            };
            let out = self.out.remove(i);
            let body = self.setup_answer(&out.target);
            self.answer(out, Reply::Http(200, body));
        }
    }

    /// Runs until every record has an event, answering everything with
    /// success; fails the test if time runs far past the TTL.
    fn run_to_end(&mut self) {
        let flush = self.producer.flush();
        let limit = self.now + Duration::from_secs(120);
        while !self.producer.is_flushed(flush) {
            assert!(self.now < limit, "no end in sight: {:?}", self.producer);
            self.answer_setup();
            self.step();
            let outs: Vec<Out> = self.out.drain(..).collect();
            for out in outs {
                if out.target == "PutRecords" {
                    self.answer(out, Reply::Put(vec![]));
                } else {
                    let body = self.setup_answer(&out.target);
                    self.answer(out, Reply::Http(200, body));
                }
            }
            self.step();
            if self.out.is_empty() && !self.producer.is_flushed(flush) && !self.advance_to_timeout()
            {
                self.advance(Duration::from_millis(10));
            }
        }
        self.check_all_settled();
    }

    fn check_all_settled(&mut self) {
        self.drain_events();
        assert_eq!(
            self.events.len() as u64,
            self.pushed,
            "every record has an event"
        );
        assert_eq!(self.producer.outstanding(), 0);
    }

    fn delivered(&self, id: u64) -> Option<(&str, &str, Option<u64>)> {
        match self.events.get(&id)? {
            Event::Delivered {
                shard_id,
                sequence_number,
                sub_sequence_number,
                ..
            } => Some((shard_id, sequence_number, *sub_sequence_number)),
            Event::Failed { .. } => None,
        }
    }

    fn failed(&self, id: u64) -> Option<(&Error, u32)> {
        match self.events.get(&id)? {
            Event::Failed {
                error, attempts, ..
            } => Some((error, *attempts)),
            Event::Delivered { .. } => None,
        }
    }
}

fn fast() -> ProducerConfig {
    ProducerConfig::default()
}

// ------------------------------------------------------------- batching

#[test]
fn a_record_waits_its_linger_then_goes() {
    let mut h = Harness::new(fast(), one_shard());
    h.answer_setup();
    h.push("k", b"hello");
    h.step();
    assert!(h.take("PutRecords").is_none(), "not before the linger");
    assert_eq!(
        h.producer.poll_timeout(),
        Some(h.now + Duration::from_millis(100))
    );
    h.advance(Duration::from_millis(99));
    h.step();
    assert!(h.take("PutRecords").is_none(), "not at 99 ms");
    h.advance(Duration::from_millis(1));
    h.step();
    let out = h.take("PutRecords").expect("at 100 ms");
    assert!(out.transmit.request.headers().contains_key("authorization"));
    assert_eq!(out.transmit.timeout, Some(Duration::from_secs(5)));
    h.answer(out, Reply::Put(vec![]));
    h.step();
    assert_eq!(h.delivered(0).map(|d| d.0), Some("shardId-000000000000"));
    h.check_all_settled();
}

#[test]
fn a_full_batch_goes_at_once_and_the_rest_waits() {
    let mut h = Harness::new(fast(), one_shard());
    h.answer_setup();
    for i in 0..501 {
        h.push(&format!("k{i}"), b"x");
    }
    h.step();
    let out = h.take("PutRecords").expect("a full batch");
    assert_eq!(out.entries().len(), 500);
    assert!(h.take("PutRecords").is_none(), "the 501st lingers");
    h.answer(out, Reply::Put(vec![]));
    h.run_to_end();
    assert_eq!(h.put_sizes, [500, 1]);
}

#[test]
fn batches_keep_within_the_request_byte_limit_partition_keys_counted() {
    let mut h = Harness::new(fast(), one_shard());
    h.answer_setup();
    let key = "k".repeat(200);
    // Each record is exactly 1 MiB with its key: five fill 5 MiB.
    let data = vec![7u8; 1024 * 1024 - key.len()];
    for _ in 0..6 {
        h.push(&key, &data);
    }
    h.step();
    let out = h.take("PutRecords").expect("five records fill a request");
    let entries = out.entries();
    assert_eq!(entries.len(), 5);
    let bytes: usize = entries.iter().map(|e| e.data.len() + e.key.len()).sum();
    assert_eq!(bytes, 5 * 1024 * 1024);
    h.answer(out, Reply::Put(vec![]));
    h.run_to_end();
    assert_eq!(h.put_sizes, [5, 1]);
}

#[test]
fn bad_records_are_refused_naming_the_field_and_nothing_is_queued() {
    let mut h = Harness::new(fast(), one_shard());
    let now = h.now;
    let e = h.producer.push(Record::new("", b"x".to_vec()), now);
    assert!(
        matches!(e, Err(PushError::Usage(ref u)) if u.field == "PartitionKey"),
        "{e:?}"
    );
    let e = h
        .producer
        .push(Record::new("k".repeat(257), b"x".to_vec()), now);
    assert!(
        matches!(e, Err(PushError::Usage(ref u)) if u.field == "PartitionKey"),
        "{e:?}"
    );
    let e = h.producer.push(Record::new("k", vec![0; 1024 * 1024]), now);
    assert!(
        matches!(e, Err(PushError::Usage(ref u)) if u.field == "Data"),
        "{e:?}"
    );
    assert_eq!(h.producer.metrics(now).records_pushed, 0);
    assert_eq!(h.producer.outstanding(), 0);
}

#[test]
fn a_full_buffer_hands_the_record_back_until_events_free_room() {
    let config = fast().with_max_buffered_records(2);
    let mut h = Harness::new(config, one_shard());
    h.answer_setup();
    h.push("a", b"1");
    h.push("b", b"2");
    let now = h.now;
    match h.producer.push(Record::new("c", b"3".to_vec()), now) {
        Err(PushError::Full(r)) => assert_eq!(r.data, b"3"),
        other => panic!("{other:?}"),
    }
    h.run_to_end();
    h.push("c", b"3");
    h.run_to_end();

    let config = fast().with_max_buffered_bytes(10);
    let mut h = Harness::new(config, one_shard());
    h.push("a", b"123456789"); // 10 bytes with its key
    let now = h.now;
    assert!(matches!(
        h.producer.push(Record::new("b", b"1".to_vec()), now),
        Err(PushError::Full(_))
    ));
    assert!(matches!(
        h.producer.push(Record::new("b", vec![0; 10]), now),
        Err(PushError::Usage(_))
    ));
}

#[test]
fn bad_configs_are_usage_errors_naming_the_field() {
    let bad = [
        (
            fast().with_max_batch_records(501),
            "ProducerConfig.max_batch_records",
        ),
        (
            fast().with_max_batch_records(0),
            "ProducerConfig.max_batch_records",
        ),
        (
            fast().with_max_batch_bytes(6 * 1024 * 1024),
            "ProducerConfig.max_batch_bytes",
        ),
        (fast().with_max_in_flight(0), "ProducerConfig.max_in_flight"),
        (
            fast().with_aggregation(Some(
                AggregationLimits::default().with_max_size(2 * 1024 * 1024),
            )),
            "ProducerConfig.aggregation.max_size",
        ),
        (
            fast().with_aggregation(Some(AggregationLimits::default().with_max_count(0))),
            "ProducerConfig.aggregation.max_count",
        ),
    ];
    for (config, field) in bad {
        let e = Producer::new(
            &client(),
            "stream",
            Credentials::new("A", "S", None),
            config,
        )
        .expect_err(field);
        assert!(matches!(&e, Error::Usage(u) if u.field == field), "{e:?}");
    }
    let e = Producer::new(
        &client(),
        "bad name!",
        Credentials::new("A", "S", None),
        fast(),
    )
    .expect_err("a bad stream name");
    assert!(
        matches!(&e, Error::Usage(u) if u.field == "StreamName"),
        "{e:?}"
    );
}

// ------------------------------------------------------------- retries

#[test]
fn only_the_failed_entries_go_again() {
    let mut h = Harness::new(fast(), one_shard());
    h.answer_setup();
    for k in ["a", "b", "c", "d"] {
        h.push(k, k.as_bytes());
    }
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("a batch");
    h.answer(
        out,
        Reply::Put(vec![Fate::Ok, Fate::Throttle, Fate::Internal, Fate::Ok]),
    );
    assert!(h.delivered(0).is_some() && h.delivered(3).is_some());
    assert!(!h.events.contains_key(&1) && !h.events.contains_key(&2));
    // The throttled shard backs off; then both failed entries go, alone.
    let mut resent = None;
    for _ in 0..10 {
        h.step();
        if let Some(out) = h.take("PutRecords") {
            resent = Some(out);
            break;
        }
        assert!(h.advance_to_timeout());
    }
    let out = resent.expect("a resend");
    let keys: Vec<String> = out.entries().into_iter().map(|e| e.key).collect();
    assert_eq!(keys, ["b", "c"]);
    h.answer(out, Reply::Put(vec![]));
    h.check_all_settled();
    let m = h.producer.metrics(h.now);
    assert_eq!((m.records_retried, m.records_throttled), (2, 1));
    assert_eq!(m.duplicate_risk_resends, 0);
}

#[test]
fn a_throttled_shard_backs_off_while_the_other_keeps_flowing() {
    let mut h = Harness::new(fast(), two_shards());
    h.answer_setup();
    let (low, high) = (key_in_half(true, 0), key_in_half(false, 0));
    h.push(&low, b"l0");
    h.push(&high, b"h0");
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("a batch");
    let fates: Vec<Fate> = out
        .entries()
        .iter()
        .map(|e| {
            if e.key == low {
                Fate::Throttle
            } else {
                Fate::Ok
            }
        })
        .collect();
    h.answer(out, Reply::Put(fates));
    assert!(h.delivered(1).is_some());
    // New records for both shards, flushed at once: only the high shard's go.
    h.push(&low, b"l1");
    h.push(&high, b"h1");
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("the other shard flows");
    let keys: Vec<String> = out.entries().into_iter().map(|e| e.key).collect();
    assert_eq!(keys, std::slice::from_ref(&high));
    h.answer(out, Reply::Put(vec![]));
    assert!(h.delivered(3).is_some());
    assert!(!h.events.contains_key(&0) && !h.events.contains_key(&2));
    // After the backoff, the low shard's retry and its newer record go.
    assert!(h.advance_to_timeout());
    h.step();
    let out = h
        .take("PutRecords")
        .expect("the low shard after its backoff");
    let data: Vec<Vec<u8>> = out.entries().into_iter().map(|e| e.data).collect();
    assert_eq!(data, [b"l0".to_vec(), b"l1".to_vec()]);
    h.answer(out, Reply::Put(vec![]));
    h.check_all_settled();
}

#[test]
fn a_record_past_its_ttl_fails_with_its_last_error() {
    let config = fast().with_record_ttl(Duration::from_secs(3));
    let mut h = Harness::new(config, one_shard());
    h.answer_setup();
    h.push("k", b"x");
    let limit = h.now + Duration::from_secs(10);
    while h.events.is_empty() {
        assert!(h.now < limit);
        h.step();
        while let Some(out) = h.take("PutRecords") {
            h.answer(out, Reply::Put(vec![Fate::Throttle]));
        }
        h.step();
        if h.events.is_empty() {
            assert!(h.advance_to_timeout());
        }
    }
    let (error, attempts) = h.failed(0).expect("failed");
    assert_eq!(
        error.code(),
        Some(&ErrorCode::ProvisionedThroughputExceeded)
    );
    assert!(attempts >= 2, "{attempts}");
    h.check_all_settled();
}

#[test]
fn a_record_never_answered_fails_at_its_ttl_with_a_timeout() {
    let config = fast().with_record_ttl(Duration::from_secs(2));
    let mut h = Harness::new(config, one_shard());
    h.answer_setup();
    h.push("k", b"x");
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("sent");
    h.answer(out, Reply::Hold);
    // The request's deadline is the record's TTL: the call ends there.
    assert_eq!(
        h.producer.poll_timeout(),
        Some(h.now + Duration::from_secs(2))
    );
    assert!(h.advance_to_timeout());
    h.step();
    let (error, attempts) = h.failed(0).expect("failed");
    assert!(
        matches!(error, Error::Transport(t) if t.kind == TransportErrorKind::Timeout),
        "{error:?}"
    );
    assert_eq!(attempts, 1);
    // The late answer is ignored.
    let out = h.out.pop().expect("still out");
    h.answer(out, Reply::Put(vec![]));
    h.check_all_settled();
}

#[test]
fn a_lost_answer_resends_the_batch_and_counts_the_risk() {
    let mut h = Harness::new(fast(), one_shard());
    h.answer_setup();
    h.push("a", b"1");
    h.push("b", b"2");
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("sent");
    h.answer(out, Reply::Lost(TransportErrorKind::Io));
    h.step();
    assert!(h.take("PutRecords").is_none(), "backing off first");
    assert!(h.producer.poll_timeout().is_some_and(|t| t > h.now));
    assert!(h.advance_to_timeout());
    h.step();
    let out = h.take("PutRecords").expect("the same batch again");
    assert_eq!(out.entries().len(), 2);
    h.answer(out, Reply::Http(503, String::new()));
    h.step();
    assert!(h.advance_to_timeout());
    h.step();
    let out = h.take("PutRecords").expect("a third time");
    h.answer(out, Reply::Put(vec![]));
    h.check_all_settled();
    let m = h.producer.metrics(h.now);
    assert_eq!(
        m.duplicate_risk_resends, 4,
        "two records, two resends after lost answers"
    );
    assert_eq!(m.put_requests_sent, 3);
    assert!(matches!(h.events[&0], Event::Delivered { .. }));
}

#[test]
fn a_refused_connection_is_no_duplicate_risk() {
    let mut h = Harness::new(fast(), one_shard());
    h.answer_setup();
    h.push("a", b"1");
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("sent");
    h.answer(out, Reply::Lost(TransportErrorKind::Connect));
    h.run_to_end();
    assert_eq!(h.producer.metrics(h.now).duplicate_risk_resends, 0);
}

#[test]
fn a_final_error_fails_the_batch_at_once() {
    let mut h = Harness::new(fast(), one_shard());
    h.answer_setup();
    h.push("a", b"1");
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("sent");
    h.answer(
        out,
        Reply::Http(
            400,
            r#"{"__type":"ResourceNotFoundException","message":"no stream"}"#.into(),
        ),
    );
    h.step();
    let (error, _) = h.failed(0).expect("failed");
    assert_eq!(error.code(), Some(&ErrorCode::ResourceNotFound));
    h.check_all_settled();
}

// ------------------------------------------------------------- shards

#[test]
fn resharding_during_a_send_reloads_the_map() {
    let mut h = Harness::new(fast().with_ordering(Ordering::PerShard), one_shard());
    h.answer_setup();
    let (low, high) = (key_in_half(true, 1), key_in_half(false, 1));
    h.push(&low, b"l");
    h.push(&high, b"h");
    h.producer.flush();
    h.step();
    // One shard predicted: per-shard order sends one entry.
    let out = h.take("PutRecords").expect("sent");
    assert_eq!(out.entries().len(), 1);
    // Meanwhile the shard splits.
    h.shards = two_shards();
    h.answer(out, Reply::Put(vec![]));
    h.step();
    // The map is reloaded, at most once a second.
    assert!(!h.out.iter().any(|o| o.target == "ListShards"));
    h.advance(Duration::from_secs(1));
    h.step();
    assert!(
        h.out.iter().any(|o| o.target == "ListShards"),
        "the map is reloaded"
    );
    h.run_to_end();
    assert_eq!(h.delivered(0).map(|d| d.0), Some("shardId-000000000001"));
    assert_eq!(h.delivered(1).map(|d| d.0), Some("shardId-000000000002"));
    assert_eq!(h.producer.metrics(h.now).shard_map_refreshes, 2);
}

#[test]
fn an_aggregate_that_lands_on_a_split_shard_sends_the_strays_again() {
    let config = fast().with_aggregation(Some(AggregationLimits::default()));
    let mut h = Harness::new(config, one_shard());
    h.answer_setup();
    let (low, high) = (key_in_half(true, 2), key_in_half(false, 2));
    h.push(&low, b"l");
    h.push(&high, b"h");
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("sent");
    assert_eq!(out.entries().len(), 1, "one aggregate for the one shard");
    h.shards = two_shards();
    h.answer(out, Reply::Put(vec![]));
    // The first user record set the shard: delivered; the other goes again.
    assert_eq!(
        h.delivered(0).map(|d| (d.0, d.2)),
        Some(("shardId-000000000001", Some(0)))
    );
    assert!(!h.events.contains_key(&1));
    h.run_to_end();
    assert_eq!(h.delivered(1).map(|d| d.0), Some("shardId-000000000002"));
    assert_eq!(h.producer.metrics(h.now).duplicate_risk_resends, 1);
}

#[test]
fn per_shard_order_keeps_one_entry_out_and_retries_first() {
    let mut h = Harness::new(fast().with_ordering(Ordering::PerShard), one_shard());
    h.answer_setup();
    for i in 0..3u8 {
        h.push("same", &[i]);
    }
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("the first");
    assert_eq!(
        out.entries()
            .iter()
            .map(|e| e.data.clone())
            .collect::<Vec<_>>(),
        [vec![0]]
    );
    h.step();
    assert!(h.take("PutRecords").is_none(), "one entry per shard out");
    h.answer(out, Reply::Put(vec![Fate::Throttle]));
    let mut order = Vec::new();
    let limit = h.now + Duration::from_secs(30);
    while h.events.len() < 3 {
        assert!(h.now < limit);
        h.step();
        if let Some(out) = h.take("PutRecords") {
            let entries = out.entries();
            assert_eq!(entries.len(), 1);
            order.push(entries[0].data[0]);
            h.answer(out, Reply::Put(vec![]));
        } else {
            assert!(h.advance_to_timeout());
        }
    }
    assert_eq!(order, [0, 1, 2], "the retry went before the newer records");
    let seqs: Vec<u64> = (0..3)
        .map(|i| {
            h.delivered(i)
                .expect("delivered")
                .1
                .parse()
                .expect("a number")
        })
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    h.check_all_settled();
}

// ------------------------------------------------------------- aggregation

#[test]
fn aggregates_keep_to_the_size_cap_and_give_sub_sequence_numbers() {
    let limits = AggregationLimits::default().with_max_size(10_000);
    let mut h = Harness::new(fast().with_aggregation(Some(limits)), one_shard());
    h.answer_setup();
    for i in 0..30 {
        h.push(&format!("k{i}"), &[i as u8; 1000]);
    }
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("sent");
    let entries = out.entries();
    assert!(entries.len() >= 3, "{} aggregates", entries.len());
    let mut unpacked = Vec::new();
    for e in &entries {
        assert!(e.data.len() <= 10_000, "{}", e.data.len());
        let d = kpl::deaggregate(&e.key, &e.data);
        assert_eq!(d.contents(), kpl::Contents::Aggregated);
        unpacked.extend(d.iter().map(|r| {
            (
                r.partition_key.to_owned(),
                r.data.to_vec(),
                r.sub_sequence_number,
            )
        }));
    }
    assert_eq!(unpacked.len(), 30);
    for (i, (key, data, _)) in unpacked.iter().enumerate() {
        assert_eq!(
            (key.as_str(), data.as_slice()),
            (format!("k{i}").as_str(), &[i as u8; 1000][..])
        );
    }
    h.answer(out, Reply::Put(vec![]));
    let first_len = kpl::deaggregate(&entries[0].key, &entries[0].data).len() as u64;
    assert_eq!(h.delivered(0).map(|d| d.2), Some(Some(0)));
    assert_eq!(
        h.delivered(first_len - 1).map(|d| d.2),
        Some(Some(first_len - 1))
    );
    assert_eq!(
        h.delivered(first_len).map(|d| d.2),
        Some(Some(0)),
        "a new aggregate"
    );
    assert_eq!(
        h.delivered(0).map(|d| d.1),
        h.delivered(first_len - 1).map(|d| d.1)
    );
    h.check_all_settled();
}

#[test]
fn aggregates_never_span_two_shards_and_keep_explicit_hash_keys() {
    let mut h = Harness::new(
        fast().with_aggregation(Some(AggregationLimits::default())),
        two_shards(),
    );
    h.answer_setup();
    let now = h.now;
    for i in 0..10u128 {
        let hash = if i % 2 == 0 { i } else { MAX - i };
        let record = Record::new(format!("k{i}"), vec![i as u8]).with_explicit_hash_key(hash);
        h.producer.push(record, now).expect("pushed");
        h.pushed += 1;
    }
    for i in 0..4 {
        let key = key_in_half(i % 2 == 0, 10 + i);
        h.push(&key, b"md5");
    }
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("sent");
    let entries = out.entries();
    assert_eq!(entries.len(), 2, "one aggregate per shard");
    for e in &entries {
        let shard = h.shard_of(e.hash_key()).to_owned();
        let d = kpl::deaggregate(&e.key, &e.data);
        for r in d.iter() {
            let hash = match r.explicit_hash_key {
                Some(h) => h.parse().expect("u128"),
                None => kpl::hash_key_of(r.partition_key),
            };
            assert_eq!(
                h.shard_of(hash),
                shard,
                "user record {:?} on its shard",
                r.partition_key
            );
        }
        assert!(d.iter().filter(|r| r.explicit_hash_key.is_some()).count() == 5);
    }
    h.answer(out, Reply::Put(vec![]));
    h.check_all_settled();
}

#[test]
fn aggregation_waits_for_the_shard_map() {
    let mut h = Harness::new(
        fast().with_aggregation(Some(AggregationLimits::default())),
        one_shard(),
    );
    h.push("k", b"x");
    h.producer.flush();
    h.step();
    assert!(h.take("PutRecords").is_none(), "no shard map yet");
    assert!(h.out.iter().any(|o| o.target == "DescribeStreamSummary"));
    h.run_to_end();
}

#[test]
fn aggregation_is_refused_on_an_auto_stream() {
    let mut h = Harness::new(
        fast().with_aggregation(Some(AggregationLimits::default())),
        one_shard(),
    );
    h.auto = true;
    h.push("k", b"x");
    h.answer_setup();
    h.step();
    let (error, attempts) = h.failed(0).expect("failed");
    assert!(
        matches!(error, Error::Usage(u) if u.field == "ProducerConfig.aggregation" && u.problem.contains("AUTO")),
        "{error:?}"
    );
    assert_eq!(attempts, 0);
    let now = h.now;
    let e = h.producer.push(Record::new("k", b"y".to_vec()), now);
    assert!(matches!(e, Err(PushError::Usage(_))), "{e:?}");
    assert!(h.producer.is_finished());
    h.check_all_settled();
}

#[test]
fn a_record_too_large_to_aggregate_goes_plain() {
    let limits = AggregationLimits::default().with_max_size(1000);
    let mut h = Harness::new(fast().with_aggregation(Some(limits)), one_shard());
    h.answer_setup();
    h.push("big", &[1; 2000]);
    h.push("small", &[2; 10]);
    h.push("small", &[3; 10]);
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("sent");
    let entries = out.entries();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].data, [1; 2000]);
    assert_eq!(kpl::deaggregate(&entries[1].key, &entries[1].data).len(), 2);
    h.answer(out, Reply::Put(vec![]));
    assert_eq!(h.delivered(0).map(|d| d.2), Some(None));
    assert_eq!(h.delivered(2).map(|d| d.2), Some(Some(1)));
    h.check_all_settled();
}

// ------------------------------------------------------------- close

#[test]
fn close_sends_everything_and_refuses_more() {
    let mut h = Harness::new(fast(), one_shard());
    h.answer_setup();
    h.push("a", b"1");
    h.producer.close();
    let now = h.now;
    assert!(matches!(
        h.producer.push(Record::new("b", b"2".to_vec()), now),
        Err(PushError::Closed(_))
    ));
    assert!(!h.producer.is_finished());
    h.step();
    let out = h.take("PutRecords").expect("at once");
    h.answer(out, Reply::Put(vec![]));
    h.step();
    assert!(h.producer.is_finished());
    h.check_all_settled();
}

// ------------------------------------------------------------- exactly once

/// One scripted reaction of the network and the stream.
#[derive(Debug, Clone)]
enum Script {
    Put(Vec<u8>),
    Status(u16),
    Lost(u8),
    Hold,
}

fn script() -> impl Strategy<Value = Script> {
    prop_oneof![
        4 => proptest::collection::vec(0u8..6, 0..8).prop_map(Script::Put),
        1 => prop_oneof![Just(500u16), Just(503), Just(400), Just(200)].prop_map(Script::Status),
        1 => (0u8..4).prop_map(Script::Lost),
        1 => Just(Script::Hold),
    ]
}

fn run_script(
    aggregate: bool,
    ordering: Ordering,
    pushes: Vec<(u8, u8)>,
    answers: Vec<Script>,
) -> Result<(), TestCaseError> {
    let mut config = fast()
        .with_record_ttl(Duration::from_secs(5))
        .with_ordering(ordering)
        .with_max_buffered_records(40)
        .with_max_in_flight(3);
    if aggregate {
        config = config.with_aggregation(Some(AggregationLimits::default().with_max_count(4)));
    }
    let mut h = Harness::new(config, two_shards());
    let mut answers = answers.into_iter().cycle();
    let mut pushes = pushes.into_iter();
    let end = h.now + Duration::from_secs(60);
    let mut closed = false;
    let mut held: Vec<Out> = Vec::new();
    loop {
        match pushes.next() {
            Some((key, len)) => {
                let now = h.now;
                match h
                    .producer
                    .push(Record::new(format!("k{key}"), vec![key; len as usize]), now)
                {
                    Ok(id) => {
                        prop_assert_eq!(id.0, h.pushed);
                        h.pushed += 1;
                    }
                    Err(PushError::Full(_)) => {}
                    Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
                }
            }
            None if !closed => {
                h.producer.close();
                closed = true;
            }
            None => {}
        }
        h.step();
        let outs: Vec<Out> = h.out.drain(..).collect();
        for out in outs {
            if out.target != "PutRecords" {
                let body = h.setup_answer(&out.target);
                h.answer(out, Reply::Http(200, body));
                continue;
            }
            let reply = match answers.next().unwrap_or(Script::Put(vec![])) {
                Script::Put(fates) => Reply::Put(
                    fates
                        .into_iter()
                        .map(|f| match f {
                            0 => Fate::Throttle,
                            1 => Fate::Internal,
                            _ => Fate::Ok,
                        })
                        .collect(),
                ),
                Script::Status(s) => Reply::Http(
                    s,
                    if s == 400 {
                        r#"{"__type":"ProvisionedThroughputExceededException"}"#.into()
                    } else {
                        "<html>oops</html>".into()
                    },
                ),
                Script::Lost(k) => Reply::Lost(match k {
                    0 => TransportErrorKind::Connect,
                    1 => TransportErrorKind::Io,
                    2 => TransportErrorKind::Timeout,
                    _ => TransportErrorKind::Protocol,
                }),
                Script::Hold => {
                    held.push(out);
                    continue;
                }
            };
            h.answer(out, reply);
        }
        // Held answers come back late, after the producer may have given up.
        if held.len() > 2 {
            let out = held.remove(0);
            h.answer(out, Reply::Put(vec![]));
        }
        h.step();
        if closed && h.producer.is_finished() {
            break;
        }
        prop_assert!(h.now < end, "not finished by the end: {:?}", h.producer);
        if !closed {
            h.advance(Duration::from_millis(10));
        } else if !h.advance_to_timeout() {
            h.advance(Duration::from_millis(50));
        }
    }
    h.check_all_settled();
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_record_ends_in_exactly_one_event(
        aggregate in any::<bool>(),
        per_shard in any::<bool>(),
        pushes in proptest::collection::vec((0u8..20, 0u8..50), 0..60),
        answers in proptest::collection::vec(script(), 1..20),
    ) {
        let ordering = if per_shard { Ordering::PerShard } else { Ordering::Throughput };
        run_script(aggregate, ordering, pushes, answers)?;
    }
}

#[test]
fn aggregated_batches_keep_within_the_request_byte_limit() {
    let limits = AggregationLimits::default().with_max_size(2_000);
    let config = fast()
        .with_aggregation(Some(limits))
        .with_max_batch_bytes(3_100);
    let mut h = Harness::new(config, one_shard());
    h.answer_setup();
    let now = h.now;
    for i in 0..40u128 {
        // New explicit hash keys grow the aggregate's table as well.
        let record = Record::new(format!("k{i}"), vec![1; 300]).with_explicit_hash_key(i);
        h.producer.push(record, now).expect("pushed");
        h.pushed += 1;
    }
    h.producer.flush();
    let mut seen = 0;
    for _ in 0..40 {
        h.step();
        while let Some(out) = h.take("PutRecords") {
            let entries = out.entries();
            let bytes: usize = entries.iter().map(|e| e.data.len() + e.key.len()).sum();
            assert!(bytes <= 3_100, "{bytes} bytes in one request");
            for e in &entries {
                assert!(e.data.len() <= 2_000);
                seen += kpl::deaggregate(&e.key, &e.data).len();
            }
            h.answer(out, Reply::Put(vec![]));
        }
        if seen == 40 {
            break;
        }
    }
    assert_eq!(seen, 40);
    h.check_all_settled();
}

/// Throttles every entry of each PutRecords request out now whose key is
/// `key`, answering the others with success; returns how long the
/// producer waited before the next request carrying `key` went.
fn throttle_rounds(h: &mut Harness, key: &str, rounds: usize) -> Vec<Duration> {
    let mut waits = Vec::new();
    let mut since = h.now;
    let limit = h.now + Duration::from_secs(60);
    while waits.len() < rounds {
        assert!(h.now < limit, "the throttled shard never went again");
        h.step();
        let outs: Vec<Out> = h.out.drain(..).collect();
        for out in outs {
            if out.target != "PutRecords" {
                let body = h.setup_answer(&out.target);
                h.answer(out, Reply::Http(200, body));
                continue;
            }
            let fates: Vec<Fate> = out
                .entries()
                .iter()
                .map(|e| {
                    if e.key == key {
                        Fate::Throttle
                    } else {
                        Fate::Ok
                    }
                })
                .collect();
            if fates.contains(&Fate::Throttle) {
                waits.push(h.now - since);
                since = h.now;
            }
            h.answer(out, Reply::Put(fates));
        }
        h.step();
        if h.out.is_empty() && !h.advance_to_timeout() {
            h.advance(Duration::from_millis(10));
        }
    }
    waits
}

#[test]
fn throughput_mode_throttling_waits_about_the_linger_capped_near_a_second() {
    // Plain records (throughput mode): fifty for one shard in one request,
    // all throttled, again and again. The retry waits about the linger
    // (RecordMaxBufferedTime), growing to about a second, never the 20 s
    // of the client's retry cap, and the counter is per answer, not per
    // entry.
    let mut h = Harness::new(fast(), two_shards());
    h.answer_setup();
    let (low, high) = (key_in_half(true, 0), key_in_half(false, 0));
    for i in 0..50 {
        h.push(&low, format!("l{i}").as_bytes());
    }
    h.producer.flush();
    let waits = throttle_rounds(&mut h, &low, 8);
    let cap = h.producer.config().max_throttle_backoff;
    for w in &waits[1..] {
        assert!(
            *w <= cap + Duration::from_millis(10),
            "waited {w:?}: {waits:?}"
        );
    }
    assert!(
        waits[1] <= Duration::from_millis(150),
        "first retry {waits:?}"
    );
    // Meanwhile the other shard flows at once.
    let high_id = h.push(&high, b"h");
    h.producer.flush();
    h.step();
    let out = h
        .take("PutRecords")
        .expect("the other shard is not held back");
    assert!(out.entries().iter().any(|e| e.key == high));
    h.answer(out, Reply::Put(vec![]));
    assert!(h.delivered(high_id.0).is_some());
    // One send that goes through resets the shard's count: the next
    // throttle waits the first step again.
    h.run_to_end();
    for i in 0..5 {
        h.push(&low, format!("again{i}").as_bytes());
    }
    h.producer.flush();
    let waits = throttle_rounds(&mut h, &low, 2);
    assert!(
        waits[1] <= Duration::from_millis(150),
        "after a success {waits:?}"
    );
    h.run_to_end();
}

#[test]
fn per_shard_mode_throttling_is_capped_near_a_second() {
    let config = fast().with_aggregation(Some(AggregationLimits::default()));
    let mut h = Harness::new(config, two_shards());
    h.answer_setup();
    let low = key_in_half(true, 0);
    for i in 0..20 {
        h.push(&key_in_half(true, i), format!("l{i}").as_bytes());
    }
    h.producer.flush();
    // Every aggregate's partition key is its first record's.
    let _ = low;
    let first_key = key_in_half(true, 0);
    let waits = throttle_rounds(&mut h, &first_key, 10);
    let cap = h.producer.config().max_throttle_backoff;
    for w in &waits[1..] {
        assert!(
            *w <= cap + Duration::from_millis(10),
            "waited {w:?}: {waits:?}"
        );
    }
    h.run_to_end();
}

#[test]
fn requests_out_count_against_the_buffer_bytes() {
    // 1,000-byte records, a 10,000-byte buffer: five records go out in one
    // request of about 7 KB (base64 and JSON); that request's body counts
    // against the buffer until its answer, so a sixth record is refused
    // (the records out plus their request would pass the bound).
    let config = fast().with_max_buffered_bytes(10_000);
    let mut h = Harness::new(config, one_shard());
    h.answer_setup();
    let data = vec![7u8; 999];
    for _ in 0..5 {
        h.push("k", &data);
    }
    h.producer.flush();
    h.step();
    let out = h.take("PutRecords").expect("a batch");
    let body = out.transmit.request.body().len();
    assert!(body > 6_000, "body of {body} bytes");
    let refused = h.producer.push(Record::new("k", data.clone()), h.now);
    assert!(
        matches!(refused, Err(PushError::Full(_))),
        "the request out counts: {refused:?}"
    );
    h.answer(out, Reply::Put(vec![]));
    h.step();
    h.push("k", &data);
    h.run_to_end();
}
