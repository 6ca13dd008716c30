//! The one error type of kinesis-proto and of both transports, answering
//! four questions: did the caller call it wrong ([`Error::Usage`]), did the
//! service say no ([`Error::Service`]), did the service answer something
//! this crate cannot read ([`Error::Response`]), or could the request not
//! be sent or its answer not received ([`Error::Transport`])?
//!
//! kinesis-proto itself builds the first three; the fourth comes from the
//! transport that drives a [`crate::call::Call`] (or from the call's own
//! time limit).

use std::borrow::Cow;
use std::fmt;

use http::StatusCode;

/// Every failure a call can end in.
///
/// ```
/// use kinesis_proto::{Error, ErrorCode, TransportErrorKind};
/// fn describe(e: &Error) -> &'static str {
///     match e {
///         Error::Usage(_) => "fix the call",
///         Error::Service(s) if s.code == ErrorCode::ResourceNotFound => "no such stream",
///         Error::Service(s) if s.is_retryable() => "try again later",
///         Error::Service(_) => "the service refused",
///         Error::Response(_) => "unexpected answer",
///         Error::Transport(t) if t.kind == TransportErrorKind::Timeout => "too slow",
///         Error::Transport(_) => "the network failed",
///         _ => "other",
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The call was made wrong: bad input, caught before any request was built.
    Usage(UsageError),
    /// The service answered with an error (after any retries).
    Service(ServiceError),
    /// The service answered something that does not parse as what the
    /// operation returns.
    Response(ResponseError),
    /// The request could not be sent or its answer not received, or the
    /// call ran out of time.
    Transport(TransportError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(e) => e.fmt(f),
            Error::Service(e) => e.fmt(f),
            Error::Response(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
        }
    }
}

/// `Display` already shows the inner error, so `source` is left empty (an
/// error report would otherwise print it twice).
impl std::error::Error for Error {}

impl From<UsageError> for Error {
    fn from(e: UsageError) -> Self {
        Error::Usage(e)
    }
}
impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Error::Service(e)
    }
}
impl From<ResponseError> for Error {
    fn from(e: ResponseError) -> Self {
        Error::Response(e)
    }
}
impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::Transport(e)
    }
}

impl Error {
    /// The service error, if this is one.
    pub fn as_service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }
    /// The error code, if the service sent one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.as_service().map(|e| &e.code)
    }
}

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
///
/// ```
/// use kinesis_proto::{Error, TransportError, TransportErrorKind};
/// let e = Error::from(TransportError::new(TransportErrorKind::Io, "connection reset"));
/// assert_eq!(e.to_string(), "transport error (Io): connection reset");
/// ```
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
        TransportError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "transport error ({:?}): {}", self.kind, self.message)
    }
}

impl std::error::Error for TransportError {}

/// The caller asked for something the service would refuse, or that cannot
/// be expressed: no request was built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// The input field at fault, as the API names it (`PartitionKey`,
    /// `Records[3].Data`, `endpoint`…).
    pub field: Cow<'static, str>,
    /// What is wrong with it.
    pub problem: String,
}

impl UsageError {
    /// A usage error about `field`.
    pub fn new(field: impl Into<Cow<'static, str>>, problem: impl Into<String>) -> Self {
        UsageError {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.problem)
    }
}

impl std::error::Error for UsageError {}

/// The service answered with an error status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// The error code, `ErrorCode::Unspecified` when the answer carried none
    /// (an empty body from a proxy, an HTML 502 page…).
    pub code: ErrorCode,
    /// The service's message, or for a body without one, the start of the
    /// body text.
    pub message: Option<String>,
    /// The HTTP status.
    pub status: StatusCode,
    /// The `x-amzn-RequestId` of the answer, for AWS support.
    pub request_id: Option<String>,
}

