//! The producer's state machine: buffer, batches, calls, answers, events.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::config::{Ordering, ProducerConfig};
use super::shard_map::ShardMap;
use super::types::{Event, Flush, Metrics, PushError, Record, RecordId, Transmit, TransmitId};
use crate::call::{Action, Call};
use crate::client::Client;
use crate::credentials::CredentialsSource;
use crate::error::{
    Error, ErrorCode, ServiceError, TransportError, TransportErrorKind, UsageError,
};
use crate::kpl::{self, Add, Aggregator};
use crate::operation::Paginated;
use crate::ops::{
    DescribeStreamSummary, DescribeStreamSummaryOutput, ListShards, ListShardsOutput, PutRecords,
    PutRecordsOutput, PutRecordsRequestEntry, PutRecordsResultEntry, RecordDistributionStrategy,
    Shard, StreamRef,
};
use crate::retry::{FailureClass, RetryConfig};
use crate::validate;
use crate::Limits;

/// The least time between two shard-map loads, and the wait before
/// asking again after DescribeStreamSummary or ListShards failed.
const MAP_REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// The queue a record waits in: its predicted shard, or `None` (not
/// predicted: no map yet, or prediction not needed).
type ShardKey = Option<Arc<str>>;

/// One user record's bookkeeping, wherever it is.
#[derive(Debug)]
struct UserMeta {
    id: u64,
    pushed: Instant,
    size: usize,
    attempts: u32,
    /// Its hash key, once computed (explicit hash keys are known at once).
    hash_key: Option<u128>,
    last_error: Option<Box<Error>>,
    /// Whether a request that carried it may have been written without an
    /// answer saying so: sending it again risks a duplicate.
    maybe_written: bool,
}

impl UserMeta {
    fn expires(&self, ttl: Duration) -> Instant {
        self.pushed.checked_add(ttl).unwrap_or(self.pushed)
    }
}

/// A record never sent, or split back out of an aggregate.
#[derive(Debug)]
struct Plain {
    meta: UserMeta,
    record: Record,
}

impl Plain {
    fn hash_key(&mut self) -> u128 {
        *self
            .meta
            .hash_key
            .get_or_insert_with(|| match self.record.explicit_hash_key {
                Some(h) => h,
                None => kpl::hash_key_of(&self.record.partition_key),
            })
    }
}

/// An entry already sent once, kept as it was built (to be sent again).
#[derive(Debug)]
struct Built {
    entry: PutRecordsRequestEntry,
    /// One user record, or the user records of an aggregate in order.
    users: Vec<UserMeta>,
    aggregated: bool,
    /// The hash key the entry maps to.
    hash_key: u128,
    /// The earliest push among `users`, and their bytes: kept so that
    /// `poll_timeout` and the queue counters never walk the users.
    oldest: Option<Instant>,
    bytes: usize,
}

impl Built {
    fn new(
        entry: PutRecordsRequestEntry,
        users: Vec<UserMeta>,
        aggregated: bool,
        hash_key: u128,
    ) -> Built {
        Built {
            oldest: users.iter().map(|u| u.pushed).min(),
            bytes: users.iter().map(|u| u.size).sum(),
            entry,
            users,
            aggregated,
            hash_key,
        }
    }
}

#[derive(Debug)]
enum Item {
    Plain(Plain),
    Built(Built),
}

impl Item {
    fn first_id(&self) -> u64 {
        match self {
            Item::Plain(p) => p.meta.id,
            Item::Built(b) => b.users.first().map_or(u64::MAX, |u| u.id),
        }
    }
    fn oldest_push(&self) -> Option<Instant> {
        match self {
            Item::Plain(p) => Some(p.meta.pushed),
            Item::Built(b) => b.oldest,
        }
    }
    fn users(&self) -> usize {
        match self {
            Item::Plain(_) => 1,
            Item::Built(b) => b.users.len(),
        }
    }
    fn bytes(&self) -> usize {
        match self {
            Item::Plain(p) => p.meta.size,
            Item::Built(b) => b.bytes,
        }
    }
}

/// Records waiting for one shard.
#[derive(Debug, Default)]
struct ShardQueue {
    items: VecDeque<Item>,
    /// No sending before this (after throttling).
    backoff_until: Option<Instant>,
    /// Throttled at this time; the backoff is drawn at the next poll (which
    /// brings the random value).
    throttled_at: Option<Instant>,
    /// Throttled answers in a row.
    throttles: u32,
    /// Entries of this shard out now.
    in_flight: usize,
    /// User records and their bytes in `items`.
    users: usize,
    bytes: usize,
}

impl ShardQueue {
    fn pop_front(&mut self) -> Option<Item> {
        let item = self.items.pop_front()?;
        self.users -= item.users();
        self.bytes -= item.bytes();
        Some(item)
    }

    fn recount(&mut self) {
        self.users = self.items.iter().map(Item::users).sum();
        self.bytes = self.items.iter().map(Item::bytes).sum();
    }

    /// Whether the queue holds nothing worth keeping.
    fn is_idle(&self) -> bool {
        self.items.is_empty()
            && self.in_flight == 0
            && self.throttles == 0
            && !self.backing_off_at_all()
    }

    /// Whether a backoff was set, over or not.
    fn backing_off_at_all(&self) -> bool {
        self.throttled_at.is_some() || self.backoff_until.is_some()
    }

    fn backing_off(&self, now: Instant) -> bool {
        self.throttled_at.is_some() || self.backoff_until.is_some_and(|t| now < t)
    }
}

/// What one sent entry holds, to read its result.
#[derive(Debug)]
struct SentEntry {
    shard: ShardKey,
    users: Users,
    aggregated: bool,
    hash_key: Option<u128>,
}

/// The user records of one sent entry: one (a plain entry, kept without
/// a heap allocation of its own) or those of an aggregate.
#[derive(Debug)]
enum Users {
    One(UserMeta),
    Many(Vec<UserMeta>),
}

impl Users {
    fn as_slice(&self) -> &[UserMeta] {
        match self {
            Users::One(u) => std::slice::from_ref(u),
            Users::Many(v) => v,
        }
    }
    fn as_mut_slice(&mut self) -> &mut [UserMeta] {
        match self {
            Users::One(u) => std::slice::from_mut(u),
            Users::Many(v) => v,
        }
    }
    fn iter(&self) -> std::slice::Iter<'_, UserMeta> {
        self.as_slice().iter()
    }
    fn into_vec(self) -> Vec<UserMeta> {
        match self {
            Users::One(u) => vec![u],
            Users::Many(v) => v,
        }
    }
}

impl IntoIterator for Users {
    type Item = UserMeta;
    type IntoIter = std::iter::Chain<std::option::IntoIter<UserMeta>, std::vec::IntoIter<UserMeta>>;
    fn into_iter(self) -> Self::IntoIter {
        match self {
            Users::One(u) => Some(u).into_iter().chain(Vec::new()),
            Users::Many(v) => None.into_iter().chain(v),
        }
    }
}

/// One PutRecords call and what it carries.
struct PutBatch {
    call: Call<PutRecords>,
    entries: Vec<SentEntry>,
}

/// One page of the ListShards walk.
struct ListPage {
    call: Call<ListShards>,
    shards: Vec<Shard>,
}

enum Job {
    Put(PutBatch),
    List(ListPage),
    Summary(Call<DescribeStreamSummary>),
}

struct Slot {
    job: Job,
    /// The transmit out now, if any.
    out: Option<TransmitId>,
    /// The last answer of this call was lost or a 5xx: the next send of
    /// the same batch risks duplicates.
    answer_lost: bool,
    /// The body bytes of the PutRecords request out now (0 when none):
    /// they count against `max_buffered_bytes` until the answer.
    out_bytes: usize,
}

/// What the producer knows of the stream's record distribution strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    /// Not asked (aggregation off: not needed).
    NotNeeded,
    /// To ask (again at this time).
    Ask(Option<Instant>),
    /// Asked, no answer yet.
    Asking,
    /// USER_PARTITION_KEY (or not said).
    UserKeys,
}

