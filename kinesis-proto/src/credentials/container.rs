//! The container credentials endpoint (ECS task roles, EKS Pod Identity):
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (under `http://169.254.170.2`)
//! or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the authorization token
//! of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read at every refresh) or
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
//!
//! ```
//! use kinesis_proto::credentials::container;
//! let body = r#"{"AccessKeyId":"ASIA","SecretAccessKey":"S","Token":"T","Expiration":"2026-12-02T14:00:00Z"}"#;
//! let answer = http::Response::builder().status(200).body(body).unwrap();
//! assert_eq!(container::parse_response(&answer).unwrap().access_key_id(), "ASIA");
//! // A full URI over plain HTTP must name a loopback or the ECS/EKS host.
//! assert!(container::check_full_uri("http://127.0.0.1:8080/creds").is_ok());
//! assert!(container::check_full_uri("http://169.254.170.23/v1/credentials").is_ok());
//! assert!(container::check_full_uri("http://example.com/creds").is_err());
//! assert!(container::check_full_uri("https://example.com/creds").is_ok());
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::time::Duration;

use http::header::{HeaderValue, AUTHORIZATION};
use serde_json::{Map, Value};

use super::text::{bad_answer, json_object, parse_timestamp, string, usage, Secret};
use super::Credentials;
use crate::error::{Error, ErrorCode, ServiceError, UsageError};

/// Where a relative URI points.
pub const ECS_HOST: &str = "http://169.254.170.2";
/// How long one exchange may take (the SDKs use a few seconds).
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts on transport failures and 5xx answers.
pub const ATTEMPTS: u8 = 3;

/// A container endpoint and how to authorize at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// The full URL to GET.
    pub uri: String,
    /// The token to send as `Authorization`, if any.
    pub(crate) token: Option<Secret>,
    /// A file holding the token, read at every refresh; wins over `token`.
    pub token_file: Option<PathBuf>,
}

impl Container {
    /// An endpoint with no authorization token.
    pub fn new(uri: impl Into<String>) -> Container {
        Container {
            uri: uri.into(),
            token: None,
            token_file: None,
        }
    }
    /// Sends `token` as `Authorization`.
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>) -> Container {
        self.token = Some(Secret(token.into()));
        self
    }
    /// Reads the `Authorization` token from `path` at every refresh.
    #[must_use]
    pub fn with_token_file(mut self, path: impl Into<PathBuf>) -> Container {
        self.token_file = Some(path.into());
        self
    }
}

/// Whether `AWS_CONTAINER_CREDENTIALS_FULL_URI` may be used, as the SDKs
/// decide: any `https` URL; `http` only to a loopback address,
/// `localhost`, the ECS host `169.254.170.2` or the EKS Pod Identity hosts
/// `169.254.170.23` and `[fd00:ec2::23]`.
pub fn check_full_uri(uri: &str) -> Result<(), UsageError> {
    const VAR: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    let parsed: http::Uri = uri
        .parse()
        .map_err(|_| UsageError::new(VAR, "is not a URL"))?;
    match parsed.scheme_str() {
        Some("https") => return Ok(()),
        Some("http") => {}
        _ => return Err(UsageError::new(VAR, "is neither an http nor an https URL")),
    }
    let host = parsed
        .host()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
        .unwrap_or("");
    let allowed = match host.parse::<IpAddr>() {
        Ok(ip) => {
            ip.is_loopback()
                || ip == IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2))
                || ip == IpAddr::V4(Ipv4Addr::new(169, 254, 170, 23))
                || ip == IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23))
        }
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    };
    if allowed {
        Ok(())
    } else {
        Err(UsageError::new(
            VAR,
            format!("names host {host:?}: over plain http only loopback addresses and the ECS/EKS credential hosts are allowed"),
        ))
    }
}

/// The GET request for `container`, with `token` as `Authorization`.
pub fn request(uri: &str, token: Option<&str>) -> Result<http::Request<Vec<u8>>, Error> {
    let mut builder = http::Request::get(uri).header("accept", "application/json");
    if let Some(token) = token {
        let mut value = HeaderValue::from_str(token.trim())
            .map_err(|_| usage("the container authorization token is not a header value"))?;
        value.set_sensitive(true);
        builder = builder.header(AUTHORIZATION, value);
    }
    builder.body(Vec::new()).map_err(|_| {
        usage(format!(
            "the container credentials URL {uri:?} is not a valid request URI"
        ))
    })
}

/// Credentials from the JSON IMDS and container endpoints answer:
/// `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`.
pub(crate) fn from_json(
    map: &Map<String, Value>,
    status: http::StatusCode,
    source: &str,
) -> Result<Credentials, Error> {
    let get = |k: &str| {
        string(map, k).ok_or_else(|| bad_answer(status, source, format!("the answer has no {k}")))
    };
    let expiry = match string(map, "Expiration") {
        Some(e) => Some(
            parse_timestamp(e)
                .ok_or_else(|| bad_answer(status, source, "Expiration is not an RFC 3339 time"))?,
        ),
        None => None,
    };
    Ok(Credentials::new(
        get("AccessKeyId")?,
        get("SecretAccessKey")?,
        string(map, "Token").map(str::to_owned),
    )
    .with_expiry(expiry))
}

/// The credentials of a container endpoint's answer, or its error
/// (`{"code": …, "message": …}`) as [`Error::Service`].
pub fn parse_response<B: AsRef<[u8]>>(response: &http::Response<B>) -> Result<Credentials, Error> {
    const SOURCE: &str = "container credentials endpoint";
    let status = response.status();
    let parsed = json_object(response.body().as_ref());
    if !status.is_success() {
        let map = parsed.ok();
        let get = |k: &str, k2: &str| {
            map.as_ref()
                .and_then(|m| string(m, k).or_else(|| string(m, k2)))
                .map(str::to_owned)
        };
        return Err(Error::Service(ServiceError {
            code: ErrorCode::from_code(get("code", "Code").as_deref().unwrap_or("")),
            message: get("message", "Message"),
            status,
            request_id: None,
        }));
    }
    let map = parsed.map_err(|e| bad_answer(status, SOURCE, e))?;
    from_json(&map, status, SOURCE)
}
