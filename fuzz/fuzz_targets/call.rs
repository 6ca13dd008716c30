#![no_main]
//! A whole retrying `Call` (PutRecord) driven by arbitrary scripted answers
//! (status, Date and error-type headers, body), transport failures, answer
//! delays and wall-clock jumps, a few calls in a row on one client so the
//! shared retry state carries over. Each call must end within
//! `max_attempts` sends and, when the driver keeps to the time each attempt
//! is given, within its time limit; every wait must have an end; nothing
//! may panic.
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use kinesis_proto::call::{Action, Call};
use kinesis_proto::http::{self, Response};
use kinesis_proto::retry::{RetryConfig, RetryMode};
use kinesis_proto::{ops::PutRecord, Client, Config, Credentials};
use kinesis_proto::{TransportError, TransportErrorKind};
use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;

#[derive(Arbitrary, Debug)]
enum Answer {
    Http {
        status: u16,
        /// Seconds from the local clock, as an HTTP date, or a raw string.
        date: Option<Result<i32, String>>,
        error_type: Option<String>,
        body: Vec<u8>,
        /// Feed it twice: the second time no request is out, so it must be
        /// ignored.
        twice: bool,
    },
    Transport(u8),
    /// The attempt uses up the time it was given and times out.
    Hang,
    /// The wall clock jumps by this many seconds (NTP, a suspended laptop);
    /// the monotonic clock does not.
    WallJump(i32),
}

#[derive(Arbitrary, Debug)]
struct Script {
    adaptive: bool,
    max_attempts: u8,
    base_ms: u16,
    max_backoff_ms: u32,
    jitter: f64,
    start: u32,
    calls: u8,
    /// Whole-call and per-attempt limits, in milliseconds.
    call_limit_ms: Option<u16>,
    attempt_limit_ms: Option<u16>,
    /// How long each answer takes to come, in milliseconds (capped by the
    /// attempt's time limit).
    latency_ms: u16,
    answers: Vec<Answer>,
}

fn http_date(t: OffsetDateTime) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[t.weekday().number_days_from_monday() as usize],
        t.day(),
        MONTHS[t.month() as usize - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn response(
    status: u16,
    date: &Option<Result<i32, String>>,
    error_type: &Option<String>,
    body: &[u8],
    now: OffsetDateTime,
) -> Option<Response<Vec<u8>>> {
    let mut builder = Response::builder().status(100 + status % 500);
    match date {
        Some(Ok(offset)) => {
            let t = now.checked_add(time::Duration::seconds((*offset).into()))?;
            builder = builder.header(http::header::DATE, http_date(t));
        }
        Some(Err(raw)) => builder = builder.header(http::header::DATE, raw.as_str()),
        None => {}
    }
    if let Some(code) = error_type {
        builder = builder.header("x-amzn-errortype", code.as_str());
    }
    builder.body(body.to_vec()).ok()
}

fn transport_error(kind: u8) -> TransportError {
    use TransportErrorKind::*;
    let kinds = [Connect, Timeout, Io, Tls, Protocol, Other];
    TransportError::new(kinds[kind as usize % kinds.len()], "scripted")
}

fuzz_target!(|s: Script| {
    let retry = RetryConfig::default()
        .with_mode(if s.adaptive {
            RetryMode::Adaptive
        } else {
            RetryMode::Standard
        })
        .with_max_attempts(u32::from(s.max_attempts % 8))
        .with_base_delay(Duration::from_millis(s.base_ms.into()))
        .with_max_backoff(Duration::from_millis(s.max_backoff_ms.into()));
    let ms = |v: Option<u16>| v.map(|v| Duration::from_millis(v.into()));
    let config = Config::new("us-east-1")
        .with_retry(retry)
        .with_call_timeout(ms(s.call_limit_ms))
        .with_attempt_timeout(ms(s.attempt_limit_ms));
    let client = Client::new(config);
    let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
    let put = PutRecord::new("stream", "key", b"data".to_vec());
    let mut wall = OffsetDateTime::UNIX_EPOCH + Duration::from_secs(s.start.into());
    let mut now = Instant::now();
    let latency = Duration::from_millis(s.latency_ms.into());
    let mut script = s.answers.iter().cycle();
    for _ in 0..=s.calls % 4 {
        let mut call = Call::new(&client, put.clone(), credentials.clone());
        let started = now;
        let mut sends = 0;
        let mut polls = 0;
        loop {
            polls += 1;
            assert!(polls < 10_000, "call never ended: {call:?}");
            match call.poll(now, wall, s.jitter) {
                Action::Send { timeout, .. } => {
                    sends += 1;
                    assert!(sends <= retry.attempts(), "{sends} sends: {call:?}");
                    // The answer takes `latency`, but never longer than the
                    // attempt was given.
                    let took = timeout.map_or(latency, |t| latency.min(t));
                    now += took;
                    wall = wall
                        .checked_add(took.try_into().unwrap_or(time::Duration::ZERO))
                        .unwrap_or(wall);
                    match script.next() {
                        Some(Answer::Http {
                            status,
                            date,
                            error_type,
                            body,
                            twice,
                        }) => {
                            let Some(r) = response(*status, date, error_type, body, wall) else {
                                call.handle_transport_error(transport_error(0), now);
                                continue;
                            };
                            if *twice {
                                call.handle_response(r.clone(), now, wall);
                            }
                            call.handle_response(r, now, wall);
                        }
                        Some(Answer::Transport(kind)) => {
                            call.handle_transport_error(transport_error(*kind), now)
                        }
                        Some(Answer::Hang) => {
                            let rest = timeout.map_or(Duration::from_secs(1), |t| t - took);
                            now += rest;
                            let e = TransportError::new(TransportErrorKind::Timeout, "hung");
                            call.handle_transport_error(e, now);
                        }
                        Some(Answer::WallJump(secs)) => {
                            let jump = time::Duration::seconds((*secs).into());
                            wall = wall.checked_add(jump).unwrap_or(wall);
                            call.handle_transport_error(transport_error(2), now);
                        }
                        None => call.handle_transport_error(transport_error(2), now),
                    }
                }
                Action::Wait => {
                    let until = call.poll_timeout().expect("a wait without an end");
                    assert!(until > now, "a wait that ends at once: {call:?}");
                    let d = until - now;
                    now = until;
                    wall = wall
                        .checked_add(d.try_into().unwrap_or(time::Duration::MAX))
                        .unwrap_or(wall);
                }
                Action::Done(_) => break,
            }
        }
        assert!(call.is_done());
        if let Some(limit) = ms(s.call_limit_ms) {
            assert!(
                now - started <= limit,
                "{:?} for a {limit:?} call",
                now - started
            );
        }
        // After Done, more polls and answers change nothing and never panic.
        assert!(matches!(
            call.poll(now, wall, s.jitter),
            Action::Done(Err(_))
        ));
        call.handle_transport_error(transport_error(0), now);
    }
});
