//! Reading a whole stream — every shard, across resharding, expired
//! iterators and restarts — as a state machine a transport drives.
//!
//! A [`Consumer`] discovers the stream's shards with ListShards, builds the
//! shard tree (parents, both parents of a merge, children) and reads each
//! shard with GetShardIterator and GetRecords, a child only after every
//! parent was read to its end. It unpacks aggregated records into their
//! user records, and hands out [`Event`]s: batches of user records, each
//! with the [`Checkpoint`] to store once they are processed, a shard's
//! end, a reader catching up, a gap left by the retention period, a
//! failure that persists. Started again from stored [`Checkpoints`], it
//! delivers nothing at or before them and skips nothing after them.
//!
//! Every request is a [`Call`](crate::call::Call) inside the consumer, so
//! signing, retries and time limits are the engine's; the consumer adds
//! what spans calls: positions, pacing (at most 5 GetRecords per second per
//! shard, an idle delay when caught up), a per-shard backoff when the
//! engine's retries were not enough, new iterators when one expires, and a
//! bounded prefetch: a shard with [`ConsumerConfig::prefetch`] batches
//! waiting for the user is not read further, so a slow user slows reading
//! instead of growing memory.
//!
//! ```text
//!   ┌──────────► poll_transmit(now, wall, random) ──► Some(Transmit { id, request, timeout })
//!   │                     │ None                       send it; then handle_response(id, answer, now, wall)
//!   │                     ▼                            or handle_transport_error(id, error, now)
//!   │              poll_event() ──► Some(Event): process it; store its checkpoint,
//!   │                     │ None                   then handle_checkpoint(shard, checkpoint)
//!   │                     ▼
//!   └──── sleep until poll_timeout() (or an answer arrives)
//! ```
//!
//! # Driver contract
//! - Poll [`Consumer::poll_transmit`] until it says `None`: each
//!   [`Transmit`] is one request, sent within its `timeout`; its answer goes
//!   back with its [`RequestId`] (any number may be out at once; answers in
//!   any order). Answers are handled at the next `poll_transmit`, so poll
//!   it after feeding them, then take the events with
//!   [`Consumer::poll_event`].
//! - When neither has anything, wait until [`Consumer::poll_timeout`]
//!   (`None`: until an answer comes or an event is taken).
//! - Taking an event frees its shard's prefetch room. With
//!   [`ConsumerConfig::children_after_checkpoint`] a shard's children wait
//!   until [`Consumer::handle_checkpoint`] reports its `ShardEnd` stored, so
//!   no child's checkpoint can be stored before its parent's end (what makes
//!   a restart exact).
//!
//! # Positions
//! A shard with a stored checkpoint `After(seq, sub)` is read from
//! AT_SEQUENCE_NUMBER `seq`, skipping user records at or before the
//! checkpoint; one with `ShardEnd`, and every ancestor of a shard with a
//! checkpoint, is not read. A shard without one is read from
//! TRIM_HORIZON if it follows a shard that was read, else from the start
//! position ([`StartPosition`]). With `Latest`, shards already closed when
//! the consumer starts are not read. An expired iterator is replaced by
//! one at the last delivered record (AT_SEQUENCE_NUMBER, skipping it —
//! the same as AFTER_SEQUENCE_NUMBER, but it shows whether that record is
//! still there): if the first record then is later, the records in
//! between were trimmed and [`Event::Trimmed`] says so. Before any record
//! was delivered, a new iterator starts where the first did.
//!
//! # In virtual time
//! ```
//! use std::time::{Duration, Instant};
//! use kinesis_proto::consumer::{Consumer, ConsumerConfig, Event, StartPosition};
//! use kinesis_proto::{Client, Config, Credentials};
//!
//! fn answer(body: &str) -> http::Response<Vec<u8>> {
//!     http::Response::builder().status(200).body(body.as_bytes().to_vec()).unwrap()
//! }
//! let client = Client::new(Config::new("us-east-1"));
//! let config = ConsumerConfig::new("my-stream").with_start(StartPosition::TrimHorizon);
//! let mut consumer = Consumer::new(&client, Credentials::new("AKID", "SECRET", None), config);
//! let (mut now, wall) = (Instant::now(), time::OffsetDateTime::UNIX_EPOCH);
//!
//! // A one-shard stream, closed, holding one record ("aGk=" is "hi").
//! const LISTING: &str = r#"{"Shards":[{"ShardId":"shardId-000000000000",
//!     "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},
//!     "SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"9"}}]}"#;
//! let mut script = vec![
//!     LISTING,
//!     r#"{"ShardIterator":"it-1"}"#,
//!     r#"{"Records":[{"SequenceNumber":"5","Data":"aGk=","PartitionKey":"k"}],
//!        "MillisBehindLatest":0,"ChildShards":[]}"#,
//! ].into_iter();
//! let mut events = Vec::new();
//! for _ in 0..10 {
//!     while let Some(transmit) = consumer.poll_transmit(now, wall, 0.5) {
//!         // No children named at the end: the consumer lists the shards again.
//!         let body = script.next().unwrap_or(LISTING);
//!         consumer.handle_response(transmit.id, answer(body), now, wall);
//!     }
//!     while let Some(event) = consumer.poll_event() {
//!         events.push(event);
//!     }
//!     match consumer.poll_timeout() {
//!         Some(at) => now = now.max(at), // a real driver sleeps here
//!         None => break,
//!     }
//! }
//! let Event::Records(batch) = &events[0] else { panic!("{events:?}") };
//! assert_eq!(&batch.records[0].data[..], b"hi");
//! assert_eq!(batch.checkpoint, kinesis_proto::consumer::Checkpoint::after("5", 0));
//! assert!(matches!(&events[1], Event::CaughtUp { .. }));
//! assert!(matches!(&events[2], Event::ShardEnded { children, .. } if children.is_empty()));
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::client::Client;
use crate::credentials::CredentialsSource;
use crate::ops::{ChildShard, Shard, ShardFilter, ShardIteratorType, StreamRef};
use crate::TransportError;