impl ServiceError {
    /// Whether the same request may succeed if sent again (throttling,
    /// transient service faults, 5xx and 429 statuses).
    pub fn is_retryable(&self) -> bool {
        self.code.is_throttling()
            || self.code.is_transient()
            || matches!(self.status.as_u16(), 429 | 500 | 502 | 503 | 504)
    }
    /// Whether the service asked the caller to slow down.
    pub fn is_throttling(&self) -> bool {
        self.code.is_throttling() || self.status.as_u16() == 429
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "service error {} (HTTP {})",
            self.code,
            self.status.as_u16()
        )?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// A successful status whose body is not what the operation returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseError {
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// What did not parse, and where.
    pub reason: String,
    /// The `x-amzn-RequestId` of the answer.
    pub request_id: Option<String>,
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unexpected response (HTTP {}): {}",
            self.status.as_u16(),
            self.reason
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ResponseError {}

/// How the retry logic treats a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Throttling,
    Transient,
    ClockSkew,
    Final,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal $(| $alias:literal)* => $class:ident, )*) => {
        /// An error code the service sent, with a fallback for codes this
        /// crate does not know.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// The answer carried no error code at all.
            Unspecified,
            /// A code this crate does not model, as sent.
            Other(String),
        }

        impl ErrorCode {
            /// The code from its wire name (already stripped of any
            /// `namespace#` prefix and `:suffix`).
            pub fn from_code(code: &str) -> ErrorCode {
                match code {
                    $( $wire $(| $alias)* => ErrorCode::$variant, )*
                    "" => ErrorCode::Unspecified,
                    other => ErrorCode::Other(other.to_owned()),
                }
            }
            /// The wire name of the code.
            pub fn as_str(&self) -> &str {
                match self {
                    $( ErrorCode::$variant => $wire, )*
                    ErrorCode::Unspecified => "",
                    ErrorCode::Other(s) => s,
                }
            }
            fn class(&self) -> Class {
                match self {
                    $( ErrorCode::$variant => Class::$class, )*
                    ErrorCode::Unspecified | ErrorCode::Other(_) => Class::Final,
                }
            }
        }
    };
}

error_codes! {
    /// The caller lacks permission.
    AccessDenied = "AccessDeniedException" | "AccessDenied" => Final,
    /// The shard iterator is older than five minutes.
    ExpiredIterator = "ExpiredIteratorException" => Final,
    /// The pagination token expired.
    ExpiredNextToken = "ExpiredNextTokenException" => Final,
    /// The service failed internally.
    InternalFailure = "InternalFailureException" | "InternalFailure" | "InternalError" | "InternalServerError" => Transient,
    /// A parameter is invalid.
    InvalidArgument = "InvalidArgumentException" => Final,
    /// KMS denied access to the key.
    KmsAccessDenied = "KMSAccessDeniedException" => Final,
    /// The KMS key is disabled.
    KmsDisabled = "KMSDisabledException" => Final,
    /// The KMS key is not in a usable state.
    KmsInvalidState = "KMSInvalidStateException" => Final,
    /// The KMS key was not found.
    KmsNotFound = "KMSNotFoundException" => Final,
    /// The account is not subscribed to KMS.
    KmsOptInRequired = "KMSOptInRequired" => Final,
    /// KMS throttled the request.
    KmsThrottling = "KMSThrottlingException" => Throttling,
    /// A limit was exceeded (too many requests of this kind, or a quota).
    LimitExceeded = "LimitExceededException" => Throttling,
    /// The shard's read or write throughput was exceeded.
    ProvisionedThroughputExceeded = "ProvisionedThroughputExceededException" => Throttling,
    /// The resource is not in a state that allows the operation.
    ResourceInUse = "ResourceInUseException" => Final,
    /// The stream, consumer or other resource does not exist.
    ResourceNotFound = "ResourceNotFoundException" => Final,
    /// The request failed validation on the service side.
    Validation = "ValidationException" => Final,
    /// The request conflicts with the resource's current state.
    Conflict = "ConflictException" => Final,
    /// A service quota was exceeded.
    ServiceQuotaExceeded = "ServiceQuotaExceededException" => Final,
    /// The request was throttled.
    Throttling = "ThrottlingException" | "Throttling" | "ThrottledException" | "RequestThrottledException"
        | "TooManyRequestsException" | "RequestLimitExceeded" | "BandwidthLimitExceeded"
        | "RequestThrottled" | "SlowDown" | "EC2ThrottledException" | "PriorRequestNotComplete"
        | "TransactionInProgressException" => Throttling,
    /// The service is unavailable for now.
    ServiceUnavailable = "ServiceUnavailable" | "ServiceUnavailableException" => Transient,
    /// The service timed out reading the request.
    RequestTimeout = "RequestTimeout" | "RequestTimeoutException" => Transient,
    /// The request's signing time is too far from the service's clock.
    RequestExpired = "RequestExpired" | "RequestTimeTooSkewed" | "RequestInTheFuture" => ClockSkew,
    /// The signature does not match.
    InvalidSignature = "InvalidSignatureException" | "SignatureDoesNotMatch" | "AuthFailure" => ClockSkew,
    /// The Authorization header is incomplete.
    IncompleteSignature = "IncompleteSignature" | "IncompleteSignatureException" => Final,
    /// No credentials were sent.
    MissingAuthenticationToken = "MissingAuthenticationToken" | "MissingAuthenticationTokenException" => Final,
    /// The access key id is not known.
    UnrecognizedClient = "UnrecognizedClientException" | "InvalidClientTokenId" => Final,
    /// The session token expired.
    ExpiredToken = "ExpiredTokenException" | "ExpiredToken" | "TokenRefreshRequired" => Final,
    /// The request body did not deserialize on the service side.
    Serialization = "SerializationException" => Final,
    /// The operation is not known to the service.
    UnknownOperation = "UnknownOperationException" => Final,
}

