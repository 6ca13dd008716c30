//! The integration scenarios, written once for every transport: each is a
//! function of a [`Harness`] and becomes one `#[test]` per transport
//! through [`scenario_tests!`](crate::scenario_tests).
//!
//! What kinesis-mock cannot exercise, and where it is covered instead:
//! - It does not check signatures (any signed request passes), so SigV4 is
//!   proven by kinesis-proto's tests against the AWS test suite.
//! - It serves one host, so endpoint resolution (regions, partitions,
//!   FIPS, dual-stack, account-scoped ARN hosts) is covered by
//!   kinesis-proto's unit tests; here every request goes to a custom
//!   endpoint.
//! - It neither throttles nor fails on purpose, so retries, backoff,
//!   the retry quota and clock-skew correction are covered by the call
//!   state machine's tests in virtual time.
//! - Enhanced fan-out (SubscribeToShard over HTTP/2 event streams) is not
//!   served the way AWS serves it.
//! - Real KMS, 10 MiB records and service quotas are not modelled.
//! - Channels, queues and UpdateStreamRecordDistributionStrategy are not
//!   served by kinesis-local 0.6.2 at all (their parsing is covered by
//!   kinesis-proto's response vectors).
//!
//! Where kinesis-mock answers differently from AWS, the scenarios say so:
//! it sends `null` for absent lists (`"ChildShards": null` in every
//! GetRecords answer), which the parsers accept; and it builds consumer
//! ARNs from a stream name the request does not carry
//! (`stream/undefined/consumer/…`), so consumers are addressed by stream
//! ARN and name.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use kinesis_proto::ops::{
    AddTagsToStream, DecreaseStreamRetentionPeriod, DeleteStream, DescribeStream,
    DescribeStreamSummary, GetRecords, GetShardIterator, IncreaseStreamRetentionPeriod,
    ListStreams, ListTagsForStream, MergeShards, PutRecord, PutRecords, PutRecordsRequestEntry,
    RemoveTagsFromStream, ShardIteratorType, SplitShard, StreamRef, StreamStatus,
};
use kinesis_proto::{Error, TransportErrorKind};
use kinesis_proto::{ErrorCode, Paginated};

use crate::driver::{Driver, Harness};
use crate::listener::CountingListener;
use crate::steps::{
    self, iterator, iterator_request, list_shards, ok, read_stream, read_to_end, record_data,
    TestStream,
};

/// Create, describe, list and delete a stream.
pub fn stream_lifecycle<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let name = h.stream_name("lifecycle");
    let summary = steps::create_stream(&client, &name, 3);
    assert_eq!(summary.stream_name, name);
    assert_eq!(summary.stream_status, StreamStatus::Active);
    assert_eq!(summary.open_shard_count, 3);

    let described = ok(
        "DescribeStream",
        client.call(&DescribeStream::new(name.as_str())),
    )
    .stream_description;
    assert_eq!(described.stream_name, name);
    assert_eq!(described.shards.len(), 3);
    assert_eq!(described.stream_arn, summary.stream_arn);

    // ListStreams, one name per page, until the stream shows up.
    let mut list = ListStreams::new();
    list.limit = Some(1);
    let mut names = Vec::new();
    for _ in 0..1000 {
        let page = ok("ListStreams", client.call(&list));
        names.extend(page.stream_names.iter().cloned());
        match list.next_page(&page) {
            Some(next) => list = next,
            None => break,
        }
    }
    assert!(names.contains(&name), "{name} not in {names:?}");

    ok(
        "DeleteStream",
        client.call(&DeleteStream::new(name.as_str())),
    );
    steps::wait_deleted(&client, &name);
    let page = ok("ListStreams", client.call(&ListStreams::new()));
    assert!(!page.stream_names.contains(&name), "{name} still listed");
}

