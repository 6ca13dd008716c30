//! # kinesis-proto
//!
//! The sans-IO core of a client for Amazon Kinesis Data Streams. It turns
//! what you want into signed [`http::Request`] values and turns
//! [`http::Response`] bytes into typed outputs or typed errors. It opens no
//! socket, reads no file, clock or environment variable, sleeps never and
//! spawns nothing: time, randomness and configuration are arguments.
//!
//! Pick `kinesis-blocking` or `kinesis-async` for a ready client; use this
//! crate directly to drive Kinesis from your own runtime or event loop.
//!
//! ## In scope
//! - Every operation of the Kinesis Data Streams API ([`ops`], 57 of them),
//!   as typed inputs and outputs, with their JSON 1.1 wire form.
//! - AWS Signature Version 4 ([`sigv4`]): header and presigned-query forms,
//!   session tokens, a signing-key cache.
//! - Validation against the service limits before anything is built
//!   ([`Limits`]); errors that say which field is wrong ([`Error`]). ARNs
//!   are checked for structure by one parser ([`arn::KinesisArn`]).
//! - Endpoint resolution ([`endpoint`]): partitions (botocore 1.44.5's
//!   data), FIPS, dual-stack, account- and resource-scoped hosts from ARNs,
//!   `kinesis-queues` hosts for queue operations, custom endpoints.
//! - Credentials, the AWS shared `config`/`credentials` files and the
//!   `AWS_*` variables, parsed from values the caller hands in
//!   ([`credentials`], [`profile`], [`Settings`]); a [`CredentialsSource`]
//!   that each call asks at every signing.
//! - Every credentials source of the AWS SDKs' default chain (roles, web
//!   identity, SSO, `credential_process`, container, IMDS) as a state machine
//!   that says which request, file or process it needs, and the cache that
//!   refreshes them ahead of expiry ([`credentials`]).
//! - Retry decisions, backoff, the retry quota, clock-skew correction and
//!   adaptive rate limiting ([`retry`]), and one whole call with its time
//!   limits as a state machine a transport drives ([`call`]).
//! - Pagination: [`Paginated::next_page`] builds the next input, and
//!   [`paginate::Paginator`] walks every page.
//! - Enhanced fan-out ([`eventstream`]): an incremental decoder of
//!   SubscribeToShard's event stream, its messages typed, and a
//!   subscription machine per shard (five-minute lifetime, continuation
//!   sequence numbers, children at shard end).
//! - A consumer ([`consumer`]): every shard of a stream read across
//!   resharding, expired iterators and restarts, with checkpoints.
//! - Waiters ([`waiter`]): a stream ACTIVE or gone, a consumer or channel
//!   ACTIVE, with the SDKs' backoff and a time limit.
//!
//! ## Out of scope
//! - Sockets, TLS, HTTP framing, timers, threads: the transport's job.
//! - Reading the environment or files: hand in their contents.
//!
//! ## One call
//! [`Client::prepare`] validates, serializes and signs; the [`Expect`]
//! token it returns is the only thing that parses that operation's answer.
//!
//! ```
//! use kinesis_proto::{ops::PutRecord, Client, Config, Credentials, Error};
//!
//! let client = Client::new(Config::new("us-east-1"));
//! let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
//! let now = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
//!
//! let put = PutRecord::new("my-stream", "user-42", b"hello".to_vec());
//! let (request, expect) = client.prepare(&put, &credentials, now)?;
//! assert_eq!(request.headers()["x-amz-target"], "Kinesis_20131202.PutRecord");
//!
//! // …any HTTP client sends `request`; here is what comes back:
//! let answer = http::Response::builder()
//!     .status(200)
//!     .body(r#"{"ShardId":"shardId-000000000000","SequenceNumber":"4958"}"#)
//!     .unwrap();
//! let output = expect.parse(&answer)?;
//! assert_eq!(output.shard_id, "shardId-000000000000");
//!
//! // Bad input never becomes a request:
//! let too_long = PutRecord::new("my-stream", "k".repeat(257), b"x".to_vec());
//! assert!(matches!(client.prepare(&too_long, &credentials, now), Err(Error::Usage(_))));
//! # Ok::<(), Error>(())
//! ```
//!
//! ## The driver loop
//! With retries and time limits, a transport runs a [`call::Call`]: it owns
//! its operation, a [`CredentialsSource`] and a clone of the [`Client`], so
//! it can be stored anywhere. `poll(now, wall, random)` takes the monotonic
//! clock (scheduling), the wall clock (signing) and a random value
//! (jitter), and says what to do: `Send` a request within a time limit,
//! `Wait` until [`call::Call::poll_timeout`], or `Done`. The driver feeds
//! back each answer or transport failure and decides nothing itself;
//! `kinesis-blocking` and `kinesis-async` are this loop and nothing more.
//! Here it runs in virtual time against a server that answers at once:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use kinesis_proto::call::{Action, Call};
//! use kinesis_proto::{ops::PutRecord, Client, Config, Credentials, Error};
//!
//! let client = Client::new(Config::new("us-east-1").with_call_timeout(Some(Duration::from_secs(30))));
//! let credentials = Credentials::new("AKIDEXAMPLE", "SECRET", None);
//! // A stand-in for any HTTP client: busy once, then it stores the record.
//! let mut answers = vec![
//!     (200, r#"{"ShardId":"shardId-000000000000","SequenceNumber":"4958"}"#),
//!     (503, ""),
//! ];
//! let mut send = |_request: http::Request<Vec<u8>>, _timeout: Option<Duration>| {
//!     let (status, body) = answers.pop().expect("one answer per request");
//!     http::Response::builder().status(status).body(body.as_bytes().to_vec())
//! };
//!
//! let (mut now, mut wall) = (Instant::now(), time::OffsetDateTime::UNIX_EPOCH);
//! let mut call = Call::new(&client, PutRecord::new("my-stream", "user-42", b"hi".to_vec()), credentials);
//! let output = loop {
//!     match call.poll(now, wall, 0.5) {
//!         Action::Send { request, timeout } => match send(request, timeout) {
//!             Ok(answer) => call.handle_response(answer, now, wall),
//!             Err(e) => panic!("{e}"),
//!         },
//!         Action::Wait => {
//!             // A real driver sleeps until then; virtual time jumps there.
//!             let until = call.poll_timeout().expect("a wait has an end");
//!             wall += until - now;
//!             now = until;
//!         }
//!         Action::Done(result) => break result?,
//!     }
//! };
//! assert_eq!(output.sequence_number, "4958");
//! assert_eq!(call.attempts(), 2);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Errors
//! [`Error::Usage`]: called wrong, nothing was built. [`Error::Service`]:
//! the service said no (an [`ErrorCode`], message, status, request id,
//! [`ServiceError::is_retryable`]). [`Error::Response`]: the answer did not
//! parse as what the operation returns. [`Error::Transport`]: the request
//! could not be sent or its answer not received (the transport driving a
//! [`call::Call`] reports it), or the call ran out of time.

pub use http;

pub mod arn;
pub mod call;
pub mod consumer;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod eventstream;
pub mod kpl;
pub mod ops;
pub mod paginate;
pub mod producer;
pub mod profile;
pub mod retry;
pub mod settings;
pub mod sigv4;
pub mod waiter;

mod client;
mod client_methods;
mod config;
mod environment;
mod limits;
mod operation;
mod validate;
mod wire;

pub use client::Client;
pub use config::Config;
pub use credentials::{Credentials, CredentialsSource};
pub use error::{
    Error, ErrorCode, ResponseError, ServiceError, TransportError, TransportErrorKind, UsageError,
};
pub use limits::Limits;
pub use operation::{Empty, Expect, Family, Operation, Paginated, Plane, Sent};

/// Parsing without an [`Expect`] token, for fuzz targets and tests only:
/// present with the `fuzzing` feature, hidden from the docs, not part of
/// the API. Everything else parses an answer through the token
/// [`Client::prepare`] returned with its request.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::operation::parse_response;
}
pub use settings::{Settings, Timeouts, TransportOptions};
