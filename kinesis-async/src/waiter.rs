//! Waiting for a stream, consumer or channel to reach a state: the loop
//! that runs kinesis-proto's [`Waiter`], which decides what to call and how
//! long to pause; this only calls and sleeps.

use std::time::Instant;

use kinesis_proto::waiter::{Condition, WaitError, Waiter, WaiterAction, WaiterConfig};

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
                // The waiter logs its pauses and how the wait ended.
                WaiterAction::Wait(until) => {
                    async_std::task::sleep(until.saturating_duration_since(Instant::now())).await
                }
                WaiterAction::Done(result) => return result,
            }
        }
    }
}

// One `wait_for_*` method per waiter, from kinesis-proto's table.
kinesis_proto::waiter_methods!(
    crate: "kinesis_async",
    async: async,
    await: .await,
    run: "# async_std::task::block_on(async {",
    end: "# });",
);

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
