//! Stage one: the canonical request — method, path, query, headers, the
//! list of signed headers and the payload hash, one per line.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use http::{HeaderMap, Method, Uri};

use super::date::AmzDate;
use super::encode::Hex64;
use super::path::write_canonical_path;
use super::query::write_canonical_query;
use super::scope::{push_scope, scope_len, ALGORITHM};
use super::settings::{
    PayloadHash, SessionTokenMode, SignatureLocation, SigningParams, MAX_EXPIRES_IN,
};
use crate::error::UsageError;

/// The canonical request of one request, as SigV4 hashes it.
///
/// In header form it already counts the headers signing adds
/// (`x-amz-date`, `x-amz-security-token`, `x-amz-content-sha256` as the
/// settings say); in query form the `X-Amz-*` parameters. `Debug` shows
/// only the signed headers (the text may hold the session token).
///
/// ```
/// use kinesis_proto::sigv4::{CanonicalRequest, SignatureLocation, SigningParams};
/// use kinesis_proto::Credentials;
/// let request = http::Request::get("https://example.amazonaws.com/?b=2&a=1").body(Vec::new()).unwrap();
/// let creds = Credentials::new("AKIDEXAMPLE", "SECRET", None);
/// let time = time::OffsetDateTime::from_unix_timestamp(1_440_938_160).unwrap();
/// let params = SigningParams::new(&creds, "us-east-1", "service", time);
/// let creq = CanonicalRequest::new(&request, &params, SignatureLocation::Headers).unwrap();
/// assert_eq!(creq.as_str(), "GET\n/\na=1&b=2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
///     host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    text: String,
    signed_headers: Range<usize>,
    payload_hash: Range<usize>,
    pub(crate) date: AmzDate,
}

impl CanonicalRequest {
    /// The canonical request of `request` signed with `params`, its
    /// signature going to `location`.
    ///
    /// Fails on an empty access key id or secret access key (naming it), a
    /// header value with a control character or that is not UTF-8 (naming
    /// the header), a request with neither a `Host` header
    /// nor an authority in its URI, a signing time outside years 0–9999,
    /// and (query form) an expiry outside 1 s – 7 days.
    pub fn new<B: AsRef<[u8]>>(
        request: &http::Request<B>,
        params: &SigningParams<'_>,
        location: SignatureLocation,
    ) -> Result<Self, UsageError> {
        build(
            request.method(),
            request.uri(),
            request.headers(),
            request.body().as_ref(),
            params,
            location,
        )
    }

    /// The text that is hashed into the string to sign.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The signed header names, `;`-separated (`host;x-amz-date`).
    pub fn signed_headers(&self) -> &str {
        &self.text[self.signed_headers.clone()]
    }

    /// The payload hash: hex SHA-256 of the body or `UNSIGNED-PAYLOAD`.
    pub fn payload_hash(&self) -> &str {
        &self.text[self.payload_hash.clone()]
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CanonicalRequest")
            .field("signed_headers", &self.signed_headers())
            .field("payload_hash", &self.payload_hash())
            .finish_non_exhaustive()
    }
}

const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The payload line, without allocating.
enum Payload {
    Sha256(Hex64),
    Unsigned,
}

impl Payload {
    fn as_str(&self) -> &str {
        match self {
            Payload::Sha256(h) => h.as_str(),
            Payload::Unsigned => UNSIGNED_PAYLOAD,
        }
    }
}

