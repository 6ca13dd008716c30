//! Reusing connections: per target, idle HTTP/1.1 connections (bounded in
//! number and age, and the number open at once bounded too) and at most one
//! shared HTTP/2 connection that every request multiplexes over.
//!
//! Cancellation: every step is an `await` on something that owns nothing
//! shared, so dropping a send at any point leaves the pool consistent. An
//! HTTP/1.1 connection goes back to the idle list only after its answer was
//! read to the end; one dropped half-way is closed with its sender. Slot
//! permits and the connect lock are guards, released on drop.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_lock::{Semaphore, SemaphoreGuardArc};
use futures_rustls::rustls::ClientConfig;
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use kinesis_proto::call::{TransportError, TransportErrorKind};

use super::connect::{self, Body, Connection, Target};
use super::error;
use super::message::{self, Outgoing};
use kinesis_proto::TransportOptions;

/// How many times a request that a reused connection handed back unsent is
/// tried again on another connection.
const UNSENT_RETRIES: usize = 3;

/// All connections of one transport.
pub(crate) struct Pool {
    targets: Mutex<HashMap<Target, Arc<TargetPool>>>,
    tls: Arc<ClientConfig>,
    options: TransportOptions,
    connect_timeout: Option<Duration>,
    /// Connections opened so far (for logs).
    opened: AtomicU64,
}

/// The connections to one target.
struct TargetPool {
    target: Target,
    /// One permit per HTTP/1.1 connection in use (open connections never
    /// outnumber these: a new one opens only when none is idle).
    slots: Arc<Semaphore>,
    /// Held while a TLS connection that may become the shared HTTP/2 one is
    /// being opened, so concurrent requests wait for it instead of each
    /// opening their own.
    connecting: async_lock::Mutex<()>,
    state: Mutex<TargetState>,
}

#[derive(Default)]
struct TargetState {
    idle: Vec<Idle>,
    http2: Option<Shared>,
    /// The cleartext HTTP/2 (prior knowledge) connection to an `http://`
    /// target that event streams share.
    h2c: Option<Shared>,
    /// The last TLS handshake with this target chose HTTP/1.1.
    alpn_chose_http1: bool,
}

struct Idle {
    sender: http1::SendRequest<Body>,
    since: Instant,
}

#[derive(Clone)]
struct Shared {
    id: u64,
    sender: http2::SendRequest<Body>,
}

/// What one try of a request came to.
enum Try {
    /// The exchange finished, well or not.
    Done(Result<http::Response<Vec<u8>>, TransportError>),
    /// A reused connection handed the request back without sending it.
    Unsent(Outgoing, TransportError),
}

/// The guard of an HTTP/1.1 slot.
type Slot = SemaphoreGuardArc;

impl Pool {
    pub(crate) fn new(
        tls: Arc<ClientConfig>,
        options: TransportOptions,
        connect_timeout: Option<Duration>,
    ) -> Self {
        Pool {
            targets: Mutex::new(HashMap::new()),
            tls,
            options,
            connect_timeout,
            opened: AtomicU64::new(0),
        }
    }

