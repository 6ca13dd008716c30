//! Waiting for a stream, consumer or channel to reach a state: the loop
//! that runs kinesis-proto's [`Waiter`], which decides what to call and how
//! long to pause; this only calls and sleeps.

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
    /// use kinesis_async::{ops::{DescribeStreamSummary, StreamRef}, Client, StreamActive};
    ///
    /// # async_std::task::block_on(async {
    /// let client = Client::from_env()?;
    /// let arn = "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream";
    /// let describe = DescribeStreamSummary::new(StreamRef::arn(arn));
    /// let summary = client.wait(StreamActive::new(describe), Duration::from_secs(300)).await?;
    /// println!("{} is {}", summary.stream_name, summary.stream_status);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub async fn wait<C: Condition>(
        &self,
        condition: C,
        config: impl Into<WaiterConfig>,
    ) -> Result<C::Success, WaitError> {
        let mut waiter = Waiter::new(condition, config, Instant::now());
        loop {
            match waiter.poll(Instant::now()) {
                WaiterAction::Call(op) => {
                    let result = self.call_until(&op, Some(waiter.deadline())).await;
                    waiter.handle_output(result, Instant::now(), fastrand::f64());
                }
                WaiterAction::Wait(until) => {
                    let pause = until.saturating_duration_since(Instant::now());
                    log::debug!("waiting {pause:?} before the next {}", C::Op::NAME);
                    async_std::task::sleep(pause).await;
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
    /// use kinesis_async::{ops::CreateStream, Client};
    ///
    /// # async_std::task::block_on(async {
    /// let client = Client::from_env()?;
    /// client.create_stream(&CreateStream::new("my-stream").with_shard_count(2)).await?;
    /// let summary = client.wait_for_stream_active("my-stream", Duration::from_secs(300)).await?;
    /// println!("{} open shards", summary.open_shard_count);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub async fn wait_for_stream_active(
        &self,
        stream: impl Into<StreamRef>,
        config: impl Into<WaiterConfig>,
    ) -> Result<StreamDescriptionSummary, WaitError> {
        self.wait(
            StreamActive::new(DescribeStreamSummary::new(stream)),
            config,
        )
        .await
    }

    /// Waits until the stream `stream` (a name, or a [`StreamRef::arn`]) no
    /// longer exists (after
    /// DeleteStream): until DescribeStreamSummary answers ResourceNotFound.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use kinesis_async::{ops::DeleteStream, Client};
    ///
    /// # async_std::task::block_on(async {
    /// let client = Client::from_env()?;
    /// client.delete_stream(&DeleteStream::new("my-stream")).await?;
    /// client.wait_for_stream_gone("my-stream", Duration::from_secs(300)).await?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub async fn wait_for_stream_gone(
        &self,
        stream: impl Into<StreamRef>,
        config: impl Into<WaiterConfig>,
    ) -> Result<(), WaitError> {
        self.wait(StreamGone::new(DescribeStreamSummary::new(stream)), config)
            .await
    }

    /// Waits until the enhanced fan-out consumer that `consumer` describes
    /// is ACTIVE (after RegisterStreamConsumer) and returns its
    /// description.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use kinesis_async::{ops::DescribeStreamConsumer, Client};
    ///
    /// # async_std::task::block_on(async {
    /// let client = Client::from_env()?;
    /// let stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream";
    /// let consumer = DescribeStreamConsumer::by_name(stream_arn, "billing");
    /// let description = client.wait_for_consumer_active(consumer, Duration::from_secs(300)).await?;
    /// println!("{}", description.consumer_arn);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub async fn wait_for_consumer_active(
        &self,
        consumer: DescribeStreamConsumer,
        config: impl Into<WaiterConfig>,
    ) -> Result<ConsumerDescription, WaitError> {
        self.wait(ConsumerActive::new(consumer), config).await
    }

    /// Waits until the channel `channel_arn` is ACTIVE (after CreateChannel
    /// or UpdateChannel) and returns its description; `FAILED` and
    /// `DELETING` end the wait.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// # async_std::task::block_on(async {
    /// let client = kinesis_async::Client::from_env()?;
    /// let arn = "arn:aws:kinesis:us-east-1:123456789012:channel/orders-to-s3";
    /// let channel = client.wait_for_channel_active(arn, Duration::from_secs(600)).await?;
    /// println!("{}", channel.channel_status);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub async fn wait_for_channel_active(
        &self,
        channel_arn: &str,
        config: impl Into<WaiterConfig>,
    ) -> Result<ChannelDescription, WaitError> {
        self.wait(
            ChannelActive::new(DescribeChannel::new(channel_arn)),
            config,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use kinesis_proto::{Config, Credentials, Settings};

    use super::*;

    #[test]
    fn waits_and_page_streams_go_anywhere_a_task_goes() {
        fn spawnable<T: Send + 'static>(_: T) {}
        let config = Config::new("us-east-1")
            .with_endpoint_url("http://127.0.0.1:9")
            .expect("a local URL");
        let client = Client::new(Settings::new(
            config,
            Credentials::new("AKID", "SECRET", None),
        ))
        .expect("a client");
        let c = client.clone();
        spawnable(async move { c.wait_for_stream_gone("s", Duration::from_secs(1)).await });
        let c = client.clone();
        spawnable(async move { c.list_all_shards("s").await });
        spawnable(client.list_shards_pages(kinesis_proto::ops::ListShards::new("s")));
    }
}
