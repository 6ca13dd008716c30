//! The `application/vnd.amazon.eventstream` framing: messages, headers,
//! and an incremental decoder that takes bytes in chunks of any size.
//!
//! One message on the wire, big-endian throughout:
//! ```text
//! total length u32 | headers length u32 | prelude CRC32 u32   (the 12-byte prelude)
//! headers (headers length bytes) | payload | message CRC32 u32
//! ```
//! The prelude CRC covers the first 8 bytes; the message CRC covers
//! everything before it, prelude included. A header is a name (u8 length,
//! UTF-8), a type byte (0–9) and a value of that type.

use std::fmt;

/// Bytes of the prelude: total length, headers length, prelude CRC.
pub const PRELUDE_LEN: usize = 12;
/// Bytes of the trailing message CRC.
pub const CRC_LEN: usize = 4;
/// The smallest message: a prelude and a CRC, no headers, no payload.
pub const MIN_MESSAGE_LEN: usize = PRELUDE_LEN + CRC_LEN;

/// The value of one header, by its wire type (0–9).
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderValue {
    /// Types 0 (true) and 1 (false): no value bytes.
    Bool(bool),
    /// Type 2: one signed byte.
    Byte(i8),
    /// Type 3.
    Int16(i16),
    /// Type 4.
    Int32(i32),
    /// Type 5.
    Int64(i64),
    /// Type 6: u16 length, then the bytes.
    ByteArray(Vec<u8>),
    /// Type 7: u16 length, then UTF-8.
    String(String),
    /// Type 8: milliseconds since the Unix epoch, i64.
    Timestamp(i64),
    /// Type 9: 16 bytes.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The wire type byte (0–9).
    pub fn type_byte(&self) -> u8 {
        match self {
            HeaderValue::Bool(true) => 0,
            HeaderValue::Bool(false) => 1,
            HeaderValue::Byte(_) => 2,
            HeaderValue::Int16(_) => 3,
            HeaderValue::Int32(_) => 4,
            HeaderValue::Int64(_) => 5,
            HeaderValue::ByteArray(_) => 6,
            HeaderValue::String(_) => 7,
            HeaderValue::Timestamp(_) => 8,
            HeaderValue::Uuid(_) => 9,
        }
    }

    /// The text of a string header, `None` for other types.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderValue::Bool(v) => write!(f, "Bool({v})"),
            HeaderValue::Byte(v) => write!(f, "Byte({v})"),
            HeaderValue::Int16(v) => write!(f, "Int16({v})"),
            HeaderValue::Int32(v) => write!(f, "Int32({v})"),
            HeaderValue::Int64(v) => write!(f, "Int64({v})"),
            HeaderValue::ByteArray(v) => write!(f, "ByteArray({} bytes)", v.len()),
            HeaderValue::String(v) => write!(f, "String({v:?})"),
            HeaderValue::Timestamp(v) => write!(f, "Timestamp({v} ms)"),
            HeaderValue::Uuid(v) => write!(f, "Uuid({v:02x?})"),
        }
    }
}

/// One header: a name and a typed value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    /// The name (1–255 bytes of UTF-8).
    pub name: String,
    /// The value.
    pub value: HeaderValue,
}

impl Header {
    /// A header `name` of `value`.
    pub fn new(name: impl Into<String>, value: HeaderValue) -> Self {
        Header {
            name: name.into(),
            value,
        }
    }
}

/// One whole message: its headers in wire order and its payload.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// The headers, in the order they were sent.
    pub headers: Vec<Header>,
    /// The payload bytes (for Kinesis, a JSON object).
    pub payload: Vec<u8>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("headers", &self.headers)
            .field("payload", &format_args!("{} bytes", self.payload.len()))
            .finish()
    }
}

