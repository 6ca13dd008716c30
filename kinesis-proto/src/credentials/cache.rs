//! The refreshing cache: when to fetch credentials again, and who does.
//!
//! Credentials with an expiry are refreshed ahead of it (by
//! [`CacheSettings::refresh_ahead`], less a random part of
//! [`CacheSettings::jitter`] so that many clients do not refresh at once),
//! by one caller at a time while the others keep using the credentials
//! held. A failed refresh keeps the credentials that have not expired and
//! is tried again after a backoff that doubles up to
//! [`CacheSettings::max_backoff`]. A refresh that has not come back within
//! [`CacheSettings::refresh_timeout`] is given up on, so one stuck
//! provider never blocks every call.
//!
//! The cache only decides; its driver fetches (with a [`Fetch`](super::Fetch))
//! and reports back. Two clocks, as everywhere: `Instant` for scheduling
//! retries and timeouts, the wall clock (corrected for skew by the call)
//! for comparing with expiry times.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use kinesis_proto::credentials::{Cache, Lookup};
//! use kinesis_proto::Credentials;
//! let (now, wall) = (Instant::now(), time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
//! let mut cache = Cache::default();
//! let Lookup::Refresh(ticket) = cache.lookup(now, wall, 0.5) else { panic!("empty at first") };
//! assert!(matches!(cache.lookup(now, wall, 0.5), Lookup::Wait), "one refresh at a time");
//! let fetched = Credentials::new("ASIA", "S", Some("T".into())).with_expiry(Some(wall + time::Duration::hours(1)));
//! cache.handle_refreshed(ticket, Ok(fetched), now, wall, 0.5);
//! assert!(matches!(cache.lookup(now, wall, 0.5), Lookup::Use(_)));
//! // 58 minutes on: inside the refresh-ahead window, one caller refreshes…
//! let later = wall + time::Duration::minutes(58);
//! assert!(matches!(cache.lookup(now, later, 0.5), Lookup::UseAndRefresh(..)));
//! // …and the others go on with the held credentials.
//! assert!(matches!(cache.lookup(now, later, 0.5), Lookup::Use(_)));
//! ```

use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::Credentials;
use crate::error::Error;

/// The cache's timings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheSettings {
    /// How long before expiry a refresh starts, at most (default 5 min;
    /// for credentials that live less than twice this, half their life).
    pub refresh_ahead: Duration,
    /// Up to this much earlier still, at random (default 1 min).
    pub jitter: Duration,
    /// Credentials this close to expiry are no longer handed out (default
    /// 10 s: a request signed now must still be valid when it arrives).
    pub expiry_margin: Duration,
    /// A refresh not back by then is given up on (default 60 s).
    pub refresh_timeout: Duration,
    /// The first backoff after a failed refresh (default 1 s).
    pub min_backoff: Duration,
    /// The longest backoff (default 60 s).
    pub max_backoff: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            refresh_ahead: Duration::from_secs(300),
            jitter: Duration::from_secs(60),
            expiry_margin: Duration::from_secs(10),
            refresh_timeout: Duration::from_secs(60),
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// The right to run one refresh; hand it back with the result.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub struct Ticket(u64);

/// What a caller does now.
#[derive(Debug)]
#[must_use]
pub enum Lookup {
    /// Sign with these.
    Use(Credentials),
    /// Sign with these, and run the refresh of this ticket in the
    /// background (the credentials are near their expiry).
    UseAndRefresh(Credentials, Ticket),
    /// Nothing usable is held: refresh now with this ticket, then look up
    /// again.
    Refresh(Ticket),
    /// Nothing usable is held and another caller is refreshing: wait for
    /// it (at most until [`Cache::poll_timeout`]), then look up again.
    Wait,
    /// Nothing usable is held and the last refresh failed with this
    /// error; the next is not due before [`Cache::poll_timeout`].
    Fail(Error),
}

#[derive(Debug)]
struct Held {
    credentials: Credentials,
    /// When to refresh (wall clock), `None` for credentials that do not
    /// expire.
    refresh_at: Option<OffsetDateTime>,
}

/// Credentials held, and the state of their refresh.
#[derive(Debug, Default)]
pub struct Cache {
    settings: CacheSettings,
    held: Option<Held>,
    /// The refresh running: its ticket number and when it began.
    running: Option<(u64, Instant)>,
    issued: u64,
    failures: u32,
    retry_at: Option<Instant>,
    last_error: Option<Error>,
}

