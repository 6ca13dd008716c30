//! What both drivers hold behind their credentials source: the provider
//! and its [`Cache`], shared between the callers and the refresh.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use time::OffsetDateTime;

use super::{Cache, Credentials, Lookup, Provider, Ticket};
use crate::error::Error;

/// A [`Provider`] and the [`Cache`] of what it gave, behind a mutex, for
/// any number of threads or tasks. The driver does the fetching; this
/// holds no I/O.
///
/// ```
/// use std::time::Instant;
/// use kinesis_proto::credentials::{Lookup, Provider, SharedCache};
/// use time::OffsetDateTime;
/// let shared = SharedCache::new(Provider::process("my-helper"));
/// let Lookup::Refresh(ticket) = shared.lookup(Instant::now(), OffsetDateTime::now_utc(), 0.5) else {
///     panic!("nothing held yet");
/// };
/// // … the driver fetches from shared.provider() …
/// let fetched = Ok(kinesis_proto::Credentials::new("AKID", "SECRET", None));
/// shared.handle_refreshed(ticket, fetched, Instant::now(), OffsetDateTime::now_utc(), 0.5);
/// assert!(matches!(shared.lookup(Instant::now(), OffsetDateTime::now_utc(), 0.5), Lookup::Use(_)));
/// ```
#[derive(Debug)]
pub struct SharedCache {
    provider: Provider,
    cache: Mutex<Cache>,
}

impl SharedCache {
    /// An empty cache for `provider` (logged at debug).
    pub fn new(provider: Provider) -> SharedCache {
        log::debug!("credentials from {}", provider.describe());
        SharedCache {
            provider,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// What to fetch from.
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// The cache, locked (a panic elsewhere while it was held does not
    /// poison it: every change to it is whole).
    pub fn lock(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// [`Cache::lookup`] under the lock.
    pub fn lookup(&self, now: Instant, wall: OffsetDateTime, random: f64) -> Lookup {
        self.lock().lookup(now, wall, random)
    }

    /// [`Cache::handle_refreshed`] under the lock.
    pub fn handle_refreshed(
        &self,
        ticket: Ticket,
        result: Result<Credentials, Error>,
        now: Instant,
        wall: OffsetDateTime,
        random: f64,
    ) {
        self.lock()
            .handle_refreshed(ticket, result, now, wall, random);
    }
}
