//! What every operation is to the rest of the crate, and the typed token
//! that parses its answer.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{self, Error, ResponseError, UsageError};
use crate::limits::Limits;

/// Which family of endpoints an operation goes to when it names its
/// resource by ARN (`{account}.data-kinesis…` or `{account}.control-kinesis…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plane {
    /// Record reads and writes (PutRecord(s), GetRecords, GetShardIterator,
    /// SubscribeToShard).
    Data,
    /// Everything else.
    Control,
}

/// Which service's endpoints an operation goes to: the endpoint rules'
/// `ResourceType` (`kinesis…` hosts, or `kinesis-queues…` for queues).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Family {
    /// Streams, consumers, channels and account settings.
    #[default]
    Kinesis,
    /// Queues (CreateQueue, ReceiveQueueRecords…).
    Queues,
}

/// One Kinesis API operation: its input is the value, its output the
/// associated type.
///
/// Implemented by every input type in [`crate::ops`]; users do not implement
/// it. Inputs are `Clone` so that a driver can hand a
/// [`Call`](crate::call::Call) its own copy.
pub trait Operation: Serialize + Clone {
    /// The operation's name in `X-Amz-Target` (`PutRecord`).
    const NAME: &'static str;
    /// Which endpoint family serves it.
    const PLANE: Plane;
    /// Whose endpoints serve it (queue operations go to `kinesis-queues`).
    const FAMILY: Family = Family::Kinesis;
    /// What a successful answer parses into.
    type Output: DeserializeOwned;

    /// Checks the input against the service limits before anything is
    /// built. The error names the field at fault.
    fn validate(&self, limits: &Limits) -> Result<(), UsageError>;

    /// The ARN the input addresses its resource by (StreamARN, ConsumerARN,
    /// ResourceARN…), used to pick an account-scoped endpoint.
    fn resource_arn(&self) -> Option<&str> {
        None
    }

    /// Serializes the input as the JSON request body.
    fn to_body(&self) -> Result<Vec<u8>, UsageError> {
        serde_json::to_vec(self).map_err(|e| UsageError::new(Self::NAME, e.to_string()))
    }

    /// Parses the JSON object of a 2xx answer (serde_json, unless the
    /// operation has a faster way that gives the same result).
    fn parse_body(body: &[u8], _sent: &Sent) -> Result<Self::Output, String> {
        crate::wire::from_slice(body).map_err(|e| e.to_string())
    }

    /// Parses a 2xx answer whose body is not one JSON object
    /// (SubscribeToShard's event stream); `None`, the default, for the JSON
    /// operations.
    fn parse_answer<B: AsRef<[u8]>>(
        _response: &http::Response<B>,
    ) -> Option<Result<Self::Output, Error>> {
        None
    }

    /// What the answer's check needs to know about this request; the
    /// [`Expect`] token keeps it.
    fn sent(&self) -> Sent {
        Sent::default()
    }

    /// Checks a parsed answer against the request it answers (PutRecords:
    /// one result entry per record sent). The error says what is wrong.
    fn check_output(_output: &Self::Output, _sent: &Sent) -> Result<(), String> {
        Ok(())
    }
}

/// What an answer is checked against: the facts about its request that
/// [`Expect`] keeps (it stays `'static`, holding no part of the input).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sent {
    /// How many entries the request sent, for answers with one entry per
    /// entry sent (PutRecords); `None` when unknown or not such an answer.
    pub entries: Option<usize>,
}

impl Sent {
    /// A request of `entries` entries.
    pub fn entries(entries: usize) -> Self {
        Sent {
            entries: Some(entries),
        }
    }
}

/// An operation whose output says how to ask for the next page.
pub trait Paginated: Operation + Sized {
    /// The input that asks for the page after `output`, or `None` when
    /// `output` was the last page.
    fn next_page(&self, output: &Self::Output) -> Option<Self>;
}

/// An output with no fields: what operations that return nothing parse into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Empty {}

/// The typed token [`crate::Client::prepare`] hands back with a request: it
/// alone parses that request's answer.
///
/// ```
/// use kinesis_proto::{ops::DescribeStreamSummary, Client, Config, Credentials, ErrorCode, Error};
/// let client = Client::new(Config::new("us-east-1"));
/// let creds = Credentials::new("AKID", "SECRET", None);
/// let now = time::OffsetDateTime::UNIX_EPOCH;
/// let (_request, expect) = client.prepare(&DescribeStreamSummary::new("s"), &creds, now).unwrap();
/// let answer = http::Response::builder()
///     .status(400)
///     .body(r#"{"__type":"ResourceNotFoundException","message":"not found"}"#)
///     .unwrap();
/// match expect.parse(&answer) {
///     Err(Error::Service(e)) => assert_eq!(e.code, ErrorCode::ResourceNotFound),
///     other => panic!("{other:?}"),
/// }
/// ```
#[must_use = "an Expect is the only way to parse the answer"]
pub struct Expect<O> {
    sent: Sent,
    _op: PhantomData<fn() -> O>,
}

impl<O> std::fmt::Debug for Expect<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expect").finish()
    }
}

impl<O: Operation> Expect<O> {
    pub(crate) fn new(op: &O) -> Self {
        Expect {
            sent: op.sent(),
            _op: PhantomData,
        }
    }

    /// Parses the answer to the request this token came with: the
    /// operation's output on a 2xx status, else the service error. An
    /// output that does not fit the request (a PutRecords answer with more
    /// or fewer entries than records sent) is a `Response` error.
    pub fn parse<B: AsRef<[u8]>>(&self, response: &http::Response<B>) -> Result<O::Output, Error> {
        parse_with::<O, B>(response, &self.sent)
    }
}

/// Parses `response` as an answer to `O` without an [`Expect`] token, for
/// fuzz targets and tests that parse answers no request was prepared for:
/// every check but those against the request. Not part of the API: only
/// the `fuzzing` feature (and this crate's unit tests) have it.
#[cfg(any(test, feature = "fuzzing"))]
pub fn parse_response<O: Operation, B: AsRef<[u8]>>(
    response: &http::Response<B>,
) -> Result<O::Output, Error> {
    parse_with::<O, B>(response, &Sent::default())
}

/// What [`Expect::parse`] does: the output on a 2xx status, else the
/// service error; `sent` is what the request held.
fn parse_with<O: Operation, B: AsRef<[u8]>>(
    response: &http::Response<B>,
    sent: &Sent,
) -> Result<O::Output, Error> {
    let status = response.status();
    if !status.is_success() {
        return Err(Error::Service(error::parse_service_error(response)));
    }
    if let Some(result) = O::parse_answer(response) {
        return result;
    }
    let body = response.body().as_ref();
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let fail = |reason: String| {
        Error::Response(ResponseError {
            status,
            reason: format!("{} output: {reason}", O::NAME),
            request_id: error::request_id(response),
        })
    };
    // Every answer is a JSON object. (Without this, `[]` would read as a
    // structure of defaults: serde takes structures as arrays too.)
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(fail("not a JSON object".to_owned()));
    }
    let output = O::parse_body(body, sent).map_err(fail)?;
    O::check_output(&output, sent).map_err(fail)?;
    Ok(output)
}
