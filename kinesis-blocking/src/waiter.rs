//! Waiting for a stream, consumer or channel to reach a state: the loop
//! that runs kinesis-proto's [`Waiter`], which decides what to call and how
//! long to pause; this only calls and sleeps.

use std::thread;
use std::time::Instant;

use kinesis_proto::ops::{
    ChannelDescription, ConsumerDescription, DescribeChannel, DescribeStreamConsumer,
    DescribeStreamSummary, StreamDescriptionSummary, StreamRef,
};
use kinesis_proto::waiter::{
    ChannelActive, Condition, ConsumerActive, StreamActive, StreamGone, WaitError, Waiter,
    WaiterAction, WaiterConfig,
};
use kinesis_proto::Operation;

use crate::Client;

impl Client {
    /// Waits until `condition` holds, repeating its describe call (each
    /// with the client's retries) with growing pauses, within `config`'s
    /// time limit, which also cuts short a call still out when it runs
    /// out. A [`std::time::Duration`] is a time limit with the SDK waiters'
    /// pacing (10 s to 120 s between calls).
    ///
    /// The `wait_for_*` methods are this call with one condition each.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use kinesis_blocking::{ops::{DescribeStreamSummary, StreamRef}, Client, StreamActive};
    ///
    /// let client = Client::from_env()?;
    /// let arn = "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream";
    /// let describe = DescribeStreamSummary::new(StreamRef::arn(arn));
    /// let summary = client.wait(StreamActive::new(describe), Duration::from_secs(300))?;
    /// println!("{} is {}", summary.stream_name, summary.stream_status);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait<C: Condition>(
        &self,
        condition: C,
        config: impl Into<WaiterConfig>,
    ) -> Result<C::Success, WaitError> {
        let mut waiter = Waiter::new(condition, config, Instant::now());
        loop {
            match waiter.poll(Instant::now()) {
                WaiterAction::Call(op) => {
                    let result = self.call_until(&op, Some(waiter.deadline()));
                    waiter.handle_output(result, Instant::now(), fastrand::f64());
                }
                WaiterAction::Wait(until) => {
                    let pause = until.saturating_duration_since(Instant::now());
                    log::debug!("waiting {pause:?} before the next {}", C::Op::NAME);
                    thread::sleep(pause);
                }
                WaiterAction::Done(result) => {
                    if let Err(e) = &result {
                        log::debug!("{e}");
                    }
                    return result;
                }
            }
        }
    }

    /// Waits until the stream `stream` (a name, or a [`StreamRef::arn`])
    /// exists and is ACTIVE (after
    /// CreateStream, a reshard or a configuration change) and returns its
    /// summary. ResourceNotFound keeps the wait going (a new stream may not
    /// be visible at once); `DELETING` ends it.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use kinesis_blocking::{ops::CreateStream, Client};
    ///
    /// let client = Client::from_env()?;
    /// client.create_stream(&CreateStream::new("my-stream").with_shard_count(2))?;
    /// let summary = client.wait_for_stream_active("my-stream", Duration::from_secs(300))?;
    /// println!("{} open shards", summary.open_shard_count);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_for_stream_active(
        &self,
        stream: impl Into<StreamRef>,
        config: impl Into<WaiterConfig>,
    ) -> Result<StreamDescriptionSummary, WaitError> {
        self.wait(
            StreamActive::new(DescribeStreamSummary::new(stream)),
            config,
        )
    }

    /// Waits until the stream `stream` (a name, or a [`StreamRef::arn`]) no
    /// longer exists (after
    /// DeleteStream): until DescribeStreamSummary answers ResourceNotFound.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use kinesis_blocking::{ops::DeleteStream, Client};
    ///
    /// let client = Client::from_env()?;
    /// client.delete_stream(&DeleteStream::new("my-stream"))?;
    /// client.wait_for_stream_gone("my-stream", Duration::from_secs(300))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_for_stream_gone(
        &self,
        stream: impl Into<StreamRef>,
        config: impl Into<WaiterConfig>,
    ) -> Result<(), WaitError> {
        self.wait(StreamGone::new(DescribeStreamSummary::new(stream)), config)
    }

    /// Waits until the enhanced fan-out consumer that `consumer` describes
    /// is ACTIVE (after RegisterStreamConsumer) and returns its
    /// description.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use kinesis_blocking::{ops::DescribeStreamConsumer, Client};
    ///
    /// let client = Client::from_env()?;
    /// let stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream";
    /// let consumer = DescribeStreamConsumer::by_name(stream_arn, "billing");
    /// let description = client.wait_for_consumer_active(consumer, Duration::from_secs(300))?;
    /// println!("{}", description.consumer_arn);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_for_consumer_active(
        &self,
        consumer: DescribeStreamConsumer,
        config: impl Into<WaiterConfig>,
    ) -> Result<ConsumerDescription, WaitError> {
        self.wait(ConsumerActive::new(consumer), config)
    }

    /// Waits until the channel `channel_arn` is ACTIVE (after CreateChannel
    /// or UpdateChannel) and returns its description; `FAILED` and
    /// `DELETING` end the wait.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// let client = kinesis_blocking::Client::from_env()?;
    /// let arn = "arn:aws:kinesis:us-east-1:123456789012:channel/orders-to-s3";
    /// let channel = client.wait_for_channel_active(arn, Duration::from_secs(600))?;
    /// println!("{}", channel.channel_status);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_for_channel_active(
        &self,
        channel_arn: &str,
        config: impl Into<WaiterConfig>,
    ) -> Result<ChannelDescription, WaitError> {
        self.wait(
            ChannelActive::new(DescribeChannel::new(channel_arn)),
            config,
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
