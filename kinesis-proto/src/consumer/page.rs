//! What a shard's source hands the consumer (a [`Page`]), and the user
//! records it turns into.

use std::fmt;

use bytes::Bytes;
use time::OffsetDateTime;

use crate::kpl::{deaggregate, Contents};
use crate::ops::{ChildShard, GetRecordsOutput, Record};

/// One answer of a shard's source: a GetRecords page, or an event of a
/// SubscribeToShard subscription. Both sources build this; the consumer's
/// per-shard bookkeeping (positions, deaggregation, checkpoints, children)
/// reads only it.
///
/// ```
/// use kinesis_proto::consumer::{Next, Page};
/// use kinesis_proto::ops::GetRecordsOutput;
/// let out: GetRecordsOutput = serde_json::from_str(
///     r#"{"Records":[],"NextShardIterator":"AAA","MillisBehindLatest":0}"#).unwrap();
/// let page = Page::from(out);
/// assert_eq!(page.next, Next::Iterator("AAA".into()));
/// assert_eq!(page.millis_behind_latest, Some(0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page {
    /// The Kinesis records, in shard order.
    pub records: Vec<Record>,
    /// Where the source reads next.
    pub next: Next,
    /// How far behind the tip of the shard this page is (0: caught up).
    pub millis_behind_latest: Option<u64>,
    /// The shards that follow this one, when the end was reached.
    pub child_shards: Vec<ChildShard>,
}

impl Page {
    /// A page of `records` followed by `next`.
    pub fn new(records: Vec<Record>, next: Next) -> Self {
        Page {
            records,
            next,
            millis_behind_latest: None,
            child_shards: Vec::new(),
        }
    }
}

/// Where a shard's source goes on after a [`Page`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Next {
    /// GetRecords: the `NextShardIterator`.
    Iterator(String),
    /// SubscribeToShard: the `ContinuationSequenceNumber`.
    Continuation(String),
    /// The shard is closed and was read to its end.
    End,
}

impl From<GetRecordsOutput> for Page {
    fn from(out: GetRecordsOutput) -> Self {
        Page {
            records: out.records,
            next: out.next_shard_iterator.map_or(Next::End, Next::Iterator),
            millis_behind_latest: out.millis_behind_latest,
            child_shards: out.child_shards,
        }
    }
}

/// One user record as the consumer delivers it: a plain Kinesis record,
/// or one of the user records of an aggregated one.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumedRecord {
    /// The Kinesis record's sequence number.
    pub sequence_number: String,
    /// Its place in its aggregated record (0 for a plain record).
    pub sub_sequence_number: u64,
    /// Whether it came out of an aggregated record.
    pub aggregated: bool,
    /// The partition key it was written with.
    pub partition_key: String,
    /// The explicit hash key an aggregated record stored for it.
    pub explicit_hash_key: Option<String>,
    /// Its data (shared with the Kinesis record it came from, not copied).
    pub data: Bytes,
    /// When the Kinesis record arrived, roughly.
    pub approximate_arrival_timestamp: Option<OffsetDateTime>,
}

impl fmt::Debug for ConsumedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumedRecord")
            .field("sequence_number", &self.sequence_number)
            .field("sub_sequence_number", &self.sub_sequence_number)
            .field("aggregated", &self.aggregated)
            .field("partition_key", &self.partition_key)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .finish_non_exhaustive()
    }
}

/// Appends the user records of `record` to `out`, skipping those `skip`
/// says were delivered already.
pub(crate) fn unpack(
    record: Record,
    skip: impl Fn(&str, u64) -> bool,
    out: &mut Vec<ConsumedRecord>,
) {
    let Record {
        sequence_number,
        approximate_arrival_timestamp,
        data,
        partition_key,
        ..
    } = record;
    let data = Bytes::from(data);
    let unpacked = deaggregate(&partition_key, &data);
    if let Contents::Plain(_) = unpacked.contents() {
        if !skip(&sequence_number, 0) {
            out.push(ConsumedRecord {
                sequence_number,
                sub_sequence_number: 0,
                aggregated: false,
                partition_key,
                explicit_hash_key: None,
                data: data.clone(),
                approximate_arrival_timestamp,
            });
        }
        return;
    }
    out.reserve(unpacked.len());
    for user in unpacked.iter() {
        if skip(&sequence_number, user.sub_sequence_number) {
            continue;
        }
        out.push(ConsumedRecord {
            sequence_number: sequence_number.clone(),
            sub_sequence_number: user.sub_sequence_number,
            aggregated: user.aggregated,
            partition_key: user.partition_key.to_owned(),
            explicit_hash_key: user.explicit_hash_key.map(str::to_owned),
            data: data.slice_ref(user.data),
            approximate_arrival_timestamp,
        });
    }
}
