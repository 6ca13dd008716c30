//! Unpacking a Kinesis record into its user records, by the KCL's rules.

use std::fmt;
use std::ops::RangeInclusive;

use super::wire::{self, hash_key_of, next_field, Malformed, Value, DIGEST_LEN, MAGIC};

/// Why a Kinesis record was delivered whole, as one plain user record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotAggregated {
    /// It does not start with the magic bytes `F3 89 9A C2`.
    NoMagic,
    /// After the magic there are 16 bytes or fewer: no room for a protobuf
    /// and its digest (the KCL's test).
    TooShort,
    /// The last 16 bytes are not the MD5 of the protobuf before them.
    DigestMismatch,
    /// The digest matches but the protobuf does not parse as an
    /// `AggregatedRecord`: cut short, a required field missing, a key
    /// index past its table, a partition key or explicit hash key that is
    /// not UTF-8.
    Malformed,
    /// The protobuf parses but holds no user record.
    NoRecords,
}

impl fmt::Display for NotAggregated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotAggregated::NoMagic => "no aggregation magic",
            NotAggregated::TooShort => "too short for an aggregated record",
            NotAggregated::DigestMismatch => "MD5 digest does not match",
            NotAggregated::Malformed => "protobuf does not parse as an AggregatedRecord",
            NotAggregated::NoRecords => "aggregated record holds no user record",
        })
    }
}

/// What one Kinesis record turned out to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Contents {
    /// An aggregated record: its user records, with sub-sequence numbers
    /// 0, 1, 2…
    Aggregated,
    /// Not an aggregated record: one plain user record, the Kinesis
    /// record itself, its bytes unchanged.
    Plain(NotAggregated),
    /// An aggregated record dropped whole by [`Deaggregated::in_shard`]:
    /// this many of its user records were (at least one of them) outside
    /// the shard's hash-key range. No user record is left.
    OutsideShard {
        /// How many user records the aggregated record held.
        user_records: usize,
    },
}

/// One user record out of a Kinesis record, borrowed from it.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserRecord<'a> {
    /// Its partition key: from the aggregated record's table, or the
    /// Kinesis record's own for a plain record.
    pub partition_key: &'a str,
    /// Its explicit hash key as stored in the table, if it had one (always
    /// `None` for a plain record: GetRecords does not return one).
    pub explicit_hash_key: Option<&'a str>,
    /// Its data.
    pub data: &'a [u8],
    /// Its position in the aggregated record, from 0; 0 for a plain
    /// record. With the Kinesis record's sequence number it names the
    /// user record (what the KCL checkpoints).
    pub sub_sequence_number: u64,
    /// Whether it came out of an aggregated record.
    pub aggregated: bool,
}

impl fmt::Debug for UserRecord<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserRecord")
            .field("partition_key", &self.partition_key)
            .field("explicit_hash_key", &self.explicit_hash_key)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .field("sub_sequence_number", &self.sub_sequence_number)
            .field("aggregated", &self.aggregated)
            .finish()
    }
}

/// A user record inside the protobuf: indexes checked against the tables.
#[derive(Clone, Copy)]
struct Entry<'a> {
    partition_key: u32,
    explicit_hash_key: Option<u32>,
    data: &'a [u8],
}

/// The user records of one Kinesis record; see [`deaggregate`].
#[derive(Clone)]
pub struct Deaggregated<'a> {
    contents: Contents,
    partition_key: &'a str,
    data: &'a [u8],
    partition_keys: Vec<&'a str>,
    explicit_hash_keys: Vec<&'a str>,
    entries: Vec<Entry<'a>>,
}

impl fmt::Debug for Deaggregated<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deaggregated")
            .field("contents", &self.contents)
            .field("user_records", &self.len())
            .finish_non_exhaustive()
    }
}

