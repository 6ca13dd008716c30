//! The consumer in virtual time against the simulated stream of `sim.rs`:
//! every scenario checks, after every step, that no user record is
//! delivered twice, and at the end that every record is delivered once,
//! in order per partition key, children after their parents.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::sim::{Faults, Sim};
use super::*;
use crate::kpl::{deaggregate, Add, Aggregator};
use crate::{Client, Config, Credentials};

/// What one run saw, in order.
#[derive(Debug, Clone)]
#[allow(dead_code)] // the fields show in failure messages
enum Seen {
    Records(String, Vec<Vec<u8>>),
    Ended(String, Vec<String>),
    CaughtUp(String),
    Trimmed(String),
    Error(String),
}

struct Harness {
    sim: Sim,
    consumer: Consumer,
    start: Instant,
    now: Instant,
    /// Delivered user records' positions (shard, sequence, sub).
    positions: HashSet<(String, String, u64)>,
    /// Delivered data, in delivery order.
    delivered: Vec<Vec<u8>>,
    log: Vec<Seen>,
    /// Checkpoints stored (when `store`) and a copy after each event.
    store: Checkpoints,
    snapshots: Vec<(Checkpoints, usize)>,
    checkpoint_each: bool,
    /// Virtual time the user takes per batch.
    pause: Duration,
    /// Whether the user takes events at all.
    take_events: bool,
    /// Stop taking events after this many records.
    stop_after: Option<usize>,
}

fn client() -> Client {
    Client::new(Config::new("us-east-1"))
}

fn config() -> ConsumerConfig {
    ConsumerConfig::new("sim")
}

impl Harness {
    fn new(sim: Sim, config: ConsumerConfig) -> Self {
        let store = config.checkpoints.clone();
        let consumer = Consumer::new(&client(), Credentials::new("AKID", "SECRET", None), config);
        let start = Instant::now();
        Harness {
            sim,
            consumer,
            start,
            now: start,
            positions: HashSet::new(),
            delivered: vec![],
            log: vec![],
            store,
            snapshots: vec![],
            checkpoint_each: false,
            pause: Duration::ZERO,
            take_events: true,
            stop_after: None,
        }
    }

    fn storing(mut self) -> Self {
        self.checkpoint_each = true;
        self.consumer.config.children_after_checkpoint = true;
        self
    }

    fn wall(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("in range")
            + (self.now - self.start)
    }

