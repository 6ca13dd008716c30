//! Credentials from real servers on 127.0.0.1: STS (`AssumeRole` through a
//! profile chain, `AssumeRoleWithWebIdentity`) and the instance metadata
//! service from moto, the container provider pointed at moto's
//! credentials JSON, `credential_process` as a real process; then Kinesis
//! calls signed with what was obtained, against kinesis-mock, from both
//! clients. SSO has no local server: its cache and portal are covered by
//! kinesis-proto's vectors.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use kinesis_proto::ops::ListStreams;
use kinesis_proto::{Credentials, Settings};
use kinesis_tests::moto::Moto;
use kinesis_tests::KinesisMock;

/// Every log line of this test binary.
fn logs() -> &'static Mutex<Vec<String>> {
    struct Capture(Mutex<Vec<String>>);
    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            let line = format!("{} {} {}", record.level(), record.target(), record.args());
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line);
        }
        fn flush(&self) {}
    }
    static LOGGER: OnceLock<&'static Capture> = OnceLock::new();
    let logger = LOGGER.get_or_init(|| {
        let logger: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        if log::set_logger(logger).is_ok() {
            log::set_max_level(log::LevelFilter::Debug);
        }
        logger
    });
    &logger.0
}

/// Neither the secret nor the token of `c` was logged, shown by `Debug`
/// of the settings, or in a string the test hands in.
fn assert_never_shown(c: &Credentials, settings: &Settings) {
    let all = logs()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .join("\n");
    let debug = format!("{settings:?}");
    let mut secrets = vec![c.secret_access_key()];
    secrets.extend(c.session_token());
    for secret in secrets {
        assert!(!all.contains(secret), "a secret was logged:\n{all}");
        assert!(!debug.contains(secret), "a secret is in Debug: {debug}");
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kinesis-creds-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// Settings from `env` (plus the region, a home without profile files and
/// kinesis-mock as the Kinesis endpoint) and `config` as the config file.
fn settings(env: &[(&str, String)], config: Option<&str>) -> Settings {
    let _ = logs();
    let mock = KinesisMock::shared();
    let mut all: Vec<(String, String)> = vec![
        ("HOME".into(), "/nonexistent-home".into()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_ENDPOINT_URL_KINESIS".into(), mock.plain_url()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
    ];
    all.extend(env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let var = |name: &str| {
        all.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let settings = Settings::from_sources(&var, config, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(settings.credentials_provider.is_some(), "{settings:?}");
    settings
}

/// Fetches with both clients, then calls Kinesis with both.
fn fetch_and_call(settings: &Settings) -> Credentials {
    let provider = settings.credentials_provider.as_ref().expect("a provider");
    let blocking =
        kinesis_blocking::fetch_credentials(provider, settings).unwrap_or_else(|e| panic!("{e}"));
    let asynchronous =
        async_std::task::block_on(kinesis_async::fetch_credentials(provider, settings))
            .unwrap_or_else(|e| panic!("{e}"));
    // STS makes new keys at every call; the kind of key is the same.
    assert_eq!(
        blocking.access_key_id()[..4],
        asynchronous.access_key_id()[..4]
    );
    assert_eq!(
        blocking.session_token().is_some(),
        asynchronous.session_token().is_some()
    );
    assert!(blocking.expiry().is_some(), "{blocking:?}");
    let client = kinesis_blocking::Client::new(settings.clone()).expect("a client");
    client
        .call(&ListStreams::new())
        .unwrap_or_else(|e| panic!("blocking ListStreams: {e}"));
    let client = kinesis_async::Client::new(settings.clone()).expect("a client");
    async_std::task::block_on(client.call(&ListStreams::new()))
        .unwrap_or_else(|e| panic!("async ListStreams: {e}"));
    assert_never_shown(&blocking, settings);
    blocking
}

#[test]
fn assume_role_through_a_profile_chain() {
    let moto = Moto::shared();
    let config = "\
[profile base]
aws_access_key_id = AKIDBASEEXAMPLE
aws_secret_access_key = base-secret
[profile middle]
role_arn = arn:aws:iam::123456789012:role/middle
source_profile = base
[profile writer]
role_arn = arn:aws:iam::123456789012:role/kinesis-writer
source_profile = middle
role_session_name = integration
duration_seconds = 900
";
    let s = settings(
        &[
            ("AWS_PROFILE", "writer".into()),
            ("AWS_ENDPOINT_URL_STS", moto.url()),
        ],
        Some(config),
    );
    assert_eq!(
        s.credentials_provider.as_ref().map(|p| p.roles.len()),
        Some(2)
    );
    let c = fetch_and_call(&s);
    assert!(c.access_key_id().starts_with("ASIA"), "{c:?}");
    assert!(c.session_token().is_some());
}

#[test]
fn assume_role_with_web_identity_rereads_the_token() {
    let moto = Moto::shared();
    let dir = temp_dir("web");
    let token = dir.join("token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.e30.WEB-IDENTITY-TOKEN-SECRET").expect("write");
    let s = settings(
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string()),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod".into()),
            ("AWS_ROLE_SESSION_NAME", "pod-1".into()),
            ("AWS_ENDPOINT_URL_STS", moto.url()),
        ],
        None,
    );
    let c = fetch_and_call(&s);
    assert!(c.access_key_id().starts_with("ASIA"), "{c:?}");
    let all = logs()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .join("\n");
    assert!(!all.contains("WEB-IDENTITY-TOKEN-SECRET"), "{all}");
    // The file is read at every fetch: gone, the next fetch says so.
    std::fs::remove_file(&token).expect("remove");
    let provider = s.credentials_provider.as_ref().expect("a provider");
    let e = kinesis_blocking::fetch_credentials(provider, &s).expect_err("no token file");
    assert!(e.to_string().contains("web identity token file"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn instance_metadata_v2() {
    let moto = Moto::shared();
    let s = settings(
        &[
            ("AWS_EC2_METADATA_DISABLED", "false".into()),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", moto.url()),
            ("AWS_EC2_METADATA_V1_DISABLED", "true".into()),
        ],
        None,
    );
    let c = fetch_and_call(&s);
    assert_eq!(c.access_key_id(), "test-key");
}

#[test]
fn container_endpoint_with_a_token_file() {
    let moto = Moto::shared();
    let dir = temp_dir("container");
    let token = dir.join("token");
    std::fs::write(&token, "container-auth-token\n").expect("write");
    // moto's instance-metadata credentials answer is the same JSON a
    // container endpoint gives.
    let uri = format!(
        "{}/latest/meta-data/iam/security-credentials/default-role",
        moto.url()
    );
    let s = settings(
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token.display().to_string(),
            ),
        ],
        None,
    );
    let c = fetch_and_call(&s);
    assert_eq!(c.access_key_id(), "test-key");
    let _ = std::fs::remove_dir_all(dir);
}

/// A `credential_process` whose credentials live 14 s: a client calling
/// for 10 s refreshes them (ahead of expiry, in the background) without
/// a failed call.
#[test]
fn credential_process_refreshes_under_a_running_client() {
    let dir = temp_dir("process");
    let runs = dir.join("runs");
    let script = dir.join("helper.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho run >> '{}'\nexp=$(date -u -d '+14 seconds' +%Y-%m-%dT%H:%M:%SZ)\n\
             printf '{{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\", \"SecretAccessKey\": \"process-secret\", \"SessionToken\": \"process-token\", \"Expiration\": \"%s\"}}' \"$exp\"\n",
            runs.display()
        ),
    )
    .expect("write");
    let config = format!("[default]\ncredential_process = sh {}\n", script.display());
    let s = settings(&[], Some(&config));
    let client = kinesis_blocking::Client::new(s.clone()).expect("a client");
    let started = Instant::now();
    let mut calls = 0;
    while started.elapsed() < Duration::from_secs(10) {
        client
            .call(&ListStreams::new())
            .unwrap_or_else(|e| panic!("call {calls}: {e}"));
        calls += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    let ran = std::fs::read_to_string(&runs)
        .expect("the helper ran")
        .lines()
        .count();
    assert!(ran >= 2, "the helper ran {ran} times in {calls} calls");
    let all = logs()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .join("\n");
    assert!(
        !all.contains("process-secret") && !all.contains("process-token"),
        "{all}"
    );
    // The async client, once.
    let client = kinesis_async::Client::new(s).expect("a client");
    async_std::task::block_on(client.call(&ListStreams::new())).expect("async call");
    let _ = std::fs::remove_dir_all(dir);
}