/// Splits one Kinesis record (its partition key and data, as GetRecords
/// or SubscribeToShard gave them) into the user records it holds, by the
/// rules of the KCL:
///
/// - A record without the magic `F3 89 9A C2`, with 16 bytes or fewer
///   after it, whose last 16 bytes are not the MD5 of the protobuf before
///   them, or whose protobuf does not parse as an `AggregatedRecord`, is
///   one plain user record: the Kinesis record itself, bytes unchanged.
///   Never an error, never lost.
/// - Otherwise its user records, in order, with sub-sequence numbers 0,
///   1, 2…
///
/// Where the KCL would lose data this errs on the side of delivering it:
/// an aggregated record whose protobuf parses but refers to a partition
/// key or explicit hash key past the end of its table (the KCL logs an
/// error and loses the user records from there on), whose keys are not
/// UTF-8 (the KCL substitutes U+FFFD), or that holds no user record (the
/// KCL delivers nothing) is delivered as one plain record too. Tags are
/// parsed (a tag without its required key fails the parse, as in the KCL)
/// and not returned.
///
/// Nothing is copied: the user records borrow from `data`. For the KCL's
/// filter after resharding, see [`Deaggregated::in_shard`].
///
/// ```
/// use kinesis_proto::kpl::{deaggregate, Add, Aggregator, Contents, NotAggregated};
///
/// let mut aggregator = Aggregator::default();
/// assert_eq!(aggregator.add("user-1", None, b"first"), Add::Added);
/// assert_eq!(aggregator.add("user-2", Some(42), b"second"), Add::Added);
/// let aggregate = aggregator.finish().expect("two records");
///
/// let records = deaggregate(&aggregate.partition_key, &aggregate.data);
/// assert_eq!(records.contents(), Contents::Aggregated);
/// let second = records.get(1).expect("two records");
/// assert_eq!((second.partition_key, second.explicit_hash_key), ("user-2", Some("42")));
/// assert_eq!((second.data, second.sub_sequence_number), (&b"second"[..], 1));
///
/// // Anything else is one plain record, unchanged.
/// let plain = deaggregate("key", b"just bytes");
/// assert_eq!(plain.contents(), Contents::Plain(NotAggregated::NoMagic));
/// let only = plain.get(0).expect("one record");
/// assert_eq!((only.partition_key, only.data, only.aggregated), ("key", &b"just bytes"[..], false));
/// ```
pub fn deaggregate<'a>(partition_key: &'a str, data: &'a [u8]) -> Deaggregated<'a> {
    let mut out = Deaggregated {
        contents: Contents::Aggregated,
        partition_key,
        data,
        partition_keys: Vec::new(),
        explicit_hash_keys: Vec::new(),
        entries: Vec::new(),
    };
    if let Err(why) = out.parse() {
        out.contents = Contents::Plain(why);
        out.partition_keys = Vec::new();
        out.explicit_hash_keys = Vec::new();
        out.entries = Vec::new();
    }
    out
}

impl<'a> Deaggregated<'a> {
    /// What the Kinesis record held.
    pub fn contents(&self) -> Contents {
        self.contents
    }

    /// How many user records there are: 1 for a plain record, 0 when
    /// dropped by [`in_shard`](Self::in_shard).
    pub fn len(&self) -> usize {
        match self.contents {
            Contents::Aggregated => self.entries.len(),
            Contents::Plain(_) => 1,
            Contents::OutsideShard { .. } => 0,
        }
    }

