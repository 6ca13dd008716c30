//! One call, retries and time limit included, as a state machine that a
//! transport drives.
//!
//! A [`Call`] owns what it needs — its operation, a [`CredentialsSource`],
//! and a clone of its [`Client`] (which shares the retry state of all the
//! client's calls) — so it is `'static + Send`: it can be stored in another
//! state machine, moved to another thread or kept in an event loop. It owns
//! no socket, clock or random source. Two clocks come in as arguments, as
//! in quinn-proto: a monotonic [`Instant`] for everything scheduled
//! (backoff, adaptive mode's rate limiter, the call's time limit), and the
//! wall clock ([`OffsetDateTime`]) only for signing and clock-skew
//! correction. Every driver runs the same loop:
//!
//! ```text
//!   ┌──────────────► poll(now, wall, random)
//!   │                          │
//!   │        ┌─────────────────┼──────────────────────┐
//!   │        ▼                 ▼                      ▼
//!   │      Wait       Send { request, timeout }   Done(result)
//!   │        │                 │                the call is over
//!   │        ▼                 ▼
//!   │  sleep until     send it within `timeout`, then
//!   │  poll_timeout()  handle_response(answer, now, wall)
//!   │        │         or handle_transport_error(e, now)
//!   └────────┴─────────────────┘
//! ```
//!
//! `Wait` is a backoff before a retry or, in adaptive mode, a wait the
//! client-side rate limiter asks for; [`Call::poll_timeout`] says until
//! when. Each attempt is signed anew, with the wall clock of its own `poll`
//! corrected by the clock offset the service's `Date` headers showed. The
//! `timeout` of a `Send` is the shorter of the per-attempt limit
//! ([`Config::with_attempt_timeout`](crate::Config::with_attempt_timeout))
//! and what is left of the whole-call limit
//! ([`Config::with_call_timeout`](crate::Config::with_call_timeout)); a call
//! that runs out of time ends in `Done(Err(Error::Transport(..)))` of kind
//! [`TransportErrorKind::Timeout`]. The driver makes no timing decision of
//! its own.
//!
//! Here it is against a scripted in-memory responder, in virtual time: the
//! first attempt is throttled, the second loses its connection, the third
//! succeeds.
//!
//! ```
//! use std::collections::VecDeque;
//! use std::time::{Duration, Instant};
//! use kinesis_proto::call::{Action, Call};
//! use kinesis_proto::retry::RetryConfig;
//! use kinesis_proto::{ops::PutRecord, Client, Config, Credentials};
//! use kinesis_proto::{TransportError, TransportErrorKind};
//!
//! fn answer(status: u16, body: &str) -> http::Response<Vec<u8>> {
//!     http::Response::builder().status(status).body(body.as_bytes().to_vec()).unwrap()
//! }
//! let mut network: VecDeque<Result<http::Response<Vec<u8>>, TransportError>> = VecDeque::from([
//!     Ok(answer(400, r#"{"__type":"ProvisionedThroughputExceededException"}"#)),
//!     Err(TransportError::new(TransportErrorKind::Io, "connection reset by peer")),
//!     Ok(answer(200, r#"{"ShardId":"shardId-000000000001","SequenceNumber":"49"}"#)),
//! ]);
//!
//! let config = Config::new("us-east-1")
//!     .with_retry(RetryConfig::default())
//!     .with_attempt_timeout(Some(Duration::from_secs(10)))
//!     .with_call_timeout(Some(Duration::from_secs(30)));
//! let client = Client::new(config);
//! let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
//! let put = PutRecord::new("my-stream", "user-42", b"hello".to_vec());
//!
//! // Virtual time: both clocks move only when this loop moves them.
//! let mut now = Instant::now();
//! let mut wall = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
//! let random = 0.5; // a driver passes a fresh random value in [0, 1) each time
//!
//! let mut call = Call::new(&client, put, credentials); // owns all it needs
//! let (mut sent, mut waited) = (0, Duration::ZERO);
//! let result = loop {
//!     match call.poll(now, wall, random) {
//!         Action::Send { request, timeout } => {
//!             assert!(request.headers().contains_key("authorization"));
//!             assert_eq!(timeout, Some(Duration::from_secs(10)));
//!             sent += 1;
//!             match network.pop_front().expect("one scripted answer per request") {
//!                 Ok(response) => call.handle_response(response, now, wall),
//!                 Err(failure) => call.handle_transport_error(failure, now),
//!             }
//!         }
//!         Action::Wait => {
//!             let until = call.poll_timeout().expect("a wait has an end");
//!             let pause = until - now; // a real driver sleeps until `until`
//!             waited += pause;
//!             now = until;
//!             wall += pause;
//!         }
//!         Action::Done(result) => break result,
//!     }
//! };
//! assert_eq!(result.unwrap().sequence_number, "49");
//! assert_eq!(sent, 3);
//! // 0.5 × 500 ms × 2⁰ after the throttle, 0.5 × 50 ms × 2¹ after the reset.
//! assert_eq!(waited, Duration::from_millis(250 + 50));
//! ```
//!
//! What is retried, how long the call waits, the retry quota and the clock
//! skew correction are described in [`crate::retry`]. The retry settings
//! and time limits come from the client's [`crate::Config`]; the quota, the
//! clock offset and adaptive mode's rate limiter are shared by every call
//! made through one [`Client`] and its clones.
//!
//! # Driver contract
//! - Poll until `Wait`, then sleep until [`Call::poll_timeout`] (or until
//!   any earlier event of your own) and poll again. Polling early is
//!   harmless: it says `Wait` again.
//! - After `Send`, send the request within its `timeout` (when it is set;
//!   report running out of it as a [`TransportErrorKind::Timeout`]) and
//!   feed exactly one of `handle_response` (any HTTP answer, error statuses
//!   included, with the whole body) or `handle_transport_error`, then poll
//!   again. While the request is out, `poll` says `Wait` and
//!   `poll_timeout` is the call's deadline; polling after it ends the call
//!   with its timeout, and a late answer is ignored.
//! - After `Done`, the call is over; polling again returns
//!   `Done(Err(Error::Usage(..)))` and feeding answers is ignored (with a
//!   `log` warning), as is feeding an answer when no request is out.
//!   Nothing panics.
//! - The time limit counts from the first `poll`. A wait that would pass
//!   the deadline is cut at it, and the call ends there.
//!
//! Every attempt is logged at `debug` level through the `log` crate
//! (operation, attempt number, URL and size, HTTP status and error code,
//! chosen delay); bodies, signatures and credentials never are.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::client::Client;
use crate::credentials::CredentialsSource;
use crate::error::{Error, UsageError};
use crate::operation::{Expect, Operation};
use crate::retry::{self, FailureClass, Retries, Verdict};

