//! One call, retries included, as a state machine that a transport drives.
//! (Being written: the types and signatures below are the contract.)
//!
//! Every driver runs the same loop:
//! ```ignore
//! let mut call = Call::new(&proto_client, &op, &credentials);
//! loop {
//!     match call.poll(OffsetDateTime::now_utc(), random_unit_f64()) {
//!         Action::Send(request) => match my_http.send(request) {
//!             Ok(response) => call.handle_response(response, OffsetDateTime::now_utc()),
//!             Err(e) => call.handle_transport_error(TransportError::new(kind, e.to_string())),
//!         },
//!         Action::Sleep(d) => sleep(d),
//!         Action::Done(result) => return result,
//!     }
//! }
//! ```

use std::fmt;
use std::time::Duration;

use time::OffsetDateTime;

use crate::error::{Error, ResponseError, ServiceError, UsageError};
use crate::{Client, Credentials, Operation};

/// What kind of transport failure happened (decides whether it is retried).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, DNS, unreachable).
    Connect,
    /// An attempt or the whole call took longer than allowed.
    Timeout,
    /// The connection broke while the request or answer was in flight.
    Io,
    /// TLS failed (handshake, certificate).
    Tls,
    /// The peer broke the HTTP protocol, or the answer was too large.
    Protocol,
    /// Anything else.
    Other,
}

/// A transport failure, described without the transport's own types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// The transport's description of it.
    pub message: String,
}

impl TransportError {
    /// A transport failure of `kind`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError { kind, message: message.into() }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "transport error ({:?}): {}", self.kind, self.message)
    }
}

impl std::error::Error for TransportError {}

/// What a call through a transport ends in: kinesis-proto's three answers
/// plus the transport's own failure. Both transports return this type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallError {
    /// Called wrong: nothing was sent.
    Usage(UsageError),
    /// The service said no (after any retries).
    Service(ServiceError),
    /// The service answered something unexpected.
    Response(ResponseError),
    /// The request could not be sent or its answer not received.
    Transport(TransportError),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Usage(e) => e.fmt(f),
            CallError::Service(e) => e.fmt(f),
            CallError::Response(e) => e.fmt(f),
            CallError::Transport(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CallError {}

impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        match e {
            Error::Usage(e) => CallError::Usage(e),
            Error::Service(e) => CallError::Service(e),
            Error::Response(e) => CallError::Response(e),
        }
    }
}

/// What the driver does next.
#[derive(Debug)]
#[must_use]
pub enum Action<T> {
    /// Send this request and feed the answer to `handle_response` (or the
    /// failure to `handle_transport_error`).
    Send(http::Request<Vec<u8>>),
    /// Sleep this long, then poll again.
    Sleep(Duration),
    /// The call is over.
    Done(Result<T, CallError>),
}

/// One call of operation `O`, with retries.
#[derive(Debug)]
pub struct Call<'a, O: Operation> {
    client: &'a Client,
    op: &'a O,
    credentials: &'a Credentials,
}

impl<'a, O: Operation> Call<'a, O> {
    /// Starts a call of `op`.
    pub fn new(client: &'a Client, op: &'a O, credentials: &'a Credentials) -> Self {
        Call { client, op, credentials }
    }

    /// What to do next. `now` is the wall clock (for signing); `jitter` a
    /// random value in `[0, 1)` (for backoff).
    pub fn poll(&mut self, now: OffsetDateTime, jitter: f64) -> Action<O::Output> {
        let _ = (now, jitter, self.client, self.op, self.credentials);
        todo!("call::poll")
    }

    /// Feeds the answer to the last `Send`; `now` is the wall clock when it
    /// arrived (for clock-skew correction).
    pub fn handle_response<B: AsRef<[u8]>>(&mut self, response: http::Response<B>, now: OffsetDateTime) {
        let _ = (response, now);
        todo!("call::handle_response")
    }

    /// Feeds a failure to send the last `Send` or to receive its answer.
    pub fn handle_transport_error(&mut self, error: TransportError) {
        let _ = error;
        todo!("call::handle_transport_error")
    }
}
