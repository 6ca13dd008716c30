//! The waiters in virtual time: scripted answers, no sleeping, invariants
//! checked after every step.

use std::collections::VecDeque;

use super::*;
use crate::error::ServiceError;
use crate::error::{TransportError, TransportErrorKind};
use crate::ops::{
    ChannelDescriptionOutput, DescribeStreamConsumerOutput, DescribeStreamSummaryOutput,
};

const S: Duration = Duration::from_secs(1);

fn summary(status: &str) -> Result<DescribeStreamSummaryOutput, Error> {
    Ok(serde_json::from_str(&format!(
        r#"{{"StreamDescriptionSummary":{{"StreamName":"s",
        "StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s",
        "StreamStatus":"{status}","RetentionPeriodHours":24,
        "StreamCreationTimestamp":1700000000,"EnhancedMonitoring":[],"OpenShardCount":1}}}}"#
    ))
    .unwrap())
}

fn consumer(status: &str) -> Result<DescribeStreamConsumerOutput, Error> {
    Ok(serde_json::from_str(&format!(
        r#"{{"ConsumerDescription":{{"ConsumerName":"c",
        "ConsumerARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
        "ConsumerStatus":"{status}","ConsumerCreationTimestamp":1700000000,
        "StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s"}}}}"#
    ))
    .unwrap())
}

fn channel(status: &str, reason: Option<&str>) -> Result<ChannelDescriptionOutput, Error> {
    let reason = reason.map_or(String::new(), |r| {
        format!(r#","ChannelStatusReason":"{r}""#)
    });
    Ok(serde_json::from_str(&format!(
        r#"{{"ChannelDescription":{{"ChannelARN":"arn:aws:kinesis:us-east-1:123456789012:channel/ch",
        "ChannelName":"ch","ChannelId":"ch-1","ChannelStatus":"{status}"{reason},
        "ChannelCreationTimestamp":1700000000,
        "ServiceExecutionRoleARN":"arn:aws:iam::123456789012:role/r",
        "LoggingConfiguration":{{"CloudWatchLogs":{{"Enabled":false}}}}}}}}"#
    ))
    .unwrap())
}

fn service(code: ErrorCode, status: u16) -> Error {
    Error::Service(ServiceError {
        code,
        message: Some("scripted".into()),
        status: http::StatusCode::from_u16(status).unwrap(),
        request_id: None,
    })
}

fn not_found_error() -> Error {
    service(ErrorCode::ResourceNotFound, 400)
}

fn stream() -> DescribeStreamSummary {
    DescribeStreamSummary::new("s")
}

/// A quick config: 1 s to 8 s pauses within `limit` seconds.
fn config(limit: u32) -> WaiterConfig {
    WaiterConfig::new(limit * S).with_delays(S, 8 * S)
}

/// What one scripted run did.
#[derive(Debug)]
struct Trace<T> {
    result: Result<T, WaitError>,
    /// When each call was asked for, from the start.
    calls: Vec<Duration>,
    /// When the wait ended, from the start.
    ended: Duration,
}