    /// Sends `request` and reads its whole answer.
    pub(crate) async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let target = Target::of(request.uri())?;
        let pool = self.target(&target);
        let mut outgoing = Outgoing::new(request);
        let mut tries = 0;
        loop {
            // Boxed: the connect and exchange futures are large, and
            // unboxed they weigh on every caller's stack.
            match Box::pin(self.try_once(&pool, outgoing)).await {
                Try::Done(result) => return result,
                Try::Unsent(back, err) => {
                    tries += 1;
                    if tries > UNSENT_RETRIES {
                        return Err(err);
                    }
                    log::debug!("{target}: reused connection did not take the request ({err}); trying another");
                    outgoing = back;
                }
            }
        }
    }

    /// The most body bytes an answer read whole may have.
    pub(crate) fn max_response_bytes(&self) -> usize {
        self.options.max_response_bytes
    }

    /// Sends `request` over HTTP/2 and hands back the answer as soon as
    /// its head arrives, its body still streaming: over TLS on the shared
    /// connection ALPN made HTTP/2 (an error if the server chose
    /// HTTP/1.1), and to an `http://` target over a cleartext HTTP/2
    /// connection with prior knowledge that streams share.
    pub(crate) async fn send_streaming(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Incoming>, TransportError> {
        let target = Target::of(request.uri())?;
        let pool = self.target(&target);
        let mut outgoing = Outgoing::new(request);
        let mut tries = 0;
        loop {
            let (shared, reused) = match Box::pin(self.streaming_connection(&pool)).await {
                Ok(found) => found,
                Err(e) => return Err(e),
            };
            let Shared { id, mut sender } = shared;
            if let Err(e) = sender.ready().await {
                // The connection is gone; the request was not sent.
                pool.forget_stream_connection(id);
                if reused && tries < UNSENT_RETRIES {
                    tries += 1;
                    continue;
                }
                return Err(error::hyper(&e));
            }
            let (request, original) = outgoing.for_http2();
            match sender.try_send_request(request).await {
                Ok(response) => return Ok(response),
                Err(mut e) => {
                    let err = error::hyper(e.error());
                    match e.take_message() {
                        Some(request) if reused && tries < UNSENT_RETRIES => {
                            pool.forget_stream_connection(id);
                            tries += 1;
                            outgoing = original.restore(request);
                        }
                        _ => return Err(err),
                    }
                }
            }
        }
    }

    /// The HTTP/2 connection event streams to `pool`'s target go over, and
    /// whether it was open already.
    async fn streaming_connection(
        &self,
        pool: &TargetPool,
    ) -> Result<(Shared, bool), TransportError> {
        if let Some(shared) = pool.stream_connection() {
            return Ok((shared, true));
        }
        let _connecting = pool.connecting.lock().await;
        if let Some(shared) = pool.stream_connection() {
            return Ok((shared, true));
        }
        let target = &pool.target;
        let sender = if target.tls {
            match self.open(target).await?.0 {
                Connection::Http2(sender) => sender,
                Connection::Http1(_) => {
                    pool.lock().alpn_chose_http1 = true;
                    return Err(TransportError::new(
                        TransportErrorKind::Protocol,
                        format!("{target} chose HTTP/1.1 (ALPN); SubscribeToShard needs HTTP/2"),
                    ));
                }
            }
        } else {
            let opening = connect::open_h2c(target);
            match self.connect_timeout {
                Some(limit) => async_std::future::timeout(limit, opening)
                    .await
                    .map_err(|_| error::timeout(&format!("connecting to {target}"), limit))??,
                None => opening.await?,
            }
        };
        let id = self.opened.fetch_add(1, Ordering::Relaxed) + 1;
        log::debug!("{target}: opened connection #{id} (HTTP/2 for event streams)");
        let shared = Shared { id, sender };
        let mut state = pool.lock();
        if target.tls {
            state.http2 = Some(shared.clone());
        } else {
            state.h2c = Some(shared.clone());
        }
        Ok((shared, false))
    }

    fn target(&self, target: &Target) -> Arc<TargetPool> {
        let mut targets = lock(&self.targets);
        targets
            .entry(target.clone())
            .or_insert_with(|| {
                Arc::new(TargetPool {
                    target: target.clone(),
                    slots: Arc::new(Semaphore::new(self.options.max_connections_per_host.max(1))),
                    connecting: async_lock::Mutex::new(()),
                    state: Mutex::new(TargetState::default()),
                })
            })
            .clone()
    }

    async fn try_once(&self, pool: &TargetPool, outgoing: Outgoing) -> Try {
        if let Some(shared) = pool.http2() {
            return self.send_http2(pool, shared, outgoing, true).await;
        }
        let slot = pool.slots.acquire_arc().await;
        if let Some(shared) = pool.http2() {
            drop(slot);
            return self.send_http2(pool, shared, outgoing, true).await;
        }
        if let Some(sender) = pool.take_idle(self.options.idle_timeout) {
            log::trace!("{}: reusing an idle HTTP/1.1 connection", pool.target);
            return self.send_http1(pool, sender, slot, outgoing, true).await;
        }
        let connecting = if pool.target.tls && !pool.alpn_chose_http1() {
            let guard = pool.connecting.lock().await;
            if let Some(shared) = pool.http2() {
                drop((guard, slot));
                return self.send_http2(pool, shared, outgoing, true).await;
            }
            Some(guard)
        } else {
            None
        };
        let (connection, id) = match Box::pin(self.open(&pool.target)).await {
            Ok(opened) => opened,
            Err(e) => return Try::Done(Err(e)),
        };
        match connection {
            Connection::Http2(sender) => {
                let shared = Shared { id, sender };
                pool.lock().http2 = Some(shared.clone());
                drop((connecting, slot));
                self.send_http2(pool, shared, outgoing, false).await
            }
            Connection::Http1(sender) => {
                if pool.target.tls {
                    pool.lock().alpn_chose_http1 = true;
                }
                drop(connecting);
                self.send_http1(pool, sender, slot, outgoing, false).await
            }
        }
    }

    /// Opens a connection to `target`, and numbers it.
    async fn open(&self, target: &Target) -> Result<(Connection, u64), TransportError> {
        let opening = connect::open(target, &self.tls);
        let connection = match self.connect_timeout {
            Some(limit) => async_std::future::timeout(limit, opening)
                .await
                .map_err(|_| error::timeout(&format!("connecting to {target}"), limit))??,
            None => opening.await?,
        };
        let n = self.opened.fetch_add(1, Ordering::Relaxed) + 1;
        let version = match connection {
            Connection::Http1(_) => "HTTP/1.1",
            Connection::Http2(_) => "HTTP/2",
        };
        log::debug!("{target}: opened connection #{n} ({version})");
        Ok((connection, n))
    }

    async fn send_http1(
        &self,
        pool: &TargetPool,
        mut sender: http1::SendRequest<Body>,
        slot: Slot,
        outgoing: Outgoing,
        reused: bool,
    ) -> Try {
        if let Err(e) = sender.ready().await {
            let err = error::hyper(&e);
            return if reused {
                Try::Unsent(outgoing, err)
            } else {
                Try::Done(Err(err))
            };
        }
        let (request, original) = outgoing.for_http1();
        match sender.try_send_request(request).await {
            Ok(response) => {
                let result = message::read(response, self.options.max_response_bytes).await;
                if result.is_ok() {
                    pool.put_idle(sender, self.options.max_idle_per_host);
                }
                drop(slot);
                Try::Done(result)
            }
            Err(mut e) => {
                let err = error::hyper(e.error());
                match e.take_message() {
                    Some(request) if reused => Try::Unsent(original.restore(request), err),
                    _ => Try::Done(Err(err)),
                }
            }
        }
    }

    async fn send_http2(
        &self,
        pool: &TargetPool,
        shared: Shared,
        outgoing: Outgoing,
        reused: bool,
    ) -> Try {
        let Shared { id, mut sender } = shared;
        if let Err(e) = sender.ready().await {
            pool.forget_http2(id);
            let err = error::hyper(&e);
            return if reused {
                Try::Unsent(outgoing, err)
            } else {
                Try::Done(Err(err))
            };
        }
        let (request, original) = outgoing.for_http2();
        match sender.try_send_request(request).await {
            Ok(response) => {
                Try::Done(message::read(response, self.options.max_response_bytes).await)
            }
            Err(mut e) => {
                let err = error::hyper(e.error());
                match e.take_message() {
                    Some(request) => {
                        // The connection takes no new streams (closed, or
                        // going away): the next request opens another.
                        pool.forget_http2(id);
                        if reused {
                            Try::Unsent(original.restore(request), err)
                        } else {
                            Try::Done(Err(err))
                        }
                    }
                    None => Try::Done(Err(err)),
                }
            }
        }
    }
}

