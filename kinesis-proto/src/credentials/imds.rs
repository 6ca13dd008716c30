//! The EC2 instance metadata service: IMDSv2 (a session token from a
//! `PUT /latest/api/token` with its TTL header, then the role name, then
//! the role's credentials), falling back to IMDSv1 (no token) only where
//! the SDKs allow it.
//!
//! ```
//! use kinesis_proto::credentials::imds;
//! let put = imds::token_request("http://169.254.169.254").unwrap();
//! assert_eq!(put.method(), "PUT");
//! assert_eq!(put.headers()["x-aws-ec2-metadata-token-ttl-seconds"], "21600");
//! let role = http::Response::builder().status(200).body("my-role\n").unwrap();
//! assert_eq!(imds::parse_role(&role).unwrap(), "my-role");
//! ```

use std::time::Duration;

use http::header::HeaderValue;
use http::Method;

use super::container::from_json;
use super::text::{bad_answer, json_object, string, usage};
use super::Credentials;
use crate::error::{Error, ErrorCode, ServiceError};

/// The IPv4 endpoint.
pub const ENDPOINT_IPV4: &str = "http://169.254.169.254";
/// The IPv6 endpoint.
pub const ENDPOINT_IPV6: &str = "http://[fd00:ec2::254]";
/// The session token's lifetime asked for, in seconds (6 hours).
pub const TOKEN_TTL_SECONDS: u32 = 21_600;
/// How long one exchange may take (the SDKs use 1 s).
pub const TIMEOUT: Duration = Duration::from_secs(1);
/// Attempts per request on transport failures and 5xx answers.
pub const ATTEMPTS: u8 = 3;

const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// Where the service is and whether IMDSv1 may be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imds {
    /// `http://169.254.169.254` unless configured otherwise, no trailing `/`.
    pub endpoint: String,
    /// `AWS_EC2_METADATA_V1_DISABLED` / `ec2_metadata_v1_disabled`: never
    /// fall back to IMDSv1.
    pub v1_disabled: bool,
}

impl Imds {
    /// The service at `endpoint`, IMDSv1 fallback allowed.
    pub fn new(endpoint: impl Into<String>) -> Imds {
        Imds {
            endpoint: endpoint.into().trim_end_matches('/').to_owned(),
            v1_disabled: false,
        }
    }
}

fn request(
    method: Method,
    uri: String,
    token: Option<&str>,
) -> Result<http::Request<Vec<u8>>, Error> {
    let mut builder = http::Request::builder().method(method).uri(&uri);
    if let Some(token) = token {
        let mut value = HeaderValue::from_str(token)
            .map_err(|_| usage("the IMDS session token is not a header value"))?;
        value.set_sensitive(true);
        builder = builder.header(TOKEN_HEADER, value);
    }
    builder
        .body(Vec::new())
        .map_err(|_| usage(format!("the IMDS endpoint {uri:?} is not a valid URL")))
}

/// `PUT /latest/api/token` asking for a token of [`TOKEN_TTL_SECONDS`].
pub fn token_request(endpoint: &str) -> Result<http::Request<Vec<u8>>, Error> {
    let mut r = request(Method::PUT, format!("{endpoint}/latest/api/token"), None)?;
    r.headers_mut().insert(
        "x-aws-ec2-metadata-token-ttl-seconds",
        HeaderValue::from(TOKEN_TTL_SECONDS),
    );
    Ok(r)
}

/// `GET …/iam/security-credentials/`: the instance profile's role name.
pub fn role_request(endpoint: &str, token: Option<&str>) -> Result<http::Request<Vec<u8>>, Error> {
    request(Method::GET, format!("{endpoint}{ROLE_PATH}"), token)
}

/// `GET …/iam/security-credentials/<role>`.
pub fn credentials_request(
    endpoint: &str,
    role: &str,
    token: Option<&str>,
) -> Result<http::Request<Vec<u8>>, Error> {
    let mut path = String::new();
    super::text::percent_encode(&mut path, role);
    request(Method::GET, format!("{endpoint}{ROLE_PATH}{path}"), token)
}

/// What a token answer means.
#[derive(Debug)]
pub enum TokenAnswer {
    /// The session token.
    Token(String),
    /// No IMDSv2 here (403, 404 or 405): IMDSv1 may be tried where allowed.
    Unsupported,
    /// A failure that ends the fetch.
    Failed(Error),
}

/// Reads a token answer: 200 is the token; 403/404/405 say IMDSv2 is not
/// available (botocore falls back to IMDSv1 then); anything else fails.
pub fn parse_token<B: AsRef<[u8]>>(response: &http::Response<B>) -> TokenAnswer {
    let status = response.status();
    match status.as_u16() {
        200 => match std::str::from_utf8(response.body().as_ref()).map(str::trim) {
            Ok(t) if !t.is_empty() => TokenAnswer::Token(t.to_owned()),
            _ => TokenAnswer::Failed(bad_answer(
                status,
                "IMDS",
                "the session token answer is empty or not text",
            )),
        },
        403..=405 => TokenAnswer::Unsupported,
        _ => TokenAnswer::Failed(status_error(status)),
    }
}

fn status_error(status: http::StatusCode) -> Error {
    Error::Service(ServiceError {
        code: ErrorCode::Unspecified,
        message: Some(format!(
            "the instance metadata service answered HTTP {}",
            status.as_u16()
        )),
        status,
        request_id: None,
    })
}

/// The role name of a role answer (its first line).
pub fn parse_role<B: AsRef<[u8]>>(response: &http::Response<B>) -> Result<String, Error> {
    let status = response.status();
    if status.as_u16() == 404 {
        return Err(usage(
            "the instance has no IAM role (IMDS lists none under iam/security-credentials/)",
        ));
    }
    if !status.is_success() {
        return Err(status_error(status));
    }
    std::str::from_utf8(response.body().as_ref())
        .ok()
        .and_then(|b| b.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(str::to_owned)
        .ok_or_else(|| bad_answer(status, "IMDS", "the role list is empty or not text"))
}

/// The credentials of a credentials answer (`"Code": "Success"`).
pub fn parse_credentials<B: AsRef<[u8]>>(
    response: &http::Response<B>,
) -> Result<Credentials, Error> {
    let status = response.status();
    if !status.is_success() {
        return Err(status_error(status));
    }
    let map = json_object(response.body().as_ref()).map_err(|e| bad_answer(status, "IMDS", e))?;
    match string(&map, "Code") {
        Some("Success") | None => {}
        Some(code) => {
            return Err(Error::Service(ServiceError {
                code: ErrorCode::from_code(code),
                message: string(&map, "Message").map(str::to_owned),
                status,
                request_id: None,
            }))
        }
    }
    from_json(&map, status, "IMDS")
}
