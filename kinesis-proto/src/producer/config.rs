//! What a producer may do: its time limits, batch and buffer bounds,
//! ordering and aggregation, with the KPL's names.

use std::time::Duration;

use crate::kpl::AggregationLimits;

/// Whether records of one shard must arrive in the order they were pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Ordering {
    /// Favour throughput (the default): many requests may carry records of
    /// the same shard at once, and a retried record may land after newer
    /// ones.
    #[default]
    Throughput,
    /// Keep each shard's order: at most one PutRecords entry per shard is
    /// out at a time (PutRecords does not keep order between the entries of
    /// one request), and a retried entry goes before anything newer of its
    /// shard. Pair it with aggregation for throughput: one entry then holds
    /// up to `AggregationMaxSize` bytes of user records, in order.
    PerShard,
}

/// How a [`Producer`](super::Producer) batches, retries and bounds its
/// memory. Every field has the KPL's default where the KPL has the setting.
///
/// The per-record and per-request size limits the service enforces come
/// from the client's [`Limits`](crate::Limits) (raise them there for
/// streams configured for 10 MiB records); the per-attempt time limit
/// (the KPL's `RequestTimeout`) and the transport retries of one request
/// come from the client's [`Config`](crate::Config).
///
/// ```
/// use std::time::Duration;
/// use kinesis_proto::kpl::AggregationLimits;
/// use kinesis_proto::producer::{Ordering, ProducerConfig};
///
/// let config = ProducerConfig::default()
///     .with_linger(Duration::from_millis(50))
///     .with_record_ttl(Duration::from_secs(60))
///     .with_aggregation(Some(AggregationLimits::default()))
///     .with_ordering(Ordering::PerShard);
/// assert_eq!(config.max_in_flight, 24);
/// assert_eq!(config.max_batch_records, 500);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProducerConfig {
    /// `RecordMaxBufferedTime`: how long a record may wait in the buffer
    /// for a fuller batch before its batch goes anyway (default 100 ms).
    /// A batch goes at once when it is full, or when flushing.
    pub linger: Duration,
    /// `RecordTtl`: how long after its push a record may still be sent;
    /// past it, the record fails with the last error it met (or a timeout
    /// error if it was never answered). Default 30 s.
    pub record_ttl: Duration,
    /// `MaxConnections`: the most requests out at once (PutRecords and
    /// the shard-map requests), default 24.
    pub max_in_flight: usize,
    /// `CollectionMaxCount`: the most entries in one PutRecords request
    /// (default 500, the service's limit; at most the client's
    /// [`Limits::max_put_records_entries`](crate::Limits)).
    pub max_batch_records: usize,
    /// `CollectionMaxSize`: the most bytes (data plus partition keys) in
    /// one PutRecords request (default 5 MiB, the service's default limit;
    /// at most the client's
    /// [`Limits::max_put_records_request_bytes`](crate::Limits), 10 MiB
    /// for streams that allow it).
    pub max_batch_bytes: usize,
    /// The most records pushed and not yet given an event (buffered or
    /// out); past it [`push`](super::Producer::push) hands the record back
    /// with [`PushError::Full`](super::PushError::Full). Default 100,000.
    /// The KPL has no such bound (its users watch `getOutstandingRecordsCount`).
    pub max_buffered_records: usize,
    /// The most bytes (data plus partition keys) of records pushed and not
    /// yet given an event, plus the bodies of the PutRecords requests out
    /// (the records' second copy, base64 in JSON, until the answer comes);
    /// past it `push` hands the record back. Default 64 MiB. A record
    /// larger than this is refused with a usage error.
    pub max_buffered_bytes: usize,
    /// `AggregationEnabled`, `AggregationMaxSize`, `AggregationMaxCount`:
    /// `Some` packs records that map to the same shard into KPL aggregated
    /// records (see [`crate::kpl`]); `None` (the default here; the KPL's
    /// default is on) sends every record as its own entry. Streams whose
    /// record distribution strategy is AUTO refuse it: the producer asks
    /// DescribeStreamSummary first and fails records with a usage error
    /// there.
    pub aggregation: Option<AggregationLimits>,
    /// Per-shard order or throughput (the default). The KPL has no such
    /// switch (it sends as [`Ordering::Throughput`]).
    pub ordering: Ordering,
    /// `FailIfThrottled` turned around: whether entries the service
    /// answers `ProvisionedThroughputExceeded` are sent again (default
    /// true; false fails them at once with that error).
    pub retry_throttled: bool,
    /// How long a shard whose entries were throttled
    /// (`ProvisionedThroughputExceeded`) waits before its next send, the
    /// first time in a row (default 100 ms, the KPL's
    /// `RecordMaxBufferedTime`: the KPL sends throttled records again with
    /// its next batch). Each further throttled answer in a row doubles it,
    /// up to [`max_throttle_backoff`](Self::max_throttle_backoff); a send to
    /// the shard that goes through starts again from here. The wait is
    /// jittered between half and all of it. Only the throttled shard waits
    /// (the shard the map predicts for the entry); with no shard map
    /// (ListShards not answered yet), the records not sorted by shard wait
    /// together. The client's [`RetryConfig`](crate::retry::RetryConfig) does not
    /// apply here: a shard's write limit refills every second.
    pub throttle_backoff: Duration,
    /// The longest a throttled shard waits (default 1 s, the period in
    /// which a shard's write limit refills).
    pub max_throttle_backoff: Duration,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            linger: Duration::from_millis(100),
            record_ttl: Duration::from_secs(30),
            max_in_flight: 24,
            max_batch_records: 500,
            max_batch_bytes: 5 * 1024 * 1024,
            max_buffered_records: 100_000,
            max_buffered_bytes: 64 * 1024 * 1024,
            aggregation: None,
            ordering: Ordering::Throughput,
            retry_throttled: true,
            throttle_backoff: Duration::from_millis(100),
            max_throttle_backoff: Duration::from_secs(1),
        }
    }
}

