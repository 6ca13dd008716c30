//! The client: configuration in, signed requests out.

use std::marker::PhantomData;
use std::sync::Arc;

use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST};
use time::OffsetDateTime;

use crate::config::Config;
use crate::credentials::Credentials;
use crate::endpoint;
use crate::error::{Error, UsageError};
use crate::operation::{Expect, Family, Operation, Plane};
use crate::retry::SharedRetryState;
use crate::sigv4::{self, SigningKeyCache};

/// The `X-Amz-Target` prefix of every operation.
const TARGET_PREFIX: &str = "Kinesis_20131202.";
/// The content type of every request body.
const CONTENT_TYPE_JSON: &str = "application/x-amz-json-1.1";
/// The service name in the signing scope.
pub(crate) const SIGNING_SERVICE: &str = "kinesis";
/// The header naming the operation.
const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");

/// Longest `X-Amz-Target` value [`Target`] can build (the longest today,
/// `Kinesis_20131202.DeregisterStreamConsumer`, is 41 bytes).
const MAX_TARGET_LEN: usize = 96;

/// `Kinesis_20131202.{name}` in a fixed buffer, and its length; built at
/// compile time (a name that does not fit fails the build, not a call).
const fn target_bytes(name: &str) -> ([u8; MAX_TARGET_LEN], usize) {
    let prefix = TARGET_PREFIX.as_bytes();
    let name = name.as_bytes();
    assert!(
        prefix.len() + name.len() <= MAX_TARGET_LEN,
        "operation name too long for X-Amz-Target"
    );
    let mut out = [0u8; MAX_TARGET_LEN];
    let mut i = 0;
    while i < prefix.len() {
        out[i] = prefix[i];
        i += 1;
    }
    let mut j = 0;
    while j < name.len() {
        out[i + j] = name[j];
        j += 1;
    }
    (out, i + j)
}

/// The `X-Amz-Target` header value of operation `O`, a compile-time
/// constant: no formatting or allocation per call.
struct Target<O>(PhantomData<O>);

impl<O: Operation> Target<O> {
    const BYTES: &'static ([u8; MAX_TARGET_LEN], usize) = &target_bytes(O::NAME);
    const TEXT: &'static str = match std::str::from_utf8(Self::BYTES.0.split_at(Self::BYTES.1).0) {
        Ok(text) => text,
        Err(_) => panic!("operation names are ASCII"),
    };
    /// Checked when the constant is built: `from_static` refuses bytes a
    /// header value cannot hold at compile time.
    const VALUE: HeaderValue = HeaderValue::from_static(Self::TEXT);
}

/// Where a request goes, its `Host` header and signing region. The one
/// for requests without an ARN is resolved once in [`Client::new`] (the
/// config cannot change afterwards).
#[derive(Debug, Clone)]
struct ResolvedEndpoint {
    uri: http::Uri,
    host: HeaderValue,
    signing_region: String,
}

impl ResolvedEndpoint {
    fn resolve(config: &Config) -> Result<Self, UsageError> {
        // Without an ARN the plane does not change the endpoint.
        Self::from_endpoint(endpoint::resolve(config, Plane::Data, None)?)
    }

    /// The endpoint of a request naming `arn` or of another family,
    /// resolved per call.
    fn resolve_arn(
        config: &Config,
        family: Family,
        plane: Plane,
        arn: Option<&str>,
    ) -> Result<Self, UsageError> {
        Self::from_endpoint(endpoint::resolve_family(config, family, plane, arn)?)
    }

    fn from_endpoint(endpoint: endpoint::Endpoint) -> Result<Self, UsageError> {
        Ok(ResolvedEndpoint {
            host: endpoint.host_header()?,
            uri: endpoint.uri,
            signing_region: endpoint.signing_region,
        })
    }
}

/// Builds signed requests for every operation and hands back the token that
/// parses each answer. Pure: no I/O, no clock.
///
/// It also keeps what all calls through it share (see [`crate::retry`]):
/// the retry quota, the clock offset learnt from the service's `Date`
/// headers, and adaptive mode's rate limiter. Clones are cheap and share
/// all of it, so every [`Call`](crate::call::Call) holds one and can live
/// anywhere (another thread, another state machine).
///
/// ```
/// use kinesis_proto::{ops::PutRecord, Client, Config, Credentials};
/// let client = Client::new(Config::new("eu-west-1"));
/// let creds = Credentials::new("AKIDEXAMPLE", "SECRET", None);
/// let now = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
/// let put = PutRecord::new("my-stream", "user-42", b"hello".to_vec());
/// let (request, _expect) = client.prepare(&put, &creds, now).unwrap();
/// assert_eq!(request.uri(), "https://kinesis.eu-west-1.amazonaws.com/");
/// assert_eq!(request.headers()["x-amz-target"], "Kinesis_20131202.PutRecord");
/// assert!(request.headers().contains_key("authorization"));
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// What every clone of a [`Client`] shares.
#[derive(Debug)]
struct Inner {
    config: Config,
    /// The endpoint of requests that name no ARN, or why there is none.
    default_endpoint: Result<ResolvedEndpoint, UsageError>,
    keys: SigningKeyCache,
    /// Held here, changed only through its own methods (in `retry`).
    retry: SharedRetryState,
}