/// The shard map's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MapState {
    /// To load, not before this time.
    Load(Option<Instant>),
    Loading,
    Loaded {
        at: Instant,
    },
    /// Not used (the stream spreads records itself).
    Off,
}

/// A producer for one stream; see the [module docs](super) for how a
/// driver runs it.
///
/// It is `'static + Send`: store it in a driver's thread or task.
///
/// ```
/// use kinesis_proto::producer::{Producer, ProducerConfig, PushError, Record};
/// use kinesis_proto::{Client, Config, Credentials};
///
/// let client = Client::new(Config::new("us-east-1"));
/// let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
/// let config = ProducerConfig::default().with_max_buffered_records(1);
/// let mut producer = Producer::new(&client, "my-stream", credentials, config)?;
/// let now = std::time::Instant::now();
///
/// producer.push(Record::new("k", b"one".to_vec()), now).expect("room for one");
/// // Full: the record comes back, nothing is lost.
/// let Err(PushError::Full(back)) = producer.push(Record::new("k", b"two".to_vec()), now) else { panic!() };
/// assert_eq!(back.data, b"two");
/// // Bad input: a usage error naming the field.
/// let Err(PushError::Usage(e)) = producer.push(Record::new("", b"x".to_vec()), now) else { panic!() };
/// assert_eq!(e.field, "PartitionKey");
/// # Ok::<(), kinesis_proto::Error>(())
/// ```
pub struct Producer {
    client: Client,
    stream: StreamRef,
    credentials: Arc<dyn CredentialsSource>,
    config: ProducerConfig,
    limits: Limits,
    retry: RetryConfig,

    next_record: u64,
    next_transmit: u64,
    /// `Some(pushed)` for each record from `ledger_base` on that has no
    /// event yet; `None` once it has one.
    ledger: VecDeque<Option<Instant>>,
    ledger_base: u64,
    outstanding: usize,
    outstanding_bytes: usize,
    /// The body bytes of the PutRecords requests out now (each slot's
    /// `out_bytes`, summed).
    out_bytes: usize,

    queues: BTreeMap<ShardKey, ShardQueue>,
    /// The queue the last batch started from (round robin).
    cursor: Option<ShardKey>,
    buffered: usize,
    buffered_bytes: usize,
    /// The latest `now` seen: when something is due at once.
    last_now: Option<Instant>,

    slots: Vec<Slot>,
    /// Transmits made while handling an answer, handed out first.
    ready: VecDeque<Transmit>,
    events: VecDeque<Event>,

    map: ShardMap,
    map_state: MapState,
    /// The map predicted wrongly: load it again.
    map_stale: bool,
    /// The last shard-map or strategy failure, for records that never got
    /// further.
    setup_error: Option<Box<Error>>,
    strategy: Strategy,
    /// Set when the producer refused the stream (aggregation on an AUTO
    /// stream): every record fails with it.
    refused: Option<UsageError>,

    /// Whole PutRecords calls that failed in a row, and no new call
    /// before this: a stream-wide backoff once the engine gave up on one.
    failed_calls: u32,
    calls_paused_until: Option<Instant>,

    flush_until: u64,
    closing: bool,
    metrics: Metrics,
}

impl fmt::Debug for Producer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Producer")
            .field("stream", &self.stream)
            .field("outstanding", &self.outstanding)
            .field("buffered", &self.buffered)
            .field("in_flight", &self.slots.len())
            .field("map_state", &self.map_state)
            .field("closing", &self.closing)
            .finish_non_exhaustive()
    }
}

fn config_error(field: &'static str, problem: String) -> Error {
    Error::Usage(UsageError::new(field, problem))
}

impl Producer {
    /// A producer for `stream` (a name or a [`StreamRef::arn`]), sending
    /// through `client` (a clone is kept: its limits, retry settings and
    /// time limits apply), signing with what `credentials` hands out.
    ///
    /// Fails with a usage error naming the field when the stream name or
    /// the configuration is out of range (a batch bound above the client's
    /// [`Limits`], an aggregate larger than a record may be, a zero
    /// bound). Nothing is sent before the first
    /// [`poll_transmit`](Self::poll_transmit).
    pub fn new(
        client: &Client,
        stream: impl Into<StreamRef>,
        credentials: impl Into<Arc<dyn CredentialsSource>>,
        config: ProducerConfig,
    ) -> Result<Producer, Error> {
        let stream = stream.into();
        stream.validate().map_err(Error::Usage)?;
        let limits = *client.config().limits();
        if config.max_batch_records == 0
            || config.max_batch_records > limits.max_put_records_entries
        {
            return Err(config_error(
                "ProducerConfig.max_batch_records",
                format!(
                    "is {}; it must be 1 to {} (the client's Limits)",
                    config.max_batch_records, limits.max_put_records_entries
                ),
            ));
        }
        if config.max_batch_bytes == 0
            || config.max_batch_bytes > limits.max_put_records_request_bytes
        {
            return Err(config_error(
                "ProducerConfig.max_batch_bytes",
                format!(
                    "is {}; it must be 1 to {} (the client's Limits)",
                    config.max_batch_bytes, limits.max_put_records_request_bytes
                ),
            ));
        }
        if config.max_in_flight == 0 {
            return Err(config_error(
                "ProducerConfig.max_in_flight",
                "must be at least 1".into(),
            ));
        }
        if config.max_buffered_records == 0 || config.max_buffered_bytes == 0 {
            return Err(config_error(
                "ProducerConfig.max_buffered_records",
                "the buffer bounds must be at least 1".into(),
            ));
        }
        if let Some(agg) = config.aggregation {
            // The outer record's partition key is at most 256 characters of
            // up to 4 bytes.
            let worst = agg.max_size.saturating_add(1024);
            if agg.max_size < 64 || worst > limits.max_record_bytes.min(config.max_batch_bytes) {
                return Err(config_error(
                    "ProducerConfig.aggregation.max_size",
                    format!(
                        "is {}; it must be 64 to {} (a record's size, less 1024 bytes for the partition key)",
                        agg.max_size,
                        limits.max_record_bytes.min(config.max_batch_bytes).saturating_sub(1024)
                    ),
                ));
            }
            if agg.max_count == 0 {
                return Err(config_error(
                    "ProducerConfig.aggregation.max_count",
                    "must be at least 1".into(),
                ));
            }
        }
        Ok(Producer {
            client: client.clone(),
            credentials: credentials.into(),
            limits,
            retry: *client.config().retry(),
            strategy: if config.aggregation.is_some() {
                Strategy::Ask(None)
            } else {
                Strategy::NotNeeded
            },
            config,
            stream,
            next_record: 0,
            next_transmit: 0,
            ledger: VecDeque::new(),
            ledger_base: 0,
            outstanding: 0,
            outstanding_bytes: 0,
            out_bytes: 0,
            queues: BTreeMap::new(),
            cursor: None,
            buffered: 0,
            buffered_bytes: 0,
            last_now: None,
            slots: Vec::new(),
            ready: VecDeque::new(),
            events: VecDeque::new(),
            map: ShardMap::default(),
            map_state: MapState::Load(None),
            map_stale: false,
            setup_error: None,
            refused: None,
            failed_calls: 0,
            calls_paused_until: None,
            flush_until: 0,
            closing: false,
            metrics: Metrics::default(),
        })
    }

    /// The configuration this producer runs with.
    pub fn config(&self) -> &ProducerConfig {
        &self.config
    }

    /// Whether records need their shard before they can go: aggregation
    /// and per-shard order do; plain throughput-mode records do not.
    fn predicts(&self) -> bool {
        self.map_state != MapState::Off
            && (self.config.aggregation.is_some() || self.config.ordering == Ordering::PerShard)
    }