/// Also at the crate root; here for drivers that name them with the call.
#[doc(no_inline)]
pub use crate::error::{TransportError, TransportErrorKind};

/// What the driver does next.
#[derive(Debug)]
#[must_use]
pub enum Action<T> {
    /// Send this request and feed the answer to
    /// [`Call::handle_response`] (or the failure to
    /// [`Call::handle_transport_error`]).
    Send {
        /// The signed request, ready to send as it is.
        request: http::Request<Vec<u8>>,
        /// How long the exchange may take, connecting, sending and
        /// receiving included; `None` for no limit.
        timeout: Option<Duration>,
    },
    /// Nothing to do before [`Call::poll_timeout`]: sleep until then (or
    /// until an answer comes, when a request is out) and poll again.
    Wait,
    /// The call is over.
    Done(Result<T, Error>),
}

/// Where a call stands.
enum State<O: Operation> {
    /// The next attempt (the first, or a retry with no backoff) is due.
    Ready,
    /// The last attempt failed with a retryable `FailureClass`: the next
    /// poll picks the delay (it brings the random value).
    Backoff(FailureClass),
    /// Nothing to do before `until` (a backoff or a rate-limit wait).
    Waiting { until: Instant },
    /// A request is out; its answer parses with `expect`.
    InFlight {
        expect: Expect<O>,
        /// The clock offset the request was signed with.
        signed_offset: time::Duration,
    },
    /// The outcome, handed out by the next poll.
    Finished(Result<O::Output, Error>),
    /// `Done` was returned.
    Over,
}

impl<O: Operation> State<O> {
    fn name(&self) -> &'static str {
        match self {
            State::Ready => "ready",
            State::Backoff(_) => "backing off",
            State::Waiting { .. } => "waiting",
            State::InFlight { .. } => "in flight",
            State::Finished(_) => "finished",
            State::Over => "over",
        }
    }
}

/// The whole-call time limit, once the call has started.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    limit: Duration,
}

