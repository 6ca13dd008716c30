//! Packing user records into one aggregated Kinesis record.

use std::collections::HashMap;
use std::fmt;

use super::wire::{self, hash_key_of, DEFAULT_MAX_COUNT, DEFAULT_MAX_SIZE, OVERHEAD};

/// How much one aggregated record may hold.
///
/// The KPL's names: `AggregationMaxSize` ([`max_size`](Self::max_size))
/// and `AggregationMaxCount` ([`max_count`](Self::max_count)).
///
/// ```
/// use kinesis_proto::kpl::AggregationLimits;
///
/// let limits = AggregationLimits::default();
/// assert_eq!((limits.max_size, limits.max_count), (51_200, 4_294_967_295));
/// let small = AggregationLimits::default().with_max_size(4_096).with_max_count(100);
/// assert_eq!((small.max_size, small.max_count), (4_096, 100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregationLimits {
    /// `AggregationMaxSize`: the most bytes of data one aggregated record
    /// may have — magic, protobuf and digest, the whole `Data` of the
    /// Kinesis record (the KPL's accounting; the outer partition key is
    /// not counted here but is counted by the service against its record
    /// limit). Default 51,200; the KPL allows 64 to 1,048,576.
    pub max_size: usize,
    /// `AggregationMaxCount`: the most user records in one aggregated
    /// record. Default 4,294,967,295, as in the KPL (which allows 1 to
    /// 2⁶³ − 1). With 0 no record is aggregated: every
    /// [`add`](Aggregator::add) answers [`Add::TooLarge`].
    pub max_count: u64,
}

impl Default for AggregationLimits {
    fn default() -> Self {
        AggregationLimits {
            max_size: DEFAULT_MAX_SIZE,
            max_count: DEFAULT_MAX_COUNT,
        }
    }
}

impl AggregationLimits {
    /// The same limits with `max_size` bytes per aggregated record.
    pub fn with_max_size(mut self, max_size: usize) -> Self {
        self.max_size = max_size;
        self
    }

    /// The same limits with at most `max_count` user records per
    /// aggregated record.
    pub fn with_max_count(mut self, max_count: u64) -> Self {
        self.max_count = max_count;
        self
    }
}

/// What [`Aggregator::add`] did with a user record.
#[must_use = "a record that was not added is still the caller's to send"]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Add {
    /// The record is in the aggregate.
    Added,
    /// The record would push the aggregate past a limit; nothing changed.
    /// [`finish`](Aggregator::finish) the aggregate (send it), then add
    /// the record again: it fits an empty one.
    Full,
    /// The record would not fit even an empty aggregate; nothing changed.
    /// Send it on its own, not aggregated (the KPL lets such records
    /// bypass aggregation the same way). The current aggregate need not
    /// be finished for it.
    TooLarge,
}

/// One finished aggregated record: what to put in a PutRecords entry.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Aggregate {
    /// The entry's `PartitionKey`: the first user record's partition key.
    pub partition_key: String,
    /// The entry's `ExplicitHashKey`: the first user record's explicit
    /// hash key, if it had one.
    pub explicit_hash_key: Option<u128>,
    /// The hash key the entry maps to (so the shard it lands on): the
    /// first user record's explicit hash key, or the MD5 of its partition
    /// key.
    pub hash_key: u128,
    /// The entry's `Data`: magic, protobuf `AggregatedRecord`, MD5 of the
    /// protobuf.
    pub data: Vec<u8>,
    /// How many user records it holds; user record `i` (in the order they
    /// were added) gets sub-sequence number `i`.
    pub user_records: usize,
}

impl fmt::Debug for Aggregate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Aggregate")
            .field("partition_key", &self.partition_key)
            .field("explicit_hash_key", &self.explicit_hash_key)
            .field("hash_key", &self.hash_key)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .field("user_records", &self.user_records)
            .finish()
    }
}