mod checkpoint;
mod discovery;
mod event;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzz;
mod page;
mod reader;
mod store;
mod tree;

#[cfg(test)]
mod sim;
#[cfg(test)]
mod tests;

pub use checkpoint::{compare_sequence_numbers, Checkpoint, Checkpoints};
pub use event::{Batch, Event};
pub use page::{ConsumedRecord, Next, Page};
pub use store::{CheckpointFile, SharedCheckpoints};

use discovery::Discovery;
use reader::Reader;
use tree::{Status, Tree};

/// Where a consumer starts reading shards that have no checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartPosition {
    /// The oldest record of every shard still in the retention period.
    TrimHorizon,
    /// Only records written from now on.
    Latest,
    /// Records that arrived at or after this time.
    AtTimestamp(OffsetDateTime),
}

impl StartPosition {
    fn iterator_type(&self) -> ShardIteratorType {
        match self {
            StartPosition::TrimHorizon => ShardIteratorType::TrimHorizon,
            StartPosition::Latest => ShardIteratorType::Latest,
            StartPosition::AtTimestamp(t) => ShardIteratorType::AtTimestamp(*t),
        }
    }
}

/// What a [`Consumer`] reads and how.
///
/// ```
/// use std::time::Duration;
/// use kinesis_proto::consumer::{Checkpoints, ConsumerConfig, StartPosition};
/// let config = ConsumerConfig::new("my-stream")
///     .with_start(StartPosition::Latest)
///     .with_checkpoints(Checkpoints::new())
///     .with_idle_delay(Duration::from_millis(500));
/// assert_eq!(config.prefetch, 1);
/// assert_eq!(config.min_get_records_interval, Duration::from_millis(200));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConsumerConfig {
    /// The stream, by name or ARN.
    pub stream: StreamRef,
    /// Where shards without a checkpoint start.
    pub start: StartPosition,
    /// Stored checkpoints to resume from.
    pub checkpoints: Checkpoints,
    /// GetRecords `Limit` (the service's default, 10000, when `None`).
    pub records_per_call: Option<u32>,
    /// The shortest time between two GetRecords on one shard (200 ms: the
    /// service allows 5 per second).
    pub min_get_records_interval: Duration,
    /// The pause after an empty page at the tip of a shard (1 s).
    pub idle_delay: Duration,
    /// Batches a shard may have waiting for the user before it is read
    /// further (1).
    pub prefetch: usize,
    /// The first pause after a failed call (500 ms); it doubles with each
    /// failure in a row up to `max_backoff`, with jitter.
    pub backoff: Duration,
    /// The longest pause after failures (30 s).
    pub max_backoff: Duration,
    /// How often shards are listed again to see resharding (60 s).
    pub rediscover_interval: Duration,
    /// Whether a shard's children wait for its `ShardEnd` checkpoint to be
    /// reported stored ([`Consumer::handle_checkpoint`]); on when
    /// checkpoints are stored.
    pub children_after_checkpoint: bool,
}

