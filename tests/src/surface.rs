//! Scenarios for the clients' surface beyond single calls — page
//! iterators and streams, every shard of a stream, waiters — written once
//! and run for every transport through [`surface_tests!`](crate::surface_tests).
//!
//! A transport offers them through [`Surface`]: the same method names as
//! its client, blocking (an async client blocks on each future and
//! collects each page stream).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kinesis_proto::ops::{
    ConsumerDescription, CreateStream, DeleteStream, DescribeStream, DescribeStreamConsumer,
    DescribeStreamSummary, ListShards, ListShardsOutput, ListStreams, RegisterStreamConsumer,
    Shard, SplitShard, StreamDescriptionSummary, StreamStatus,
};
use kinesis_proto::waiter::{WaitError, WaiterConfig};
use kinesis_proto::{
    Config, Credentials, Error, ErrorCode, Paginated, Settings, TransportErrorKind,
};

use crate::driver::{Driver, Harness};
use crate::steps::{ok, TestStream};

/// What the surface scenarios need of a client, beside single calls.
pub trait Surface: Driver {
    /// Every page of `first`, as the client's `pages` yields them.
    fn all_pages<O>(&self, first: O) -> Vec<Result<O::Output, Error>>
    where
        O: Paginated + PartialEq + Clone + Send + Sync + Unpin + 'static,
        O::Output: Send + 'static;
    /// The client's `list_shards_pages`, collected.
    fn list_shards_pages(&self, first: ListShards) -> Vec<Result<ListShardsOutput, Error>>;
    /// The client's `list_all_shards`.
    fn list_all_shards(&self, stream: &str) -> Result<Vec<Shard>, Error>;
    /// The client's `list_all_shards_with`.
    fn list_all_shards_with(&self, first: ListShards) -> Result<Vec<Shard>, Error>;
    /// The client's `wait_for_stream_active`.
    fn wait_for_stream_active(
        &self,
        stream: &str,
        config: WaiterConfig,
    ) -> Result<StreamDescriptionSummary, WaitError>;
    /// The client's `wait_for_stream_gone`.
    fn wait_for_stream_gone(&self, stream: &str, config: WaiterConfig) -> Result<(), WaitError>;
    /// The client's `wait_for_consumer_active`.
    fn wait_for_consumer_active(
        &self,
        consumer: DescribeStreamConsumer,
        config: WaiterConfig,
    ) -> Result<ConsumerDescription, WaitError>;
}

impl Surface for kinesis_blocking::Client {
    fn all_pages<O>(&self, first: O) -> Vec<Result<O::Output, Error>>
    where
        O: Paginated + PartialEq + Clone + Send + Sync + Unpin + 'static,
        O::Output: Send + 'static,
    {
        self.pages(first).collect()
    }
    fn list_shards_pages(&self, first: ListShards) -> Vec<Result<ListShardsOutput, Error>> {
        kinesis_blocking::Client::list_shards_pages(self, first).collect()
    }
    fn list_all_shards(&self, stream: &str) -> Result<Vec<Shard>, Error> {
        kinesis_blocking::Client::list_all_shards(self, stream)
    }
    fn list_all_shards_with(&self, first: ListShards) -> Result<Vec<Shard>, Error> {
        kinesis_blocking::Client::list_all_shards_with(self, first)
    }
    fn wait_for_stream_active(
        &self,
        stream: &str,
        config: WaiterConfig,
    ) -> Result<StreamDescriptionSummary, WaitError> {
        kinesis_blocking::Client::wait_for_stream_active(self, stream, config)
    }
    fn wait_for_stream_gone(&self, stream: &str, config: WaiterConfig) -> Result<(), WaitError> {
        kinesis_blocking::Client::wait_for_stream_gone(self, stream, config)
    }
    fn wait_for_consumer_active(
        &self,
        consumer: DescribeStreamConsumer,
        config: WaiterConfig,
    ) -> Result<ConsumerDescription, WaitError> {
        kinesis_blocking::Client::wait_for_consumer_active(self, consumer, config)
    }
}

/// Expands into one `#[test]` per scenario of [`crate::surface`] for the
/// driver `$connect` makes (a [`crate::Connect`] of a [`Surface`]).
#[macro_export]
macro_rules! surface_tests {
    ($connect:expr) => {
        $crate::surface_tests!(@each $connect;
            every_shard_exactly_once,
            pages_of_streams_and_descriptions,
            create_then_wait_for_active,
            delete_then_wait_for_gone,
            waiting_for_a_missing_stream_runs_out_of_time,
            a_call_error_ends_the_wait,
            wait_for_a_consumer,
            the_wait_limit_cuts_short_a_call_that_gets_no_answer,
            a_connect_that_gets_no_answer_is_a_timeout,
        );
    };
    (@each $connect:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let harness = $crate::Harness::shared($connect);
                $crate::surface::$name(&harness);
            }
        )*
    };
}

/// Pacing for the mock, whose streams settle in about 100 ms.
pub fn quick(limit: Duration) -> WaiterConfig {
    WaiterConfig::new(limit).with_delays(Duration::from_millis(50), Duration::from_millis(400))
}

