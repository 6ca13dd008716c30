//! The call in virtual time: scripted answers, both clocks moved by the
//! test, no sleeping.

use std::collections::VecDeque;
use std::sync::Mutex;

use proptest::prelude::*;

use super::*;
use crate::error::{ErrorCode, ServiceError};
use crate::limits::Limits;
use crate::operation::Plane;
use crate::retry::{RetryConfig, RetryMode, INITIAL_RETRY_TOKENS, RETRY_COST, TIMEOUT_RETRY_COST};
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
fn drive_call(mut call: Call<Probe>, script: Vec<Step>, jitter: f64, mut clocks: Clocks) -> Trace {
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
    let c = client(RetryConfig::default().with_throttling_base_delay(Duration::from_millis(400)));
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
    // sends at 0, 50, 150, 350, 750 ms; the next wait (800 ms) would pass
    // the deadline, so it is cut at it and the call ends at 1 s.
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
    let ms = Duration::from_millis;
    assert_eq!(t.sleeps, [ms(50), ms(100), ms(200), ms(400), ms(250)]);
    assert_eq!(t.elapsed, ms(1000));
    // Each attempt was given what was left of the call.
    let left: Vec<_> = [1000, 950, 850, 650, 250]
        .into_iter()
        .map(|n| Some(ms(n)))
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
fn a_backoff_past_the_deadline_waits_only_until_it() {
    let retry = RetryConfig::default().with_throttling_base_delay(Duration::from_secs(10));
    let c = timed_client(retry, Some(2000), None);
    let t = drive(&c, vec![code(400, "ThrottlingException"), ok()], 0.5);
    t.timeout_error();
    assert_eq!(t.sent.len(), 1, "the retry is never sent");
    // 0.5 × 10 s = 5 s of backoff, cut at the deadline.
    assert_eq!(t.sleeps, [Duration::from_secs(2)]);
    assert_eq!(t.elapsed, Duration::from_secs(2));
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

/// A transport's settings reach the call: its time limits come from
/// `Settings::timeouts` through `Settings::proto_client`.
#[test]
fn settings_time_limits_reach_the_call() {
    let settings = crate::Settings::new(Config::new("us-east-1"), creds())
        .with_call_timeout(Some(Duration::from_millis(700)))
        .with_attempt_timeout(Some(Duration::from_millis(300)));
    let c = settings.proto_client();
    assert_eq!(c.config().call_timeout(), Some(Duration::from_millis(700)));
    assert_eq!(
        c.config().attempt_timeout(),
        Some(Duration::from_millis(300))
    );
    let t = drive(&c, vec![Step::Hang, Step::Hang, ok()], 0.5);
    let ms = |ms| Some(Duration::from_millis(ms));
    // 700 − 300 − 25 = 375 left: 300; 375 − 300 − 50 = 25 left: 25.
    assert_eq!(t.timeouts, [ms(300), ms(300), ms(25)]);
    t.result
        .as_ref()
        .expect("the third attempt answers at once");
}