/// Drives `waiter` in virtual time: each call gets the next scripted
/// answer, `jitter` is the random value of every step. Checks after every
/// step that the waiter keeps its contract.
fn run<C: Condition>(
    mut waiter: Waiter<C>,
    start: Instant,
    answers: Vec<Result<<C::Op as Operation>::Output, Error>>,
    jitter: f64,
) -> Trace<C::Success>
where
    C::Success: std::fmt::Debug,
    C::Op: PartialEq + std::fmt::Debug,
{
    let limit = waiter.deadline() - start;
    let mut answers = VecDeque::from(answers);
    let mut now = start;
    let mut calls = Vec::new();
    for _ in 0..10_000 {
        match waiter.poll(now) {
            WaiterAction::Call(op) => {
                assert_eq!(&op, waiter.condition.request());
                assert_eq!(waiter.poll_timeout(), Some(waiter.deadline()));
                assert!(now <= waiter.deadline(), "a call after the time limit");
                calls.push(now - start);
                assert_eq!(waiter.attempts() as usize, calls.len());
                let answer = answers.pop_front().expect("a scripted answer per call");
                waiter.handle_output(answer, now, jitter);
                if let Some(until) = waiter.poll_timeout() {
                    assert!(until > now, "a pause of zero");
                    // The next attempt starts early enough to leave
                    // min_delay for its answer.
                    assert!(until + waiter.config.min_delay <= waiter.deadline());
                }
            }
            WaiterAction::Wait(until) => {
                assert!(until > now, "asked to wait for a past instant");
                assert_eq!(waiter.poll_timeout(), Some(until));
                now = until;
            }
            WaiterAction::Done(result) => {
                assert!(waiter.is_done());
                assert_eq!(waiter.poll_timeout(), None);
                assert!(now - start <= limit, "ended after the limit");
                // Done stays done, and late answers change nothing.
                let again = waiter.poll(now + 1000 * S);
                assert!(
                    matches!(again, WaiterAction::Done(r) if format!("{r:?}") == format!("{result:?}"))
                );
                assert!(answers.is_empty(), "unused answers: {}", answers.len());
                return Trace {
                    result,
                    calls,
                    ended: now - start,
                };
            }
        }
    }
    panic!("the wait does not end");
}

#[test]
fn creating_then_active_succeeds_with_the_summary() {
    let start = Instant::now();
    let waiter = Waiter::new(StreamActive::new(stream()), config(60), start);
    let trace = run(
        waiter,
        start,
        vec![summary("CREATING"), summary("UPDATING"), summary("ACTIVE")],
        0.0,
    );
    let summary = trace.result.unwrap();
    assert_eq!(summary.stream_status, StreamStatus::Active);
    assert_eq!(summary.stream_name, "s");
    // At once, then min_delay after each "not yet" (jitter 0).
    assert_eq!(trace.calls, vec![Duration::ZERO, S, 2 * S]);
    assert_eq!(trace.ended, 2 * S);
}

#[test]
fn pauses_double_from_min_to_max_with_full_jitter() {
    let start = Instant::now();
    let waiter = Waiter::new(StreamActive::new(stream()), config(1000), start);
    let mut answers = vec![summary("CREATING"); 7];
    answers.push(summary("ACTIVE"));
    let trace = run(waiter, start, answers, 1.0);
    trace.result.unwrap();
    let pauses: Vec<u64> = trace
        .calls
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs())
        .collect();
    assert_eq!(pauses, vec![1, 2, 4, 8, 8, 8, 8]);
}

#[test]
fn jitter_places_the_pause_between_min_and_the_cap() {
    let c = config(1000);
    // Attempt 3: between 1 s and 4 s.
    assert_eq!(c.delay(3, 0.0), S);
    assert_eq!(c.delay(3, 0.5), Duration::from_millis(2500));
    assert_eq!(c.delay(3, 1.0), 4 * S);
    // Out-of-range values are clamped; NaN is the shortest pause.
    assert_eq!(c.delay(3, 7.0), 4 * S);
    assert_eq!(c.delay(3, -1.0), S);
    assert_eq!(c.delay(3, f64::NAN), S);
    // Far past the ceiling: the maximum, without overflow.
    assert_eq!(c.delay(1_000_000, 1.0), 8 * S);
    assert_eq!(c.delay(u32::MAX, 1.0), 8 * S);
    // Equal bounds: a fixed delay (botocore's 10 s).
    let fixed = WaiterConfig::new(180 * S).with_delays(10 * S, 10 * S);
    assert_eq!(fixed.delay(1, 0.9), 10 * S);
    assert_eq!(fixed.delay(9, 0.9), 10 * S);
}