    /// Takes a record: checks it (a usage error naming the field, and
    /// nothing queued, when it breaks a rule), or hands it back when the
    /// buffer is full or the producer closed. `now` is when it was
    /// pushed: its linger and time to live count from there.
    ///
    /// ```
    /// use kinesis_proto::producer::{Producer, ProducerConfig, PushError, Record};
    /// use kinesis_proto::{Client, Config, Credentials};
    ///
    /// let client = Client::new(Config::new("us-east-1"));
    /// let mut producer = Producer::new(&client, "s", Credentials::new("A", "S", None),
    ///     ProducerConfig::default())?;
    /// let now = std::time::Instant::now();
    /// let first = producer.push(Record::new("k", b"a".to_vec()), now).unwrap();
    /// let second = producer.push(Record::new("k", b"b".to_vec()), now).unwrap();
    /// assert_eq!(second.0, first.0 + 1);
    /// let big = Record::new("k", vec![0; 1024 * 1024]);
    /// let Err(PushError::Usage(e)) = producer.push(big, now) else { panic!() };
    /// assert_eq!(e.field, "Data");
    /// # Ok::<(), kinesis_proto::Error>(())
    /// ```
    pub fn push(&mut self, record: Record, now: Instant) -> Result<RecordId, PushError> {
        if let Some(refused) = &self.refused {
            return Err(PushError::Usage(refused.clone()));
        }
        if self.closing {
            return Err(PushError::Closed(record));
        }
        validate::partition_key("PartitionKey", &record.partition_key).map_err(PushError::Usage)?;
        validate::record_size("Data", &record.data, &record.partition_key, &self.limits)
            .map_err(PushError::Usage)?;
        let size = record.size();
        if size > self.config.max_buffered_bytes {
            return Err(PushError::Usage(UsageError::new(
                "Data",
                format!(
                    "record is {size} bytes, more than the producer's whole buffer (max_buffered_bytes {})",
                    self.config.max_buffered_bytes
                ),
            )));
        }
        // The requests out hold a second copy of their records (base64 in
        // JSON, 4/3 the size and more): they count too, so that memory stays
        // near the bound while the server stalls.
        if self.outstanding >= self.config.max_buffered_records
            || self.outstanding_bytes + self.out_bytes + size > self.config.max_buffered_bytes
        {
            return Err(PushError::Full(record));
        }
        let id = self.next_record;
        self.next_record += 1;
        self.ledger.push_back(Some(now));
        self.outstanding += 1;
        self.outstanding_bytes += size;
        self.metrics.records_pushed += 1;
        let mut plain = Plain {
            meta: UserMeta {
                id,
                pushed: now,
                size,
                attempts: 0,
                hash_key: record.explicit_hash_key,
                last_error: None,
                maybe_written: false,
            },
            record,
        };
        let key = if self.predicts() && self.map_state_loaded() {
            let hash = plain.hash_key();
            self.map.shard_of(hash).cloned()
        } else {
            None
        };
        self.enqueue_back(key, Item::Plain(plain));
        self.saw(now);
        Ok(RecordId(id))
    }

    fn map_state_loaded(&self) -> bool {
        matches!(self.map_state, MapState::Loaded { .. })
    }

    fn enqueue_back(&mut self, key: ShardKey, item: Item) {
        self.buffered += item.users();
        self.buffered_bytes += item.bytes();
        let q = self.queues.entry(key).or_default();
        q.users += item.users();
        q.bytes += item.bytes();
        q.items.push_back(item);
    }

    fn enqueue_front(&mut self, key: ShardKey, item: Item) {
        self.buffered += item.users();
        self.buffered_bytes += item.bytes();
        let q = self.queues.entry(key).or_default();
        q.users += item.users();
        q.bytes += item.bytes();
        q.items.push_front(item);
    }

    /// Makes every record pushed so far go now, without waiting for fuller
    /// batches; returns a mark for [`is_flushed`](Self::is_flushed).
    pub fn flush(&mut self) -> Flush {
        self.flush_until = self.next_record;
        Flush(self.next_record)
    }

    /// Whether every record pushed before `mark` was made has had its
    /// event handed out by [`poll_event`](Self::poll_event).
    pub fn is_flushed(&self, mark: Flush) -> bool {
        self.ledger_base >= mark.0 && self.events.iter().all(|e| e.id().0 >= mark.0)
    }

    /// Flushes and refuses new records ([`PushError::Closed`]) from now on.
    /// Records already pushed still get their events.
    pub fn close(&mut self) {
        self.closing = true;
        self.flush();
    }

    /// Whether the producer was closed and every record has had its event
    /// handed out: the driver may stop (answers still out are not needed).
    pub fn is_finished(&self) -> bool {
        (self.closing || self.refused.is_some()) && self.outstanding == 0 && self.events.is_empty()
    }

    /// Records pushed whose event has not been queued yet.
    pub fn outstanding(&self) -> usize {
        self.outstanding
    }

    /// A snapshot of the counters and state; `now` for the oldest record's
    /// age.
    pub fn metrics(&self, now: Instant) -> Metrics {
        let mut m = self.metrics;
        m.requests_in_flight = self.slots.iter().filter(|s| s.out.is_some()).count();
        m.records_buffered = self.buffered;
        m.bytes_buffered = self.buffered_bytes;
        m.records_outstanding = self.outstanding;
        m.oldest_record_age = self
            .ledger
            .iter()
            .flatten()
            .next()
            .map(|pushed| now.saturating_duration_since(*pushed));
        m
    }

