//! AWS IAM Identity Center (SSO): the access token the AWS CLI's
//! `aws sso login` left in `~/.aws/sso/cache/<sha1>.json`, exchanged at
//! the portal (`GetRoleCredentials`) for the role's credentials. No
//! browser flow: an expired token is an error saying to log in again.
//!
//! ```
//! use kinesis_proto::credentials::sso;
//! use std::path::Path;
//! // The cache file is named by the SHA-1 of the session name (or, for the
//! // legacy keys, of the start URL).
//! let file = sso::cache_file(Path::new("/home/ana/.aws/sso/cache"), "my-sso");
//! assert_eq!(file, Path::new("/home/ana/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json"));
//! let wall = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
//! let cached = br#"{"accessToken": "tok", "expiresAt": "2020-01-01T00:00:00Z"}"#;
//! let e = sso::parse_cached_token(cached, wall, "my-sso").unwrap_err();
//! assert!(e.to_string().contains("aws sso login"));
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use http::header::HeaderValue;
use serde_json::Value;
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use super::text::{bad_answer, json_object, parse_timestamp, string, usage, Secret};
use super::Credentials;
use crate::error::{Error, ErrorCode, ServiceError};

/// How long one portal exchange may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// One SSO role, from a profile's `sso_session` (or legacy `sso_*` keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sso {
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`: where the portal is.
    pub region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// The `sso_session` name, `None` for the legacy keys.
    pub session_name: Option<String>,
    /// The token cache directory (`~/.aws/sso/cache`).
    pub cache_dir: PathBuf,
    /// The portal URL (`https://portal.sso.<region>.amazonaws.com`, or
    /// `AWS_ENDPOINT_URL_SSO`), no trailing `/`.
    pub portal: String,
    /// The OIDC URL that refreshes an `sso_session`'s access token
    /// (`https://oidc.<region>.amazonaws.com`, or
    /// `AWS_ENDPOINT_URL_SSO_OIDC`), no trailing `/`.
    pub oidc: String,
}

impl Sso {
    /// The cache file this role's token is in.
    pub fn cache_file(&self) -> PathBuf {
        cache_file(
            &self.cache_dir,
            self.session_name.as_deref().unwrap_or(&self.start_url),
        )
    }
    pub(crate) fn login_hint(&self) -> String {
        match &self.session_name {
            Some(s) => format!("run `aws sso login --sso-session {s}`"),
            None => "run `aws sso login`".to_owned(),
        }
    }
}

/// `<dir>/<hex SHA-1 of key>.json`, as the AWS CLI names it.
pub fn cache_file(dir: &Path, key: &str) -> PathBuf {
    let digest = Sha1::digest(key.as_bytes());
    let mut name = String::with_capacity(45);
    for b in digest {
        name.push_str(&format!("{b:02x}"));
    }
    name.push_str(".json");
    dir.join(name)
}

/// The portal of `region`.
pub fn portal_endpoint(region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://portal.sso.{region}.{suffix}")
}

/// The OIDC endpoint of `region`.
pub fn oidc_endpoint(region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://oidc.{region}.{suffix}")
}

/// How long before its expiry an `sso_session` token is refreshed (the
/// SDKs' 5 minutes).
pub const REFRESH_AHEAD: time::Duration = time::Duration::minutes(5);

/// A cache file as read: its token, and what refreshing it needs.
#[derive(Debug, Clone)]
pub(crate) struct Cached {
    pub(crate) token: Secret,
    pub(crate) expires: OffsetDateTime,
    /// The whole file, to write back with a new token.
    raw: serde_json::Map<String, Value>,
}

impl Cached {
    /// Whether a refresh is possible at `wall`: a refresh token, client
    /// id and secret, and a client registration not yet expired.
    pub(crate) fn can_refresh(&self, wall: OffsetDateTime) -> bool {
        let has = |k: &str| string(&self.raw, k).is_some();
        let registration_ok = string(&self.raw, "registrationExpiresAt")
            .and_then(parse_timestamp)
            .is_none_or(|at| at > wall);
        has("refreshToken") && has("clientId") && has("clientSecret") && registration_ok
    }