/// Collects user records into one aggregated Kinesis record in the KPL's
/// format, with exact size accounting.
///
/// Partition keys and explicit hash keys go in tables without repeats
/// (first seen, first in the table); each user record refers to them by
/// index. The bytes are those `aws-kinesis-agg` produces for the same
/// records, in the same order.
///
/// The aggregator does not check user records against the service's rules
/// (partition key of 1 to 256 characters, record size): the producer does
/// that before it aggregates. It does not know about shards either: put
/// in one aggregate only records that map to the same shard, or the KCL
/// drops them after a reshard (see [`Deaggregated::in_shard`]).
///
/// [`Deaggregated::in_shard`]: super::Deaggregated::in_shard
///
/// ```
/// use kinesis_proto::kpl::{deaggregate, Add, AggregationLimits, Aggregator};
///
/// let mut aggregator = Aggregator::new(AggregationLimits::default().with_max_count(2));
/// assert_eq!(aggregator.add("user-1", None, b"first"), Add::Added);
/// assert_eq!(aggregator.add("user-1", Some(7), b"second"), Add::Added);
/// // A third would break the count cap: send this aggregate first.
/// assert_eq!(aggregator.add("user-2", None, b"third"), Add::Full);
///
/// let predicted = aggregator.size();
/// let aggregate = aggregator.finish().expect("two records");
/// assert_eq!(aggregate.data.len(), predicted);
/// assert_eq!(aggregate.partition_key, "user-1");
/// assert_eq!(aggregate.user_records, 2);
/// assert_eq!(aggregator.add("user-2", None, b"third"), Add::Added);
///
/// let records = deaggregate(&aggregate.partition_key, &aggregate.data);
/// let data: Vec<&[u8]> = records.iter().map(|r| r.data).collect();
/// assert_eq!(data, [&b"first"[..], b"second"]);
/// ```
#[derive(Clone)]
pub struct Aggregator {
    limits: AggregationLimits,
    partition_keys: HashMap<Box<str>, u64>,
    explicit_hash_keys: HashMap<u128, u64>,
    /// Encoded `partition_key_table` fields.
    partition_key_table: Vec<u8>,
    /// Encoded `explicit_hash_key_table` fields.
    explicit_hash_key_table: Vec<u8>,
    /// Encoded `records` fields.
    records: Vec<u8>,
    count: u64,
    /// The first record's keys: the outer record's.
    first: Option<(String, Option<u128>, u128)>,
}

impl fmt::Debug for Aggregator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Aggregator")
            .field("limits", &self.limits)
            .field("user_records", &self.count)
            .field("size", &self.size())
            .finish_non_exhaustive()
    }
}

impl Default for Aggregator {
    fn default() -> Self {
        Aggregator::new(AggregationLimits::default())
    }
}

/// What adding one record would change.
struct Growth {
    new_partition_key: bool,
    partition_key_index: u64,
    /// The explicit hash key's index, and whether it is new to the table.
    explicit_hash_key: Option<(u64, bool)>,
    /// Length of the encoded `Record` message.
    record_len: usize,
    /// Bytes the protobuf grows by.
    bytes: usize,
}

impl Aggregator {
    /// An empty aggregator with these limits.
    ///
    /// ```
    /// use kinesis_proto::kpl::{AggregationLimits, Aggregator};
    ///
    /// let aggregator = Aggregator::new(AggregationLimits::default());
    /// assert!(aggregator.is_empty());
    /// assert_eq!(aggregator.size(), 0);
    /// ```
    pub fn new(limits: AggregationLimits) -> Self {
        Aggregator {
            limits,
            partition_keys: HashMap::new(),
            explicit_hash_keys: HashMap::new(),
            partition_key_table: Vec::new(),
            explicit_hash_key_table: Vec::new(),
            records: Vec::new(),
            count: 0,
            first: None,
        }
    }

    /// The limits this aggregator keeps to.
    pub fn limits(&self) -> AggregationLimits {
        self.limits
    }

    /// How many user records the aggregate holds.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether the aggregate holds no user record.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The exact length of the `data` [`finish`](Self::finish) would give
    /// now; 0 when empty (finish gives nothing then).
    pub fn size(&self) -> usize {
        if self.is_empty() {
            0
        } else {
            OVERHEAD + self.protobuf_len()
        }
    }