#[test]
fn the_time_limit_ends_a_wait_that_never_settles() {
    let start = Instant::now();
    let waiter = Waiter::new(StreamActive::new(stream()), config(30), start);
    // Jitter 1: pauses of 1, 2, 4, 8, 8 s; the sixth pause is cut so the
    // last attempt (at 29 s) leaves min_delay before the limit.
    let trace = run(waiter, start, vec![summary("CREATING"); 7], 1.0);
    assert_eq!(
        trace.calls,
        [0u32, 1, 3, 7, 15, 23, 29].map(|s| s * S).to_vec()
    );
    match trace.result {
        Err(WaitError::TimedOut {
            waiting_for,
            attempts,
            last_state,
            time_limit,
        }) => {
            assert_eq!(waiting_for, "stream ACTIVE");
            assert_eq!(attempts, 7);
            assert_eq!(last_state.as_deref(), Some("CREATING"));
            assert_eq!(time_limit, 30 * S);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(trace.ended, 29 * S);
}

#[test]
fn the_defaults_without_jitter_are_botocores_eighteen_attempts_ten_seconds_apart() {
    let start = Instant::now();
    let waiter = Waiter::new(StreamActive::new(stream()), WaiterConfig::default(), start);
    let trace = run(waiter, start, vec![summary("CREATING"); 18], 0.0);
    assert!(
        matches!(trace.result, Err(WaitError::TimedOut { attempts: 18, .. })),
        "{:?}",
        trace.result
    );
    assert_eq!(
        trace.calls,
        (0..18u32).map(|i| i * 10 * S).collect::<Vec<_>>()
    );
}

#[test]
fn a_limit_under_min_delay_allows_one_attempt() {
    let start = Instant::now();
    let config = WaiterConfig::new(S).with_delays(10 * S, 20 * S);
    let waiter = Waiter::new(StreamActive::new(stream()), config, start);
    let trace = run(waiter, start, vec![summary("CREATING")], 0.5);
    assert!(matches!(
        trace.result,
        Err(WaitError::TimedOut { attempts: 1, .. })
    ));
    assert_eq!(trace.ended, Duration::ZERO);
}

#[test]
fn resource_not_found_is_a_retry_while_waiting_for_a_stream_to_exist() {
    let start = Instant::now();
    let waiter = Waiter::new(StreamActive::new(stream()), config(60), start);
    let trace = run(
        waiter,
        start,
        vec![
            Err(not_found_error()),
            Err(not_found_error()),
            summary("ACTIVE"),
        ],
        0.0,
    );
    assert_eq!(trace.result.unwrap().stream_status, StreamStatus::Active);
    assert_eq!(trace.calls.len(), 3);

    // …and it is what a timed-out wait reports as the last state.
    let waiter = Waiter::new(StreamActive::new(stream()), config(3), start);
    let trace = run(waiter, start, vec![Err(not_found_error()); 3], 0.0);
    assert_eq!(trace.calls, vec![Duration::ZERO, S, 2 * S]);
    match trace.result {
        Err(WaitError::TimedOut { last_state, .. }) => {
            assert_eq!(last_state.as_deref(), Some("ResourceNotFound"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn resource_not_found_is_the_success_of_a_wait_for_a_stream_to_go() {
    let start = Instant::now();
    let waiter = Waiter::new(StreamGone::new(stream()), config(60), start);
    let trace = run(
        waiter,
        start,
        vec![
            summary("ACTIVE"),
            summary("DELETING"),
            Err(not_found_error()),
        ],
        0.0,
    );
    trace.result.unwrap();
    assert_eq!(trace.calls.len(), 3);
}

#[test]
fn other_errors_end_the_wait_at_once() {
    let start = Instant::now();
    let denied = service(ErrorCode::AccessDenied, 400);
    let waiter = Waiter::new(StreamActive::new(stream()), config(60), start);
    let trace = run(
        waiter,
        start,
        vec![summary("CREATING"), Err(denied.clone())],
        0.0,
    );
    assert_eq!(trace.result.unwrap_err(), WaitError::Call(denied));
    assert_eq!(trace.calls.len(), 2);
    // A consumer wait too.
    let consumer_wait = Waiter::new(
        ConsumerActive::new(DescribeStreamConsumer::new(
            "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
        )),
        config(60),
        start,
    );
    let throttled = service(ErrorCode::LimitExceeded, 400);
    let trace = run(consumer_wait, start, vec![Err(throttled.clone())], 0.0);
    assert_eq!(trace.result.unwrap_err(), WaitError::Call(throttled));
    let waiter = Waiter::new(StreamGone::new(stream()), config(60), start);
    let refused = Error::Transport(TransportError::new(TransportErrorKind::Connect, "refused"));
    let trace = run(waiter, start, vec![Err(refused.clone())], 0.0);
    assert_eq!(trace.result.unwrap_err(), WaitError::Call(refused));
    assert_eq!(trace.ended, Duration::ZERO);
}

#[test]
fn a_deleting_stream_will_not_become_active() {
    let start = Instant::now();
    let waiter = Waiter::new(StreamActive::new(stream()), config(60), start);
    let trace = run(
        waiter,
        start,
        vec![summary("CREATING"), summary("DELETING")],
        0.0,
    );
    assert_eq!(
        trace.result.unwrap_err(),
        WaitError::Failed {
            waiting_for: "stream ACTIVE",
            state: "DELETING".into()
        }
    );
}

#[test]
fn an_unknown_status_keeps_the_wait_going() {
    let start = Instant::now();
    let waiter = Waiter::new(StreamActive::new(stream()), config(60), start);
    let trace = run(
        waiter,
        start,
        vec![summary("MIGRATING"), summary("ACTIVE")],
        0.0,
    );
    trace.result.unwrap();
}

#[test]
fn consumer_creating_then_active() {
    let start = Instant::now();
    let arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1";
    let waiter = Waiter::new(
        ConsumerActive::new(DescribeStreamConsumer::new(arn)),
        config(60),
        start,
    );
    let trace = run(
        waiter,
        start,
        vec![
            Err(not_found_error()),
            consumer("CREATING"),
            consumer("ACTIVE"),
        ],
        0.0,
    );
    let description = trace.result.unwrap();
    assert_eq!(description.consumer_status, ConsumerStatus::Active);
    assert_eq!(description.consumer_name, "c");

    let waiter = Waiter::new(
        ConsumerActive::new(DescribeStreamConsumer::new(arn)),
        config(60),
        start,
    );
    let trace = run(waiter, start, vec![consumer("DELETING")], 0.0);
    assert!(matches!(
        trace.result,
        Err(WaitError::Failed {
            waiting_for: "consumer ACTIVE",
            ..
        })
    ));
}

#[test]
fn channel_waits_as_botocore_does() {
    let start = Instant::now();
    let arn = "arn:aws:kinesis:us-east-1:123456789012:channel/ch";
    let active = || {
        Waiter::new(
            ChannelActive::new(DescribeChannel::new(arn)),
            config(60),
            start,
        )
    };
    let trace = run(
        active(),
        start,
        vec![
            channel("CREATING", None),
            channel("UPDATING", None),
            channel("ACTIVE", None),
        ],
        0.0,
    );
    assert_eq!(trace.result.unwrap().channel_status, ChannelStatus::Active);

    let trace = run(
        active(),
        start,
        vec![channel("FAILED", Some("AccessDenied on bucket"))],
        0.0,
    );
    assert_eq!(
        trace.result.unwrap_err(),
        WaitError::Failed {
            waiting_for: "channel ACTIVE",
            state: "FAILED (AccessDenied on bucket)".into()
        }
    );
    let trace = run(active(), start, vec![channel("DELETING", None)], 0.0);
    assert!(matches!(trace.result, Err(WaitError::Failed { .. })));
    // botocore's ChannelActive has no acceptor for a missing channel.
    let trace = run(active(), start, vec![Err(not_found_error())], 0.0);
    assert_eq!(
        trace.result.unwrap_err(),
        WaitError::Call(not_found_error())
    );
}

#[test]
fn polling_while_a_call_is_out_waits_for_the_limit_then_times_out() {
    let start = Instant::now();
    let mut waiter = Waiter::new(StreamActive::new(stream()), config(30), start);
    assert_eq!(waiter.poll_timeout(), None);
    assert!(matches!(waiter.poll(start), WaiterAction::Call(_)));
    // The answer is slow: the driver polls meanwhile.
    match waiter.poll(start + S) {
        WaiterAction::Wait(until) => assert_eq!(until, start + 30 * S),
        other => panic!("{other:?}"),
    }
    match waiter.poll(start + 30 * S) {
        WaiterAction::Done(Err(WaitError::TimedOut {
            attempts: 1,
            last_state: None,
            ..
        })) => {}
        other => panic!("{other:?}"),
    }
    // The answer that comes after the end is ignored.
    waiter.handle_output(summary("ACTIVE"), start + 31 * S, 0.0);
    assert!(matches!(
        waiter.poll(start + 31 * S),
        WaiterAction::Done(Err(_))
    ));
    assert_eq!(waiter.attempts(), 1);
}

#[test]
fn a_call_cut_short_at_the_limit_times_the_wait_out() {
    let start = Instant::now();
    let mut waiter = Waiter::new(StreamActive::new(stream()), config(30), start);
    assert!(matches!(waiter.poll(start), WaiterAction::Call(_)));
    // The driver's call ended by the wait's deadline (Call::with_deadline).
    let cut = Error::Transport(TransportError::new(TransportErrorKind::Timeout, "cut"));
    waiter.handle_output(Err(cut.clone()), waiter.deadline(), 0.0);
    match waiter.poll(start + 30 * S) {
        WaiterAction::Done(Err(WaitError::TimedOut { attempts: 1, .. })) => {}
        other => panic!("{other:?}"),
    }
    // Before the limit the same error ends the wait as a failed call.
    let mut waiter = Waiter::new(StreamActive::new(stream()), config(30), start);
    assert!(matches!(waiter.poll(start), WaiterAction::Call(_)));
    waiter.handle_output(Err(cut), start + S, 0.0);
    assert!(matches!(
        waiter.poll(start + S),
        WaiterAction::Done(Err(WaitError::Call(_)))
    ));
}

#[test]
fn an_answer_nobody_asked_for_is_ignored() {
    let start = Instant::now();
    let mut waiter = Waiter::new(StreamActive::new(stream()), config(30), start);
    waiter.handle_output(summary("ACTIVE"), start, 0.0);
    assert!(!waiter.is_done());
    assert!(matches!(waiter.poll(start), WaiterAction::Call(_)));
}

#[test]
fn waiters_are_static_and_send() {
    fn check<T: Send + 'static>() {}
    check::<Waiter<StreamActive>>();
    check::<Waiter<StreamGone>>();
    check::<Waiter<ConsumerActive>>();
    check::<Waiter<ChannelActive>>();
}

#[test]
fn errors_say_what_was_waited_for() {
    let timed_out = WaitError::TimedOut {
        waiting_for: "stream ACTIVE",
        attempts: 7,
        last_state: Some("CREATING".into()),
        time_limit: 30 * S,
    };
    assert_eq!(
        timed_out.to_string(),
        "waited 30s for stream ACTIVE (7 attempts), last seen CREATING"
    );
    let failed = WaitError::Failed {
        waiting_for: "channel ACTIVE",
        state: "FAILED".into(),
    };
    assert_eq!(
        failed.to_string(),
        "gave up waiting for channel ACTIVE: it is FAILED"
    );
    let call = WaitError::Call(not_found_error());
    assert!(
        call.to_string().starts_with("a call of the wait failed: "),
        "{call}"
    );
    assert!(std::error::Error::source(&call).is_some());
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// One scripted answer to a stream wait.
    fn answer() -> impl Strategy<Value = Result<DescribeStreamSummaryOutput, Error>> {
        prop_oneof![
            4 => Just(summary("CREATING")),
            2 => Just(summary("UPDATING")),
            1 => Just(summary("ACTIVE")),
            1 => Just(summary("DELETING")),
            2 => Just(Err(not_found_error())),
            1 => Just(Err(service(ErrorCode::AccessDenied, 400))),
        ]
    }

    /// What the script says the wait should end in, given how many answers
    /// it got.
    fn expected(
        script: &[Result<DescribeStreamSummaryOutput, Error>],
        used: usize,
    ) -> &'static str {
        match script.get(used - 1) {
            Some(Ok(out)) => match out.stream_description_summary.stream_status {
                StreamStatus::Active => "active",
                StreamStatus::Deleting => "failed",
                _ => "timed out",
            },
            Some(Err(e)) if not_found(e) => "timed out",
            Some(Err(_)) => "error",
            None => unreachable!("run() hands out one answer per call"),
        }
    }

    proptest! {
        /// Whatever the answers, the pacing and the limit: calls start
        /// no later than the limit allows, every pause is within its
        /// bounds, the wait ends within its limit, and it ends the way the
        /// last answer says (or by timing out on a "not yet").
        #[test]
        fn every_wait_keeps_its_contract(
            script in proptest::collection::vec(answer(), 1..40),
            limit_ms in 1u64..120_000,
            min_ms in 1u64..5_000,
            spread_ms in 0u64..20_000,
            jitter in 0.0f64..1.0,
        ) {
            let start = Instant::now();
            let (min, max) = (
                Duration::from_millis(min_ms),
                Duration::from_millis(min_ms + spread_ms),
            );
            let config = WaiterConfig::new(Duration::from_millis(limit_ms)).with_delays(min, max);
            // Enough answers for any wait: pad with "not yet".
            let mut answers = script.clone();
            answers.resize_with(answers.len() + 200_000 / min_ms as usize + 2, || summary("CREATING"));
            let waiter = Waiter::new(StreamActive::new(stream()), config, start);
            let trace = run_unchecked_leftovers(waiter, start, answers.clone(), jitter);
            let used = trace.calls.len();
            prop_assert!(used >= 1);
            for pair in trace.calls.windows(2) {
                let pause = pair[1] - pair[0];
                prop_assert!(pause <= max, "pause {pause:?} over {max:?}");
            }
            let ending = match &trace.result {
                Ok(_) => "active",
                Err(WaitError::Failed { .. }) => "failed",
                Err(WaitError::TimedOut { .. }) => "timed out",
                Err(WaitError::Call(_)) => "error",
            };
            prop_assert_eq!(ending, expected(&answers, used));
        }
    }

    /// [`run`] without its check that every scripted answer was used.
    fn run_unchecked_leftovers<C: Condition>(
        mut waiter: Waiter<C>,
        start: Instant,
        answers: Vec<Result<<C::Op as Operation>::Output, Error>>,
        jitter: f64,
    ) -> Trace<C::Success>
    where
        C::Success: std::fmt::Debug,
    {
        let limit = waiter.deadline() - start;
        let mut answers = VecDeque::from(answers);
        let mut now = start;
        let mut calls = Vec::new();
        loop {
            match waiter.poll(now) {
                WaiterAction::Call(_) => {
                    if !calls.is_empty() {
                        // Only the first attempt may leave less than
                        // min_delay before the limit.
                        assert!(now + waiter.config.min_delay <= waiter.deadline());
                    }
                    calls.push(now - start);
                    let answer = answers.pop_front().expect("enough answers");
                    waiter.handle_output(answer, now, jitter);
                    if let Some(until) = waiter.poll_timeout() {
                        assert!(until > now);
                        // At least min_delay, unless cut to leave the
                        // last attempt min_delay before the limit.
                        let min = waiter.config.min_delay;
                        assert!(until - now >= min || until + min == waiter.deadline());
                    }
                }
                WaiterAction::Wait(until) => {
                    assert!(until > now);
                    now = until;
                }
                WaiterAction::Done(result) => {
                    assert!(now - start <= limit);
                    return Trace {
                        result,
                        calls,
                        ended: now - start,
                    };
                }
            }
        }
    }
}
