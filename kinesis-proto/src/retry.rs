//! Retry decisions, as the AWS SDKs make them in their standard and
//! adaptive retry modes, with no clock and no randomness of their own.
//!
//! The policy ([`RetryConfig`], [`FailureClass`], the backoff) is public so
//! that other state machines (and tests) can make the same decisions. The
//! state every call of one [`crate::Client`] shares (the retry quota, the
//! clock offset, the rate limiter) lives here too, changed only by this
//! module, one lock per event; [`crate::call::Call`] asks it before each
//! attempt and tells it how each attempt ended.
//!
//! # Standard mode
//! - **Attempts**: at most [`RetryConfig::max_attempts`] requests per call
//!   (default 3), the first included.
//! - **What is retried** ([`FailureClass`]): throttling (error codes for
//!   which [`ErrorCode::is_throttling`] holds, or HTTP 429), transient faults
//!   ([`ErrorCode::is_transient`], HTTP 500/502/503/504), and transport
//!   failures of kind `Connect`, `Io` and `Timeout`. Never retried: usage
//!   errors, answers that do not parse, every other service code
//!   (`ExpiredIterator`, `ResourceNotFound`, `InvalidArgument`,
//!   `AccessDenied`…), and transport failures of kind `Tls`, `Protocol` and
//!   `Other` — a certificate, a broken peer or an over-large answer does
//!   not get better by asking again, and retrying it would only drain the
//!   retry quota.
//! - **Backoff**: full jitter, `min(max_backoff, jitter × base × 2^(n−1))`
//!   after the `n`-th attempt failed, where `jitter` is the caller's random
//!   value in `[0, 1)` and `base` is [`RetryConfig::throttling_base_delay`]
//!   for throttling, [`RetryConfig::base_delay`] otherwise
//!   ([`RetryConfig::backoff`]).
//! - **Retry quota**: one token bucket per [`crate::Client`], starting (and
//!   capped) at [`INITIAL_RETRY_TOKENS`]. Each retry costs
//!   [`RETRY_COST`], or [`TIMEOUT_RETRY_COST`] after a transport timeout.
//!   When the bucket cannot pay, the call stops and returns its last error.
//!   A call that succeeds at once puts back [`NO_RETRY_INCREMENT`]; a call
//!   whose retry succeeds puts back what that retry cost.
//! - **Clock skew**: the `Date` header of every answer ([`parse_http_date`])
//!   minus the wall clock when it arrived is the client's clock offset;
//!   every request signed after that uses `wall + offset`. Only this
//!   correction and signing read the wall clock; everything scheduled runs
//!   on the monotonic one. An error whose
//!   code says the signature time was wrong ([`ErrorCode::is_clock_skew`])
//!   is retried once, at once (at the ordinary [`RETRY_COST`], within
//!   `max_attempts`), when the correction moved the signing time
//!   by more than [`CLOCK_SKEW_THRESHOLD`] (4 minutes, as the AWS SDK for
//!   Java decides it); otherwise re-signing could not help and the error is
//!   final.
//!
//! # Adaptive mode
//! Standard mode plus the SDKs' client-side rate limiter: once a throttling
//! answer is seen, every attempt first takes a token from a second bucket
//! whose fill rate follows the CUBIC congestion algorithm (cut by
//! β = 0.7 at each throttle, grown back along a cubic curve with scale
//! 0.4, never above twice the measured send rate, never below 0.5
//! requests/s). When the bucket is empty the call says
//! [`Action::Wait`](crate::call::Action::Wait) before it sends. The rate
//! limiter counts time on the monotonic [`Instant`] the driver passes in,
//! so wall-clock jumps do not touch it; an instant older than one already
//! seen (from a call on another thread) only stalls refills.
//!
//! ```
//! use std::time::Duration;
//! use kinesis_proto::retry::{FailureClass, RetryConfig};
//! let config = RetryConfig::default().with_max_attempts(5);
//! // The third attempt was throttled; jitter 0.5 gives half of 500 ms × 2².
//! assert_eq!(config.backoff(FailureClass::Throttling, 3, 0.5), Duration::from_secs(1));
//! // Capped at max_backoff (20 s).
//! assert_eq!(config.backoff(FailureClass::Transient, 40, 0.99), Duration::from_secs(20));
//! ```

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

#[cfg(doc)]
use crate::error::ErrorCode;
use crate::error::{Error, ServiceError, TransportError, TransportErrorKind};

