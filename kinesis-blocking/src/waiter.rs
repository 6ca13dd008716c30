//! Waiting for a stream, consumer or channel to reach a state: the loop
//! that runs kinesis-proto's [`Waiter`], which decides what to call and how
//! long to pause; this only calls and sleeps.

use std::thread;
use std::time::Instant;

use kinesis_proto::waiter::{Condition, WaitResult, Waiter, WaiterAction};

use crate::Client;

impl Client {
    /// Runs `waiter` to its end: calls what it asks for, sleeps while it
    /// says to wait. (The waiter logs its pauses and how the wait ended.)
    pub(crate) fn drive_wait<C: Condition>(&self, mut waiter: Waiter<C>) -> WaitResult<C> {
        loop {
            match waiter.poll(Instant::now()) {
                WaiterAction::Call(op) => {
                    let result = self.call_until(&op, Some(waiter.deadline()));
                    waiter.handle_output(result, Instant::now(), fastrand::f64());
                }
                WaiterAction::Wait(until) => {
                    thread::sleep(until.saturating_duration_since(Instant::now()))
                }
                WaiterAction::Done(result) => return result,
            }
        }
    }
}

// `wait` and the `wait_for_*` methods: kinesis-proto's `waiter_methods!`,
// expanded with the client's other shared methods in `client.rs`.

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use kinesis_proto::waiter::{WaitError, WaiterConfig};
    use kinesis_proto::{Error, ErrorCode};

    use super::*;
    use crate::paginate::tests::client;
    use crate::test_server::{serve, Reply};

    fn summary(status: &str) -> Reply {
        Reply::Answer(
            200,
            format!(
                r#"{{"StreamDescriptionSummary":{{"StreamName":"s",
                "StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s",
                "StreamStatus":"{status}","RetentionPeriodHours":24,
                "StreamCreationTimestamp":1700000000,"EnhancedMonitoring":[],"OpenShardCount":1}}}}"#
            )
            .into_bytes(),
        )
    }

    fn not_found() -> Reply {
        Reply::Answer(
            400,
            br#"{"__type":"ResourceNotFoundException","message":"no stream s"}"#.to_vec(),
        )
    }

    fn quick(limit: Duration) -> WaiterConfig {
        WaiterConfig::new(limit).with_delays(Duration::from_millis(20), Duration::from_millis(80))
    }

    #[test]
    fn waits_through_not_found_and_creating_until_active() {
        let server = serve(vec![not_found(), summary("CREATING"), summary("ACTIVE")]);
        let started = Instant::now();
        let summary = client(&server)
            .wait_for_stream_active("s", quick(Duration::from_secs(10)))
            .expect("ACTIVE on the third call");
        assert_eq!(summary.stream_status.as_str(), "ACTIVE");
        assert_eq!(server.seen().len(), 3);
        // Two pauses of at least min_delay.
        assert!(started.elapsed() >= Duration::from_millis(40));
    }

    #[test]
    fn gone_is_not_found() {
        let server = serve(vec![summary("DELETING"), not_found()]);
        client(&server)
            .wait_for_stream_gone("s", quick(Duration::from_secs(10)))
            .expect("gone on the second call");
        assert_eq!(server.seen().len(), 2);
    }

    #[test]
    fn the_time_limit_ends_the_wait() {
        let server = serve(vec![summary("CREATING"); 100]);
        let started = Instant::now();
        let err = client(&server)
            .wait_for_stream_active("s", quick(Duration::from_millis(300)))
            .expect_err("never ACTIVE");
        assert!(matches!(err, WaitError::TimedOut { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
        let calls = server.seen().len();
        assert!((3..=16).contains(&calls), "{calls} calls in 300 ms");
    }

    #[test]
    fn another_error_ends_the_wait_with_it() {
        let denied = br#"{"__type":"AccessDeniedException","message":"no"}"#;
        let server = serve(vec![Reply::Answer(400, denied.to_vec()), summary("ACTIVE")]);
        match client(&server).wait_for_stream_active("s", quick(Duration::from_secs(10))) {
            Err(WaitError::Call(Error::Service(e))) => assert_eq!(e.code, ErrorCode::AccessDenied),
            other => panic!("{other:?}"),
        }
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(server.seen().len(), 1);
    }
}
