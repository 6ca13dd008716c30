//! One shard read over enhanced fan-out, across as many SubscribeToShard
//! calls as it takes.
//!
//! The service ends a subscription after at most five minutes; the reader
//! then subscribes again `AFTER_SEQUENCE_NUMBER` of the last
//! `ContinuationSequenceNumber` it delivered, so nothing is skipped or read
//! twice. A broken stream (transport failure, corrupt frame, retryable
//! service error) resubscribes the same way after a short backoff;
//! `ResourceInUseException` (the previous subscription is still alive on
//! the service's side, or the last call was under five seconds ago) backs
//! off longer. When the shard is closed and read to its end, the machine
//! reports its children and stops.
//!
//! ```text
//!            poll_action: Subscribe{id}            handle_event(id, Event)
//!   Idle ─────────────────────────────▶ Streaming(id) ───────┐ (records out)
//!    ▲  ▲                                   │  │  │  ◀───────┘
//!    │  └── handle_error: backoff ──────────┘  │  └─ child shards ─▶ Ended
//!    └───── handle_end / lifetime (Close{id}) ─┘        final error ─▶ Failed
//! ```
//!
//! The driver's order: feed what arrived (`handle_*`), then drain
//! [`poll_event`](ShardSubscription::poll_event) and
//! [`poll_action`](ShardSubscription::poll_action) until both say `None`,
//! then come back at [`poll_timeout`](ShardSubscription::poll_timeout) (or
//! when more bytes arrive) and call
//! [`handle_timeout`](ShardSubscription::handle_timeout).
//!
//! The machine's output is the shape the polling consumer reads from
//! GetRecords pages ([`SubscriptionEvent::Records`]: records with sequence
//! numbers, how far behind, child shards at the end), so a consumer can
//! read a shard either way.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::shard_event::{ShardEvent, SubscribeToShardEvent};
use crate::error::{Error, ErrorCode};
use crate::ops::{ChildShard, Record, ShardIteratorType, SubscribeToShard};

/// The longest a subscription lasts (the service's limit).
pub const SUBSCRIPTION_LIFETIME: Duration = Duration::from_secs(300);

/// Names one SubscribeToShard call of a [`ShardSubscription`]: what the
/// driver hands back with everything that call's stream gives. Answers
/// for a call the machine has given up (closed, superseded) are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(u64);

/// What the driver does next for a [`ShardSubscription`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "an action not carried out stalls the subscription"]
#[non_exhaustive]
pub enum SubscriptionAction {
    /// Send this SubscribeToShard (through a [`crate::call::Call`] or any
    /// HTTP/2 client) and feed its stream back under `id`.
    Subscribe {
        /// The call's id.
        id: SubscriptionId,
        /// The request, starting where the last delivered event ended.
        op: SubscribeToShard,
    },
    /// Drop the stream of `id` (its lifetime is over, or the shard ended).
    Close {
        /// The call's id.
        id: SubscriptionId,
    },
}

/// What the machine hands the reader of the shard.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionEvent {
    /// A batch of records, in shard order, none seen before. The fields
    /// mirror a GetRecords page's.
    Records {
        /// The records (possibly none: a heartbeat with the lag).
        records: Vec<Record>,
        /// How far behind the tip of the shard, in milliseconds.
        millis_behind_latest: Option<u64>,
        /// The position after this batch: where a restart would resume
        /// (`AFTER_SEQUENCE_NUMBER` of it).
        continuation_sequence_number: Option<String>,
    },
    /// The shard is closed and every record of it was delivered; read the
    /// children next (after all their parents end).
    ShardEnded {
        /// The shards that follow.
        child_shards: Vec<ChildShard>,
    },
    /// The subscription cannot go on (the consumer or stream is gone,
    /// access denied, bad input): the error says why.
    Failed(Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// No call in flight; subscribe at `due`.
    Idle { due: Instant },
    /// A call in flight or streaming since `since`.
    Streaming { id: SubscriptionId, since: Instant },
    /// Done: the shard ended or failed.
    Done,
}