/// PutRecord and PutRecords, with a result for every record.
pub fn put_record_and_put_records<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("put"), 2);
    let (shards, _) = list_shards(&client, stream.name(), None);
    assert_eq!(shards.len(), 2);

    let one = ok(
        "PutRecord",
        client.call(&PutRecord::new(stream.name(), "key-one", b"one".to_vec())),
    );
    assert!(shards.iter().any(|s| s.shard_id == one.shard_id), "{one:?}");
    assert!(!one.sequence_number.is_empty());

    // An explicit hash key picks the shard, whatever the partition key.
    let mut routed = PutRecord::new(stream.name(), "any", b"routed".to_vec());
    routed.explicit_hash_key = Some(shards[1].hash_key_range.starting_hash_key);
    let routed = ok("PutRecord", client.call(&routed));
    assert_eq!(routed.shard_id, shards[1].shard_id);

    let entries: Vec<PutRecordsRequestEntry> = (0..20)
        .map(|i| PutRecordsRequestEntry::new(format!("key-{i}"), record_data(i)))
        .collect();
    let out = ok(
        "PutRecords",
        client.call(&PutRecords::new(stream.name(), entries)),
    );
    assert_eq!(out.failed_record_count, 0);
    assert_eq!(out.records.len(), 20);
    assert_eq!(out.failures().count(), 0);
    let mut sequence_numbers = BTreeSet::new();
    for (i, entry) in out.records.iter().enumerate() {
        assert!(entry.is_success(), "entry {i}: {entry:?}");
        assert!(entry.error_code().is_none(), "entry {i}: {entry:?}");
        let shard = entry
            .shard_id()
            .unwrap_or_else(|| panic!("entry {i}: {entry:?}"));
        assert!(
            shards.iter().any(|s| s.shard_id == shard),
            "entry {i}: {entry:?}"
        );
        let seq = entry
            .sequence_number()
            .unwrap_or_else(|| panic!("entry {i}: {entry:?}"));
        sequence_numbers.insert((shard.to_owned(), seq.to_owned()));
    }
    assert_eq!(sequence_numbers.len(), 20, "sequence numbers are unique");

    let records = read_stream(&client, stream.name());
    assert_eq!(records.len(), 22);
}

/// ListShards one shard per page across several shards.
pub fn list_shards_paginates<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("pages"), 4);
    let (all, pages) = list_shards(&client, stream.name(), None);
    assert_eq!(all.len(), 4);
    assert_eq!(pages, 1);
    let (paged, pages) = list_shards(&client, stream.name(), Some(1));
    assert!(pages >= 4, "{pages} pages of one shard for 4 shards");
    let ids = |shards: &[kinesis_proto::ops::Shard]| {
        shards
            .iter()
            .map(|s| s.shard_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&paged), ids(&all));
    // DescribeStream pages its shards too.
    let pages = steps::all_pages(&client, DescribeStream::new(stream.name()).with_limit(1));
    assert!(
        pages.len() >= 4,
        "{} DescribeStream pages of one shard",
        pages.len()
    );
    let described: Vec<_> = pages
        .into_iter()
        .flat_map(|p| p.stream_description.shards)
        .collect();
    assert_eq!(ids(&described), ids(&all));
    // The hash-key ranges of the open shards cover the whole key space.
    let mut ranges: Vec<(u128, u128)> = all
        .iter()
        .map(|s| {
            (
                s.hash_key_range.starting_hash_key,
                s.hash_key_range.ending_hash_key,
            )
        })
        .collect();
    ranges.sort();
    assert_eq!(ranges[0].0, 0);
    assert_eq!(ranges[3].1, u128::MAX);
    for pair in ranges.windows(2) {
        assert_eq!(pair[0].1 + 1, pair[1].0, "{ranges:?}");
    }
}

