//! The subscription machine in virtual time against a scripted shard: a
//! list of records the "service" serves from any starting position, as
//! event-stream bytes, so every test goes through the decoder too.
#![allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point

use super::*;
use crate::error::{ServiceError, TransportError, TransportErrorKind};
use crate::eventstream::{Header, HeaderValue, Message, ShardEventStream};

const CONSUMER: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1";

fn s(v: &str) -> HeaderValue {
    HeaderValue::String(v.into())
}

fn event_bytes(event_type: &str, payload: &str) -> Vec<u8> {
    Message {
        headers: vec![
            Header::new(":event-type", s(event_type)),
            Header::new(":content-type", s("application/json")),
            Header::new(":message-type", s("event")),
        ],
        payload: payload.as_bytes().to_vec(),
    }
    .encode()
    .unwrap()
}

fn exception_bytes(code: &str) -> Vec<u8> {
    Message {
        headers: vec![
            Header::new(":exception-type", s(code)),
            Header::new(":message-type", s("exception")),
        ],
        payload: br#"{"message":"scripted"}"#.to_vec(),
    }
    .encode()
    .unwrap()
}

/// A shard of `n` records with sequence numbers 1000, 1001, …
struct Shard {
    records: Vec<u64>,
    closed: bool,
}

impl Shard {
    /// A shard holding the sequence numbers `records`, `closed` or open.
    fn new(records: std::ops::Range<u64>, closed: bool) -> Shard {
        Shard {
            records: records.collect(),
            closed,
        }
    }

    /// The first index a subscription from `position` reads.
    fn start(&self, position: &ShardIteratorType) -> usize {
        match position {
            ShardIteratorType::TrimHorizon => 0,
            ShardIteratorType::AfterSequenceNumber(seq) => {
                let seq: u64 = seq.parse().unwrap();
                self.records
                    .iter()
                    .position(|r| *r > seq)
                    .unwrap_or(self.records.len())
            }
            other => panic!("unscripted position {other:?}"),
        }
    }

