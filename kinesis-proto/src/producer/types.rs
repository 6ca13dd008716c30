//! The values a producer takes and hands out: records, their ids, the
//! requests to send, the events and the metrics.

use std::fmt;
use std::time::Duration;

use crate::error::{Error, UsageError};
use crate::wire::Payload;

/// One user record to put into the stream.
///
/// ```
/// use kinesis_proto::producer::Record;
/// let record = Record::new("user-42", b"hello".to_vec()).with_explicit_hash_key(7);
/// assert_eq!(record.partition_key, "user-42");
/// assert_eq!(record.explicit_hash_key, Some(7));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Record {
    /// The data, up to the client's
    /// [`Limits::max_record_bytes`](crate::Limits) together with the
    /// partition key.
    pub data: Vec<u8>,
    /// 1–256 Unicode characters; its MD5 picks the shard unless an explicit
    /// hash key is given. Streams with the AUTO record distribution
    /// strategy ignore it, but it is still required here (a PutRecords
    /// request that lacks one for a USER_PARTITION_KEY stream fails whole).
    pub partition_key: String,
    /// Puts the record on the shard whose hash-key range holds this value.
    pub explicit_hash_key: Option<u128>,
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("data", &Payload(&self.data))
            .field("partition_key", &self.partition_key)
            .field("explicit_hash_key", &self.explicit_hash_key)
            .finish()
    }
}

impl Record {
    /// A record of `data` under `partition_key`.
    pub fn new(partition_key: impl Into<String>, data: Vec<u8>) -> Self {
        Record {
            data,
            partition_key: partition_key.into(),
            explicit_hash_key: None,
        }
    }

    /// Sets the explicit hash key.
    pub fn with_explicit_hash_key(mut self, hash_key: u128) -> Self {
        self.explicit_hash_key = Some(hash_key);
        self
    }

    /// Bytes the service counts: data plus partition key.
    pub fn size(&self) -> usize {
        self.data.len() + self.partition_key.len()
    }
}

/// The id [`push`](super::Producer::push) gave a record; its event names
/// it. Ids grow by one with each accepted record, from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(pub u64);

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record #{}", self.0)
    }
}

/// Why [`push`](super::Producer::push) did not take a record. Nothing was
/// queued; the record comes back where it can be sent later.
#[derive(Debug)]
#[non_exhaustive]
pub enum PushError {
    /// The record breaks a rule (partition key length, record size); the
    /// error names the field. Sending it again cannot help.
    Usage(UsageError),
    /// The buffer holds `max_buffered_records` or `max_buffered_bytes`
    /// already: try again once events have come out (backpressure).
    Full(Record),
    /// [`close`](super::Producer::close) was called, or the producer
    /// refused the stream (aggregation on an AUTO stream): no more records.
    Closed(Record),
}

impl PushError {
    /// The record handed back, for `Full` and `Closed`.
    pub fn into_record(self) -> Option<Record> {
        match self {
            PushError::Usage(_) => None,
            PushError::Full(r) | PushError::Closed(r) => Some(r),
        }
    }
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Usage(e) => write!(f, "{e}"),
            PushError::Full(_) => f.write_str("the producer's buffer is full"),
            PushError::Closed(_) => f.write_str("the producer is closed"),
        }
    }
}

impl std::error::Error for PushError {}

/// Names one request handed out by
/// [`poll_transmit`](super::Producer::poll_transmit); its answer is fed
/// back with the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransmitId(pub u64);

/// A request to send now.
#[derive(Debug)]
#[must_use = "a transmit is a request to send; its answer must come back"]
#[non_exhaustive]
pub struct Transmit {
    /// Give it back with the answer: [`handle_response`](super::Producer::handle_response)
    /// or [`handle_transport_error`](super::Producer::handle_transport_error).
    pub id: TransmitId,
    /// The signed request (PutRecords, ListShards or DescribeStreamSummary),
    /// ready to send as it is.
    pub request: http::Request<Vec<u8>>,
    /// How long the exchange may take (connect, send, receive the whole
    /// answer); past it, report a [`TransportErrorKind::Timeout`](crate::TransportErrorKind).
    pub timeout: Option<Duration>,
}

/// A record's fate. Every pushed record gets exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The stream holds the record.
    Delivered {
        /// The record.
        id: RecordId,
        /// The shard it is in.
        shard_id: String,
        /// Its sequence number there (the aggregated record's, when
        /// aggregated).
        sequence_number: String,
        /// Its index in the aggregated record that carried it, when it was
        /// aggregated (the KCL's sub-sequence number); `None` when it was
        /// sent as a record of its own.
        sub_sequence_number: Option<u64>,
    },
    /// The record was given up on.
    Failed {
        /// The record.
        id: RecordId,
        /// The last error it met: the entry's error code (as a service
        /// error), the request's error, a transport error, or a timeout
        /// for a record that ran out of `RecordTtl` unanswered.
        error: Error,
        /// How many requests carried it.
        attempts: u32,
    },
}

impl Event {
    /// The record the event is about.
    pub fn id(&self) -> RecordId {
        match self {
            Event::Delivered { id, .. } | Event::Failed { id, .. } => *id,
        }
    }
}

/// A mark set by [`flush`](super::Producer::flush):
/// [`is_flushed`](super::Producer::is_flushed) says when every record
/// pushed before it has had its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Flush(pub(crate) u64);

/// A snapshot of a producer's counters and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Metrics {
    /// Records accepted by `push`.
    pub records_pushed: u64,
    /// Records whose event was `Delivered` (queued or handed out).
    pub records_delivered: u64,
    /// Records whose event was `Failed` (queued or handed out).
    pub records_failed: u64,
    /// User records sent again after their entry failed or their request
    /// failed as a whole.
    pub records_retried: u64,
    /// Entries the service answered `ProvisionedThroughputExceeded`.
    pub records_throttled: u64,
    /// User records sent again after an answer was lost (a transport
    /// error or timeout after the request may have been written, or a 5xx
    /// answer), or after their aggregated record landed on a shard other
    /// than the predicted one (the KPL does the same): each may now be in
    /// the stream twice. At-least-once delivery comes from here.
    pub duplicate_risk_resends: u64,
    /// PutRecords requests handed out (each attempt counts).
    pub put_requests_sent: u64,
    /// Request body bytes handed out, all requests.
    pub bytes_sent: u64,
    /// Requests out now (handed out, not yet answered).
    pub requests_in_flight: usize,
    /// Records waiting in the buffer, not out.
    pub records_buffered: usize,
    /// Bytes (data plus partition keys) of the buffered records.
    pub bytes_buffered: usize,
    /// Records pushed and still without an event, buffered or out.
    pub records_outstanding: usize,
    /// How long the oldest record still without an event was pushed ago.
    pub oldest_record_age: Option<Duration>,
    /// Shard maps loaded (ListShards walks completed).
    pub shard_map_refreshes: u64,
}