/// The reader of one shard over enhanced fan-out, as a state machine
/// (see the [module docs](self)).
///
/// ```
/// use std::time::{Duration, Instant};
/// use kinesis_proto::eventstream::{ShardEvent, ShardSubscription, SubscribeToShardEvent,
///     SubscriptionAction, SubscriptionEvent};
/// use kinesis_proto::ops::ShardIteratorType;
///
/// let start = Instant::now();
/// let mut shard = ShardSubscription::new(
///     "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
///     "shardId-000000000000",
///     ShardIteratorType::TrimHorizon,
///     start,
/// );
/// let Some(SubscriptionAction::Subscribe { id, op }) = shard.poll_action(start) else { panic!() };
/// assert_eq!(op.starting_position, ShardIteratorType::TrimHorizon);
///
/// // …the stream answers: an initial response, then an event.
/// shard.handle_event(id, ShardEvent::InitialResponse, start);
/// let event: SubscribeToShardEvent = serde_json::from_str(
///     r#"{"Records":[],"ContinuationSequenceNumber":"42","MillisBehindLatest":0}"#).unwrap();
/// shard.handle_event(id, ShardEvent::Event(event), start);
/// assert!(matches!(shard.poll_event(), Some(SubscriptionEvent::Records { .. })));
///
/// // Five minutes later the machine closes that call and subscribes again after "42".
/// let later = shard.poll_timeout().unwrap();
/// assert_eq!(later, start + Duration::from_secs(300));
/// shard.handle_timeout(later);
/// assert_eq!(shard.poll_action(later), Some(SubscriptionAction::Close { id }));
/// let Some(SubscriptionAction::Subscribe { op, .. }) = shard.poll_action(later) else { panic!() };
/// assert_eq!(op.starting_position, ShardIteratorType::AfterSequenceNumber("42".into()));
/// ```
#[derive(Debug, Clone)]
pub struct ShardSubscription {
    consumer_arn: String,
    shard_id: String,
    /// Where the next call starts.
    position: ShardIteratorType,
    /// The sequence number of the last record delivered: a record at or
    /// before it is never delivered again.
    last_delivered: Option<String>,
    state: State,
    next_id: u64,
    lifetime: Duration,
    /// Failures in a row since the last event; sets the backoff.
    failures: u32,
    actions: VecDeque<SubscriptionAction>,
    events: VecDeque<SubscriptionEvent>,
}

/// Backoff after a broken stream: 100 ms, doubling, at most 5 s.
const RETRY_BASE: Duration = Duration::from_millis(100);
const RETRY_CAP: Duration = Duration::from_secs(5);
/// Backoff after ResourceInUse: 1 s, doubling, at most 10 s (the service
/// refuses a resubscription within 5 s of the last).
const IN_USE_BASE: Duration = Duration::from_secs(1);
const IN_USE_CAP: Duration = Duration::from_secs(10);