impl ConsumerConfig {
    /// Reads `stream` from TRIM_HORIZON with the defaults.
    pub fn new(stream: impl Into<StreamRef>) -> Self {
        ConsumerConfig {
            stream: stream.into(),
            start: StartPosition::TrimHorizon,
            checkpoints: Checkpoints::new(),
            records_per_call: None,
            min_get_records_interval: Duration::from_millis(200),
            idle_delay: Duration::from_secs(1),
            prefetch: 1,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            rediscover_interval: Duration::from_secs(60),
            children_after_checkpoint: false,
        }
    }
    /// Starts shards without a checkpoint at `start`.
    pub fn with_start(mut self, start: StartPosition) -> Self {
        self.start = start;
        self
    }
    /// Resumes from `checkpoints`.
    pub fn with_checkpoints(mut self, checkpoints: Checkpoints) -> Self {
        self.checkpoints = checkpoints;
        self
    }
    /// Sets GetRecords' `Limit`.
    pub fn with_records_per_call(mut self, limit: u32) -> Self {
        self.records_per_call = Some(limit);
        self
    }
    /// Sets the pause after an empty page at the tip.
    pub fn with_idle_delay(mut self, delay: Duration) -> Self {
        self.idle_delay = delay;
        self
    }
    /// Sets the shortest time between two GetRecords on one shard.
    pub fn with_min_get_records_interval(mut self, interval: Duration) -> Self {
        self.min_get_records_interval = interval;
        self
    }
    /// Sets how many batches a shard may have waiting (at least 1).
    pub fn with_prefetch(mut self, batches: usize) -> Self {
        self.prefetch = batches.max(1);
        self
    }
    /// Sets the first and the longest pause after failures.
    pub fn with_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.backoff = first;
        self.max_backoff = max.max(first);
        self
    }
    /// Sets how often shards are listed again.
    pub fn with_rediscover_interval(mut self, interval: Duration) -> Self {
        self.rediscover_interval = interval;
        self
    }
    /// Makes children wait for their parents' `ShardEnd` checkpoints.
    pub fn with_children_after_checkpoint(mut self, on: bool) -> Self {
        self.children_after_checkpoint = on;
        self
    }
    /// Resumes from what a checkpoint store holds (`stored`), and makes
    /// children wait for their parents' stored ends, so a restart is exact:
    /// what both drivers' `Consumer::with_store` run with.
    ///
    /// ```
    /// use kinesis_proto::consumer::{Checkpoint, Checkpoints, ConsumerConfig};
    /// let mut stored = Checkpoints::new();
    /// stored.set("shardId-000000000000", Checkpoint::ShardEnd);
    /// let config = ConsumerConfig::new("my-stream").resuming_from(stored.clone());
    /// assert_eq!(config.checkpoints, stored);
    /// assert!(config.children_after_checkpoint);
    /// ```
    pub fn resuming_from(self, stored: Checkpoints) -> Self {
        self.with_checkpoints(stored)
            .with_children_after_checkpoint(true)
    }

    /// The pause after `failures` failures in a row, for a random value
    /// in [0, 1): between half and all of `backoff × 2ⁿ⁻¹`, capped.
    fn backoff(&self, failures: u32, random: f64) -> Duration {
        let doublings = failures.saturating_sub(1).min(20);
        let full = self
            .backoff
            .checked_mul(1 << doublings)
            .map_or(self.max_backoff, |d| d.min(self.max_backoff));
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        full.mul_f64(0.5 + random / 2.0)
    }
}