impl Message {
    /// The value of the first header called `name`.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| &h.value)
    }

    /// The message as bytes on the wire, CRCs included. Fails when a
    /// header name is empty or longer than 255 bytes, a byte array or
    /// string longer than 65,535 bytes, or the whole over `u32::MAX`.
    ///
    /// ```
    /// use kinesis_proto::eventstream::{Decoder, Header, HeaderValue, Message};
    /// let message = Message {
    ///     headers: vec![Header::new(":event-type", HeaderValue::String("x".into()))],
    ///     payload: b"{}".to_vec(),
    /// };
    /// let mut decoder = Decoder::new();
    /// decoder.feed(&message.encode().unwrap());
    /// assert_eq!(decoder.poll_message().unwrap(), Some(message));
    /// ```
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        let mut headers = Vec::new();
        for h in &self.headers {
            let name = h.name.as_bytes();
            let name_len =
                u8::try_from(name.len())
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(FrameError::Header {
                        offset: headers.len(),
                        problem: HeaderProblem::NameLength,
                    })?;
            headers.push(name_len);
            headers.extend_from_slice(name);
            headers.push(h.value.type_byte());
            match &h.value {
                HeaderValue::Bool(_) => {}
                HeaderValue::Byte(v) => headers.extend_from_slice(&v.to_be_bytes()),
                HeaderValue::Int16(v) => headers.extend_from_slice(&v.to_be_bytes()),
                HeaderValue::Int32(v) => headers.extend_from_slice(&v.to_be_bytes()),
                HeaderValue::Int64(v) | HeaderValue::Timestamp(v) => {
                    headers.extend_from_slice(&v.to_be_bytes())
                }
                HeaderValue::ByteArray(v) => put_short(&mut headers, v)?,
                HeaderValue::String(v) => put_short(&mut headers, v.as_bytes())?,
                HeaderValue::Uuid(v) => headers.extend_from_slice(v),
            }
        }
        let total = MIN_MESSAGE_LEN + headers.len() + self.payload.len();
        let total32 = u32::try_from(total).map_err(|_| FrameError::MessageTooLong {
            total_length: u32::MAX,
            max: u32::MAX,
        })?;
        let headers32 = u32::try_from(headers.len()).map_err(|_| FrameError::HeadersTooLong {
            headers_length: u32::MAX,
            max: u32::MAX,
        })?;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&total32.to_be_bytes());
        out.extend_from_slice(&headers32.to_be_bytes());
        let prelude_crc = crc32fast::hash(&out);
        out.extend_from_slice(&prelude_crc.to_be_bytes());
        out.extend_from_slice(&headers);
        out.extend_from_slice(&self.payload);
        let message_crc = crc32fast::hash(&out);
        out.extend_from_slice(&message_crc.to_be_bytes());
        Ok(out)
    }
}

fn put_short(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), FrameError> {
    let len = u16::try_from(bytes.len()).map_err(|_| FrameError::Header {
        offset: out.len(),
        problem: HeaderProblem::ValueLength,
    })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// A decoded message with the framing facts it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The message's total length on the wire.
    pub total_length: u32,
    /// The length of its headers section.
    pub headers_length: u32,
    /// The prelude CRC it carried (and matched).
    pub prelude_crc: u32,
    /// The message CRC it carried (and matched).
    pub message_crc: u32,
    /// The message.
    pub message: Message,
}

/// What is wrong with a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderProblem {
    /// The header runs past the end of the headers section.
    Truncated,
    /// A name of length 0 (or, when encoding, over 255 bytes).
    NameLength,
    /// The name is not UTF-8.
    NameNotUtf8,
    /// The type byte is not 0–9.
    UnknownType(u8),
    /// A string value is not UTF-8.
    StringNotUtf8,
    /// (Encoding only) a byte array or string over 65,535 bytes.
    ValueLength,
}

impl fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderProblem::Truncated => f.write_str("runs past the end of the headers"),
            HeaderProblem::NameLength => f.write_str("name length is not 1-255"),
            HeaderProblem::NameNotUtf8 => f.write_str("name is not UTF-8"),
            HeaderProblem::UnknownType(t) => write!(f, "unknown value type {t}"),
            HeaderProblem::StringNotUtf8 => f.write_str("string value is not UTF-8"),
            HeaderProblem::ValueLength => f.write_str("value longer than 65535 bytes"),
        }
    }
}

