//! Header form: the signature in the `Authorization` header.

use http::header::{HeaderName, HeaderValue, AUTHORIZATION};

use super::canonical::CanonicalRequest;
use super::key::Signature;
use super::scope::{push_scope, scope_len, ALGORITHM};
use super::settings::{SignatureLocation, SigningParams};
use super::string_to_sign::signature;
use crate::error::UsageError;

const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");
const X_AMZ_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-amz-content-sha256");

/// Signs `request` in place with an `Authorization` header.
///
/// Every header on the request is signed (an `Authorization` header
/// already there is replaced, not signed), with `host` taken from the URI
/// when there is no `Host` header. Adds `x-amz-date`, `x-amz-security-token`
/// when the credentials carry a session token, and `x-amz-content-sha256`
/// when the settings ask for it. On error the request is left as it was.
///
/// ```
/// use kinesis_proto::{sigv4, Credentials};
/// let mut request = http::Request::get("https://example.amazonaws.com/?list")
///     .body(Vec::new())
///     .unwrap();
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
/// let now = time::OffsetDateTime::from_unix_timestamp(1_440_938_160).unwrap();
/// let params = sigv4::SigningParams::new(&creds, "us-east-1", "service", now);
/// let signature = sigv4::sign(&mut request, &params).unwrap();
///
/// let authorization = request.headers()["authorization"].to_str().unwrap();
/// assert!(authorization.starts_with(
///     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
///      SignedHeaders=host;x-amz-date, Signature="
/// ));
/// assert!(authorization.ends_with(signature.as_str()));
/// assert_eq!(request.headers()["x-amz-date"], "20150830T123600Z");
/// ```
pub fn sign<B: AsRef<[u8]>>(
    request: &mut http::Request<B>,
    params: &SigningParams<'_>,
) -> Result<Signature, UsageError> {
    let creq = CanonicalRequest::new(request, params, SignatureLocation::Headers)?;
    let signature = signature(params, &creq);

    // Every value is made before the request changes.
    let date = HeaderValue::from_str(creq.date.date_time())
        .map_err(|_| UsageError::new("time", "is not a header value"))?;
    let token = match params.credentials.session_token() {
        Some(token) => {
            let mut value = HeaderValue::from_str(token)
                .map_err(|_| UsageError::new("session_token", "is not a header value"))?;
            value.set_sensitive(true);
            Some(value)
        }
        None => None,
    };
    let content_sha256 = if params.settings.content_sha256_header {
        Some(
            HeaderValue::from_str(creq.payload_hash())
                .map_err(|_| UsageError::new("payload", "hash is not a header value"))?,
        )
    } else {
        None
    };
    let access_key_id = params.credentials.access_key_id();
    let signed_headers = creq.signed_headers();
    let mut authorization = String::with_capacity(
        ALGORITHM.len() + access_key_id.len() + scope_len(params) + signed_headers.len() + 110,
    );
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(access_key_id);
    authorization.push('/');
    push_scope(&mut authorization, params, &creq.date);
    authorization.push_str(", SignedHeaders=");
    authorization.push_str(signed_headers);
    authorization.push_str(", Signature=");
    authorization.push_str(signature.as_str());
    let mut authorization = HeaderValue::try_from(authorization).map_err(|_| {
        UsageError::new(
            "credentials",
            "access key id, region or service is not a header value",
        )
    })?;
    authorization.set_sensitive(true);

    let headers = request.headers_mut();
    headers.insert(X_AMZ_DATE, date);
    if let Some(token) = token {
        headers.insert(X_AMZ_SECURITY_TOKEN, token);
    }
    if let Some(hash) = content_sha256 {
        headers.insert(X_AMZ_CONTENT_SHA256, hash);
    }
    headers.insert(AUTHORIZATION, authorization);
    Ok(signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::sigv4::{SessionTokenMode, SigningKeyCache, SigningSettings};
    use time::OffsetDateTime;

    fn time() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_440_938_160).expect("valid timestamp")
    }

    fn request() -> http::Request<Vec<u8>> {
        http::Request::post("https://example.amazonaws.com/")
            .header("host", "example.amazonaws.com")
            .body(Vec::new())
            .expect("valid test request")
    }

    #[test]
    fn session_token_signed_or_not() {
        // The suite's post-sts-header-before and -after.
        let token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some(token.into()),
        );
        let mut settings = SigningSettings::default();
        for (mode, expected) in [
            (
                SessionTokenMode::Signed,
                "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            ),
            (
                SessionTokenMode::Unsigned,
                "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            ),
        ] {
            settings.session_token = mode;
            let params =
                SigningParams::new(&creds, "us-east-1", "service", time()).with_settings(settings);
            let mut r = request();
            let signature = sign(&mut r, &params).expect("signed");
            assert_eq!(signature.as_str(), expected);
            assert_eq!(r.headers()["x-amz-security-token"], token);
            assert!(r.headers()["authorization"].is_sensitive());
        }
    }

    #[test]
    fn resigning_replaces_what_signing_added() {
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
        );
        let cache = SigningKeyCache::default();
        let params =
            SigningParams::new(&creds, "us-east-1", "service", time()).with_key_cache(&cache);
        let mut r = request();
        let first = sign(&mut r, &params).expect("signed");
        let second = sign(&mut r, &params).expect("signed again");
        assert_eq!(first, second);
        assert_eq!(r.headers().len(), 3);
        assert_eq!(format!("{cache:?}"), "SigningKeyCache { keys: 1 }");
    }

    #[test]
    fn errors_leave_the_request_alone() {
        let creds = Credentials::new("AKID\n", "S", None);
        let params = SigningParams::new(&creds, "us-east-1", "service", time());
        let mut r = request();
        let e = sign(&mut r, &params).expect_err("bad access key id");
        assert_eq!(e.field, "credentials");
        assert_eq!(r.headers().len(), 1);
    }
}