/// Names one request a [`Consumer`] sent, to feed its answer back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u64);

/// A request to send.
#[derive(Debug)]
#[must_use]
#[non_exhaustive]
pub struct Transmit {
    /// Give it back with the answer.
    pub id: RequestId,
    /// The signed request, ready to send.
    pub request: http::Request<Vec<u8>>,
    /// How long the exchange may take.
    pub timeout: Option<Duration>,
}

/// When a part of the consumer wants to be polled.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wake {
    Now,
    At(Instant),
    Never,
}

impl Wake {
    fn from_call(at: Option<Instant>) -> Wake {
        at.map_or(Wake::Never, Wake::At)
    }
}

/// What the parts of the consumer share while one of them is polled.
pub(crate) struct Context<'a> {
    client: &'a Client,
    credentials: &'a Arc<dyn CredentialsSource>,
    stream: &'a StreamRef,
    config: &'a ConsumerConfig,
    next_id: &'a mut u64,
}

impl Context<'_> {
    fn next_id(&mut self) -> RequestId {
        *self.next_id += 1;
        RequestId(*self.next_id)
    }
}

/// Reads every shard of a stream; see the [module docs](self).
///
/// `'static + Send`: it owns its calls, so it can live in any event loop.
pub struct Consumer {
    client: Client,
    credentials: Arc<dyn CredentialsSource>,
    config: ConsumerConfig,
    tree: Tree,
    readers: BTreeMap<String, Reader>,
    discovery: Discovery,
    events: VecDeque<Event>,
    next_id: u64,
    /// Shards that ended with no children named, waiting for a listing.
    orphans: Vec<String>,
    /// The latest `now` seen (what "due now" means to `poll_timeout`).
    last_now: Option<Instant>,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("stream", &self.config.stream)
            .field("shards", &self.tree.iter().count())
            .field("reading", &self.readers.len())
            .field("events", &self.events.len())
            .field(
                "status",
                &self
                    .tree
                    .iter()
                    .map(|(id, n)| (id, n.status))
                    .collect::<Vec<_>>(),
            )
            .field("readers", &self.readers.values().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Consumer {
    /// A consumer of `config.stream` through `client` (a clone is kept),
    /// signing with what `credentials` hands out. Nothing is sent before
    /// the first [`Consumer::poll_transmit`].
    pub fn new(
        client: &Client,
        credentials: impl Into<Arc<dyn CredentialsSource>>,
        config: ConsumerConfig,
    ) -> Self {
        // A filter that leaves out shards the start position will not
        // read anyway; with checkpoints, every shard is needed.
        let filter = if config.checkpoints.is_empty() {
            match &config.start {
                StartPosition::Latest => Some(ShardFilter::AtLatest),
                StartPosition::AtTimestamp(t) => Some(ShardFilter::FromTimestamp(*t)),
                StartPosition::TrimHorizon => None,
            }
        } else {
            None
        };
        Consumer {
            client: client.clone(),
            credentials: credentials.into(),
            config,
            tree: Tree::default(),
            readers: BTreeMap::new(),
            discovery: Discovery::new(filter),
            events: VecDeque::new(),
            next_id: 0,
            orphans: Vec::new(),
            last_now: None,
        }
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &ConsumerConfig {
        &self.config
    }

    /// The next request to send, after handling the answers fed since the
    /// last poll. `now` schedules, `wall` signs, `random` in [0, 1)
    /// jitters backoffs.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        wall: OffsetDateTime,
        random: f64,
    ) -> Option<Transmit> {
        self.last_now = Some(self.last_now.map_or(now, |t| t.max(now)));
        loop {
            let mut ctx = Context {
                client: &self.client,
                credentials: &self.credentials,
                stream: &self.config.stream,
                config: &self.config,
                next_id: &mut self.next_id,
            };
            let mut listed = None;
            let sent =
                self.discovery
                    .poll(&mut ctx, now, wall, random, &mut self.events, &mut listed);
            if let Some(shards) = listed {
                self.apply_listing(shards);
            }
            if sent.is_some() {
                return sent;
            }
            let mut ctx = Context {
                client: &self.client,
                credentials: &self.credentials,
                stream: &self.config.stream,
                config: &self.config,
                next_id: &mut self.next_id,
            };
            let mut sent = None;
            let mut ended = Vec::new();
            for reader in self.readers.values_mut() {
                let was_ended = reader.ended.is_some();
                sent = reader.poll(&mut ctx, now, wall, random, &mut self.events);
                if !was_ended && reader.ended.is_some() {
                    ended.push(reader.shard_id.clone());
                }
                if sent.is_some() {
                    break;
                }
            }
            let changed = !ended.is_empty();
            for shard_id in ended {
                self.shard_ended(&shard_id);
            }
            if sent.is_some() {
                return sent;
            }
            if !(changed | self.start_ready()) {
                return None;
            }
        }
    }

    /// Feeds the answer to the request `id`.
    pub fn handle_response<B: Into<Vec<u8>>>(
        &mut self,
        id: RequestId,
        response: http::Response<B>,
        now: Instant,
        wall: OffsetDateTime,
    ) {
        let response = response.map(Into::into);
        if self.discovery.owns(id) {
            self.discovery.handle_response(response, now, wall);
        } else if let Some(reader) = self.readers.values_mut().find(|r| r.owns(id)) {
            reader.handle_response(response, now, wall);
        } else {
            log::warn!("consumer: ignored an answer to request {id:?}, not out");
        }
    }

    /// Feeds a failure to send the request `id` or to receive its answer.
    pub fn handle_transport_error(&mut self, id: RequestId, error: TransportError, now: Instant) {
        if self.discovery.owns(id) {
            self.discovery.handle_transport_error(error, now);
        } else if let Some(reader) = self.readers.values_mut().find(|r| r.owns(id)) {
            reader.handle_transport_error(error, now);
        } else {
            log::warn!("consumer: ignored a transport error of request {id:?}, not out");
        }
    }

    /// The next event for the user. Taking a batch frees room in its
    /// shard's prefetch.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front()?;
        if let Event::Records(batch) = &event {
            if let Some(reader) = self.readers.get_mut(&batch.shard_id) {
                reader.queued = reader.queued.saturating_sub(1);
            }
        }
        Some(event)
    }

    /// Reports that `checkpoint` was stored for `shard_id`. A stored
    /// `ShardEnd` lets the shard's children be read (with
    /// [`ConsumerConfig::children_after_checkpoint`]).
    pub fn handle_checkpoint(&mut self, shard_id: &str, checkpoint: &Checkpoint) {
        self.config.checkpoints.set(shard_id, checkpoint.clone());
        if checkpoint.is_shard_end() && self.tree.status(shard_id) == Some(Status::Ended) {
            self.tree.set_status(shard_id, Status::Done);
            self.readers.remove(shard_id);
        }
    }

    /// When to poll again (`None`: when an answer comes or an event is
    /// taken). An instant in the past means at once.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut earliest: Option<Instant> = None;
        let mut due_now = false;
        let wakes = std::iter::once(self.discovery.poll_timeout()).chain(
            self.readers
                .values()
                .map(|r| r.poll_timeout(self.config.prefetch)),
        );
        for wake in wakes {
            match wake {
                Wake::Now => due_now = true,
                Wake::At(at) => earliest = Some(earliest.map_or(at, |e| e.min(at))),
                Wake::Never => {}
            }
        }
        if due_now {
            if let Some(now) = self.last_now {
                return Some(earliest.map_or(now, |e| e.min(now)));
            }
        }
        earliest
    }