    /// Whether there is no user record (only after
    /// [`in_shard`](Self::in_shard) dropped them).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The user record with this sub-sequence number.
    pub fn get(&self, index: usize) -> Option<UserRecord<'a>> {
        match self.contents {
            Contents::Aggregated => {
                let entry = self.entries.get(index)?;
                Some(UserRecord {
                    partition_key: self.partition_keys[entry.partition_key as usize],
                    explicit_hash_key: entry
                        .explicit_hash_key
                        .map(|i| self.explicit_hash_keys[i as usize]),
                    data: entry.data,
                    sub_sequence_number: index as u64,
                    aggregated: true,
                })
            }
            Contents::Plain(_) if index == 0 => Some(UserRecord {
                partition_key: self.partition_key,
                explicit_hash_key: None,
                data: self.data,
                sub_sequence_number: 0,
                aggregated: false,
            }),
            _ => None,
        }
    }

    /// The user records in order.
    pub fn iter(&self) -> Iter<'_, 'a> {
        Iter {
            records: self,
            next: 0,
        }
    }

    /// Applies the KCL's filter for a shard whose hash-key range is
    /// `range` (inclusive at both ends, as ListShards gives it).
    ///
    /// A user record's effective hash key is its explicit hash key, or
    /// else the MD5 of its partition key read as a big-endian u128 (the
    /// service's own mapping). If any user record of an aggregated record
    /// falls outside the range, the KCL drops **every** user record of
    /// that aggregated record, and so does this: the contents become
    /// [`Contents::OutsideShard`] and no user record is left.
    ///
    /// This happens after a reshard: the producer predicted a shard from
    /// an old shard map, so the aggregated record landed on a shard that
    /// does not own all of its user records. The KPL notices (the answer
    /// names a shard other than the one it predicted) and sends each of
    /// those user records again, re-aggregated for the right shards; the
    /// copies that landed on the wrong shard are the ones dropped here, so
    /// a consumer sees each user record where it belongs and not twice.
    /// A producer that does not resend on a wrong shard loses records to
    /// this filter: leave it off for such data.
    ///
    /// Plain records pass untouched. An explicit hash key that is not a
    /// decimal number keeps its user record (the KCL's parse fails there
    /// and loses the rest of the aggregated record; this keeps it); a
    /// negative one or one above 2¹²⁸ − 1 is outside every range, as in
    /// the KCL.
    ///
    /// ```
    /// use kinesis_proto::kpl::{deaggregate, Add, Aggregator, Contents};
    ///
    /// let mut aggregator = Aggregator::default();
    /// assert_eq!(aggregator.add("a", Some(10), b"low"), Add::Added);
    /// assert_eq!(aggregator.add("b", Some(20), b"high"), Add::Added);
    /// let aggregate = aggregator.finish().expect("two records");
    ///
    /// let whole = deaggregate("a", &aggregate.data).in_shard(0..=u128::MAX);
    /// assert_eq!(whole.len(), 2);
    /// // The shard split at 15: the aggregated record is dropped whole.
    /// let after_split = deaggregate("a", &aggregate.data).in_shard(0..=15);
    /// assert_eq!(after_split.contents(), Contents::OutsideShard { user_records: 2 });
    /// assert!(after_split.is_empty());
    /// ```
    pub fn in_shard(mut self, range: RangeInclusive<u128>) -> Self {
        if self.contents != Contents::Aggregated {
            return self;
        }
        let outside = self.iter().any(|record| {
            let position = match record.explicit_hash_key {
                Some(key) => parse_hash_key(key),
                None => HashKey::Value(hash_key_of(record.partition_key)),
            };
            match position {
                HashKey::Value(key) => !range.contains(&key),
                HashKey::Below | HashKey::Above => true,
                HashKey::NotANumber => false,
            }
        });
        if outside {
            self.contents = Contents::OutsideShard {
                user_records: self.entries.len(),
            };
            self.entries.clear();
        }
        self
    }

    fn parse(&mut self) -> Result<(), NotAggregated> {
        let rest = self
            .data
            .strip_prefix(&MAGIC[..])
            .ok_or(NotAggregated::NoMagic)?;
        if rest.len() <= DIGEST_LEN {
            return Err(NotAggregated::TooShort);
        }
        let (protobuf, digest) = rest.split_at(rest.len() - DIGEST_LEN);
        if wire::md5(&[protobuf]) != digest {
            return Err(NotAggregated::DigestMismatch);
        }
        self.parse_protobuf(protobuf)
            .map_err(|Malformed| NotAggregated::Malformed)?;
        if self.entries.is_empty() {
            return Err(NotAggregated::NoRecords);
        }
        Ok(())
    }

    fn parse_protobuf(&mut self, mut buf: &'a [u8]) -> Result<(), Malformed> {
        while !buf.is_empty() {
            match next_field(&mut buf)? {
                (wire::AGG_PARTITION_KEY, Value::Bytes(key)) => {
                    self.partition_keys.push(utf8(key)?);
                }
                (wire::AGG_EXPLICIT_HASH_KEY, Value::Bytes(key)) => {
                    self.explicit_hash_keys.push(utf8(key)?);
                }
                (wire::AGG_RECORD, Value::Bytes(record)) => {
                    self.entries.push(parse_record(record)?);
                }
                _ => {}
            }
        }
        // Tables may come after the records that refer to them.
        let keys = self.partition_keys.len();
        let hash_keys = self.explicit_hash_keys.len();
        let in_tables = self.entries.iter().all(|entry| {
            (entry.partition_key as usize) < keys
                && entry
                    .explicit_hash_key
                    .is_none_or(|index| (index as usize) < hash_keys)
        });
        if in_tables {
            Ok(())
        } else {
            Err(Malformed)
        }
    }
}