    /// The next event, each record's exactly once.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) and poll
    /// again: a batch's linger running out, a shard's backoff ending, a
    /// record's time to live, a retry of a request, a request's time
    /// limit. `None` when nothing is timed (wait for an answer or a push).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut at: Option<Instant> = None;
        let mut earliest = |t: Instant| {
            at = Some(at.map_or(t, |a| a.min(t)));
        };
        for slot in &self.slots {
            let t = match &slot.job {
                Job::Put(p) => p.call.poll_timeout(),
                Job::List(l) => l.call.poll_timeout(),
                Job::Summary(c) => c.poll_timeout(),
            };
            if let Some(t) = t {
                earliest(t);
            }
        }
        let room = self.slots.len() < self.config.max_in_flight;
        if room && !self.ready.is_empty() {
            return None;
        }
        // Closed with nothing left: no more setup requests.
        let idle = self.closing && self.outstanding == 0;
        if room && !idle {
            match self.strategy {
                Strategy::Ask(Some(t)) => earliest(t),
                Strategy::Ask(None) => {
                    // The next poll asks at once.
                    if let Some(t) = self.last_now {
                        earliest(t);
                    }
                }
                _ => {}
            }
            if let MapState::Load(Some(t)) = self.map_state {
                earliest(t);
            }
            if self.map_stale {
                if let MapState::Loaded { at: loaded } = self.map_state {
                    earliest(loaded + MAP_REFRESH_INTERVAL);
                }
            }
        }
        for slot in &self.slots {
            let timed = match &slot.job {
                Job::Put(p) => p.call.poll_timeout(),
                Job::List(l) => l.call.poll_timeout(),
                Job::Summary(c) => c.poll_timeout(),
            };
            if slot.out.is_none() && timed.is_none() {
                // A call with something to do at its next poll.
                if let Some(t) = self.last_now {
                    earliest(t);
                }
            }
        }
        if let Some(t) = self.calls_paused_until.filter(|_| room) {
            earliest(t);
        }
        let ttl = self.config.record_ttl;
        if let Some(Some(oldest)) = self.ledger.front() {
            earliest(oldest.checked_add(ttl).unwrap_or(*oldest));
        }
        let linger = self.config.linger;
        let predicts = self.predicts();
        let paused = self
            .calls_paused_until
            .is_some_and(|t| self.last_now.is_none_or(|n| n < t));
        for (key, q) in self.queues.iter().filter(|_| !paused) {
            let Some(front) = q.items.front() else {
                continue;
            };
            if q.backing_off_at_all() {
                if let Some(until) = q.backoff_until {
                    earliest(until);
                } else if let Some(t) = self.last_now {
                    earliest(t); // a backoff to draw at the next poll
                }
                continue;
            }
            if (self.config.ordering == Ordering::PerShard && q.in_flight > 0)
                || (key.is_none() && predicts)
                || !room
            {
                continue; // waits for an answer, not for time
            }
            let flushed = self.closing
                || front.first_id() < self.flush_until
                || matches!(front, Item::Built(_));
            match (flushed, front.oldest_push()) {
                (true, _) | (_, None) => {
                    if let Some(t) = self.last_now {
                        earliest(t);
                    }
                }
                (false, Some(pushed)) => earliest(pushed.checked_add(linger).unwrap_or(pushed)),
            }
        }
        at
    }

    /// What each timer says, for a test that finds one in the past.
    #[cfg(test)]
    pub(crate) fn debug_timers(&self) -> String {
        let slots: Vec<String> = self
            .slots
            .iter()
            .map(|s| match &s.job {
                Job::Put(p) => format!(
                    "put out={:?} {:?} timeout={:?}",
                    s.out,
                    p.call,
                    p.call.poll_timeout()
                ),
                Job::List(l) => format!("list out={:?} {:?}", s.out, l.call),
                Job::Summary(c) => format!("summary out={:?} {:?}", s.out, c),
            })
            .collect();
        let queues: Vec<String> = self
            .queues
            .iter()
            .map(|(k, q)| {
                format!(
                    "{k:?}: {} items, in flight {}, backoff {:?}/{:?}",
                    q.items.len(),
                    q.in_flight,
                    q.throttled_at,
                    q.backoff_until
                )
            })
            .collect();
        format!(
            "last_now {:?}, ledger front {:?}, paused {:?}, strategy {:?}, map {:?} stale {}, slots {slots:?}, queues {queues:?}, ready {}",
            self.last_now, self.ledger.front(), self.calls_paused_until, self.strategy, self.map_state, self.map_stale, self.ready.len()
        )
    }

    /// Handles what is due at `now`: records past their time to live fail
    /// (with their last error). Call it when [`poll_timeout`](Self::poll_timeout)
    /// has passed (calling it more often is harmless).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.saw(now);
        // The oldest record without an event expires first.
        let ttl = self.config.record_ttl;
        match self.ledger.front() {
            Some(Some(oldest)) if now >= oldest.checked_add(ttl).unwrap_or(*oldest) => {}
            _ => return,
        }
        let mut expired: Vec<UserMeta> = Vec::new();
        let mut split: Vec<(ShardKey, Item)> = Vec::new();
        for (key, q) in self.queues.iter_mut() {
            if !q.items.iter().any(|item| match item {
                Item::Plain(p) => now >= p.meta.expires(ttl),
                Item::Built(b) => b.users.iter().any(|u| now >= u.expires(ttl)),
            }) {
                continue;
            }
            let mut kept = VecDeque::with_capacity(q.items.len());
            for item in q.items.drain(..) {
                match item {
                    Item::Plain(p) if now >= p.meta.expires(ttl) => {
                        self.buffered -= 1;
                        self.buffered_bytes -= p.meta.size;
                        expired.push(p.meta);
                    }
                    Item::Built(b) if b.users.iter().any(|u| now >= u.expires(ttl)) => {
                        self.buffered -= b.users.len();
                        self.buffered_bytes -= b.users.iter().map(|u| u.size).sum::<usize>();
                        // The fresh user records of an aggregate go on alone.
                        for item in split_built(b) {
                            match item {
                                Item::Plain(p) if now >= p.meta.expires(ttl) => {
                                    expired.push(p.meta)
                                }
                                Item::Plain(p) => split.push((key.clone(), Item::Plain(p))),
                                Item::Built(b) => expired.extend(b.users),
                            }
                        }
                    }
                    other => kept.push_back(other),
                }
            }
            q.items = kept;
            q.recount();
        }
        for (key, item) in split.into_iter().rev() {
            self.enqueue_front(key, item);
        }
        for meta in expired {
            let error = self.ttl_error(&meta);
            self.fail(meta, error);
        }
    }

    fn saw(&mut self, now: Instant) {
        if self.last_now.is_none_or(|t| t < now) {
            self.last_now = Some(now);
        }
    }

    /// The error a record that ran out of time fails with.
    fn ttl_error(&self, meta: &UserMeta) -> Error {
        if let Some(e) = &meta.last_error {
            return (**e).clone();
        }
        if let Some(e) = &self.setup_error {
            return (**e).clone();
        }
        Error::Transport(TransportError::new(
            TransportErrorKind::Timeout,
            format!(
                "{} ran out of its RecordTtl ({:?}) before an answer delivered it",
                RecordId(meta.id),
                self.config.record_ttl
            ),
        ))
    }

    /// Queues the `Failed` event of a user record.
    fn fail(&mut self, meta: UserMeta, error: Error) {
        if self.settle(meta.id, meta.size) {
            self.metrics.records_failed += 1;
            self.events.push_back(Event::Failed {
                id: RecordId(meta.id),
                error,
                attempts: meta.attempts,
            });
        }
    }

    /// Queues the `Delivered` event of a user record.
    fn deliver(&mut self, meta: &UserMeta, shard_id: &str, sequence: &str, sub: Option<u64>) {
        if self.settle(meta.id, meta.size) {
            self.metrics.records_delivered += 1;
            self.events.push_back(Event::Delivered {
                id: RecordId(meta.id),
                shard_id: shard_id.to_owned(),
                sequence_number: sequence.to_owned(),
                sub_sequence_number: sub,
            });
        }
    }

    /// Marks a record as having its event; false (and a logged bug) when
    /// it already had one, so no record ever gets two.
    fn settle(&mut self, id: u64, size: usize) -> bool {
        let slot = id
            .checked_sub(self.ledger_base)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.ledger.get_mut(i));
        match slot {
            Some(entry @ Some(_)) => {
                *entry = None;
                self.outstanding -= 1;
                self.outstanding_bytes -= size;
                while let Some(None) = self.ledger.front() {
                    self.ledger.pop_front();
                    self.ledger_base += 1;
                }
                true
            }
            _ => {
                log::error!("producer bug: {} would get a second event", RecordId(id));
                debug_assert!(false, "{} would get a second event", RecordId(id));
                false
            }
        }
    }

    /// The next request to send, or `None` when there is nothing to send
    /// now (the batches are not due, a bound on requests out is reached,
    /// or shards are backing off). `now` and `wall` are the two clocks
    /// (scheduling, signing), `random` a value in `[0, 1)` for jitter.
    /// This is where calls move on: drain it after every push, answer and
    /// wake-up, before [`poll_event`](Self::poll_event).
    #[must_use]
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        wall: OffsetDateTime,
        random: f64,
    ) -> Option<Transmit> {
        if let Some(t) = self.ready.pop_front() {
            return Some(t);
        }
        self.handle_timeout(now);
        // Backoffs that ended.
        if self.calls_paused_until.is_some_and(|t| now >= t) {
            self.calls_paused_until = None;
        }
        for q in self.queues.values_mut() {
            if q.backoff_until.is_some_and(|t| now >= t) {
                q.backoff_until = None;
            }
        }
        // Backoffs drawn now that a random value is here.
        for q in self.queues.values_mut() {
            if let Some(at) = q.throttled_at.take() {
                let delay = throttle_delay(&self.config, q.throttles, random);
                q.backoff_until = Some(at.checked_add(delay).unwrap_or(at));
            }
        }
        // Calls waiting on a backoff or finished.
        let mut i = 0;
        while i < self.slots.len() {
            // A call with its request out says Wait, or ends at its deadline.
            match self.drive(i, now, wall, random) {
                Drive::Sent(t) => return Some(t),
                Drive::Waiting => i += 1,
                Drive::Removed => {}
            }
        }
        if let Some(refused) = self.refused.clone() {
            self.fail_everything(Error::Usage(refused));
            return None;
        }
        if self.slots.len() >= self.config.max_in_flight {
            return None;
        }
        if let Some(t) = self.start_setup(now, wall, random) {
            return Some(t);
        }
        if self.slots.len() >= self.config.max_in_flight {
            return None;
        }
        let batch = self.build_batch(now)?;
        self.slots.push(Slot {
            job: Job::Put(batch),
            out: None,
            answer_lost: false,
            out_bytes: 0,
        });
        let last = self.slots.len() - 1;
        match self.drive(last, now, wall, random) {
            Drive::Sent(t) => Some(t),
            _ => None,
        }
    }

    /// Starts DescribeStreamSummary or a ListShards walk when due.
    fn start_setup(&mut self, now: Instant, wall: OffsetDateTime, random: f64) -> Option<Transmit> {
        if self.closing && self.outstanding == 0 {
            return None;
        }
        if let Strategy::Ask(at) = self.strategy {
            if at.is_none_or(|t| now >= t) {
                self.strategy = Strategy::Asking;
                let op = DescribeStreamSummary::new(self.stream.clone());
                let call = Call::new(&self.client, op, self.credentials.clone());
                return self.start(Job::Summary(call), now, wall, random);
            }
        }
        if self.strategy == Strategy::Asking {
            // The answer may turn prediction off: wait for it.
            return None;
        }
        let due = match self.map_state {
            MapState::Load(at) => at.is_none_or(|t| now >= t),
            MapState::Loaded { at } => self.map_stale && now >= at + MAP_REFRESH_INTERVAL,
            MapState::Loading | MapState::Off => false,
        };
        if due {
            self.map_state = MapState::Loading;
            self.map_stale = false;
            let op = ListShards::new(self.stream.clone());
            let call = Call::new(&self.client, op, self.credentials.clone());
            return self.start(
                Job::List(ListPage {
                    call,
                    shards: Vec::new(),
                }),
                now,
                wall,
                random,
            );
        }
        None
    }

    fn start(
        &mut self,
        job: Job,
        now: Instant,
        wall: OffsetDateTime,
        random: f64,
    ) -> Option<Transmit> {
        self.slots.push(Slot {
            job,
            out: None,
            answer_lost: false,
            out_bytes: 0,
        });
        let last = self.slots.len() - 1;
        match self.drive(last, now, wall, random) {
            Drive::Sent(t) => Some(t),
            _ => None,
        }
    }

    /// Polls the call in slot `i`.
    fn drive(&mut self, i: usize, now: Instant, wall: OffsetDateTime, random: f64) -> Drive {
        let slot = &mut self.slots[i];
        let outcome = match &mut slot.job {
            Job::Put(p) => match p.call.poll(now, wall, random) {
                Action::Send { request, timeout } => Ok((request, timeout)),
                Action::Wait => return Drive::Waiting,
                Action::Done(r) => Err(Done::Put(r)),
            },
            Job::List(l) => match l.call.poll(now, wall, random) {
                Action::Send { request, timeout } => Ok((request, timeout)),
                Action::Wait => return Drive::Waiting,
                Action::Done(r) => Err(Done::List(r)),
            },
            Job::Summary(c) => match c.poll(now, wall, random) {
                Action::Send { request, timeout } => Ok((request, timeout)),
                Action::Wait => return Drive::Waiting,
                Action::Done(r) => Err(Done::Summary(r)),
            },
        };
        match outcome {
            Ok((request, timeout)) => {
                let id = TransmitId(self.next_transmit);
                self.next_transmit += 1;
                let slot = &mut self.slots[i];
                slot.out = Some(id);
                let lost = std::mem::take(&mut slot.answer_lost);
                self.metrics.bytes_sent += request.body().len() as u64;
                if let Job::Put(p) = &mut slot.job {
                    slot.out_bytes = request.body().len();
                    self.out_bytes += slot.out_bytes;
                    self.metrics.put_requests_sent += 1;
                    for e in &mut p.entries {
                        for u in e.users.as_mut_slice() {
                            u.attempts += 1;
                            if lost || u.maybe_written {
                                self.metrics.duplicate_risk_resends += 1;
                                u.maybe_written = false;
                            }
                        }
                    }
                }
                Drive::Sent(Transmit {
                    id,
                    request,
                    timeout,
                })
            }
            Err(done) => {
                let slot = self.slots.swap_remove(i);
                // Ended with its request out (its deadline passed).
                self.out_bytes -= slot.out_bytes;
                match (slot.job, done) {
                    (Job::Put(p), Done::Put(r)) => {
                        self.put_done(p, slot.answer_lost, r, now, random)
                    }
                    (Job::List(l), Done::List(r)) => self.list_done(l, r, now),
                    (Job::Summary(_), Done::Summary(r)) => self.summary_done(r, now),
                    _ => unreachable!("a slot's job and its outcome are of one kind"),
                }
                Drive::Removed
            }
        }
    }

    /// Feeds the answer to transmit `id`: any HTTP answer, error statuses
    /// included, with its whole body. `now` and `wall` are the clocks when
    /// it arrived. An id the producer no longer waits for is ignored.
    pub fn handle_response(
        &mut self,
        id: TransmitId,
        response: http::Response<Vec<u8>>,
        now: Instant,
        wall: OffsetDateTime,
    ) {
        let Some(i) = self.slots.iter().position(|s| s.out == Some(id)) else {
            log::debug!(
                "producer: ignored an answer to transmit {} (not waited for)",
                id.0
            );
            return;
        };
        let status = response.status();
        let slot = &mut self.slots[i];
        slot.out = None;
        self.out_bytes -= std::mem::take(&mut slot.out_bytes);
        slot.answer_lost = status.is_server_error();
        match &mut slot.job {
            Job::Put(p) => p.call.handle_response(response, now, wall),
            Job::List(l) => l.call.handle_response(response, now, wall),
            Job::Summary(c) => c.handle_response(response, now, wall),
        }
        if status.is_success() {
            // A 2xx answer ends the call (parsed, or unreadable: final), so
            // this poll draws no backoff and needs no random value.
            if let Drive::Sent(t) = self.drive(i, now, wall, 0.5) {
                self.ready.push_back(t);
            }
        }
    }

    /// Feeds a failure to send transmit `id` or to receive its answer
    /// (running out of its `timeout` is [`TransportErrorKind::Timeout`]).
    /// The batch is sent again as the client's retry settings say; unless
    /// the failure was on connecting, its records may then be written twice
    /// (counted in [`Metrics::duplicate_risk_resends`]).
    pub fn handle_transport_error(&mut self, id: TransmitId, error: TransportError, now: Instant) {
        let Some(i) = self.slots.iter().position(|s| s.out == Some(id)) else {
            log::debug!(
                "producer: ignored a transport error of transmit {} (not waited for)",
                id.0
            );
            return;
        };
        let slot = &mut self.slots[i];
        slot.out = None;
        self.out_bytes -= std::mem::take(&mut slot.out_bytes);
        slot.answer_lost = error.kind != TransportErrorKind::Connect;
        match &mut slot.job {
            Job::Put(p) => p.call.handle_transport_error(error, now),
            Job::List(l) => l.call.handle_transport_error(error, now),
            Job::Summary(c) => c.handle_transport_error(error, now),
        }
    }

    /// Fails every record still without an event.
    fn fail_everything(&mut self, error: Error) {
        let queues = std::mem::take(&mut self.queues);
        self.buffered = 0;
        self.buffered_bytes = 0;
        for (_, q) in queues {
            for item in q.items {
                match item {
                    Item::Plain(p) => self.fail(p.meta, error.clone()),
                    Item::Built(b) => {
                        for u in b.users {
                            self.fail(u, error.clone());
                        }
                    }
                }
            }
        }
        let slots: Vec<Slot> = self.slots.drain(..).collect();
        for slot in slots {
            if let Job::Put(p) = slot.job {
                self.out_bytes -= slot.out_bytes;
                for e in p.entries {
                    for u in e.users {
                        self.fail(u, error.clone());
                    }
                }
            } else {
                self.slots.push(slot);
            }
        }
    }

    fn summary_done(&mut self, result: Result<DescribeStreamSummaryOutput, Error>, now: Instant) {
        match result {
            Ok(out) => {
                let strategy = out.stream_description_summary.record_distribution_strategy;
                if strategy == Some(RecordDistributionStrategy::Auto) {
                    self.refused = Some(UsageError::new(
                        "ProducerConfig.aggregation",
                        format!(
                            "stream {} uses the AUTO record distribution strategy, which spreads \
                             records over shards itself: KPL aggregation cannot work there \
                             (consumers would drop user records outside the shard's hash-key \
                             range); turn aggregation off for this stream",
                            self.stream.as_str()
                        ),
                    ));
                    self.strategy = Strategy::UserKeys;
                    self.map_state = MapState::Off;
                    log::warn!(
                        "producer: refusing stream {}: AUTO record distribution with aggregation",
                        self.stream.as_str()
                    );
                } else {
                    self.strategy = Strategy::UserKeys;
                }
            }
            Err(e) => {
                let class = FailureClass::of_error(&e);
                if class.is_retryable() {
                    log::debug!("producer: DescribeStreamSummary failed ({e}); asking again");
                    self.strategy = Strategy::Ask(Some(now + MAP_REFRESH_INTERVAL));
                    self.setup_error = Some(Box::new(e));
                } else {
                    // Aggregation on a stream whose strategy is unknown could
                    // lose user records on an AUTO stream: refuse, saying why.
                    self.refused = Some(UsageError::new(
                        "ProducerConfig.aggregation",
                        format!(
                            "aggregation needs the stream's record distribution strategy, and \
                             DescribeStreamSummary of {} failed: {e} (it needs the \
                             kinesis:DescribeStreamSummary permission)",
                            self.stream.as_str()
                        ),
                    ));
                    self.strategy = Strategy::UserKeys;
                }
            }
        }
    }

    fn list_done(
        &mut self,
        mut page: ListPage,
        result: Result<ListShardsOutput, Error>,
        now: Instant,
    ) {
        match result {
            Ok(out) => {
                let next = page.call.operation().next_page(&out);
                page.shards.extend(out.shards);
                if let Some(mut op) = next {
                    if let StreamRef::Arn(arn) = &self.stream {
                        op.stream = Some(StreamRef::Arn(arn.clone()));
                    }
                    let call = Call::new(&self.client, op, self.credentials.clone());
                    self.slots.push(Slot {
                        job: Job::List(ListPage {
                            call,
                            shards: page.shards,
                        }),
                        out: None,
                        answer_lost: false,
                        out_bytes: 0,
                    });
                    return;
                }
                self.map = ShardMap::from_shards(&page.shards);
                self.map_state = MapState::Loaded { at: now };
                self.metrics.shard_map_refreshes += 1;
                self.setup_error = None;
                log::debug!("producer: shard map loaded, {} open shards", self.map.len());
                self.rebucket();
            }
            Err(e) => {
                log::debug!("producer: ListShards failed ({e}); trying again");
                self.setup_error = Some(Box::new(e));
                self.map_state = MapState::Load(Some(now + MAP_REFRESH_INTERVAL));
            }
        }
    }

    /// Puts every buffered item in the queue of its predicted shard under
    /// the current map, keeping backoffs, splitting aggregates whose user
    /// records no longer share a shard.
    fn rebucket(&mut self) {
        let predicts = self.predicts();
        let mut all: Vec<Item> = Vec::new();
        for q in self.queues.values_mut() {
            all.extend(q.items.drain(..));
            q.recount();
        }
        self.queues.retain(|_, q| !q.is_idle());
        self.buffered = 0;
        self.buffered_bytes = 0;
        let mut placed: Vec<(ShardKey, Item)> = Vec::with_capacity(all.len());
        for item in all {
            match item {
                Item::Plain(mut p) => {
                    let key = if predicts {
                        self.map.shard_of(p.hash_key()).cloned()
                    } else {
                        None
                    };
                    placed.push((key, Item::Plain(p)));
                }
                Item::Built(b) => {
                    let shard = self.map.shard_of(b.hash_key).cloned();
                    let same = !b.aggregated
                        || b.users.iter().all(|u| {
                            u.hash_key
                                .is_some_and(|h| self.map.shard_of(h) == shard.as_ref())
                        });
                    if same {
                        placed.push((
                            if predicts || shard.is_some() {
                                shard
                            } else {
                                None
                            },
                            Item::Built(b),
                        ));
                    } else {
                        for mut part in split_built(b) {
                            let key = match &mut part {
                                Item::Plain(p) if predicts => {
                                    self.map.shard_of(p.hash_key()).cloned()
                                }
                                Item::Built(b) => self.map.shard_of(b.hash_key).cloned(),
                                Item::Plain(_) => None,
                            };
                            placed.push((key, part));
                        }
                    }
                }
            }
        }
        placed.sort_by_key(|(_, item)| item.first_id());
        for (key, item) in placed {
            self.enqueue_back(key, item);
        }
    }

    /// Whether a queue may give entries now.
    fn sendable(&self, key: &ShardKey, q: &ShardQueue, now: Instant) -> bool {
        if q.items.is_empty() || q.backing_off(now) {
            return false;
        }
        if self.config.ordering == Ordering::PerShard && q.in_flight > 0 {
            return false;
        }
        if key.is_none() && self.predicts() {
            // Waiting for the map (or the strategy) to say where they go.
            return false;
        }
        true
    }

    /// Whether a sendable queue should go now rather than wait for more.
    fn due(&self, q: &ShardQueue, now: Instant) -> bool {
        let Some(front) = q.items.front() else {
            return false;
        };
        if self.closing || front.first_id() < self.flush_until {
            return true;
        }
        if matches!(front, Item::Built(_)) {
            return true; // a retry: it waited its linger already
        }
        front
            .oldest_push()
            .is_some_and(|p| now >= p.checked_add(self.config.linger).unwrap_or(p))
    }

    /// Packs the next PutRecords batch, when one is due.
    fn build_batch(&mut self, now: Instant) -> Option<PutBatch> {
        if self.calls_paused_until.is_some_and(|t| now < t) {
            return None;
        }
        let keys: Vec<ShardKey> = self
            .queues
            .iter()
            .filter(|(k, q)| self.sendable(k, q, now))
            .map(|(k, _)| k.clone())
            .collect();
        if keys.is_empty() {
            return None;
        }
        let ready_users: usize = keys
            .iter()
            .filter_map(|k| self.queues.get(k))
            .map(|q| q.users)
            .sum();
        let ready_bytes: usize = keys
            .iter()
            .filter_map(|k| self.queues.get(k))
            .map(|q| q.bytes)
            .sum();
        let full = ready_bytes >= self.config.max_batch_bytes
            || (self.config.aggregation.is_none() && ready_users >= self.config.max_batch_records);
        let any_due = keys
            .iter()
            .filter_map(|k| self.queues.get(k))
            .any(|q| self.due(q, now));
        if !full && !any_due {
            return None;
        }
        // Round robin: start after the queue the last batch started from.
        let start = match &self.cursor {
            Some(c) => keys.iter().position(|k| k > c).unwrap_or(0),
            None => 0,
        };
        let order: Vec<ShardKey> = keys[start..]
            .iter()
            .chain(keys[..start].iter())
            .cloned()
            .collect();
        self.cursor = order.first().cloned();
        // Shards backing off, for records not yet sorted by shard.
        let diverting = self.map_state_loaded()
            && self
                .queues
                .iter()
                .any(|(k, q)| k.is_some() && q.backing_off(now));

        let mut records: Vec<PutRecordsRequestEntry> = Vec::new();
        let mut entries: Vec<SentEntry> = Vec::new();
        let mut bytes = 0usize;
        let max_entries = self.config.max_batch_records;
        let max_bytes = self.config.max_batch_bytes;
        let per_shard_one = self.config.ordering == Ordering::PerShard;
        let mut diverted: Vec<(ShardKey, Item)> = Vec::new();

        'queues: for key in order {
            let Some(mut q) = self.queues.remove(&key) else {
                continue;
            };
            let mut taken_here = 0usize;
            while entries.len() < max_entries {
                if per_shard_one && taken_here > 0 {
                    break;
                }
                let Some(front) = q.items.front() else { break };
                let front_bytes = match front {
                    Item::Plain(p) => p.meta.size,
                    Item::Built(b) => {
                        b.entry.data.len() + b.entry.partition_key.as_ref().map_or(0, String::len)
                    }
                };
                if bytes + front_bytes > max_bytes {
                    if entries.is_empty() {
                        // Cannot happen: records are checked against the
                        // request limit at push time.
                    }
                    self.queues.insert(key, q);
                    break 'queues;
                }
                let item = q.pop_front().expect("front checked above");
                self.buffered -= item.users();
                self.buffered_bytes -= item.bytes();
                match item {
                    Item::Built(b) => {
                        bytes += front_bytes;
                        records.push(b.entry);
                        entries.push(SentEntry {
                            shard: key.clone(),
                            users: Users::Many(b.users),
                            aggregated: b.aggregated,
                            hash_key: Some(b.hash_key),
                        });
                        taken_here += 1;
                    }
                    Item::Plain(mut p) => {
                        if diverting && key.is_none() {
                            let hash = p.hash_key();
                            if let Some(shard) = self.map.shard_of(hash).cloned() {
                                if self
                                    .queues
                                    .get(&Some(shard.clone()))
                                    .is_some_and(|s| s.backing_off(now))
                                {
                                    diverted.push((Some(shard), Item::Plain(p)));
                                    continue;
                                }
                            }
                        }
                        match self.config.aggregation {
                            Some(limits) => {
                                let mut agg = Aggregator::new(limits);
                                let mut users = vec![p];
                                let first = &users[0];
                                let key_len = first.record.partition_key.len();
                                // The lone record must fit as it is.
                                if agg.add(
                                    &first.record.partition_key,
                                    first.record.explicit_hash_key,
                                    &first.record.data,
                                ) == Add::TooLarge
                                {
                                    let p = users.pop().expect("one record");
                                    bytes += p.meta.size;
                                    let hash = p.meta.hash_key;
                                    records.push(plain_entry(p.record));
                                    entries.push(SentEntry {
                                        shard: key.clone(),
                                        users: Users::One(p.meta),
                                        aggregated: false,
                                        hash_key: hash,
                                    });
                                    taken_here += 1;
                                    continue;
                                }
                                while let Some(Item::Plain(next)) = q.items.front() {
                                    // The exact size only near the request limit: a
                                    // record grows an aggregate by at most its data,
                                    // its key, its explicit hash key in decimal (39)
                                    // and protobuf framing (under 40 bytes).
                                    let bound = agg.size() + next.meta.size + 96;
                                    if bytes + bound + key_len > max_bytes {
                                        let size = agg.size_if_added(
                                            &next.record.partition_key,
                                            next.record.explicit_hash_key,
                                            &next.record.data,
                                        );
                                        if bytes + size + key_len > max_bytes {
                                            break;
                                        }
                                    }
                                    match agg.add(
                                        &next.record.partition_key,
                                        next.record.explicit_hash_key,
                                        &next.record.data,
                                    ) {
                                        Add::Added => {
                                            let Some(Item::Plain(mut next)) = q.pop_front() else {
                                                unreachable!("front checked above")
                                            };
                                            self.buffered -= 1;
                                            self.buffered_bytes -= next.meta.size;
                                            next.hash_key();
                                            users.push(next);
                                        }
                                        Add::Full | Add::TooLarge => break,
                                    }
                                }
                                if users.len() == 1 {
                                    let p = users.pop().expect("one record");
                                    bytes += p.meta.size;
                                    let hash = p.meta.hash_key;
                                    records.push(plain_entry(p.record));
                                    entries.push(SentEntry {
                                        shard: key.clone(),
                                        users: Users::One(p.meta),
                                        aggregated: false,
                                        hash_key: hash,
                                    });
                                } else {
                                    let aggregate = agg.finish().expect("two records or more");
                                    bytes += aggregate.data.len() + aggregate.partition_key.len();
                                    let mut entry = PutRecordsRequestEntry::new(
                                        aggregate.partition_key,
                                        aggregate.data,
                                    );
                                    entry.explicit_hash_key = aggregate.explicit_hash_key;
                                    records.push(entry);
                                    entries.push(SentEntry {
                                        shard: key.clone(),
                                        users: Users::Many(
                                            users.into_iter().map(|p| p.meta).collect(),
                                        ),
                                        aggregated: true,
                                        hash_key: Some(aggregate.hash_key),
                                    });
                                }
                                taken_here += 1;
                            }
                            None => {
                                bytes += p.meta.size;
                                let hash = p.meta.hash_key;
                                records.push(plain_entry(p.record));
                                entries.push(SentEntry {
                                    shard: key.clone(),
                                    users: Users::One(p.meta),
                                    aggregated: false,
                                    hash_key: hash,
                                });
                                taken_here += 1;
                            }
                        }
                    }
                }
            }
            if taken_here > 0 {
                q.in_flight += taken_here;
            }
            self.queues.insert(key, q);
            if entries.len() >= max_entries {
                break;
            }
        }
        for (key, item) in diverted {
            self.enqueue_back(key, item);
        }
        self.queues.retain(|_, q| !q.is_idle());
        if records.is_empty() {
            return None;
        }
        let deadline = entries
            .iter()
            .flat_map(|e| e.users.iter())
            .map(|u| u.expires(self.config.record_ttl))
            .min()
            .unwrap_or(now);
        let op = PutRecords::new(self.stream.clone(), records);
        let call = Call::new(&self.client, op, self.credentials.clone()).with_deadline(deadline);
        Some(PutBatch { call, entries })
    }

    /// Reads a finished PutRecords call: delivers, requeues, fails.
    fn put_done(
        &mut self,
        batch: PutBatch,
        lost: bool,
        result: Result<PutRecordsOutput, Error>,
        now: Instant,
        random: f64,
    ) {
        let PutBatch { call, entries } = batch;
        for e in &entries {
            if let Some(q) = self.queues.get_mut(&e.shard) {
                q.in_flight = q.in_flight.saturating_sub(1);
            }
        }
        let op = call.operation();
        match result {
            Ok(output) => {
                self.failed_calls = 0;
                let mut requeue: Vec<(ShardKey, Item)> = Vec::new();
                // The shards this answer throttled, and those it took
                // entries for: one throttled answer counts once per shard.
                let mut throttled: BTreeSet<ShardKey> = BTreeSet::new();
                let mut took: BTreeSet<ShardKey> = BTreeSet::new();
                for (i, (entry, sent)) in entries.into_iter().zip(op.records.iter()).enumerate() {
                    match output.records.get(i) {
                        Some(PutRecordsResultEntry::Success {
                            shard_id,
                            sequence_number,
                        }) => {
                            took.insert(Some(Arc::from(shard_id.as_str())));
                            took.insert(entry.shard.clone());
                            self.entry_delivered(
                                entry,
                                sent,
                                shard_id,
                                sequence_number,
                                &mut requeue,
                            );
                        }
                        Some(PutRecordsResultEntry::Failure {
                            error_code,
                            error_message,
                        }) => {
                            let error = Error::Service(ServiceError {
                                code: error_code.clone(),
                                message: error_message.clone(),
                                status: http::StatusCode::OK,
                                request_id: None,
                            });
                            if let Some(key) =
                                self.entry_failed(entry, sent, error, now, &mut requeue)
                            {
                                throttled.insert(key);
                            }
                        }
                        // `Expect` checks one result per entry; an answer
                        // short of entries is not read as a success.
                        _ => {
                            let error = Error::Response(crate::error::ResponseError {
                                status: http::StatusCode::OK,
                                reason: "no result entry for this record".into(),
                                request_id: None,
                            });
                            if let Some(key) =
                                self.entry_failed(entry, sent, error, now, &mut requeue)
                            {
                                throttled.insert(key);
                            }
                        }
                    }
                }
                for key in &took {
                    if !throttled.contains(key) {
                        if let Some(q) = self.queues.get_mut(key) {
                            q.throttles = 0;
                        }
                    }
                }
                for key in throttled {
                    let q = self.queues.entry(key.clone()).or_default();
                    // Some of its entries went through: it is at its
                    // limit, not over it for long.
                    q.throttles = if took.contains(&key) {
                        1
                    } else {
                        q.throttles.saturating_add(1)
                    };
                    if q.throttled_at.is_none() && q.backoff_until.is_none_or(|t| t <= now) {
                        q.throttled_at = Some(now);
                    }
                }
                for (key, item) in requeue.into_iter().rev() {
                    self.enqueue_front(key, item);
                }
            }
            Err(error) => {
                let class = FailureClass::of_error(&error);
                if class.is_retryable() {
                    // The engine gave up on this call (attempts or retry
                    // quota spent): pause new calls before sending again.
                    self.failed_calls = self.failed_calls.saturating_add(1);
                    let delay = self.retry.backoff(class, self.failed_calls, random);
                    self.calls_paused_until = Some(now.checked_add(delay).unwrap_or(now));
                    log::debug!(
                        "producer: PutRecords call failed ({error}); pausing new calls {delay:?}"
                    );
                    let mut requeue = Vec::new();
                    for (entry, sent) in entries.into_iter().zip(op.records.iter()) {
                        let mut users = entry.users.into_vec();
                        for u in &mut users {
                            u.last_error = Some(Box::new(error.clone()));
                            u.maybe_written |= lost;
                        }
                        self.metrics.records_retried += users.len() as u64;
                        requeue.push((
                            entry.shard,
                            Item::Built(Built::new(
                                sent.clone(),
                                users,
                                entry.aggregated,
                                entry.hash_key.unwrap_or_else(|| entry_hash(sent)),
                            )),
                        ));
                    }
                    for (key, item) in requeue.into_iter().rev() {
                        self.enqueue_front(key, item);
                    }
                    // Those past their time to live fail now.
                    self.handle_timeout(now);
                } else {
                    for entry in entries {
                        for u in entry.users {
                            self.fail(u, error.clone());
                        }
                    }
                }
            }
        }
    }

    fn entry_delivered(
        &mut self,
        entry: SentEntry,
        sent: &PutRecordsRequestEntry,
        shard_id: &str,
        sequence: &str,
        requeue: &mut Vec<(ShardKey, Item)>,
    ) {
        let wrong = entry.shard.as_deref().is_some_and(|p| p != shard_id);
        if wrong || (entry.shard.is_none() && self.predicts() && self.map_state_loaded()) {
            log::debug!(
                "producer: a record landed on {shard_id}, not on the predicted {:?}; reloading the shard map",
                entry.shard
            );
            self.map_stale = true;
        }
        if !entry.aggregated {
            for u in entry.users.iter() {
                self.deliver(u, shard_id, sequence, None);
            }
            return;
        }
        if !wrong {
            for (i, u) in entry.users.iter().enumerate() {
                self.deliver(u, shard_id, sequence, Some(i as u64));
            }
            return;
        }
        // An aggregate on another shard than predicted: the KCL drops the
        // user records outside that shard's range, so those go again (as
        // the KPL does). The first one set the shard: it is in range.
        let range = self.map.range_of(shard_id);
        let records = kpl::deaggregate(sent.partition_key.as_deref().unwrap_or(""), &sent.data);
        for (i, mut u) in entry.users.into_iter().enumerate() {
            let in_range = i == 0
                || match (range, u.hash_key) {
                    (Some((lo, hi)), Some(h)) => lo <= h && h <= hi,
                    _ => false,
                };
            match records.get(i) {
                Some(r) if !in_range => {
                    u.maybe_written = true;
                    self.metrics.records_retried += 1;
                    requeue.push((
                        None,
                        Item::Plain(Plain {
                            meta: u,
                            record: user_record(r),
                        }),
                    ));
                }
                // In range, or (it cannot happen: the aggregate was built
                // here) not unpackable: it is in the stream either way.
                _ => self.deliver(&u, shard_id, sequence, Some(i as u64)),
            }
        }
    }

    /// Fails or requeues one entry the answer reported failed; returns
    /// the shard to back off when it was throttled and goes again.
    fn entry_failed(
        &mut self,
        entry: SentEntry,
        sent: &PutRecordsRequestEntry,
        error: Error,
        now: Instant,
        requeue: &mut Vec<(ShardKey, Item)>,
    ) -> Option<ShardKey> {
        let throttled = error.code() == Some(&ErrorCode::ProvisionedThroughputExceeded);
        let retryable = error.code().is_some_and(ErrorCode::is_retryable)
            || matches!(error, Error::Response(_));
        let users = entry.users.into_vec();
        if throttled {
            self.metrics.records_throttled += 1;
        }
        let expired = users
            .iter()
            .any(|u| now >= u.expires(self.config.record_ttl));
        if !retryable || (throttled && !self.config.retry_throttled) || expired && users.len() == 1
        {
            for u in users {
                self.fail(u, error.clone());
            }
            return None;
        }
        let hash = entry.hash_key.unwrap_or_else(|| entry_hash(sent));
        // The shard to back off: the predicted one, else the map's guess.
        let key = match entry.shard {
            Some(k) => Some(k),
            None => self.map.shard_of(hash).cloned(),
        };
        let mut users = users;
        for u in &mut users {
            u.last_error = Some(Box::new(error.clone()));
        }
        self.metrics.records_retried += users.len() as u64;
        requeue.push((
            key.clone(),
            Item::Built(Built::new(sent.clone(), users, entry.aggregated, hash)),
        ));
        throttled.then_some(key)
    }
}