impl ShardSubscription {
    /// Reads `shard_id` for `consumer_arn` from `start`; the first
    /// subscription is due at `now`.
    pub fn new(
        consumer_arn: impl Into<String>,
        shard_id: impl Into<String>,
        start: ShardIteratorType,
        now: Instant,
    ) -> Self {
        ShardSubscription {
            consumer_arn: consumer_arn.into(),
            shard_id: shard_id.into(),
            position: start,
            last_delivered: None,
            state: State::Idle { due: now },
            next_id: 0,
            lifetime: SUBSCRIPTION_LIFETIME,
            failures: 0,
            actions: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Closes each subscription after `lifetime` instead of five minutes
    /// (at most five minutes: the service ends them then anyway).
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime.min(SUBSCRIPTION_LIFETIME);
        self
    }

    /// The shard read.
    pub fn shard_id(&self) -> &str {
        &self.shard_id
    }

    /// Where the next subscription would start: a checkpoint to resume
    /// from.
    pub fn position(&self) -> &ShardIteratorType {
        &self.position
    }

    /// Whether the shard ended or the subscription failed.
    pub fn is_done(&self) -> bool {
        self.state == State::Done && self.events.is_empty()
    }

    /// The call `id`'s stream gave an event.
    pub fn handle_event(&mut self, id: SubscriptionId, event: ShardEvent, _now: Instant) {
        if !self.is_current(id) {
            return;
        }
        if let ShardEvent::Event(event) = event {
            self.failures = 0;
            self.deliver(id, event);
        }
    }

    /// The call `id` failed, or its stream broke: a transport error, a
    /// corrupt frame, an error status or an exception message.
    pub fn handle_error(&mut self, id: SubscriptionId, error: Error, now: Instant) {
        if !self.is_current(id) {
            return;
        }
        let (base, cap) = match &error {
            Error::Service(e) if e.code == ErrorCode::ResourceInUse => (IN_USE_BASE, IN_USE_CAP),
            Error::Service(e) if e.is_retryable() => (RETRY_BASE, RETRY_CAP),
            Error::Transport(_) | Error::Response(_) => (RETRY_BASE, RETRY_CAP),
            _ => {
                log::warn!("subscription to {} failed: {error}", self.shard_id);
                self.state = State::Done;
                self.events.push_back(SubscriptionEvent::Failed(error));
                return;
            }
        };
        let shift = self.failures.min(16);
        self.failures = self.failures.saturating_add(1);
        let wait = base.saturating_mul(1 << shift).min(cap);
        log::debug!(
            "subscription to {} broke ({error}); again in {wait:?}",
            self.shard_id
        );
        self.state = State::Idle { due: now + wait };
    }

    /// The call `id`'s stream ended cleanly (the service closes each
    /// subscription after five minutes): subscribe again at once.
    pub fn handle_end(&mut self, id: SubscriptionId, now: Instant) {
        if self.is_current(id) {
            self.state = State::Idle { due: now };
        }
    }

    /// Time passed: a subscription past its lifetime is closed and a new
    /// one is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let State::Streaming { id, since } = self.state {
            if now >= since + self.lifetime {
                self.actions.push_back(SubscriptionAction::Close { id });
                self.state = State::Idle { due: now };
            }
        }
    }

    /// The next thing the driver does, `None` when there is nothing to do
    /// until [`poll_timeout`](Self::poll_timeout) or more input.
    #[must_use = "an action not carried out stalls the subscription"]
    pub fn poll_action(&mut self, now: Instant) -> Option<SubscriptionAction> {
        if let Some(action) = self.actions.pop_front() {
            return Some(action);
        }
        match self.state {
            State::Idle { due } if due <= now => {
                let id = SubscriptionId(self.next_id);
                self.next_id += 1;
                self.state = State::Streaming { id, since: now };
                Some(SubscriptionAction::Subscribe {
                    id,
                    op: SubscribeToShard::new(
                        self.consumer_arn.clone(),
                        self.shard_id.clone(),
                        self.position.clone(),
                    ),
                })
            }
            _ => None,
        }
    }

    /// The next output for the reader of the shard.
    #[must_use = "an event not taken is never delivered"]
    pub fn poll_event(&mut self) -> Option<SubscriptionEvent> {
        self.events.pop_front()
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) and
    /// [`poll_action`](Self::poll_action) next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if !self.actions.is_empty() {
            return None;
        }
        match self.state {
            State::Idle { due } => Some(due),
            State::Streaming { since, .. } => Some(since + self.lifetime),
            State::Done => None,
        }
    }

    fn is_current(&self, id: SubscriptionId) -> bool {
        matches!(self.state, State::Streaming { id: current, .. } if current == id)
    }

    fn deliver(&mut self, id: SubscriptionId, event: SubscribeToShardEvent) {
        let SubscribeToShardEvent {
            mut records,
            continuation_sequence_number,
            millis_behind_latest,
            child_shards,
            ..
        } = event;
        if let Some(last) = &self.last_delivered {
            records.retain(|r| sequence_after(&r.sequence_number, last));
        }
        if let Some(r) = records.last() {
            self.last_delivered = Some(r.sequence_number.clone());
        }
        match &continuation_sequence_number {
            Some(c) => self.position = ShardIteratorType::AfterSequenceNumber(c.clone()),
            None => {
                if let Some(last) = &self.last_delivered {
                    self.position = ShardIteratorType::AfterSequenceNumber(last.clone());
                }
            }
        }
        if !records.is_empty() || child_shards.is_empty() {
            self.events.push_back(SubscriptionEvent::Records {
                records,
                millis_behind_latest,
                continuation_sequence_number,
            });
        }
        if !child_shards.is_empty() {
            self.events
                .push_back(SubscriptionEvent::ShardEnded { child_shards });
            self.actions.push_back(SubscriptionAction::Close { id });
            self.state = State::Done;
        }
    }
}

/// Whether decimal sequence number `a` comes after `b` (both may be longer
/// than a u128; text that is not decimal compares as text).
pub(crate) fn sequence_after(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    (a.len(), a) > (b.len(), b)
}

#[cfg(test)]
mod tests;