/// TRIM_HORIZON, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, LATEST and
/// AT_TIMESTAMP each start where they say.
pub fn shard_iterator_types<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("iterators"), 1);
    let name = stream.name();
    let (shards, _) = list_shards(&client, name, None);
    let shard = shards[0].shard_id.clone();
    let put = |data: &[u8]| {
        ok(
            "PutRecord",
            client.call(&PutRecord::new(name, "k", data.to_vec())),
        )
        .sequence_number
    };
    let read = |kind: ShardIteratorType| -> Vec<Vec<u8>> {
        let it = iterator(&client, &iterator_request(name, &shard, kind));
        read_to_end(&client, it, None)
            .into_iter()
            .map(|r| r.data)
            .collect()
    };
    let latest = iterator(
        &client,
        &iterator_request(name, &shard, ShardIteratorType::Latest),
    );
    let first = put(b"first");
    // AT_TIMESTAMP has millisecond resolution: keep the records apart.
    std::thread::sleep(Duration::from_millis(20));
    let second = put(b"second");
    let _third = put(b"third");

    assert_eq!(
        read(ShardIteratorType::TrimHorizon),
        [b"first".to_vec(), b"second".to_vec(), b"third".to_vec()]
    );

    assert_eq!(
        read(ShardIteratorType::AtSequenceNumber(second.clone())),
        [b"second".to_vec(), b"third".to_vec()]
    );
    assert_eq!(
        read(ShardIteratorType::AfterSequenceNumber(first)),
        [b"second".to_vec(), b"third".to_vec()]
    );

    // LATEST, taken before the writes, sees all of them; taken now, none.
    let data: Vec<_> = read_to_end(&client, latest, None)
        .into_iter()
        .map(|r| r.data)
        .collect();
    assert_eq!(data.len(), 3);
    assert!(read(ShardIteratorType::Latest).is_empty());

    // AT_TIMESTAMP of the second record's arrival starts at it.
    let it = iterator(
        &client,
        &iterator_request(name, &shard, ShardIteratorType::TrimHorizon),
    );
    let records = read_to_end(&client, it, None);
    let arrival = records[1]
        .approximate_arrival_timestamp
        .unwrap_or_else(|| panic!("no arrival time: {:?}", records[1]));
    assert_eq!(
        read(ShardIteratorType::AtTimestamp(arrival)),
        [b"second".to_vec(), b"third".to_vec()]
    );
    // AT_TIMESTAMP before the first record starts at the first.
    let before = records[0]
        .approximate_arrival_timestamp
        .unwrap_or_else(|| panic!("no arrival time: {:?}", records[0]))
        - time::Duration::seconds(60);
    assert_eq!(read(ShardIteratorType::AtTimestamp(before)).len(), 3);
}

/// GetRecords in small pages, following NextShardIterator until caught
/// up: every record written comes back byte for byte.
pub fn get_records_reads_everything<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("read"), 3);
    let mut written = Vec::new();
    for batch in 0..3 {
        let entries: Vec<PutRecordsRequestEntry> = (0..40)
            .map(|j| {
                let i = batch * 40 + j;
                written.push((format!("pk-{i}"), record_data(i)));
                PutRecordsRequestEntry::new(format!("pk-{i}"), record_data(i))
            })
            .collect();
        let out = ok(
            "PutRecords",
            client.call(&PutRecords::new(stream.name(), entries)),
        );
        assert_eq!(out.failed_record_count, 0);
    }
    let (shards, _) = list_shards(&client, stream.name(), None);
    let mut read = Vec::new();
    for shard in &shards {
        let it = iterator(
            &client,
            &iterator_request(
                stream.name(),
                &shard.shard_id,
                ShardIteratorType::TrimHorizon,
            ),
        );
        let records = read_to_end(&client, it, Some(7));
        // Sequence numbers (decimal, longer than a u128) grow within a
        // shard.
        let seqs: Vec<(usize, &str)> = records
            .iter()
            .map(|r| (r.sequence_number.len(), r.sequence_number.as_str()))
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        read.extend(records.into_iter().map(|r| (r.partition_key, r.data)));
    }
    written.sort();
    read.sort();
    assert_eq!(read.len(), written.len());
    assert!(
        read == written,
        "the records read differ from those written"
    );
}

