//! A small simulated stream for the consumer's tests: shards, records,
//! splits, merges, trimming, iterators that expire, throttling and empty
//! pages, answering the consumer's requests as the service would. Not an
//! HTTP server: requests and answers are values.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use crate::kpl::hash_key_of;

const SEQ_BASE: u128 = 49_590_000_000_000_000_000_000_000_000_000_000_000;

#[derive(Debug, Clone)]
pub(crate) struct SimRecord {
    pub(crate) seq: u128,
    pub(crate) pk: String,
    pub(crate) data: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(crate) struct SimShard {
    pub(crate) id: String,
    pub(crate) parents: Vec<String>,
    pub(crate) range: (u128, u128),
    pub(crate) records: Vec<SimRecord>,
    /// Records before this index are gone (retention).
    pub(crate) trimmed: usize,
    pub(crate) start_seq: u128,
    pub(crate) end_seq: Option<u128>,
    pub(crate) children: Vec<String>,
}

/// Faults the simulated service injects.
#[derive(Debug, Clone, Default)]
pub(crate) struct Faults {
    /// Every n-th GetRecords is throttled.
    pub(crate) throttle_every: Option<u64>,
    /// Every n-th GetRecords returns no records (same position).
    pub(crate) empty_every: Option<u64>,
    /// Iterators live this long.
    pub(crate) iterator_ttl: Option<Duration>,
    /// The last page of a closed shard names no children.
    pub(crate) no_child_shards: bool,
    /// Shards per ListShards page.
    pub(crate) list_page: usize,
    /// Records per GetRecords page at most.
    pub(crate) page_limit: usize,
    /// GetShardIterator refuses a sequence number that was trimmed
    /// (InvalidArgumentException) instead of starting at the oldest record.
    pub(crate) refuse_trimmed: bool,
}

#[derive(Clone)]
pub(crate) struct Sim {
    pub(crate) shards: Vec<SimShard>,
    next_seq: u128,
    iterators: HashMap<String, (usize, usize, Instant)>,
    next_iterator: u64,
    pub(crate) faults: Faults,
    get_records_calls: u64,
    pub(crate) throttled: u64,
    pub(crate) expired: u64,
    pub(crate) empty: u64,
    /// (shard index, iterator, time) of every GetRecords answered.
    pub(crate) get_log: Vec<(usize, String, Instant)>,
}

fn shard_name(n: usize) -> String {
    format!("shardId-{n:012}")
}

impl Sim {
    /// A stream of `n` shards splitting the hash-key space evenly.
    pub(crate) fn new(n: usize, faults: Faults) -> Self {
        let step = u128::MAX / n as u128;
        let shards = (0..n)
            .map(|i| SimShard {
                id: shard_name(i),
                parents: vec![],
                range: (
                    step * i as u128,
                    if i + 1 == n {
                        u128::MAX
                    } else {
                        step * (i as u128 + 1) - 1
                    },
                ),
                records: vec![],
                trimmed: 0,
                start_seq: SEQ_BASE,
                end_seq: None,
                children: vec![],
            })
            .collect();
        Sim {
            shards,
            next_seq: SEQ_BASE + 1,
            iterators: HashMap::new(),
            next_iterator: 0,
            faults: Faults {
                list_page: faults.list_page.max(1),
                page_limit: if faults.page_limit == 0 {
                    10_000
                } else {
                    faults.page_limit
                },
                ..faults
            },
            get_records_calls: 0,
            throttled: 0,
            expired: 0,
            empty: 0,
            get_log: vec![],
        }
    }

    fn seq(&mut self) -> u128 {
        // Gaps between sequence numbers, as the service leaves them.
        self.next_seq += 17;
        self.next_seq
    }

    fn index(&self, id: &str) -> usize {
        self.shards
            .iter()
            .position(|s| s.id == id)
            .expect("a known shard")
    }

    /// Writes a record as PutRecord would: to the open shard owning the
    /// partition key's hash key (or `hash_key`).
    pub(crate) fn put(&mut self, pk: &str, hash_key: Option<u128>, data: Vec<u8>) -> String {
        let key = hash_key.unwrap_or_else(|| hash_key_of(pk));
        let i = self
            .shards
            .iter()
            .position(|s| s.end_seq.is_none() && s.range.0 <= key && key <= s.range.1)
            .expect("an open shard owns every hash key");
        let seq = self.seq();
        self.shards[i].records.push(SimRecord {
            seq,
            pk: pk.to_owned(),
            data,
        });
        self.shards[i].id.clone()
    }

