//! One call, retries included, as a state machine that a transport drives.
//!
//! A [`Call`] owns no socket, clock or random source: the driver hands it
//! the wall clock and a random value at every [`Call::poll`], does what the
//! returned [`Action`] says, and feeds back what happened. Every driver runs
//! the same loop:
//!
//! ```text
//!            poll ──► Send(request) ──► handle_response / handle_transport_error
//!             ▲                                      │
//!             │        ┌─────────────────────────────┤
//!             │        ▼ retryable, attempts and     ▼ success, or final failure
//!             └── Sleep(backoff)   quota left       Done(result)
//! ```
//!
//! Here it is against a scripted in-memory responder, in virtual time: the
//! first attempt is throttled, the second loses its connection, the third
//! succeeds.
//!
//! ```
//! use std::collections::VecDeque;
//! use std::time::Duration;
//! use kinesis_proto::call::{Action, Call, TransportError, TransportErrorKind};
//! use kinesis_proto::retry::RetryConfig;
//! use kinesis_proto::{ops::PutRecord, Client, Config, Credentials};
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
//! let client = Client::new(Config::new("us-east-1").with_retry(RetryConfig::default()));
//! let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
//! let put = PutRecord::new("my-stream", "user-42", b"hello".to_vec());
//! let mut clock = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
//! let jitter = 0.5; // a driver passes a fresh random value in [0, 1) each time
//!
//! let mut call = Call::new(&client, &put, &credentials);
//! let (mut sent, mut slept) = (0, Duration::ZERO);
//! let result = loop {
//!     match call.poll(clock, jitter) {
//!         Action::Send(request) => {
//!             assert!(request.headers().contains_key("authorization"));
//!             sent += 1;
//!             match network.pop_front().expect("one scripted answer per request") {
//!                 Ok(response) => call.handle_response(response, clock),
//!                 Err(failure) => call.handle_transport_error(failure),
//!             }
//!         }
//!         Action::Sleep(delay) => {
//!             slept += delay;
//!             clock += delay; // a real driver sleeps here
//!         }
//!         Action::Done(result) => break result,
//!     }
//! };
//! assert_eq!(result.unwrap().sequence_number, "49");
//! assert_eq!(sent, 3);
//! // 0.5 × 500 ms × 2⁰ after the throttle, 0.5 × 50 ms × 2¹ after the reset.
//! assert_eq!(slept, Duration::from_millis(250 + 50));
//! ```
//!
//! What is retried, how long the call waits, the retry quota and the clock
//! skew correction are described in [`crate::retry`]. The retry settings
//! come from the client's [`crate::Config::with_retry`]; the quota, the
//! clock offset and adaptive mode's rate limiter are shared by every call
//! made through one [`Client`].
//!
//! # Driver contract
//! - After `Send`, feed exactly one of `handle_response` (any HTTP answer,
//!   error statuses included, with the whole body) or
//!   `handle_transport_error`, then poll again.
//! - After `Sleep(d)`, wait `d`, then poll again with the new time.
//! - After `Done`, the call is over; polling again returns
//!   `Done(Err(CallError::Usage(..)))` and feeding answers is ignored (with a
//!   `log` warning), as is feeding an answer when no request is out. Polling
//!   while a request is out ends the call the same way. Nothing panics.
//! - A whole-call time limit is the driver's: when it expires, drop the
//!   call and report [`TransportErrorKind::Timeout`] yourself.
//!
//! Every attempt is logged at `debug` level through the `log` crate
//! (operation, attempt number, HTTP status and error code, chosen delay);
//! bodies, signatures and credentials never are.

use std::fmt;
use std::time::Duration;

use time::OffsetDateTime;

use crate::error::{Error, ResponseError, ServiceError, UsageError};
use crate::operation::Expect;
use crate::retry::{self, FailureClass, RetryConfig, RetryMode, NO_RETRY_INCREMENT};
use crate::{Client, Credentials, Operation};