/// SplitShard then MergeShards of the two children.
pub fn split_and_merge_shards<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("reshard"), 1);
    let name = stream.name();
    let (shards, _) = list_shards(&client, name, None);
    let parent = shards[0].clone();
    let middle = parent.hash_key_range.ending_hash_key / 2 + 1;
    ok(
        "SplitShard",
        client.call(&SplitShard::new(name, parent.shard_id.as_str(), middle)),
    );
    steps::wait_active(&client, name);
    let (shards, _) = list_shards(&client, name, None);
    assert_eq!(shards.len(), 3, "{shards:?}");
    let children: Vec<_> = shards
        .iter()
        .filter(|s| s.parent_shard_id.as_deref() == Some(parent.shard_id.as_str()))
        .cloned()
        .collect();
    assert_eq!(children.len(), 2, "{shards:?}");
    let closed = shards.iter().find(|s| s.shard_id == parent.shard_id);
    assert!(
        closed.is_some_and(|s| s.sequence_number_range.ending_sequence_number.is_some()),
        "the parent is closed: {closed:?}"
    );
    let mut starts: Vec<u128> = children
        .iter()
        .map(|c| c.hash_key_range.starting_hash_key)
        .collect();
    starts.sort();
    assert_eq!(starts, [0, middle]);

    ok(
        "MergeShards",
        client.call(&MergeShards::new(
            name,
            children[0].shard_id.as_str(),
            children[1].shard_id.as_str(),
        )),
    );
    let summary = steps::wait_active(&client, name);
    assert_eq!(summary.open_shard_count, 1);
    let (shards, _) = list_shards(&client, name, None);
    assert_eq!(shards.len(), 4, "{shards:?}");
    let merged = shards
        .iter()
        .find(|s| s.adjacent_parent_shard_id.is_some())
        .unwrap_or_else(|| panic!("no merged shard in {shards:?}"));
    assert_eq!(merged.hash_key_range.starting_hash_key, 0);
    assert_eq!(merged.hash_key_range.ending_hash_key, u128::MAX);
    // A record still goes in and comes out after resharding.
    ok(
        "PutRecord",
        client.call(&PutRecord::new(name, "k", b"after".to_vec())),
    );
    let all = read_stream(&client, name);
    assert!(
        all.iter().any(|r| r.data == b"after"),
        "{} records",
        all.len()
    );
}

/// AddTagsToStream, ListTagsForStream, RemoveTagsFromStream.
pub fn tags<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("tags"), 1);
    let name = stream.name();
    let tags = BTreeMap::from([
        ("team".to_owned(), "data".to_owned()),
        ("env".to_owned(), "test".to_owned()),
    ]);
    let mut add = AddTagsToStream::new(name);
    add.tags = tags.clone().into();
    ok("AddTagsToStream", client.call(&add));
    let listed = |client: &D| -> BTreeMap<String, String> {
        ok(
            "ListTagsForStream",
            client.call(&ListTagsForStream::new(name)),
        )
        .tags
        .into_iter()
        .map(|t| (t.key, t.value.unwrap_or_default()))
        .collect()
    };
    assert_eq!(listed(&client), tags);
    // One tag per page.
    let mut first = ListTagsForStream::new(name);
    first.limit = Some(1);
    let pages = steps::all_pages(&client, first);
    assert_eq!(pages.len(), 2, "{pages:?}");
    let paged: BTreeMap<String, String> = pages
        .into_iter()
        .flat_map(|p| p.tags)
        .map(|t| (t.key, t.value.unwrap_or_default()))
        .collect();
    assert_eq!(paged, tags);
    ok(
        "RemoveTagsFromStream",
        client.call(&RemoveTagsFromStream::new(name, ["env"])),
    );
    assert_eq!(
        listed(&client),
        BTreeMap::from([("team".to_owned(), "data".to_owned())])
    );
}

/// IncreaseStreamRetentionPeriod and DecreaseStreamRetentionPeriod.
pub fn retention_period<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("retention"), 1);
    let name = stream.name();
    let hours = |client: &D| {
        ok(
            "DescribeStreamSummary",
            client.call(&DescribeStreamSummary::new(name)),
        )
        .stream_description_summary
        .retention_period_hours
    };
    assert_eq!(hours(&client), 24);
    ok(
        "IncreaseStreamRetentionPeriod",
        client.call(&IncreaseStreamRetentionPeriod::new(name, 48)),
    );
    steps::wait_active(&client, name);
    assert_eq!(hours(&client), 48);
    ok(
        "DecreaseStreamRetentionPeriod",
        client.call(&DecreaseStreamRetentionPeriod::new(name, 24)),
    );
    steps::wait_active(&client, name);
    assert_eq!(hours(&client), 24);
}

