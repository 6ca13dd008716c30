//! The client's configuration: region, endpoint settings, limits, retry
//! settings and time limits. A value, read by [`crate::endpoint`] to
//! resolve hosts and by [`crate::Client`] to build requests; it depends on
//! neither.

use std::time::Duration;

use crate::error::UsageError;
use crate::limits::Limits;
use crate::retry::RetryConfig;

/// Where requests go, what validation allows, and how a
/// [`Call`](crate::call::Call) retries and how long it may take.
///
/// ```
/// use std::time::Duration;
/// use kinesis_proto::Config;
/// let local = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4568").unwrap();
/// let fips = Config::new("us-gov-west-1").with_fips(true);
/// let patient = Config::new("eu-west-1")
///     .with_call_timeout(Some(Duration::from_secs(60)))
///     .with_attempt_timeout(Some(Duration::from_secs(5)));
/// assert_eq!(patient.call_timeout(), Some(Duration::from_secs(60)));
/// # let _ = (local, fips);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub(crate) region: String,
    pub(crate) endpoint: EndpointConfig,
    pub(crate) limits: Limits,
    pub(crate) retry: RetryConfig,
    call_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    /// Whether [`Config::with_retry`] chose `retry` (then it wins over
    /// retry settings from the environment, see [`crate::Settings`]).
    pub(crate) retry_set: bool,
}

impl Config {
    /// A configuration for `region` with AWS's own endpoints.
    pub fn new(region: impl Into<String>) -> Self {
        Config {
            region: region.into(),
            endpoint: EndpointConfig::default(),
            limits: Limits::default(),
            retry: RetryConfig::default(),
            call_timeout: None,
            attempt_timeout: None,
            retry_set: false,
        }
    }
    /// Sends every request to `url` (`http://` or `https://`, a port of 1-65535),
    /// whatever the region, FIPS or dual-stack settings say.
    pub fn with_endpoint_url(mut self, url: &str) -> Result<Self, UsageError> {
        self.endpoint.custom = Some(parse_endpoint_url(url)?);
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
        self.retry_set = true;
        self
    }
    /// The retry settings.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }
    /// Limits a whole [`Call`](crate::call::Call), retries and waits
    /// included, counted from its first poll (default: no limit). A call
    /// that runs out of it ends in a [`TransportErrorKind::Timeout`] error.
    ///
    /// [`TransportErrorKind::Timeout`]: crate::TransportErrorKind::Timeout
    pub fn with_call_timeout(mut self, limit: Option<Duration>) -> Self {
        self.call_timeout = limit;
        self
    }
    /// Limits each attempt of a [`Call`](crate::call::Call), sending and
    /// receiving included (default: no limit). The call hands the driver
    /// the shorter of this and what is left of the call limit with each
    /// request to send.
    pub fn with_attempt_timeout(mut self, limit: Option<Duration>) -> Self {
        self.attempt_timeout = limit;
        self
    }
    /// The whole-call time limit.
    pub fn call_timeout(&self) -> Option<Duration> {
        self.call_timeout
    }
    /// The per-attempt time limit.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
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

/// The endpoint settings of a [`Config`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct EndpointConfig {
    pub(crate) custom: Option<http::Uri>,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
}

/// Parses a custom endpoint URL: `http` or `https`, a host, a port of
/// 1-65535 if any, an optional base path; no user info, query or fragment.
pub(crate) fn parse_endpoint_url(url: &str) -> Result<http::Uri, UsageError> {
    let bad = |why: &str| UsageError::new("endpoint", format!("{url:?} {why}"));
    let trimmed = url.trim();
    if trimmed.contains('#') {
        return Err(bad("has a fragment; give scheme, host, port and path only"));
    }
    let uri: http::Uri = trimmed
        .parse()
        .map_err(|e| bad(&format!("is not a URL ({e})")))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        Some(other) => {
            return Err(bad(&format!(
                "has scheme {other:?}; use http:// or https://"
            )))
        }
        None => {
            return Err(bad(
                "has no scheme; write it as http://host:port or https://host",
            ))
        }
    }
    let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad(
            "has user info; credentials go in Credentials, not the URL",
        ));
    }
    if authority.host().is_empty() {
        return Err(bad("has no host"));
    }
    // `http::Uri` keeps a port it cannot read as a `u16` and then reports
    // none, so the request would go to the scheme's default port.
    let text = authority.as_str();
    let after_host = text.rfind(']').map_or(text, |end| &text[end + 1..]);
    if let Some((_, port)) = after_host.rsplit_once(':') {
        match port.parse::<u16>() {
            Ok(1..) => {}
            _ if port.is_empty() => {
                return Err(bad(
                    "has an empty port; write host:port with a port of 1-65535",
                ))
            }
            _ => return Err(bad(&format!("has port {port}, which is not 1-65535"))),
        }
    }
    if uri.query().is_some() {
        return Err(bad(
            "has a query string; give scheme, host, port and path only",
        ));
    }
    let path = uri.path().trim_end_matches('/');
    let scheme = uri.scheme_str().unwrap_or("https");
    format!("{scheme}://{}{path}/", authority.as_str())
        .parse()
        .map_err(|e| bad(&format!("is not a URL ({e})")))
}