/// What kind of transport failure happened (decides whether it is retried).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, DNS, unreachable).
    Connect,
    /// An attempt or the whole call took longer than allowed.
    Timeout,
    /// The connection broke while the request or answer was in flight.
    Io,
    /// TLS failed (handshake, certificate).
    Tls,
    /// The peer broke the HTTP protocol, or the answer was too large.
    Protocol,
    /// Anything else.
    Other,
}

/// A transport failure, described without the transport's own types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// The transport's description of it.
    pub message: String,
}

impl TransportError {
    /// A transport failure of `kind`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError { kind, message: message.into() }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "transport error ({:?}): {}", self.kind, self.message)
    }
}

impl std::error::Error for TransportError {}

/// What a call through a transport ends in: kinesis-proto's three answers
/// plus the transport's own failure. Both transports return this type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallError {
    /// Called wrong: nothing was sent.
    Usage(UsageError),
    /// The service said no (after any retries).
    Service(ServiceError),
    /// The service answered something unexpected.
    Response(ResponseError),
    /// The request could not be sent or its answer not received.
    Transport(TransportError),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Usage(e) => e.fmt(f),
            CallError::Service(e) => e.fmt(f),
            CallError::Response(e) => e.fmt(f),
            CallError::Transport(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CallError {}

impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        match e {
            Error::Usage(e) => CallError::Usage(e),
            Error::Service(e) => CallError::Service(e),
            Error::Response(e) => CallError::Response(e),
        }
    }
}

/// What the driver does next.
#[derive(Debug)]
#[must_use]
pub enum Action<T> {
    /// Send this request and feed the answer to `handle_response` (or the
    /// failure to `handle_transport_error`).
    Send(http::Request<Vec<u8>>),
    /// Sleep this long, then poll again.
    Sleep(Duration),
    /// The call is over.
    Done(Result<T, CallError>),
}

/// Where a call stands.
enum State<O: Operation> {
    /// The next attempt (the first, or a retry after its backoff) is due.
    Ready,
    /// A request is out; its answer parses with `expect`.
    InFlight {
        expect: Expect<O>,
        /// The clock offset the request was signed with.
        signed_offset: time::Duration,
        /// When it was sent (for adaptive mode's bookkeeping of failures
        /// that carry no time).
        sent_at: OffsetDateTime,
    },
    /// The last attempt failed with a retryable `FailureClass`: the next
    /// poll picks the delay (it brings the jitter).
    Backoff(FailureClass),
    /// The outcome, handed out by the next poll.
    Finished(Result<O::Output, CallError>),
    /// `Done` was returned.
    Over,
}

impl<O: Operation> State<O> {
    fn name(&self) -> &'static str {
        match self {
            State::Ready => "ready",
            State::InFlight { .. } => "in flight",
            State::Backoff(_) => "backing off",
            State::Finished(_) => "finished",
            State::Over => "over",
        }
    }
}

/// One call of operation `O`, with retries.
///
/// See the [module docs](self) for the loop that drives it.
pub struct Call<'a, O: Operation> {
    client: &'a Client,
    op: &'a O,
    credentials: &'a Credentials,
    retry: RetryConfig,
    state: State<O>,
    /// Requests sent so far.
    attempts: u32,
    /// Quota tokens taken for the retry now under way, given back if it
    /// succeeds.
    held_retry_cost: Option<u32>,
    /// Whether a clock-skew error was already retried.
    skew_retried: bool,
}

impl<O: Operation> fmt::Debug for Call<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("operation", &O::NAME)
            .field("state", &self.state.name())
            .field("attempts", &self.attempts)
            .field("max_attempts", &self.retry.attempts())
            .finish_non_exhaustive()
    }
}

