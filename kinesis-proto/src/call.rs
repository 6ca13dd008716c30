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
//! - The time limit counts from the first `poll`. A wait that would end at
//!   or after the deadline is not taken: the call ends at once.
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
            last_failure: None,
        }
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
            self.deadline = self.client.config().call_timeout().and_then(|limit| {
                // An instant that far ahead is beyond any limit that matters.
                now.checked_add(limit).map(|at| Deadline { at, limit })
            });
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

    /// Waits `delay` from `now`, unless that would reach the deadline.
    fn wait(&mut self, now: Instant, delay: Duration) -> Action<O::Output> {
        // `Instant` covers centuries; a sum out of its range cannot happen
        // with delays capped at seconds, and would only skip the wait.
        let until = now.checked_add(delay).unwrap_or(now);
        if self.deadline.is_some_and(|d| until >= d.at) {
            log::debug!(
                "{}: a wait of {delay:?} would pass the deadline; call ended",
                O::NAME
            );
            return self.time_out();
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
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use proptest::prelude::*;

    use super::*;
    use crate::error::{ErrorCode, ServiceError};
    use crate::limits::Limits;
    use crate::operation::Plane;
    use crate::retry::{
        RetryConfig, RetryMode, INITIAL_RETRY_TOKENS, RETRY_COST, TIMEOUT_RETRY_COST,
    };
    use crate::{Config, Credentials};

    /// 2023-11-14 22:13:20 UTC.
    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid test time")
    }
    const T0_AMZ: &str = "20231114T221320Z";

    fn client(retry: RetryConfig) -> Client {
        Client::new(Config::new("us-east-1").with_retry(retry))
    }

    fn creds() -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
        )
    }

    /// A stand-in operation, so these tests depend on no real one.
    #[derive(Debug, Clone, serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Probe {
        stream_name: String,
        #[serde(skip)]
        valid: bool,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct ProbeOutput {
        shard_id: String,
        sequence_number: String,
    }

    impl Operation for Probe {
        const NAME: &'static str = "Probe";
        const PLANE: Plane = Plane::Data;
        type Output = ProbeOutput;

        fn validate(&self, _limits: &Limits) -> Result<(), UsageError> {
            if self.valid {
                Ok(())
            } else {
                Err(UsageError::new("Data", "too large"))
            }
        }
    }

    fn put() -> Probe {
        Probe {
            stream_name: "my-stream".into(),
            valid: true,
        }
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
        let mut b = http::Response::builder().status(status);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(body.as_bytes().to_vec())
            .expect("valid test response")
    }

    const OK_BODY: &str = r#"{"ShardId":"shardId-000000000000","SequenceNumber":"7"}"#;

    fn ok() -> Step {
        Step::Answer(answer(200, &[], OK_BODY))
    }

    fn code(status: u16, code: &str) -> Step {
        Step::Answer(answer(
            status,
            &[("x-amzn-RequestId", &format!("req-{code}-{status}"))],
            &format!(r#"{{"__type":"{code}","message":"no"}}"#),
        ))
    }

    fn transport(kind: TransportErrorKind) -> Step {
        Step::Fail(TransportError::new(kind, format!("{kind:?} happened")))
    }

    enum Step {
        /// This answer, at once.
        Answer(http::Response<Vec<u8>>),
        /// This failure, at once.
        Fail(TransportError),
        /// No answer: the attempt uses up the time it was given and fails
        /// with a timeout.
        Hang,
        /// The next step, after this long.
        After(Duration, Box<Step>),
    }

    /// Both clocks of a test, moved together: the monotonic one for the
    /// call's scheduling, the wall clock for signing.
    #[derive(Debug, Clone, Copy)]
    struct Clocks {
        now: Instant,
        wall: OffsetDateTime,
    }

    impl Clocks {
        fn at(wall: OffsetDateTime) -> Self {
            Clocks {
                now: Instant::now(),
                wall,
            }
        }
        fn advance(&mut self, d: Duration) {
            self.now += d;
            self.wall += d;
        }
    }

    #[derive(Debug)]
    struct Trace {
        result: Result<ProbeOutput, Error>,
        sent: Vec<http::Request<Vec<u8>>>,
        /// The time limit of every `Send`, in order.
        timeouts: Vec<Option<Duration>>,
        /// Every wait (until `poll_timeout`), in order.
        sleeps: Vec<Duration>,
        /// The wall clock at the end.
        clock: OffsetDateTime,
        /// Monotonic time from the first poll to `Done`.
        elapsed: Duration,
    }

    impl Trace {
        fn amz_dates(&self) -> Vec<&str> {
            self.sent
                .iter()
                .map(|r| r.headers()["x-amz-date"].to_str().expect("ascii date"))
                .collect()
        }
        fn service_error(&self) -> &ServiceError {
            match &self.result {
                Err(Error::Service(e)) => e,
                other => panic!("expected a service error, got {other:?}"),
            }
        }
        fn timeout_error(&self) -> &TransportError {
            match &self.result {
                Err(Error::Transport(e)) if e.kind == TransportErrorKind::Timeout => e,
                other => panic!("expected a timeout, got {other:?}"),
            }
        }
    }

    /// Feeds one scripted step to a call whose request is out.
    fn feed(call: &mut Call<Probe>, step: Step, timeout: Option<Duration>, clocks: &mut Clocks) {
        match step {
            Step::Answer(r) => call.handle_response(r, clocks.now, clocks.wall),
            Step::Fail(e) => call.handle_transport_error(e, clocks.now),
            Step::Hang => {
                clocks.advance(timeout.expect("a hanging attempt needs a time limit"));
                call.handle_transport_error(
                    TransportError::new(TransportErrorKind::Timeout, "no answer in time"),
                    clocks.now,
                );
            }
            Step::After(d, step) => {
                clocks.advance(d);
                feed(call, *step, timeout, clocks);
            }
        }
    }

    /// Drives one call in virtual time, as a driver does: answers come from
    /// `script` in order; waits move both clocks to `poll_timeout`.
    fn drive_call(
        mut call: Call<Probe>,
        script: Vec<Step>,
        jitter: f64,
        mut clocks: Clocks,
    ) -> Trace {
        let mut script = VecDeque::from(script);
        let start = clocks.now;
        let (mut sent, mut timeouts, mut sleeps) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..10_000 {
            match call.poll(clocks.now, clocks.wall, jitter) {
                Action::Send { request, timeout } => {
                    sent.push(request);
                    timeouts.push(timeout);
                    let step = script
                        .pop_front()
                        .expect("the call sent more requests than scripted");
                    feed(&mut call, step, timeout, &mut clocks);
                }
                Action::Wait => {
                    let until = call.poll_timeout().expect("a Wait without a timer");
                    assert!(until > clocks.now, "a wait that ends at once: {call:?}");
                    let d = until - clocks.now;
                    sleeps.push(d);
                    clocks.advance(d);
                }
                Action::Done(result) => {
                    assert!(call.is_done());
                    assert_eq!(call.attempts() as usize, sent.len());
                    return Trace {
                        result,
                        sent,
                        timeouts,
                        sleeps,
                        clock: clocks.wall,
                        elapsed: clocks.now - start,
                    };
                }
            }
        }
        panic!("the call did not finish");
    }

    fn drive_at(
        client: &Client,
        op: &Probe,
        script: Vec<Step>,
        jitter: f64,
        start: OffsetDateTime,
    ) -> Trace {
        let call = Call::new(client, op.clone(), creds());
        drive_call(call, script, jitter, Clocks::at(start))
    }

    fn drive(client: &Client, script: Vec<Step>, jitter: f64) -> Trace {
        drive_at(client, &put(), script, jitter, t0())
    }

    fn timed_client(retry: RetryConfig, call: Option<u64>, attempt: Option<u64>) -> Client {
        Client::new(
            Config::new("us-east-1")
                .with_retry(retry)
                .with_call_timeout(call.map(Duration::from_millis))
                .with_attempt_timeout(attempt.map(Duration::from_millis)),
        )
    }

    /// Every operation's call can be stored anywhere and moved across
    /// threads: it borrows nothing.
    #[test]
    fn every_call_is_static_and_send() {
        fn storable<T: Send + 'static>() {}
        fn shared<T: Send + Sync + Clone + 'static>() {}
        shared::<Client>();
        shared::<Arc<dyn CredentialsSource>>();
        storable::<Call<Probe>>();
        macro_rules! check {
            ($([$method:ident, $input:ident, $summary:literal, $example:literal]),* $(,)?) => {
                $( storable::<Call<crate::ops::$input>>(); )*
            };
        }
        crate::for_each_operation!(check);
    }

    #[test]
    fn a_call_outlives_its_arguments_and_moves_to_another_thread() {
        let call = {
            let c = client(RetryConfig::default());
            let op = put();
            Call::new(&c, op, creds())
        };
        let trace = std::thread::spawn(move || drive_call(call, vec![ok()], 0.5, Clocks::at(t0())))
            .join()
            .expect("the thread finished");
        assert_eq!(trace.result.expect("success").sequence_number, "7");
    }

    #[test]
    fn success_first_try() {
        let c = client(RetryConfig::default());
        let t = drive(&c, vec![ok()], 0.5);
        let out = t.result.as_ref().expect("success");
        assert_eq!(out.sequence_number, "7");
        assert_eq!(t.sent.len(), 1);
        assert!(t.sleeps.is_empty());
        assert_eq!(t.amz_dates(), [T0_AMZ]);
        assert_eq!(
            t.sent[0].headers()["x-amz-target"],
            "Kinesis_20131202.Probe"
        );
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS);
    }

    #[test]
    fn throttled_twice_then_success() {
        let c =
            client(RetryConfig::default().with_throttling_base_delay(Duration::from_millis(400)));
        let script = vec![
            code(400, "ProvisionedThroughputExceededException"),
            code(400, "LimitExceededException"),
            ok(),
        ];
        let t = drive(&c, script, 0.5);
        assert_eq!(
            t.result.as_ref().expect("success").shard_id,
            "shardId-000000000000"
        );
        // jitter × base × 2^(n−1): 0.5 × 400 ms, 0.5 × 800 ms.
        assert_eq!(
            t.sleeps,
            [Duration::from_millis(200), Duration::from_millis(400)]
        );
        // Each attempt is signed anew at the time it is sent.
        assert_eq!(
            t.amz_dates(),
            [T0_AMZ, "20231114T221320Z", "20231114T221320Z"]
        );
        assert_eq!(t.clock, t0() + Duration::from_millis(600));
    }

    #[test]
    fn backoff_is_capped_and_signing_follows_the_clock() {
        let c = client(
            RetryConfig::default()
                .with_max_attempts(4)
                .with_throttling_base_delay(Duration::from_secs(1))
                .with_max_backoff(Duration::from_millis(1500)),
        );
        let script = vec![
            code(400, "ThrottlingException"),
            code(400, "ThrottlingException"),
            code(429, "SomethingNew"),
            ok(),
        ];
        let t = drive(&c, script, 0.9);
        t.result.as_ref().expect("success");
        // 0.9 s, 1.8 s → 1.5 s, 3.6 s → 1.5 s.
        assert_eq!(
            t.sleeps,
            [
                Duration::from_millis(900),
                Duration::from_millis(1500),
                Duration::from_millis(1500)
            ]
        );
        assert_eq!(
            t.amz_dates(),
            [
                T0_AMZ,
                "20231114T221320Z",
                "20231114T221322Z",
                "20231114T221323Z"
            ]
        );
    }

    #[test]
    fn max_attempts_exhausted_returns_the_last_error() {
        let c = client(RetryConfig::default());
        let script = vec![
            code(500, "InternalFailure"),
            code(503, "ServiceUnavailable"),
            code(400, "ProvisionedThroughputExceededException"),
        ];
        let t = drive(&c, script, 0.5);
        let e = t.service_error();
        assert_eq!(e.code, ErrorCode::ProvisionedThroughputExceeded);
        assert_eq!(
            e.request_id.as_deref(),
            Some("req-ProvisionedThroughputExceededException-400")
        );
        assert_eq!(t.sent.len(), 3);
        // Transient 0.5 × 50 ms, then transient 0.5 × 100 ms.
        assert_eq!(
            t.sleeps,
            [Duration::from_millis(25), Duration::from_millis(50)]
        );
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS - 2 * RETRY_COST);
    }

    #[test]
    fn one_attempt_means_no_retry() {
        let c = client(RetryConfig::disabled());
        let t = drive(&c, vec![code(500, "InternalFailure")], 0.5);
        assert_eq!(t.service_error().code, ErrorCode::InternalFailure);
        assert_eq!(t.sent.len(), 1);
        let c = client(RetryConfig::default().with_max_attempts(0));
        let t = drive(&c, vec![code(500, "InternalFailure")], 0.5);
        assert_eq!(t.sent.len(), 1);
    }

    #[test]
    fn non_retryable_codes_stop_at_once() {
        for (status, wire, expected) in [
            (400, "ExpiredIteratorException", ErrorCode::ExpiredIterator),
            (
                400,
                "ResourceNotFoundException",
                ErrorCode::ResourceNotFound,
            ),
            (400, "InvalidArgumentException", ErrorCode::InvalidArgument),
            (400, "AccessDeniedException", ErrorCode::AccessDenied),
            (400, "ResourceInUseException", ErrorCode::ResourceInUse),
            (400, "ValidationException", ErrorCode::Validation),
            (
                403,
                "UnrecognizedClientException",
                ErrorCode::UnrecognizedClient,
            ),
        ] {
            let c = client(RetryConfig::default());
            let t = drive(&c, vec![code(status, wire)], 0.5);
            assert_eq!(t.service_error().code, expected);
            assert_eq!(t.sent.len(), 1, "{wire}");
            assert!(t.sleeps.is_empty());
            assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS);
        }
    }

    #[test]
    fn unreadable_success_is_not_retried() {
        let c = client(RetryConfig::default());
        let t = drive(
            &c,
            vec![Step::Answer(answer(200, &[], "{\"ShardId\": 12"))],
            0.5,
        );
        match t.result {
            Err(Error::Response(e)) => assert_eq!(e.status, 200),
            other => panic!("{other:?}"),
        }
        assert_eq!(t.sent.len(), 1);
    }

    #[test]
    fn token_bucket_exhaustion_stops_retries() {
        let c = client(RetryConfig::default());
        let failing = || {
            vec![
                code(500, "InternalFailure"),
                code(500, "InternalFailure"),
                code(500, "InternalFailure"),
            ]
        };
        // Each call retries twice at 5 tokens: 50 calls drain 500 tokens.
        for i in 0..50 {
            let t = drive(&c, failing(), 0.1);
            assert_eq!(t.sent.len(), 3, "call {i}");
        }
        assert_eq!(c.retry_quota(), 0);
        // Now a failure cannot pay for a retry: the first error is final.
        let t = drive(&c, vec![code(503, "ServiceUnavailable")], 0.1);
        assert_eq!(t.sent.len(), 1);
        assert_eq!(t.service_error().code, ErrorCode::ServiceUnavailable);
        assert!(t.sleeps.is_empty());
        // Successes refill one token each; a retry needs five.
        for _ in 0..4 {
            drive(&c, vec![ok()], 0.1).result.expect("success");
        }
        assert_eq!(c.retry_quota(), 4);
        assert_eq!(
            drive(&c, vec![code(500, "InternalFailure")], 0.1)
                .sent
                .len(),
            1
        );
        drive(&c, vec![ok()], 0.1).result.expect("success");
        let t = drive(
            &c,
            vec![code(500, "InternalFailure"), code(500, "InternalFailure")],
            0.1,
        );
        assert_eq!(t.sent.len(), 2, "one retry paid, the next not");
        assert_eq!(c.retry_quota(), 0);
    }

    #[test]
    fn refund_on_success() {
        let c = client(RetryConfig::default());
        c.retry_state().set_quota(100);
        drive(&c, vec![ok()], 0.5).result.expect("success");
        assert_eq!(c.retry_quota(), 101, "a first-try success adds one token");
        // Two retries: the first retry's 5 tokens stay spent, the second's
        // come back when it succeeds.
        let t = drive(
            &c,
            vec![code(500, "InternalFailure"), code(502, "BadGateway"), ok()],
            0.5,
        );
        t.result.as_ref().expect("success");
        assert_eq!(c.retry_quota(), 101 - RETRY_COST);
        // Never above the initial capacity.
        c.retry_state().set_quota(INITIAL_RETRY_TOKENS);
        drive(&c, vec![ok()], 0.5).result.expect("success");
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS);
    }

    #[test]
    fn transport_errors_retried_then_the_final_one_returned() {
        let c = client(RetryConfig::default());
        let script = vec![
            transport(TransportErrorKind::Connect),
            transport(TransportErrorKind::Io),
            transport(TransportErrorKind::Timeout),
        ];
        let t = drive(&c, script, 0.5);
        match &t.result {
            Err(Error::Transport(e)) => {
                assert_eq!(e.kind, TransportErrorKind::Timeout);
                assert_eq!(e.message, "Timeout happened");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(t.sent.len(), 3);
        assert_eq!(
            t.sleeps,
            [Duration::from_millis(25), Duration::from_millis(50)]
        );
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS - 2 * RETRY_COST);

        for kind in [
            TransportErrorKind::Tls,
            TransportErrorKind::Protocol,
            TransportErrorKind::Other,
        ] {
            let t = drive(&c, vec![transport(kind)], 0.5);
            assert_eq!(t.sent.len(), 1, "{kind:?} is not retried");
            assert!(matches!(t.result, Err(Error::Transport(ref e)) if e.kind == kind));
        }
    }

    #[test]
    fn clock_skew_corrects_the_signing_time() {
        let c = client(RetryConfig::default());
        // The service's clock is ten minutes ahead of ours.
        let skewed = vec![
            Step::Answer(answer(
                400,
                &[("Date", "Tue, 14 Nov 2023 22:23:20 GMT")],
                r#"{"__type":"RequestExpired","message":"Signature expired"}"#,
            )),
            ok(),
        ];
        let t = drive(&c, skewed, 0.5);
        t.result.as_ref().expect("success after re-signing");
        assert_eq!(t.amz_dates(), [T0_AMZ, "20231114T222320Z"]);
        assert!(t.sleeps.is_empty(), "a clock-skew retry does not back off");
        assert_eq!(c.clock_offset(), time::Duration::minutes(10));
        assert_eq!(
            c.retry_quota(),
            INITIAL_RETRY_TOKENS,
            "the retry's cost came back"
        );

        // Later calls on the same client sign with the corrected time.
        let t = drive_at(&c, &put(), vec![ok()], 0.5, t0() + Duration::from_secs(60));
        assert_eq!(t.amz_dates(), ["20231114T222420Z"]);
    }

    #[test]
    fn clock_skew_is_retried_once_and_only_when_the_offset_moved() {
        // No Date header: nothing to correct, so nothing to retry.
        let c = client(RetryConfig::default().with_max_attempts(5));
        let t = drive(&c, vec![code(400, "RequestTimeTooSkewed")], 0.5);
        assert_eq!(t.sent.len(), 1);
        assert_eq!(t.service_error().code, ErrorCode::RequestExpired);

        // A Date that agrees with our clock: a bad signature is not skew.
        let agreeing = Step::Answer(answer(
            403,
            &[("Date", "Tue, 14 Nov 2023 22:13:21 GMT")],
            r#"{"__type":"InvalidSignatureException"}"#,
        ));
        let t = drive(&c, vec![agreeing], 0.5);
        assert_eq!(t.sent.len(), 1);
        assert_eq!(c.clock_offset(), time::Duration::seconds(1));

        // Corrected once; a second skew error (the server clock jumped again)
        // is final.
        let c = client(RetryConfig::default().with_max_attempts(5));
        let twice = vec![
            Step::Answer(answer(
                403,
                &[("Date", "Tue, 14 Nov 2023 21:13:20 GMT")],
                r#"{"__type":"InvalidSignatureException"}"#,
            )),
            Step::Answer(answer(
                403,
                &[("Date", "Tue, 14 Nov 2023 23:13:20 GMT")],
                r#"{"__type":"InvalidSignatureException"}"#,
            )),
        ];
        let t = drive(&c, twice, 0.5);
        assert_eq!(t.sent.len(), 2);
        assert_eq!(t.amz_dates(), [T0_AMZ, "20231114T211320Z"]);
        assert_eq!(c.clock_offset(), time::Duration::hours(1));
    }

    #[test]
    fn any_date_header_sets_the_offset() {
        let c = client(RetryConfig::default());
        let behind = Step::Answer(answer(
            200,
            &[("date", "Tue, 14 Nov 2023 21:13:20 GMT")],
            r#"{"ShardId":"s","SequenceNumber":"1"}"#,
        ));
        drive(&c, vec![behind], 0.5).result.expect("success");
        assert_eq!(c.clock_offset(), -time::Duration::hours(1));
        let t = drive(&c, vec![ok()], 0.5);
        assert_eq!(t.amz_dates(), ["20231114T211320Z"]);
        // An unreadable Date changes nothing.
        let junk = Step::Answer(answer(
            200,
            &[("date", "soon")],
            r#"{"ShardId":"s","SequenceNumber":"1"}"#,
        ));
        drive(&c, vec![junk], 0.5).result.expect("success");
        assert_eq!(c.clock_offset(), -time::Duration::hours(1));
    }

    #[test]
    fn timeouts_cost_more_and_are_refunded_in_full() {
        let c = client(RetryConfig::default());
        let mut call = Call::new(&c, put(), creds());
        let mut clocks = Clocks::at(t0());
        let Action::Send { .. } = call.poll(clocks.now, clocks.wall, 0.5) else {
            panic!("expected Send")
        };
        call.handle_transport_error(
            TransportError::new(TransportErrorKind::Timeout, "read timed out"),
            clocks.now,
        );
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS - TIMEOUT_RETRY_COST);
        let Action::Wait = call.poll(clocks.now, clocks.wall, 0.5) else {
            panic!("expected Wait")
        };
        let until = call.poll_timeout().expect("a backoff");
        assert_eq!(until - clocks.now, Duration::from_millis(25));
        clocks.advance(until - clocks.now);
        let Action::Send { .. } = call.poll(clocks.now, clocks.wall, 0.5) else {
            panic!("expected Send")
        };
        feed(&mut call, ok(), None, &mut clocks);
        let Action::Done(Ok(_)) = call.poll(clocks.now, clocks.wall, 0.5) else {
            panic!("expected success")
        };
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS);

        // A connection failure costs the ordinary five.
        let script = vec![
            transport(TransportErrorKind::Connect),
            code(500, "InternalFailure"),
            code(500, "InternalFailure"),
        ];
        let t = drive(&c, script, 0.5);
        assert_eq!(t.sent.len(), 3);
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS - 2 * RETRY_COST);
    }

    #[test]
    fn usage_error_sends_nothing() {
        let c = client(RetryConfig::default());
        let op = Probe {
            stream_name: "my-stream".into(),
            valid: false,
        };
        let mut call = Call::new(&c, op, creds());
        match call.poll(Instant::now(), t0(), 0.5) {
            Action::Done(Err(Error::Usage(e))) => assert_eq!(e.field, "Data"),
            other => panic!("{other:?}"),
        }
        assert_eq!(call.attempts(), 0);
        assert!(call.is_done());
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS);
    }

    #[test]
    fn out_of_turn_use_does_not_panic() {
        let c = client(RetryConfig::default());
        let mut call = Call::new(&c, put(), creds());
        let now = Instant::now();
        // An answer before anything was sent is ignored.
        let Step::Answer(r) = ok() else {
            unreachable!()
        };
        call.handle_response(r, now, t0());
        call.handle_transport_error(TransportError::new(TransportErrorKind::Io, "x"), now);
        let Action::Send { .. } = call.poll(now, t0(), 0.5) else {
            panic!("expected Send")
        };
        // Polling while the request is out says to wait for it; with no
        // time limit there is no timer.
        let Action::Wait = call.poll(now, t0(), 0.5) else {
            panic!("expected Wait")
        };
        assert_eq!(call.poll_timeout(), None);
        let Step::Answer(r) = ok() else {
            unreachable!()
        };
        call.handle_response(r, now, t0());
        // A finished result survives a stray answer and is still handed out.
        let Step::Answer(r) = code(500, "InternalFailure") else {
            unreachable!()
        };
        call.handle_response(r, now, t0());
        let Action::Done(Ok(out)) = call.poll(now, t0(), 0.5) else {
            panic!("expected success")
        };
        assert_eq!(out.sequence_number, "7");
        assert!(format!("{call:?}").contains("Probe"));
        // After Done: answers are ignored, polls say it is over.
        let Step::Answer(r) = ok() else {
            unreachable!()
        };
        call.handle_response(r, now, t0());
        match call.poll(now, t0(), 0.5) {
            Action::Done(Err(Error::Usage(e))) => assert!(e.problem.contains("after")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn adaptive_mode_rate_limits_after_throttling() {
        let retry = RetryConfig::adaptive().with_max_attempts(1);
        let c = client(retry);
        // Before any throttle, nothing waits.
        let t = drive(&c, vec![ok()], 0.5);
        assert!(t.sleeps.is_empty());
        // A burst of throttled calls at one instant switches the limiter on
        // and empties its bucket: a later call must wait before it sends.
        let mut clocks = Clocks::at(t0());
        let mut waited = Vec::new();
        for _ in 0..10 {
            let call = Call::new(&c, put(), creds());
            let script = vec![code(400, "ProvisionedThroughputExceededException")];
            let t = drive_call(call, script, 0.5, clocks);
            assert_eq!(t.sent.len(), 1);
            waited.extend(t.sleeps);
            // The next call starts where this one ended, on both clocks.
            clocks.advance(t.elapsed);
        }
        assert!(c.retry_state().is_rate_limiting());
        assert!(!waited.is_empty(), "the rate limiter never asked to wait");
        assert!(waited
            .iter()
            .all(|w| *w > Duration::ZERO && *w <= Duration::from_secs(2)));

        // Standard mode never waits before sending, however throttled.
        let c = client(RetryConfig::standard().with_max_attempts(1));
        for _ in 0..10 {
            let t = drive(
                &c,
                vec![code(400, "ProvisionedThroughputExceededException")],
                0.5,
            );
            assert!(t.sleeps.is_empty());
        }
    }

    /// The rate limiter schedules on the monotonic clock: a wall clock that
    /// jumps back an hour (or forward a day) changes no wait.
    #[test]
    fn adaptive_limiter_runs_on_the_monotonic_clock() {
        let waits = |wall_jump: time::Duration| {
            let c = client(RetryConfig::adaptive().with_max_attempts(1));
            let mut clocks = Clocks::at(t0());
            let mut waits = Vec::new();
            for i in 0..12 {
                let mut call = Call::new(&c, put(), creds());
                loop {
                    // Each poll sees the wall clock moved by the jump.
                    let wall = clocks.wall + wall_jump * i;
                    match call.poll(clocks.now, wall, 0.5) {
                        Action::Send { .. } => {
                            let Step::Answer(r) = code(429, "Throttling") else {
                                unreachable!()
                            };
                            call.handle_response(r, clocks.now, wall);
                        }
                        Action::Wait => {
                            let d = call.poll_timeout().expect("a wait") - clocks.now;
                            waits.push(d);
                            clocks.advance(d);
                        }
                        Action::Done(_) => break,
                    }
                }
            }
            waits
        };
        let steady = waits(time::Duration::ZERO);
        assert!(!steady.is_empty(), "throttling never made the limiter wait");
        assert_eq!(waits(-time::Duration::hours(1)), steady);
        assert_eq!(waits(time::Duration::days(1)), steady);
    }

    /// Backoff is scheduled on the monotonic clock: the wait ends when the
    /// monotonic clock says, whatever the wall clock did meanwhile.
    #[test]
    fn poll_timeout_says_when_to_poll() {
        let c = client(RetryConfig::default());
        let mut call = Call::new(&c, put(), creds());
        let start = Instant::now();
        let Action::Send { .. } = call.poll(start, t0(), 0.5) else {
            panic!("expected Send")
        };
        // No time limit: nothing to wake up for while the request is out.
        assert_eq!(call.poll_timeout(), None);
        let Step::Answer(r) = code(500, "InternalFailure") else {
            unreachable!()
        };
        call.handle_response(r, start, t0());
        let Action::Wait = call.poll(start, t0(), 0.5) else {
            panic!("expected Wait")
        };
        let until = call.poll_timeout().expect("a backoff");
        assert_eq!(until, start + Duration::from_millis(25));
        // Polling early, even with a wall clock a day ahead, waits on.
        let early = start + Duration::from_millis(24);
        let Action::Wait = call.poll(early, t0() + time::Duration::days(1), 0.9) else {
            panic!("expected Wait")
        };
        assert_eq!(call.poll_timeout(), Some(until), "the wait does not move");
        // At the time, the retry goes out, signed with that poll's wall clock.
        let wall = t0() - time::Duration::hours(2);
        let Action::Send { request, .. } = call.poll(until, wall, 0.5) else {
            panic!("expected Send")
        };
        assert_eq!(request.headers()["x-amz-date"], "20231114T201320Z");
        assert_eq!(call.poll_timeout(), None);
    }

    #[test]
    fn the_call_deadline_ends_a_call_that_keeps_failing() {
        // 1 s for the call; 500s with 50 ms × 2^n backoff at jitter 1.0:
        // sends at 0, 50, 150, 350, 750 ms; the next wait (800 ms) would
        // pass the deadline, so the call ends at 750 ms.
        let c = timed_client(
            RetryConfig::default().with_max_attempts(100),
            Some(1000),
            None,
        );
        let script = (0..10).map(|_| code(500, "InternalFailure")).collect();
        let t = drive(&c, script, 1.0);
        let e = t.timeout_error();
        assert_eq!(
            e.message,
            "the Probe call took longer than 1s (last attempt: HTTP 500 InternalFailureException)"
        );
        assert_eq!(t.sent.len(), 5);
        assert_eq!(t.elapsed, Duration::from_millis(750));
        // Each attempt was given what was left of the call.
        let left: Vec<_> = [1000, 950, 850, 650, 250]
            .into_iter()
            .map(|ms| Some(Duration::from_millis(ms)))
            .collect();
        assert_eq!(t.timeouts, left);

        // Without a limit the same script runs to the attempt limit.
        let c = client(RetryConfig::default().with_max_attempts(6));
        let script = (0..6).map(|_| code(500, "InternalFailure")).collect();
        let t = drive(&c, script, 1.0);
        assert_eq!(t.service_error().code, ErrorCode::InternalFailure);
        assert_eq!(t.sent.len(), 6);
        assert!(t.timeouts.iter().all(Option::is_none));
    }

    #[test]
    fn a_backoff_past_the_deadline_ends_the_call_at_once() {
        let retry = RetryConfig::default().with_throttling_base_delay(Duration::from_secs(10));
        let c = timed_client(retry, Some(2000), None);
        let t = drive(&c, vec![code(400, "ThrottlingException"), ok()], 0.5);
        t.timeout_error();
        assert_eq!(t.sent.len(), 1);
        assert!(
            t.sleeps.is_empty(),
            "no wait into a deadline it cannot meet"
        );
        assert_eq!(t.elapsed, Duration::ZERO);
        // The quota paid for the retry that never went out; it stays spent.
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS - RETRY_COST);
    }

    #[test]
    fn the_deadline_ends_a_call_whose_request_is_still_out() {
        let c = timed_client(RetryConfig::default(), Some(300), None);
        let mut call = Call::new(&c, put(), creds());
        let start = Instant::now();
        let Action::Send { timeout, .. } = call.poll(start, t0(), 0.5) else {
            panic!("expected Send")
        };
        assert_eq!(timeout, Some(Duration::from_millis(300)));
        assert_eq!(
            call.poll_timeout(),
            Some(start + Duration::from_millis(300))
        );
        let Action::Wait = call.poll(start + Duration::from_millis(299), t0(), 0.5) else {
            panic!("expected Wait")
        };
        // The driver ignored the time limit; at the deadline the call ends.
        let at = start + Duration::from_millis(300);
        match call.poll(at, t0(), 0.5) {
            Action::Done(Err(Error::Transport(e))) => {
                assert_eq!(e.kind, TransportErrorKind::Timeout);
                assert_eq!(e.message, "the Probe call took longer than 300ms");
            }
            other => panic!("{other:?}"),
        }
        // The late answer is ignored.
        let Step::Answer(r) = ok() else {
            unreachable!()
        };
        call.handle_response(r, at, t0());
        assert!(call.is_done());
        assert!(matches!(
            call.poll(at, t0(), 0.5),
            Action::Done(Err(Error::Usage(_)))
        ));
    }

    #[test]
    fn each_attempt_gets_the_shorter_of_its_limit_and_what_is_left() {
        // Attempts of 400 ms within a call of 1 s; attempts that hang use
        // their whole budget. Backoff at jitter 0.5: 25 ms, then 50 ms.
        let c = timed_client(
            RetryConfig::default().with_max_attempts(5),
            Some(1000),
            Some(400),
        );
        let t = drive(&c, vec![Step::Hang, Step::Hang, Step::Hang, ok()], 0.5);
        let ms = |ms| Some(Duration::from_millis(ms));
        // 1000 − 400 − 25 = 575 left: 400; 575 − 400 − 50 = 125 left: 125.
        assert_eq!(t.timeouts, [ms(400), ms(400), ms(125)]);
        assert_eq!(
            t.sleeps,
            [Duration::from_millis(25), Duration::from_millis(50)]
        );
        let e = t.timeout_error();
        assert_eq!(
            e.message,
            "the Probe call took longer than 1s (last attempt: transport Timeout: no answer in time)"
        );
        assert_eq!(t.elapsed, Duration::from_millis(1000));

        // The attempt limit alone when there is no call limit.
        let c = timed_client(RetryConfig::default(), None, Some(400));
        let t = drive(&c, vec![Step::Hang, ok()], 0.5);
        t.result.as_ref().expect("the retry succeeds");
        assert_eq!(t.timeouts, [ms(400), ms(400)]);
        // A success arriving late (after the call limit) still counts.
        let c = timed_client(RetryConfig::default(), Some(100), None);
        let t = drive(
            &c,
            vec![Step::After(Duration::from_millis(150), Box::new(ok()))],
            0.5,
        );
        t.result.as_ref().expect("a late success is a success");
    }

    /// Clock-skew correction reads the wall clock, while the waits before
    /// retries run on the monotonic one.
    #[test]
    fn clock_skew_is_corrected_against_the_wall_clock() {
        let c = client(RetryConfig::default());
        // The service is 10 minutes ahead of the wall clock when the answer
        // arrives; the monotonic clock says nothing about that.
        let skewed = Step::Answer(answer(
            400,
            &[("Date", "Tue, 14 Nov 2023 22:23:20 GMT")],
            r#"{"__type":"RequestExpired"}"#,
        ));
        let mut call = Call::new(&c, put(), creds());
        let now = Instant::now();
        let Action::Send { .. } = call.poll(now, t0(), 0.5) else {
            panic!("expected Send")
        };
        let Step::Answer(r) = skewed else {
            unreachable!()
        };
        call.handle_response(r, now, t0());
        assert_eq!(c.clock_offset(), time::Duration::minutes(10));
        // The retry goes out at once, signed 10 minutes after the wall clock
        // of its own poll (30 s later on the wall, no time on the monotonic
        // clock).
        let wall = t0() + time::Duration::seconds(30);
        let Action::Send { request, .. } = call.poll(now, wall, 0.5) else {
            panic!("expected Send")
        };
        assert_eq!(request.headers()["x-amz-date"], "20231114T222350Z");
    }

    /// A source that records when it was asked and hands out a new key
    /// each time.
    #[derive(Default)]
    struct Recording(Mutex<Vec<OffsetDateTime>>);

    impl CredentialsSource for Recording {
        fn credentials(&self, now: OffsetDateTime) -> Result<Credentials, Error> {
            let mut asked = self.0.lock().unwrap_or_else(|p| p.into_inner());
            asked.push(now);
            if asked.len() > 3 {
                return Err(UsageError::new("credentials", "expired").into());
            }
            Ok(Credentials::new(
                format!("AKID{}", asked.len()),
                "SECRET",
                None,
            ))
        }
    }

    #[test]
    fn the_credentials_source_is_asked_at_each_attempt_with_its_time() {
        let c = client(RetryConfig::default().with_max_attempts(5));
        let source = Arc::new(Recording::default());
        let call = Call::new(&c, put(), source.clone() as Arc<dyn CredentialsSource>);
        let script = vec![
            code(500, "InternalFailure"),
            // The service's clock is one hour behind.
            Step::Answer(answer(
                503,
                &[("Date", "Tue, 14 Nov 2023 21:13:20 GMT")],
                r#"{"__type":"ServiceUnavailable"}"#,
            )),
            ok(),
        ];
        let t = drive_call(call, script, 0.5, Clocks::at(t0()));
        t.result.as_ref().expect("success");
        let asked = source.0.lock().expect("not poisoned").clone();
        // Asked with each attempt's signing time: after 25 ms, then after
        // 25 + 50 ms corrected by the offset the second answer showed (its
        // Date, 21:13:20, minus the wall clock when it came, 22:13:20.025).
        let ms = time::Duration::milliseconds;
        assert_eq!(
            asked,
            [
                t0(),
                t0() + ms(25),
                t0() + ms(75) - time::Duration::hours(1) - ms(25)
            ]
        );
        let keys: Vec<_> = t
            .sent
            .iter()
            .map(|r| {
                let auth = r.headers()["authorization"].to_str().expect("ascii");
                auth.split("Credential=")
                    .nth(1)
                    .and_then(|c| c.split('/').next())
                    .map(str::to_owned)
            })
            .collect();
        assert_eq!(
            keys,
            [
                Some("AKID1".to_owned()),
                Some("AKID2".to_owned()),
                Some("AKID3".to_owned())
            ]
        );

        // A source with nothing to give ends the call with its error before
        // anything is sent.
        let mut call = Call::new(&c, put(), source.clone() as Arc<dyn CredentialsSource>);
        match call.poll(Instant::now(), t0(), 0.5) {
            Action::Done(Err(Error::Usage(e))) => assert_eq!(e.field, "credentials"),
            other => panic!("{other:?}"),
        }
        assert_eq!(call.attempts(), 0);
    }

    /// One scripted outcome of an attempt, for the property test.
    #[derive(Debug, Clone)]
    enum Outcome {
        Success,
        Garbage,
        Service {
            status: u16,
            code: &'static str,
            date_skew_minutes: Option<i64>,
        },
        Transport(TransportErrorKind),
    }

    fn outcome() -> impl Strategy<Value = Outcome> {
        let codes = prop::sample::select(vec![
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "InternalFailure",
            "ServiceUnavailable",
            "RequestExpired",
            "InvalidSignatureException",
            "ExpiredIteratorException",
            "ResourceNotFoundException",
            "",
        ]);
        let statuses = prop::sample::select(vec![400u16, 403, 429, 500, 502, 503, 504, 501, 301]);
        let kinds = prop::sample::select(vec![
            TransportErrorKind::Connect,
            TransportErrorKind::Timeout,
            TransportErrorKind::Io,
            TransportErrorKind::Tls,
            TransportErrorKind::Protocol,
            TransportErrorKind::Other,
        ]);
        prop_oneof![
            Just(Outcome::Success),
            Just(Outcome::Garbage),
            (statuses, codes, prop::option::of(-600i64..600)).prop_map(
                |(status, code, date_skew_minutes)| Outcome::Service {
                    status,
                    code,
                    date_skew_minutes
                }
            ),
            kinds.prop_map(Outcome::Transport),
        ]
    }

    proptest! {
        #[test]
        fn every_call_terminates_within_max_attempts(
            outcomes in prop::collection::vec(outcome(), 1..12),
            max_attempts in 0u32..6,
            adaptive in any::<bool>(),
            jitter in prop_oneof![0.0f64..1.0, Just(f64::NAN), Just(1.0), Just(-1.0)],
            quota in 0u32..=500,
            calls in 1usize..4,
            call_limit in prop::option::of(0u64..3_000),
            attempt_limit in prop::option::of(1u64..2_000),
        ) {
            let retry = RetryConfig::default()
                .with_mode(if adaptive { RetryMode::Adaptive } else { RetryMode::Standard })
                .with_max_attempts(max_attempts);
            let c = timed_client(retry, call_limit, attempt_limit);
            c.retry_state().set_quota(quota);
            let mut script = outcomes.iter().cycle();
            let mut clocks = Clocks::at(t0());
            for _ in 0..calls {
                let mut call = Call::new(&c, put(), creds());
                let started = clocks.now;
                let mut sends = 0u32;
                let mut done = false;
                for _ in 0..1_000 {
                    match call.poll(clocks.now, clocks.wall, jitter) {
                        Action::Send { request, timeout } => {
                            sends += 1;
                            prop_assert!(sends <= retry.attempts());
                            prop_assert!(request.headers().contains_key("x-amz-date"));
                            if let Some(limit) = call_limit {
                                let left = (started + Duration::from_millis(limit)) - clocks.now;
                                prop_assert!(timeout.is_some_and(|t| t <= left && !t.is_zero()));
                            }
                            if let Some(limit) = attempt_limit {
                                prop_assert!(timeout.is_some_and(|t| t <= Duration::from_millis(limit)));
                            }
                            let step = script.next().cloned().unwrap_or(Outcome::Success);
                            let (now, wall) = (clocks.now, clocks.wall);
                            match step {
                                Outcome::Success => call.handle_response(
                                    answer(200, &[], r#"{"ShardId":"s","SequenceNumber":"1"}"#), now, wall),
                                Outcome::Garbage => call.handle_response(answer(200, &[], "\u{0}nope"), now, wall),
                                Outcome::Service { status, code, date_skew_minutes } => {
                                    let date = date_skew_minutes.map(|m| {
                                        let t = wall + time::Duration::minutes(m);
                                        format!(
                                            "Tue, {:02} {} {} {:02}:{:02}:{:02} GMT",
                                            t.day(), &format!("{:?}", t.month())[..3], t.year(),
                                            t.hour(), t.minute(), t.second()
                                        )
                                    });
                                    let mut headers = Vec::new();
                                    if let Some(d) = &date {
                                        headers.push(("Date", d.as_str()));
                                    }
                                    let body = format!(r#"{{"__type":"{code}"}}"#);
                                    call.handle_response(answer(status, &headers, &body), now, wall);
                                }
                                Outcome::Transport(kind) => {
                                    // A timeout uses up the attempt's budget.
                                    if kind == TransportErrorKind::Timeout {
                                        clocks.advance(timeout.unwrap_or(Duration::from_secs(1)));
                                    }
                                    call.handle_transport_error(TransportError::new(kind, "scripted"), clocks.now)
                                }
                            }
                        }
                        Action::Wait => {
                            let until = call.poll_timeout();
                            prop_assert!(until.is_some(), "a Wait without a timer");
                            let d = until.unwrap_or(clocks.now) - clocks.now;
                            prop_assert!(d > Duration::ZERO);
                            prop_assert!(d <= retry.max_backoff.max(Duration::from_secs(2)));
                            clocks.advance(d);
                        }
                        Action::Done(_) => {
                            // Attempts use at most their budget here, so
                            // no call outlives its limit.
                            if let Some(limit) = call_limit {
                                prop_assert!(clocks.now - started <= Duration::from_millis(limit));
                            }
                            done = true;
                            break;
                        }
                    }
                }
                prop_assert!(done, "the call did not finish");
                prop_assert!(matches!(call.poll(clocks.now, clocks.wall, jitter), Action::Done(Err(Error::Usage(_)))));
                prop_assert!(c.retry_quota() <= INITIAL_RETRY_TOKENS);
            }
        }
    }
}