impl ProducerConfig {
    /// Sets [`linger`](Self::linger) (`RecordMaxBufferedTime`).
    pub fn with_linger(mut self, linger: Duration) -> Self {
        self.linger = linger;
        self
    }
    /// Sets [`record_ttl`](Self::record_ttl) (`RecordTtl`).
    pub fn with_record_ttl(mut self, ttl: Duration) -> Self {
        self.record_ttl = ttl;
        self
    }
    /// Sets [`max_in_flight`](Self::max_in_flight) (`MaxConnections`).
    pub fn with_max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests;
        self
    }
    /// Sets [`max_batch_records`](Self::max_batch_records) (`CollectionMaxCount`).
    pub fn with_max_batch_records(mut self, records: usize) -> Self {
        self.max_batch_records = records;
        self
    }
    /// Sets [`max_batch_bytes`](Self::max_batch_bytes) (`CollectionMaxSize`).
    pub fn with_max_batch_bytes(mut self, bytes: usize) -> Self {
        self.max_batch_bytes = bytes;
        self
    }
    /// Sets [`max_buffered_records`](Self::max_buffered_records).
    pub fn with_max_buffered_records(mut self, records: usize) -> Self {
        self.max_buffered_records = records;
        self
    }
    /// Sets [`max_buffered_bytes`](Self::max_buffered_bytes).
    pub fn with_max_buffered_bytes(mut self, bytes: usize) -> Self {
        self.max_buffered_bytes = bytes;
        self
    }
    /// Sets [`aggregation`](Self::aggregation) (`AggregationEnabled` and
    /// its limits).
    pub fn with_aggregation(mut self, aggregation: Option<AggregationLimits>) -> Self {
        self.aggregation = aggregation;
        self
    }
    /// Sets [`ordering`](Self::ordering).
    pub fn with_ordering(mut self, ordering: Ordering) -> Self {
        self.ordering = ordering;
        self
    }
    /// Sets [`retry_throttled`](Self::retry_throttled).
    pub fn with_retry_throttled(mut self, retry: bool) -> Self {
        self.retry_throttled = retry;
        self
    }
    /// Sets [`throttle_backoff`](Self::throttle_backoff) and
    /// [`max_throttle_backoff`](Self::max_throttle_backoff).
    ///
    /// ```
    /// use std::time::Duration;
    /// use kinesis_proto::producer::ProducerConfig;
    ///
    /// let config = ProducerConfig::default()
    ///     .with_throttle_backoff(Duration::from_millis(50), Duration::from_millis(500));
    /// assert_eq!(config.max_throttle_backoff, Duration::from_millis(500));
    /// ```
    pub fn with_throttle_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.throttle_backoff = first;
        self.max_throttle_backoff = max;
        self
    }
}