impl ErrorCode {
    /// Codes by which the service asks the caller to slow down.
    pub fn is_throttling(&self) -> bool {
        self.class() == Class::Throttling
    }
    /// Codes for faults that pass by themselves.
    pub fn is_transient(&self) -> bool {
        self.class() == Class::Transient
    }
    /// Codes that may come from a wrong local clock; sending again with a
    /// corrected signing time may succeed.
    pub fn is_clock_skew(&self) -> bool {
        self.class() == Class::ClockSkew
    }
    /// Whether a request refused with this code may succeed if sent again.
    pub fn is_retryable(&self) -> bool {
        matches!(self.class(), Class::Throttling | Class::Transient)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Unspecified => f.write_str("(no error code)"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// The request id header of an answer.
pub(crate) fn request_id<B>(response: &http::Response<B>) -> Option<String> {
    ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .find_map(|h| response.headers().get(*h))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Strips a `namespace#` prefix and a `:suffix` from an error code.
fn sanitize_code(raw: &str) -> &str {
    let raw = raw.trim();
    let raw = raw.split(':').next().unwrap_or(raw);
    match raw.rfind('#') {
        Some(i) => &raw[i + 1..],
        None => raw,
    }
}

#[derive(serde::Deserialize, Default)]
struct ErrorBody<'a> {
    #[serde(rename = "__type", default, borrow)]
    type_: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    code: Option<Cow<'a, str>>,
    #[serde(rename = "Code", default, borrow)]
    code_upper: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    message: Option<Cow<'a, str>>,
    #[serde(rename = "Message", default, borrow)]
    message_upper: Option<Cow<'a, str>>,
    /// The key some services use (smithy-rs reads it too).
    #[serde(rename = "errorMessage", default, borrow)]
    message_camel: Option<Cow<'a, str>>,
}

/// Longest body snippet quoted in an error about a body that is not JSON.
const SNIPPET: usize = 200;

/// Reads the service error of a non-success answer. Never fails: whatever
/// the body holds, the result says what is known.
///
/// ```
/// use kinesis_proto::{error::parse_service_error, ErrorCode};
/// let response = http::Response::builder()
///     .status(400)
///     .header("x-amzn-RequestId", "abc")
///     .body(br#"{"__type":"ResourceNotFoundException","message":"Stream s not found"}"#.to_vec())
///     .unwrap();
/// let e = parse_service_error(&response);
/// assert_eq!(e.code, ErrorCode::ResourceNotFound);
/// assert_eq!(e.message.as_deref(), Some("Stream s not found"));
/// assert_eq!(e.request_id.as_deref(), Some("abc"));
/// ```
pub fn parse_service_error<B: AsRef<[u8]>>(response: &http::Response<B>) -> ServiceError {
    let body = response.body().as_ref();
    let parsed: Option<ErrorBody<'_>> = serde_json::from_slice(body).ok();
    let header_code = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(sanitize_code)
        .filter(|c| !c.is_empty());
    let (body_code, message) = match &parsed {
        Some(b) => (
            b.type_
                .as_deref()
                .or(b.code.as_deref())
                .or(b.code_upper.as_deref())
                .map(sanitize_code)
                .filter(|c| !c.is_empty()),
            b.message
                .as_deref()
                .or(b.message_upper.as_deref())
                .or(b.message_camel.as_deref())
                .map(str::to_owned),
        ),
        None => (None, None),
    };
    let message = message.or_else(|| {
        if parsed.is_some() || body.is_empty() {
            return None;
        }
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let mut snippet: String = text.chars().take(SNIPPET).collect();
        if snippet.len() < text.len() {
            snippet.push('…');
        }
        Some(snippet)
    });
    ServiceError {
        code: ErrorCode::from_code(header_code.or(body_code).unwrap_or("")),
        message,
        status: response.status(),
        request_id: request_id(response),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
        let mut b = http::Response::builder().status(status);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(body.as_bytes().to_vec())
            .expect("valid test response")
    }

    #[test]
    fn header_code_wins_and_is_sanitized() {
        let r = resp(
            400,
            &[(
                "X-Amzn-ErrorType",
                "LimitExceededException:http://internal.amazon.com/",
            )],
            r#"{"__type":"com.amazon#InvalidArgumentException"}"#,
        );
        let e = parse_service_error(&r);
        assert_eq!(e.code, ErrorCode::LimitExceeded);
        assert!(e.is_throttling());
        assert!(e.is_retryable());
    }

    #[test]
    fn namespaced_body_type() {
        let r = resp(
            400,
            &[],
            r#"{"__type":"com.amazonaws.kinesis.v20131202#ExpiredIteratorException","Message":"Iterator expired"}"#,
        );
        let e = parse_service_error(&r);
        assert_eq!(e.code, ErrorCode::ExpiredIterator);
        assert_eq!(e.message.as_deref(), Some("Iterator expired"));
        assert!(!e.is_retryable());
    }

    /// smithy-rs reads the message under `message`, `Message` and
    /// `errorMessage`, in that order.
    #[test]
    fn message_keys() {
        for (body, want) in [
            (r#"{"__type":"X","message":"lower"}"#, Some("lower")),
            (r#"{"__type":"X","Message":"upper"}"#, Some("upper")),
            (r#"{"__type":"X","errorMessage":"camel"}"#, Some("camel")),
            (
                r#"{"__type":"X","errorMessage":"camel","Message":"upper"}"#,
                Some("upper"),
            ),
            (
                r#"{"__type":"X","errorMessage":"camel","message":"lower"}"#,
                Some("lower"),
            ),
            (r#"{"__type":"X"}"#, None),
        ] {
            let e = parse_service_error(&resp(400, &[], body));
            assert_eq!(e.message.as_deref(), want, "{body}");
            assert_eq!(e.code, ErrorCode::Other("X".into()), "{body}");
        }
    }

    #[test]
    fn code_key_and_unknown_code() {
        let e = parse_service_error(&resp(400, &[], r#"{"code":"BrandNewException"}"#));
        assert_eq!(e.code, ErrorCode::Other("BrandNewException".into()));
        assert_eq!(e.message, None);
    }

    #[test]
    fn empty_and_html_bodies() {
        let e = parse_service_error(&resp(503, &[], ""));
        assert_eq!(e.code, ErrorCode::Unspecified);
        assert!(e.is_retryable());
        assert_eq!(e.message, None);
        let e = parse_service_error(&resp(502, &[], "<html>Bad Gateway</html>"));
        assert_eq!(e.message.as_deref(), Some("<html>Bad Gateway</html>"));
        assert!(e.is_retryable());
        let e = parse_service_error(&resp(403, &[], "not json"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn classes() {
        assert!(ErrorCode::from_code("ProvisionedThroughputExceededException").is_throttling());
        assert!(ErrorCode::from_code("InternalFailure").is_transient());
        assert!(ErrorCode::from_code("RequestTimeTooSkewed").is_clock_skew());
        assert!(!ErrorCode::ResourceNotFound.is_retryable());
        assert_eq!(
            ErrorCode::ResourceNotFound.as_str(),
            "ResourceNotFoundException"
        );
        assert_eq!(
            ErrorCode::from_code("ResourceNotFoundException"),
            ErrorCode::ResourceNotFound
        );
    }
}