/// Tokens in a client's retry quota at the start, and at most.
pub const INITIAL_RETRY_TOKENS: u32 = 500;
/// Tokens one retry takes from the quota.
pub const RETRY_COST: u32 = 5;
/// Tokens a retry after a transport timeout takes from the quota.
pub const TIMEOUT_RETRY_COST: u32 = 10;
/// Tokens a call that succeeded without retrying puts back.
pub const NO_RETRY_INCREMENT: u32 = 1;
/// How far a clock-offset correction must move the signing time before a
/// clock-skew error is retried.
pub const CLOCK_SKEW_THRESHOLD: time::Duration = time::Duration::minutes(4);

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryMode {
    /// The AWS SDKs' standard mode.
    Standard,
    /// Standard mode plus client-side rate limiting after throttling.
    Adaptive,
}

/// Retry settings, as the AWS SDKs name them.
///
/// ```
/// use std::time::Duration;
/// use kinesis_proto::retry::{RetryConfig, RetryMode};
/// let retry = RetryConfig::adaptive()
///     .with_max_attempts(5)
///     .with_max_backoff(Duration::from_secs(5));
/// assert_eq!(retry.mode, RetryMode::Adaptive);
/// assert_eq!(RetryConfig::disabled().max_attempts, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Standard or adaptive.
    pub mode: RetryMode,
    /// Attempts in all, the first included (default 3; 1 turns retries off;
    /// 0 counts as 1).
    pub max_attempts: u32,
    /// Base of the exponential backoff for transient failures.
    pub base_delay: Duration,
    /// Base of the exponential backoff for throttling.
    pub throttling_base_delay: Duration,
    /// Cap of any one backoff (default 20 s).
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 3,
            base_delay: Duration::from_millis(50),
            throttling_base_delay: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryConfig {
    /// Standard mode with the default settings.
    pub fn standard() -> Self {
        RetryConfig::default()
    }
    /// Adaptive mode with the default settings.
    pub fn adaptive() -> Self {
        RetryConfig {
            mode: RetryMode::Adaptive,
            ..RetryConfig::default()
        }
    }
    /// One attempt per call, no retries.
    pub fn disabled() -> Self {
        RetryConfig::default().with_max_attempts(1)
    }
    /// Sets the mode.
    pub fn with_mode(mut self, mode: RetryMode) -> Self {
        self.mode = mode;
        self
    }
    /// Sets the attempts per call, the first included (0 counts as 1).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }
    /// Sets the backoff base for transient failures.
    pub fn with_base_delay(mut self, base: Duration) -> Self {
        self.base_delay = base;
        self
    }
    /// Sets the backoff base for throttling.
    pub fn with_throttling_base_delay(mut self, base: Duration) -> Self {
        self.throttling_base_delay = base;
        self
    }
    /// Sets the cap of any one backoff.
    pub fn with_max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max;
        self
    }

    /// Attempts per call, never less than one.
    pub fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// The delay before the next attempt, after attempt number `attempt`
    /// (1 for the first) failed with `class`:
    /// `min(max_backoff, jitter × base × 2^(attempt−1))`.
    ///
    /// `jitter` is a random value in `[0, 1)`; values outside are clamped
    /// into `[0, 1]` (NaN counts as 0). Clock-skew retries and final
    /// failures wait nothing.
    pub fn backoff(&self, class: FailureClass, attempt: u32, jitter: f64) -> Duration {
        let base = match class {
            FailureClass::Throttling => self.throttling_base_delay,
            FailureClass::Transient | FailureClass::Timeout => self.base_delay,
            FailureClass::ClockSkew | FailureClass::Final => return Duration::ZERO,
        };
        let jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        // 2^62 × any base already exceeds every Duration, so cap the exponent.
        let exponent = attempt.saturating_sub(1).min(62) as i32;
        let secs = jitter * base.as_secs_f64() * 2f64.powi(exponent);
        match Duration::try_from_secs_f64(secs) {
            Ok(d) => d.min(self.max_backoff),
            Err(_) => self.max_backoff,
        }
    }
}

/// How the retry logic treats one failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureClass {
    /// The service asked the caller to slow down: retried with the
    /// throttling backoff base.
    Throttling,
    /// A fault that passes by itself (5xx, connection refused or reset):
    /// retried.
    Transient,
    /// The transport timed out: retried, at the timeout cost.
    Timeout,
    /// The signing time was off: retried once, at once, if the clock-offset
    /// correction changed the signing time enough.
    ClockSkew,
    /// Sending again cannot help.
    Final,
}

impl FailureClass {
    /// The class of a service error.
    ///
    /// ```
    /// use kinesis_proto::retry::FailureClass;
    /// use kinesis_proto::{ErrorCode, ServiceError};
    /// let e = ServiceError {
    ///     code: ErrorCode::ProvisionedThroughputExceeded,
    ///     message: None,
    ///     status: http::StatusCode::BAD_REQUEST,
    ///     request_id: None,
    /// };
    /// assert_eq!(FailureClass::of_service_error(&e), FailureClass::Throttling);
    /// ```
    pub fn of_service_error(e: &ServiceError) -> FailureClass {
        if e.code.is_clock_skew() {
            FailureClass::ClockSkew
        } else if e.is_throttling() {
            FailureClass::Throttling
        } else if e.is_retryable() {
            FailureClass::Transient
        } else {
            FailureClass::Final
        }
    }

