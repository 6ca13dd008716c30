//! The client: configuration in, signed requests out.

use std::sync::{Mutex, MutexGuard};

use http::header::{HeaderValue, CONTENT_TYPE, HOST};
use time::OffsetDateTime;

use crate::endpoint::{self, EndpointConfig};
use crate::error::{Error, UsageError};
use crate::operation::{Expect, Operation};
use crate::retry::{RetryConfig, RetryState};
use crate::sigv4::{self, SigningKeyCache};
use crate::{Credentials, Limits};

/// The `X-Amz-Target` prefix of every operation.
const TARGET_PREFIX: &str = "Kinesis_20131202.";
/// The content type of every request body.
const CONTENT_TYPE_JSON: &str = "application/x-amz-json-1.1";
/// The service name in the signing scope.
pub(crate) const SIGNING_SERVICE: &str = "kinesis";

/// Where requests go and what validation allows.
///
/// ```
/// use kinesis_proto::Config;
/// let local = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4568").unwrap();
/// let fips = Config::new("us-gov-west-1").with_fips(true);
/// # let _ = (local, fips);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub(crate) region: String,
    pub(crate) endpoint: EndpointConfig,
    pub(crate) limits: Limits,
    pub(crate) retry: RetryConfig,
}

impl Config {
    /// A configuration for `region` with AWS's own endpoints.
    pub fn new(region: impl Into<String>) -> Self {
        Config {
            region: region.into(),
            endpoint: EndpointConfig::default(),
            limits: Limits::default(),
            retry: RetryConfig::default(),
        }
    }
    /// Sends every request to `url` (`http://` or `https://`, any port),
    /// whatever the region, FIPS or dual-stack settings say.
    pub fn with_endpoint_url(mut self, url: &str) -> Result<Self, UsageError> {
        self.endpoint.custom = Some(endpoint::parse_endpoint_url(url)?);
        Ok(self)
    }
    /// Uses FIPS endpoints.
    pub fn with_fips(mut self, on: bool) -> Self {
        self.endpoint.use_fips = on;
        self
    }
    /// Uses dual-stack (IPv4 and IPv6) endpoints.
    pub fn with_dual_stack(mut self, on: bool) -> Self {
        self.endpoint.use_dual_stack = on;
        self
    }
    /// Replaces the limits validation checks against.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Replaces the retry settings [`crate::call::Call`] follows.
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }
    /// The retry settings.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }
    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }
    /// The limits validation checks against.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
    /// The custom endpoint, if one is set.
    pub fn endpoint_url(&self) -> Option<&http::Uri> {
        self.endpoint.custom.as_ref()
    }
}

/// Builds signed requests for every operation and hands back the token that
/// parses each answer. Pure: no I/O, no clock; share it between threads.
///
/// It also keeps what all calls through it share (see [`crate::retry`]):
/// the retry quota, the clock offset learnt from the service's `Date`
/// headers, and adaptive mode's rate limiter.
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
#[derive(Debug)]
pub struct Client {
    config: Config,
    keys: SigningKeyCache,
    retry: Mutex<RetryState>,
}

impl Client {
    /// A client for `config`.
    pub fn new(config: Config) -> Self {
        Client {
            config,
            keys: SigningKeyCache::default(),
            retry: Mutex::new(RetryState::default()),
        }
    }

    /// The configuration this client was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Tokens left in the retry quota shared by this client's calls.
    ///
    /// ```
    /// use kinesis_proto::{retry::INITIAL_RETRY_TOKENS, Client, Config};
    /// let client = Client::new(Config::new("us-east-1"));
    /// assert_eq!(client.retry_quota(), INITIAL_RETRY_TOKENS);
    /// ```
    pub fn retry_quota(&self) -> u32 {
        self.retry_state().quota
    }

    /// The service's clock minus the local one, as the last `Date` header
    /// showed it; [`crate::call::Call`] signs with `now` plus this.
    pub fn clock_offset(&self) -> time::Duration {
        self.retry_state().clock_offset
    }

    /// The shared retry state. A panic elsewhere while it was held cannot
    /// leave it inconsistent (it is plain numbers), so poisoning is ignored.
    pub(crate) fn retry_state(&self) -> MutexGuard<'_, RetryState> {
        self.retry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
        op.validate(&self.config.limits)?;
        let body = op.to_body()?;
        let endpoint = endpoint::resolve(&self.config, O::PLANE, op.resource_arn())?;
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        let host = endpoint.host_header()?;
        *request.uri_mut() = endpoint.uri;
        let headers = request.headers_mut();
        headers.insert(HOST, host);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
        headers.insert(
            "x-amz-target",
            HeaderValue::from_str(&format!("{TARGET_PREFIX}{}", O::NAME))
                .map_err(|_| UsageError::new("operation", "name is not a header value"))?,
        );
        sigv4::sign_request(
            &mut request,
            credentials,
            &endpoint.signing_region,
            SIGNING_SERVICE,
            now,
            &self.keys,
        )?;
        log::debug!(
            "prepared {} for {} ({} bytes)",
            O::NAME,
            request.uri(),
            request.body().len()
        );
        Ok((request, Expect::new()))
    }
}