    fn close(&mut self, i: usize) {
        let end = self.seq();
        self.shards[i].end_seq = Some(end);
    }

    fn open(&mut self, parents: Vec<String>, range: (u128, u128)) -> String {
        let id = shard_name(self.shards.len());
        let start = self.seq();
        for p in &parents {
            let i = self.index(p);
            self.shards[i].children.push(id.clone());
        }
        self.shards.push(SimShard {
            id: id.clone(),
            parents,
            range,
            records: vec![],
            trimmed: 0,
            start_seq: start,
            end_seq: None,
            children: vec![],
        });
        id
    }

    /// Splits an open shard at the middle of its range.
    pub(crate) fn split(&mut self, id: &str) -> (String, String) {
        let i = self.index(id);
        let (lo, hi) = self.shards[i].range;
        let mid = lo + (hi - lo) / 2;
        self.close(i);
        let a = self.open(vec![id.to_owned()], (lo, mid));
        let b = self.open(vec![id.to_owned()], (mid + 1, hi));
        (a, b)
    }

    /// Merges two open, adjacent shards.
    pub(crate) fn merge(&mut self, a: &str, b: &str) -> String {
        let (ia, ib) = (self.index(a), self.index(b));
        let range = (
            self.shards[ia].range.0.min(self.shards[ib].range.0),
            self.shards[ia].range.1.max(self.shards[ib].range.1),
        );
        self.close(ia);
        self.close(ib);
        self.open(vec![a.to_owned(), b.to_owned()], range)
    }

    /// Drops the oldest `n` records of a shard (retention).
    pub(crate) fn trim(&mut self, id: &str, n: usize) {
        let i = self.index(id);
        let s = &mut self.shards[i];
        s.trimmed = (s.trimmed + n).min(s.records.len());
    }

    fn iterator(&mut self, shard: usize, pos: usize, now: Instant) -> String {
        self.next_iterator += 1;
        let it = format!("it-{}-{}", shard, self.next_iterator);
        self.iterators.insert(it.clone(), (shard, pos, now));
        it
    }

    /// Answers one request of the consumer.
    pub(crate) fn answer(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: Instant,
    ) -> http::Response<Vec<u8>> {
        let target = request.headers()["x-amz-target"]
            .to_str()
            .expect("ASCII")
            .trim_start_matches("Kinesis_20131202.")
            .to_owned();
        let body: Value = serde_json::from_slice(request.body()).expect("JSON request");
        let result = match target.as_str() {
            "ListShards" => Ok(self.list_shards(&body)),
            "GetShardIterator" => self.get_shard_iterator(&body, now),
            "GetRecords" => self.get_records(&body, now),
            other => panic!("unexpected {other}"),
        };
        let (status, body) = match result {
            Ok(v) => (200, v),
            Err(code) => (400, json!({"__type": code, "message": code})),
        };
        http::Response::builder()
            .status(status)
            .body(serde_json::to_vec(&body).expect("JSON"))
            .expect("a response")
    }

    fn list_shards(&mut self, body: &Value) -> Value {
        let start: usize = body["NextToken"]
            .as_str()
            .and_then(|t| t.strip_prefix("page-"))
            .map_or(0, |n| n.parse().expect("our token"));
        let only_open = body["ShardFilter"]["Type"] == "AT_LATEST";
        let all: Vec<&SimShard> = self
            .shards
            .iter()
            .filter(|s| !only_open || s.end_seq.is_none())
            .collect();
        let page: Vec<Value> = all
            .iter()
            .skip(start)
            .take(self.faults.list_page)
            .map(|s| {
                let mut v = json!({
                    "ShardId": s.id,
                    "HashKeyRange": {"StartingHashKey": s.range.0.to_string(), "EndingHashKey": s.range.1.to_string()},
                    "SequenceNumberRange": {"StartingSequenceNumber": s.start_seq.to_string()},
                });
                if let Some(end) = s.end_seq {
                    v["SequenceNumberRange"]["EndingSequenceNumber"] = json!(end.to_string());
                }
                if let Some(p) = s.parents.first() {
                    v["ParentShardId"] = json!(p);
                }
                if let Some(p) = s.parents.get(1) {
                    v["AdjacentParentShardId"] = json!(p);
                }
                v
            })
            .collect();
        let mut out = json!({ "Shards": page });
        if start + self.faults.list_page < all.len() {
            out["NextToken"] = json!(format!("page-{}", start + self.faults.list_page));
        }
        out
    }