/// How long a shard throttled `throttles` answers in a row waits:
/// `throttle_backoff` doubled per answer after the first, capped at
/// `max_throttle_backoff`, jittered between half and all of it.
fn throttle_delay(config: &ProducerConfig, throttles: u32, random: f64) -> Duration {
    let random = if random.is_nan() {
        0.0
    } else {
        random.clamp(0.0, 1.0)
    };
    let exponent = throttles.saturating_sub(1).min(30);
    let full = config
        .throttle_backoff
        .saturating_mul(1 << exponent)
        .min(config.max_throttle_backoff);
    full.mul_f64(0.5 + random / 2.0)
}

/// What polling a slot did. (Short-lived, moved once: its size does not
/// matter.)
#[allow(clippy::large_enum_variant)]
enum Drive {
    Sent(Transmit),
    Waiting,
    Removed,
}

/// A finished call's result. (Short-lived, moved once.)
#[allow(clippy::large_enum_variant)]
enum Done {
    Put(Result<PutRecordsOutput, Error>),
    List(Result<ListShardsOutput, Error>),
    Summary(Result<DescribeStreamSummaryOutput, Error>),
}

fn plain_entry(record: Record) -> PutRecordsRequestEntry {
    let mut entry = PutRecordsRequestEntry::new(record.partition_key, record.data);
    entry.explicit_hash_key = record.explicit_hash_key;
    entry
}