    /// The exact length of the `data` [`finish`](Self::finish) would give
    /// after adding this record, whether or not the limits allow it.
    ///
    /// ```
    /// use kinesis_proto::kpl::{Add, Aggregator};
    ///
    /// let mut aggregator = Aggregator::default();
    /// let predicted = aggregator.size_if_added("k", Some(42), b"data");
    /// assert_eq!(aggregator.add("k", Some(42), b"data"), Add::Added);
    /// assert_eq!(aggregator.size(), predicted);
    /// assert_eq!(aggregator.finish().map(|a| a.data.len()), Some(predicted));
    /// ```
    pub fn size_if_added(
        &self,
        partition_key: &str,
        explicit_hash_key: Option<u128>,
        data: &[u8],
    ) -> usize {
        OVERHEAD + self.protobuf_len() + self.growth(partition_key, explicit_hash_key, data).bytes
    }

    /// Adds one user record if it fits within the limits; see [`Add`] for
    /// what to do when it does not. Only [`Add::Added`] changes anything.
    ///
    /// ```
    /// use kinesis_proto::kpl::{Add, AggregationLimits, Aggregator};
    ///
    /// let mut aggregator = Aggregator::new(AggregationLimits::default().with_max_size(100));
    /// assert_eq!(aggregator.add("k", None, &[0; 60]), Add::Added);
    /// assert_eq!(aggregator.add("k", None, &[0; 60]), Add::Full);
    /// assert_eq!(aggregator.add("k", None, &[0; 200]), Add::TooLarge);
    /// assert_eq!(aggregator.len(), 1);
    /// ```
    pub fn add(
        &mut self,
        partition_key: &str,
        explicit_hash_key: Option<u128>,
        data: &[u8],
    ) -> Add {
        let growth = self.growth(partition_key, explicit_hash_key, data);
        let fits = |count: u64, protobuf_len: usize, growth: usize| {
            count < self.limits.max_count
                && OVERHEAD + protobuf_len + growth <= self.limits.max_size
        };
        if !fits(self.count, self.protobuf_len(), growth.bytes) {
            if self.is_empty() {
                return Add::TooLarge;
            }
            let alone = Aggregator::new(self.limits).growth(partition_key, explicit_hash_key, data);
            return if fits(0, 0, alone.bytes) {
                Add::Full
            } else {
                Add::TooLarge
            };
        }

        if growth.new_partition_key {
            wire::put_delimited(
                &mut self.partition_key_table,
                wire::AGG_PARTITION_KEY,
                partition_key.as_bytes(),
            );
            self.partition_keys
                .insert(partition_key.into(), growth.partition_key_index);
        }
        if let (Some(hash_key), Some((index, true))) = (explicit_hash_key, growth.explicit_hash_key)
        {
            wire::put_delimited(
                &mut self.explicit_hash_key_table,
                wire::AGG_EXPLICIT_HASH_KEY,
                hash_key.to_string().as_bytes(),
            );
            self.explicit_hash_keys.insert(hash_key, index);
        }

        let before = self.records.len();
        wire::put_delimited_header(&mut self.records, wire::AGG_RECORD, growth.record_len);
        wire::put_varint(
            &mut self.records,
            wire::REC_PARTITION_KEY_INDEX,
            growth.partition_key_index,
        );
        if let Some((index, _)) = growth.explicit_hash_key {
            wire::put_varint(&mut self.records, wire::REC_EXPLICIT_HASH_KEY_INDEX, index);
        }
        wire::put_delimited(&mut self.records, wire::REC_DATA, data);
        debug_assert_eq!(
            self.records.len() - before,
            wire::delimited_len(growth.record_len)
        );

        if self.first.is_none() {
            let hash_key = explicit_hash_key.unwrap_or_else(|| hash_key_of(partition_key));
            self.first = Some((partition_key.to_owned(), explicit_hash_key, hash_key));
        }
        self.count += 1;
        Add::Added
    }