    /// The class of a transport failure: `Connect` and `Io` are transient,
    /// `Timeout` is a timeout, `Tls`, `Protocol` and `Other` are final.
    pub fn of_transport_error(kind: TransportErrorKind) -> FailureClass {
        match kind {
            TransportErrorKind::Connect | TransportErrorKind::Io => FailureClass::Transient,
            TransportErrorKind::Timeout => FailureClass::Timeout,
            TransportErrorKind::Tls | TransportErrorKind::Protocol | TransportErrorKind::Other => {
                FailureClass::Final
            }
        }
    }

    /// The class of any error: usage and response errors are final.
    pub fn of_error(e: &Error) -> FailureClass {
        match e {
            Error::Service(e) => FailureClass::of_service_error(e),
            Error::Transport(e) => FailureClass::of_transport_error(e.kind),
            Error::Usage(_) | Error::Response(_) => FailureClass::Final,
        }
    }

    /// Whether a failure of this class may be retried at all.
    pub fn is_retryable(self) -> bool {
        self != FailureClass::Final
    }

    /// What a retry of this class takes from the retry quota.
    pub fn retry_cost(self) -> u32 {
        match self {
            FailureClass::Timeout => TIMEOUT_RETRY_COST,
            _ => RETRY_COST,
        }
    }
}

/// The retry state one client shares between all its calls: the retry
/// quota, the clock offset and adaptive mode's rate limiter, behind one
/// lock. A [`crate::Client`] holds it and hands a clone to each call; only
/// the methods of this module change it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SharedRetryState(Arc<Mutex<RetryState>>);

impl SharedRetryState {
    /// The state. A panic elsewhere while it was held cannot leave it
    /// inconsistent (it is plain numbers), so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, RetryState> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Tokens left in the retry quota.
    pub(crate) fn quota(&self) -> u32 {
        self.lock().quota
    }

    /// Server clock minus local clock, from the last `Date` header.
    pub(crate) fn clock_offset(&self) -> time::Duration {
        self.lock().clock_offset
    }

    /// Sets the quota (tests start from a chosen level).
    #[cfg(test)]
    pub(crate) fn set_quota(&self, quota: u32) {
        self.lock().quota = quota;
    }

    /// Whether adaptive mode's rate limiter has been switched on.
    #[cfg(test)]
    pub(crate) fn is_rate_limiting(&self) -> bool {
        self.lock().rate.is_enabled()
    }
}

/// The retry state itself.
#[derive(Debug)]
struct RetryState {
    /// Tokens left in the retry quota.
    quota: u32,
    /// Server clock minus local clock, from the last `Date` header.
    clock_offset: time::Duration,
    /// Adaptive mode's rate limiter (unused in standard mode).
    rate: RateLimiter,
}

impl Default for RetryState {
    fn default() -> Self {
        RetryState {
            quota: INITIAL_RETRY_TOKENS,
            clock_offset: time::Duration::ZERO,
            rate: RateLimiter::default(),
        }
    }
}

impl RetryState {
    /// Takes `cost` tokens for a retry, or says no when the quota cannot pay.
    fn acquire_retry(&mut self, cost: u32) -> bool {
        match self.quota.checked_sub(cost) {
            Some(left) => {
                self.quota = left;
                true
            }
            None => false,
        }
    }

    /// Puts `amount` tokens back, up to the initial capacity.
    fn release(&mut self, amount: u32) {
        self.quota = self.quota.saturating_add(amount).min(INITIAL_RETRY_TOKENS);
    }
}

/// What follows a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Send again, after this class's backoff (none for clock skew).
    Retry(FailureClass),
    /// The failure is the call's outcome, for this reason.
    GiveUp(&'static str),
}

/// One call's retry bookkeeping, over the state its client shares: every
/// decision about attempts, the quota, the clock offset and the rate
/// limiter is made here, each event under one lock.
#[derive(Debug)]
pub(crate) struct Retries {
    shared: SharedRetryState,
    tally: Tally,
}

/// What one call counts.
#[derive(Debug)]
struct Tally {
    config: RetryConfig,
    /// Requests sent so far.
    attempts: u32,
    /// Quota tokens taken for the retry now under way, given back if it
    /// succeeds.
    held_cost: Option<u32>,
    /// Whether a clock-skew error was already retried.
    skew_retried: bool,
}

