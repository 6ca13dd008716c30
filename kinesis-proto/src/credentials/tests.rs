//! The cache in virtual time, and each fetch driven with scripted answers.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::container::Container;
use super::imds::Imds;
use super::provider::WebIdentity;
use super::sso::Sso;
use super::*;
use crate::error::{Error, TransportError, TransportErrorKind};

fn wall0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("in range")
}

fn temp(id: &str, expiry: OffsetDateTime) -> Credentials {
    Credentials::new(id, "S", Some("T".into())).with_expiry(Some(expiry))
}

fn fail() -> Error {
    Error::Transport(TransportError::new(TransportErrorKind::Connect, "refused"))
}

/// A cache holding `id`, which expires an hour after `wall0`.
fn filled(now: Instant) -> Cache {
    let mut cache = Cache::default();
    let Lookup::Refresh(t) = cache.lookup(now, wall0(), 0.0) else {
        panic!("empty")
    };
    cache.handle_refreshed(
        t,
        Ok(temp("first", wall0() + time::Duration::hours(1))),
        now,
        wall0(),
        0.0,
    );
    cache
}

#[test]
fn refreshes_ahead_of_expiry_once_with_jitter() {
    let now = Instant::now();
    let expiry = wall0() + time::Duration::hours(1);
    // random 0: exactly 5 minutes ahead; random 1: a minute more.
    for (random, ahead) in [(0.0, 300), (0.999_999, 360)] {
        let mut cache = Cache::default();
        let Lookup::Refresh(t) = cache.lookup(now, wall0(), random) else {
            panic!()
        };
        cache.handle_refreshed(t, Ok(temp("first", expiry)), now, wall0(), random);
        let before = expiry - time::Duration::seconds(ahead + 1);
        assert!(
            matches!(cache.lookup(now, before, 0.5), Lookup::Use(_)),
            "{random}"
        );
        let at = expiry - time::Duration::seconds(ahead - 1);
        let Lookup::UseAndRefresh(c, ticket) = cache.lookup(now, at, 0.5) else {
            panic!("due at {ahead}s ahead")
        };
        assert_eq!(c.access_key_id(), "first");
        // Every other caller meanwhile uses what is held; no second ticket.
        for _ in 0..5 {
            assert!(matches!(cache.lookup(now, at, 0.5), Lookup::Use(_)));
        }
        cache.handle_refreshed(
            ticket,
            Ok(temp("second", expiry + time::Duration::hours(1))),
            now,
            at,
            0.5,
        );
        let Lookup::Use(c) = cache.lookup(now, at, 0.5) else {
            panic!()
        };
        assert_eq!(c.access_key_id(), "second");
    }
}

#[test]
fn short_lived_credentials_refresh_at_half_life() {
    let now = Instant::now();
    let mut cache = Cache::default();
    let Lookup::Refresh(t) = cache.lookup(now, wall0(), 0.0) else {
        panic!()
    };
    cache.handle_refreshed(
        t,
        Ok(temp("short", wall0() + time::Duration::minutes(6))),
        now,
        wall0(),
        0.0,
    );
    assert!(matches!(
        cache.lookup(now, wall0() + time::Duration::seconds(170), 0.0),
        Lookup::Use(_)
    ));
    assert!(matches!(
        cache.lookup(now, wall0() + time::Duration::seconds(181), 0.0),
        Lookup::UseAndRefresh(..)
    ));
}

#[test]
fn a_failed_refresh_keeps_serving_and_backs_off() {
    let start = Instant::now();
    let mut cache = filled(start);
    let due = wall0() + time::Duration::minutes(56);
    let mut now = start;
    let mut backoffs = Vec::new();
    for _ in 0..4 {
        let Lookup::UseAndRefresh(c, t) = cache.lookup(now, due, 0.0) else {
            panic!("due")
        };
        assert_eq!(c.access_key_id(), "first");
        cache.handle_refreshed(t, Err(fail()), now, due, 0.0);
        // Until the backoff passes: the held credentials, no new refresh.
        let retry = cache.poll_timeout().expect("a retry time");
        backoffs.push(retry - now);
        assert!(matches!(cache.lookup(now, due, 0.0), Lookup::Use(_)));
        assert!(matches!(
            cache.lookup(retry - Duration::from_millis(1), due, 0.0),
            Lookup::Use(_)
        ));
        now = retry;
    }
    // random 0 takes half of 1, 2, 4, 8 s.
    assert_eq!(backoffs, [500, 1000, 2000, 4000].map(Duration::from_millis));
}