/// Why bytes are not a valid event stream. Once the decoder reports one,
/// it reports the same one from then on: the stream cannot be resynchronized.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The prelude's CRC does not match its first 8 bytes (a corrupt
    /// length: nothing after it can be trusted).
    PreludeCrc {
        /// The CRC the prelude carried.
        expected: u32,
        /// The CRC of its 8 bytes.
        computed: u32,
    },
    /// The message CRC does not match (headers or payload corrupted).
    MessageCrc {
        /// The CRC the message carried.
        expected: u32,
        /// The CRC of the bytes before it.
        computed: u32,
    },
    /// A total length under 16 bytes, or too short for its headers length.
    BadLengths {
        /// The total length.
        total_length: u32,
        /// The headers length.
        headers_length: u32,
    },
    /// A message longer than the decoder's limit.
    MessageTooLong {
        /// Its total length.
        total_length: u32,
        /// The limit.
        max: u32,
    },
    /// A headers section longer than the decoder's limit.
    HeadersTooLong {
        /// Its length.
        headers_length: u32,
        /// The limit.
        max: u32,
    },
    /// A header is malformed; `offset` counts from the start of the
    /// headers section.
    Header {
        /// Where the header starts.
        offset: usize,
        /// What is wrong.
        problem: HeaderProblem,
    },
    /// The stream ended inside a message.
    Truncated {
        /// Bytes of the unfinished message that had arrived.
        buffered: usize,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("event stream: ")?;
        match self {
            FrameError::PreludeCrc { expected, computed } => write!(
                f,
                "prelude CRC32 {computed:#010x} does not match {expected:#010x}"
            ),
            FrameError::MessageCrc { expected, computed } => write!(
                f,
                "message CRC32 {computed:#010x} does not match {expected:#010x}"
            ),
            FrameError::BadLengths {
                total_length,
                headers_length,
            } => write!(
                f,
                "total length {total_length} cannot hold a prelude, {headers_length} header bytes and a CRC"
            ),
            FrameError::MessageTooLong { total_length, max } => {
                write!(f, "message of {total_length} bytes is over the limit of {max}")
            }
            FrameError::HeadersTooLong {
                headers_length,
                max,
            } => write!(
                f,
                "headers of {headers_length} bytes are over the limit of {max}"
            ),
            FrameError::Header { offset, problem } => {
                write!(f, "header at byte {offset} of the headers: {problem}")
            }
            FrameError::Truncated { buffered } => {
                write!(f, "stream ended inside a message ({buffered} bytes of it arrived)")
            }
        }
    }
}

impl std::error::Error for FrameError {}

/// The sizes a [`Decoder`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FrameLimits {
    /// The longest message, prelude and CRC included. The default, 24 MiB,
    /// holds a 10 MiB record in base64 with room for its JSON.
    pub max_message_bytes: u32,
    /// The longest headers section. The default is 128 KiB (the AWS SDKs'
    /// limit).
    pub max_headers_bytes: u32,
}

impl Default for FrameLimits {
    fn default() -> Self {
        FrameLimits {
            max_message_bytes: 24 << 20,
            max_headers_bytes: 128 << 10,
        }
    }
}

impl FrameLimits {
    /// Messages up to `bytes` long.
    pub fn with_max_message_bytes(mut self, bytes: u32) -> Self {
        self.max_message_bytes = bytes;
        self
    }
    /// Headers sections up to `bytes` long.
    pub fn with_max_headers_bytes(mut self, bytes: u32) -> Self {
        self.max_headers_bytes = bytes;
        self
    }
}

/// A message still in the decoder's buffer: its headers decoded, its
/// payload borrowed.
#[derive(Debug)]
pub(crate) struct FrameRef<'a> {
    pub(crate) total_length: u32,
    pub(crate) headers_length: u32,
    pub(crate) prelude_crc: u32,
    pub(crate) message_crc: u32,
    pub(crate) headers: Vec<Header>,
    pub(crate) payload: &'a [u8],
}