impl Cache {
    /// An empty cache with these timings.
    pub fn new(settings: CacheSettings) -> Cache {
        Cache {
            settings,
            ..Cache::default()
        }
    }

    /// Credentials held now, usable or not (for tests and diagnostics).
    pub fn held(&self) -> Option<&Credentials> {
        self.held.as_ref().map(|h| &h.credentials)
    }

    fn usable(&self, wall: OffsetDateTime) -> Option<&Held> {
        self.held.as_ref().filter(|h| match h.credentials.expiry() {
            None => true,
            Some(e) => wall + self.settings.expiry_margin < e,
        })
    }

    fn issue(&mut self, now: Instant) -> Ticket {
        self.issued += 1;
        self.running = Some((self.issued, now));
        Ticket(self.issued)
    }

    /// What to do at `now` / `wall`; `random` in `[0, 1)` draws the jitter.
    pub fn lookup(&mut self, now: Instant, wall: OffsetDateTime, _random: f64) -> Lookup {
        if let Some((id, started)) = self.running {
            if now.saturating_duration_since(started) >= self.settings.refresh_timeout {
                log::warn!(
                    "credentials refresh {id} did not finish within {:?}; giving up on it",
                    self.settings.refresh_timeout
                );
                self.running = None;
                self.note_failure(now, 0.5);
                self.retry_at = None;
            }
        }
        let retry_due = self.retry_at.is_none_or(|at| now >= at);
        if let Some(held) = self.usable(wall) {
            let credentials = held.credentials.clone();
            let due = held.refresh_at.is_some_and(|at| wall >= at);
            if due && self.running.is_none() && retry_due {
                let ticket = self.issue(now);
                return Lookup::UseAndRefresh(credentials, ticket);
            }
            return Lookup::Use(credentials);
        }
        if self.running.is_some() {
            return Lookup::Wait;
        }
        if !retry_due {
            if let Some(e) = &self.last_error {
                return Lookup::Fail(e.clone());
            }
        }
        Lookup::Refresh(self.issue(now))
    }

    fn note_failure(&mut self, now: Instant, random: f64) {
        self.failures = self.failures.saturating_add(1);
        let exp = self.failures.saturating_sub(1).min(16);
        let backoff = self
            .settings
            .min_backoff
            .saturating_mul(1u32 << exp)
            .min(self.settings.max_backoff);
        // Between half and all of the backoff.
        let backoff = backoff.mul_f64(0.5 + random.clamp(0.0, 1.0) / 2.0);
        self.retry_at = Some(now + backoff);
    }

    /// The result of the refresh of `ticket`. A result of a ticket given
    /// up on still counts if it brought credentials.
    pub fn handle_refreshed(
        &mut self,
        ticket: Ticket,
        result: Result<Credentials, Error>,
        now: Instant,
        wall: OffsetDateTime,
        random: f64,
    ) {
        let current = self.running.is_some_and(|(id, _)| id == ticket.0);
        if current {
            self.running = None;
        }
        match result {
            Ok(credentials) => {
                let refresh_at = credentials.expiry().map(|expiry| {
                    let life: time::Duration = (expiry - wall).max(time::Duration::ZERO);
                    let half = Duration::try_from(life / 2).unwrap_or_default();
                    let ahead = self.settings.refresh_ahead.min(half);
                    let jitter = self
                        .settings
                        .jitter
                        .min(ahead)
                        .mul_f64(random.clamp(0.0, 1.0));
                    expiry - (ahead + jitter)
                });
                log::debug!(
                    "credentials refreshed ({}), expiring {:?}",
                    credentials.access_key_id(),
                    credentials.expiry()
                );
                self.held = Some(Held {
                    credentials,
                    refresh_at,
                });
                self.failures = 0;
                self.retry_at = None;
                self.last_error = None;
            }
            Err(e) if current => {
                log::warn!("credentials refresh failed: {e}");
                self.note_failure(now, random);
                self.last_error = Some(e);
            }
            Err(e) => log::debug!("a refresh given up on failed too: {e}"),
        }
    }

    /// When a waiting caller should look again: the running refresh's
    /// time limit, or when the next retry is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.running {
            Some((_, started)) => Some(started + self.settings.refresh_timeout),
            None => self.retry_at,
        }
    }
}