    /// Runs for `d` of virtual time.
    fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        let mut spins = 0;
        loop {
            let wall = self.wall();
            while let Some(t) = self.consumer.poll_transmit(self.now, wall, 0.5) {
                let answer = self.sim.answer(&t.request, self.now);
                self.consumer.handle_response(t.id, answer, self.now, wall);
            }
            let mut took = false;
            while self.take_events && self.stop_after.is_none_or(|n| self.delivered.len() < n) {
                let Some(event) = self.consumer.poll_event() else {
                    break;
                };
                took = true;
                self.take(event);
                if !self.pause.is_zero() {
                    self.now += self.pause;
                    break;
                }
            }
            if self.now >= end {
                break;
            }
            if took {
                spins = 0;
                continue;
            }
            let next = self
                .consumer
                .poll_timeout()
                .unwrap_or(end)
                .clamp(self.now, end);
            if next == self.now {
                spins += 1;
                assert!(spins < 1000, "the consumer says it is due but does nothing");
            } else {
                spins = 0;
                self.now = next;
            }
        }
    }

    fn take(&mut self, event: Event) {
        match event {
            Event::Records(batch) => {
                let mut data = vec![];
                for r in &batch.records {
                    let key = (
                        batch.shard_id.clone(),
                        r.sequence_number.trim_start_matches('0').to_owned(),
                        r.sub_sequence_number,
                    );
                    assert!(self.positions.insert(key), "delivered twice: {r:?}");
                    assert!(
                        !self
                            .store
                            .get(&batch.shard_id)
                            .is_some_and(|cp| cp.covers(&r.sequence_number, r.sub_sequence_number)),
                        "at or before the checkpoint: {r:?}"
                    );
                    data.push(r.data.to_vec());
                    self.delivered.push(r.data.to_vec());
                }
                let last = batch.records.last().expect("batches are not empty");
                assert_eq!(
                    batch.checkpoint,
                    Checkpoint::after(last.sequence_number.clone(), last.sub_sequence_number)
                );
                self.log.push(Seen::Records(batch.shard_id.clone(), data));
                if self.checkpoint_each {
                    self.checkpoint(&batch.shard_id, batch.checkpoint);
                }
            }
            Event::ShardEnded {
                shard_id,
                children,
                checkpoint,
            } => {
                assert_eq!(checkpoint, Checkpoint::ShardEnd);
                self.log.push(Seen::Ended(shard_id.clone(), children));
                if self.checkpoint_each {
                    self.checkpoint(&shard_id, checkpoint);
                }
            }
            Event::CaughtUp { shard_id } => self.log.push(Seen::CaughtUp(shard_id)),
            Event::Trimmed { shard_id, .. } => self.log.push(Seen::Trimmed(shard_id)),
            Event::Error { error, .. } => self.log.push(Seen::Error(error.to_string())),
        }
    }

    fn checkpoint(&mut self, shard_id: &str, checkpoint: Checkpoint) {
        self.store.set(shard_id, checkpoint.clone());
        self.consumer.handle_checkpoint(shard_id, &checkpoint);
        self.snapshots
            .push((self.store.clone(), self.delivered.len()));
    }

    /// Every user record in the stream, not trimmed.
    fn expected(&self) -> Vec<Vec<u8>> {
        let mut all = vec![];
        for shard in &self.sim.shards {
            for r in &shard.records[shard.trimmed..] {
                for u in deaggregate(&r.pk, &r.data).iter() {
                    all.push(u.data.to_vec());
                }
            }
        }
        all
    }

    /// Every record once, per partition key in order, children after
    /// their parents, no error.
    fn verify(&self) {
        let mut expected = self.expected();
        let mut got = self.delivered.clone();
        expected.sort();
        got.sort();
        assert_eq!(
            got.len(),
            expected.len(),
            "delivered {} of {}",
            got.len(),
            expected.len()
        );
        assert_eq!(got, expected);
        check_key_order(&self.delivered);
        self.check_parents_first();
        assert!(
            !self.log.iter().any(|s| matches!(s, Seen::Error(_))),
            "{:?}",
            self.log
        );
    }

    fn check_parents_first(&self) {
        let parents: HashMap<&str, &[String]> = self
            .sim
            .shards
            .iter()
            .map(|s| (s.id.as_str(), s.parents.as_slice()))
            .collect();
        let mut ended = HashSet::new();
        for seen in &self.log {
            match seen {
                Seen::Ended(id, _) => {
                    ended.insert(id.clone());
                }
                Seen::Records(id, _) => {
                    for p in parents[id.as_str()] {
                        assert!(ended.contains(p), "{id} read before its parent {p} ended");
                    }
                }
                _ => {}
            }
        }
    }

    fn position_of(&self, pred: impl Fn(&Seen) -> bool) -> Option<usize> {
        self.log.iter().position(pred)
    }
}

/// Data is `key#counter`: counters rise per key.
fn check_key_order(delivered: &[Vec<u8>]) {
    let mut last: HashMap<String, u64> = HashMap::new();
    for d in delivered {
        let text = std::str::from_utf8(d).expect("test data is text");
        let (key, n) = text.split_once('#').expect("key#counter");
        let n: u64 = n.parse().expect("a counter");
        if let Some(prev) = last.insert(key.to_owned(), n) {
            assert!(prev < n, "{key}: {n} after {prev}");
        }
    }
}

/// Writes user records `key#n` with per-key counters.
#[derive(Default)]
struct Writer {
    counters: BTreeMap<String, u64>,
}

impl Writer {
    fn data(&mut self, key: &str) -> Vec<u8> {
        let n = self.counters.entry(key.to_owned()).or_default();
        *n += 1;
        format!("{key}#{n:06}").into_bytes()
    }

    /// `n` plain records over ten partition keys.
    fn plain(&mut self, sim: &mut Sim, n: usize) {
        for i in 0..n {
            let key = format!("pk-{}", i % 10);
            let data = self.data(&key);
            sim.put(&key, None, data);
        }
    }

    /// One aggregated record of `n` user records of one key.
    fn aggregated(&mut self, sim: &mut Sim, key: &str, n: usize) {
        let mut agg = Aggregator::default();
        for _ in 0..n {
            let data = self.data(key);
            assert_eq!(agg.add(key, None, &data), Add::Added);
        }
        let a = agg.finish().expect("records");
        sim.put(&a.partition_key, Some(a.hash_key), a.data);
    }