    /// The checkpoints known: those it started from, updated by
    /// [`Consumer::handle_checkpoint`].
    pub fn checkpoints(&self) -> &Checkpoints {
        &self.config.checkpoints
    }

    /// Shards known, and how many are being read.
    pub fn shard_counts(&self) -> (usize, usize) {
        (self.tree.iter().count(), self.readers.len())
    }

    /// Merges a complete ListShards listing into the tree.
    fn apply_listing(&mut self, shards: Vec<Shard>) {
        let first = self.discovery.listings == 1;
        if first {
            self.first_listing(shards);
        } else {
            for shard in shards {
                let parents: Vec<String> = shard.parents().map(str::to_owned).collect();
                if !self.tree.contains(&shard.shard_id)
                    && parents.iter().any(|p| self.tree.contains(p))
                {
                    self.add_later(&shard.shard_id, parents);
                }
            }
        }
        // Shards that ended without naming children learn them now.
        for shard_id in std::mem::take(&mut self.orphans) {
            let children = self.tree.children(&shard_id);
            self.report_end(&shard_id, children);
        }
    }

    fn first_listing(&mut self, shards: Vec<Shard>) {
        for shard in &shards {
            let parents = shard.parents().map(str::to_owned).collect();
            self.tree.add(&shard.shard_id, parents, Status::Waiting);
        }
        // Shards with a checkpoint, and every ancestor of one, are settled.
        let checkpoints = self.config.checkpoints.clone();
        for shard in &shards {
            if let Some(cp) = checkpoints.get(&shard.shard_id) {
                self.tree.ancestors_done(&shard.shard_id);
                if cp.is_shard_end() {
                    self.tree.set_status(&shard.shard_id, Status::Done);
                }
            }
        }
        if self.config.start == StartPosition::Latest {
            for shard in &shards {
                if !shard.is_open()
                    && checkpoints.get(&shard.shard_id).is_none()
                    && self.tree.status(&shard.shard_id) == Some(Status::Waiting)
                {
                    self.tree.set_status(&shard.shard_id, Status::NotRead);
                }
            }
        }
    }