    /// Takes the aggregated record out, leaving the aggregator empty (its
    /// buffers kept for the next one). `None` when it holds no record.
    ///
    /// ```
    /// use kinesis_proto::kpl::{Add, Aggregator};
    ///
    /// let mut aggregator = Aggregator::default();
    /// assert!(aggregator.finish().is_none());
    /// assert_eq!(aggregator.add("a", None, b"hi"), Add::Added);
    /// let aggregate = aggregator.finish().expect("one record");
    /// assert_eq!(aggregate.data[..4], [0xF3, 0x89, 0x9A, 0xC2]);
    /// assert!(aggregator.is_empty());
    /// ```
    pub fn finish(&mut self) -> Option<Aggregate> {
        let (partition_key, explicit_hash_key, hash_key) = self.first.take()?;
        let tables = [
            &self.partition_key_table[..],
            &self.explicit_hash_key_table[..],
            &self.records[..],
        ];
        let mut data = Vec::with_capacity(OVERHEAD + self.protobuf_len());
        data.extend_from_slice(&wire::MAGIC);
        for part in tables {
            data.extend_from_slice(part);
        }
        data.extend_from_slice(&wire::md5(&tables));
        let aggregate = Aggregate {
            partition_key,
            explicit_hash_key,
            hash_key,
            data,
            user_records: self.count as usize,
        };
        self.partition_keys.clear();
        self.explicit_hash_keys.clear();
        self.partition_key_table.clear();
        self.explicit_hash_key_table.clear();
        self.records.clear();
        self.count = 0;
        Some(aggregate)
    }

    fn protobuf_len(&self) -> usize {
        self.partition_key_table.len() + self.explicit_hash_key_table.len() + self.records.len()
    }

    fn growth(&self, partition_key: &str, explicit_hash_key: Option<u128>, data: &[u8]) -> Growth {
        let mut bytes = 0;
        let (partition_key_index, new_partition_key) = match self.partition_keys.get(partition_key)
        {
            Some(&index) => (index, false),
            None => {
                bytes += wire::delimited_len(partition_key.len());
                (self.partition_keys.len() as u64, true)
            }
        };
        let explicit_hash_key =
            explicit_hash_key.map(|hash_key| match self.explicit_hash_keys.get(&hash_key) {
                Some(&index) => (index, false),
                None => {
                    bytes += wire::delimited_len(decimal_len(hash_key));
                    (self.explicit_hash_keys.len() as u64, true)
                }
            });
        let record_len = wire::varint_field_len(partition_key_index)
            + explicit_hash_key.map_or(0, |(index, _)| wire::varint_field_len(index))
            + wire::delimited_len(data.len());
        bytes += wire::delimited_len(record_len);
        Growth {
            new_partition_key,
            partition_key_index,
            explicit_hash_key,
            record_len,
            bytes,
        }
    }
}