fn utf8(bytes: &[u8]) -> Result<&str, Malformed> {
    std::str::from_utf8(bytes).map_err(|_| Malformed)
}

/// An index that no table can reach becomes `u32::MAX`, which the table
/// check then refuses (tables hold fewer entries than a record has bytes).
fn index(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn parse_record(mut buf: &[u8]) -> Result<Entry<'_>, Malformed> {
    let mut partition_key = None;
    let mut explicit_hash_key = None;
    let mut data = None;
    while !buf.is_empty() {
        match next_field(&mut buf)? {
            (wire::REC_PARTITION_KEY_INDEX, Value::Varint(value)) => {
                partition_key = Some(index(value));
            }
            (wire::REC_EXPLICIT_HASH_KEY_INDEX, Value::Varint(value)) => {
                explicit_hash_key = Some(index(value));
            }
            (wire::REC_DATA, Value::Bytes(bytes)) => data = Some(bytes),
            (wire::REC_TAG, Value::Bytes(tag)) => check_tag(tag)?,
            _ => {}
        }
    }
    Ok(Entry {
        partition_key: partition_key.ok_or(Malformed)?,
        explicit_hash_key,
        data: data.ok_or(Malformed)?,
    })
}

/// A tag parses when it has its required key.
fn check_tag(mut buf: &[u8]) -> Result<(), Malformed> {
    let mut key = false;
    while !buf.is_empty() {
        if let (wire::TAG_KEY, Value::Bytes(_)) = next_field(&mut buf)? {
            key = true;
        }
    }
    if key {
        Ok(())
    } else {
        Err(Malformed)
    }
}

/// Where an explicit hash key from a table stands.
enum HashKey {
    Value(u128),
    /// Negative.
    Below,
    /// Above 2¹²⁸ − 1.
    Above,
    NotANumber,
}

/// Reads a decimal the way Java's `BigInteger(String)` does for ASCII: an
/// optional sign, then one or more digits.
fn parse_hash_key(text: &str) -> HashKey {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return HashKey::NotANumber;
    }
    match digits.parse::<u128>() {
        Ok(0) => HashKey::Value(0),
        Ok(_) if negative => HashKey::Below,
        Ok(value) => HashKey::Value(value),
        Err(_) if negative => HashKey::Below,
        Err(_) => HashKey::Above,
    }
}

/// The user records of a [`Deaggregated`], in order.
#[derive(Debug, Clone)]
pub struct Iter<'r, 'a> {
    records: &'r Deaggregated<'a>,
    next: usize,
}