    /// A shard first seen after the first listing (a child of one known).
    fn add_later(&mut self, shard_id: &str, parents: Vec<String>) {
        let status = match self.config.checkpoints.get(shard_id) {
            Some(Checkpoint::ShardEnd) => Status::Done,
            _ => Status::Waiting,
        };
        self.tree.add(shard_id, parents, status);
    }

    /// Starts readers for shards whose parents are done; whether any was.
    fn start_ready(&mut self) -> bool {
        let ready = self.tree.ready();
        let any = !ready.is_empty();
        for shard_id in ready {
            let parents = self
                .tree
                .get(&shard_id)
                .map(|n| n.parents.clone())
                .unwrap_or_default();
            let resume = self.config.checkpoints.get(&shard_id).cloned();
            let origin = if self.tree.follows_a_read_parent(&parents) {
                ShardIteratorType::TrimHorizon
            } else {
                self.config.start.iterator_type()
            };
            log::debug!(
                "consumer: reading {shard_id} from {}",
                match &resume {
                    Some(_) => "its checkpoint",
                    None => origin.as_str(),
                }
            );
            self.tree.set_status(&shard_id, Status::Reading);
            self.readers
                .insert(shard_id.clone(), Reader::new(shard_id, origin, resume));
        }
        any
    }

    /// A reader reached its shard's end.
    fn shard_ended(&mut self, shard_id: &str) {
        let children: Vec<ChildShard> = self
            .readers
            .get_mut(shard_id)
            .and_then(|r| r.ended.clone())
            .unwrap_or_default();
        self.tree.set_status(shard_id, Status::Ended);
        for child in &children {
            if !self.tree.contains(&child.shard_id) {
                let mut parents = child.parent_shards.clone();
                if !parents.iter().any(|p| p == shard_id) {
                    parents.push(shard_id.to_owned());
                }
                self.add_later(&child.shard_id, parents);
            }
        }
        let mut known = self.tree.children(shard_id);
        for child in &children {
            if !known.contains(&child.shard_id) {
                known.push(child.shard_id.clone());
            }
        }
        if known.is_empty() {
            // The server named no children: a listing will (or show none).
            self.orphans.push(shard_id.to_owned());
            self.discovery.soon();
        } else {
            self.report_end(shard_id, known);
        }
    }

    fn report_end(&mut self, shard_id: &str, children: Vec<String>) {
        self.events.push_back(Event::ShardEnded {
            shard_id: shard_id.to_owned(),
            children,
            checkpoint: Checkpoint::ShardEnd,
        });
        if !self.config.children_after_checkpoint {
            self.tree.set_status(shard_id, Status::Done);
        }
        // The reader is kept until its batches are taken (for prefetch
        // bookkeeping); an ended reader sends nothing.
    }
}
