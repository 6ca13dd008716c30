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

pub use http;

pub mod arn;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod ops;
pub mod profile;
pub mod call;
pub mod retry;
pub mod settings;
pub mod sigv4;

mod client;
mod limits;
mod operation;
mod validate;
mod wire;

pub use client::{Client, Config};
pub use credentials::Credentials;
pub use error::{Error, ErrorCode, ResponseError, ServiceError, UsageError};
pub use limits::Limits;
pub use settings::{Settings, Timeouts};
pub use operation::{parse_response, Empty, Expect, Operation, Paginated, Plane};
