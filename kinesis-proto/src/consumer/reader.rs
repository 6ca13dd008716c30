//! One shard read with GetShardIterator and GetRecords: its position, its
//! pacing, its backoff, and what its pages turn into.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::checkpoint::{compare_sequence_numbers, Checkpoint};
use super::event::{Batch, Event};
use super::page::{unpack, Next, Page};
use super::{Context, RequestId, Transmit, Wake};
use crate::call::{Action, Call};
use crate::error::{Error, ErrorCode};
use crate::ops::{
    ChildShard, GetRecords, GetRecordsOutput, GetShardIterator, GetShardIteratorOutput,
    ShardIteratorType, StreamRef,
};
use crate::TransportError;

/// The request a reader has out or is retrying.
enum Pending {
    Iterator(RequestId, Call<GetShardIterator>),
    Records(RequestId, Call<GetRecords>),
}

impl Pending {
    fn id(&self) -> RequestId {
        match self {
            Pending::Iterator(id, _) | Pending::Records(id, _) => *id,
        }
    }
}

/// One shard's reader.
pub(crate) struct Reader {
    pub(crate) shard_id: String,
    /// Where to start when no record was delivered yet.
    origin: ShardIteratorType,
    /// The last user record delivered (or the stored checkpoint): nothing
    /// at or before it is delivered again.
    resume: Option<Checkpoint>,
    /// Whether a new iterator starts at `resume`'s sequence number (false
    /// after the service refused it: then at `origin`, `resume` filtering).
    start_at_resume: bool,
    /// Whether the next non-empty page must begin at or before `resume`
    /// (after a new iterator at its sequence number); if it begins later,
    /// the records in between were trimmed.
    check_trim: bool,
    iterator: Option<String>,
    pending: Option<Pending>,
    /// Earliest time for the next request (`None`: at once).
    next_at: Option<Instant>,
    /// When the last GetRecords was started (for the 5-per-second pace).
    last_get: Option<Instant>,
    /// Failures in a row (for the backoff).
    failures: u32,
    /// Record batches queued and not yet taken by the user.
    pub(crate) queued: usize,
    caught_up: bool,
    /// Read to its end: the children that came with the last page.
    pub(crate) ended: Option<Vec<ChildShard>>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pending = match &self.pending {
            Some(Pending::Iterator(id, _)) => format!("GetShardIterator {id:?}"),
            Some(Pending::Records(id, _)) => format!("GetRecords {id:?}"),
            None => "none".to_owned(),
        };
        f.debug_struct("Reader")
            .field("shard_id", &self.shard_id)
            .field("pending", &pending)
            .field("iterator", &self.iterator.is_some())
            .field("next_at", &self.next_at)
            .field("queued", &self.queued)
            .field("failures", &self.failures)
            .field("ended", &self.ended.is_some())
            .finish_non_exhaustive()
    }
}

impl Reader {
    pub(crate) fn new(
        shard_id: String,
        origin: ShardIteratorType,
        resume: Option<Checkpoint>,
    ) -> Self {
        let check_trim = matches!(resume, Some(Checkpoint::After { .. }));
        Reader {
            shard_id,
            origin,
            resume,
            start_at_resume: true,
            check_trim,
            iterator: None,
            pending: None,
            next_at: None,
            last_get: None,
            failures: 0,
            queued: 0,
            caught_up: false,
            ended: None,
        }
    }

    /// Whether `id` is this reader's request.
    pub(crate) fn owns(&self, id: RequestId) -> bool {
        self.pending.as_ref().is_some_and(|p| p.id() == id)
    }

    /// Where a new iterator starts: at the last delivered record (its
    /// sequence number; what was delivered is skipped), else the origin.
    fn position(&self) -> ShardIteratorType {
        match &self.resume {
            Some(Checkpoint::After {
                sequence_number, ..
            }) if self.start_at_resume => {
                ShardIteratorType::AtSequenceNumber(sequence_number.clone())
            }
            _ => self.origin.clone(),
        }
    }