/// An incremental event-stream decoder: [`feed`](Decoder::feed) it bytes in
/// chunks of any size, take whole messages out with
/// [`poll_message`](Decoder::poll_message) until it says `None`, and call
/// [`finish`](Decoder::finish) when the bytes end.
///
/// ```
/// use kinesis_proto::eventstream::{Decoder, FrameError, Message};
/// let bytes = Message { headers: vec![], payload: b"hi".to_vec() }.encode().unwrap();
/// let mut decoder = Decoder::new();
/// for chunk in bytes.chunks(5) {
///     decoder.feed(chunk);
/// }
/// let message = decoder.poll_message()?.expect("a whole message");
/// assert_eq!(message.payload, b"hi");
/// assert_eq!(decoder.poll_message()?, None);
/// decoder.finish()?;
///
/// // A stream cut mid-message is an error at its end, never a panic.
/// let mut cut = Decoder::new();
/// cut.feed(&bytes[..10]);
/// assert_eq!(cut.poll_message()?, None);
/// assert_eq!(cut.finish(), Err(FrameError::Truncated { buffered: 10 }));
/// # Ok::<(), FrameError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    limits: FrameLimits,
    buf: Vec<u8>,
    /// Where the next message starts in `buf`.
    start: usize,
    /// The first error met; every later poll reports it again.
    failed: Option<FrameError>,
}

impl Decoder {
    /// A decoder with the default [`FrameLimits`].
    pub fn new() -> Self {
        Decoder::default()
    }

    /// A decoder with `limits`.
    pub fn with_limits(limits: FrameLimits) -> Self {
        Decoder {
            limits,
            ..Decoder::default()
        }
    }

    /// Appends bytes that arrived.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes fed but not yet taken out as messages.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next whole message, `None` when more bytes are needed.
    #[must_use = "a message taken out is gone from the decoder"]
    pub fn poll_message(&mut self) -> Result<Option<Message>, FrameError> {
        Ok(self.poll_frame()?.map(|f| f.message))
    }

    /// The next whole message with its framing facts.
    #[must_use = "a message taken out is gone from the decoder"]
    pub fn poll_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        Ok(self.next_frame()?.map(|f| Frame {
            total_length: f.total_length,
            headers_length: f.headers_length,
            prelude_crc: f.prelude_crc,
            message_crc: f.message_crc,
            message: Message {
                headers: f.headers,
                payload: f.payload.to_vec(),
            },
        }))
    }

    /// Says whether the bytes ended cleanly, between messages.
    pub fn finish(&self) -> Result<(), FrameError> {
        match &self.failed {
            Some(e) => Err(e.clone()),
            None if self.buffered() > 0 => Err(FrameError::Truncated {
                buffered: self.buffered(),
            }),
            None => Ok(()),
        }
    }

    /// The next whole message, its payload still in the buffer.
    pub(crate) fn next_frame(&mut self) -> Result<Option<FrameRef<'_>>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match parse_frame(&self.buf[self.start..], &self.limits) {
            Ok(None) => {
                // A checked prelude says how long the message is: room for
                // all of it now, instead of regrowing the buffer chunk by
                // chunk (each regrowth copies what arrived so far).
                let pending = self.buf.len() - self.start;
                if pending >= PRELUDE_LEN {
                    let total = be32(&self.buf, self.start) as usize;
                    self.buf.reserve(total.saturating_sub(pending));
                }
                Ok(None)
            }
            Ok(Some((len, headers))) => {
                let at = self.start;
                self.start += len;
                Ok(Some(frame_ref(&self.buf[at..at + len], headers)))
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&b[at..at + 4]);
    u32::from_be_bytes(word)
}

/// The view of a checked message's bytes.
fn frame_ref(bytes: &[u8], headers: Vec<Header>) -> FrameRef<'_> {
    let headers_length = be32(bytes, 4);
    let payload_start = PRELUDE_LEN + headers_length as usize;
    FrameRef {
        total_length: be32(bytes, 0),
        headers_length,
        prelude_crc: be32(bytes, 8),
        message_crc: be32(bytes, bytes.len() - CRC_LEN),
        headers,
        payload: &bytes[payload_start..bytes.len() - CRC_LEN],
    }
}

