//! One call, retries included, as a state machine that a transport drives.
//!
//! A [`Call`] owns no socket, clock or random source: the driver hands it
//! the wall clock and a random value at every [`Call::poll`], does what the
//! returned [`Action`] says, and feeds back what happened. Every driver runs
//! the same loop:
//!
//! ```text
//!   ┌────────────► poll(now, jitter)
//!   │                     │
//!   │        ┌────────────┼──────────────────────┐
//!   │        ▼            ▼                      ▼
//!   │    Sleep(d)    Send(request)          Done(result)
//!   │        │            │                  the call is over
//!   │        │            ▼
//!   │        │   handle_response(answer, now)
//!   │        │   or handle_transport_error(e)
//!   └────────┴────────────┘
//! ```
//!
//! `Sleep` is a backoff before a retry or, in adaptive mode, a wait the
//! client-side rate limiter asks for; each retry is signed anew with the
//! time of its own `poll`.
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
//!   `Done(Err(Error::Usage(..)))` and feeding answers is ignored (with a
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

use crate::error::{Error, UsageError};
use crate::operation::Expect;
use crate::retry::{self, FailureClass, RetryConfig, RetryMode, NO_RETRY_INCREMENT};
use crate::{Client, Credentials, Operation};

pub use crate::error::{TransportError, TransportErrorKind};

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
    Done(Result<T, Error>),
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
    Finished(Result<O::Output, Error>),
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
                log::warn!(
                    "{}: polled while a request was in flight; call ended",
                    O::NAME
                );
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
    pub fn handle_response<B: AsRef<[u8]>>(
        &mut self,
        response: http::Response<B>,
        now: OffsetDateTime,
    ) {
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
                let class = FailureClass::of_error(&e);
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
        self.failed(Error::Transport(error), class, false);
    }

    /// Decides between a retry and the end after a failed attempt.
    fn failed(&mut self, error: Error, class: FailureClass, skew_corrected: bool) {
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
            log::debug!(
                "{}: attempt {n}/{max} failed ({what}); giving up: {reason}",
                O::NAME
            );
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
    fn take_in_flight(
        &mut self,
        what: &str,
    ) -> Option<(Expect<O>, time::Duration, OffsetDateTime)> {
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
fn misuse(problem: &str) -> Error {
    Error::Usage(UsageError::new("Call", problem))
}

/// A short, secret-free description of a failure for the log.
fn describe(e: &Error) -> String {
    match e {
        Error::Service(e) => format!("HTTP {} {}", e.status.as_u16(), e.code),
        Error::Response(e) => format!("HTTP {} unreadable answer", e.status.as_u16()),
        Error::Transport(e) => format!("transport {:?}", e.kind),
        Error::Usage(e) => format!("usage error in {}", e.field),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use proptest::prelude::*;

    use super::*;
    use crate::error::{ErrorCode, ServiceError};
    use crate::limits::Limits;
    use crate::operation::Plane;
    use crate::retry::{INITIAL_RETRY_TOKENS, RETRY_COST, TIMEOUT_RETRY_COST};
    use crate::Config;

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
    #[derive(Debug, serde::Serialize)]
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

    fn ok() -> Step {
        Step::Answer(answer(
            200,
            &[],
            r#"{"ShardId":"shardId-000000000000","SequenceNumber":"7"}"#,
        ))
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
        Answer(http::Response<Vec<u8>>),
        Fail(TransportError),
    }

    #[derive(Debug)]
    struct Trace {
        result: Result<ProbeOutput, Error>,
        sent: Vec<http::Request<Vec<u8>>>,
        /// Every `Sleep`, in order.
        sleeps: Vec<Duration>,
        /// The virtual clock at the end.
        clock: OffsetDateTime,
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
    }

    /// Drives one call in virtual time: answers come from `script` in order
    /// and arrive at once; sleeps move the clock.
    fn drive_at(
        client: &Client,
        op: &Probe,
        script: Vec<Step>,
        jitter: f64,
        start: OffsetDateTime,
    ) -> Trace {
        let creds = creds();
        let mut script = VecDeque::from(script);
        let mut call = Call::new(client, op, &creds);
        let (mut sent, mut sleeps, mut clock) = (Vec::new(), Vec::new(), start);
        for _ in 0..10_000 {
            match call.poll(clock, jitter) {
                Action::Send(request) => {
                    sent.push(request);
                    match script.pop_front() {
                        Some(Step::Answer(r)) => call.handle_response(r, clock),
                        Some(Step::Fail(e)) => call.handle_transport_error(e),
                        None => panic!("the call sent more requests than scripted"),
                    }
                }
                Action::Sleep(d) => {
                    sleeps.push(d);
                    clock += d;
                }
                Action::Done(result) => {
                    assert!(call.is_done());
                    assert_eq!(call.attempts() as usize, sent.len());
                    return Trace {
                        result,
                        sent,
                        sleeps,
                        clock,
                    };
                }
            }
        }
        panic!("the call did not finish");
    }

    fn drive(client: &Client, script: Vec<Step>, jitter: f64) -> Trace {
        drive_at(client, &put(), script, jitter, t0())
    }

    #[test]
    fn client_is_send_and_sync_and_call_is_send() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Client>();
        send::<Call<'static, Probe>>();
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
        c.retry_state().quota = 100;
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
        c.retry_state().quota = INITIAL_RETRY_TOKENS;
        drive(&c, vec![ok()], 0.5).result.expect("success");
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS);
    }

    #[test]
    fn timeouts_cost_more_and_are_refunded_in_full() {
        let c = client(RetryConfig::default());
        let creds = creds();
        let op = put();
        let mut call = Call::new(&c, &op, &creds);
        let Action::Send(_) = call.poll(t0(), 0.5) else {
            panic!("expected Send")
        };
        call.handle_transport_error(TransportError::new(
            TransportErrorKind::Timeout,
            "read timed out",
        ));
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS - TIMEOUT_RETRY_COST);
        let Action::Sleep(d) = call.poll(t0(), 0.5) else {
            panic!("expected Sleep")
        };
        assert_eq!(d, Duration::from_millis(25));
        let Action::Send(_) = call.poll(t0() + d, 0.5) else {
            panic!("expected Send")
        };
        let Step::Answer(r) = ok() else {
            unreachable!()
        };
        call.handle_response(r, t0() + d);
        let Action::Done(Ok(_)) = call.poll(t0() + d, 0.5) else {
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
    fn usage_error_sends_nothing() {
        let c = client(RetryConfig::default());
        let creds = creds();
        let op = Probe {
            stream_name: "my-stream".into(),
            valid: false,
        };
        let mut call = Call::new(&c, &op, &creds);
        match call.poll(t0(), 0.5) {
            Action::Done(Err(Error::Usage(e))) => assert_eq!(e.field, "Data"),
            other => panic!("{other:?}"),
        }
        assert_eq!(call.attempts(), 0);
        assert!(call.is_done());
        assert_eq!(c.retry_quota(), INITIAL_RETRY_TOKENS);
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
    fn out_of_turn_use_does_not_panic() {
        let c = client(RetryConfig::default());
        let creds = creds();
        let op = put();
        let mut call = Call::new(&c, &op, &creds);
        // An answer before anything was sent is ignored.
        let Step::Answer(r) = ok() else {
            unreachable!()
        };
        call.handle_response(r, t0());
        call.handle_transport_error(TransportError::new(TransportErrorKind::Io, "x"));
        let Action::Send(_) = call.poll(t0(), 0.5) else {
            panic!("expected Send")
        };
        // Polling while the request is out ends the call.
        match call.poll(t0(), 0.5) {
            Action::Done(Err(Error::Usage(e))) => assert!(e.problem.contains("in flight")),
            other => panic!("{other:?}"),
        }
        // After Done: answers are ignored, polls say it is over.
        let Step::Answer(r) = ok() else {
            unreachable!()
        };
        call.handle_response(r, t0());
        match call.poll(t0(), 0.5) {
            Action::Done(Err(Error::Usage(e))) => assert!(e.problem.contains("after")),
            other => panic!("{other:?}"),
        }

        // A finished result survives a stray answer and is still handed out.
        let mut call = Call::new(&c, &op, &creds);
        let Action::Send(_) = call.poll(t0(), 0.5) else {
            panic!("expected Send")
        };
        let Step::Answer(r) = ok() else {
            unreachable!()
        };
        call.handle_response(r, t0());
        let Step::Answer(r) = code(500, "InternalFailure") else {
            unreachable!()
        };
        call.handle_response(r, t0());
        let Action::Done(Ok(out)) = call.poll(t0(), 0.5) else {
            panic!("expected success")
        };
        assert_eq!(out.sequence_number, "7");
        assert!(format!("{call:?}").contains("Probe"));
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
        let mut waited = Vec::new();
        for _ in 0..10 {
            let t = drive(
                &c,
                vec![code(400, "ProvisionedThroughputExceededException")],
                0.5,
            );
            assert_eq!(t.sent.len(), 1);
            waited.extend(t.sleeps);
        }
        assert!(c.retry_state().rate.is_enabled());
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
        ) {
            let retry = RetryConfig::default()
                .with_mode(if adaptive { RetryMode::Adaptive } else { RetryMode::Standard })
                .with_max_attempts(max_attempts);
            let c = client(retry);
            c.retry_state().quota = quota;
            let creds = creds();
            let op = put();
            let mut script = outcomes.iter().cycle();
            let mut clock = t0();
            for _ in 0..calls {
                let mut call = Call::new(&c, &op, &creds);
                let mut sends = 0u32;
                let mut done = false;
                for _ in 0..1_000 {
                    match call.poll(clock, jitter) {
                        Action::Send(request) => {
                            sends += 1;
                            prop_assert!(sends <= retry.attempts());
                            prop_assert!(request.headers().contains_key("x-amz-date"));
                            let step = script.next().cloned().unwrap_or(Outcome::Success);
                            match step {
                                Outcome::Success => call.handle_response(
                                    answer(200, &[], r#"{"ShardId":"s","SequenceNumber":"1"}"#), clock),
                                Outcome::Garbage => call.handle_response(answer(200, &[], "\u{0}nope"), clock),
                                Outcome::Service { status, code, date_skew_minutes } => {
                                    let date = date_skew_minutes.map(|m| {
                                        let t = clock + time::Duration::minutes(m);
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
                                    call.handle_response(answer(status, &headers, &body), clock);
                                }
                                Outcome::Transport(kind) => {
                                    call.handle_transport_error(TransportError::new(kind, "scripted"))
                                }
                            }
                        }
                        Action::Sleep(d) => {
                            prop_assert!(d <= retry.max_backoff.max(Duration::from_secs(2)));
                            clock += d;
                        }
                        Action::Done(_) => {
                            done = true;
                            break;
                        }
                    }
                }
                prop_assert!(done, "the call did not finish");
                prop_assert!(matches!(call.poll(clock, jitter), Action::Done(Err(Error::Usage(_)))));
                prop_assert!(c.retry_quota() <= INITIAL_RETRY_TOKENS);
            }
        }
    }
}
