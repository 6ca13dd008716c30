//! Enhanced fan-out: SubscribeToShard's `application/vnd.amazon.eventstream`
//! answer, decoded incrementally, and the subscription machine that keeps
//! one shard read across the service's five-minute subscriptions.
//!
//! Three layers, each usable alone:
//! - [`Decoder`] ([`frame`]): bytes in, in chunks of any size; whole
//!   [`Message`]s out (prelude, headers of types 0–9, payload, both CRC32s),
//!   within [`FrameLimits`]; every malformed input a [`FrameError`].
//! - [`ShardEventStream`]: the messages of a SubscribeToShard answer typed
//!   as [`ShardEvent`]s; exception messages become
//!   [`Error::Service`](crate::Error::Service) with their codes.
//! - [`ShardSubscription`] ([`subscription`]): a state machine per shard
//!   that says when to subscribe and from where, resubscribes after five
//!   minutes or a broken stream from the last delivered position, backs
//!   off on `ResourceInUseException`, and reports the children at the
//!   shard's end.
//!
//! A driver gets a [`ShardEventStream`] for a 2xx answer from
//! [`Expect::event_stream`](crate::Expect::event_stream) and feeds it the
//! body's chunks as they arrive:
//!
//! ```
//! use kinesis_proto::ops::{ShardIteratorType, SubscribeToShard};
//! use kinesis_proto::eventstream::ShardEvent;
//! use kinesis_proto::{Client, Config, Credentials};
//!
//! let client = Client::new(Config::new("us-east-1"));
//! let creds = Credentials::new("AKID", "SECRET", None);
//! let op = SubscribeToShard::new(
//!     "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
//!     "shardId-000000000000",
//!     ShardIteratorType::Latest,
//! );
//! let (_request, expect) = client.prepare(&op, &creds, time::OffsetDateTime::UNIX_EPOCH)?;
//! // …send it over HTTP/2; the answer's head arrives:
//! let head = http::Response::builder().status(200).body(()).unwrap();
//! let mut events = expect.event_stream(&head).expect("a 2xx answer streams");
//! // …then each DATA frame's bytes as they come:
//! # let chunk = kinesis_proto::eventstream::Message {
//! #     headers: vec![
//! #         kinesis_proto::eventstream::Header::new(":message-type", kinesis_proto::eventstream::HeaderValue::String("event".into())),
//! #         kinesis_proto::eventstream::Header::new(":event-type", kinesis_proto::eventstream::HeaderValue::String("initial-response".into())),
//! #     ],
//! #     payload: b"{}".to_vec(),
//! # }.encode().unwrap();
//! events.feed(&chunk);
//! assert_eq!(events.poll_event(), Some(Ok(ShardEvent::InitialResponse)));
//! # Ok::<(), kinesis_proto::Error>(())
//! ```

pub mod frame;
mod shard_event;
pub mod subscription;

pub use frame::{
    Decoder, Frame, FrameError, FrameLimits, Header, HeaderProblem, HeaderValue, Message,
};
pub(crate) use shard_event::parse_whole;
pub use shard_event::{
    shard_event, ShardEvent, ShardEventStream, SubscribeToShardEvent, SubscribeToShardOutput,
};
pub use subscription::{ShardSubscription, SubscriptionAction, SubscriptionEvent, SubscriptionId};

use crate::ops::SubscribeToShard;
use crate::Expect;

impl Expect<SubscribeToShard> {
    /// For a 2xx answer, a reader of its event-stream body (feed it the
    /// body as it arrives). `None` for an error status: read the whole
    /// body and [`parse`](Expect::parse) it for the service error.
    pub fn event_stream<B>(&self, response: &http::Response<B>) -> Option<ShardEventStream> {
        response
            .status()
            .is_success()
            .then(|| ShardEventStream::new(crate::error::request_id(response)))
    }
}
