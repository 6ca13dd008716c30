//! AWS Signature Version 4, in named stages.
//!
//! [`sign`] puts the signature in the `Authorization` header; [`presign`]
//! puts it in the query string. Both run the same stages, each public so it
//! can be checked on its own against the AWS test suite:
//!
//! 1. [`CanonicalRequest`] — method, canonical path and query, the signed
//!    headers and the payload hash;
//! 2. [`StringToSign`] — algorithm, time, credential scope and the hash of
//!    the canonical request;
//! 3. [`SigningKey`] — derived from the secret for a day, region and
//!    service (kept in a [`SigningKeyCache`] between signatures), and
//!    [`SigningKey::sign`], which makes the [`Signature`].
//!
//! [`SigningSettings`] holds what varies between services (path
//! normalization and encoding, payload hash, session token signing, expiry
//! of presigned requests). Time is an argument: nothing here reads a clock.
//!
//! ```
//! use kinesis_proto::{sigv4, Credentials};
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
//! let now = time::OffsetDateTime::from_unix_timestamp(1_440_938_160).unwrap();
//! let params = sigv4::SigningParams::new(&creds, "us-east-1", "service", now);
//!
//! let mut request = http::Request::get("https://example.amazonaws.com/").body(Vec::new()).unwrap();
//! // The stages one by one…
//! let creq = sigv4::CanonicalRequest::new(&request, &params, sigv4::SignatureLocation::Headers).unwrap();
//! let sts = sigv4::StringToSign::new(&params, &creq);
//! let key = sigv4::SigningKey::derive(creds.secret_access_key(), "20150830", "us-east-1", "service");
//! let signature = key.sign(&sts);
//! assert_eq!(signature.as_str(), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
//! // …or all at once.
//! assert_eq!(sigv4::sign(&mut request, &params).unwrap(), signature);
//! assert!(request.headers()["authorization"]
//!     .to_str()
//!     .unwrap()
//!     .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"));
//! ```

use time::OffsetDateTime;

use crate::credentials::Credentials;
use crate::error::UsageError;

mod canonical;
mod date;
mod encode;
mod key;
mod path;
mod presign;
mod query;
mod scope;
mod settings;
mod sign;
mod string_to_sign;

pub use canonical::CanonicalRequest;
pub use key::{Signature, SigningKey, SigningKeyCache};
pub use presign::presign;
pub use settings::{
    PayloadHash, SessionTokenMode, SignatureLocation, SigningParams, SigningSettings, UriEncoding,
};
pub use sign::sign;
pub use string_to_sign::StringToSign;

/// Signs `request` in place with the `Authorization` header, with the
/// default settings and the client's key cache.
pub(crate) fn sign_request(
    request: &mut http::Request<Vec<u8>>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: OffsetDateTime,
    cache: &SigningKeyCache,
) -> Result<(), UsageError> {
    let params = SigningParams::new(credentials, region, service, time).with_key_cache(cache);
    sign(request, &params).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn time() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_440_938_160).expect("valid timestamp")
    }

    #[test]
    fn client_entry_point_signs_what_the_client_sets() {
        let cache = SigningKeyCache::default();
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("TOKEN".into()),
        );
        let mut request = http::Request::post("https://kinesis.us-east-1.amazonaws.com/")
            .header("host", "kinesis.us-east-1.amazonaws.com")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "Kinesis_20131202.PutRecord")
            .body(br#"{"StreamName":"s"}"#.to_vec())
            .expect("valid test request");
        sign_request(&mut request, &creds, "us-east-1", "kinesis", time(), &cache).expect("signed");
        let auth = request.headers()["authorization"].to_str().expect("ASCII");
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="
        ), "{auth}");
        assert_eq!(request.headers()["x-amz-security-token"], "TOKEN");
        assert_eq!(request.headers()["x-amz-date"], "20150830T123600Z");
        assert_eq!(format!("{cache:?}"), "SigningKeyCache { keys: 1 }");
        // Same inputs, same signature, key from the cache.
        let mut again = request.clone();
        sign_request(&mut again, &creds, "us-east-1", "kinesis", time(), &cache).expect("signed");
        assert_eq!(
            again.headers()["authorization"],
            request.headers()["authorization"]
        );
    }

    /// An empty access key id or secret is refused before anything is
    /// signed, in both forms, naming the field; the request is untouched.
    #[test]
    fn empty_keys_are_usage_errors() {
        let cache = SigningKeyCache::default();
        for (id, secret, field) in [
            ("", "SECRET", "access_key_id"),
            ("AKID", "", "secret_access_key"),
            ("", "", "access_key_id"),
        ] {
            let creds = Credentials::new(id, secret, None);
            let mut request = http::Request::post("https://kinesis.us-east-1.amazonaws.com/")
                .body(b"{}".to_vec())
                .expect("valid test request");
            let e = sign_request(&mut request, &creds, "us-east-1", "kinesis", time(), &cache)
                .expect_err("empty key");
            assert_eq!(e.field, field, "{e}");
            assert!(e.problem.contains("empty"), "{e}");
            assert!(request.headers().is_empty(), "{:?}", request.headers());
            let params = SigningParams::new(&creds, "us-east-1", "kinesis", time());
            let e = presign(&mut request, &params).expect_err("empty key");
            assert_eq!(e.field, field, "{e}");
            assert_eq!(request.uri(), "https://kinesis.us-east-1.amazonaws.com/");
        }
        assert_eq!(format!("{cache:?}"), "SigningKeyCache { keys: 0 }");
    }

    fn any_header_value() -> impl Strategy<Value = http::HeaderValue> {
        proptest::collection::vec(any::<u8>(), 0..40).prop_filter_map("valid header value", |b| {
            http::HeaderValue::from_bytes(&b).ok()
        })
    }

    proptest! {
        /// No input makes signing panic: it signs or says why not.
        #[test]
        fn never_panics(
            path in "/[ -~]{0,30}",
            header in any_header_value(),
            name in "[a-z][a-z0-9-]{0,10}",
            body in proptest::collection::vec(any::<u8>(), 0..64),
            secs in any::<i64>(),
            key in "\\PC{0,20}",
            token in proptest::option::of("\\PC{0,20}"),
            region in "\\PC{0,10}",
            query_form in any::<bool>(),
        ) {
            let Ok(uri) = http::Uri::try_from(format!("https://h.example{path}")) else { return Ok(()) };
            let Ok(name) = http::HeaderName::try_from(name) else { return Ok(()) };
            let time = OffsetDateTime::from_unix_timestamp(secs % 253_402_300_799).unwrap_or(OffsetDateTime::UNIX_EPOCH);
            let mut request = http::Request::new(body);
            *request.uri_mut() = uri;
            request.headers_mut().insert(name, header);
            let creds = Credentials::new(key.clone(), key, token);
            let params = SigningParams::new(&creds, &region, "service", time);
            let _ = if query_form { presign(&mut request, &params) } else { sign(&mut request, &params) };
        }
    }
}