/// How many times each shard ID occurs in `shards`.
fn counts(shards: &[Shard]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for shard in shards {
        *counts.entry(shard.shard_id.clone()).or_insert(0) += 1;
    }
    counts
}

/// A stream of 10 shards, one of them split (so 11 open and 1 closed),
/// paged 3 shards at a time, gives every shard once, through the page
/// iterator and through "every shard".
pub fn every_shard_exactly_once<D: Surface>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("every-shard"), 10);
    let first = ok("ListShards", client.call(&ListShards::new(stream.name()))).shards;
    let parent = &first[0];
    let middle =
        parent.hash_key_range.starting_hash_key / 2 + parent.hash_key_range.ending_hash_key / 2;
    ok(
        "SplitShard",
        client.call(&SplitShard::new(
            stream.name(),
            parent.shard_id.as_str(),
            middle,
        )),
    );
    let summary = client
        .wait_for_stream_active(stream.name(), quick(Duration::from_secs(30)))
        .unwrap_or_else(|e| panic!("after SplitShard: {e}"));
    assert_eq!(summary.open_shard_count, 11);

    // The whole list in one page, to compare with.
    let all = ok("ListShards", client.call(&ListShards::new(stream.name()))).shards;
    assert_eq!(all.len(), 12, "{all:#?}");
    assert!(all
        .iter()
        .any(|s| s.sequence_number_range.ending_sequence_number.is_some()));
    let expected: BTreeMap<String, usize> = all.iter().map(|s| (s.shard_id.clone(), 1)).collect();

    let mut small = ListShards::new(stream.name());
    small.page.max_results = Some(3);
    let pages: Vec<ListShardsOutput> = client
        .list_shards_pages(small.clone())
        .into_iter()
        .map(|p| ok("ListShards page", p))
        .collect();
    assert_eq!(pages.len(), 4, "12 shards, 3 per page");
    assert!(pages.iter().all(|p| p.shards.len() <= 3));
    let paged: Vec<Shard> = pages.into_iter().flat_map(|p| p.shards).collect();
    assert_eq!(counts(&paged), expected);

    let generic: Vec<Shard> = client
        .all_pages(small.clone())
        .into_iter()
        .flat_map(|p| ok("ListShards page", p).shards)
        .collect();
    assert_eq!(counts(&generic), expected);

    let every = ok("list_all_shards_with", client.list_all_shards_with(small));
    assert_eq!(counts(&every), expected);
    let every = ok("list_all_shards", client.list_all_shards(stream.name()));
    assert_eq!(counts(&every), expected);
    assert_eq!(every, all);
}

/// ListStreams one name a page and DescribeStream one shard a page,
/// through the generic page method.
pub fn pages_of_streams_and_descriptions<D: Surface>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("pages-of"), 3);
    let names: Vec<String> = client
        .all_pages(ListStreams::new().with_limit(1))
        .into_iter()
        .flat_map(|p| ok("ListStreams page", p).stream_names)
        .collect();
    assert!(names.iter().any(|n| n == stream.name()), "{names:?}");
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        names.len(),
        "a stream listed twice: {names:?}"
    );

    let pages: Vec<_> = client
        .all_pages(DescribeStream::new(stream.name()).with_limit(1))
        .into_iter()
        .map(|p| ok("DescribeStream page", p))
        .collect();
    assert_eq!(pages.len(), 3);
    let shards: Vec<Shard> = pages
        .into_iter()
        .flat_map(|p| p.stream_description.shards)
        .collect();
    assert_eq!(counts(&shards).len(), 3);
}

