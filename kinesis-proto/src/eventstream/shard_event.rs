//! SubscribeToShard's messages, typed: the `initial-response`, each
//! `SubscribeToShardEvent`, and exception messages as service errors.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::frame::{Decoder, FrameError, FrameLimits, FrameRef, HeaderValue, Message};
use crate::error::{Error, ErrorCode, ResponseError, ServiceError};
use crate::ops::{ChildShard, Record};

/// One batch of records pushed on a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SubscribeToShardEvent {
    /// The records, in shard order (the same type GetRecords returns).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub records: Vec<Record>,
    /// Where a new subscription resumes to read on after this event
    /// (`AFTER_SEQUENCE_NUMBER` of it). Absent at the end of a closed shard.
    #[serde(default)]
    pub continuation_sequence_number: Option<String>,
    /// How far behind the tip of the shard this event is, in milliseconds.
    #[serde(default)]
    pub millis_behind_latest: Option<u64>,
    /// The shards that follow this one, sent once the end of a closed
    /// shard is reached.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub child_shards: Vec<ChildShard>,
}

/// One message of a SubscribeToShard answer that is not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShardEvent {
    /// The first message: the subscription is open.
    InitialResponse,
    /// Records (possibly none) and the position after them.
    Event(SubscribeToShardEvent),
    /// An event type this crate does not know, by its `:event-type`.
    Unknown(String),
}

/// Turns one decoded message into a [`ShardEvent`] or the error it carries.
///
/// `:message-type` `event` with `:event-type` `initial-response` or
/// `SubscribeToShardEvent`; `exception` with `:exception-type` (the error
/// code) and a JSON payload holding `message`; `error` with `:error-code`
/// and `:error-message`. `request_id` is the answer's, for the errors.
///
/// ```
/// use kinesis_proto::eventstream::{shard_event, Header, HeaderValue, Message};
/// use kinesis_proto::ErrorCode;
/// let s = |v: &str| HeaderValue::String(v.into());
/// let exception = Message {
///     headers: vec![
///         Header::new(":message-type", s("exception")),
///         Header::new(":exception-type", s("ResourceInUseException")),
///     ],
///     payload: br#"{"message":"busy"}"#.to_vec(),
/// };
/// let e = shard_event(&exception, None).unwrap_err();
/// assert_eq!(e.code(), Some(&ErrorCode::ResourceInUse));
/// ```
pub fn shard_event(message: &Message, request_id: Option<&str>) -> Result<ShardEvent, Error> {
    typed(|name| message.header(name), &message.payload, request_id)
}

fn typed<'h>(
    header: impl Fn(&str) -> Option<&'h HeaderValue>,
    payload: &[u8],
    request_id: Option<&str>,
) -> Result<ShardEvent, Error> {
    let text = |name: &str| header(name).and_then(HeaderValue::as_str);
    let bad = |reason: String| {
        Error::Response(ResponseError {
            status: http::StatusCode::OK,
            reason: format!("SubscribeToShard event stream: {reason}"),
            request_id: request_id.map(str::to_owned),
        })
    };
    match text(":message-type") {
        Some("event") => match text(":event-type") {
            Some("initial-response") => Ok(ShardEvent::InitialResponse),
            Some("SubscribeToShardEvent") => {
                if payload.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
                    return Err(bad(
                        "SubscribeToShardEvent payload is not a JSON object".into()
                    ));
                }
                serde_json::from_slice(payload)
                    .map(ShardEvent::Event)
                    .map_err(|e| bad(format!("SubscribeToShardEvent payload: {e}")))
            }
            Some(other) => Ok(ShardEvent::Unknown(other.to_owned())),
            None => Err(bad("an event without an :event-type header".into())),
        },
        Some("exception") => {
            let code = text(":exception-type").unwrap_or("");
            #[derive(Deserialize)]
            struct Body {
                #[serde(alias = "Message")]
                message: Option<String>,
            }
            let message = serde_json::from_slice::<Body>(payload)
                .ok()
                .and_then(|b| b.message)
                .or_else(|| {
                    let t = String::from_utf8_lossy(payload).trim().to_owned();
                    (!t.is_empty()).then_some(t)
                });
            Err(service(code, message, request_id))
        }
        Some("error") => Err(service(
            text(":error-code").unwrap_or(""),
            text(":error-message").map(str::to_owned),
            request_id,
        )),
        Some(other) => Err(bad(format!("unknown :message-type {other:?}"))),
        None => Err(bad("a message without a :message-type header".into())),
    }
}