/// How many decimal digits `value` has.
fn decimal_len(mut value: u128) -> usize {
    let mut digits = 1;
    while value >= 10 {
        value /= 10;
        digits += 1;
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_len_counts_digits() {
        for value in [0, 9, 10, 99, 100, u128::from(u64::MAX), u128::MAX] {
            assert_eq!(decimal_len(value), value.to_string().len(), "{value}");
        }
    }

    #[test]
    fn size_is_exact_at_every_step() {
        let mut aggregator = Aggregator::default();
        for i in 0..300u32 {
            // Partition keys and hash keys repeat; data grows past the
            // one- and two-byte length boundaries.
            let key = format!("key-{}", i % 17);
            let hash_key = (i % 3 == 0).then(|| u128::from(i % 5) << 100);
            let data = vec![i as u8; (i as usize * 7) % 300];
            let predicted = aggregator.size_if_added(&key, hash_key, &data);
            if aggregator.add(&key, hash_key, &data) == Add::Full {
                let size = aggregator.size();
                assert_eq!(aggregator.finish().map(|a| a.data.len()), Some(size));
                assert_eq!(
                    aggregator.size_if_added(&key, hash_key, &data),
                    aggregator.size_if_added(&key, hash_key, &data)
                );
                let predicted = aggregator.size_if_added(&key, hash_key, &data);
                assert_eq!(aggregator.add(&key, hash_key, &data), Add::Added);
                assert_eq!(aggregator.size(), predicted);
            } else {
                assert_eq!(aggregator.size(), predicted, "record {i}");
            }
            assert!(aggregator.size() <= DEFAULT_MAX_SIZE);
        }
        let size = aggregator.size();
        assert_eq!(aggregator.finish().map(|a| a.data.len()), Some(size));
    }

    #[test]
    fn fills_to_the_byte() {
        // Each record of 1 byte of data under key "k" costs 7 bytes once
        // the key is in the table (record field 2 + pk index 2 + data 3).
        let first = Aggregator::default().size_if_added("k", None, b"x");
        let max_size = first + 7 * 9;
        let mut aggregator = Aggregator::new(AggregationLimits::default().with_max_size(max_size));
        for _ in 0..10 {
            assert_eq!(aggregator.add("k", None, b"x"), Add::Added);
        }
        assert_eq!(aggregator.size(), max_size);
        assert_eq!(aggregator.add("k", None, b"x"), Add::Full);
        assert_eq!(aggregator.add("k", None, b""), Add::Full);
    }

    #[test]
    fn count_cap() {
        let mut aggregator = Aggregator::new(AggregationLimits::default().with_max_count(3));
        for _ in 0..3 {
            assert_eq!(aggregator.add("k", None, b"x"), Add::Added);
        }
        assert_eq!(aggregator.add("k", None, b"x"), Add::Full);
        assert_eq!(aggregator.finish().map(|a| a.user_records), Some(3));

        let mut off = Aggregator::new(AggregationLimits::default().with_max_count(0));
        assert_eq!(off.add("k", None, b"x"), Add::TooLarge);
        assert!(off.is_empty());
    }

    #[test]
    fn too_large_is_told_apart_from_full() {
        let limits = AggregationLimits::default().with_max_size(1_000);
        let mut aggregator = Aggregator::new(limits);
        assert_eq!(aggregator.add("k", None, &[1; 500]), Add::Added);
        assert_eq!(aggregator.add("k", None, &[1; 600]), Add::Full);
        assert_eq!(aggregator.add("k", None, &[1; 1_000]), Add::TooLarge);
        // The boundary: exactly the limit alone fits an empty aggregate.
        let alone = |len| Aggregator::new(limits).size_if_added("k", None, &vec![0; len]);
        let largest = (0..1_000)
            .rev()
            .find(|&len| alone(len) <= 1_000)
            .expect("some fit");
        assert_eq!(aggregator.add("k", None, &vec![0; largest]), Add::Full);
        assert_eq!(
            aggregator.add("k", None, &vec![0; largest + 1]),
            Add::TooLarge
        );
        assert_eq!(aggregator.len(), 1);
    }

    #[test]
    fn outer_keys_come_from_the_first_record() {
        let mut aggregator = Aggregator::default();
        assert_eq!(aggregator.add("first", None, b"1"), Add::Added);
        assert_eq!(aggregator.add("second", Some(5), b"2"), Add::Added);
        let aggregate = aggregator.finish().expect("two records");
        assert_eq!(aggregate.partition_key, "first");
        assert_eq!(aggregate.explicit_hash_key, None);
        assert_eq!(aggregate.hash_key, hash_key_of("first"));

        assert_eq!(aggregator.add("third", Some(9), b"3"), Add::Added);
        let aggregate = aggregator.finish().expect("one record");
        assert_eq!(aggregate.partition_key, "third");
        assert_eq!(
            (aggregate.explicit_hash_key, aggregate.hash_key),
            (Some(9), 9)
        );
    }

    #[test]
    fn debug_hides_data() {
        let mut aggregator = Aggregator::default();
        assert_eq!(aggregator.add("k", None, b"secret"), Add::Added);
        let text = format!("{:?} {:?}", aggregator, aggregator.clone().finish());
        assert!(!text.contains("115, 101, 99"), "{text}");
        assert!(text.contains("bytes>"), "{text}");
    }
}