    /// `n` records to one shard (keys whose hash falls in its range).
    fn for_shard(&mut self, sim: &mut Sim, shard: &str, n: usize) {
        let (lo, hi) = sim
            .shards
            .iter()
            .find(|s| s.id == shard)
            .expect("shard")
            .range;
        let keys: Vec<String> = (0..)
            .map(|i| format!("{shard}-k{i}"))
            .filter(|k| (lo..=hi).contains(&crate::kpl::hash_key_of(k)))
            .take(3)
            .collect();
        for i in 0..n {
            let key = &keys[i % keys.len()];
            let data = self.data(key);
            sim.put(key, None, data);
        }
    }
}

const MINUTE: Duration = Duration::from_secs(60);

#[test]
fn split_children_after_their_parent() {
    let mut h = Harness::new(
        Sim::new(
            1,
            Faults {
                list_page: 1,
                page_limit: 7,
                ..Faults::default()
            },
        ),
        config(),
    );
    let mut w = Writer::default();
    w.plain(&mut h.sim, 40);
    h.run_for(Duration::from_secs(2));
    let (a, b) = h.sim.split("shardId-000000000000");
    w.plain(&mut h.sim, 40);
    h.run_for(MINUTE);
    h.verify();
    let ended = h
        .position_of(|s| matches!(s, Seen::Ended(id, kids) if id == "shardId-000000000000" && kids == &vec![a.clone(), b.clone()]))
        .expect("the parent ended, naming both children");
    let first_child = h
        .position_of(|s| matches!(s, Seen::Records(id, _) if *id == a || *id == b))
        .expect("children read");
    assert!(ended < first_child);
    assert_eq!(h.consumer.shard_counts().0, 3);
}

#[test]
fn merge_waits_for_the_parent_that_ends_last() {
    let mut h = Harness::new(
        Sim::new(
            2,
            Faults {
                page_limit: 5,
                ..Faults::default()
            },
        ),
        config(),
    );
    let mut w = Writer::default();
    w.for_shard(&mut h.sim, "shardId-000000000000", 80);
    w.for_shard(&mut h.sim, "shardId-000000000001", 3);
    let child = h.sim.merge("shardId-000000000000", "shardId-000000000001");
    w.plain(&mut h.sim, 30);
    h.run_for(MINUTE);
    h.verify();
    let end0 = h.position_of(|s| matches!(s, Seen::Ended(id, _) if id == "shardId-000000000000"));
    let end1 = h.position_of(|s| matches!(s, Seen::Ended(id, _) if id == "shardId-000000000001"));
    let child_first = h.position_of(|s| matches!(s, Seen::Records(id, _) if *id == child));
    let (end0, end1, child_first) = (
        end0.expect("0 ends"),
        end1.expect("1 ends"),
        child_first.expect("child read"),
    );
    assert!(end1 < end0, "the short parent ends first");
    assert!(end0 < child_first, "the child waits for the long parent");
}

#[test]
fn split_and_merge_at_once() {
    let mut h = Harness::new(
        Sim::new(
            2,
            Faults {
                page_limit: 9,
                ..Faults::default()
            },
        ),
        config(),
    );
    let mut w = Writer::default();
    w.plain(&mut h.sim, 50);
    w.aggregated(&mut h.sim, "agg-a", 20);
    h.run_for(Duration::from_secs(1));
    let (_low, high) = h.sim.split("shardId-000000000000");
    w.plain(&mut h.sim, 50);
    let merged = h.sim.merge(&high, "shardId-000000000001");
    w.plain(&mut h.sim, 50);
    w.aggregated(&mut h.sim, "agg-b", 20);
    h.run_for(Duration::from_secs(1));
    h.sim.split(&merged);
    w.plain(&mut h.sim, 50);
    h.run_for(MINUTE);
    h.verify();
    assert_eq!(h.consumer.shard_counts().0, h.sim.shards.len());
}

#[test]
fn expired_iterators_mid_shard_skip_and_repeat_nothing() {
    let faults = Faults {
        iterator_ttl: Some(Duration::from_secs(2)),
        page_limit: 10,
        ..Faults::default()
    };
    let mut h = Harness::new(Sim::new(1, faults), config());
    h.pause = Duration::from_secs(3); // a slow user: every iterator expires
    let mut w = Writer::default();
    w.plain(&mut h.sim, 60);
    w.aggregated(&mut h.sim, "agg", 15);
    w.plain(&mut h.sim, 40);
    h.run_for(10 * MINUTE);
    assert!(h.sim.expired >= 5, "{} expired", h.sim.expired);
    h.verify();
}

