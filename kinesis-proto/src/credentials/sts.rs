//! AWS STS over its query protocol: `AssumeRole` (signed with the
//! credentials of the step before) and `AssumeRoleWithWebIdentity`
//! (unsigned; the web identity token is the proof). Answers are XML.
//!
//! ```
//! use kinesis_proto::credentials::sts;
//! let xml = "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
//!   <AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>S</SecretAccessKey>\
//!   <SessionToken>T</SessionToken><Expiration>2026-12-02T14:00:00Z</Expiration>\
//!   </Credentials></AssumeRoleResult></AssumeRoleResponse>";
//! let answer = http::Response::builder().status(200).body(xml).unwrap();
//! let credentials = sts::parse_response(&answer).unwrap();
//! assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
//! assert!(credentials.expiry().is_some());
//! ```

use std::time::Duration;

use http::header::{CONTENT_TYPE, HOST};
use http::Method;
use quick_xml::events::Event;
use quick_xml::Reader;
use time::OffsetDateTime;

use super::text::{bad_answer, form_encode, parse_timestamp, usage};
use super::{AssumeRole, Credentials};
use crate::error::{Error, ErrorCode, ServiceError};
use crate::sigv4::{self, SigningParams};

/// How long one STS exchange may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The STS endpoint of `region` (`https://sts.us-east-1.amazonaws.com/`;
/// `.amazonaws.com.cn` in China).
///
/// ```
/// use kinesis_proto::credentials::sts;
/// assert_eq!(sts::regional_endpoint("eu-west-1"), "https://sts.eu-west-1.amazonaws.com/");
/// assert_eq!(sts::regional_endpoint("cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn/");
/// ```
pub fn regional_endpoint(region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://sts.{region}.{suffix}/")
}

fn post(endpoint: &str, body: String) -> Result<http::Request<Vec<u8>>, Error> {
    let uri: http::Uri = endpoint
        .parse()
        .map_err(|_| usage(format!("the STS endpoint {endpoint:?} is not a URL")))?;
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .ok_or_else(|| usage(format!("the STS endpoint {endpoint:?} names no host")))?;
    http::Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(HOST, host)
        .header(
            CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(body.into_bytes())
        .map_err(|e| usage(format!("the STS request cannot be built: {e}")))
}

/// An `AssumeRole` request for `role`, signed with `credentials` at
/// `wall` for `region`.
///
/// ```
/// use kinesis_proto::credentials::{sts, AssumeRole};
/// use kinesis_proto::Credentials;
/// let role = AssumeRole::new("arn:aws:iam::123456789012:role/reader");
/// let wall = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
/// let keys = Credentials::new("AKID", "SECRET", None);
/// let request = sts::assume_role_request("https://sts.us-east-1.amazonaws.com/", "us-east-1", &role, "s1", &keys, wall).unwrap();
/// let body = std::str::from_utf8(request.body()).unwrap();
/// assert!(body.starts_with("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws"));
/// assert!(request.headers()["authorization"].to_str().unwrap().contains("/us-east-1/sts/aws4_request"));
/// ```
pub fn assume_role_request(
    endpoint: &str,
    region: &str,
    role: &AssumeRole,
    session_name: &str,
    credentials: &Credentials,
    wall: OffsetDateTime,
) -> Result<http::Request<Vec<u8>>, Error> {
    let duration = role.duration_seconds.map(|d| d.to_string());
    let mut pairs = vec![
        ("Action", "AssumeRole"),
        ("Version", "2011-06-15"),
        ("RoleArn", role.role_arn.as_str()),
        ("RoleSessionName", session_name),
    ];
    if let Some(id) = &role.external_id {
        pairs.push(("ExternalId", id));
    }
    if let Some(d) = &duration {
        pairs.push(("DurationSeconds", d));
    }
    let mut request = post(endpoint, form_encode(&pairs))?;
    let params = SigningParams::new(credentials, region, "sts", wall);
    sigv4::sign(&mut request, &params).map_err(Error::Usage)?;
    Ok(request)
}

/// An `AssumeRoleWithWebIdentity` request: unsigned, the token in the
/// form body.
///
/// ```
/// use kinesis_proto::credentials::sts;
/// let request = sts::assume_role_with_web_identity_request(
///     "https://sts.us-east-1.amazonaws.com/", "arn:aws:iam::123456789012:role/pod", "s1", "eyJ.token", None,
/// ).unwrap();
/// assert!(request.headers().get("authorization").is_none());
/// assert!(std::str::from_utf8(request.body()).unwrap().contains("WebIdentityToken=eyJ.token"));
/// ```
pub fn assume_role_with_web_identity_request(
    endpoint: &str,
    role_arn: &str,
    session_name: &str,
    token: &str,
    duration_seconds: Option<u32>,
) -> Result<http::Request<Vec<u8>>, Error> {
    let duration = duration_seconds.map(|d| d.to_string());
    let mut pairs = vec![
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", "2011-06-15"),
        ("RoleArn", role_arn),
        ("RoleSessionName", session_name),
        ("WebIdentityToken", token),
    ];
    if let Some(d) = &duration {
        pairs.push(("DurationSeconds", d));
    }
    post(endpoint, form_encode(&pairs))
}

/// Element paths (`A/B/C`, local names) and their text, in order.
fn leaves(xml: &str) -> Result<Vec<(String, String)>, String> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut out = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("the answer is not XML ({e})"))?;
        match event {
            Event::Start(e) => {
                let name = std::str::from_utf8(e.local_name().into_inner())
                    .map_err(|_| "an element name is not UTF-8".to_owned())?
                    .to_owned();
                path.push(name);
                text.clear();
            }
            Event::End(_) => {
                if !text.is_empty() || path.len() > 1 {
                    out.push((path.join("/"), std::mem::take(&mut text)));
                }
                path.pop();
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|_| "the answer's text is not UTF-8".to_owned())?;
                text.push_str(&s);
            }
            Event::CData(t) => {
                let s = std::str::from_utf8(t.as_ref())
                    .map_err(|_| "the answer's text is not UTF-8".to_owned())?;
                text.push_str(s);
            }
            Event::GeneralRef(r) => {
                if let Some(c) = r
                    .resolve_char_ref()
                    .map_err(|_| "a character reference is not valid".to_owned())?
                {
                    text.push(c);
                } else {
                    let name = r
                        .decode()
                        .map_err(|_| "an entity name is not UTF-8".to_owned())?;
                    let value = quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| "the answer uses an unknown entity".to_owned())?;
                    text.push_str(value);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if path.len() > 32 {
            return Err("the answer nests too deep".to_owned());
        }
    }
    if out.is_empty() {
        return Err("the answer holds no XML element".to_owned());
    }
    Ok(out)
}

