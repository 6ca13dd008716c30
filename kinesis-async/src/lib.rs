//! # kinesis-async
//!
//! Placeholder crate docs (client to come).

mod transport;

pub use crate::transport::{Transport, TransportOptions};
