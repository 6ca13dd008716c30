//! The AWS Signature Version 4 test suite (`tests/vectors/sigv4`, see its
//! README), one `#[test]` per case folder.
//!
//! [`run`] reads a case and compares every stage it has a file for, each
//! on its own, in header form and in query form: the canonical request,
//! the string to sign, the signature, and the whole signed request.

use std::fs;
use std::path::{Path, PathBuf};

use http::header::{HeaderName, HeaderValue};
use kinesis_proto::sigv4::{
    self, CanonicalRequest, SessionTokenMode, SignatureLocation, SigningKey, SigningParams,
    SigningSettings, StringToSign, UriEncoding,
};
use kinesis_proto::Credentials;
use serde::Deserialize;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

macro_rules! cases {
    ($($test:ident => $folder:literal,)*) => {
        /// Every case folder the harness runs.
        const CASES: &[&str] = &[$($folder),*];
        $(
            #[test]
            fn $test() {
                run($folder);
            }
        )*
    };
}

cases! {
    double_encode_path => "double-encode-path",
    double_url_encode => "double-url-encode",
    get_header_key_duplicate => "get-header-key-duplicate",
    get_header_value_multiline => "get-header-value-multiline",
    get_header_value_order => "get-header-value-order",
    get_header_value_trim => "get-header-value-trim",
    get_relative_normalized => "get-relative-normalized",
    get_relative_relative_normalized => "get-relative-relative-normalized",
    get_relative_relative_unnormalized => "get-relative-relative-unnormalized",
    get_relative_unnormalized => "get-relative-unnormalized",
    get_slash_dot_slash_normalized => "get-slash-dot-slash-normalized",
    get_slash_dot_slash_unnormalized => "get-slash-dot-slash-unnormalized",
    get_slash_normalized => "get-slash-normalized",
    get_slash_pointless_dot_normalized => "get-slash-pointless-dot-normalized",
    get_slash_pointless_dot_unnormalized => "get-slash-pointless-dot-unnormalized",
    get_slash_unnormalized => "get-slash-unnormalized",
    get_slashes_normalized => "get-slashes-normalized",
    get_slashes_unnormalized => "get-slashes-unnormalized",
    get_space_normalized => "get-space-normalized",
    get_space_unnormalized => "get-space-unnormalized",
    get_unreserved => "get-unreserved",
    get_utf8 => "get-utf8",
    get_vanilla => "get-vanilla",
    get_vanilla_empty_query_key => "get-vanilla-empty-query-key",
    get_vanilla_query => "get-vanilla-query",
    get_vanilla_query_order_encoded => "get-vanilla-query-order-encoded",
    get_vanilla_query_order_key_case => "get-vanilla-query-order-key-case",
    get_vanilla_query_unreserved => "get-vanilla-query-unreserved",
    get_vanilla_utf8_query => "get-vanilla-utf8-query",
    get_vanilla_with_session_token => "get-vanilla-with-session-token",
    post_header_key_case => "post-header-key-case",
    post_header_key_sort => "post-header-key-sort",
    post_header_value_case => "post-header-value-case",
    post_sts_header_after => "post-sts-header-after",
    post_sts_header_before => "post-sts-header-before",
    post_vanilla => "post-vanilla",
    post_vanilla_empty_query_value => "post-vanilla-empty-query-value",
    post_vanilla_query => "post-vanilla-query",
    post_x_www_form_urlencoded => "post-x-www-form-urlencoded",
    post_x_www_form_urlencoded_parameters => "post-x-www-form-urlencoded-parameters",
}

/// Fails when a folder on disk is not in [`CASES`] (or the other way
/// round), so no case is silently skipped.
#[test]
fn every_case_on_disk_is_run() {
    let mut on_disk: Vec<String> = fs::read_dir(suite_dir())
        .expect("the suite folder is readable")
        .map(|entry| entry.expect("a readable folder entry"))
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| (*c).to_owned()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "case folders on disk vs. the cases! list");
}

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/sigv4")
}

