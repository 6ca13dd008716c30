//! Shard discovery: ListShards, every page, now and then.

use std::collections::VecDeque;
use std::time::Instant;

use time::OffsetDateTime;

use super::event::Event;
use super::{Context, RequestId, Transmit, Wake};
use crate::call::{Action, Call};
use crate::error::{Error, ErrorCode};
use crate::operation::Paginated;
use crate::ops::{ListShards, ListShardsOutput, Shard, ShardFilter};
use crate::TransportError;

/// Lists the stream's shards, page after page.
pub(crate) struct Discovery {
    pending: Option<(RequestId, Call<ListShards>)>,
    /// The shards of the pages so far.
    collected: Vec<Shard>,
    /// When to list next (`None`: at once).
    next_at: Option<Instant>,
    /// Whether another listing was asked for while one was under way.
    again: bool,
    /// The filter of the first listing (none after it).
    first_filter: Option<ShardFilter>,
    failures: u32,
    /// Completed listings.
    pub(crate) listings: u64,
}

impl Discovery {
    pub(crate) fn new(first_filter: Option<ShardFilter>) -> Self {
        Discovery {
            pending: None,
            collected: Vec::new(),
            next_at: None,
            again: false,
            first_filter,
            failures: 0,
            listings: 0,
        }
    }

    pub(crate) fn owns(&self, id: RequestId) -> bool {
        self.pending.as_ref().is_some_and(|(p, _)| *p == id)
    }

    /// Lists again as soon as possible.
    pub(crate) fn soon(&mut self) {
        if self.pending.is_some() {
            self.again = true;
        } else {
            self.next_at = None;
        }
    }

    pub(crate) fn poll_timeout(&self) -> Wake {
        match &self.pending {
            Some((_, call)) => Wake::from_call(call.poll_timeout()),
            None => self.next_at.map_or(Wake::Now, Wake::At),
        }
    }

    pub(crate) fn handle_response(
        &mut self,
        response: http::Response<Vec<u8>>,
        now: Instant,
        wall: OffsetDateTime,
    ) {
        if let Some((_, call)) = &mut self.pending {
            call.handle_response(response, now, wall);
        }
    }

    pub(crate) fn handle_transport_error(&mut self, error: TransportError, now: Instant) {
        if let Some((_, call)) = &mut self.pending {
            call.handle_transport_error(error, now);
        }
    }

    /// The next request, or a complete listing in `listed`.
    pub(crate) fn poll(
        &mut self,
        ctx: &mut Context<'_>,
        now: Instant,
        wall: OffsetDateTime,
        random: f64,
        events: &mut VecDeque<Event>,
        listed: &mut Option<Vec<Shard>>,
    ) -> Option<Transmit> {
        loop {
            match self.pending.take() {
                Some((id, mut call)) => match call.poll(now, wall, random) {
                    Action::Send { request, timeout } => {
                        self.pending = Some((id, call));
                        return Some(Transmit {
                            id,
                            request,
                            timeout,
                        });
                    }
                    Action::Wait => {
                        self.pending = Some((id, call));
                        return None;
                    }
                    Action::Done(Ok(out)) => self.page(ctx, call.operation(), out, now, listed),
                    Action::Done(Err(e)) => self.failed(ctx, e, now, random, events),
                },
                None => {
                    if self.next_at.is_some_and(|at| now < at) {
                        return None;
                    }
                    if listed.is_some() {
                        // One listing per poll: the consumer takes it first.
                        return None;
                    }
                    self.next_at = None;
                    let mut op = ListShards::new(ctx.stream.clone());
                    if self.listings == 0 {
                        op.shard_filter = self.first_filter.clone();
                    }
                    self.collected.clear();
                    let call = Call::new(ctx.client, op, ctx.credentials.clone());
                    self.pending = Some((ctx.next_id(), call));
                }
            }
        }
    }

    fn page(
        &mut self,
        ctx: &mut Context<'_>,
        op: &ListShards,
        out: ListShardsOutput,
        now: Instant,
        listed: &mut Option<Vec<Shard>>,
    ) {
        self.failures = 0;
        let next = op.next_page(&out);
        self.collected.extend(out.shards);
        match next {
            Some(next) => {
                let call = Call::new(ctx.client, next, ctx.credentials.clone());
                self.pending = Some((ctx.next_id(), call));
            }
            None => {
                self.listings += 1;
                *listed = Some(std::mem::take(&mut self.collected));
                self.next_at = if std::mem::take(&mut self.again) {
                    None
                } else {
                    now.checked_add(ctx.config.rediscover_interval)
                };
            }
        }
    }

    fn failed(
        &mut self,
        ctx: &Context<'_>,
        error: Error,
        now: Instant,
        random: f64,
        events: &mut VecDeque<Event>,
    ) {
        self.collected.clear();
        if matches!(&error, Error::Service(e) if e.code == ErrorCode::ExpiredNextToken) {
            // The listing took too long: start it over at once.
            log::debug!("ListShards: page token expired; listing again");
            self.next_at = None;
            return;
        }
        self.failures = self.failures.saturating_add(1);
        let delay = ctx.config.backoff(self.failures, random);
        self.next_at = now.checked_add(delay);
        log::warn!("ListShards: {error}; trying again in {delay:?}");
        events.push_back(Event::Error {
            shard_id: None,
            error,
        });
    }
}