    fn get_shard_iterator(&mut self, body: &Value, now: Instant) -> Result<Value, &'static str> {
        let id = body["ShardId"].as_str().expect("ShardId");
        let i = self.index(id);
        let s = &self.shards[i];
        let seq = || -> u128 {
            body["StartingSequenceNumber"]
                .as_str()
                .expect("a sequence number")
                .parse()
                .expect("digits")
        };
        if let (true, Some(n)) = (
            self.faults.refuse_trimmed,
            body["StartingSequenceNumber"].as_str(),
        ) {
            let n: u128 = n.parse().expect("digits");
            if s.trimmed > 0 && s.records[s.trimmed - 1].seq >= n {
                return Err("InvalidArgumentException");
            }
        }
        let pos = match body["ShardIteratorType"].as_str().expect("type") {
            "TRIM_HORIZON" => s.trimmed,
            "LATEST" => s.records.len(),
            "AT_SEQUENCE_NUMBER" => {
                let n = seq();
                s.records
                    .iter()
                    .position(|r| r.seq >= n)
                    .unwrap_or(s.records.len())
            }
            "AFTER_SEQUENCE_NUMBER" => {
                let n = seq();
                s.records
                    .iter()
                    .position(|r| r.seq > n)
                    .unwrap_or(s.records.len())
            }
            other => panic!("unexpected iterator type {other}"),
        }
        .max(s.trimmed);
        Ok(json!({ "ShardIterator": self.iterator(i, pos, now) }))
    }

    fn get_records(&mut self, body: &Value, now: Instant) -> Result<Value, &'static str> {
        let it = body["ShardIterator"].as_str().expect("iterator").to_owned();
        let &(i, pos, issued) = self.iterators.get(&it).ok_or("InvalidArgumentException")?;
        self.get_log.push((i, it.clone(), now));
        if let Some(ttl) = self.faults.iterator_ttl {
            if now.duration_since(issued) >= ttl {
                self.expired += 1;
                return Err("ExpiredIteratorException");
            }
        }
        self.get_records_calls += 1;
        let n = self.get_records_calls;
        if self.faults.throttle_every.is_some_and(|k| n % k == 0) {
            self.throttled += 1;
            return Err("ProvisionedThroughputExceededException");
        }
        let empty = self.faults.empty_every.is_some_and(|k| n % k == 0);
        let limit = body["Limit"]
            .as_u64()
            .map_or(10_000, |l| l as usize)
            .min(self.faults.page_limit);
        let s = &self.shards[i];
        let pos = pos.max(s.trimmed);
        let take = if empty { 0 } else { limit };
        let records: Vec<Value> = s.records[pos..]
            .iter()
            .take(take)
            .map(|r| {
                json!({
                    "SequenceNumber": r.seq.to_string(),
                    "Data": base64::engine::general_purpose::STANDARD.encode(&r.data),
                    "PartitionKey": r.pk,
                    "ApproximateArrivalTimestamp": 1_700_000_000,
                })
            })
            .collect();
        if empty {
            self.empty += 1;
        }
        let new_pos = pos + records.len();
        let at_end = new_pos == s.records.len();
        let closed = s.end_seq.is_some();
        let children = s.children.clone();
        let mut out = json!({
            "Records": records,
            "MillisBehindLatest": if at_end { 0 } else { 1000 },
        });
        if closed && at_end && !empty {
            out["NextShardIterator"] = Value::Null;
            if !self.faults.no_child_shards {
                let kids: Vec<Value> = children
                    .iter()
                    .map(|c| {
                        let cs = &self.shards[self.index(c)];
                        json!({"ShardId": c, "ParentShards": cs.parents,
                            "HashKeyRange": {"StartingHashKey": cs.range.0.to_string(), "EndingHashKey": cs.range.1.to_string()}})
                    })
                    .collect();
                out["ChildShards"] = json!(kids);
            }
        } else {
            out["NextShardIterator"] = json!(self.iterator(i, new_pos, now));
        }
        Ok(out)
    }
}
