//! The producer's no-loss check: records made so that each can be told
//! apart and checked when read back, the stream read back directly
//! (GetRecords over every shard, deaggregated with [`kinesis_proto::kpl`]),
//! and the verdict: nothing lost, every record exactly one event, every
//! duplicate explained by an answer the [`FaultProxy`](crate::FaultProxy)
//! hid after the server stored it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use kinesis_proto::kpl::deaggregate;
use kinesis_proto::ops::{Record as StreamRecord, ShardIteratorType};
use kinesis_proto::producer::{Event, Record};

use crate::driver::Driver;
use crate::proxy::StoredRecord;
use crate::steps::{iterator, iterator_request, list_shards, read_to_end};

/// The bytes at the start of every record's data: its index.
const ID_BYTES: usize = 8;

/// Record `i` of a run: `size` bytes of data (at least 8) starting with
/// `i` (big-endian), the rest derived from `i`, under one of 1,009
/// partition keys (so every shard gets records).
pub fn record(i: u64, size: usize) -> Record {
    let size = size.max(ID_BYTES);
    let mut data = Vec::with_capacity(size);
    data.extend_from_slice(&i.to_be_bytes());
    data.extend((ID_BYTES..size).map(|j| filler(i, j)));
    Record::new(format!("pk-{}", i % 1009), data)
}

fn filler(i: u64, j: usize) -> u8 {
    (i.wrapping_mul(31).wrapping_add(j as u64 * 7) % 251) as u8
}

/// The index of a record made by [`record`], and whether the rest of its
/// data is what `record` made.
fn identify(data: &[u8]) -> Option<(u64, bool)> {
    let id = u64::from_be_bytes(data.get(..ID_BYTES)?.try_into().ok()?);
    let intact = data
        .iter()
        .enumerate()
        .skip(ID_BYTES)
        .all(|(j, b)| *b == filler(id, j));
    Some((id, intact))
}

/// One user record read back from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// The record's index ([`record`]'s `i`).
    pub id: u64,
    /// The shard it was read from.
    pub shard_id: String,
    /// The Kinesis record's sequence number (the aggregate's, when
    /// aggregated).
    pub sequence_number: String,
    /// Its index in the aggregate, when aggregated.
    pub sub_sequence_number: Option<u64>,
    /// Whether its data is exactly what [`record`] made.
    pub intact: bool,
}

/// Every user record of every shard of `stream`, from TRIM_HORIZON,
/// deaggregated; and the Kinesis records that are not records of this run.
pub fn read_back<D: Driver>(client: &D, stream: &str) -> (Vec<Copy>, usize) {
    let (shards, _) = list_shards(client, stream, None);
    let mut copies = Vec::new();
    let mut strangers = 0;
    for shard in shards {
        let it = iterator(
            client,
            &iterator_request(stream, &shard.shard_id, ShardIteratorType::TrimHorizon),
        );
        for r in read_to_end(client, it, None) {
            strangers += unpack(&shard.shard_id, &r, &mut copies);
        }
    }
    (copies, strangers)
}

fn unpack(shard_id: &str, record: &StreamRecord, copies: &mut Vec<Copy>) -> usize {
    let mut strangers = 0;
    let users = deaggregate(&record.partition_key, &record.data);
    for user in users.iter() {
        match identify(user.data) {
            Some((id, intact)) => copies.push(Copy {
                id,
                shard_id: shard_id.to_owned(),
                sequence_number: record.sequence_number.clone(),
                sub_sequence_number: user.aggregated.then_some(user.sub_sequence_number),
                intact,
            }),
            None => strangers += 1,
        }
    }
    strangers
}

