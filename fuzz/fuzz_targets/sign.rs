#![no_main]
//! SigV4, header and query form, over arbitrary method, URI, headers, body,
//! credentials, scope, time and settings. Never panics; on error the request
//! is untouched; with and without the key cache the signature is the same.
use arbitrary::Arbitrary;
use kinesis_proto::http::{HeaderName, HeaderValue, Method, Request, Uri};
use kinesis_proto::sigv4::{
    self, PayloadHash, SessionTokenMode, SigningKeyCache, SigningParams, UriEncoding,
};
use kinesis_proto::Credentials;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    method: &'a [u8],
    uri: &'a str,
    headers: Vec<(&'a [u8], &'a [u8])>,
    body: &'a [u8],
    key: (&'a str, &'a str, Option<&'a str>),
    scope: (&'a str, &'a str),
    time: i64,
    settings: (bool, bool, bool, bool, bool, u32),
    query_form: bool,
}

fuzz_target!(|input: Input<'_>| {
    let (Ok(method), Ok(uri)) = (Method::from_bytes(input.method), input.uri.parse::<Uri>()) else {
        return;
    };
    let mut request = Request::new(input.body.to_vec());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    for (name, value) in &input.headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            request.headers_mut().append(name, value);
        }
    }
    let Ok(time) = time::OffsetDateTime::from_unix_timestamp(input.time % 253_402_300_800) else {
        return;
    };
    let (id, secret, token) = input.key;
    let credentials = Credentials::new(id, secret, token.map(str::to_owned));
    let (normalize, single, unsigned, sha_header, token_unsigned, expires_in) = input.settings;
    let mut settings = sigv4::SigningSettings::default();
    settings.normalize_path = normalize;
    settings.uri_encoding = if single {
        UriEncoding::Single
    } else {
        UriEncoding::Double
    };
    settings.payload = if unsigned {
        PayloadHash::Unsigned
    } else {
        PayloadHash::Sha256
    };
    settings.content_sha256_header = sha_header;
    settings.session_token = if token_unsigned {
        SessionTokenMode::Unsigned
    } else {
        SessionTokenMode::Signed
    };
    settings.expires_in = expires_in;
    let cache = SigningKeyCache::default();
    let params = SigningParams::new(&credentials, input.scope.0, input.scope.1, time)
        .with_settings(settings);
    let sign = |r: &mut Request<Vec<u8>>, p: &SigningParams<'_>| {
        if input.query_form {
            sigv4::presign(r, p)
        } else {
            sigv4::sign(r, p)
        }
    };
    let mut signed = request.clone();
    match sign(&mut signed, &params) {
        Ok(signature) => {
            let mut again = request.clone();
            assert_eq!(
                sign(&mut again, &params.with_key_cache(&cache)).ok(),
                Some(signature)
            );
            assert_eq!(again.uri(), signed.uri());
            assert_eq!(again.headers(), signed.headers());
        }
        Err(_) => {
            assert_eq!(signed.uri(), request.uri());
            assert_eq!(signed.headers(), request.headers());
        }
    }
});
