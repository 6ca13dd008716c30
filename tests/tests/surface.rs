//! Page iterators and streams, every shard of a stream, and the waiters,
//! for both clients against kinesis-mock on 127.0.0.1: every scenario of
//! `kinesis_tests::surface` once with kinesis-blocking (`blocking::*`) and
//! once with kinesis-async (`async_client::*`).

use async_std::stream::StreamExt;
use async_std::task;
use kinesis_async::Client;
use kinesis_proto::ops::{
    ConsumerDescription, DescribeStreamConsumer, ListShards, ListShardsOutput, Shard,
    StreamDescriptionSummary,
};
use kinesis_proto::waiter::{WaitError, WaiterConfig};
use kinesis_proto::{Error, Operation, Paginated, Settings};
use kinesis_tests::surface::Surface;
use kinesis_tests::Driver;

/// The async client, driven by the (blocking) scenarios: each call blocks
/// on its future, each page stream is collected.
pub struct AsyncClient(Client);

impl Driver for AsyncClient {
    fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        task::block_on(self.0.call(op))
    }
}

impl Surface for AsyncClient {
    fn all_pages<O>(&self, first: O) -> Vec<Result<O::Output, Error>>
    where
        O: Paginated + PartialEq + Clone + Send + Sync + Unpin + 'static,
        O::Output: Send + 'static,
    {
        task::block_on(collect(self.0.pages(first)))
    }
    fn list_shards_pages(&self, first: ListShards) -> Vec<Result<ListShardsOutput, Error>> {
        task::block_on(collect(self.0.list_shards_pages(first)))
    }
    fn list_all_shards(&self, stream: &str) -> Result<Vec<Shard>, Error> {
        task::block_on(self.0.list_all_shards(stream))
    }
    fn list_all_shards_with(&self, first: ListShards) -> Result<Vec<Shard>, Error> {
        task::block_on(self.0.list_all_shards_with(first))
    }
    fn wait_for_stream_active(
        &self,
        stream: &str,
        config: WaiterConfig,
    ) -> Result<StreamDescriptionSummary, WaitError> {
        task::block_on(self.0.wait_for_stream_active(stream, config))
    }
    fn wait_for_stream_gone(&self, stream: &str, config: WaiterConfig) -> Result<(), WaitError> {
        task::block_on(self.0.wait_for_stream_gone(stream, config))
    }
    fn wait_for_consumer_active(
        &self,
        consumer: DescribeStreamConsumer,
        config: WaiterConfig,
    ) -> Result<ConsumerDescription, WaitError> {
        task::block_on(self.0.wait_for_consumer_active(consumer, config))
    }
}

/// Every item of `stream`, in order.
async fn collect<S: async_std::stream::Stream + Unpin>(mut stream: S) -> Vec<S::Item> {
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    items
}

fn connect_async(settings: Settings) -> Result<AsyncClient, Error> {
    Client::new(settings).map(AsyncClient)
}

mod blocking {
    kinesis_tests::surface_tests!(kinesis_blocking::Client::new);
}

mod async_client {
    kinesis_tests::surface_tests!(super::connect_async);
}

/// A page stream can be moved into a task and is polled there.
#[test]
fn a_page_stream_runs_in_a_spawned_task() {
    fn sendable<T: Send + 'static>(_: &T) {}
    let harness = kinesis_tests::Harness::shared(connect_async);
    let client = harness.client().0;
    let pages = client.pages(kinesis_proto::ops::ListStreams::new().with_limit(1));
    sendable(&pages);
    let result: Vec<_> = task::block_on(task::spawn(collect(pages)));
    assert!(result.iter().all(Result::is_ok), "{result:?}");
}