/// CreateStream, then the waiter until ACTIVE: the first answer the
/// waiter sees may be CREATING; what it returns is ACTIVE.
pub fn create_then_wait_for_active<D: Surface>(h: &Harness<D>) {
    let client = h.client();
    let name = h.stream_name("wait-active");
    ok(
        "CreateStream",
        client.call(&CreateStream::new(name.as_str()).with_shard_count(2)),
    );
    let started = Instant::now();
    let summary = client
        .wait_for_stream_active(&name, quick(Duration::from_secs(30)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(summary.stream_name, name);
    assert_eq!(summary.stream_status, StreamStatus::Active);
    assert_eq!(summary.open_shard_count, 2);
    // The stream is usable at once.
    let described = ok(
        "DescribeStreamSummary",
        client.call(&DescribeStreamSummary::new(name.as_str())),
    );
    assert_eq!(
        described.stream_description_summary.stream_status,
        StreamStatus::Active
    );
    ok(
        "DeleteStream",
        client.call(&DeleteStream::new(name.as_str())),
    );
}

/// DeleteStream, then the waiter until the stream is gone.
pub fn delete_then_wait_for_gone<D: Surface>(h: &Harness<D>) {
    let client = h.client();
    let name = h.stream_name("wait-gone");
    ok(
        "CreateStream",
        client.call(&CreateStream::new(name.as_str()).with_shard_count(1)),
    );
    client
        .wait_for_stream_active(&name, quick(Duration::from_secs(30)))
        .unwrap_or_else(|e| panic!("{e}"));
    ok(
        "DeleteStream",
        client.call(&DeleteStream::new(name.as_str())),
    );
    client
        .wait_for_stream_gone(&name, quick(Duration::from_secs(30)))
        .unwrap_or_else(|e| panic!("{e}"));
    match client.call(&DescribeStreamSummary::new(name.as_str())) {
        Err(Error::Service(e)) => assert_eq!(e.code, ErrorCode::ResourceNotFound),
        other => panic!("the stream is still there: {other:?}"),
    }
    // Waiting for a stream that is already gone succeeds at once.
    let started = Instant::now();
    client
        .wait_for_stream_gone(&name, quick(Duration::from_secs(30)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A stream that never appears: ResourceNotFound keeps the wait going
/// until the time limit, which ends it.
pub fn waiting_for_a_missing_stream_runs_out_of_time<D: Surface>(h: &Harness<D>) {
    let client = h.client();
    let name = h.stream_name("never-created");
    let started = Instant::now();
    let err = client
        .wait_for_stream_active(&name, quick(Duration::from_millis(1500)))
        .expect_err("there is no such stream");
    let waited = started.elapsed();
    match err {
        WaitError::TimedOut {
            attempts,
            last_state,
            ..
        } => {
            assert!(attempts >= 3, "{attempts} attempts in 1.5 s");
            assert_eq!(last_state.as_deref(), Some("ResourceNotFound"));
        }
        other => panic!("{other:?}"),
    }
    assert!(waited >= Duration::from_millis(1000), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
}

/// An error that says nothing about the stream's state (here a name the
/// service would refuse) ends the wait at once.
pub fn a_call_error_ends_the_wait<D: Surface>(h: &Harness<D>) {
    let client = h.client();
    let started = Instant::now();
    match client.wait_for_stream_gone("not a valid name!", quick(Duration::from_secs(30))) {
        Err(WaitError::Call(Error::Usage(e))) => assert_eq!(e.field, "StreamName"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// RegisterStreamConsumer, then the waiter until the consumer is ACTIVE
/// (addressed by stream ARN and name: kinesis-mock's consumer ARNs do not
/// name the stream).
pub fn wait_for_a_consumer<D: Surface>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("wait-consumer"), 1);
    let arn = client
        .wait_for_stream_active(stream.name(), quick(Duration::from_secs(30)))
        .unwrap_or_else(|e| panic!("{e}"))
        .stream_arn;
    ok(
        "RegisterStreamConsumer",
        client.call(&RegisterStreamConsumer::new(arn.as_str(), "waiting-reader")),
    );
    let consumer = client
        .wait_for_consumer_active(
            DescribeStreamConsumer::by_name(arn.as_str(), "waiting-reader"),
            quick(Duration::from_secs(30)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(consumer.consumer_name, "waiting-reader");
    assert_eq!(consumer.stream_arn, arn);
    assert_eq!(
        consumer.consumer_status,
        kinesis_proto::ops::ConsumerStatus::Active
    );
}

/// Settings for a client of `http://127.0.0.1:{port}` with no time limit
/// of the client's own on an attempt or a call.
fn local_settings(port: u16) -> Settings {
    let config = Config::new("us-east-1")
        .with_endpoint_url(&format!("http://127.0.0.1:{port}"))
        .expect("a local URL");
    let mut settings = Settings::new(config, Credentials::new("AKID", "SECRET", None));
    settings.timeouts.attempt = None;
    settings.timeouts.call = None;
    settings
}

/// A server that takes connections (the kernel completes them into the
/// backlog of a listener that never accepts) and never answers: the wait's
/// time limit ends the one call in flight, as `TimedOut` after 1 attempt
/// with no state seen, close to the limit.
pub fn the_wait_limit_cuts_short_a_call_that_gets_no_answer<D: Surface>(h: &Harness<D>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("bound").port();
    let client = h.connect(local_settings(port));
    let limit = WaiterConfig::new(Duration::from_millis(300))
        .with_delays(Duration::from_millis(10), Duration::from_millis(10));
    let started = Instant::now();
    match client.wait_for_stream_active("s", limit) {
        Err(WaitError::TimedOut {
            attempts,
            last_state,
            ..
        }) => {
            assert_eq!(attempts, 1);
            assert_eq!(last_state, None);
        }
        other => panic!("{other:?}"),
    }
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// A connection that never completes (its SYN goes unanswered) fails at the
/// connect time limit as a transport `Timeout`, the same kind in every
/// client (one attempt, no call limit: the kind is the connect's own).
pub fn a_connect_that_gets_no_answer_is_a_timeout<D: Surface>(h: &Harness<D>) {
    let port = kinesis_test_server::unanswered();
    let mut settings = local_settings(port.port);
    settings.timeouts.connect = Some(Duration::from_millis(300));
    settings.config = settings
        .config
        .with_retry(kinesis_proto::retry::RetryConfig::standard().with_max_attempts(1));
    let client = h.connect(settings);
    let started = Instant::now();
    match client.call(&ListStreams::new()) {
        Err(Error::Transport(e)) => assert_eq!(e.kind, TransportErrorKind::Timeout, "{e}"),
        other => panic!("{other:?}"),
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
}