    /// The body of a subscription from `from`: initial response, then
    /// events of `per_event` records each, then (if closed) the shard end.
    fn body(&self, from: usize, per_event: usize) -> Vec<u8> {
        let mut out = event_bytes("initial-response", "{}");
        let mut i = from;
        while i < self.records.len() {
            let end = (i + per_event).min(self.records.len());
            let recs: Vec<String> = self.records[i..end]
                .iter()
                .map(|n| format!(r#"{{"SequenceNumber":"{n}","Data":"aGk=","PartitionKey":"k"}}"#))
                .collect();
            let last = self.records[end - 1];
            out.extend(event_bytes(
                "SubscribeToShardEvent",
                &format!(
                    r#"{{"Records":[{}],"ContinuationSequenceNumber":"{last}","MillisBehindLatest":0}}"#,
                    recs.join(",")
                ),
            ));
            i = end;
        }
        if self.closed {
            out.extend(event_bytes(
                "SubscribeToShardEvent",
                r#"{"Records":[],"MillisBehindLatest":0,"ChildShards":[{"ShardId":"shardId-000000000002","ParentShards":["shardId-000000000000"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"9"}}]}"#,
            ));
        }
        out
    }
}

/// Feeds `bytes` into a fresh stream reader and the machine, the way a
/// driver does; `cut` stops the body after that many bytes (a broken
/// connection).
fn stream(
    sub: &mut ShardSubscription,
    id: SubscriptionId,
    bytes: &[u8],
    cut: Option<usize>,
    now: Instant,
) {
    let mut reader = ShardEventStream::new(None);
    let upto = cut.unwrap_or(bytes.len()).min(bytes.len());
    for chunk in bytes[..upto].chunks(7) {
        reader.feed(chunk);
        while let Some(event) = reader.poll_event() {
            match event {
                Ok(e) => sub.handle_event(id, e, now),
                Err(e) => return sub.handle_error(id, e, now),
            }
        }
    }
    match reader.finish() {
        Ok(()) if cut.is_none() => sub.handle_end(id, now),
        Ok(()) => sub.handle_error(
            id,
            Error::Transport(TransportError::new(
                TransportErrorKind::Io,
                "connection reset",
            )),
            now,
        ),
        Err(e) => sub.handle_error(id, e, now),
    }
}

/// Every record delivered so far, and checks they are in order with none
/// twice.
fn drain(sub: &mut ShardSubscription, out: &mut Vec<u64>, ended: &mut bool) {
    while let Some(event) = sub.poll_event() {
        match event {
            SubscriptionEvent::Records { records, .. } => {
                for r in records {
                    let n: u64 = r.sequence_number.parse().unwrap();
                    assert!(out.last().is_none_or(|last| *last < n), "{n} after {out:?}");
                    out.push(n);
                }
            }
            SubscriptionEvent::ShardEnded { child_shards } => {
                assert_eq!(child_shards[0].shard_id, "shardId-000000000002");
                *ended = true;
            }
            SubscriptionEvent::Failed(e) => panic!("failed: {e}"),
        }
    }
}

/// A subscription of `CONSUMER` to shard 0 from `position`.
fn subscription(position: ShardIteratorType, now: Instant) -> ShardSubscription {
    ShardSubscription::new(CONSUMER, "shardId-000000000000", position, now)
}

fn subscribe(sub: &mut ShardSubscription, now: Instant) -> (SubscriptionId, SubscribeToShard) {
    match sub.poll_action(now) {
        Some(SubscriptionAction::Subscribe { id, op }) => (id, op),
        other => panic!("expected a subscribe at {now:?}, got {other:?}"),
    }
}

#[test]
fn sequence_numbers_compare_as_numbers() {
    assert!(sequence_after("10", "9"));
    assert!(!sequence_after("9", "10"));
    assert!(!sequence_after("10", "10"));
    assert!(sequence_after(
        "49590338271490256608559692540925702759324208523137515619",
        "49590338271490256608559692540925702759324208523137515618"
    ));
    assert!(!sequence_after("0010", "10"));
}

#[test]
fn expiry_resubscribes_from_the_continuation_with_nothing_skipped_or_repeated() {
    let t0 = Instant::now();
    let shard = Shard::new(1000..1010, false);
    let mut sub = subscription(ShardIteratorType::TrimHorizon, t0);
    let (id, op) = subscribe(&mut sub, t0);
    let body = shard.body(shard.start(&op.starting_position), 3);
    // Only part of the records arrive before the lifetime runs out: the
    // stream is still open (no end) when the timer fires.
    // Where the third message (the second event) ends.
    let cut_after_two_events = {
        let mut d = crate::eventstream::Decoder::new();
        d.feed(&body);
        (0..3)
            .map(|_| d.poll_frame().unwrap().unwrap().total_length as usize)
            .sum::<usize>()
    };
    let mut reader = ShardEventStream::new(None);
    reader.feed(&body[..cut_after_two_events]);
    while let Some(event) = reader.poll_event() {
        sub.handle_event(id, event.unwrap(), t0);
    }
    let (mut got, mut ended) = (Vec::new(), false);
    drain(&mut sub, &mut got, &mut ended);
    assert_eq!(got, (1000..1006).collect::<Vec<_>>());
    assert_eq!(sub.poll_action(t0), None, "nothing to do while streaming");

    let expiry = sub.poll_timeout().unwrap();
    assert_eq!(expiry, t0 + SUBSCRIPTION_LIFETIME);
    // Not yet: a timeout call early does nothing.
    sub.handle_timeout(expiry - Duration::from_millis(1));
    assert_eq!(sub.poll_action(expiry - Duration::from_millis(1)), None);
    sub.handle_timeout(expiry);
    assert_eq!(
        sub.poll_action(expiry),
        Some(SubscriptionAction::Close { id })
    );
    let (id2, op2) = subscribe(&mut sub, expiry);
    assert_ne!(id, id2);
    assert_eq!(
        op2.starting_position,
        ShardIteratorType::AfterSequenceNumber("1005".into())
    );
    // The old stream's late bytes are ignored.
    stream(&mut sub, id, &body, None, expiry);
    stream(
        &mut sub,
        id2,
        &shard.body(shard.start(&op2.starting_position), 3),
        None,
        expiry,
    );
    drain(&mut sub, &mut got, &mut ended);
    assert_eq!(got, (1000..1010).collect::<Vec<_>>());
    // That stream ended cleanly: the next one is due at once.
    let (_, op3) = subscribe(&mut sub, expiry);
    assert_eq!(
        op3.starting_position,
        ShardIteratorType::AfterSequenceNumber("1009".into())
    );
}

#[test]
fn resource_in_use_backs_off_then_succeeds() {
    let t0 = Instant::now();
    let shard = Shard::new(1..5, true);
    let mut sub = subscription(ShardIteratorType::TrimHorizon, t0);
    let mut now = t0;
    let mut waits = Vec::new();
    // Three refusals, as an exception message in the stream, then the data.
    for _ in 0..3 {
        let (id, _) = subscribe(&mut sub, now);
        stream(
            &mut sub,
            id,
            &exception_bytes("ResourceInUseException"),
            None,
            now,
        );
        let due = sub.poll_timeout().unwrap();
        assert_eq!(
            sub.poll_action(now),
            None,
            "no resubscribe before the backoff"
        );
        assert_eq!(sub.poll_action(due - Duration::from_millis(1)), None);
        waits.push(due - now);
        now = due;
        sub.handle_timeout(now);
    }
    assert_eq!(
        waits,
        [
            Duration::from_secs(1),
            Duration::from_secs(2),
            Duration::from_secs(4)
        ]
    );
    let (id, op) = subscribe(&mut sub, now);
    stream(
        &mut sub,
        id,
        &shard.body(shard.start(&op.starting_position), 2),
        None,
        now,
    );
    let (mut got, mut ended) = (Vec::new(), false);
    drain(&mut sub, &mut got, &mut ended);
    assert_eq!(got, [1, 2, 3, 4]);
    assert!(ended);
    assert_eq!(sub.poll_action(now), Some(SubscriptionAction::Close { id }));
    assert_eq!(sub.poll_action(now), None);
    assert_eq!(sub.poll_timeout(), None);
    assert!(sub.is_done());
}

#[test]
fn a_stream_cut_mid_message_resubscribes_from_the_last_delivered_position() {
    let t0 = Instant::now();
    let shard = Shard::new(100..120, true);
    // Cut every body at every byte offset: the records still all arrive,
    // once each, in order.
    let full = shard.body(0, 4);
    for cut in (1..full.len()).step_by(13) {
        let mut sub = subscription(ShardIteratorType::TrimHorizon, t0);
        let (mut got, mut ended) = (Vec::new(), false);
        let mut now = t0;
        let mut first = true;
        for _ in 0..20 {
            if ended {
                break;
            }
            let Some(SubscriptionAction::Subscribe { id, op }) = sub.poll_action(now) else {
                now = sub.poll_timeout().unwrap();
                sub.handle_timeout(now);
                continue;
            };
            let body = shard.body(shard.start(&op.starting_position), 4);
            stream(&mut sub, id, &body, first.then_some(cut), now);
            first = false;
            drain(&mut sub, &mut got, &mut ended);
        }
        assert!(ended, "cut at {cut}");
        assert_eq!(got, (100..120).collect::<Vec<_>>(), "cut at {cut}");
    }
}

#[test]
fn a_server_that_repeats_records_does_not_deliver_them_twice() {
    let t0 = Instant::now();
    let shard = Shard::new(1..7, false);
    let mut sub = subscription(ShardIteratorType::TrimHorizon, t0);
    let (id, _) = subscribe(&mut sub, t0);
    stream(&mut sub, id, &shard.body(0, 2), None, t0);
    let (id, _) = subscribe(&mut sub, t0);
    // It ignores the position and starts over.
    stream(&mut sub, id, &shard.body(0, 2), None, t0);
    let (mut got, mut ended) = (Vec::new(), false);
    drain(&mut sub, &mut got, &mut ended);
    assert_eq!(got, [1, 2, 3, 4, 5, 6]);
}

#[test]
fn final_errors_fail_and_corrupt_frames_retry() {
    let t0 = Instant::now();
    let mut sub = subscription(ShardIteratorType::Latest, t0);
    let (id, _) = subscribe(&mut sub, t0);
    let mut corrupt = event_bytes("initial-response", "{}");
    let last = corrupt.len() - 5;
    corrupt[last] ^= 1;
    stream(&mut sub, id, &corrupt, None, t0);
    assert_eq!(sub.poll_timeout(), Some(t0 + RETRY_BASE));
    let (id, op) = subscribe(&mut sub, t0 + RETRY_BASE);
    assert_eq!(
        op.starting_position,
        ShardIteratorType::Latest,
        "nothing delivered yet"
    );
    sub.handle_error(
        id,
        Error::Service(ServiceError {
            code: ErrorCode::ResourceNotFound,
            message: None,
            status: http::StatusCode::BAD_REQUEST,
            request_id: None,
        }),
        t0,
    );
    assert!(
        matches!(sub.poll_event(), Some(SubscriptionEvent::Failed(e)) if e.code() == Some(&ErrorCode::ResourceNotFound))
    );
    assert!(sub.is_done());
    assert_eq!(sub.poll_action(t0 + SUBSCRIPTION_LIFETIME), None);
}