impl Retries {
    /// A call's bookkeeping, following `config`, sharing `shared`.
    pub(crate) fn new(config: RetryConfig, shared: SharedRetryState) -> Self {
        Retries {
            shared,
            tally: Tally {
                config,
                attempts: 0,
                held_cost: None,
                skew_retried: false,
            },
        }
    }

    /// The settings followed.
    pub(crate) fn config(&self) -> &RetryConfig {
        &self.tally.config
    }

    /// Requests sent so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.tally.attempts
    }

    /// Asks to send the next attempt at `now`: the clock offset to sign it
    /// with, or (adaptive mode's rate limiter) how long to wait first.
    pub(crate) fn admit(&mut self, now: Instant) -> Result<time::Duration, Duration> {
        let mut shared = self.shared.lock();
        if self.tally.config.mode == RetryMode::Adaptive {
            if let Some(wait) = shared.rate.acquire(now) {
                return Err(wait);
            }
        }
        Ok(shared.clock_offset)
    }

    /// Counts an attempt as sent.
    pub(crate) fn sent(&mut self) {
        self.tally.attempts += 1;
    }

    /// Records a successful answer to the last attempt (see
    /// [`Retries::failed`] for the arguments).
    pub(crate) fn succeeded(
        &mut self,
        now: Instant,
        wall: OffsetDateTime,
        server_time: Option<OffsetDateTime>,
        signed_offset: time::Duration,
    ) {
        let mut shared = self.shared.lock();
        let mode = self.tally.config.mode;
        Self::observe(
            &mut shared,
            mode,
            now,
            wall,
            server_time,
            signed_offset,
            false,
        );
        let refund = self.tally.held_cost.take().unwrap_or(NO_RETRY_INCREMENT);
        shared.release(refund);
    }

    /// Records an error answer to the last attempt and says what follows.
    /// The answer arrived at `now` (wall clock `wall`) carrying the
    /// service's `Date` `server_time`; the request was signed with
    /// `signed_offset`.
    pub(crate) fn failed(
        &mut self,
        now: Instant,
        wall: OffsetDateTime,
        server_time: Option<OffsetDateTime>,
        signed_offset: time::Duration,
        error: &Error,
    ) -> Verdict {
        let mut shared = self.shared.lock();
        let throttled = matches!(error, Error::Service(e) if e.is_throttling());
        let skew_corrected = Self::observe(
            &mut shared,
            self.tally.config.mode,
            now,
            wall,
            server_time,
            signed_offset,
            throttled,
        );
        self.tally
            .verdict(&mut shared, FailureClass::of_error(error), skew_corrected)
    }

    /// Learns the clock offset from an answer's `Date` and feeds the rate
    /// limiter; returns whether the offset moved the signing time by more
    /// than [`CLOCK_SKEW_THRESHOLD`].
    fn observe(
        shared: &mut RetryState,
        mode: RetryMode,
        now: Instant,
        wall: OffsetDateTime,
        server_time: Option<OffsetDateTime>,
        signed_offset: time::Duration,
        throttled: bool,
    ) -> bool {
        if mode == RetryMode::Adaptive {
            shared.rate.update(now, throttled);
        }
        let Some(server_time) = server_time else {
            return false;
        };
        let offset = server_time - wall;
        shared.clock_offset = offset;
        offset
            .checked_sub(signed_offset)
            .is_none_or(|moved| moved.abs() > CLOCK_SKEW_THRESHOLD)
    }

    /// Records a transport failure of the last attempt at `now` and says
    /// what follows.
    pub(crate) fn transport_failed(&mut self, now: Instant, error: &TransportError) -> Verdict {
        let mut shared = self.shared.lock();
        if self.tally.config.mode == RetryMode::Adaptive {
            shared.rate.update(now, false);
        }
        let class = FailureClass::of_transport_error(error.kind);
        self.tally.verdict(&mut shared, class, false)
    }
}

impl Tally {
    /// Retry or give up, after a failure of `class`.
    fn verdict(
        &mut self,
        shared: &mut RetryState,
        class: FailureClass,
        skew_corrected: bool,
    ) -> Verdict {
        let refusal = if !class.is_retryable() {
            Some("not retryable")
        } else if class == FailureClass::ClockSkew && self.skew_retried {
            Some("clock skew already corrected once")
        } else if class == FailureClass::ClockSkew && !skew_corrected {
            Some("clock offset unchanged, re-signing cannot help")
        } else if self.attempts >= self.config.attempts() {
            Some("no attempts left")
        } else if !shared.acquire_retry(class.retry_cost()) {
            Some("retry quota exhausted")
        } else {
            None
        };
        if let Some(reason) = refusal {
            return Verdict::GiveUp(reason);
        }
        // Any earlier retry's tokens stay spent; these come back on success.
        self.held_cost = Some(class.retry_cost());
        if class == FailureClass::ClockSkew {
            self.skew_retried = true;
        }
        Verdict::Retry(class)
    }
}