/// What a run came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Records sent.
    pub records: u64,
    /// Events `Delivered`.
    pub delivered: u64,
    /// Events `Failed` (with their indexes and errors, at most 10 kept).
    pub failed: u64,
    /// A few failures, for the message.
    pub failures: Vec<String>,
    /// Records with no event, or more than one.
    pub wrong_event_count: Vec<u64>,
    /// Records sent and not in the stream.
    pub lost: Vec<u64>,
    /// Records delivered whose reported shard and sequence number is not
    /// where a copy of them was read.
    pub misreported: Vec<u64>,
    /// Copies read whose data was not what was sent.
    pub corrupt: u64,
    /// Kinesis records of the stream that are not records of the run.
    pub strangers: usize,
    /// User records read back.
    pub copies: u64,
    /// Copies beyond the first of each record.
    pub duplicates: u64,
    /// Duplicates whose Kinesis record is one the proxy hid the answer to.
    pub explained: u64,
    /// Duplicates that no hidden answer explains (at most 10 kept).
    pub unexplained: Vec<Copy>,
    /// Records stored whose answer the proxy hid.
    pub hidden: u64,
}

impl Verdict {
    /// Whether the run kept every promise: nothing lost, nothing
    /// corrupted or misreported, one event per record, every duplicate
    /// explained.
    pub fn holds(&self) -> bool {
        self.lost.is_empty()
            && self.wrong_event_count.is_empty()
            && self.misreported.is_empty()
            && self.corrupt == 0
            && self.strangers == 0
            && self.duplicates == self.explained
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} records: {} delivered, {} failed, {} lost, {} with a wrong event count, \
             {} misreported, {} corrupt, {} strangers; {} copies read, {} duplicates, \
             {} explained by {} hidden stored records",
            self.records,
            self.delivered,
            self.failed,
            self.lost.len(),
            self.wrong_event_count.len(),
            self.misreported.len(),
            self.corrupt,
            self.strangers,
            self.copies,
            self.duplicates,
            self.explained,
            self.hidden
        )?;
        if !self.failures.is_empty() {
            write!(f, "\n  failures: {:?}", self.failures)?;
        }
        if !self.lost.is_empty() {
            let some: Vec<_> = self.lost.iter().take(10).collect();
            write!(f, "\n  lost: {some:?}")?;
        }
        if !self.unexplained.is_empty() {
            write!(f, "\n  unexplained duplicates: {:?}", self.unexplained)?;
        }
        Ok(())
    }
}