    /// `CreateToken` with the refresh grant.
    pub(crate) fn refresh_request(&self, sso: &Sso) -> Result<http::Request<Vec<u8>>, Error> {
        let get = |k: &str| string(&self.raw, k).unwrap_or_default();
        let body = serde_json::json!({
            "clientId": get("clientId"),
            "clientSecret": get("clientSecret"),
            "grantType": "refresh_token",
            "refreshToken": get("refreshToken"),
        });
        http::Request::post(format!("{}/token", sso.oidc))
            .header("content-type", "application/json")
            .body(body.to_string().into_bytes())
            .map_err(|_| usage(format!("the SSO OIDC URL {:?} is not valid", sso.oidc)))
    }

    /// The refreshed token of a `CreateToken` answer, and the cache file
    /// to write back.
    pub(crate) fn refreshed<B: AsRef<[u8]>>(
        mut self,
        response: &http::Response<B>,
        wall: OffsetDateTime,
    ) -> Result<(Cached, Vec<u8>), Error> {
        let status = response.status();
        if !status.is_success() {
            return Err(usage(format!(
                "the SSO token refresh was refused (HTTP {})",
                status.as_u16()
            )));
        }
        let map =
            json_object(response.body().as_ref()).map_err(|e| bad_answer(status, "SSO OIDC", e))?;
        let token = string(&map, "accessToken")
            .ok_or_else(|| bad_answer(status, "SSO OIDC", "the answer has no accessToken"))?;
        let expires_in = map
            .get("expiresIn")
            .and_then(Value::as_i64)
            .ok_or_else(|| bad_answer(status, "SSO OIDC", "the answer has no expiresIn"))?;
        let expires = wall + time::Duration::seconds(expires_in.clamp(0, 86_400 * 90));
        self.raw.insert("accessToken".into(), Value::from(token));
        self.raw
            .insert("expiresAt".into(), Value::from(format_timestamp(expires)));
        if let Some(r) = string(&map, "refreshToken") {
            self.raw.insert("refreshToken".into(), Value::from(r));
        }
        let contents = serde_json::to_vec_pretty(&self.raw)
            .map_err(|e| usage(format!("cannot write the SSO cache: {e}")))?;
        self.token = Secret(token.to_owned());
        self.expires = expires;
        Ok((self, contents))
    }
}