impl<'a> Iterator for Iter<'_, 'a> {
    type Item = UserRecord<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.get(self.next)?;
        self.next += 1;
        Some(record)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.records.len().saturating_sub(self.next);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_, '_> {}

impl<'r, 'a> IntoIterator for &'r Deaggregated<'a> {
    type Item = UserRecord<'a>;
    type IntoIter = Iter<'r, 'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Magic + `protobuf` + its MD5.
    fn framed(protobuf: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(protobuf);
        out.extend_from_slice(&wire::md5(&[protobuf]));
        out
    }

    fn contents(protobuf: &[u8]) -> Contents {
        deaggregate("outer", &framed(protobuf)).contents()
    }

    // pk table ["a"], one record {pk 0, data "x"}.
    const ONE: &[u8] = &[0x0a, 1, b'a', 0x1a, 5, 0x08, 0, 0x1a, 1, b'x'];

    #[test]
    fn each_plain_reason() {
        assert_eq!(contents(ONE), Contents::Aggregated);
        assert_eq!(
            deaggregate("k", b"\xF3\x89\x9A").contents(),
            Contents::Plain(NotAggregated::NoMagic)
        );
        let mut sixteen = MAGIC.to_vec();
        sixteen.extend_from_slice(&wire::md5(&[b""]));
        assert_eq!(
            deaggregate("k", &sixteen).contents(),
            Contents::Plain(NotAggregated::TooShort)
        );
        let mut bad = framed(ONE);
        *bad.last_mut().expect("not empty") ^= 1;
        assert_eq!(
            deaggregate("k", &bad).contents(),
            Contents::Plain(NotAggregated::DigestMismatch)
        );
        assert_eq!(
            contents(&ONE[..ONE.len() - 1]),
            Contents::Plain(NotAggregated::Malformed)
        );
        assert_eq!(
            contents(&[0x0a, 1, b'a']),
            Contents::Plain(NotAggregated::NoRecords)
        );
    }