/// `context.json`, with the keys this copy of the suite adds (see the
/// suite's README).
#[derive(Deserialize)]
struct Context {
    credentials: ContextCredentials,
    expiration_in_seconds: u32,
    normalize: bool,
    region: String,
    service: String,
    #[serde(default)]
    sign_body: bool,
    timestamp: String,
    #[serde(default)]
    omit_session_token: bool,
    #[serde(default = "yes")]
    double_uri_encode: bool,
    #[serde(default)]
    canonical_request_timestamp: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct ContextCredentials {
    access_key_id: String,
    secret_access_key: String,
    #[serde(default)]
    token: Option<String>,
}

/// An HTTP request as the suite writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TextRequest {
    method: String,
    /// The request target as it can be sent (see [`sendable_target`]).
    target: String,
    /// Lower-case names, sorted by name; values of one name in order.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Parses the suite's raw HTTP text: request line, headers (a line that
/// starts with whitespace continues the previous value; a name may
/// repeat), a blank line, the body.
fn parse_request(text: &str) -> TextRequest {
    let text = text.replace("\r\n", "\n");
    let (head, body) = match text.split_once("\n\n") {
        Some((head, body)) => (head, body),
        None => (text.trim_end_matches('\n'), ""),
    };
    let mut lines = head.lines();
    let request_line = lines.next().expect("a request line");
    let (method, rest) = request_line.split_once(' ').expect("a method");
    // The target may hold spaces: the version is after the last one.
    let target = rest.rfind(" HTTP/").map_or(rest, |end| &rest[..end]);
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let (_, value) = headers
                .last_mut()
                .expect("a header before its continuation");
            value.push(' ');
            value.push_str(line.trim());
        } else {
            let (name, value) = line.split_once(':').expect("a `name:value` header line");
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    TextRequest {
        method: method.to_owned(),
        target: sendable_target(target),
        headers,
        body: body.as_bytes().to_vec(),
    }
}

/// The target with the bytes an `http::Uri` cannot hold (a raw space,
/// control characters) percent-encoded, as a client must send them.
fn sendable_target(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_control() || c == ' ' {
            out.push_str(&format!("%{:02X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

impl TextRequest {
    fn to_http(&self) -> http::Request<Vec<u8>> {
        let mut builder = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.target.as_str());
        for (name, value) in &self.headers {
            builder = builder.header(
                HeaderName::from_bytes(name.as_bytes()).expect("a valid header name"),
                HeaderValue::from_bytes(value.as_bytes()).expect("a valid header value"),
            );
        }
        builder.body(self.body.clone()).expect("a valid request")
    }

    fn from_http(request: &http::Request<Vec<u8>>) -> TextRequest {
        let mut headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = std::str::from_utf8(value.as_bytes()).expect("UTF-8 header value");
                (name.as_str().to_owned(), value.to_owned())
            })
            .collect();
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        TextRequest {
            method: request.method().as_str().to_owned(),
            target: request
                .uri()
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned()),
            headers,
            body: request.body().clone(),
        }
    }
}

/// `2015-08-30T12:36:00Z`.
fn parse_timestamp(s: &str) -> OffsetDateTime {
    let b = s.as_bytes();
    assert!(
        b.len() == 20 && b[4] == b'-' && b[10] == b'T' && b[19] == b'Z',
        "timestamp {s}"
    );
    let n = |range: std::ops::Range<usize>| -> u32 { s[range].parse().expect("digits") };
    let month = Month::try_from(u8::try_from(n(5..7)).expect("month")).expect("month");
    let date = Date::from_calendar_date(n(0..4) as i32, month, n(8..10) as u8).expect("date");
    let time = Time::from_hms(n(11..13) as u8, n(14..16) as u8, n(17..19) as u8).expect("time");
    PrimitiveDateTime::new(date, time).assume_utc()
}

/// An expected text of the case, without the line end a file may close
/// with; `None` when the case has no such file.
fn expected(dir: &Path, file: &str) -> Option<String> {
    let text = fs::read_to_string(dir.join(file)).ok()?;
    Some(text.replace("\r\n", "\n").trim_end_matches('\n').to_owned())
}

/// Runs one case: every stage it has a file for, in both forms.
fn run(case: &str) {
    let dir = suite_dir().join(case);
    let context: Context = serde_json::from_str(
        &fs::read_to_string(dir.join("context.json")).expect("the case has a context.json"),
    )
    .expect("context.json parses");
    let request = parse_request(&fs::read_to_string(dir.join("request.txt")).expect("request.txt"));
    let credentials = Credentials::new(
        context.credentials.access_key_id.as_str(),
        context.credentials.secret_access_key.as_str(),
        context.credentials.token.clone(),
    );
    let mut settings = SigningSettings::default();
    settings.normalize_path = context.normalize;
    settings.uri_encoding = if context.double_uri_encode {
        UriEncoding::Double
    } else {
        UriEncoding::Single
    };
    settings.content_sha256_header = context.sign_body;
    settings.session_token = if context.omit_session_token {
        SessionTokenMode::Unsigned
    } else {
        SessionTokenMode::Signed
    };
    settings.expires_in = context.expiration_in_seconds;
    let time = parse_timestamp(&context.timestamp);
    let params = SigningParams::new(&credentials, &context.region, &context.service, time)
        .with_settings(settings);
    let http_request = request.to_http();

    let mut compared = 0;
    for (form, location) in [
        ("header", SignatureLocation::Headers),
        ("query", SignatureLocation::Query),
    ] {
        let file = |stage: &str| expected(&dir, &format!("{form}-{stage}.txt"));
        let creq = CanonicalRequest::new(&http_request, &params, location)
            .unwrap_or_else(|e| panic!("{case} ({form}): canonical request: {e}"));
        if let Some(expected) = file("canonical-request") {
            let actual = match &context.canonical_request_timestamp {
                Some(at) => {
                    let mut at_params = params;
                    at_params.time = parse_timestamp(at);
                    CanonicalRequest::new(&http_request, &at_params, location)
                        .unwrap_or_else(|e| panic!("{case} ({form}): canonical request: {e}"))
                }
                None => creq.clone(),
            };
            assert_eq!(
                actual.as_str(),
                expected,
                "{case} ({form}): canonical request"
            );
            compared += 1;
        }
        let sts = StringToSign::new(&params, &creq);
        if let Some(expected) = file("string-to-sign") {
            assert_eq!(sts.as_str(), expected, "{case} ({form}): string to sign");
            compared += 1;
        }
        let key = SigningKey::derive(
            credentials.secret_access_key(),
            &context.timestamp.replace('-', "")[..8],
            &context.region,
            &context.service,
        );
        let expected_signature = file("signature");
        if let Some(expected) = &expected_signature {
            assert_eq!(
                key.sign(&sts).as_str(),
                expected,
                "{case} ({form}): signature"
            );
            compared += 1;
        }
        if let Some(expected) = file("signed-request") {
            let mut signed = http_request.clone();
            let signature = match location {
                SignatureLocation::Headers => sigv4::sign(&mut signed, &params),
                SignatureLocation::Query => sigv4::presign(&mut signed, &params),
            }
            .unwrap_or_else(|e| panic!("{case} ({form}): signing: {e}"));
            if let Some(expected) = &expected_signature {
                assert_eq!(
                    signature.as_str(),
                    expected,
                    "{case} ({form}): signature of the signed request"
                );
            }
            assert_eq!(
                TextRequest::from_http(&signed),
                parse_request(&expected),
                "{case} ({form}): signed request"
            );
            compared += 1;
        }
    }
    assert!(compared > 0, "{case}: no expected output to compare");
}

#[test]
fn parser_reads_folded_and_repeated_headers() {
    let r = parse_request(
        "GET /a b/?x=1 HTTP/1.1\nHost:h\nMy-Header1:value1\n  value2\nMy-Header1: v\n\nbody\n",
    );
    assert_eq!(r.method, "GET");
    assert_eq!(r.target, "/a%20b/?x=1");
    assert_eq!(
        r.headers,
        [
            ("host".to_owned(), "h".to_owned()),
            ("my-header1".to_owned(), "value1 value2".to_owned()),
            ("my-header1".to_owned(), "v".to_owned()),
        ]
    );
    assert_eq!(r.body, b"body\n");
    assert_eq!(TextRequest::from_http(&r.to_http()), r);
}