    /// The next request, if one is due; results of finished calls are
    /// handled here (their events go to `events`).
    pub(crate) fn poll(
        &mut self,
        ctx: &mut Context<'_>,
        now: Instant,
        wall: OffsetDateTime,
        random: f64,
        events: &mut VecDeque<Event>,
    ) -> Option<Transmit> {
        loop {
            match self.pending.take() {
                Some(Pending::Iterator(id, mut call)) => match call.poll(now, wall, random) {
                    Action::Send { request, timeout } => {
                        self.pending = Some(Pending::Iterator(id, call));
                        return Some(Transmit {
                            id,
                            request,
                            timeout,
                        });
                    }
                    Action::Wait => {
                        self.pending = Some(Pending::Iterator(id, call));
                        return None;
                    }
                    Action::Done(result) => self.iterator_done(ctx, result, now, random, events),
                },
                Some(Pending::Records(id, mut call)) => match call.poll(now, wall, random) {
                    Action::Send { request, timeout } => {
                        // Every attempt counts toward the 5 per second.
                        self.last_get = Some(now);
                        self.pending = Some(Pending::Records(id, call));
                        return Some(Transmit {
                            id,
                            request,
                            timeout,
                        });
                    }
                    Action::Wait => {
                        self.pending = Some(Pending::Records(id, call));
                        return None;
                    }
                    Action::Done(result) => self.records_done(ctx, result, now, random, events),
                },
                None => {
                    if self.ended.is_some() || self.next_at.is_some_and(|at| now < at) {
                        return None;
                    }
                    self.next_at = None;
                    match &self.iterator {
                        None => {
                            let op = GetShardIterator::new(
                                ctx.stream.clone(),
                                self.shard_id.clone(),
                                self.position(),
                            );
                            let call = Call::new(ctx.client, op, ctx.credentials.clone());
                            self.pending = Some(Pending::Iterator(ctx.next_id(), call));
                        }
                        Some(iterator) => {
                            if self.queued >= ctx.config.prefetch.max(1) {
                                return None;
                            }
                            let mut op = GetRecords::new(iterator.clone());
                            op.limit = ctx.config.records_per_call;
                            if let StreamRef::Arn(arn) = ctx.stream {
                                op.stream_arn = Some(arn.clone());
                            }
                            let call = Call::new(ctx.client, op, ctx.credentials.clone());
                            self.pending = Some(Pending::Records(ctx.next_id(), call));
                        }
                    }
                }
            }
        }
    }

    /// When this reader wants to be polled again.
    pub(crate) fn poll_timeout(&self, prefetch: usize) -> Wake {
        match &self.pending {
            Some(Pending::Iterator(_, call)) => Wake::from_call(call.poll_timeout()),
            Some(Pending::Records(_, call)) => Wake::from_call(call.poll_timeout()),
            None if self.ended.is_some() => Wake::Never,
            None if self.iterator.is_some() && self.queued >= prefetch.max(1) => Wake::Never,
            None => self.next_at.map_or(Wake::Now, Wake::At),
        }
    }

    pub(crate) fn handle_response(
        &mut self,
        response: http::Response<Vec<u8>>,
        now: Instant,
        wall: OffsetDateTime,
    ) {
        match &mut self.pending {
            Some(Pending::Iterator(_, call)) => call.handle_response(response, now, wall),
            Some(Pending::Records(_, call)) => call.handle_response(response, now, wall),
            None => {}
        }
    }

    pub(crate) fn handle_transport_error(&mut self, error: TransportError, now: Instant) {
        match &mut self.pending {
            Some(Pending::Iterator(_, call)) => call.handle_transport_error(error, now),
            Some(Pending::Records(_, call)) => call.handle_transport_error(error, now),
            None => {}
        }
    }

    /// The earliest start of the next GetRecords (5 per second at most).
    fn paced(&self, ctx: &Context<'_>, now: Instant, extra: Duration) -> Option<Instant> {
        let by_pace = self
            .last_get
            .and_then(|t| t.checked_add(ctx.config.min_get_records_interval));
        let by_extra = now.checked_add(extra).filter(|_| !extra.is_zero());
        by_pace.max(by_extra).filter(|t| *t > now)
    }

    fn iterator_done(
        &mut self,
        ctx: &Context<'_>,
        result: Result<GetShardIteratorOutput, Error>,
        now: Instant,
        random: f64,
        events: &mut VecDeque<Event>,
    ) {
        match result {
            Ok(out) => {
                self.failures = 0;
                match out.shard_iterator {
                    Some(iterator) => {
                        self.iterator = Some(iterator);
                        self.next_at = self.paced(ctx, now, Duration::ZERO);
                    }
                    // No iterator: nothing is left to read in this shard.
                    None => self.end(Vec::new()),
                }
            }
            Err(Error::Service(e))
                if e.code == ErrorCode::InvalidArgument
                    && matches!(self.position(), ShardIteratorType::AtSequenceNumber(_)) =>
            {
                // The sequence number is not in the shard (trimmed, most
                // likely): read from the origin, still skipping what was
                // delivered; the trim check reports any gap.
                log::warn!(
                    "{}: no iterator at the last delivered sequence number ({e}); reading from {}",
                    self.shard_id,
                    self.origin.as_str()
                );
                if matches!(self.origin, ShardIteratorType::AtSequenceNumber(_)) {
                    self.origin = ShardIteratorType::TrimHorizon;
                }
                self.start_at_resume = false;
                self.check_trim = true;
            }
            Err(e) => self.failed(ctx, e, now, random, events),
        }
    }

