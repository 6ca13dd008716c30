//! Every ARN the service hands out is one the client takes back: queue ARNs
//! for the ten queue operations that take a `QueueARN` and for the tag
//! operations, and consumer ARNs without their `:{creation-epoch}` suffix
//! (as some Kinesis-compatible servers issue them). Each case goes through
//! `Client::prepare`, so validation, endpoint choice and signing all see it.

use kinesis_proto::ops::{
    AcknowledgeDeadLetterQueueRecords, AcknowledgeQueueRecords, DeleteQueue, DeleteResourcePolicy,
    DeregisterStreamConsumer, DescribeQueue, DescribeStreamConsumer, GetResourcePolicy,
    ListTagsForResource, QueueAttributes, ReceiveDeadLetterQueueRecords, ReceiveQueueRecords,
    RestoreDeadLetterQueueRecords, ShardIteratorType, SubscribeToShard, TagResource, UntagResource,
    UpdateDeadLetterQueueRecordsVisibility, UpdateQueue, UpdateQueueRecordsVisibility,
    VisibilityEntry,
};
use kinesis_proto::{Client, Config, Credentials, Error, Operation};

/// A queue ARN as CreateQueue returns it (`arn:aws:kinesis:{region}:{account}:queue/{id}`).
const QUEUE: &str = "arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c";
/// A consumer ARN without the `:{creation-epoch}` suffix.
const BARE_CONSUMER: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/app";

/// The host `op` is prepared for, or the error `prepare` gave.
fn host<O: Operation>(op: &O) -> Result<String, Error> {
    let client = Client::new(Config::new("us-east-1"));
    let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
    let now = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a valid time");
    let (request, _expect) = client.prepare(op, &credentials, now)?;
    Ok(request.uri().host().expect("an absolute URI").to_owned())
}

/// `op` is prepared, for a host of the queue's own endpoints.
fn prepares_for_queue_host<O: Operation>(op: &O) {
    match host(op) {
        Ok(host) => assert!(
            host.starts_with("q-1a2b3c.") && host.contains("kinesis-queues."),
            "{}: {host}",
            O::NAME
        ),
        Err(e) => panic!("{} with a queue ARN: {e}", O::NAME),
    }
}

#[test]
fn the_ten_queue_arn_operations_take_queue_arns() {
    let entries = || vec![VisibilityEntry::new("rh-1", 30)];
    prepares_for_queue_host(&DescribeQueue::new(QUEUE));
    prepares_for_queue_host(&UpdateQueue::new(
        QUEUE,
        QueueAttributes::new().with_visibility_timeout_seconds(60),
    ));
    prepares_for_queue_host(&DeleteQueue::new(QUEUE));
    prepares_for_queue_host(&ReceiveQueueRecords::new(QUEUE).with_limit(10));
    prepares_for_queue_host(&AcknowledgeQueueRecords::new(QUEUE, ["rh-1"]));
    prepares_for_queue_host(&UpdateQueueRecordsVisibility::new(QUEUE, entries()));
    prepares_for_queue_host(&ReceiveDeadLetterQueueRecords::new(QUEUE));
    prepares_for_queue_host(&AcknowledgeDeadLetterQueueRecords::new(QUEUE, ["rh-1"]));
    prepares_for_queue_host(&UpdateDeadLetterQueueRecordsVisibility::new(
        QUEUE,
        entries(),
    ));
    prepares_for_queue_host(&RestoreDeadLetterQueueRecords::new(QUEUE, ["rh-1"]));
}

#[test]
fn tag_and_policy_operations_take_queue_arns() {
    prepares_for_queue_host(&TagResource::new(QUEUE).with_tag("team", "data"));
    prepares_for_queue_host(&UntagResource::new(QUEUE, ["team"]));
    prepares_for_queue_host(&ListTagsForResource::new(QUEUE));
    for result in [
        host(&GetResourcePolicy::new(QUEUE)),
        host(&DeleteResourcePolicy::new(QUEUE)),
    ] {
        if let Err(e) = result {
            panic!("a resource policy call with a queue ARN: {e}");
        }
    }
}

#[test]
fn queue_operations_still_refuse_other_arns() {
    let stream = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
    match host(&DescribeQueue::new(stream)) {
        Err(Error::Usage(e)) => assert_eq!(e.field, "QueueARN"),
        other => panic!("DescribeQueue with a stream ARN: {other:?}"),
    }
}

#[test]
fn consumer_arns_without_creation_time_are_taken() {
    let account_host = "123456789012.control-kinesis.us-east-1.amazonaws.com";
    assert_eq!(
        host(&DescribeStreamConsumer::new(BARE_CONSUMER)).expect("prepared"),
        account_host
    );
    assert_eq!(
        host(&DeregisterStreamConsumer::new(BARE_CONSUMER)).expect("prepared"),
        account_host
    );
    assert_eq!(
        host(&SubscribeToShard::new(
            BARE_CONSUMER,
            "shardId-000000000000",
            ShardIteratorType::Latest
        ))
        .expect("prepared"),
        "123456789012.data-kinesis.us-east-1.amazonaws.com"
    );
    assert!(host(&TagResource::new(BARE_CONSUMER).with_tag("a", "b")).is_ok());
}