fn service(code: &str, message: Option<String>, request_id: Option<&str>) -> Error {
    let code = code.rsplit('#').next().unwrap_or(code);
    Error::Service(ServiceError {
        code: ErrorCode::from_code(code),
        message,
        status: http::StatusCode::OK,
        request_id: request_id.map(str::to_owned),
    })
}

/// A frame error as the crate's one error type (`Response`: the service's
/// bytes were not a valid event stream).
pub(crate) fn frame_error(e: &FrameError, request_id: Option<&str>) -> Error {
    Error::Response(ResponseError {
        status: http::StatusCode::OK,
        reason: format!("SubscribeToShard {e}"),
        request_id: request_id.map(str::to_owned),
    })
}

/// The body of a successful SubscribeToShard answer, read as it arrives:
/// [`feed`](ShardEventStream::feed) it each chunk of the body and drain
/// [`poll_event`](ShardEventStream::poll_event); at the body's end call
/// [`finish`](ShardEventStream::finish). Get one from
/// [`Expect::event_stream`](crate::Expect::event_stream), or
/// [`ShardEventStream::new`].
///
/// After an error (a corrupt frame, an exception message) every poll
/// gives `None`: the subscription is over.
///
/// ```
/// use kinesis_proto::eventstream::{ShardEvent, ShardEventStream};
/// let body = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/tests/vectors/eventstream/kinesis/subscribe_to_shard_stream")).unwrap();
/// let mut stream = ShardEventStream::new(None);
/// let mut events = Vec::new();
/// for chunk in body.chunks(7) {
///     stream.feed(chunk);
///     while let Some(event) = stream.poll_event() {
///         events.push(event);
///     }
/// }
/// assert_eq!(events[0], Ok(ShardEvent::InitialResponse));
/// assert!(events[3].is_err()); // the ResourceInUseException message
/// # Ok::<(), kinesis_proto::Error>(())
/// ```
pub struct ShardEventStream {
    decoder: Decoder,
    request_id: Option<String>,
    done: bool,
}

impl fmt::Debug for ShardEventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShardEventStream")
            .field("buffered", &self.decoder.buffered())
            .field("request_id", &self.request_id)
            .field("done", &self.done)
            .finish()
    }
}

impl ShardEventStream {
    /// A reader for a body whose answer had `request_id`.
    pub fn new(request_id: Option<String>) -> Self {
        Self::with_limits(request_id, FrameLimits::default())
    }

    /// A reader with frame `limits`.
    pub fn with_limits(request_id: Option<String>, limits: FrameLimits) -> Self {
        ShardEventStream {
            decoder: Decoder::with_limits(limits),
            request_id,
            done: false,
        }
    }

    /// Appends a chunk of the body.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.decoder.feed(bytes);
    }

    /// The next event or error; `None` when more bytes are needed, or
    /// after an error.
    #[must_use = "an event taken out is gone from the stream"]
    pub fn poll_event(&mut self) -> Option<Result<ShardEvent, Error>> {
        if self.done {
            return None;
        }
        let result = match self.decoder.next_frame() {
            Ok(None) => return None,
            Ok(Some(frame)) => typed_frame(&frame, self.request_id.as_deref()),
            Err(e) => Err(frame_error(&e, self.request_id.as_deref())),
        };
        self.done = result.is_err();
        Some(result)
    }

    /// Whether an error ended the stream.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The body ended: an error if it ended inside a message.
    pub fn finish(&self) -> Result<(), Error> {
        if self.done {
            return Ok(());
        }
        self.decoder
            .finish()
            .map_err(|e| frame_error(&e, self.request_id.as_deref()))
    }
}

fn typed_frame(frame: &FrameRef<'_>, request_id: Option<&str>) -> Result<ShardEvent, Error> {
    typed(
        |name| {
            frame
                .headers
                .iter()
                .find(|h| h.name == name)
                .map(|h| &h.value)
        },
        frame.payload,
        request_id,
    )
}

/// What a whole SubscribeToShard body read at once holds (see
/// [`Expect::parse`](crate::Expect::parse)); a driver that streams reads it
/// with a [`ShardEventStream`] instead.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscribeToShardOutput {
    /// Every `SubscribeToShardEvent` of the body, in order.
    pub events: Vec<SubscribeToShardEvent>,
}

/// Reads a whole body: its events, or the first error in it.
pub(crate) fn parse_whole(
    body: &[u8],
    request_id: Option<String>,
) -> Result<SubscribeToShardOutput, Error> {
    let mut stream = ShardEventStream::new(request_id);
    stream.feed(body);
    let mut events = Vec::new();
    while let Some(event) = stream.poll_event() {
        if let ShardEvent::Event(e) = event? {
            events.push(e);
        }
    }
    stream.finish()?;
    Ok(SubscribeToShardOutput { events })
}