    fn records_done(
        &mut self,
        ctx: &Context<'_>,
        result: Result<GetRecordsOutput, Error>,
        now: Instant,
        random: f64,
        events: &mut VecDeque<Event>,
    ) {
        match result {
            Ok(out) => {
                self.failures = 0;
                let page = Page::from(out);
                let empty = page.records.is_empty();
                let caught_up = page.millis_behind_latest.is_none_or(|m| m == 0);
                self.handle_page(page, events);
                if self.iterator.is_some() {
                    let idle = if empty && caught_up {
                        ctx.config.idle_delay
                    } else {
                        Duration::ZERO
                    };
                    self.next_at = self.paced(ctx, now, idle);
                }
            }
            Err(Error::Service(e)) if e.code == ErrorCode::ExpiredIterator => {
                log::debug!(
                    "{}: iterator expired; a new one at {:?}",
                    self.shard_id,
                    self.position().as_str()
                );
                self.iterator = None;
                self.check_trim = matches!(self.resume, Some(Checkpoint::After { .. }));
            }
            Err(e) => self.failed(ctx, e, now, random, events),
        }
    }

    /// A call failed after the engine's retries: back off (throttling and
    /// transient faults quietly, anything else reported) and try again.
    fn failed(
        &mut self,
        ctx: &Context<'_>,
        error: Error,
        now: Instant,
        random: f64,
        events: &mut VecDeque<Event>,
    ) {
        self.failures = self.failures.saturating_add(1);
        let delay = ctx.config.backoff(self.failures, random);
        self.next_at = now.checked_add(delay);
        let quiet = match &error {
            Error::Service(e) => e.is_retryable(),
            Error::Transport(_) => true,
            _ => false,
        };
        if quiet {
            log::debug!(
                "{}: {error}; backing off {delay:?} (failure {} in a row)",
                self.shard_id,
                self.failures
            );
        } else {
            log::warn!("{}: {error}; trying again in {delay:?}", self.shard_id);
            events.push_back(Event::Error {
                shard_id: Some(self.shard_id.clone()),
                error,
            });
        }
    }

    /// Takes a page of the shard's source: its records become a batch
    /// (minus what was delivered already), its end ends the reader.
    /// Returns how many user records were queued.
    pub(crate) fn handle_page(&mut self, page: Page, events: &mut VecDeque<Event>) -> usize {
        if self.ended.is_some() {
            return 0;
        }
        let Page {
            records,
            next,
            millis_behind_latest,
            child_shards,
        } = page;
        if let (true, Some(first)) = (self.check_trim, records.first()) {
            self.check_trim = false;
            if let Some(Checkpoint::After {
                sequence_number,
                sub_sequence_number,
            }) = &self.resume
            {
                if compare_sequence_numbers(&first.sequence_number, sequence_number).is_gt() {
                    log::warn!(
                        "{}: records after {sequence_number} were trimmed; resuming at {}",
                        self.shard_id,
                        first.sequence_number
                    );
                    events.push_back(Event::Trimmed {
                        shard_id: self.shard_id.clone(),
                        after: Checkpoint::after(sequence_number.clone(), *sub_sequence_number),
                        resumed_at: first.sequence_number.clone(),
                    });
                }
            }
        }
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let before = out.len();
            let resume = &self.resume;
            unpack(
                record,
                |seq, sub| resume.as_ref().is_some_and(|cp| cp.covers(seq, sub)),
                &mut out,
            );
            if let Some(last) = out.get(before..).and_then(<[_]>::last) {
                self.resume = Some(Checkpoint::after(
                    last.sequence_number.clone(),
                    last.sub_sequence_number,
                ));
                self.start_at_resume = true;
            }
        }
        let delivered = out.len();
        if let (false, Some(checkpoint)) = (out.is_empty(), self.resume.clone()) {
            self.queued += 1;
            events.push_back(Event::Records(Batch {
                shard_id: self.shard_id.clone(),
                records: out,
                millis_behind_latest,
                checkpoint,
            }));
        }
        match millis_behind_latest {
            Some(0) if !self.caught_up => {
                self.caught_up = true;
                events.push_back(Event::CaughtUp {
                    shard_id: self.shard_id.clone(),
                });
            }
            Some(m) if m > 0 => self.caught_up = false,
            _ => {}
        }
        match next {
            Next::Iterator(iterator) => self.iterator = Some(iterator),
            // A subscription's position: a new iterator starts after the
            // last delivered record.
            Next::Continuation(_) => self.iterator = None,
            Next::End => self.end(child_shards),
        }
        delivered
    }

    fn end(&mut self, children: Vec<ChildShard>) {
        self.iterator = None;
        self.pending = None;
        self.ended = Some(children);
    }
}
