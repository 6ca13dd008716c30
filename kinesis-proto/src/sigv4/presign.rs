//! Query form: a presigned request, the signature in `X-Amz-*` query
//! parameters.

use http::uri::PathAndQuery;
use http::Uri;

use super::canonical::CanonicalRequest;
use super::encode::uri_encode_into;
use super::key::Signature;
use super::scope::{push_scope, scope_len, ALGORITHM};
use super::settings::{SignatureLocation, SigningParams};
use super::string_to_sign::signature;
use crate::error::UsageError;

/// Presigns `request` in place: appends `X-Amz-Algorithm`,
/// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
/// `X-Amz-Expires`, `X-Amz-Security-Token` (when the credentials carry a
/// session token) and `X-Amz-Signature` to its query string.
///
/// Every header on the request is signed (the request must be sent with
/// them); the URI then works for [`SigningSettings::expires_in`] seconds.
/// On error the request is left as it was.
///
/// [`SigningSettings::expires_in`]: super::SigningSettings::expires_in
///
/// ```
/// use kinesis_proto::{sigv4, Credentials};
/// let mut request = http::Request::get("https://example.amazonaws.com/")
///     .body(Vec::new())
///     .unwrap();
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
/// let now = time::OffsetDateTime::from_unix_timestamp(1_440_938_160).unwrap();
/// let params = sigv4::SigningParams::new(&creds, "us-east-1", "service", now);
/// let signature = sigv4::presign(&mut request, &params).unwrap();
/// assert_eq!(
///     request.uri().query().unwrap(),
///     format!("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1\
///         %2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host\
///         &X-Amz-Expires=3600&X-Amz-Signature={signature}")
/// );
/// ```
pub fn presign<B: AsRef<[u8]>>(
    request: &mut http::Request<B>,
    params: &SigningParams<'_>,
) -> Result<Signature, UsageError> {
    let creq = CanonicalRequest::new(request, params, SignatureLocation::Query)?;
    let signature = signature(params, &creq);

    let uri = request.uri();
    let path = match uri.path() {
        "" => "/",
        path => path,
    };
    let mut target = String::with_capacity(path.len() + uri.query().map_or(0, str::len) + 400);
    target.push_str(path);
    target.push('?');
    if let Some(query) = uri.query().filter(|q| !q.is_empty()) {
        target.push_str(query);
        target.push('&');
    }
    let access_key_id = params.credentials.access_key_id();
    let mut credential = String::with_capacity(access_key_id.len() + 1 + scope_len(params));
    credential.push_str(access_key_id);
    credential.push('/');
    push_scope(&mut credential, params, &creq.date);
    let expires = params.settings.expires_in.to_string();
    push_param(&mut target, "X-Amz-Algorithm", ALGORITHM);
    push_param(&mut target, "X-Amz-Credential", &credential);
    push_param(&mut target, "X-Amz-Date", creq.date.date_time());
    push_param(&mut target, "X-Amz-SignedHeaders", creq.signed_headers());
    push_param(&mut target, "X-Amz-Expires", &expires);
    if let Some(token) = params.credentials.session_token() {
        push_param(&mut target, "X-Amz-Security-Token", token);
    }
    target.push_str("X-Amz-Signature=");
    target.push_str(signature.as_str());

    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(
        PathAndQuery::try_from(target)
            .map_err(|e| UsageError::new("uri", format!("presigned target is not valid: {e}")))?,
    );
    let uri = Uri::from_parts(parts)
        .map_err(|e| UsageError::new("uri", format!("presigned URI is not valid: {e}")))?;
    *request.uri_mut() = uri;
    Ok(signature)
}

/// Appends `name=value&`, the value URI-encoded.
fn push_param(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push('=');
    uri_encode_into(out, value.as_bytes(), false);
    out.push('&');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::sigv4::SigningSettings;
    use time::OffsetDateTime;

    #[test]
    fn keeps_scheme_authority_and_query() {
        let creds = Credentials::new("AKID", "S", Some("T/+=".into()));
        let settings = SigningSettings {
            expires_in: 60,
            ..SigningSettings::default()
        };
        let params = SigningParams::new(&creds, "eu-west-1", "s3", OffsetDateTime::UNIX_EPOCH)
            .with_settings(settings);
        let mut r = http::Request::get("http://localhost:9000/a%20b?x=1")
            .body(Vec::new())
            .expect("valid test request");
        let sig = presign(&mut r, &params).expect("presigned");
        assert_eq!(
            r.uri().to_string(),
            format!(
                "http://localhost:9000/a%20b?x=1&X-Amz-Algorithm=AWS4-HMAC-SHA256\
                 &X-Amz-Credential=AKID%2F19700101%2Feu-west-1%2Fs3%2Faws4_request\
                 &X-Amz-Date=19700101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=60\
                 &X-Amz-Security-Token=T%2F%2B%3D&X-Amz-Signature={sig}"
            )
        );
    }

    #[test]
    fn bad_expiry_leaves_the_request_alone() {
        let creds = Credentials::new("AKID", "S", None);
        let settings = SigningSettings {
            expires_in: 0,
            ..SigningSettings::default()
        };
        let params = SigningParams::new(&creds, "eu-west-1", "s3", OffsetDateTime::UNIX_EPOCH)
            .with_settings(settings);
        let mut r = http::Request::get("https://h.example/")
            .body(Vec::new())
            .expect("valid");
        let e = presign(&mut r, &params).expect_err("expiry 0");
        assert_eq!(e.field, "expires_in");
        assert_eq!(r.uri(), "https://h.example/");
    }
}
