//! # kinesis-blocking
//!
//! A blocking client for Amazon Kinesis Data Streams: every operation of
//! the API as a method, over [ureq] with rustls. The requests are built,
//! signed and parsed by [`kinesis_proto`] (re-exported here, so this is the
//! one dependency you need); this crate only moves the bytes and sleeps
//! between retries.
//!
//! ## Quickstart
//!
//! ```no_run
//! use kinesis_blocking::ops::{GetRecords, GetShardIterator, PutRecord, ShardIteratorType};
//! use kinesis_blocking::Client;
//!
//! // Region, credentials and endpoint the way the AWS tools find them.
//! let client = Client::from_env()?;
//!
//! let put = client.put_record(&PutRecord::new("my-stream", "user-42", b"hello".to_vec()))?;
//! let iterator = client
//!     .get_shard_iterator(&GetShardIterator::new("my-stream", &put.shard_id, ShardIteratorType::TrimHorizon))?
//!     .shard_iterator;
//! if let Some(iterator) = iterator {
//!     let page = client.get_records(&GetRecords::new(iterator))?;
//!     for record in &page.records {
//!         println!("{}: {} bytes", record.sequence_number, record.data.len());
//!     }
//! }
//! # Ok::<(), kinesis_blocking::Error>(())
//! ```
//!
//! ## Settings
//!
//! [`Client::new`] takes [`Settings`]: region and endpoint ([`Config`]),
//! [`Credentials`], [`Timeouts`] (connect 3.1 s and 10 s per attempt by
//! default, an optional limit on a whole call), retry behaviour and extra
//! root certificates to trust beside the Mozilla roots (for a local server
//! with a self-signed certificate). Plain `http://` endpoints are allowed.
//! [`Client::with_transport_options`] also takes the connection pool's
//! [`TransportOptions`].
//!
//! ```
//! use kinesis_blocking::{Client, Config, Credentials, Settings};
//! use std::time::Duration;
//!
//! let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4568")?;
//! let mut settings = Settings::new(config, Credentials::new("AKID", "SECRET", None));
//! settings.timeouts.call = Some(Duration::from_secs(30));
//! let client = Client::new(settings)?;
//! # let _ = client;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Connections
//!
//! A client keeps the connections of finished calls for the next ones, up
//! to [`TransportOptions::max_idle_per_host`] (default 16) per host, so up
//! to that many threads sharing one client each keep a connection and none
//! is opened again. With more threads than that, raise it: ureq closes the
//! connections it cannot keep, and every call after that opens a new one.
//! An endpoint given as an IP address is used without a lookup; a host
//! name's addresses are looked up (within the time limit) and kept for 5 s,
//! and only new connections use them. Each request goes out in one write,
//! head and body together (ureq alone writes them separately).
//!
//! A connect time limit that runs out is a `Timeout`, as every other time
//! limit is and as in kinesis-async; `Connect` is a connection that failed
//! at once (refused, no route, host not found). Both are retried.
//!
//! ## Errors
//!
//! Every call returns [`Error`], the type both transports share:
//! `Usage` (called wrong; nothing was sent), `Service` (the service said
//! no, with its [`ErrorCode`]), `Response` (an answer that did not parse)
//! or `Transport` (the request could not be sent or its answer not read).
//!
//! ## Logging
//!
//! Requests, answers, retries and back-off are logged at debug level
//! through the [`log`] facade: operation names, URLs, statuses and sizes,
//! never credentials or record data. ureq, underneath, logs at debug level
//! too and redacts every header but a few harmless ones.
//!
//! At **trace** level one target is different: `ureq_proto::util` (ureq's
//! protocol core) hex-dumps the raw bytes of every exchange, and ureq offers
//! no setting to stop it. What it dumps: the request line and headers,
//! `Authorization` (the signature) and `X-Amz-Security-Token` (the session
//! token) included, and every byte of the answer, record data of
//! GetRecords included. The request body and the secret key are not in it.
//! Every other target stays free of secrets at trace level too (a test
//! checks both). So to log at trace level outside local debugging, turn
//! that target off, for example with env_logger:
//! `RUST_LOG=trace,ureq_proto::util=off`.
//!
//! ## Enhanced fan-out
//!
//! SubscribeToShard needs HTTP/2, which ureq does not speak, so this
//! client has no `subscribe_to_shard` of its own: read shards by polling
//! (GetShardIterator and GetRecords), or turn on the `fan-out` feature for
//! `FanOut`: blocking iterators over kinesis-async's HTTP/2
//! implementation (it then builds hyper and async-std too).
//!
pub use kinesis_proto::{
    self, ops, retry::RetryConfig, Config, Credentials, ErrorCode, Limits, Operation, Paginated,
    ServiceError, Settings, Timeouts, UsageError,
};
pub use kinesis_proto::{Error, TransportError, TransportErrorKind};

pub use kinesis_proto::waiter::{
    ChannelActive, Condition, ConsumerActive, StreamActive, StreamGone, WaitError, WaiterConfig,
};

mod checkpoint;
mod client;
mod coalesce;
mod credentials;
pub use credentials::fetch_credentials;
pub mod consumer;
#[cfg(feature = "fan-out")]
mod fan_out;
mod operations;
mod paginate;
pub mod producer;
mod resolve;
mod transport;
mod waiter;

#[cfg(test)]
use kinesis_test_server as test_server;

pub use client::Client;
pub use consumer::Consumer;
#[cfg(feature = "fan-out")]
pub use fan_out::{FanOut, FanOutShard, ShardEvents};
/// Enhanced fan-out's event stream and subscription machine (kinesis-proto's).
pub use kinesis_proto::eventstream;
pub use kinesis_proto::TransportOptions;
pub use paginate::Pages;
pub use producer::Producer;