#[test]
fn expired_and_failing_gives_the_error_until_the_retry() {
    let start = Instant::now();
    let mut cache = filled(start);
    let late = wall0() + time::Duration::hours(2);
    let Lookup::Refresh(t) = cache.lookup(start, late, 0.0) else {
        panic!("expired: refresh now")
    };
    cache.handle_refreshed(t, Err(fail()), start, late, 0.0);
    assert!(matches!(
        cache.lookup(start, late, 0.0),
        Lookup::Fail(Error::Transport(_))
    ));
    let retry = cache.poll_timeout().expect("retry time");
    assert!(matches!(cache.lookup(retry, late, 0.0), Lookup::Refresh(_)));
}

#[test]
fn concurrent_callers_share_one_refresh() {
    let now = Instant::now();
    let mut cache = Cache::default();
    let mut tickets = Vec::new();
    let mut waits = 0;
    for _ in 0..8 {
        match cache.lookup(now, wall0(), 0.3) {
            Lookup::Refresh(t) => tickets.push(t),
            Lookup::Wait => waits += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((tickets.len(), waits), (1, 7));
    assert_eq!(
        cache.poll_timeout(),
        Some(now + CacheSettings::default().refresh_timeout)
    );
    let t = tickets.pop().expect("one ticket");
    cache.handle_refreshed(
        t,
        Ok(temp("shared", wall0() + time::Duration::hours(1))),
        now,
        wall0(),
        0.3,
    );
    for _ in 0..8 {
        assert!(matches!(cache.lookup(now, wall0(), 0.3), Lookup::Use(_)));
    }
}

#[test]
fn a_stuck_refresh_is_given_up_on_and_its_late_answer_still_counts() {
    let start = Instant::now();
    let mut cache = Cache::default();
    let Lookup::Refresh(stuck) = cache.lookup(start, wall0(), 0.0) else {
        panic!()
    };
    let limit = CacheSettings::default().refresh_timeout;
    assert!(matches!(
        cache.lookup(start + limit - Duration::from_millis(1), wall0(), 0.0),
        Lookup::Wait
    ));
    let Lookup::Refresh(second) = cache.lookup(start + limit, wall0(), 0.0) else {
        panic!("given up on")
    };
    // The stuck one comes back with credentials after all: they are used.
    cache.handle_refreshed(
        stuck,
        Ok(temp("late", wall0() + time::Duration::hours(1))),
        start + limit,
        wall0(),
        0.0,
    );
    assert!(
        matches!(cache.lookup(start + limit, wall0(), 0.0), Lookup::Use(c) if c.access_key_id() == "late")
    );
    // The second one's failure does not throw them away.
    cache.handle_refreshed(second, Err(fail()), start + limit, wall0(), 0.0);
    assert!(matches!(
        cache.lookup(start + limit, wall0(), 0.0),
        Lookup::Use(_)
    ));
}

#[test]
fn expiry_is_judged_by_the_corrected_clock_given() {
    // The local clock runs 20 minutes slow; the call hands the cache the
    // corrected time (what the service's Date header says).
    let now = Instant::now();
    let mut cache = filled(now);
    let expiry = wall0() + time::Duration::hours(1);
    let local = expiry - time::Duration::minutes(25);
    let corrected = local + time::Duration::minutes(20);
    assert!(
        matches!(cache.lookup(now, local, 0.0), Lookup::Use(_)),
        "not yet due by the slow clock"
    );
    assert!(
        matches!(cache.lookup(now, corrected, 0.0), Lookup::UseAndRefresh(..)),
        "due by the corrected one"
    );
    // Within the expiry margin the credentials are not handed out at all.
    let mut cache = filled(now);
    assert!(matches!(
        cache.lookup(now, expiry - time::Duration::seconds(5), 0.0),
        Lookup::Refresh(_)
    ));
}

#[test]
fn long_term_credentials_are_never_refreshed() {
    let now = Instant::now();
    let mut cache = Cache::default();
    let Lookup::Refresh(t) = cache.lookup(now, wall0(), 0.0) else {
        panic!()
    };
    cache.handle_refreshed(
        t,
        Ok(Credentials::new("AKID", "S", None)),
        now,
        wall0(),
        0.0,
    );
    assert!(matches!(
        cache.lookup(now, wall0() + time::Duration::days(3650), 0.0),
        Lookup::Use(_)
    ));
}

// ---- fetches driven with scripted answers ----

fn ok(status: u16, body: &str) -> Answer {
    Answer::Http(Ok(http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .expect("a response")))
}

fn http_need(fetch: &mut Fetch) -> http::Request<Vec<u8>> {
    match fetch.poll(wall0()) {
        Step::Need(Need::Http { request, .. }) => request,
        other => panic!("expected an HTTP need, got {other:?}"),
    }
}

fn file_need(fetch: &mut Fetch) -> PathBuf {
    match fetch.poll(wall0()) {
        Step::Need(Need::File { path }) => path,
        other => panic!("expected a file need, got {other:?}"),
    }
}

fn done(fetch: &mut Fetch) -> Result<Credentials, Error> {
    match fetch.poll(wall0()) {
        Step::Done(r) => r,
        other => panic!("expected the end, got {other:?}"),
    }
}

const IMDS_CREDS: &str = r#"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"S","Token":"T","Expiration":"2027-01-15T08:00:00Z"}"#;

#[test]
fn imds_v2_token_role_credentials() {
    let provider = Provider::new(
        Source::Imds(Imds::new("http://169.254.169.254")),
        "us-east-1",
    );
    let mut f = Fetch::new(&provider);
    let put = http_need(&mut f);
    assert_eq!(
        (put.method().as_str(), put.uri().path()),
        ("PUT", "/latest/api/token")
    );
    assert_eq!(
        put.headers()["x-aws-ec2-metadata-token-ttl-seconds"],
        "21600"
    );
    f.handle(ok(200, "TOKEN-IMDS"), wall0());
    let role = http_need(&mut f);
    assert_eq!(
        role.uri().path(),
        "/latest/meta-data/iam/security-credentials/"
    );
    assert_eq!(role.headers()["x-aws-ec2-metadata-token"], "TOKEN-IMDS");
    assert!(!format!(
        "{:?}",
        Need::Http {
            request: role,
            timeout: Duration::ZERO
        }
    )
    .contains("TOKEN-IMDS"));
    f.handle(ok(500, ""), wall0()); // retried
    let role = http_need(&mut f);
    f.handle(ok(200, "web-role\n"), wall0());
    let _ = role;
    let creds = http_need(&mut f);
    assert_eq!(
        creds.uri().path(),
        "/latest/meta-data/iam/security-credentials/web-role"
    );
    assert_eq!(creds.headers()["x-aws-ec2-metadata-token"], "TOKEN-IMDS");
    f.handle(ok(200, IMDS_CREDS), wall0());
    assert_eq!(
        done(&mut f).expect("credentials").access_key_id(),
        "ASIAIMDS"
    );
}

#[test]
fn imds_v1_fallback_only_where_allowed() {
    for v1_disabled in [false, true] {
        let mut imds = Imds::new("http://127.0.0.1:1338/");
        imds.v1_disabled = v1_disabled;
        let mut f = Fetch::new(&Provider::new(Source::Imds(imds), "us-east-1"));
        let _ = http_need(&mut f);
        f.handle(ok(404, ""), wall0());
        if v1_disabled {
            let e = done(&mut f).expect_err("v1 disabled");
            assert!(e.to_string().contains("IMDSv1 is disabled"), "{e}");
            continue;
        }
        let role = http_need(&mut f);
        assert_eq!(
            role.uri().to_string(),
            "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/"
        );
        assert!(role.headers().get("x-aws-ec2-metadata-token").is_none());
    }
}

#[test]
fn imds_gives_up_after_its_attempts() {
    let mut f = Fetch::new(&Provider::new(
        Source::Imds(Imds::new("http://169.254.169.254")),
        "us-east-1",
    ));
    for _ in 0..imds::ATTEMPTS {
        let _ = http_need(&mut f);
        f.handle(
            Answer::Http(Err(TransportError::new(TransportErrorKind::Timeout, "1s"))),
            wall0(),
        );
    }
    let e = done(&mut f).expect_err("three timeouts");
    assert!(
        matches!(&e, Error::Transport(t) if t.message.starts_with("IMDS")),
        "{e:?}"
    );
}

#[test]
fn web_identity_reads_the_token_at_every_fetch() {
    let provider = Provider::new(
        Source::WebIdentity(WebIdentity {
            token_file: "/var/run/token".into(),
            role_arn: "arn:aws:iam::1:role/pod".into(),
            session_name: Some("pod-1".into()),
        }),
        "eu-west-1",
    );
    for token in ["WEB-TOKEN-ONE", "WEB-TOKEN-TWO"] {
        let mut f = Fetch::new(&provider);
        assert_eq!(file_need(&mut f), PathBuf::from("/var/run/token"));
        f.handle(Answer::File(Ok(format!("{token}\n").into_bytes())), wall0());
        let sts = http_need(&mut f);
        assert_eq!(
            sts.uri().to_string(),
            "https://sts.eu-west-1.amazonaws.com/"
        );
        let body = String::from_utf8(sts.body().clone()).expect("text");
        assert!(
            body.contains(&format!("WebIdentityToken={token}&"))
                || body.ends_with(&format!("WebIdentityToken={token}")),
            "{body}"
        );
        assert!(body.contains("RoleSessionName=pod-1"));
        let shown = format!(
            "{:?} {f:?}",
            Need::Http {
                request: sts,
                timeout: Duration::ZERO
            }
        );
        assert!(!shown.contains(token), "{shown}");
        f.handle(ok(403, "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>no</Message></Error></ErrorResponse>"), wall0());
        let e = done(&mut f).expect_err("refused");
        assert_eq!(
            e.code().map(|c| c.as_str().to_owned()).as_deref(),
            Some("InvalidIdentityToken")
        );
        assert!(!format!("{e} {e:?}").contains(token));
    }
}

fn sts_ok(id: &str) -> Answer {
    ok(200, &format!("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>{id}</AccessKeyId><SecretAccessKey>S-{id}</SecretAccessKey><SessionToken>T-{id}</SessionToken><Expiration>2027-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"))
}

#[test]
fn a_role_chain_signs_each_step_with_the_one_before() {
    let mut provider = Provider::new(
        Source::Static(Credentials::new("AKIDBASE", "SBASE", None)),
        "us-east-1",
    );
    provider.roles = vec![
        AssumeRole::new("arn:aws:iam::1:role/a"),
        AssumeRole::new("arn:aws:iam::1:role/b"),
    ];
    provider.roles[1].external_id = Some("ext".into());
    let mut f = Fetch::new(&provider);
    let first = http_need(&mut f);
    let auth = first.headers()["authorization"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(auth.contains("Credential=AKIDBASE/"), "{auth}");
    f.handle(sts_ok("ASIAA"), wall0());
    let second = http_need(&mut f);
    let auth = second.headers()["authorization"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(auth.contains("Credential=ASIAA/"), "{auth}");
    assert_eq!(second.headers()["x-amz-security-token"], "T-ASIAA");
    let body = String::from_utf8(second.body().clone()).expect("text");
    assert!(
        body.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fb")
            && body.contains("ExternalId=ext"),
        "{body}"
    );
    f.handle(sts_ok("ASIAB"), wall0());
    let c = done(&mut f).expect("the last role's credentials");
    assert_eq!(c.access_key_id(), "ASIAB");
    assert!(matches!(f.poll(wall0()), Step::Done(Err(_))), "over");
}

#[test]
fn container_token_file_is_read_and_sent() {
    let c = Container::new("http://169.254.170.23/v1/credentials")
        .with_token_file("/var/run/eks-token");
    let mut f = Fetch::new(&Provider::new(Source::Container(c), "us-east-1"));
    assert_eq!(file_need(&mut f), PathBuf::from("/var/run/eks-token"));
    f.handle(Answer::File(Ok(b"POD-TOKEN\n".to_vec())), wall0());
    let get = http_need(&mut f);
    assert_eq!(get.headers()["authorization"], "POD-TOKEN");
    f.handle(ok(200, r#"{"AccessKeyId":"ASIAPOD","SecretAccessKey":"S","Token":"T","Expiration":"2027-01-01T00:00:00Z"}"#), wall0());
    assert_eq!(done(&mut f).expect("ok").access_key_id(), "ASIAPOD");
    // A token given directly is never shown by Debug.
    let direct = Provider::new(
        Source::Container(Container::new("http://127.0.0.1/c").with_token("DIRECT-TOKEN")),
        "us-east-1",
    );
    assert!(!format!("{direct:?}").contains("DIRECT-TOKEN"));
}

fn sso() -> Sso {
    Sso {
        start_url: "https://corp.awsapps.com/start".into(),
        region: "eu-west-1".into(),
        account_id: "111122223333".into(),
        role_name: "Reader".into(),
        session_name: Some("my-sso".into()),
        cache_dir: "/home/ana/.aws/sso/cache".into(),
        portal: "https://portal.sso.eu-west-1.amazonaws.com".into(),
        oidc: "https://oidc.eu-west-1.amazonaws.com".into(),
    }
}

#[test]
fn sso_cache_then_portal() {
    let mut f = Fetch::new(&Provider::new(Source::Sso(sso()), "eu-west-1"));
    assert_eq!(file_need(&mut f), sso().cache_file());
    f.handle(
        Answer::File(Ok(
            br#"{"accessToken":"SSO-ACCESS","expiresAt":"2028-01-01T00:00:00Z"}"#.to_vec(),
        )),
        wall0(),
    );
    let get = http_need(&mut f);
    assert_eq!(get.uri().to_string(), "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?account_id=111122223333&role_name=Reader");
    assert_eq!(get.headers()["x-amz-sso_bearer_token"], "SSO-ACCESS");
    f.handle(ok(200, r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"S","sessionToken":"T","expiration":1830000000000}}"#), wall0());
    assert_eq!(done(&mut f).expect("ok").access_key_id(), "ASIASSO");
}

#[test]
fn sso_without_a_cached_token_says_to_log_in() {
    let mut f = Fetch::new(&Provider::new(Source::Sso(sso()), "eu-west-1"));
    let _ = file_need(&mut f);
    f.handle(Answer::File(Err(FileError::NotFound)), wall0());
    let e = done(&mut f).expect_err("no token");
    assert!(
        e.to_string().contains("aws sso login --sso-session my-sso"),
        "{e}"
    );
}

#[test]
fn a_wrong_answer_ends_the_fetch() {
    let mut f = Fetch::new(&Provider::process("helper"));
    let _ = f.poll(wall0());
    f.handle(ok(200, "{}"), wall0());
    assert!(matches!(done(&mut f), Err(Error::Usage(_))));
}

#[test]
fn imds_last_in_the_chain_says_what_else_was_looked_at() {
    let mut provider = Provider::new(
        Source::Imds(Imds::new("http://169.254.169.254")),
        "us-east-1",
    );
    provider.skipped = vec!["profile \"default\" (not in the shared files)".into()];
    let mut f = Fetch::new(&provider);
    for _ in 0..imds::ATTEMPTS {
        let _ = http_need(&mut f);
        f.handle(
            Answer::Http(Err(TransportError::new(
                TransportErrorKind::Connect,
                "no route",
            ))),
            wall0(),
        );
    }
    let e = done(&mut f).expect_err("not on EC2");
    assert!(
        e.to_string().contains("looked in profile \"default\""),
        "{e}"
    );
}

/// A cache file whose token expires `minutes` after `wall0`, refreshable.
fn sso_cache(minutes: i64) -> Vec<u8> {
    let at = wall0() + time::Duration::minutes(minutes);
    let at = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    format!(
        r#"{{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"OLD-ACCESS","expiresAt":"{at}",
            "clientId":"CID","clientSecret":"CLIENT-SECRET","refreshToken":"REFRESH-1","registrationExpiresAt":"2099-01-01T00:00:00Z"}}"#
    )
    .into_bytes()
}

const PORTAL_OK: &str = r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"S","sessionToken":"T","expiration":1830000000000}}"#;

#[test]
fn sso_session_token_near_expiry_is_refreshed_and_written_back() {
    let mut f = Fetch::new(&Provider::new(Source::Sso(sso()), "eu-west-1"));
    let _ = file_need(&mut f);
    f.handle(Answer::File(Ok(sso_cache(2))), wall0());
    let post = http_need(&mut f);
    assert_eq!(
        post.uri().to_string(),
        "https://oidc.eu-west-1.amazonaws.com/token"
    );
    let body: serde_json::Value = serde_json::from_slice(post.body()).expect("JSON");
    assert_eq!(body["grantType"], "refresh_token");
    assert_eq!(body["refreshToken"], "REFRESH-1");
    f.handle(ok(200, r#"{"accessToken":"NEW-ACCESS","expiresIn":28800,"refreshToken":"REFRESH-2","tokenType":"Bearer"}"#), wall0());
    let (path, contents) = match f.poll(wall0()) {
        Step::Need(need @ Need::WriteFile { .. }) => {
            assert!(!format!("{need:?}").contains("NEW-ACCESS"), "{need:?}");
            let Need::WriteFile { path, contents } = need else {
                unreachable!()
            };
            (path, contents)
        }
        other => panic!("expected the write-back, got {other:?}"),
    };
    assert_eq!(path, sso().cache_file());
    let written: serde_json::Value = serde_json::from_slice(&contents).expect("JSON");
    assert_eq!(written["accessToken"], "NEW-ACCESS");
    assert_eq!(written["refreshToken"], "REFRESH-2");
    assert_eq!(written["startUrl"], "https://corp.awsapps.com/start");
    assert_eq!(written["expiresAt"], "2027-01-15T16:00:00Z");
    f.handle(
        Answer::Written(Err(FileError::Other("read-only".into()))),
        wall0(),
    );
    let get = http_need(&mut f);
    assert_eq!(get.headers()["x-amz-sso_bearer_token"], "NEW-ACCESS");
    f.handle(ok(200, PORTAL_OK), wall0());
    assert_eq!(done(&mut f).expect("ok").access_key_id(), "ASIASSO");
}

#[test]
fn a_failed_sso_refresh_uses_the_token_until_it_expires() {
    for (minutes, works) in [(2, true), (-1, false)] {
        let mut f = Fetch::new(&Provider::new(Source::Sso(sso()), "eu-west-1"));
        let _ = file_need(&mut f);
        f.handle(Answer::File(Ok(sso_cache(minutes))), wall0());
        let _ = http_need(&mut f);
        f.handle(ok(400, r#"{"error":"invalid_grant"}"#), wall0());
        if works {
            let get = http_need(&mut f);
            assert_eq!(get.headers()["x-amz-sso_bearer_token"], "OLD-ACCESS");
        } else {
            let e = done(&mut f).expect_err("expired, not refreshed");
            assert!(
                e.to_string().contains("aws sso login --sso-session my-sso"),
                "{e}"
            );
            assert!(!format!("{e:?}").contains("CLIENT-SECRET"));
        }
    }
}

#[test]
fn a_legacy_sso_profile_is_not_refreshed() {
    let mut legacy = sso();
    legacy.session_name = None;
    let mut f = Fetch::new(&Provider::new(Source::Sso(legacy), "eu-west-1"));
    let _ = file_need(&mut f);
    f.handle(Answer::File(Ok(sso_cache(-1))), wall0());
    let e = done(&mut f).expect_err("expired");
    assert!(e.to_string().contains("run `aws sso login`"), "{e}");
}