#[test]
fn throttling_backs_off_and_the_pace_stays_at_five_per_second() {
    let faults = Faults {
        throttle_every: Some(2),
        page_limit: 10,
        ..Faults::default()
    };
    let mut h = Harness::new(
        Sim::new(2, faults),
        config().with_idle_delay(Duration::from_millis(300)),
    );
    let mut w = Writer::default();
    w.plain(&mut h.sim, 200);
    h.run_for(2 * MINUTE);
    assert!(h.sim.throttled > 10);
    h.verify();
    // Distinct iterators on one shard (new GetRecords, not the engine's
    // retries of one) are at least 200 ms apart.
    let mut last: HashMap<usize, (String, Instant)> = HashMap::new();
    for (shard, it, at) in &h.sim.get_log {
        if let Some((prev_it, prev_at)) = last.get(shard) {
            if prev_it != it {
                assert!(
                    *at - *prev_at >= Duration::from_millis(200),
                    "too fast on {shard}"
                );
            }
        }
        last.insert(*shard, (it.clone(), *at));
    }
}

#[test]
fn empty_pages_are_read_through() {
    let faults = Faults {
        empty_every: Some(2),
        page_limit: 4,
        ..Faults::default()
    };
    let mut h = Harness::new(Sim::new(1, faults), config());
    let mut w = Writer::default();
    w.plain(&mut h.sim, 30);
    h.sim.split("shardId-000000000000");
    w.plain(&mut h.sim, 30);
    h.run_for(MINUTE);
    assert!(h.sim.empty > 5);
    h.verify();
}