/// Judges a run of `records` records (indexes `0..records`): `events` are
/// the events the producer gave, each with the index of its record;
/// `copies` what was read back; `hidden` the records the proxy hid
/// answers to.
pub fn judge(
    records: u64,
    events: &[(u64, Event)],
    copies: &[Copy],
    strangers: usize,
    hidden: &BTreeSet<StoredRecord>,
) -> Verdict {
    let mut verdict = Verdict {
        records,
        strangers,
        copies: copies.len() as u64,
        hidden: hidden.len() as u64,
        ..Verdict::default()
    };
    let mut by_record: BTreeMap<u64, Vec<&Event>> = BTreeMap::new();
    for (i, e) in events {
        by_record.entry(*i).or_default().push(e);
    }
    let mut read: BTreeMap<u64, Vec<&Copy>> = BTreeMap::new();
    for c in copies {
        if !c.intact {
            verdict.corrupt += 1;
        }
        read.entry(c.id).or_default().push(c);
    }
    for i in 0..records {
        let events = by_record.get(&i).map(Vec::as_slice).unwrap_or(&[]);
        if events.len() != 1 {
            verdict.wrong_event_count.push(i);
        }
        let copies = read.get(&i).map(Vec::as_slice).unwrap_or(&[]);
        if copies.is_empty() {
            verdict.lost.push(i);
        }
        // The copy the producer reported, if it reported one.
        let mut reported = None;
        for event in events {
            match event {
                Event::Delivered {
                    shard_id,
                    sequence_number,
                    sub_sequence_number,
                    ..
                } => {
                    verdict.delivered += 1;
                    let at = copies.iter().position(|c| {
                        &c.shard_id == shard_id
                            && &c.sequence_number == sequence_number
                            && c.sub_sequence_number.unwrap_or(0)
                                == sub_sequence_number.unwrap_or(0)
                    });
                    match at {
                        Some(at) => reported = Some(at),
                        None => verdict.misreported.push(i),
                    }
                }
                Event::Failed {
                    error, attempts, ..
                } => {
                    verdict.failed += 1;
                    if verdict.failures.len() < 10 {
                        verdict
                            .failures
                            .push(format!("#{i} after {attempts} attempts: {error}"));
                    }
                }
                _ => {}
            }
        }
        // Every copy but the reported one (or but one, for a record that
        // failed yet was stored) is a duplicate to explain.
        let keep = reported.unwrap_or(0);
        for (n, copy) in copies.iter().enumerate() {
            if n == keep {
                continue;
            }
            verdict.duplicates += 1;
            let stored = StoredRecord {
                shard_id: copy.shard_id.clone(),
                sequence_number: copy.sequence_number.clone(),
            };
            if hidden.contains(&stored) {
                verdict.explained += 1;
            } else if verdict.unexplained.len() < 10 {
                verdict.unexplained.push((*copy).clone());
            }
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivered(i: u64, seq: &str) -> (u64, Event) {
        (
            i,
            Event::Delivered {
                id: kinesis_proto::producer::RecordId(i),
                shard_id: "s0".into(),
                sequence_number: seq.into(),
                sub_sequence_number: None,
            },
        )
    }

    fn copy(id: u64, seq: &str) -> Copy {
        Copy {
            id,
            shard_id: "s0".into(),
            sequence_number: seq.into(),
            sub_sequence_number: None,
            intact: true,
        }
    }

    fn stored(seq: &str) -> StoredRecord {
        StoredRecord {
            shard_id: "s0".into(),
            sequence_number: seq.into(),
        }
    }

    #[test]
    fn records_identify_themselves() {
        for (i, size) in [(0, 8), (7, 100), (123_456_789, 1024)] {
            let r = record(i, size);
            assert_eq!(r.data.len(), size);
            assert_eq!(identify(&r.data), Some((i, true)));
            if size > ID_BYTES {
                let mut bad = r.data.clone();
                if let Some(last) = bad.last_mut() {
                    *last ^= 1;
                }
                assert_eq!(identify(&bad), Some((i, false)));
            }
        }
        assert_eq!(identify(b"short"), None);
    }

    #[test]
    fn a_clean_run_holds() {
        let events = [delivered(0, "1"), delivered(1, "2")];
        let v = judge(
            2,
            &events,
            &[copy(0, "1"), copy(1, "2")],
            0,
            &BTreeSet::new(),
        );
        assert!(v.holds(), "{v}");
        assert_eq!((v.delivered, v.duplicates), (2, 0));
    }

    #[test]
    fn a_duplicate_is_explained_only_by_a_hidden_answer() {
        let events = [delivered(0, "2")];
        let copies = [copy(0, "1"), copy(0, "2")];
        let v = judge(1, &events, &copies, 0, &BTreeSet::from([stored("1")]));
        assert!(v.holds(), "{v}");
        assert_eq!((v.duplicates, v.explained), (1, 1));
        // The same duplicate with nothing hidden is unexplained.
        let v = judge(1, &events, &copies, 0, &BTreeSet::new());
        assert!(!v.holds());
        assert_eq!(v.unexplained, vec![copy(0, "1")]);
    }

    #[test]
    fn loss_misreports_and_missing_events_are_caught() {
        let v = judge(
            2,
            &[delivered(0, "9")],
            &[copy(0, "1")],
            0,
            &BTreeSet::new(),
        );
        assert!(!v.holds());
        assert_eq!(v.lost, vec![1]);
        assert_eq!(v.misreported, vec![0]);
        assert_eq!(v.wrong_event_count, vec![1]);
        let twice = [delivered(0, "1"), delivered(0, "1")];
        let v = judge(1, &twice, &[copy(0, "1")], 0, &BTreeSet::new());
        assert_eq!(v.wrong_event_count, vec![0]);
        let mut corrupt = copy(0, "1");
        corrupt.intact = false;
        let v = judge(1, &[delivered(0, "1")], &[corrupt], 1, &BTreeSet::new());
        assert!(!v.holds());
        assert_eq!((v.corrupt, v.strangers), (1, 1));
    }
}