    #[test]
    fn plain_record_is_the_kinesis_record() {
        let data = b"\xF3\x89\x9A\xC2 not really";
        let records = deaggregate("pk", data);
        let all: Vec<_> = records.iter().collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].partition_key, "pk");
        assert_eq!(all[0].data, data);
        assert_eq!(all[0].sub_sequence_number, 0);
        assert!(!all[0].aggregated);
    }

    #[test]
    fn required_fields_and_indexes() {
        // Record without data, without pk index; pk index past the table;
        // ehk index past the (empty) table.
        for protobuf in [
            &[0x0a, 1, b'a', 0x1a, 2, 0x08, 0][..],
            &[0x0a, 1, b'a', 0x1a, 3, 0x1a, 1, b'x'][..],
            &[0x0a, 1, b'a', 0x1a, 5, 0x08, 1, 0x1a, 1, b'x'][..],
            &[0x0a, 1, b'a', 0x1a, 7, 0x08, 0, 0x10, 0, 0x1a, 1, b'x'][..],
            // index 2^32: Java's (int) cast would make it 0.
            &[
                0x0a, 1, b'a', 0x1a, 9, 0x08, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1a, 1, b'x',
            ][..],
        ] {
            assert_eq!(
                contents(protobuf),
                Contents::Plain(NotAggregated::Malformed),
                "{protobuf:?}"
            );
        }
    }

    #[test]
    fn protobuf_rules_the_kcl_follows() {
        // Tables after records; an unknown field (9, varint); the pk index
        // as a length-delimited field (wrong wire type: unknown, skipped)
        // before the real one; data given twice (the last counts); a tag
        // with key and value.
        let protobuf = [
            0x1a, 19, 0x0a, 1, b'?', 0x08, 0, 0x1a, 1, b'o', 0x1a, 1, b'n', 0x22, 6, 0x0a, 1, b't',
            0x12, 1, b'v', 0x48, 7, 0x0a, 1, b'a',
        ];
        let framed = framed(&protobuf);
        let records = deaggregate("outer", &framed);
        assert_eq!(records.contents(), Contents::Aggregated);
        let only = records.get(0).expect("one record");
        assert_eq!((only.partition_key, only.data), ("a", &b"n"[..]));
        assert!(records.get(1).is_none());

        // A tag without its key fails the record.
        let no_key = [
            0x0a, 1, b'a', 0x1a, 9, 0x08, 0, 0x1a, 1, b'x', 0x22, 2, 0x12, 0,
        ];
        assert_eq!(contents(&no_key), Contents::Plain(NotAggregated::Malformed));
        // Keys must be UTF-8.
        let latin1 = [0x0a, 1, 0xe9, 0x1a, 5, 0x08, 0, 0x1a, 1, b'x'];
        assert_eq!(contents(&latin1), Contents::Plain(NotAggregated::Malformed));
    }

    #[test]
    fn hash_keys_read_like_big_integer() {
        for (text, expected) in [
            ("0", Some(0)),
            ("+12", Some(12)),
            ("-0", Some(0)),
            ("007", Some(7)),
            ("340282366920938463463374607431768211455", Some(u128::MAX)),
        ] {
            match parse_hash_key(text) {
                HashKey::Value(value) => assert_eq!(Some(value), expected, "{text}"),
                _ => panic!("{text} should be a value"),
            }
        }
        assert!(matches!(parse_hash_key("-1"), HashKey::Below));
        assert!(matches!(
            parse_hash_key("340282366920938463463374607431768211456"),
            HashKey::Above
        ));
        for text in ["", "+", "1e3", " 1", "x"] {
            assert!(
                matches!(parse_hash_key(text), HashKey::NotANumber),
                "{text}"
            );
        }
    }

    #[test]
    fn shard_filter() {
        // pk table ["a"], ehk table ["5", "-1", "zz"]; records using ehk
        // 0, then none (MD5 of "a"), then as given per case.
        let build = |third_ehk: u8| {
            let mut protobuf = vec![0x0a, 1, b'a', 0x12, 1, b'5', 0x12, 2, b'-', b'1', 0x12, 2];
            protobuf.extend_from_slice(b"zz");
            protobuf.extend_from_slice(&[0x1a, 7, 0x08, 0, 0x10, 0, 0x1a, 1, b'x']);
            protobuf.extend_from_slice(&[0x1a, 5, 0x08, 0, 0x1a, 1, b'y']);
            protobuf.extend_from_slice(&[0x1a, 7, 0x08, 0, 0x10, third_ehk, 0x1a, 1, b'z']);
            framed(&protobuf)
        };
        let a = hash_key_of("a");
        let (low, high) = (5.min(a), 5.max(a));

        let with_five = build(0);
        assert_eq!(deaggregate("o", &with_five).in_shard(low..=high).len(), 3);
        assert_eq!(
            deaggregate("o", &with_five)
                .in_shard(low..=high - 1)
                .contents(),
            Contents::OutsideShard { user_records: 3 }
        );
        assert_eq!(
            deaggregate("o", &with_five)
                .in_shard(low + 1..=high)
                .contents(),
            Contents::OutsideShard { user_records: 3 }
        );
        // A negative explicit hash key is outside every range.
        let negative = build(1);
        assert!(deaggregate("o", &negative)
            .in_shard(0..=u128::MAX)
            .is_empty());
        // One that is not a number keeps its record.
        let not_a_number = build(2);
        assert_eq!(
            deaggregate("o", &not_a_number).in_shard(low..=high).len(),
            3
        );
        // Plain records pass.
        assert_eq!(deaggregate("o", b"plain").in_shard(0..=0).len(), 1);
    }

    #[test]
    fn debug_hides_data() {
        let framed = framed(ONE);
        let records = deaggregate("outer", &framed);
        let text = format!("{records:?} {:?}", records.get(0));
        assert!(
            text.contains("<1 bytes>") && !text.contains("120"),
            "{text}"
        );
    }
}
