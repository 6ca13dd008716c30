//! Credential parser and default-chain vectors: one data file per case in
//! `tests/credentials/`, one `#[test]` per case, and a check that every
//! file on disk is run.
//!
//! A case is `key: value` lines, `---`, then the body (an answer, a
//! process's output, a cache file, or a config file for `parser: chain`).
//! `secrets:` lists strings that must not appear in any error's `Display`
//! or `Debug`, nor in the `Debug` of what parsed.

use std::collections::BTreeMap;
use std::path::Path;

use kinesis_proto::credentials::chain::{resolve, Resolved};
use kinesis_proto::credentials::imds::{self, TokenAnswer};
use kinesis_proto::credentials::process::{parse_output, ProcessOutput};
use kinesis_proto::credentials::{container, sso, sts, Source};
use kinesis_proto::profile::ProfileSet;
use kinesis_proto::{Credentials, Error};
use time::OffsetDateTime;

struct Case {
    keys: BTreeMap<String, String>,
    body: String,
}

fn load(name: &str) -> Case {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/credentials")
        .join(format!("{name}.case"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (head, body) = text
        .split_once("\n---\n")
        .unwrap_or_else(|| (text.trim_end_matches("---\n").trim_end_matches("\n---"), ""));
    let keys = head
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l
                .split_once(':')
                .unwrap_or_else(|| panic!("{name}: bad line {l:?}"));
            (k.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    Case {
        keys,
        body: body.to_owned(),
    }
}

impl Case {
    fn get(&self, key: &str) -> Option<&str> {
        self.keys.get(key).map(String::as_str)
    }
    fn need(&self, key: &str) -> &str {
        self.get(key)
            .unwrap_or_else(|| panic!("the case has no {key}"))
    }
    fn response(&self) -> http::Response<Vec<u8>> {
        let status: u16 = self.need("status").parse().expect("a status");
        http::Response::builder()
            .status(status)
            .body(self.body.clone().into_bytes())
            .expect("a response")
    }
    fn secrets(&self) -> Vec<&str> {
        self.get("secrets")
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default()
    }
    fn wall(&self) -> OffsetDateTime {
        let at = self.need("now");
        // The same RFC 3339 form the parsers read; checked through a cache
        // file of our own making.
        let probe = format!(r#"{{"accessToken":"x","expiresAt":"{at}"}}"#);
        let mut lo = 0i64;
        let mut hi = 4_102_444_800i64; // 2100
                                       // The cache check says "expired" when expiresAt <= wall: bisect.
        while lo < hi {
            let mid = (lo + hi) / 2;
            let wall = OffsetDateTime::from_unix_timestamp(mid).expect("in range");
            if sso::parse_cached_token(probe.as_bytes(), wall, "probe").is_err() {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        OffsetDateTime::from_unix_timestamp(lo).expect("in range")
    }
}

fn rfc3339_expiry(c: &Credentials) -> Option<i64> {
    c.expiry().map(OffsetDateTime::unix_timestamp)
}

/// Expiry in the case, as a unix time, through the process parser (the
/// same timestamp reader as every other source).
fn expected_expiry(s: &str) -> Option<i64> {
    if s == "none" {
        return None;
    }
    let out =
        format!(r#"{{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"{s}"}}"#);
    let c = parse_output(&ProcessOutput::success(out.into_bytes()))
        .expect("a valid expiry in the case");
    rfc3339_expiry(&c)
}

fn check_secrets(case: &Case, shown: &str) {
    for secret in case.secrets() {
        assert!(!shown.contains(secret), "{secret:?} shown: {shown}");
    }
}

fn check_credentials(case: &Case, result: Result<Credentials, Error>) {
    let expect = case.need("expect");
    match (
        expect.split_once(' ').map_or((expect, ""), |(a, b)| (a, b)),
        result,
    ) {
        (("ok", _), Ok(c)) => {
            check_secrets(case, &format!("{c:?}"));
            assert_eq!(c.access_key_id(), case.need("access_key_id"));
            match case.need("session_token") {
                "present" => assert!(c.session_token().is_some()),
                "absent" => assert!(c.session_token().is_none()),
                other => panic!("session_token: {other}"),
            }
            assert_eq!(rfc3339_expiry(&c), expected_expiry(case.need("expiry")));
        }
        ((kind, code), Err(e)) => {
            check_error(case, kind, code, &e);
        }
        (_, Ok(c)) => panic!("expected {expect}, got {c:?}"),
    }
}

fn check_error(case: &Case, kind: &str, code: &str, e: &Error) {
    let shown = format!("{e} {e:?}");
    check_secrets(case, &shown);
    match (kind, e) {
        ("service", Error::Service(s)) => {
            if !code.is_empty() {
                assert_eq!(s.code.as_str(), code, "{e}");
            }
            if let Some(id) = case.get("request_id") {
                assert_eq!(s.request_id.as_deref(), Some(id));
            }
        }
        ("response", Error::Response(_)) | ("usage", Error::Usage(_)) => {}
        _ => panic!("expected {kind}, got {e:?}"),
    }
    if let Some(part) = case.get("contains") {
        assert!(shown.contains(part), "{part:?} not in {shown}");
    }
}

fn check_text(case: &Case, result: Result<String, Error>) {
    let expect = case.need("expect");
    match (expect.strip_prefix("text "), result) {
        (Some(want), Ok(got)) => assert_eq!(got, want),
        (None, Err(e)) => {
            let (kind, code) = expect.split_once(' ').unwrap_or((expect, ""));
            check_error(case, kind, code, &e);
        }
        (_, got) => panic!("expected {expect}, got {got:?}"),
    }
}

fn check_chain(case: &Case) {
    let mut env: Vec<(String, String)> = vec![("HOME".into(), "/home/ana".into())];
    for pair in case.get("env").unwrap_or("").split_whitespace() {
        let (k, v) = pair.split_once('=').expect("K=V");
        env.push((k.to_owned(), v.to_owned()));
    }
    let env_fn = |name: &str| {
        env.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let profiles = ProfileSet::parse(Some(&case.body), None).expect("the config parses");
    let got = resolve(&env_fn, &profiles, "us-east-1");
    let expect = case.need("expect");
    match (expect.split_once(' ').expect("kind and text"), got) {
        (("static", origin), Ok(Resolved::Static { origin: o, .. })) => assert_eq!(o, origin),
        (("provider", text), Ok(Resolved::Provider(p))) => {
            assert_eq!(p.describe(), text);
            if let Some(path) = case.get("sso_cache") {
                let Source::Sso(s) = &p.source else {
                    panic!("not SSO: {p:?}")
                };
                assert_eq!(s.cache_file(), Path::new(path));
            }
            if let Some(url) = case.get("sts_endpoint") {
                assert_eq!(p.sts_endpoint, url);
            }
        }
        (("error", text), Err(e)) => assert!(e.to_string().contains(text), "{text:?} not in {e}"),
        (_, got) => panic!("expected {expect}, got {got:?}"),
    }
}

fn run(name: &str) {
    let case = load(name);
    match case.need("parser") {
        "sts" => check_credentials(&case, sts::parse_response(&case.response())),
        "container" => check_credentials(&case, container::parse_response(&case.response())),
        "imds-credentials" => check_credentials(&case, imds::parse_credentials(&case.response())),
        "imds-role" => check_text(&case, imds::parse_role(&case.response())),
        "imds-token" => match (case.need("expect"), imds::parse_token(&case.response())) {
            ("unsupported", TokenAnswer::Unsupported) => {}
            (_, TokenAnswer::Token(t)) => check_text(&case, Ok(t)),
            (_, TokenAnswer::Failed(e)) => check_text(&case, Err(e)),
            (expect, got) => panic!("expected {expect}, got {got:?}"),
        },
        "sso-portal" => check_credentials(&case, sso::parse_role_credentials(&case.response())),
        "sso-token" => check_text(
            &case,
            sso::parse_cached_token(case.body.as_bytes(), case.wall(), "my-sso"),
        ),
        "process" => {
            let code: i32 = case.need("exit").parse().expect("an exit code");
            let out = ProcessOutput {
                success: code == 0,
                code: Some(code),
                stdout: case.body.clone().into_bytes(),
            };
            check_credentials(&case, parse_output(&out));
        }
        "chain" => check_chain(&case),
        other => panic!("unknown parser {other}"),
    }
}

macro_rules! cases {
    ($($test:ident = $name:literal,)*) => {
        $(#[test] fn $test() { run($name); })*
        const CASES: &[&str] = &[$($name),*];
    };
}

cases! {
    sts_assume_role_ok = "sts-assume-role-ok",
    sts_web_identity_ok = "sts-web-identity-ok",
    sts_cdata_and_char_refs = "sts-cdata-and-char-refs",
    sts_access_denied = "sts-access-denied",
    sts_expired_token = "sts-expired-token",
    sts_throttled_html = "sts-throttled-html",
    sts_missing_secret = "sts-missing-secret",
    sts_bad_expiration = "sts-bad-expiration",
    sts_not_xml = "sts-not-xml",
    imds_credentials_ok = "imds-credentials-ok",
    imds_credentials_failure_code = "imds-credentials-failure-code",
    imds_credentials_not_json = "imds-credentials-not-json",
    imds_role_ok = "imds-role-ok",
    imds_role_none = "imds-role-none",
    imds_token_ok = "imds-token-ok",
    imds_token_forbidden = "imds-token-forbidden",
    imds_token_bad_request = "imds-token-bad-request",
    container_ok = "container-ok",
    container_no_expiry = "container-no-expiry",
    container_error = "container-error",
    container_missing_key = "container-missing-key",
    process_ok = "process-ok",
    process_long_term = "process-long-term",
    process_version_2 = "process-version-2",
    process_no_version = "process-no-version",
    process_failed = "process-failed",
    process_not_json = "process-not-json",
    sso_token_ok = "sso-token-ok",
    sso_token_legacy_utc = "sso-token-legacy-utc",
    sso_token_expired = "sso-token-expired",
    sso_token_no_token = "sso-token-no-token",
    sso_portal_ok = "sso-portal-ok",
    sso_portal_unauthorized = "sso-portal-unauthorized",
    sso_portal_forbidden = "sso-portal-forbidden",
    chain_static_profile = "chain-static-profile",
    chain_env_wins = "chain-env-wins",
    chain_role_source_profile = "chain-role-source-profile",
    chain_role_self_source = "chain-role-self-source",
    chain_role_cycle = "chain-role-cycle",
    chain_role_credential_source_env = "chain-role-credential-source-env",
    chain_role_credential_source_imds = "chain-role-credential-source-imds",
    chain_role_credential_source_ecs = "chain-role-credential-source-ecs",
    chain_role_both_sources = "chain-role-both-sources",
    chain_role_no_source = "chain-role-no-source",
    chain_mfa_refused = "chain-mfa-refused",
    chain_web_identity_profile = "chain-web-identity-profile",
    chain_web_identity_env = "chain-web-identity-env",
    chain_web_identity_env_no_role = "chain-web-identity-env-no-role",
    chain_sso_session = "chain-sso-session",
    chain_sso_legacy = "chain-sso-legacy",
    chain_sso_missing_session = "chain-sso-missing-session",
    chain_process = "chain-process",
    chain_container_full_uri = "chain-container-full-uri",
    chain_container_full_uri_refused = "chain-container-full-uri-refused",
    chain_imds_default = "chain-imds-default",
    chain_imds_endpoint = "chain-imds-endpoint",
    chain_nothing = "chain-nothing",
    chain_sts_endpoint = "chain-sts-endpoint",
}

#[test]
fn every_case_on_disk_is_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/credentials");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("the vectors folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".case").map(str::to_owned))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|s| (*s).to_owned()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

mod never_panic {
    use super::*;
    use proptest::prelude::*;

    fn bodies() -> impl Strategy<Value = Vec<u8>> {
        let case_bodies: Vec<Vec<u8>> = CASES.iter().map(|n| load(n).body.into_bytes()).collect();
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..256),
            (
                proptest::sample::select(case_bodies),
                any::<usize>(),
                any::<u8>()
            )
                .prop_map(|(mut b, at, byte)| {
                    // One byte of a real answer changed, or the answer cut short.
                    if !b.is_empty() {
                        let at = at % b.len();
                        if byte % 2 == 0 {
                            b[at] = byte;
                        } else {
                            b.truncate(at);
                        }
                    }
                    b
                }),
        ]
    }

    proptest! {
        #[test]
        fn parsers_never_panic(body in bodies(), status in prop_oneof![Just(200u16), Just(403u16), Just(500u16)]) {
            let response = http::Response::builder().status(status).body(body.clone()).expect("a response");
            let wall = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("in range");
            let _ = sts::parse_response(&response);
            let _ = container::parse_response(&response);
            let _ = imds::parse_credentials(&response);
            let _ = imds::parse_role(&response);
            let _ = imds::parse_token(&response);
            let _ = sso::parse_role_credentials(&response);
            let _ = sso::parse_cached_token(&body, wall, "p");
            let _ = parse_output(&ProcessOutput::success(body));
        }
    }
}
