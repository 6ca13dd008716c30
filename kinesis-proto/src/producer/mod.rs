//! A producer that never loses a record: batching, shard prediction, KPL
//! aggregation, retries of the failed entries only, per-shard backoff,
//! bounded memory, and exactly one event for every record pushed.
//!
//! [`Producer`] is a state machine with quinn-proto's contract: no clock,
//! no randomness, no I/O inside. The driver pushes records, sends the
//! requests it hands out, feeds the answers back, and drains the events:
//!
//! ```text
//!  push(record, now) ──► buffer ──► poll_transmit(now, wall, random) ──► Transmit {id, request, timeout}
//!                                                                              │ send it
//!  poll_event() ◄── Delivered / Failed ◄── handle_response(id, answer, now, wall)
//!                                          handle_transport_error(id, error, now)
//!  sleep until poll_timeout(), an answer, or a new record; then handle_timeout(now)
//! ```
//!
//! - **Batches.** Records wait in per-shard queues until a PutRecords
//!   request would be full ([`ProducerConfig::max_batch_records`],
//!   [`ProducerConfig::max_batch_bytes`], partition keys counted) or the
//!   oldest has waited [`ProducerConfig::linger`] (`RecordMaxBufferedTime`),
//!   or at once after [`Producer::flush`] / [`Producer::close`].
//! - **Shards.** The first requests are a DescribeStreamSummary (to learn
//!   the record distribution strategy) and a ListShards walk of the open
//!   shards. A record's shard is predicted from its hash key (its explicit
//!   hash key, or the MD5 of its partition key read as a big-endian
//!   128-bit number). An answer that puts a record on another shard, or a
//!   closed-shard answer, reloads the map (at most once a second).
//! - **Retries.** Each PutRecords request is a [`call::Call`](crate::call::Call):
//!   signing, clock skew, the per-attempt time limit and the retries of
//!   5xx answers and transport failures are the engine's. Entries that a
//!   200 answer reports failed are the producer's: only they are sent
//!   again, `ProvisionedThroughputExceeded` backs off their shard only
//!   (the others keep flowing), and a record past
//!   [`ProducerConfig::record_ttl`] (`RecordTtl`) fails with its last error.
//! - **At least once.** When an answer is lost (a reset or time-out after
//!   the request may have been written, or a 5xx), the batch is sent again;
//!   its records may then be in the stream twice. Such resends are counted
//!   in [`Metrics::duplicate_risk_resends`]. No record is ever dropped
//!   without an event.
//! - **Order.** [`Ordering::PerShard`] keeps each shard's order; the
//!   default favours throughput.
//! - **Aggregation** (opt-in, [`ProducerConfig::aggregation`]): records of
//!   one predicted shard are packed in the KPL's format ([`crate::kpl`]);
//!   their events carry sub-sequence numbers. Refused, with a usage error
//!   on every record, for streams whose record distribution strategy is
//!   AUTO (the service would scatter user records over shards the KCL
//!   filters on).
//!
//! # Driver contract
//! 1. After a push, an answer, or a wake-up: call [`Producer::handle_timeout`]
//!    when `poll_timeout()` has passed, then drain
//!    [`Producer::poll_transmit`] until `None` (send each one), then drain
//!    [`Producer::poll_event`] until `None`.
//! 2. Feed exactly one answer per transmit: [`Producer::handle_response`]
//!    with any HTTP answer (error statuses too, whole body), or
//!    [`Producer::handle_transport_error`] (report running out of the
//!    transmit's `timeout` as [`TransportErrorKind::Timeout`](crate::TransportErrorKind)).
//!    An answer for an id the producer gave up on is ignored.
//! 3. Sleep until [`Producer::poll_timeout`], the next answer, or the next
//!    push, whichever comes first.
//! 4. [`Producer::flush`] returns a mark; [`Producer::is_flushed`] says
//!    when every record pushed before it has had its event handed out.
//!    [`Producer::close`] flushes and refuses new records;
//!    [`Producer::is_finished`] says when nothing is left to do.
//!
//! ```
//! use std::collections::VecDeque;
//! use std::time::{Duration, Instant};
//! use kinesis_proto::producer::{Event, Producer, ProducerConfig, Record};
//! use kinesis_proto::{Client, Config, Credentials};
//!
//! let client = Client::new(Config::new("us-east-1"));
//! let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
//! let mut producer =
//!     Producer::new(&client, "my-stream", credentials, ProducerConfig::default()).unwrap();
//! let (mut now, wall) = (Instant::now(), time::OffsetDateTime::UNIX_EPOCH);
//!
//! let id = producer.push(Record::new("user-42", b"hello".to_vec()), now).unwrap();
//! let flushed = producer.flush();
//!
//! // A stand-in for the network and the service.
//! fn answer(body: &str) -> http::Response<Vec<u8>> {
//!     http::Response::builder().status(200).body(body.as_bytes().to_vec()).unwrap()
//! }
//! let mut events = Vec::new();
//! while !producer.is_flushed(flushed) {
//!     producer.handle_timeout(now);
//!     while let Some(transmit) = producer.poll_transmit(now, wall, 0.5) {
//!         let target = transmit.request.headers()["x-amz-target"].to_str().unwrap().to_owned();
//!         let body = match target.as_str() {
//!             "Kinesis_20131202.DescribeStreamSummary" => r#"{"StreamDescriptionSummary":{}}"#,
//!             "Kinesis_20131202.ListShards" => r#"{"Shards":[{"ShardId":"shardId-000000000000",
//!                 "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},
//!                 "SequenceNumberRange":{"StartingSequenceNumber":"1"}}]}"#,
//!             _ => r#"{"FailedRecordCount":0,"Records":[{"ShardId":"shardId-000000000000","SequenceNumber":"49"}]}"#,
//!         };
//!         producer.handle_response(transmit.id, answer(body), now, wall);
//!     }
//!     while let Some(event) = producer.poll_event() {
//!         events.push(event);
//!     }
//!     if let Some(until) = producer.poll_timeout() {
//!         now = now.max(until); // a real driver sleeps until then
//!     }
//! }
//! assert_eq!(events.len(), 1);
//! assert!(matches!(&events[0], Event::Delivered { id: got, sequence_number, .. }
//!     if *got == id && sequence_number == "49"));
//! ```

mod config;
mod machine;
mod shard_map;
mod types;

#[cfg(test)]
mod tests;

pub use config::{Ordering, ProducerConfig};
pub use machine::Producer;
pub use types::{Event, Flush, Metrics, PushError, Record, RecordId, Transmit, TransmitId};