/// The shortest wait the rate limiter asks for.
const MIN_RATE_LIMIT_WAIT: Duration = Duration::from_millis(1);

/// Adaptive mode's client-side rate limiter: a token bucket whose fill rate
/// follows CUBIC, enabled by the first throttling answer. It counts time in
/// seconds since the first instant it was shown.
#[derive(Debug, Default)]
struct RateLimiter {
    /// The first instant seen: time zero.
    origin: Option<Instant>,
    /// Created at the first event.
    inner: Option<RateInner>,
}

#[derive(Debug)]
struct RateInner {
    enabled: bool,
    // Token bucket.
    fill_rate: f64,
    max_capacity: f64,
    capacity: f64,
    last_refill: Option<f64>,
    // Send-rate measurement.
    measured_rate: f64,
    last_bucket: f64,
    count: f64,
    // CUBIC.
    w_max: f64,
    k: f64,
    last_throttle: f64,
}

/// Lowest fill rate of the rate limiter, requests per second.
const MIN_FILL_RATE: f64 = 0.5;
/// Multiplicative decrease at a throttle.
const BETA: f64 = 0.7;
/// Scale of the cubic growth.
const SCALE_CONSTANT: f64 = 0.4;
/// Weight of the newest measurement of the send rate.
const SMOOTHING: f64 = 0.8;
/// The new fill rate never exceeds this many times the measured send rate.
const MAX_RATE_ADJUST_SCALE: f64 = 2.0;

impl RateInner {
    fn new(now: f64) -> Self {
        let mut inner = RateInner {
            enabled: false,
            fill_rate: 0.0,
            max_capacity: 0.0,
            capacity: 0.0,
            last_refill: None,
            measured_rate: 0.0,
            last_bucket: now.floor(),
            count: 0.0,
            w_max: MIN_FILL_RATE,
            k: 0.0,
            last_throttle: now,
        };
        inner.k = inner.zero_point();
        inner.set_max_rate(1.0, now);
        inner
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_refill {
            let elapsed = (now - last).max(0.0);
            self.capacity = (self.capacity + elapsed * self.fill_rate).min(self.max_capacity);
        }
        // A clock that went back is taken as the new reference.
        self.last_refill = Some(now);
    }

    fn set_max_rate(&mut self, rate: f64, now: f64) {
        self.refill(now);
        self.fill_rate = rate.max(MIN_FILL_RATE);
        self.max_capacity = rate.max(1.0);
        self.capacity = self.capacity.min(self.max_capacity);
    }

    /// Counts one answer and returns the smoothed send rate.
    fn record(&mut self, now: f64) -> f64 {
        let bucket = (now * 2.0).floor() / 2.0;
        self.count += 1.0;
        if bucket > self.last_bucket {
            let rate = self.count / (bucket - self.last_bucket);
            self.measured_rate = rate * SMOOTHING + self.measured_rate * (1.0 - SMOOTHING);
            self.count = 0.0;
            self.last_bucket = bucket;
        }
        self.measured_rate
    }

    fn zero_point(&self) -> f64 {
        (self.w_max * (1.0 - BETA) / SCALE_CONSTANT).cbrt()
    }

    fn cubic_success(&self, now: f64) -> f64 {
        let dt = now - self.last_throttle;
        SCALE_CONSTANT * (dt - self.k).powi(3) + self.w_max
    }

    fn cubic_throttle(&mut self, rate: f64, now: f64) -> f64 {
        self.w_max = rate;
        self.k = self.zero_point();
        self.last_throttle = now;
        rate * BETA
    }
}

impl RateLimiter {
    /// `now` in seconds since the origin (an instant before it, which
    /// calls on other threads may bring, counts as the origin).
    fn seconds(&mut self, now: Instant) -> f64 {
        let origin = *self.origin.get_or_insert(now);
        now.saturating_duration_since(origin).as_secs_f64()
    }

    fn inner(&mut self, now: Instant) -> (&mut RateInner, f64) {
        let t = self.seconds(now);
        (self.inner.get_or_insert_with(|| RateInner::new(t)), t)
    }