/// Builds the canonical request from the parts of a request.
pub(crate) fn build(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    params: &SigningParams<'_>,
    location: SignatureLocation,
) -> Result<CanonicalRequest, UsageError> {
    let settings = &params.settings;
    // Every signature of either form starts here: an empty key would sign
    // a request the service can only refuse.
    let credentials = params.credentials;
    for (field, value) in [
        ("access_key_id", credentials.access_key_id()),
        ("secret_access_key", credentials.secret_access_key()),
    ] {
        if value.is_empty() {
            return Err(UsageError::new(
                field,
                "is empty; give the credentials' access key id and secret access key",
            ));
        }
    }
    let date = AmzDate::new(params.time)?;
    if location == SignatureLocation::Query && !(1..=MAX_EXPIRES_IN).contains(&settings.expires_in)
    {
        return Err(UsageError::new(
            "expires_in",
            format!(
                "must be 1 to {MAX_EXPIRES_IN} seconds, not {}",
                settings.expires_in
            ),
        ));
    }
    let payload = match settings.payload {
        PayloadHash::Sha256 => Payload::Sha256(Hex64::sha256(body)),
        PayloadHash::Unsigned => Payload::Unsigned,
    };
    let token = params.credentials.session_token();
    if token.is_some_and(has_control) {
        return Err(UsageError::new(
            "session_token",
            "contains a control character",
        ));
    }
    let signed_token = token.filter(|_| settings.session_token == SessionTokenMode::Signed);
    let header_form = location == SignatureLocation::Headers;

    // Every (name, value) to sign, names lower-case (as `http` keeps them).
    let mut entries = Entries::default();
    for (name, value) in headers {
        let name = name.as_str();
        let replaced = header_form
            && (name == "x-amz-date"
                || (token.is_some() && name == "x-amz-security-token")
                || (settings.content_sha256_header && name == "x-amz-content-sha256"));
        if name != "authorization" && !replaced {
            entries.push((name, value.as_bytes()));
        }
    }
    let host;
    if !headers.contains_key(http::header::HOST) {
        host = host_of(uri)?;
        entries.push(("host", host.as_bytes()));
    }
    if header_form {
        entries.push(("x-amz-date", date.date_time().as_bytes()));
        if let Some(token) = signed_token {
            entries.push(("x-amz-security-token", token.as_bytes()));
        }
        if settings.content_sha256_header {
            entries.push(("x-amz-content-sha256", payload.as_str().as_bytes()));
        }
    }
    let entries = entries.as_mut_slice();
    // Stable: values of one name keep their order.
    entries.sort_by(|a, b| a.0.cmp(b.0));

    let path = uri.path();
    let query = uri.query();
    let mut capacity = 100 + path.len() + query.map_or(0, str::len);
    for (name, value) in entries.iter() {
        capacity += 2 * name.len() + value.len() + 2;
    }
    let mut text = String::with_capacity(capacity);
    text.push_str(method.as_str());
    text.push('\n');
    write_canonical_path(
        &mut text,
        path,
        settings.normalize_path,
        settings.uri_encoding,
    );
    text.push('\n');
    if header_form {
        write_canonical_query(&mut text, query, &[]);
    } else {
        let mut signed = String::with_capacity(capacity / 4);
        write_signed_headers(&mut signed, entries);
        let access_key_id = params.credentials.access_key_id();
        let mut credential = String::with_capacity(access_key_id.len() + 1 + scope_len(params));
        credential.push_str(access_key_id);
        credential.push('/');
        push_scope(&mut credential, params, &date);
        let expires = settings.expires_in.to_string();
        let mut extra = vec![
            ("X-Amz-Algorithm", ALGORITHM),
            ("X-Amz-Credential", credential.as_str()),
            ("X-Amz-Date", date.date_time()),
            ("X-Amz-Expires", expires.as_str()),
            ("X-Amz-SignedHeaders", signed.as_str()),
        ];
        if let Some(token) = signed_token {
            extra.push(("X-Amz-Security-Token", token));
        }
        write_canonical_query(&mut text, query, &extra);
    }
    text.push('\n');
    write_headers(&mut text, entries)?;
    text.push('\n');
    let start = text.len();
    write_signed_headers(&mut text, entries);
    let signed_headers = start..text.len();
    text.push('\n');
    let start = text.len();
    text.push_str(payload.as_str());
    let payload_hash = start..text.len();
    Ok(CanonicalRequest {
        text,
        signed_headers,
        payload_hash,
        date,
    })
}

/// How many headers fit in [`Entries`] before it allocates.
const INLINE_ENTRIES: usize = 12;

type Entry<'a> = (&'a str, &'a [u8]);

/// The headers to sign: on the stack up to [`INLINE_ENTRIES`], then on
/// the heap.
struct Entries<'a> {
    inline: [Entry<'a>; INLINE_ENTRIES],
    len: usize,
    spilled: Vec<Entry<'a>>,
}

impl Default for Entries<'_> {
    fn default() -> Self {
        Entries {
            inline: [("", &[]); INLINE_ENTRIES],
            len: 0,
            spilled: Vec::new(),
        }
    }
}

impl<'a> Entries<'a> {
    fn push(&mut self, entry: Entry<'a>) {
        if self.spilled.is_empty() {
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = entry;
                self.len += 1;
                return;
            }
            self.spilled.reserve(2 * INLINE_ENTRIES);
            self.spilled.extend_from_slice(&self.inline);
        }
        self.spilled.push(entry);
    }

    fn as_mut_slice(&mut self) -> &mut [Entry<'a>] {
        if self.spilled.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.spilled
        }
    }
}