fn entry_hash(entry: &PutRecordsRequestEntry) -> u128 {
    entry
        .explicit_hash_key
        .unwrap_or_else(|| kpl::hash_key_of(entry.partition_key.as_deref().unwrap_or("")))
}

/// A built entry back as items: a plain entry as its one record, an
/// aggregate as its user records (unpacked from the bytes sent). An
/// aggregate that does not unpack to its users (it cannot happen: it was
/// built here) stays whole.
fn split_built(b: Built) -> Vec<Item> {
    if !b.aggregated {
        let mut users = b.users;
        let (Some(meta), true) = (users.pop(), users.is_empty()) else {
            unreachable!("a plain entry carries one user record")
        };
        let mut record = Record::new(b.entry.partition_key.unwrap_or_default(), b.entry.data);
        record.explicit_hash_key = b.entry.explicit_hash_key;
        return vec![Item::Plain(Plain { meta, record })];
    }
    let unpacked: Vec<Record> = {
        let records = kpl::deaggregate(
            b.entry.partition_key.as_deref().unwrap_or(""),
            &b.entry.data,
        );
        records.iter().map(user_record).collect()
    };
    if unpacked.len() != b.users.len() {
        log::error!("producer bug: an aggregate did not unpack to its user records");
        return vec![Item::Built(b)];
    }
    b.users
        .into_iter()
        .zip(unpacked)
        .map(|(meta, record)| Item::Plain(Plain { meta, record }))
        .collect()
}

/// A user record unpacked from an aggregate, as a record to send.
fn user_record(r: kpl::UserRecord<'_>) -> Record {
    let mut record = Record::new(r.partition_key, r.data.to_vec());
    record.explicit_hash_key = r.explicit_hash_key.and_then(|h| h.parse().ok());
    record
}