/// One call of operation `O`, with retries and time limits.
///
/// See the [module docs](self) for the loop that drives it. `Call<O>` is
/// `'static + Send` for every operation:
///
/// ```
/// use kinesis_proto::call::Call;
/// use kinesis_proto::{ops::PutRecords, Client, Config, Credentials};
/// fn storable<T: Send + 'static>(_: &T) {}
/// let client = Client::new(Config::new("us-east-1"));
/// let call = Call::new(&client, PutRecords::new("s", vec![]), Credentials::new("A", "S", None));
/// storable(&call);
/// ```
pub struct Call<O: Operation> {
    client: Client,
    op: O,
    credentials: Arc<dyn CredentialsSource>,
    retries: Retries,
    state: State<O>,
    /// Whether `poll` was called (the time limit starts then).
    started: bool,
    deadline: Option<Deadline>,
    /// An outer deadline (a waiter's, a producer's…) the call must also
    /// end by; see [`Call::with_deadline`].
    outer_deadline: Option<Instant>,
    /// A short description of the last failed attempt, for the timeout
    /// error.
    last_failure: Option<String>,
}

impl<O: Operation> fmt::Debug for Call<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("operation", &O::NAME)
            .field("state", &self.state.name())
            .field("attempts", &self.retries.attempts())
            .field("max_attempts", &self.retries.config().attempts())
            .field("deadline", &self.deadline.map(|d| d.at))
            .finish_non_exhaustive()
    }
}

impl<O: Operation> Call<O> {
    /// Starts a call of `op` through `client` (a clone of it is kept),
    /// signed with what `credentials` hands out at each attempt, retried
    /// and timed as the client's [`Config`](crate::Config) says. Static
    /// [`Credentials`](crate::Credentials) are a source as they are.
    /// Nothing is validated, asked or sent before the first
    /// [`Call::poll`].
    pub fn new(client: &Client, op: O, credentials: impl Into<Arc<dyn CredentialsSource>>) -> Self {
        Call {
            retries: Retries::new(*client.config().retry(), client.retry_state().clone()),
            client: client.clone(),
            op,
            credentials: credentials.into(),
            state: State::Ready,
            started: false,
            deadline: None,
            outer_deadline: None,
            last_failure: None,
        }
    }

    /// Ends the call by `at` at the latest (with the same
    /// [`TransportErrorKind::Timeout`] error as the call time limit), as
    /// well as within the client's call time limit, whichever comes first.
    /// A machine that runs calls inside a time limit of its own (a waiter,
    /// say) hands it down here, so no driver races a call against a timer.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use kinesis_proto::call::{Action, Call};
    /// use kinesis_proto::{ops::PutRecord, Client, Config, Credentials, Error};
    ///
    /// let client = Client::new(Config::new("us-east-1"));
    /// let start = Instant::now();
    /// let put = PutRecord::new("s", "k", b"x".to_vec());
    /// let mut call = Call::new(&client, put, Credentials::new("A", "S", None))
    ///     .with_deadline(start + Duration::from_secs(1));
    /// let wall = time::OffsetDateTime::UNIX_EPOCH;
    /// let Action::Send { timeout, .. } = call.poll(start, wall, 0.5) else { panic!() };
    /// assert!(timeout.is_some_and(|t| t <= Duration::from_secs(1)));
    /// // No answer by the deadline: the call ends there.
    /// let late = start + Duration::from_secs(1);
    /// assert!(matches!(call.poll(late, wall, 0.5), Action::Done(Err(Error::Transport(_)))));
    /// ```
    pub fn with_deadline(mut self, at: Instant) -> Self {
        self.outer_deadline = Some(at);
        self
    }

    /// The operation this call sends.
    pub fn operation(&self) -> &O {
        &self.op
    }

    /// Requests sent so far.
    pub fn attempts(&self) -> u32 {
        self.retries.attempts()
    }