/// `Host` from the URI's authority, without user info and default port.
fn host_of(uri: &Uri) -> Result<Cow<'_, str>, UsageError> {
    let authority = uri.authority().ok_or_else(|| {
        UsageError::new(
            "host",
            "the request has no Host header and its URI no authority",
        )
    })?;
    let host = authority.host();
    let default_port = match uri.scheme_str() {
        Some("http") => Some(80),
        Some("https") => Some(443),
        _ => None,
    };
    Ok(match authority.port_u16() {
        Some(port) if Some(port) != default_port => Cow::Owned(format!("{host}:{port}")),
        _ => Cow::Borrowed(host),
    })
}

fn has_control(s: &str) -> bool {
    s.bytes().any(|b| b < 0x20 || b == 0x7f)
}

/// `name:value1,value2\n` per name, values trimmed and inner runs of
/// spaces collapsed to one.
fn write_headers(out: &mut String, entries: &[Entry<'_>]) -> Result<(), UsageError> {
    let mut i = 0;
    while let Some(&(name, _)) = entries.get(i) {
        out.push_str(name);
        out.push(':');
        let mut first = true;
        while let Some(&(_, value)) = entries.get(i).filter(|e| e.0 == name) {
            if !first {
                out.push(',');
            }
            first = false;
            write_value(out, name, value)?;
            i += 1;
        }
        out.push('\n');
    }
    Ok(())
}

fn write_value(out: &mut String, name: &str, value: &[u8]) -> Result<(), UsageError> {
    // Folds without early exits, which the compiler turns into SIMD.
    let control = value
        .iter()
        .fold(false, |found, &b| found | (b < 0x20) | (b == 0x7f));
    if control {
        return Err(UsageError::new(
            format!("header {name}"),
            "value contains a control character",
        ));
    }
    let double_space = value
        .iter()
        .zip(value.iter().skip(1))
        .fold(false, |found, (&a, &b)| found | ((a == b' ') & (b == b' ')));
    let tidy = !double_space && value.first() != Some(&b' ') && value.last() != Some(&b' ');
    let value = std::str::from_utf8(value)
        .map_err(|_| UsageError::new(format!("header {name}"), "value is not UTF-8"))?;
    if tidy {
        out.push_str(value);
        return Ok(());
    }
    for (i, word) in value.split(' ').filter(|w| !w.is_empty()).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    Ok(())
}

/// The distinct names of the sorted `entries`, `;`-separated.
fn write_signed_headers(out: &mut String, entries: &[Entry<'_>]) {
    let mut previous: Option<&str> = None;
    for &(name, _) in entries {
        if previous == Some(name) {
            continue;
        }
        if previous.is_some() {
            out.push(';');
        }
        out.push_str(name);
        previous = Some(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::sigv4::SigningSettings;
    use http::HeaderValue;
    use time::OffsetDateTime;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn time() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_440_938_160).expect("valid timestamp")
    }

    fn creq(
        request: &http::Request<Vec<u8>>,
        creds: &Credentials,
        settings: SigningSettings,
        location: SignatureLocation,
    ) -> Result<CanonicalRequest, UsageError> {
        let params =
            SigningParams::new(creds, "us-east-1", "service", time()).with_settings(settings);
        CanonicalRequest::new(request, &params, location)
    }

    fn get(uri: &str) -> http::Request<Vec<u8>> {
        http::Request::get(uri)
            .body(Vec::new())
            .expect("valid test request")
    }

    #[test]
    fn host_comes_from_the_uri_without_default_port() {
        let creds = Credentials::new("AKID", "S", None);
        for (uri, host) in [
            ("https://h.example:443/", "host:h.example\n"),
            ("http://h.example:80/", "host:h.example\n"),
            ("http://user@h.example:8080/", "host:h.example:8080\n"),
            ("https://[::1]:4568/", "host:[::1]:4568\n"),
        ] {
            let c = creq(
                &get(uri),
                &creds,
                SigningSettings::default(),
                SignatureLocation::Headers,
            )
            .expect("signable");
            assert!(c.as_str().contains(host), "{uri}: {}", c.as_str());
        }
        let e = creq(
            &get("/"),
            &creds,
            SigningSettings::default(),
            SignatureLocation::Headers,
        )
        .expect_err("no host");
        assert_eq!(e.field, "host");
    }

    #[test]
    fn values_are_trimmed_joined_and_checked() {
        let creds = Credentials::new("AKID", "S", None);
        let mut r = get("https://h.example/");
        r.headers_mut()
            .append("x-b", HeaderValue::from_static("  a   b  "));
        r.headers_mut().append("x-a", HeaderValue::from_static("2"));
        r.headers_mut().append("x-a", HeaderValue::from_static("1"));
        r.headers_mut()
            .append("authorization", HeaderValue::from_static("old"));
        let c = creq(
            &r,
            &creds,
            SigningSettings::default(),
            SignatureLocation::Headers,
        )
        .expect("signable");
        assert_eq!(
            c.as_str(),
            format!("GET\n/\n\nhost:h.example\nx-a:2,1\nx-amz-date:20150830T123600Z\nx-b:a b\n\nhost;x-a;x-amz-date;x-b\n{EMPTY_SHA256}")
        );
        assert_eq!(c.signed_headers(), "host;x-a;x-amz-date;x-b");
        assert_eq!(c.payload_hash(), EMPTY_SHA256);

        // `http` lets only a tab through among control characters, and
        // bytes that are not UTF-8.
        for bad in [&b"a\tb"[..], b"\xff\xfe"] {
            let mut r = get("https://h.example/");
            r.headers_mut().insert(
                "x-bad",
                HeaderValue::from_bytes(bad).expect("http accepts it"),
            );
            let e = creq(
                &r,
                &creds,
                SigningSettings::default(),
                SignatureLocation::Headers,
            )
            .expect_err("refused");
            assert_eq!(e.field, "header x-bad", "{bad:?}");
        }
    }

    #[test]
    fn header_form_adds_token_and_content_hash() {
        let creds = Credentials::new("AKID", "S", Some("TOKEN".into()));
        let mut settings = SigningSettings {
            content_sha256_header: true,
            payload: PayloadHash::Unsigned,
            ..SigningSettings::default()
        };
        let mut r = get("https://h.example/");
        r.headers_mut()
            .insert("x-amz-security-token", HeaderValue::from_static("stale"));
        r.headers_mut()
            .insert("x-amz-date", HeaderValue::from_static("stale"));
        let c = creq(&r, &creds, settings, SignatureLocation::Headers).expect("signable");
        assert_eq!(
            c.as_str(),
            "GET\n/\n\nhost:h.example\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:20150830T123600Z\n\
             x-amz-security-token:TOKEN\n\nhost;x-amz-content-sha256;x-amz-date;x-amz-security-token\nUNSIGNED-PAYLOAD"
        );
        settings.session_token = SessionTokenMode::Unsigned;
        let c = creq(&r, &creds, settings, SignatureLocation::Headers).expect("signable");
        assert_eq!(c.signed_headers(), "host;x-amz-content-sha256;x-amz-date");
        let bad = Credentials::new("AKID", "S", Some("TO\nKEN".into()));
        let e = creq(&r, &bad, settings, SignatureLocation::Headers).expect_err("control");
        assert_eq!(e.field, "session_token");
    }

    #[test]
    fn many_headers_spill_to_the_heap_in_order() {
        let creds = Credentials::new("AKID", "S", None);
        let mut r = get("https://h.example/");
        for i in (0..30).rev() {
            r.headers_mut().append(
                http::HeaderName::try_from(format!("x-h{i:02}")).expect("valid name"),
                HeaderValue::from(i),
            );
        }
        r.headers_mut()
            .append("x-h07", HeaderValue::from_static("again"));
        let c = creq(
            &r,
            &creds,
            SigningSettings::default(),
            SignatureLocation::Headers,
        )
        .expect("signable");
        let names: Vec<String> = (0..30).map(|i| format!("x-h{i:02}")).collect();
        assert_eq!(
            c.signed_headers(),
            format!("host;x-amz-date;{}", names.join(";"))
        );
        assert!(c.as_str().contains("\nx-h07:7,again\nx-h08:8\n"));
    }

    #[test]
    fn query_form_checks_expiry() {
        let creds = Credentials::new("AKID", "S", None);
        let mut settings = SigningSettings::default();
        for (expires, ok) in [(0, false), (1, true), (604_800, true), (604_801, false)] {
            settings.expires_in = expires;
            let r = creq(
                &get("https://h.example/"),
                &creds,
                settings,
                SignatureLocation::Query,
            );
            assert_eq!(r.is_ok(), ok, "{expires}");
        }
    }
}
