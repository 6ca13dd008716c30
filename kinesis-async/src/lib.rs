//! # kinesis-async
//!
//! An async client for Amazon Kinesis Data Streams whose futures complete
//! under any executor: every operation of the API as an `async fn`, over [hyper] 1
//! (HTTP/1.1, and HTTP/2 where TLS negotiates it) with rustls. The requests
//! are built, signed and parsed, and retries decided, by [`kinesis_proto`]
//! (re-exported here, so this is the one dependency you need); this crate
//! only moves the bytes and sleeps between retries.
//!
//! ## Quickstart
//!
//! ```no_run
//! use kinesis_async::ops::{DescribeStreamSummary, PutRecord};
//! use kinesis_async::Client;
//!
//! # fn main() -> Result<(), kinesis_async::Error> {
//! async_std::task::block_on(async {
//!     // Region, credentials and endpoint the way the AWS tools find them.
//!     let client = Client::from_env()?;
//!
//!     let put = client.put_record(&PutRecord::new("my-stream", "user-42", b"hello".to_vec())).await?;
//!     println!("stored in {} as {}", put.shard_id, put.sequence_number);
//!
//!     // Many calls in flight at once on one client (clones share its pool).
//!     let writers: Vec<_> = (0..100)
//!         .map(|i| {
//!             let client = client.clone();
//!             async_std::task::spawn(async move {
//!                 let put = PutRecord::new("my-stream", format!("user-{i}"), b"hi".to_vec());
//!                 client.put_record(&put).await
//!             })
//!         })
//!         .collect();
//!     for writer in writers {
//!         writer.await?;
//!     }
//!
//!     let summary = client.describe_stream_summary(&DescribeStreamSummary::new("my-stream")).await?;
//!     println!("{summary:?}");
//!     Ok(())
//! })
//! # }
//! ```
//!
//! ## Settings
//!
//! [`Client::new`] takes [`Settings`]: region and endpoint ([`Config`]),
//! [`Credentials`], [`Timeouts`] (connect 3.1 s and 10 s per attempt by
//! default, an optional limit on a whole call), retry behaviour and extra
//! root certificates to trust beside the Mozilla roots (for a local server
//! with a self-signed certificate). Plain `http://` endpoints are allowed
//! and spoken over HTTP/1.1. [`Client::with_transport_options`] also takes
//! the connection pool's [`TransportOptions`].
//!
//! ```
//! use kinesis_async::{Client, Config, Credentials, Settings};
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
//! Over TLS the client offers HTTP/2 and HTTP/1.1 (ALPN). With HTTP/2 every
//! call to a host shares one connection. With HTTP/1.1 (and on plain
//! `http://`) a connection carries one call at a time and is kept for the
//! next when its answer was read whole; at most
//! [`TransportOptions::max_connections_per_host`] are open to one host, and
//! further calls wait for one to come free. A dropped call future cancels
//! its exchange: its half-used connection is closed, never reused.
//!
//! ## Runtimes
//!
//! The client brings its own I/O, so await its futures from any executor:
//! tokio (in `block_on` or a spawned task; the futures are `Send`), smol,
//! `futures::executor::block_on` or async-std. Underneath, sockets and
//! timers are async-io's, whose reactor runs on a background thread named
//! `async-io` (under `smol::block_on` the blocked thread drives it too), and
//! hyper's connection tasks run on async-std's global executor, whose
//! threads start with the first connection (one per CPU unless
//! `ASYNC_STD_THREAD_COUNT` says otherwise). Nothing needs setting up in a
//! tokio or smol program.
//!
//! ```no_run
//! use kinesis_async::{ops::ListStreams, Client};
//!
//! // Any executor will do; this one comes with the `futures` crate.
//! let client = Client::from_env()?;
//! let streams = futures::executor::block_on(client.list_streams(&ListStreams::default()))?;
//! println!("{:?}", streams.stream_names);
//! # Ok::<(), kinesis_async::Error>(())
//! ```
//!
//! A connect time limit that runs out is a `Timeout`, as every other time
//! limit is and as in kinesis-blocking; `Connect` is a connection that
//! failed at once (refused, host not found). Both are retried.
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
//! Requests, answers, connections, retries and back-off are logged at debug
//! level through the [`log`] facade: operation names, URLs, statuses and
//! sizes, never credentials or record data, at trace level neither.
//! (rustls logs handshake steps through `log`; h2, under HTTP/2, reports
//! frames through `tracing` without header values or data.)

// What a caller needs besides the client, from kinesis-proto, so that this
// crate is the one dependency: the inputs and outputs…
pub use kinesis_proto::{self, ops, Operation, Paginated};
// …the configuration…
pub use kinesis_proto::{retry::RetryConfig, Config, Credentials, Limits, Settings, Timeouts};
// …and the error, shared with kinesis-blocking, with what it carries.
pub use kinesis_proto::{Error, TransportError, TransportErrorKind};
pub use kinesis_proto::{ErrorCode, ServiceError, UsageError};

pub use kinesis_proto::waiter::{
    ChannelActive, Condition, ConsumerActive, StreamActive, StreamGone, WaitError, WaiterConfig,
};

mod checkpoint;
mod client;
mod credentials;
pub use credentials::fetch_credentials;
pub mod consumer;
mod fan_out;
mod operations;
mod paginate;
pub mod producer;
mod transport;
mod waiter;

pub use client::Client;
pub use consumer::Consumer;
pub use fan_out::{FanOutShard, ShardEvents, SILENCE_LIMIT};
/// Enhanced fan-out's event stream and subscription machine (kinesis-proto's).
pub use kinesis_proto::eventstream;
pub use kinesis_proto::TransportOptions;
pub use paginate::Pages;
pub use producer::Producer;
pub use transport::Transport;