    /// Asks to send one request at `now`: `None` to go ahead (a token was
    /// taken), or how long to wait before asking again.
    fn acquire(&mut self, now: Instant) -> Option<Duration> {
        let (inner, now) = self.inner(now);
        if !inner.enabled {
            return None;
        }
        inner.refill(now);
        // The tolerance keeps float rounding from asking a driver that slept
        // exactly as told to sleep again for a few nanoseconds.
        if inner.capacity >= 1.0 - 1e-9 {
            inner.capacity = (inner.capacity - 1.0).max(0.0);
            return None;
        }
        let wait = (1.0 - inner.capacity) / inner.fill_rate;
        // A fill rate is never below MIN_FILL_RATE, so `wait` is at most 2 s;
        // the fallback only guards against a NaN. The floor of one
        // millisecond keeps a wait shorter than the float resolution of the
        // clock from being a wait that refills nothing, asked for forever.
        Some(
            Duration::try_from_secs_f64(wait)
                .unwrap_or(Duration::from_secs(2))
                .max(MIN_RATE_LIMIT_WAIT),
        )
    }

    /// Feeds the outcome of one attempt that ended at `now`.
    fn update(&mut self, now: Instant, throttled: bool) {
        let (inner, now) = self.inner(now);
        let measured = inner.record(now);
        let new_rate = if throttled {
            let rate = if inner.enabled {
                measured.min(inner.fill_rate)
            } else {
                measured
            };
            inner.enabled = true;
            inner.cubic_throttle(rate, now)
        } else {
            inner.cubic_success(now)
        };
        let new_rate = new_rate.min(MAX_RATE_ADJUST_SCALE * measured);
        inner.set_max_rate(
            if new_rate.is_finite() {
                new_rate
            } else {
                MIN_FILL_RATE
            },
            now,
        );
    }

    /// Whether a throttling answer has switched rate limiting on.
    #[cfg(test)]
    fn is_enabled(&self) -> bool {
        self.inner.as_ref().is_some_and(|i| i.enabled)
    }
}

/// Parses an HTTP `Date` header in the IMF-fixdate form every AWS service
/// sends (`Sat, 21 Nov 2026 21:40:26 GMT`); `None` for anything else.
///
/// The weekday is not checked against the date. The obsolete RFC 850 and
/// asctime forms are not accepted.
///
/// ```
/// use kinesis_proto::retry::parse_http_date;
/// let t = parse_http_date("Sat, 21 Nov 2026 21:40:26 GMT").unwrap();
/// assert_eq!(t.unix_timestamp(), 1_795_297_226);
/// assert_eq!(parse_http_date("yesterday"), None);
/// ```
pub fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    let mut parts = s.split_ascii_whitespace();
    let weekday = parts.next()?;
    if weekday.len() != 4 || !weekday.ends_with(',') {
        return None;
    }
    let day: u8 = number(parts.next()?, 1, 2)?;
    let month = match parts.next()? {
        "Jan" => Month::January,
        "Feb" => Month::February,
        "Mar" => Month::March,
        "Apr" => Month::April,
        "May" => Month::May,
        "Jun" => Month::June,
        "Jul" => Month::July,
        "Aug" => Month::August,
        "Sep" => Month::September,
        "Oct" => Month::October,
        "Nov" => Month::November,
        "Dec" => Month::December,
        _ => return None,
    };
    let year: u16 = number(parts.next()?, 4, 4)?;
    let mut hms = parts.next()?.split(':');
    let hour: u8 = number(hms.next()?, 2, 2)?;
    let minute: u8 = number(hms.next()?, 2, 2)?;
    let second: u8 = number(hms.next()?, 2, 2)?;
    if hms.next().is_some() || parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    let date = Date::from_calendar_date(i32::from(year), month, day).ok()?;
    let time = Time::from_hms(hour, minute, second.min(59)).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// An unsigned decimal of `min..=max` ASCII digits.