/// Checks the message at the start of `buf`: `None` if it has not all
/// arrived, else its length and headers.
fn parse_frame(
    buf: &[u8],
    limits: &FrameLimits,
) -> Result<Option<(usize, Vec<Header>)>, FrameError> {
    if buf.len() < PRELUDE_LEN {
        return Ok(None);
    }
    let total_length = be32(buf, 0);
    let headers_length = be32(buf, 4);
    let expected = be32(buf, 8);
    let computed = crc32fast::hash(&buf[..8]);
    if computed != expected {
        return Err(FrameError::PreludeCrc { expected, computed });
    }
    if (total_length as usize) < MIN_MESSAGE_LEN
        || headers_length as u64 > total_length as u64 - MIN_MESSAGE_LEN as u64
    {
        return Err(FrameError::BadLengths {
            total_length,
            headers_length,
        });
    }
    if total_length > limits.max_message_bytes {
        return Err(FrameError::MessageTooLong {
            total_length,
            max: limits.max_message_bytes,
        });
    }
    if headers_length > limits.max_headers_bytes {
        return Err(FrameError::HeadersTooLong {
            headers_length,
            max: limits.max_headers_bytes,
        });
    }
    let total = total_length as usize;
    if buf.len() < total {
        return Ok(None);
    }
    let body = &buf[..total - CRC_LEN];
    let expected = be32(buf, total - CRC_LEN);
    let computed = crc32fast::hash(body);
    if computed != expected {
        return Err(FrameError::MessageCrc { expected, computed });
    }
    let headers = parse_headers(&body[PRELUDE_LEN..PRELUDE_LEN + headers_length as usize])?;
    Ok(Some((total, headers)))
}

/// Reads a headers section.
pub(crate) fn parse_headers(mut section: &[u8]) -> Result<Vec<Header>, FrameError> {
    let len = section.len();
    let mut headers = Vec::new();
    while !section.is_empty() {
        let offset = len - section.len();
        let fail = |problem| FrameError::Header { offset, problem };
        let mut take = |n: usize| -> Result<&[u8], FrameError> {
            let (head, rest) = section
                .split_at_checked(n)
                .ok_or(fail(HeaderProblem::Truncated))?;
            section = rest;
            Ok(head)
        };
        let name_len = take(1)?[0] as usize;
        if name_len == 0 {
            return Err(fail(HeaderProblem::NameLength));
        }
        let name = std::str::from_utf8(take(name_len)?)
            .map_err(|_| fail(HeaderProblem::NameNotUtf8))?
            .to_owned();
        let value = match take(1)?[0] {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(i8::from_be_bytes([take(1)?[0]])),
            3 => HeaderValue::Int16(i16::from_be_bytes(fixed(take(2)?))),
            4 => HeaderValue::Int32(i32::from_be_bytes(fixed(take(4)?))),
            5 => HeaderValue::Int64(i64::from_be_bytes(fixed(take(8)?))),
            6 => {
                let n = u16::from_be_bytes(fixed(take(2)?)) as usize;
                HeaderValue::ByteArray(take(n)?.to_vec())
            }
            7 => {
                let n = u16::from_be_bytes(fixed(take(2)?)) as usize;
                let text = std::str::from_utf8(take(n)?)
                    .map_err(|_| fail(HeaderProblem::StringNotUtf8))?;
                HeaderValue::String(text.to_owned())
            }
            8 => HeaderValue::Timestamp(i64::from_be_bytes(fixed(take(8)?))),
            9 => HeaderValue::Uuid(fixed(take(16)?)),
            other => return Err(fail(HeaderProblem::UnknownType(other))),
        };
        headers.push(Header { name, value });
    }
    Ok(headers)
}

/// A fixed-size array from a slice `take` already cut to size.
fn fixed<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    out
}