/// A stream that does not exist is a Service error with code
/// ResourceNotFound, for control and data operations alike.
pub fn missing_stream_is_resource_not_found<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let name = h.stream_name("missing");
    let expect_not_found = |what: &str, result: Result<(), Error>| match result {
        Err(Error::Service(e)) => {
            assert_eq!(e.code, ErrorCode::ResourceNotFound, "{what}: {e}");
            assert_eq!(e.status.as_u16(), 400, "{what}: {e}");
            assert!(!e.is_retryable(), "{what}: {e}");
        }
        other => panic!("{what} of a missing stream: {other:?}"),
    };
    expect_not_found(
        "DescribeStreamSummary",
        client
            .call(&DescribeStreamSummary::new(name.as_str()))
            .map(drop),
    );
    expect_not_found(
        "PutRecord",
        client
            .call(&PutRecord::new(name.as_str(), "k", b"x".to_vec()))
            .map(drop),
    );
    expect_not_found(
        "GetShardIterator",
        client
            .call(&iterator_request(
                &name,
                "shardId-000000000000",
                ShardIteratorType::TrimHorizon,
            ))
            .map(drop),
    );
    expect_not_found(
        "DeleteStream",
        client.call(&DeleteStream::new(name.as_str())).map(drop),
    );
}

/// Input the service would refuse is a Usage error naming the field, and
/// nothing reaches the network: a listener that counts connections sees
/// none (and sees the one valid call made afterwards).
pub fn bad_input_is_usage_error_and_sends_nothing<D: Driver>(h: &Harness<D>) {
    let listener = CountingListener::start();
    let mut settings = h.mock().settings_for(&listener.url());
    settings.retry.max_attempts = 1;
    let client = h.connect(settings);

    let usage = |what: &str, result: Result<(), Error>, field: &str| match result {
        Err(Error::Usage(e)) => assert!(e.field.contains(field), "{what}: {e}"),
        other => panic!("{what}: expected a usage error about {field}, got {other:?}"),
    };
    usage(
        "empty partition key",
        client
            .call(&PutRecord::new("s", "", b"x".to_vec()))
            .map(drop),
        "PartitionKey",
    );
    usage(
        "partition key of 257 characters",
        client
            .call(&PutRecord::new("s", "k".repeat(257), b"x".to_vec()))
            .map(drop),
        "PartitionKey",
    );
    usage(
        "data over 1 MiB",
        client
            .call(&PutRecord::new("s", "k", vec![0; 1024 * 1024 + 1]))
            .map(drop),
        "Data",
    );
    usage(
        "no PutRecords entries",
        client.call(&PutRecords::new("s", Vec::new())).map(drop),
        "Records",
    );
    let many: Vec<_> = (0..501)
        .map(|_| PutRecordsRequestEntry::new("k", b"x".to_vec()))
        .collect();
    usage(
        "501 PutRecords entries",
        client.call(&PutRecords::new("s", many)).map(drop),
        "Records",
    );
    usage(
        "GetRecords limit 0",
        client
            .call(&GetRecords::new("iterator").with_limit(0))
            .map(drop),
        "Limit",
    );
    usage(
        "GetRecords limit 10001",
        client
            .call(&GetRecords::new("iterator").with_limit(10_001))
            .map(drop),
        "Limit",
    );
    usage(
        "AT_SEQUENCE_NUMBER with an empty sequence number",
        client
            .call(&GetShardIterator::new(
                "s",
                "shardId-000000000000",
                ShardIteratorType::AtSequenceNumber(String::new()),
            ))
            .map(drop),
        "StartingSequenceNumber",
    );
    usage(
        "a stream name with a space",
        client
            .call(&DescribeStreamSummary::new("bad name"))
            .map(drop),
        "StreamName",
    );
    usage(
        "retention under 24 hours",
        client
            .call(&IncreaseStreamRetentionPeriod::new("s", 10))
            .map(drop),
        "RetentionPeriodHours",
    );
    let queue = DescribeStreamSummary::new(StreamRef::arn(
        "arn:aws:kinesis:us-east-1:000000000000:queue/q",
    ));
    usage(
        "a StreamARN that names a queue",
        client.call(&queue).map(drop),
        "StreamARN",
    );
    assert_eq!(listener.connections(), 0, "a usage error sent something");

    // The counter works: a valid call does connect (and fails, as the
    // listener closes every connection at once).
    match client.call(&DescribeStreamSummary::new("s")) {
        Err(Error::Transport(_)) => {}
        other => panic!("a call to the closing listener: {other:?}"),
    }
    assert!(
        listener.connections() >= 1,
        "the listener saw no connection"
    );
}

