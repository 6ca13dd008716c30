//! Waiting for a stream, consumer or channel to reach a state: the loop
//! that runs kinesis-proto's [`Waiter`], which decides what to call and how
//! long to pause; this only calls and sleeps.

use std::time::Instant;

use kinesis_proto::waiter::{Condition, WaitResult, Waiter, WaiterAction};

use crate::Client;

impl Client {
    /// Runs `waiter` to its end: calls what it asks for, sleeps while it
    /// says to wait. (The waiter logs its pauses and how the wait ended.)
    pub(crate) async fn drive_wait<C: Condition>(&self, mut waiter: Waiter<C>) -> WaitResult<C> {
        loop {
            match waiter.poll(Instant::now()) {
                WaiterAction::Call(op) => {
                    let result = self.call_until(&op, Some(waiter.deadline())).await;
                    waiter.handle_output(result, Instant::now(), fastrand::f64());
                }
                WaiterAction::Wait(until) => {
                    async_std::task::sleep(until.saturating_duration_since(Instant::now())).await
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