fn find<'a>(leaves: &'a [(String, String)], suffix: &str) -> Option<&'a str> {
    leaves
        .iter()
        .find(|(p, _)| p == suffix || p.ends_with(&format!("/{suffix}")))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The credentials of an `AssumeRole` or `AssumeRoleWithWebIdentity`
/// answer, or the service's error (`<ErrorResponse><Error><Code>…`) as
/// [`Error::Service`]. Neither the body nor any secret appears in an
/// error.
pub fn parse_response<B: AsRef<[u8]>>(response: &http::Response<B>) -> Result<Credentials, Error> {
    const SOURCE: &str = "STS";
    let status = response.status();
    let body = std::str::from_utf8(response.body().as_ref());
    let request_id = response
        .headers()
        .get("x-amzn-requestid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if !status.is_success() {
        let parsed = body.ok().and_then(|b| leaves(b).ok());
        let get = |k: &str| {
            parsed
                .as_deref()
                .and_then(|l| find(l, k))
                .map(str::to_owned)
        };
        return Err(Error::Service(ServiceError {
            code: ErrorCode::from_code(get("Error/Code").as_deref().unwrap_or("")),
            message: get("Error/Message"),
            status,
            request_id: get("RequestId").or(request_id),
        }));
    }
    let body = body.map_err(|_| bad_answer(status, SOURCE, "the answer is not UTF-8"))?;
    let leaves = leaves(body).map_err(|e| bad_answer(status, SOURCE, e))?;
    let get = |k: &str| {
        find(&leaves, &format!("Credentials/{k}"))
            .ok_or_else(|| bad_answer(status, SOURCE, format!("the answer has no Credentials/{k}")))
    };
    let expiry = get("Expiration")?;
    let expiry = parse_timestamp(expiry)
        .ok_or_else(|| bad_answer(status, SOURCE, "Expiration is not an RFC 3339 time"))?;
    Ok(Credentials::new(
        get("AccessKeyId")?,
        get("SecretAccessKey")?,
        Some(get("SessionToken")?.to_owned()),
    )
    .with_expiry(Some(expiry)))
}