fn number<T: std::str::FromStr>(s: &str, min: usize, max: usize) -> Option<T> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, UsageError};

    fn service(code: ErrorCode, status: u16) -> ServiceError {
        ServiceError {
            code,
            message: None,
            status: http::StatusCode::from_u16(status).expect("valid test status"),
            request_id: None,
        }
    }

    #[test]
    fn backoff_is_full_jitter_capped() {
        let c = RetryConfig::default()
            .with_base_delay(Duration::from_millis(100))
            .with_throttling_base_delay(Duration::from_millis(400))
            .with_max_backoff(Duration::from_secs(2));
        use FailureClass::{ClockSkew, Final, Throttling, Timeout, Transient};
        let ms = Duration::from_millis;
        // (class, attempt, jitter, expected delay)
        let cases = [
            (Transient, 1, 0.5, ms(50)),
            (Transient, 2, 0.5, ms(100)),
            (Timeout, 3, 0.25, ms(100)),
            (Throttling, 1, 0.5, ms(200)),
            (Throttling, 4, 0.5, ms(1600)),
            // 0.5 × 400 ms × 2^4 = 3.2 s, capped at 2 s.
            (Throttling, 5, 0.5, ms(2000)),
            (Throttling, u32::MAX, 0.999, ms(2000)),
            (Transient, 3, 0.0, Duration::ZERO),
            (ClockSkew, 3, 0.9, Duration::ZERO),
            (Final, 3, 0.9, Duration::ZERO),
        ];
        for (class, attempt, jitter, expected) in cases {
            assert_eq!(
                c.backoff(class, attempt, jitter),
                expected,
                "{class:?} attempt {attempt} jitter {jitter}"
            );
        }
    }

    #[test]
    fn backoff_sanitizes_jitter() {
        let c = RetryConfig::default().with_base_delay(Duration::from_secs(1));
        assert_eq!(
            c.backoff(FailureClass::Transient, 1, f64::NAN),
            Duration::ZERO
        );
        assert_eq!(c.backoff(FailureClass::Transient, 1, -3.0), Duration::ZERO);
        assert_eq!(
            c.backoff(FailureClass::Transient, 1, 7.0),
            Duration::from_secs(1)
        );
        assert_eq!(
            c.backoff(FailureClass::Transient, 1, f64::INFINITY),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn classes_of_errors() {
        use FailureClass::*;
        let cases = [
            (ErrorCode::ProvisionedThroughputExceeded, 400, Throttling),
            (ErrorCode::LimitExceeded, 400, Throttling),
            (ErrorCode::Throttling, 400, Throttling),
            (ErrorCode::KmsThrottling, 400, Throttling),
            (ErrorCode::Unspecified, 429, Throttling),
            (ErrorCode::InternalFailure, 500, Transient),
            (ErrorCode::ServiceUnavailable, 503, Transient),
            (ErrorCode::Unspecified, 500, Transient),
            (ErrorCode::Unspecified, 502, Transient),
            (ErrorCode::Unspecified, 503, Transient),
            (ErrorCode::Unspecified, 504, Transient),
            (ErrorCode::RequestExpired, 400, ClockSkew),
            (ErrorCode::InvalidSignature, 403, ClockSkew),
            (ErrorCode::ExpiredIterator, 400, Final),
            (ErrorCode::ResourceNotFound, 400, Final),
            (ErrorCode::InvalidArgument, 400, Final),
            (ErrorCode::AccessDenied, 400, Final),
            (ErrorCode::Unspecified, 501, Final),
            (ErrorCode::Other("Whatever".into()), 400, Final),
        ];
        for (code, status, class) in cases {
            let e = service(code.clone(), status);
            assert_eq!(
                FailureClass::of_service_error(&e),
                class,
                "{code} / {status}"
            );
            assert_eq!(FailureClass::of_error(&Error::Service(e)), class);
        }
        assert_eq!(
            FailureClass::of_transport_error(TransportErrorKind::Connect),
            Transient
        );
        assert_eq!(
            FailureClass::of_transport_error(TransportErrorKind::Io),
            Transient
        );
        assert_eq!(
            FailureClass::of_transport_error(TransportErrorKind::Timeout),
            Timeout
        );
        assert_eq!(
            FailureClass::of_transport_error(TransportErrorKind::Tls),
            Final
        );
        assert_eq!(
            FailureClass::of_transport_error(TransportErrorKind::Protocol),
            Final
        );
        assert_eq!(
            FailureClass::of_transport_error(TransportErrorKind::Other),
            Final
        );
        let t = Error::Transport(TransportError::new(TransportErrorKind::Timeout, "slow"));
        assert_eq!(FailureClass::of_error(&t), Timeout);
        let u = Error::Usage(UsageError::new("x", "y"));
        assert_eq!(FailureClass::of_error(&u), Final);
        assert_eq!(Timeout.retry_cost(), 10);
        assert_eq!(Throttling.retry_cost(), 5);
        assert_eq!(Transient.retry_cost(), 5);
        assert!(!Final.is_retryable());
    }

    #[test]
    fn quota_pays_and_refills_up_to_capacity() {
        let mut s = RetryState::default();
        assert_eq!(s.quota, 500);
        for _ in 0..50 {
            assert!(s.acquire_retry(TIMEOUT_RETRY_COST));
        }
        assert_eq!(s.quota, 0);
        assert!(!s.acquire_retry(RETRY_COST));
        s.release(3);
        assert!(!s.acquire_retry(RETRY_COST));
        assert_eq!(s.quota, 3);
        s.release(1000);
        assert_eq!(s.quota, 500);
    }

    #[test]
    fn http_dates() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("valid date");
        assert_eq!(t.unix_timestamp(), 784_111_777);
        let t = parse_http_date("Sat, 21 Nov 2026 21:40:26 GMT").expect("valid date");
        assert_eq!(t.unix_timestamp(), 1_795_297_226);
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun 06 Nov 1994 08:49:37 GMT",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Xyz 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
        // A leap second is read as :59 rather than refused.
        let t = parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT").expect("leap second");
        assert_eq!(t.second(), 59);
    }

    // The CUBIC figures of the SDKs' shared test suite (as in the AWS SDK
    // for Go v2 and smithy-rs): w_max 10 at the last throttle, t = 5.
    #[test]
    fn cubic_success_curve() {
        let mut inner = RateInner::new(0.0);
        inner.w_max = 10.0;
        inner.k = inner.zero_point();
        inner.last_throttle = 5.0;
        let expected = [
            (5.0, 7.0),
            (6.0, 9.64893600966),
            (7.0, 10.000030849917364),
            (8.0, 10.453284520772092),
            (9.0, 13.408697022224185),
            (10.0, 21.26626835427364),
            (11.0, 36.425998516920465),
        ];
        for (t, rate) in expected {
            let got = inner.cubic_success(t);
            assert!((got - rate).abs() < 1e-9, "t={t}: {got} vs {rate}");
        }
        assert!((inner.cubic_throttle(10.0, 5.0) - 7.0).abs() < 1e-12);
    }

    /// `secs` seconds after a fixed instant.
    fn at(base: Instant, secs: f64) -> Instant {
        base + Duration::from_secs_f64(secs)
    }

    #[test]
    fn rate_limiter_is_off_until_throttled_then_slows_sends() {
        let mut r = RateLimiter::default();
        let t0 = Instant::now();
        for i in 0..20 {
            assert_eq!(r.acquire(at(t0, f64::from(i) * 0.01)), None);
            r.update(at(t0, f64::from(i) * 0.01), false);
        }
        assert!(!r.is_enabled());
        r.update(at(t0, 0.5), true);
        assert!(r.is_enabled());
        // Sending as fast as possible at one instant: the bucket empties and
        // the limiter asks to wait, then lets the request through later.
        let now = at(t0, 0.6);
        let mut waited = None;
        for _ in 0..10 {
            if let Some(w) = r.acquire(now) {
                waited = Some(w);
                break;
            }
        }
        let w = waited.expect("the rate limiter must ask to wait");
        assert!(w > Duration::ZERO && w <= Duration::from_secs(2), "{w:?}");
        assert_eq!(r.acquire(now + w + Duration::from_micros(1)), None);
    }

    #[test]
    fn rate_limiter_survives_instants_out_of_order() {
        // Calls on other threads may report instants older than the origin.
        let t0 = Instant::now() + Duration::from_secs(100);
        let mut r = RateLimiter::default();
        r.update(t0, true);
        r.update(t0 - Duration::from_secs(50), true);
        let _ = r.acquire(t0 - Duration::from_secs(90));
        r.update(t0 - Duration::from_secs(100), false);
        let w = r.acquire(t0 + Duration::from_secs(200));
        assert!(w.is_none_or(|w| w <= Duration::from_secs(2)), "{w:?}");
    }

    #[test]
    fn shared_state_is_shared_by_clones() {
        let a = SharedRetryState::default();
        let b = a.clone();
        a.set_quota(7);
        assert_eq!(b.quota(), 7);
        assert_eq!(b.clock_offset(), time::Duration::ZERO);
        assert!(!b.is_rate_limiting());
    }

    #[test]
    fn retries_decide_with_one_lock_per_event() {
        let shared = SharedRetryState::default();
        let mut r = Retries::new(RetryConfig::default(), shared.clone());
        let now = Instant::now();
        let wall = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(r.admit(now), Ok(time::Duration::ZERO));
        r.sent();
        let throttled = Error::Service(service(ErrorCode::Throttling, 400));
        assert_eq!(
            r.failed(now, wall, None, time::Duration::ZERO, &throttled),
            Verdict::Retry(FailureClass::Throttling)
        );
        assert_eq!(shared.quota(), INITIAL_RETRY_TOKENS - RETRY_COST);
        r.sent();
        // A Date five minutes ahead: the offset is learnt and the retry's
        // cost comes back with the success.
        let date = wall + time::Duration::minutes(5);
        r.succeeded(now, wall, Some(date), time::Duration::ZERO);
        assert_eq!(shared.quota(), INITIAL_RETRY_TOKENS);
        assert_eq!(shared.clock_offset(), time::Duration::minutes(5));
        assert_eq!(r.admit(now), Ok(time::Duration::minutes(5)));
        r.sent();
        let reset = TransportError::new(TransportErrorKind::Tls, "bad certificate");
        assert_eq!(
            r.transport_failed(now, &reset),
            Verdict::GiveUp("not retryable")
        );
        assert_eq!(r.attempts(), 3);
    }
}
