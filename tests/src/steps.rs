//! Steps the scenarios and the demo share: streams that clean up after
//! themselves, waiting for a stream to settle, reading shards to the end.

use std::time::{Duration, Instant};

use kinesis_proto::ops::{
    CreateStream, DeleteStream, DescribeStreamSummary, GetRecords, GetShardIterator, ListShards,
    Record, Shard, ShardIteratorType, StreamDescriptionSummary, StreamStatus,
};
use kinesis_proto::Error;
use kinesis_proto::{ErrorCode, Paginated};

use crate::driver::Driver;

/// How long a stream may take to become ACTIVE (the mock is started with
/// 100 ms state changes).
const SETTLE_DEADLINE: Duration = Duration::from_secs(30);
/// Pause between two polls of a settling stream.
const POLL_PAUSE: Duration = Duration::from_millis(50);
/// Most GetRecords calls one shard read makes before giving up.
const MAX_PAGES: usize = 10_000;

/// Unwraps a call's result, panicking with the operation's name and the
/// error.
pub fn ok<T>(what: &str, result: Result<T, Error>) -> T {
    result.unwrap_or_else(|e| panic!("{what} failed: {e}"))
}

/// A stream created for one test, deleted when dropped (also when the test
/// panics), so a long test run does not fill the mock's shard limit.
pub struct TestStream<'d, D: Driver> {
    driver: &'d D,
    name: String,
}

impl<'d, D: Driver> TestStream<'d, D> {
    /// Creates the stream `name` with `shards` shards and waits until it is
    /// ACTIVE.
    pub fn create(driver: &'d D, name: impl Into<String>, shards: u32) -> Self {
        let name = name.into();
        create_stream(driver, &name, shards);
        TestStream { driver, name }
    }

    /// The stream's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<D: Driver> Drop for TestStream<'_, D> {
    fn drop(&mut self) {
        let _ = self.driver.call(&DeleteStream::new(self.name.as_str()));
    }
}

/// Creates the stream `name` with `shards` shards and waits until it is
/// ACTIVE.
pub fn create_stream<D: Driver>(driver: &D, name: &str, shards: u32) -> StreamDescriptionSummary {
    ok(
        "CreateStream",
        driver.call(&CreateStream::new(name).with_shard_count(shards)),
    );
    wait_active(driver, name)
}

/// Polls DescribeStreamSummary until the stream is ACTIVE (bounded).
pub fn wait_active<D: Driver>(driver: &D, name: &str) -> StreamDescriptionSummary {
    let deadline = Instant::now() + SETTLE_DEADLINE;
    loop {
        let summary = ok(
            "DescribeStreamSummary",
            driver.call(&DescribeStreamSummary::new(name)),
        )
        .stream_description_summary;
        if summary.stream_status == StreamStatus::Active {
            return summary;
        }
        assert!(
            Instant::now() < deadline,
            "stream {name} not ACTIVE after {SETTLE_DEADLINE:?}: {:?}",
            summary.stream_status
        );
        std::thread::sleep(POLL_PAUSE);
    }
}

/// Polls DescribeStreamSummary until the stream is gone (bounded).
pub fn wait_deleted<D: Driver>(driver: &D, name: &str) {
    let deadline = Instant::now() + SETTLE_DEADLINE;
    loop {
        match driver.call(&DescribeStreamSummary::new(name)) {
            Err(Error::Service(e)) if e.code == ErrorCode::ResourceNotFound => return,
            Err(e) => panic!("DescribeStreamSummary of a deleted stream: {e}"),
            Ok(out) => {
                let status = out.stream_description_summary.stream_status;
                assert_eq!(
                    status,
                    StreamStatus::Deleting,
                    "stream {name} after DeleteStream"
                );
            }
        }
        assert!(
            Instant::now() < deadline,
            "stream {name} still there {SETTLE_DEADLINE:?} after DeleteStream"
        );
        std::thread::sleep(POLL_PAUSE);
    }
}

/// Every page of a paginated operation from `first` on, following
/// [`Paginated::next_page`] (bounded).
pub fn all_pages<D: Driver, O: Paginated>(driver: &D, first: O) -> Vec<O::Output> {
    let mut pages = Vec::new();
    let mut request = Some(first);
    while let Some(op) = request {
        assert!(pages.len() < MAX_PAGES, "{} does not end", O::NAME);
        let page = ok(O::NAME, driver.call(&op));
        request = op.next_page(&page);
        pages.push(page);
    }
    pages
}

/// Every shard of the stream, following ListShards pages of `page_size`.
/// Returns the shards and how many pages it took.
pub fn list_shards<D: Driver>(
    driver: &D,
    name: &str,
    page_size: Option<u32>,
) -> (Vec<Shard>, usize) {
    let mut first = ListShards::new(name);
    first.page.max_results = page_size;
    let pages = all_pages(driver, first);
    let count = pages.len();
    (pages.into_iter().flat_map(|p| p.shards).collect(), count)
}

/// A shard iterator for `shard` of `stream`.
pub fn iterator<D: Driver>(driver: &D, op: &GetShardIterator) -> String {
    ok("GetShardIterator", driver.call(op))
        .shard_iterator
        .unwrap_or_else(|| panic!("GetShardIterator gave no iterator for {op:?}"))
}

/// A GetShardIterator request of `kind` for `shard` of `stream`.
pub fn iterator_request(stream: &str, shard: &str, kind: ShardIteratorType) -> GetShardIterator {
    GetShardIterator::new(stream, shard, kind)
}

/// Reads from `iterator`, following NextShardIterator until the shard is
/// caught up (an empty page with MillisBehindLatest 0) or closed and read
/// to its end. `limit` is GetRecords' Limit of each page.
pub fn read_to_end<D: Driver>(driver: &D, iterator: String, limit: Option<u32>) -> Vec<Record> {
    let mut records = Vec::new();
    let mut next = Some(iterator);
    let mut pages = 0;
    while let Some(iterator) = next {
        pages += 1;
        assert!(pages <= MAX_PAGES, "GetRecords does not catch up");
        let mut request = GetRecords::new(iterator);
        request.limit = limit;
        let page = ok("GetRecords", driver.call(&request));
        let caught_up = page.records.is_empty() && page.millis_behind_latest == Some(0);
        records.extend(page.records);
        if caught_up {
            break;
        }
        next = page.next_shard_iterator;
    }
    records
}

/// Every record of every shard of the stream, from TRIM_HORIZON.
pub fn read_stream<D: Driver>(driver: &D, name: &str) -> Vec<Record> {
    let (shards, _) = list_shards(driver, name, None);
    let mut records = Vec::new();
    for shard in shards {
        let it = iterator(
            driver,
            &iterator_request(name, &shard.shard_id, ShardIteratorType::TrimHorizon),
        );
        records.extend(read_to_end(driver, it, None));
    }
    records
}

/// Data of record `i` of a test: lengths 1 to 300 and every byte value
/// across a run.
pub fn record_data(i: usize) -> Vec<u8> {
    let len = 1 + (i * 37) % 300;
    (0..len)
        .map(|j| (i.wrapping_mul(31) + j * 7) as u8)
        .collect()
}