/// The same calls over the mock's TLS port, trusting its certificate as an
/// extra root; without it the handshake fails as a Transport error.
pub fn tls_with_extra_root<D: Driver>(h: &Harness<D>) {
    let client = h.tls_client();
    let stream = TestStream::create(&client, h.stream_name("tls"), 1);
    let put = ok(
        "PutRecord over TLS",
        client.call(&PutRecord::new(stream.name(), "k", b"over tls".to_vec())),
    );
    let it = iterator(
        &client,
        &iterator_request(stream.name(), &put.shard_id, ShardIteratorType::TrimHorizon),
    );
    let records = read_to_end(&client, it, None);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].data, b"over tls");

    let mut untrusted = h.mock().settings_for(&h.mock().tls_url());
    untrusted.retry.max_attempts = 1;
    let untrusted = h.connect(untrusted);
    match untrusted.call(&DescribeStreamSummary::new(stream.name())) {
        Err(Error::Transport(e)) => assert_eq!(e.kind, TransportErrorKind::Tls, "{e}"),
        other => panic!("TLS without the mock's certificate: {other:?}"),
    }
}

/// Records written as JSON values (PutRecord::json, PutRecordsRequestEntry::json)
/// come back as the same values (Record::json).
pub fn json_records<D: Driver>(h: &Harness<D>) {
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Event {
        id: u32,
        name: String,
        tags: Vec<String>,
        score: Option<f64>,
    }
    let event = |id: u32| Event {
        id,
        name: format!("event \"{id}\" ✓"),
        tags: (0..id % 3).map(|t| format!("t{t}")).collect(),
        score: (id % 2 == 0).then_some(f64::from(id) / 4.0),
    };
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("json"), 2);
    let put = PutRecord::json(stream.name(), "k-0", &event(0))
        .unwrap_or_else(|e| panic!("PutRecord::json: {e}"));
    ok("PutRecord", client.call(&put));
    let entries: Vec<PutRecordsRequestEntry> = (1..10)
        .map(|i| {
            PutRecordsRequestEntry::json(format!("k-{i}"), &event(i))
                .unwrap_or_else(|e| panic!("PutRecordsRequestEntry::json: {e}"))
        })
        .collect();
    let out = ok(
        "PutRecords",
        client.call(&PutRecords::new(stream.name(), entries)),
    );
    assert_eq!(out.failed_record_count, 0);
    let mut events: Vec<Event> = read_stream(&client, stream.name())
        .iter()
        .map(|r| r.json().unwrap_or_else(|e| panic!("{e}")))
        .collect();
    events.sort_by_key(|e| e.id);
    assert_eq!(events, (0..10).map(event).collect::<Vec<_>>());
}