impl<'a, O: Operation> Call<'a, O> {
    /// Starts a call of `op`, retried as `client`'s configuration says.
    /// Nothing is validated or sent before the first [`Call::poll`].
    pub fn new(client: &'a Client, op: &'a O, credentials: &'a Credentials) -> Self {
        Call {
            client,
            op,
            credentials,
            retry: *client.config().retry(),
            state: State::Ready,
            attempts: 0,
            held_retry_cost: None,
            skew_retried: false,
        }
    }

    /// Requests sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether `Done` was returned.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Over)
    }

    /// What to do next. `now` is the wall clock (for signing); `jitter` a
    /// random value in `[0, 1)` (for backoff).
    pub fn poll(&mut self, now: OffsetDateTime, jitter: f64) -> Action<O::Output> {
        match std::mem::replace(&mut self.state, State::Over) {
            State::Ready => self.send(now),
            State::Backoff(class) => {
                let delay = self.retry.backoff(class, self.attempts, jitter);
                log::debug!(
                    "{}: backing off {delay:?} before attempt {}/{}",
                    O::NAME,
                    self.attempts + 1,
                    self.retry.attempts()
                );
                self.state = State::Ready;
                Action::Sleep(delay)
            }
            State::Finished(result) => Action::Done(result),
            State::InFlight { .. } => {
                log::warn!("{}: polled while a request was in flight; call ended", O::NAME);
                Action::Done(Err(misuse(
                    "polled while a request was in flight: feed its answer to \
                     handle_response or handle_transport_error first",
                )))
            }
            State::Over => {
                log::warn!("{}: polled after the call was done", O::NAME);
                Action::Done(Err(misuse("polled after the call was done")))
            }
        }
    }

    /// Signs and hands out the next attempt, unless adaptive mode's rate
    /// limiter says to wait first.
    fn send(&mut self, now: OffsetDateTime) -> Action<O::Output> {
        let offset = {
            let mut shared = self.client.retry_state();
            if self.retry.mode == RetryMode::Adaptive {
                if let Some(wait) = shared.rate.acquire(retry::unix_seconds(now)) {
                    drop(shared);
                    log::debug!(
                        "{}: client-side rate limit, waiting {wait:?} before attempt {}/{}",
                        O::NAME,
                        self.attempts + 1,
                        self.retry.attempts()
                    );
                    self.state = State::Ready;
                    return Action::Sleep(wait);
                }
            }
            shared.clock_offset
        };
        // Out of range only for an absurd offset; signing with the local
        // clock is then the best left to do.
        let signing_time = now.checked_add(offset).unwrap_or(now);
        match self.client.prepare(self.op, self.credentials, signing_time) {
            Ok((request, expect)) => {
                self.attempts += 1;
                log::debug!(
                    "{}: sending attempt {}/{} (clock offset {offset})",
                    O::NAME,
                    self.attempts,
                    self.retry.attempts()
                );
                self.state = State::InFlight {
                    expect,
                    signed_offset: offset,
                    sent_at: now,
                };
                Action::Send(request)
            }
            Err(e) => {
                log::debug!("{}: not sent: {e}", O::NAME);
                Action::Done(Err(e.into()))
            }
        }
    }

    /// Feeds the answer to the last `Send`; `now` is the wall clock when it
    /// arrived (for clock-skew correction).
    pub fn handle_response<B: AsRef<[u8]>>(&mut self, response: http::Response<B>, now: OffsetDateTime) {
        let Some((expect, signed_offset, _)) = self.take_in_flight("an answer") else {
            return;
        };
        let result = expect.parse(&response);
        let server_time = response
            .headers()
            .get(http::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_http_date);
        let mut skew_corrected = false;
        {
            let mut shared = self.client.retry_state();
            if let Some(server_time) = server_time {
                let offset = server_time - now;
                shared.clock_offset = offset;
                // How wrong the signing time of this attempt was.
                skew_corrected = offset
                    .checked_sub(signed_offset)
                    .is_none_or(|moved| moved.abs() > retry::CLOCK_SKEW_THRESHOLD);
            }
            if self.retry.mode == RetryMode::Adaptive {
                let throttled = matches!(&result, Err(Error::Service(e)) if e.is_throttling());
                shared.rate.update(retry::unix_seconds(now), throttled);
            }
            if result.is_ok() {
                let refund = self.held_retry_cost.take().unwrap_or(NO_RETRY_INCREMENT);
                shared.release(refund);
            }
        }
        match result {
            Ok(output) => {
                log::debug!(
                    "{}: attempt {}/{} succeeded (HTTP {})",
                    O::NAME,
                    self.attempts,
                    self.retry.attempts(),
                    response.status().as_u16()
                );
                self.state = State::Finished(Ok(output));
            }
            Err(e) => {
                let e = CallError::from(e);
                let class = FailureClass::of_call_error(&e);
                self.failed(e, class, skew_corrected);
            }
        }
    }

    /// Feeds a failure to send the last `Send` or to receive its answer.
    pub fn handle_transport_error(&mut self, error: TransportError) {
        let Some((_, _, sent_at)) = self.take_in_flight("a transport error") else {
            return;
        };
        if self.retry.mode == RetryMode::Adaptive {
            self.client
                .retry_state()
                .rate
                .update(retry::unix_seconds(sent_at), false);
        }
        let class = FailureClass::of_transport_error(error.kind);
        self.failed(CallError::Transport(error), class, false);
    }

    /// Decides between a retry and the end after a failed attempt.
    fn failed(&mut self, error: CallError, class: FailureClass, skew_corrected: bool) {
        let what = describe(&error);
        let (n, max) = (self.attempts, self.retry.attempts());
        let refusal = if !class.is_retryable() {
            Some("not retryable")
        } else if class == FailureClass::ClockSkew && self.skew_retried {
            Some("clock skew already corrected once")
        } else if class == FailureClass::ClockSkew && !skew_corrected {
            Some("clock offset unchanged, re-signing cannot help")
        } else if n >= max {
            Some("no attempts left")
        } else if !self.client.retry_state().acquire_retry(class.retry_cost()) {
            Some("retry quota exhausted")
        } else {
            None
        };
        if let Some(reason) = refusal {
            log::debug!("{}: attempt {n}/{max} failed ({what}); giving up: {reason}", O::NAME);
            self.state = State::Finished(Err(error));
            return;
        }
        // Any earlier retry's tokens stay spent; these come back on success.
        self.held_retry_cost = Some(class.retry_cost());
        log::debug!(
            "{}: attempt {n}/{max} failed ({what}); retrying as {class:?} for {} quota tokens",
            O::NAME,
            class.retry_cost()
        );
        self.state = if class == FailureClass::ClockSkew {
            self.skew_retried = true;
            State::Ready
        } else {
            State::Backoff(class)
        };
    }

    /// Takes the in-flight request's bookkeeping, or logs and ignores
    /// `what` (leaving the state as it was) when no request is out.
    fn take_in_flight(&mut self, what: &str) -> Option<(Expect<O>, time::Duration, OffsetDateTime)> {
        match std::mem::replace(&mut self.state, State::Over) {
            State::InFlight {
                expect,
                signed_offset,
                sent_at,
            } => Some((expect, signed_offset, sent_at)),
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

/// The error a driver that breaks the contract gets.
fn misuse(problem: &str) -> CallError {
    CallError::Usage(UsageError::new("Call", problem))
}

/// A short, secret-free description of a failure for the log.
fn describe(e: &CallError) -> String {
    match e {
        CallError::Service(e) => format!("HTTP {} {}", e.status.as_u16(), e.code),
        CallError::Response(e) => format!("HTTP {} unreadable answer", e.status.as_u16()),
        CallError::Transport(e) => format!("transport {:?}", e.kind),
        CallError::Usage(e) => format!("usage error in {}", e.field),
    }
}