impl TargetPool {
    fn lock(&self) -> MutexGuard<'_, TargetState> {
        lock(&self.state)
    }

    /// The shared HTTP/2 connection, if one is open.
    fn http2(&self) -> Option<Shared> {
        let mut state = self.lock();
        if state.http2.as_ref().is_some_and(|s| s.sender.is_closed()) {
            log::debug!("{}: HTTP/2 connection closed; dropping it", self.target);
            state.http2 = None;
        }
        state.http2.clone()
    }

    /// Drops the shared HTTP/2 connection `id` if it is still the current one.
    fn forget_http2(&self, id: u64) {
        let mut state = self.lock();
        if state.http2.as_ref().is_some_and(|s| s.id == id) {
            state.http2 = None;
        }
    }

    /// The open HTTP/2 connection event streams share: the TLS one, or
    /// for `http://` the cleartext one.
    fn stream_connection(&self) -> Option<Shared> {
        if self.target.tls {
            return self.http2();
        }
        let mut state = self.lock();
        if state.h2c.as_ref().is_some_and(|s| s.sender.is_closed()) {
            state.h2c = None;
        }
        state.h2c.clone()
    }

    /// Drops the event-stream connection `id` if it is still current.
    fn forget_stream_connection(&self, id: u64) {
        let mut state = self.lock();
        if state.http2.as_ref().is_some_and(|s| s.id == id) {
            state.http2 = None;
        }
        if state.h2c.as_ref().is_some_and(|s| s.id == id) {
            state.h2c = None;
        }
    }

    fn alpn_chose_http1(&self) -> bool {
        self.lock().alpn_chose_http1
    }

    /// The most recently used idle connection still open and young enough.
    fn take_idle(&self, idle_timeout: Duration) -> Option<http1::SendRequest<Body>> {
        let mut state = self.lock();
        let now = Instant::now();
        state.idle.retain(|i| {
            !i.sender.is_closed() && now.saturating_duration_since(i.since) < idle_timeout
        });
        state.idle.pop().map(|i| i.sender)
    }

    fn put_idle(&self, sender: http1::SendRequest<Body>, max_idle: usize) {
        if sender.is_closed() || max_idle == 0 {
            return;
        }
        let mut state = self.lock();
        if state.idle.len() >= max_idle {
            state.idle.remove(0);
        }
        state.idle.push(Idle {
            sender,
            since: Instant::now(),
        });
    }
}

/// Locks `m`; a panic elsewhere while it was held leaves plain data, still
/// usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
