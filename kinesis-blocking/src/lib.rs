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
//! never credentials or record data. ureq, underneath, redacts headers up
//! to debug level, but at trace level (targets `ureq` and `ureq_proto`) it
//! dumps the raw bytes sent, signatures and record data included: keep
//! those targets at debug or below outside of local debugging.

pub use kinesis_proto::{
    self, ops, retry::RetryConfig, Config, Credentials, ErrorCode, Limits, Operation, Paginated,
    ServiceError, Settings, Timeouts, UsageError,
};
pub use kinesis_proto::{Error, TransportError, TransportErrorKind};

mod client;
mod operations;
mod transport;

#[cfg(test)]
mod test_server;

pub use client::Client;