/// `2026-12-02T13:00:00Z`.
fn format_timestamp(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub(crate) fn parse_cache(sso: &Sso, file: &[u8]) -> Result<Cached, Error> {
    let hint = sso.login_hint();
    let raw = json_object(file).map_err(|e| {
        usage(format!(
            "the SSO token cache file does not parse ({e}); {hint}"
        ))
    })?;
    let token = string(&raw, "accessToken").ok_or_else(|| {
        usage(format!(
            "the SSO token cache file has no accessToken; {hint}"
        ))
    })?;
    let expires = string(&raw, "expiresAt")
        .and_then(parse_timestamp)
        .ok_or_else(|| {
            usage(format!(
                "the SSO token cache file has no valid expiresAt; {hint}"
            ))
        })?;
    Ok(Cached {
        token: Secret(token.to_owned()),
        expires,
        raw,
    })
}

pub(crate) fn expired(sso: &Sso) -> Error {
    usage(format!(
        "the SSO access token has expired; {}",
        sso.login_hint()
    ))
}

/// The access token of a cache file, refused (with the `aws sso login`
/// advice) once its `expiresAt` has passed at `wall`. `session` names the
/// session or start URL in messages.
pub fn parse_cached_token(
    file: &[u8],
    wall: OffsetDateTime,
    session: &str,
) -> Result<String, Error> {
    parse_token(file, wall, &format!("run `aws sso login` for {session:?}")).map(|s| s.0)
}

fn parse_token(file: &[u8], wall: OffsetDateTime, hint: &str) -> Result<Secret, Error> {
    let map = json_object(file).map_err(|e| {
        usage(format!(
            "the SSO token cache file does not parse ({e}); {hint}"
        ))
    })?;
    let token = string(&map, "accessToken").ok_or_else(|| {
        usage(format!(
            "the SSO token cache file has no accessToken; {hint}"
        ))
    })?;
    let expires = string(&map, "expiresAt")
        .and_then(parse_timestamp)
        .ok_or_else(|| {
            usage(format!(
                "the SSO token cache file has no valid expiresAt; {hint}"
            ))
        })?;
    if expires <= wall {
        return Err(usage(format!("the SSO access token has expired; {hint}")));
    }
    Ok(Secret(token.to_owned()))
}

pub(crate) fn missing_cache(sso: &Sso) -> Error {
    usage(format!(
        "no SSO token cached at {}; {}",
        sso.cache_file().display(),
        sso.login_hint()
    ))
}

/// `GET /federation/credentials?account_id=…&role_name=…` with the
/// access token in `x-amz-sso_bearer_token`.
pub fn role_credentials_request(sso: &Sso, token: &str) -> Result<http::Request<Vec<u8>>, Error> {
    let mut uri = format!("{}/federation/credentials?account_id=", sso.portal);
    super::text::percent_encode(&mut uri, &sso.account_id);
    uri.push_str("&role_name=");
    super::text::percent_encode(&mut uri, &sso.role_name);
    let mut value = HeaderValue::from_str(token)
        .map_err(|_| usage("the SSO access token is not a header value"))?;
    value.set_sensitive(true);
    http::Request::get(uri)
        .header("x-amz-sso_bearer_token", value)
        .body(Vec::new())
        .map_err(|_| usage(format!("the SSO portal URL {:?} is not valid", sso.portal)))
}

/// The credentials of a `GetRoleCredentials` answer
/// (`roleCredentials` with `expiration` in epoch milliseconds), or its
/// error; 401 and 403 say to log in again.
pub fn parse_role_credentials<B: AsRef<[u8]>>(
    response: &http::Response<B>,
) -> Result<Credentials, Error> {
    const SOURCE: &str = "SSO portal";
    let status = response.status();
    let parsed = json_object(response.body().as_ref());
    if !status.is_success() {
        let map = parsed.ok();
        let get = |k: &str| map.as_ref().and_then(|m| string(m, k)).map(str::to_owned);
        let code = get("__type").or_else(|| get("code")).unwrap_or_default();
        let code = code
            .rsplit('#')
            .next()
            .unwrap_or("")
            .split(':')
            .next()
            .unwrap_or("")
            .to_owned();
        if status.as_u16() == 401 || code == "UnauthorizedException" {
            return Err(usage(
                "the SSO portal refused the cached access token; run `aws sso login`",
            ));
        }
        return Err(Error::Service(ServiceError {
            code: ErrorCode::from_code(&code),
            message: get("message").or_else(|| get("Message")),
            status,
            request_id: response
                .headers()
                .get("x-amzn-requestid")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }));
    }
    let map = parsed.map_err(|e| bad_answer(status, SOURCE, e))?;
    let role = match map.get("roleCredentials") {
        Some(Value::Object(r)) => r,
        _ => {
            return Err(bad_answer(
                status,
                SOURCE,
                "the answer has no roleCredentials",
            ))
        }
    };
    let get = |k: &str| {
        string(role, k)
            .ok_or_else(|| bad_answer(status, SOURCE, format!("roleCredentials has no {k}")))
    };
    let millis = role
        .get("expiration")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad_answer(status, SOURCE, "roleCredentials has no expiration"))?;
    let expiry = OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map_err(|_| bad_answer(status, SOURCE, "expiration is out of range"))?;
    Ok(Credentials::new(
        get("accessKeyId")?,
        get("secretAccessKey")?,
        Some(get("sessionToken")?.to_owned()),
    )
    .with_expiry(Some(expiry)))
}
