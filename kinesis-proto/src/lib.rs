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
//!   ([`Limits`]); errors that say which field is wrong ([`Error`]).
//! - Endpoint resolution ([`endpoint`]): partitions, FIPS, dual-stack,
//!   account-scoped hosts from ARNs, custom endpoints.
//! - Credentials, the AWS shared `config`/`credentials` files and the
//!   `AWS_*` variables, parsed from values the caller hands in
//!   ([`credentials`], [`profile`], [`Settings`]).
//! - Retry decisions, backoff, the retry quota, clock-skew correction and
//!   adaptive rate limiting ([`retry`]), and one whole call as a state
//!   machine a transport drives ([`call`]).
//! - Pagination: [`Paginated::next_page`] builds the next input, and
//!   [`paginate::Paginator`] walks every page.
//! - Waiters ([`waiter`]): a stream ACTIVE or gone, a consumer or channel
//!   ACTIVE, with the SDKs' backoff and a time limit.
//!
//! ## Out of scope
//! - Sockets, TLS, HTTP framing, timers, threads: the transport's job.
//! - Reading the environment or files: hand in their contents.
//! - Credentials that need a network call (SSO, IMDS, STS role assumption).
//! - Decoding SubscribeToShard's HTTP/2 event stream (its request is built
//!   here; its answer is not parsed yet).
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
//! With retries, a transport runs [`call::Call`]: `poll(now, jitter)` says
//! what to do next (`Send` a request, `Sleep`, or `Done`), and the driver
//! feeds back each answer or transport failure. The [`call`] module shows
//! the whole loop as a runnable example; `kinesis-blocking` and
//! `kinesis-async` are that loop and nothing more.
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
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod ops;
pub mod paginate;
pub mod profile;
pub mod retry;
pub mod settings;
pub mod sigv4;
pub mod waiter;

mod client;
mod limits;
mod operation;
mod validate;
mod wire;

pub use client::{Client, Config};
pub use credentials::Credentials;
pub use error::{
    Error, ErrorCode, ResponseError, ServiceError, TransportError, TransportErrorKind, UsageError,
};
pub use limits::Limits;
pub use operation::{parse_response, Empty, Expect, Family, Operation, Paginated, Plane, Sent};
pub use settings::{Settings, Timeouts};