    /// Whether `Done` was returned.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Over)
    }

    /// When to poll next, after `poll` said [`Action::Wait`]: the end of a
    /// backoff or rate-limit wait, or while a request is out, the call's
    /// deadline. `None` when no timer runs: a request is out and the call
    /// has no time limit, or there is something to do at the next poll.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.state {
            State::Waiting { until } => Some(*until),
            State::InFlight { .. } => self.deadline.map(|d| d.at),
            _ => None,
        }
    }

    /// What to do next. `now` is the monotonic clock (for scheduling),
    /// `wall` the wall clock (for signing), `random` a random value in
    /// `[0, 1)` (for backoff jitter).
    pub fn poll(&mut self, now: Instant, wall: OffsetDateTime, random: f64) -> Action<O::Output> {
        if !self.started {
            self.started = true;
            let own = self.client.config().call_timeout().and_then(|limit| {
                // An instant that far ahead is beyond any limit that matters.
                now.checked_add(limit).map(|at| Deadline { at, limit })
            });
            let outer = self.outer_deadline.map(|at| Deadline {
                at,
                limit: at.saturating_duration_since(now),
            });
            self.deadline = match (own, outer) {
                (Some(own), Some(outer)) => Some(if outer.at < own.at { outer } else { own }),
                (own, outer) => own.or(outer),
            };
        }
        match std::mem::replace(&mut self.state, State::Over) {
            State::Finished(result) => Action::Done(result),
            State::Over => {
                log::warn!("{}: polled after the call was done", O::NAME);
                Action::Done(Err(misuse("polled after the call was done")))
            }
            State::InFlight {
                expect,
                signed_offset,
            } => {
                if self.expired(now) {
                    log::debug!("{}: ran out of time with a request out", O::NAME);
                    return self.time_out();
                }
                self.state = State::InFlight {
                    expect,
                    signed_offset,
                };
                Action::Wait
            }
            State::Waiting { until } if now < until => {
                self.state = State::Waiting { until };
                Action::Wait
            }
            State::Waiting { .. } | State::Ready => self.send(now, wall),
            State::Backoff(class) => {
                let delay = self
                    .retries
                    .config()
                    .backoff(class, self.retries.attempts(), random);
                if delay.is_zero() {
                    return self.send(now, wall);
                }
                log::debug!(
                    "{} attempt {}/{}: backing off {delay:?}",
                    O::NAME,
                    self.retries.attempts() + 1,
                    self.retries.config().attempts()
                );
                self.wait(now, delay)
            }
        }
    }

    /// Whether the deadline has come.
    fn expired(&self, now: Instant) -> bool {
        self.deadline.is_some_and(|d| now >= d.at)
    }

    /// Waits `delay` from `now`, or only until the deadline, where the
    /// call will end.
    fn wait(&mut self, now: Instant, delay: Duration) -> Action<O::Output> {
        if self.expired(now) {
            return self.time_out();
        }
        // `Instant` covers centuries; a sum out of its range cannot happen
        // with delays capped at seconds, and would only skip the wait.
        let mut until = now.checked_add(delay).unwrap_or(now);
        if let Some(d) = self.deadline.filter(|d| until > d.at) {
            log::debug!(
                "{}: a wait of {delay:?} would pass the deadline; waiting until it",
                O::NAME
            );
            until = d.at;
        }
        self.state = State::Waiting { until };
        Action::Wait
    }

    /// Ends the call with its time limit's error.
    fn time_out(&mut self) -> Action<O::Output> {
        self.state = State::Over;
        let limit = self.deadline.map_or(Duration::ZERO, |d| d.limit);
        let mut message = format!("the {} call took longer than {limit:?}", O::NAME);
        if let Some(last) = &self.last_failure {
            message.push_str(&format!(" (last attempt: {last})"));
        }
        Action::Done(Err(Error::Transport(TransportError::new(
            TransportErrorKind::Timeout,
            message,
        ))))
    }

    /// Signs and hands out the next attempt, unless the deadline came or
    /// adaptive mode's rate limiter says to wait first.
    fn send(&mut self, now: Instant, wall: OffsetDateTime) -> Action<O::Output> {
        let left = match self.deadline {
            None => None,
            Some(d) => match d.at.checked_duration_since(now) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return self.time_out(),
            },
        };
        let (n, max) = (
            self.retries.attempts() + 1,
            self.retries.config().attempts(),
        );
        let offset = match self.retries.admit(now) {
            Ok(offset) => offset,
            Err(wait) => {
                log::debug!(
                    "{} attempt {n}/{max}: client-side rate limit, waiting {wait:?}",
                    O::NAME
                );
                return self.wait(now, wait);
            }
        };
        // Out of range only for an absurd offset; signing with the local
        // clock is then the best left to do.
        let signing_time = wall.checked_add(offset).unwrap_or(wall);
        let prepared = self
            .credentials
            .credentials(signing_time)
            .and_then(|credentials| self.client.prepare(&self.op, &credentials, signing_time));
        match prepared {
            Ok((request, expect)) => {
                self.retries.sent();
                let timeout = shorter(self.client.config().attempt_timeout(), left);
                log::debug!(
                    "{} attempt {n}/{max}: POST {} ({} bytes, clock offset {offset}, time limit {timeout:?})",
                    O::NAME,
                    request.uri(),
                    request.body().len()
                );
                self.state = State::InFlight {
                    expect,
                    signed_offset: offset,
                };
                Action::Send { request, timeout }
            }
            Err(e) => {
                log::debug!("{} attempt {n}/{max}: not sent: {e}", O::NAME);
                Action::Done(Err(e))
            }
        }
    }

    /// Feeds the answer to the last `Send`: `now` and `wall` are the two
    /// clocks when it arrived (the wall clock for clock-skew correction).
    pub fn handle_response<B: AsRef<[u8]>>(
        &mut self,
        response: http::Response<B>,
        now: Instant,
        wall: OffsetDateTime,
    ) {
        let Some((expect, signed_offset)) = self.take_in_flight("an answer") else {
            return;
        };
        let server_time = response
            .headers()
            .get(http::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_http_date);
        match expect.parse(&response) {
            Ok(output) => {
                self.retries
                    .succeeded(now, wall, server_time, signed_offset);
                log::debug!(
                    "{} attempt {}/{}: succeeded (HTTP {}, {} bytes)",
                    O::NAME,
                    self.retries.attempts(),
                    self.retries.config().attempts(),
                    response.status().as_u16(),
                    response.body().as_ref().len()
                );
                self.state = State::Finished(Ok(output));
            }
            Err(e) => {
                let verdict = self
                    .retries
                    .failed(now, wall, server_time, signed_offset, &e);
                self.failed(e, verdict);
            }
        }
    }

    /// Feeds a failure to send the last `Send` or to receive its answer;
    /// `now` is the monotonic clock when it happened.
    pub fn handle_transport_error(&mut self, error: TransportError, now: Instant) {
        if self.take_in_flight("a transport error").is_none() {
            return;
        }
        let verdict = self.retries.transport_failed(now, &error);
        self.failed(Error::Transport(error), verdict);
    }

    /// Hands in how sending the request of [`Action::Send`] ended, at `now`
    /// (`wall` for the clock-skew check): its answer, as
    /// [`Call::handle_response`], or the transport's failure, as
    /// [`Call::handle_transport_error`]. What a driver that gets a `Result`
    /// from its transport calls.
    pub fn handle_sent<B: AsRef<[u8]>>(
        &mut self,
        sent: Result<http::Response<B>, TransportError>,
        now: Instant,
        wall: OffsetDateTime,
    ) {
        match sent {
            Ok(response) => self.handle_response(response, now, wall),
            Err(error) => self.handle_transport_error(error, now),
        }
    }

    /// Moves on after a failed attempt as the verdict says.
    fn failed(&mut self, error: Error, verdict: Verdict) {
        let what = describe(&error);
        let (n, max) = (self.retries.attempts(), self.retries.config().attempts());
        match verdict {
            Verdict::GiveUp(reason) => {
                log::debug!(
                    "{} attempt {n}/{max}: failed ({what}); giving up: {reason}",
                    O::NAME
                );
                self.state = State::Finished(Err(error));
            }
            Verdict::Retry(class) => {
                log::debug!(
                    "{} attempt {n}/{max}: failed ({what}); retrying as {class:?} for {} quota tokens",
                    O::NAME,
                    class.retry_cost()
                );
                self.last_failure = Some(what);
                self.state = State::Backoff(class);
            }
        }
    }

    /// Takes the in-flight request's bookkeeping, or logs and ignores
    /// `what` (leaving the state as it was) when no request is out.
    fn take_in_flight(&mut self, what: &str) -> Option<(Expect<O>, time::Duration)> {
        match std::mem::replace(&mut self.state, State::Over) {
            State::InFlight {
                expect,
                signed_offset,
            } => Some((expect, signed_offset)),
            other => {
                log::warn!(
                    "{}: ignored {what} fed while the call was {}",
                    O::NAME,
                    other.name()
                );
                self.state = other;
                None
            }
        }
    }
}

/// The shorter of two optional limits.
fn shorter(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The error a driver that breaks the contract gets.
fn misuse(problem: &str) -> Error {
    Error::Usage(UsageError::new("Call", problem))
}

/// A short, secret-free description of a failure for the log.
fn describe(e: &Error) -> String {
    match e {
        Error::Service(e) => format!("HTTP {} {}", e.status.as_u16(), e.code),
        Error::Response(e) => format!("HTTP {} unreadable answer", e.status.as_u16()),
        Error::Transport(e) => format!("transport {:?}: {}", e.kind, e.message),
        Error::Usage(e) => format!("usage error in {}", e.field),
    }
}

#[cfg(test)]
mod tests;