/// Data-plane and control-plane calls addressing the stream by StreamARN
/// instead of by name.
pub fn stream_arn_addressing<D: Driver>(h: &Harness<D>) {
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("arn"), 1);
    let arn = steps::wait_active(&client, stream.name()).stream_arn;
    assert!(
        arn.ends_with(&format!(":stream/{}", stream.name())),
        "{arn}"
    );
    let put = ok(
        "PutRecord by ARN",
        client
            .call(&PutRecord::new("unused", "k", b"by arn".to_vec()).with_stream_arn(arn.as_str())),
    );
    let it = ok(
        "GetShardIterator by ARN",
        client.call(
            &GetShardIterator::new(
                "unused",
                put.shard_id.as_str(),
                ShardIteratorType::TrimHorizon,
            )
            .with_stream_arn(arn.as_str()),
        ),
    )
    .shard_iterator
    .unwrap_or_else(|| panic!("no iterator"));
    let page = ok(
        "GetRecords by ARN",
        client.call(&GetRecords::new(it).with_stream_arn(arn.as_str())),
    );
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].data, b"by arn");
    let (by_name, _) = list_shards(&client, stream.name(), None);
    let by_arn = ok(
        "ListShards by ARN",
        client.call(&kinesis_proto::ops::ListShards::new("unused").with_stream_arn(arn.as_str())),
    );
    assert_eq!(by_arn.shards, by_name);
}

/// UpdateShardCount and UpdateStreamMode, each seen in the summary.
pub fn shard_count_and_stream_mode<D: Driver>(h: &Harness<D>) {
    use kinesis_proto::ops::{StreamMode, UpdateShardCount, UpdateStreamMode};
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("scale"), 2);
    let out = ok(
        "UpdateShardCount",
        client.call(&UpdateShardCount::new(stream.name(), 4)),
    );
    assert_eq!(out.target_shard_count, Some(4));
    let summary = steps::wait_active(&client, stream.name());
    assert_eq!(summary.open_shard_count, 4);
    let mode = |s: &kinesis_proto::ops::StreamDescriptionSummary| {
        s.stream_mode_details
            .as_ref()
            .map(|d| d.stream_mode.clone())
    };
    assert_eq!(mode(&summary), Some(StreamMode::Provisioned));
    ok(
        "UpdateStreamMode",
        client.call(&UpdateStreamMode::new(
            summary.stream_arn.as_str(),
            StreamMode::OnDemand,
        )),
    );
    let summary = steps::wait_active(&client, stream.name());
    assert_eq!(mode(&summary), Some(StreamMode::OnDemand));
}

/// StartStreamEncryption / StopStreamEncryption and
/// Enable/DisableEnhancedMonitoring.
pub fn encryption_and_monitoring<D: Driver>(h: &Harness<D>) {
    use kinesis_proto::ops::{
        DisableEnhancedMonitoring, EnableEnhancedMonitoring, EncryptionType, MetricsName,
        StartStreamEncryption, StopStreamEncryption,
    };
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("kms"), 1);
    let name = stream.name();
    ok(
        "StartStreamEncryption",
        client.call(&StartStreamEncryption::new(name, "alias/aws/kinesis")),
    );
    let summary = steps::wait_active(&client, name);
    assert_eq!(summary.encryption_type, Some(EncryptionType::Kms));
    assert_eq!(summary.key_id.as_deref(), Some("alias/aws/kinesis"));
    let put = ok(
        "PutRecord",
        client.call(&PutRecord::new(name, "k", b"secret".to_vec())),
    );
    assert_eq!(put.encryption_type, Some(EncryptionType::Kms));
    ok(
        "StopStreamEncryption",
        client.call(&StopStreamEncryption::new(name, "alias/aws/kinesis")),
    );
    let summary = steps::wait_active(&client, name);
    assert_eq!(summary.encryption_type, Some(EncryptionType::None));

    let on = ok(
        "EnableEnhancedMonitoring",
        client.call(&EnableEnhancedMonitoring::new(
            name,
            vec![MetricsName::IncomingBytes],
        )),
    );
    assert_eq!(on.desired_shard_level_metrics, [MetricsName::IncomingBytes]);
    let off = ok(
        "DisableEnhancedMonitoring",
        client.call(&DisableEnhancedMonitoring::new(
            name,
            vec![MetricsName::IncomingBytes],
        )),
    );
    assert_eq!(
        off.current_shard_level_metrics,
        [MetricsName::IncomingBytes]
    );
    assert!(off.desired_shard_level_metrics.is_empty(), "{off:?}");
}

/// RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
/// DeregisterStreamConsumer.
pub fn stream_consumers<D: Driver>(h: &Harness<D>) {
    use kinesis_proto::ops::{
        ConsumerStatus, DeregisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
        RegisterStreamConsumer,
    };
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("consumers"), 1);
    let arn = steps::wait_active(&client, stream.name()).stream_arn;
    let registered = ok(
        "RegisterStreamConsumer",
        client.call(&RegisterStreamConsumer::new(arn.as_str(), "reader")),
    )
    .consumer;
    assert_eq!(registered.consumer_name, "reader");
    assert!(
        registered.consumer_arn.contains("/consumer/reader:"),
        "{registered:?}"
    );
    // kinesis-mock builds the consumer ARN from a StreamName the request
    // does not carry (`stream/undefined/consumer/…`), so the consumer is
    // addressed by stream ARN and name here.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let described = ok(
            "DescribeStreamConsumer",
            client.call(&DescribeStreamConsumer::by_name(arn.as_str(), "reader")),
        )
        .consumer_description;
        assert_eq!(described.stream_arn, arn);
        if described.consumer_status == ConsumerStatus::Active {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "consumer not ACTIVE: {described:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let listed = ok(
        "ListStreamConsumers",
        client.call(&ListStreamConsumers::new(arn.as_str())),
    );
    let names: Vec<_> = listed
        .consumers
        .iter()
        .map(|c| c.consumer_name.as_str())
        .collect();
    assert_eq!(names, ["reader"]);
    ok(
        "DeregisterStreamConsumer",
        client.call(&DeregisterStreamConsumer::by_name(arn.as_str(), "reader")),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let listed = ok(
            "ListStreamConsumers",
            client.call(&ListStreamConsumers::new(arn.as_str())),
        );
        if listed.consumers.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "consumer not gone: {listed:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Tags and resource policies by ARN (TagResource, ListTagsForResource,
/// UntagResource, Put/Get/DeleteResourcePolicy), and DescribeLimits.
pub fn resource_tags_policies_and_limits<D: Driver>(h: &Harness<D>) {
    use kinesis_proto::ops::{
        DeleteResourcePolicy, DescribeLimits, GetResourcePolicy, ListTagsForResource,
        PutResourcePolicy, TagResource, UntagResource,
    };
    let client = h.client();
    let stream = TestStream::create(&client, h.stream_name("resource"), 1);
    let arn = steps::wait_active(&client, stream.name()).stream_arn;
    ok(
        "TagResource",
        client.call(
            &TagResource::new(arn.as_str())
                .with_tag("owner", "tests")
                .with_tag("tier", "1"),
        ),
    );
    let tags = |client: &D| -> BTreeMap<String, String> {
        ok(
            "ListTagsForResource",
            client.call(&ListTagsForResource::new(arn.as_str())),
        )
        .tags
        .into_iter()
        .map(|t| (t.key, t.value.unwrap_or_default()))
        .collect()
    };
    assert_eq!(
        tags(&client),
        BTreeMap::from([
            ("owner".into(), "tests".into()),
            ("tier".into(), "1".into())
        ])
    );
    ok(
        "UntagResource",
        client.call(&UntagResource::new(arn.as_str(), ["tier"])),
    );
    assert_eq!(
        tags(&client),
        BTreeMap::from([("owner".into(), "tests".into())])
    );

    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::000000000000:root"}},"Action":"kinesis:GetRecords","Resource":"{arn}"}}]}}"#
    );
    ok(
        "PutResourcePolicy",
        client.call(&PutResourcePolicy::new(arn.as_str(), policy.as_str())),
    );
    let got = ok(
        "GetResourcePolicy",
        client.call(&GetResourcePolicy::new(arn.as_str())),
    );
    let parse = |s: &str| -> serde_json::Value {
        serde_json::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    };
    assert_eq!(parse(&got.policy), parse(&policy));
    ok(
        "DeleteResourcePolicy",
        client.call(&DeleteResourcePolicy::new(arn.as_str())),
    );

    let limits = ok("DescribeLimits", client.call(&DescribeLimits::new()));
    // The harness starts the mock with SHARD_LIMIT=1000.
    assert_eq!(limits.shard_limit, 1000);
    assert!(limits.open_shard_count >= 1, "{limits:?}");
}