#[test]
fn shards_that_end_with_no_records() {
    let mut h = Harness::new(Sim::new(1, Faults::default()), config());
    let mut w = Writer::default();
    let (a, _b) = h.sim.split("shardId-000000000000");
    h.sim.split(&a); // closed with no record either
    w.plain(&mut h.sim, 30);
    h.run_for(MINUTE);
    h.verify();
    let ended: Vec<&String> = h
        .log
        .iter()
        .filter_map(|s| match s {
            Seen::Ended(id, _) => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(ended, vec!["shardId-000000000000", &a]);
}

#[test]
fn no_child_shards_in_the_answer_falls_back_to_listing() {
    let faults = Faults {
        no_child_shards: true,
        ..Faults::default()
    };
    let mut h = Harness::new(Sim::new(1, faults), config());
    let mut w = Writer::default();
    w.plain(&mut h.sim, 10);
    h.run_for(Duration::from_secs(2));
    let (a, b) = h.sim.split("shardId-000000000000");
    w.plain(&mut h.sim, 30);
    h.run_for(Duration::from_secs(10)); // far less than the 60 s rediscovery
    h.verify();
    assert!(h
        .log
        .iter()
        .any(|s| matches!(s, Seen::Ended(_, kids) if kids == &vec![a.clone(), b.clone()])));
}

#[test]
fn latest_reads_only_what_comes_after_the_start() {
    let mut h = Harness::new(
        Sim::new(2, Faults::default()),
        config().with_start(StartPosition::Latest),
    );
    let mut w = Writer::default();
    w.plain(&mut h.sim, 20);
    h.sim.split("shardId-000000000001"); // closed before the start: not read
    let before = h.expected();
    h.run_for(Duration::from_secs(5));
    w.plain(&mut h.sim, 20);
    h.sim.split("shardId-000000000000");
    w.plain(&mut h.sim, 20);
    h.run_for(MINUTE);
    let mut expected: Vec<Vec<u8>> = h
        .expected()
        .into_iter()
        .filter(|d| !before.contains(d))
        .collect();
    let mut got = h.delivered.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    check_key_order(&h.delivered);
}

#[test]
fn trimmed_records_are_reported_not_jumped_silently() {
    let mut h = Harness::new(
        Sim::new(
            1,
            Faults {
                page_limit: 5,
                ..Faults::default()
            },
        ),
        config(),
    )
    .storing();
    let mut w = Writer::default();
    w.plain(&mut h.sim, 40);
    h.stop_after = Some(10);
    h.run_for(Duration::from_secs(20));
    assert_eq!(h.delivered.len(), 10);
    // Retention takes 25 records: 15 of those after the checkpoint.
    let mut sim = h.sim.clone();
    sim.trim("shardId-000000000000", 25);
    let mut resumed = Harness::new(sim, config().with_checkpoints(h.store.clone())).storing();
    resumed.run_for(MINUTE);
    assert!(
        resumed.log.iter().any(|s| matches!(s, Seen::Trimmed(_))),
        "{:?}",
        resumed.log
    );
    resumed.verify();
}

#[test]
fn a_refused_trimmed_position_reads_from_the_oldest_record_and_reports_the_gap() {
    let faults = Faults {
        page_limit: 5,
        refuse_trimmed: true,
        ..Faults::default()
    };
    let mut h = Harness::new(Sim::new(1, faults), config()).storing();
    let mut w = Writer::default();
    w.plain(&mut h.sim, 40);
    h.stop_after = Some(10);
    h.run_for(Duration::from_secs(20));
    let mut sim = h.sim.clone();
    sim.trim("shardId-000000000000", 25);
    let mut resumed = Harness::new(sim, config().with_checkpoints(h.store.clone())).storing();
    resumed.run_for(MINUTE);
    assert!(
        resumed.log.iter().any(|s| matches!(s, Seen::Trimmed(_))),
        "{:?}",
        resumed.log
    );
    resumed.verify();
}

#[test]
fn resume_from_the_checkpoints_of_every_step() {
    let mut sim = Sim::new(
        2,
        Faults {
            page_limit: 6,
            list_page: 2,
            ..Faults::default()
        },
    );
    let mut w = Writer::default();
    w.plain(&mut sim, 30);
    w.aggregated(&mut sim, "agg-1", 12);
    let (low, high) = sim.split("shardId-000000000000");
    w.plain(&mut sim, 30);
    let merged = sim.merge(&high, "shardId-000000000001");
    w.aggregated(&mut sim, "agg-2", 9);
    w.plain(&mut sim, 30);
    sim.split(&low);
    sim.split(&merged);
    w.plain(&mut sim, 30);

    let mut first = Harness::new(sim.clone(), config()).storing();
    first.run_for(MINUTE);
    first.verify();
    assert!(first.snapshots.len() > 20);
    let all: HashSet<Vec<u8>> = first.delivered.iter().cloned().collect();
    let mut snapshots = vec![(Checkpoints::new(), 0)];
    snapshots.extend(first.snapshots.iter().cloned());
    for (k, (checkpoints, delivered_before)) in snapshots.into_iter().enumerate() {
        let mut again = Harness::new(sim.clone(), config().with_checkpoints(checkpoints)).storing();
        again.run_for(MINUTE);
        let before: HashSet<Vec<u8>> = first.delivered[..delivered_before]
            .iter()
            .cloned()
            .collect();
        let after: HashSet<Vec<u8>> = again.delivered.iter().cloned().collect();
        assert_eq!(
            after.len(),
            again.delivered.len(),
            "step {k}: a record twice"
        );
        assert!(before.is_disjoint(&after), "step {k}: delivered again");
        let union: HashSet<Vec<u8>> = before.union(&after).cloned().collect();
        assert_eq!(union, all, "step {k}: a gap");
        check_key_order(&again.delivered);
    }
}

#[test]
fn aggregated_records_come_out_with_sub_sequence_numbers() {
    let mut h = Harness::new(Sim::new(1, Faults::default()), config());
    let mut w = Writer::default();
    w.aggregated(&mut h.sim, "agg", 5);
    h.run_for(Duration::from_secs(1));
    h.verify();
    assert_eq!(h.delivered.len(), 5);
    let shard = "shardId-000000000000".to_owned();
    let seq = h.sim.shards[0].records[0].seq.to_string();
    for sub in 0..5 {
        assert!(h.positions.contains(&(shard.clone(), seq.clone(), sub)));
    }
}

#[test]
fn a_user_who_takes_nothing_stops_the_reading() {
    let mut h = Harness::new(
        Sim::new(
            2,
            Faults {
                page_limit: 5,
                ..Faults::default()
            },
        ),
        config().with_prefetch(2),
    );
    let mut w = Writer::default();
    w.plain(&mut h.sim, 100);
    h.take_events = false;
    h.run_for(MINUTE);
    // Two batches each, then nothing.
    assert_eq!(h.sim.get_log.len(), 4);
    h.take_events = true;
    h.run_for(MINUTE);
    h.verify();
}

#[test]
fn arbitrary_answers_never_panic_or_deliver_twice() {
    // The fuzz target's driver over pseudo-random inputs (xorshift).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut delivered = 0;
    for _ in 0..150 {
        let input: Vec<u8> = (0..3000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        delivered += super::fuzz::drive(&input);
    }
    assert!(
        delivered > 300,
        "the answers reach deep enough: {delivered} records"
    );
}