impl Client {
    /// A client for `config`.
    pub fn new(config: Config) -> Self {
        Client {
            inner: Arc::new(Inner {
                default_endpoint: ResolvedEndpoint::resolve(&config),
                config,
                keys: SigningKeyCache::default(),
                retry: SharedRetryState::default(),
            }),
        }
    }

    /// The configuration this client was made with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Tokens left in the retry quota shared by this client's calls.
    ///
    /// ```
    /// use kinesis_proto::{retry::INITIAL_RETRY_TOKENS, Client, Config};
    /// let client = Client::new(Config::new("us-east-1"));
    /// assert_eq!(client.retry_quota(), INITIAL_RETRY_TOKENS);
    /// ```
    pub fn retry_quota(&self) -> u32 {
        self.inner.retry.quota()
    }

    /// The service's clock minus the local one, as the last `Date` header
    /// showed it; [`crate::call::Call`] signs with `now` plus this.
    pub fn clock_offset(&self) -> time::Duration {
        self.inner.retry.clock_offset()
    }

    /// The retry state shared by this client's calls.
    pub(crate) fn retry_state(&self) -> &SharedRetryState {
        &self.inner.retry
    }

    /// Validates `op`, builds its request and signs it for `now`.
    ///
    /// Returns the request, ready to send as it is, and the token that
    /// parses its answer. A usage error means nothing should be sent.
    pub fn prepare<O: Operation>(
        &self,
        op: &O,
        credentials: &Credentials,
        now: OffsetDateTime,
    ) -> Result<(http::Request<Vec<u8>>, Expect<O>), Error> {
        let inner = &*self.inner;
        op.validate(&inner.config.limits)?;
        let body = op.to_body()?;
        // An ARN picks an account-scoped host, resolved per call; every
        // other request goes to the endpoint resolved in `new`.
        let per_call;
        let endpoint = match (op.resource_arn(), O::FAMILY) {
            (None, Family::Kinesis) => inner.default_endpoint.as_ref().map_err(Clone::clone)?,
            (arn, family) => {
                per_call = ResolvedEndpoint::resolve_arn(&inner.config, family, O::PLANE, arn)?;
                &per_call
            }
        };
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = endpoint.uri.clone();
        let headers = request.headers_mut();
        headers.insert(HOST, endpoint.host.clone());
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
        headers.insert(X_AMZ_TARGET, Target::<O>::VALUE);
        sigv4::sign_request(
            &mut request,
            credentials,
            &endpoint.signing_region,
            SIGNING_SERVICE,
            now,
            &inner.keys,
        )?;
        log::debug!(
            "prepared {} for {} ({} bytes)",
            O::NAME,
            request.uri(),
            request.body().len()
        );
        Ok((request, Expect::new(op)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compile-time `X-Amz-Target` of every operation is the prefix
    /// and its name, as a header value.
    #[test]
    fn target_constants_match_the_operation_names() {
        macro_rules! check {
            ($([$method:ident, $input:ident, $summary:literal, $example:literal]),* $(,)?) => {{
                let mut n = 0;
                $(
                    assert_eq!(
                        Target::<crate::ops::$input>::TEXT,
                        format!("{TARGET_PREFIX}{}", <crate::ops::$input as Operation>::NAME)
                    );
                    assert_eq!(
                        Target::<crate::ops::$input>::VALUE,
                        Target::<crate::ops::$input>::TEXT
                    );
                    n += 1;
                )*
                n
            }};
        }
        let checked = crate::for_each_operation!(check);
        assert!(checked >= 30, "{checked} operations");
    }

    /// Requests with and without an ARN go where `endpoint::resolve` says,
    /// and a config that resolves nowhere fails every prepare the same way.
    #[test]
    fn cached_endpoint_matches_per_call_resolution() {
        use crate::ops::PutRecord;
        let creds = Credentials::new("AKID", "SECRET", None);
        let now = OffsetDateTime::UNIX_EPOCH;
        let config = Config::new("eu-west-1").with_fips(true);
        let client = Client::new(config.clone());
        let (request, _) = client
            .prepare(&PutRecord::new("s", "k", b"x".to_vec()), &creds, now)
            .expect("valid");
        let expected = endpoint::resolve(&config, Plane::Data, None).expect("resolves");
        assert_eq!(request.uri(), &expected.uri);
        assert_eq!(
            request.headers()[HOST],
            expected.host_header().expect("host")
        );
        let arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/s";
        let put = PutRecord::new("s", "k", b"x".to_vec()).with_stream_arn(arn);
        let (request, _) = client.prepare(&put, &creds, now).expect("valid");
        assert_eq!(
            request.uri(),
            "https://123456789012.data-kinesis-fips.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            request.headers()[HOST],
            "123456789012.data-kinesis-fips.eu-west-1.amazonaws.com"
        );

        let bad = Client::new(Config::new("EU-WEST-1"));
        for _ in 0..2 {
            match bad.prepare(&PutRecord::new("s", "k", b"x".to_vec()), &creds, now) {
                Err(Error::Usage(e)) => assert_eq!(e.field, "region"),
                other => panic!("{other:?}"),
            }
        }
    }
}
