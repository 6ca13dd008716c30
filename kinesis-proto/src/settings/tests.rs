use super::*;
use std::collections::{BTreeMap, HashMap};

/// Environment variables as (name, value) pairs.
type Pairs = &'static [(&'static str, &'static str)];

const KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "ENV_KEY"),
    ("AWS_SECRET_ACCESS_KEY", "ENV_SECRET"),
];

fn env(pairs: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut all = vec![("HOME", "/home/ana")];
    all.extend_from_slice(pairs);
    all
}

fn ok(
    pairs: &[(&'static str, &'static str)],
    config: Option<&str>,
    credentials: Option<&str>,
) -> Settings {
    Settings::from_sources(env(pairs).as_slice(), config, credentials)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn err(
    pairs: &[(&'static str, &'static str)],
    config: Option<&str>,
    credentials: Option<&str>,
) -> UsageError {
    match Settings::from_sources(env(pairs).as_slice(), config, credentials) {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e,
    }
}

const CONFIG: &str = "\
[default]
region = eu-west-1
[profile dev]
region = us-west-2
aws_access_key_id = CONFIG_KEY
aws_secret_access_key = CONFIG_SECRET
use_fips_endpoint = true
max_attempts = 7
retry_mode = adaptive
services = local
[services local]
kinesis =
  endpoint_url = http://127.0.0.1:4567
[profile plain-endpoint]
region = us-east-1
endpoint_url = https://profile.example.com
";

const CREDENTIALS: &str = "\
[default]
aws_access_key_id = DEFAULT_KEY
aws_secret_access_key = DEFAULT_SECRET
[dev]
aws_access_key_id = DEV_KEY
aws_secret_access_key = DEV_SECRET
aws_session_token = DEV_TOKEN
[plain-endpoint]
aws_access_key_id = P
aws_secret_access_key = P
";

#[test]
fn region_precedence() {
    let cases: [(Pairs, &str); 5] = [
        (&[], "eu-west-1"),
        (&[("AWS_PROFILE", "dev")], "us-west-2"),
        (
            &[("AWS_DEFAULT_REGION", "ap-south-1"), ("AWS_PROFILE", "dev")],
            "ap-south-1",
        ),
        (
            &[
                ("AWS_REGION", "sa-east-1"),
                ("AWS_DEFAULT_REGION", "ap-south-1"),
            ],
            "sa-east-1",
        ),
        (
            &[("AWS_REGION", "  "), ("AWS_DEFAULT_REGION", "ap-south-1")],
            "ap-south-1",
        ),
    ];
    for (pairs, region) in cases {
        let s = ok(pairs, Some(CONFIG), Some(CREDENTIALS));
        assert_eq!(s.config.region(), region, "{pairs:?}");
    }
}

#[test]
fn credentials_precedence() {
    let cases: [(Pairs, &str, Option<&str>); 4] = [
        (&[], "DEFAULT_KEY", None),
        // The credentials file wins over the config file's keys.
        (&[("AWS_PROFILE", "dev")], "DEV_KEY", Some("DEV_TOKEN")),
        (&[("AWS_PROFILE", "dev"), KEYS[0], KEYS[1]], "ENV_KEY", None),
        (
            &[KEYS[0], KEYS[1], ("AWS_SESSION_TOKEN", "ENV_TOKEN")],
            "ENV_KEY",
            Some("ENV_TOKEN"),
        ),
    ];
    for (pairs, key, token) in cases {
        let s = ok(pairs, Some(CONFIG), Some(CREDENTIALS));
        assert_eq!(s.credentials.access_key_id(), key, "{pairs:?}");
        assert_eq!(s.credentials.session_token(), token, "{pairs:?}");
    }
    // Without the credentials file, the config file's keys serve.
    let s = ok(&[("AWS_PROFILE", "dev")], Some(CONFIG), None);
    assert_eq!(s.credentials.access_key_id(), "CONFIG_KEY");
}

#[test]
fn endpoint_precedence() {
    let cases: [(Pairs, Option<&str>); 7] = [
        (&[], None),
        (&[("AWS_PROFILE", "dev")], Some("http://127.0.0.1:4567/")),
        (
            &[("AWS_PROFILE", "plain-endpoint")],
            Some("https://profile.example.com/"),
        ),
        (
            &[
                ("AWS_PROFILE", "dev"),
                ("AWS_ENDPOINT_URL", "http://global:1"),
            ],
            Some("http://global:1/"),
        ),
        (
            &[
                ("AWS_ENDPOINT_URL", "http://global:1"),
                ("AWS_ENDPOINT_URL_KINESIS", "http://kinesis:2"),
            ],
            Some("http://kinesis:2/"),
        ),
        (
            &[
                ("AWS_PROFILE", "dev"),
                ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
                ("AWS_ENDPOINT_URL", "http://g:1"),
            ],
            None,
        ),
        (
            &[
                ("AWS_ENDPOINT_URL_KINESIS", ""),
                ("AWS_ENDPOINT_URL", "http://g:1"),
            ],
            Some("http://g:1/"),
        ),
    ];
    for (pairs, want) in cases {
        // FIPS from profile `dev` would clash with nothing: custom endpoints override it.
        let s = ok(pairs, Some(CONFIG), Some(CREDENTIALS));
        let got = s.config.endpoint_url().map(ToString::to_string);
        assert_eq!(got.as_deref(), want, "{pairs:?}");
    }
}

#[test]
fn flags_and_retry() {
    let s = ok(&[], Some(CONFIG), Some(CREDENTIALS));
    assert_eq!(s.retry, RetryConfig::default());
    let expected = crate::endpoint::resolve(&s.config, crate::Plane::Data, None).expect("resolves");
    assert_eq!(expected.uri, "https://kinesis.eu-west-1.amazonaws.com/");

    let s = ok(
        &[
            ("AWS_PROFILE", "dev"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"),
        ],
        Some(CONFIG),
        Some(CREDENTIALS),
    );
    assert_eq!(s.retry.max_attempts, 7);
    assert_eq!(s.retry.mode, RetryMode::Adaptive);
    let e = crate::endpoint::resolve(&s.config, crate::Plane::Data, None).expect("resolves");
    assert_eq!(e.uri, "https://kinesis-fips.us-west-2.amazonaws.com/");

    let s = ok(
        &[
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
            ("AWS_USE_FIPS_ENDPOINT", "False"),
            ("AWS_MAX_ATTEMPTS", "1"),
            ("AWS_RETRY_MODE", "legacy"),
        ],
        Some(CONFIG),
        Some(CREDENTIALS),
    );
    assert_eq!(s.retry.max_attempts, 1);
    assert_eq!(s.retry.mode, RetryMode::Standard);
    let e = crate::endpoint::resolve(&s.config, crate::Plane::Control, None).expect("resolves");
    assert_eq!(e.uri, "https://kinesis.eu-west-1.api.aws/");

    // The environment wins over the profile for these too.
    let s = ok(
        &[
            ("AWS_PROFILE", "dev"),
            ("AWS_MAX_ATTEMPTS", "2"),
            ("AWS_RETRY_MODE", "Standard"),
        ],
        Some(CONFIG),
        Some(CREDENTIALS),
    );
    assert_eq!(
        (s.retry.max_attempts, s.retry.mode),
        (2, RetryMode::Standard)
    );
}

#[test]
fn malformed_values_name_their_source() {
    let cases: [(Pairs, &str, &str); 8] = [
        (
            &[("AWS_USE_FIPS_ENDPOINT", "yes")],
            "AWS_USE_FIPS_ENDPOINT",
            "neither true nor false",
        ),
        (
            &[("AWS_USE_DUALSTACK_ENDPOINT", "1")],
            "AWS_USE_DUALSTACK_ENDPOINT",
            "neither true nor false",
        ),
        (
            &[("AWS_MAX_ATTEMPTS", "0")],
            "AWS_MAX_ATTEMPTS",
            "1 or more",
        ),
        (
            &[("AWS_MAX_ATTEMPTS", "three")],
            "AWS_MAX_ATTEMPTS",
            "1 or more",
        ),
        (
            &[("AWS_RETRY_MODE", "aggressive")],
            "AWS_RETRY_MODE",
            "not a retry mode",
        ),
        (
            &[("AWS_ENDPOINT_URL_KINESIS", "localhost:4567")],
            "AWS_ENDPOINT_URL_KINESIS",
            "no scheme",
        ),
        (
            &[("AWS_REGION", "US-EAST-1")],
            "region",
            "(from AWS_REGION)",
        ),
        (
            &[("AWS_PROFILE", "bad")],
            "max_attempts (profile \"bad\")",
            "1 or more",
        ),
    ];
    let config = format!("{CONFIG}[profile bad]\nregion = us-east-1\nmax_attempts = -1\n");
    for (pairs, field, problem) in cases {
        let e = err(&[pairs, &KEYS].concat(), Some(&config), None);
        assert_eq!(e.field, field, "{pairs:?}: {e}");
        assert!(e.problem.contains(problem), "{pairs:?}: {e}");
    }
}

#[test]
fn missing_region_says_where_it_looked() {
    let cases: [(Pairs, Option<&str>, &str); 4] = [
        (&[], None, "/home/ana/.aws/config (no such file)"),
        (
            &[("AWS_CONFIG_FILE", "/etc/aws.ini")],
            None,
            "/etc/aws.ini (no such file)",
        ),
        (
            &[("AWS_PROFILE", "nope")],
            Some(CONFIG),
            "/home/ana/.aws/config (no profile \"nope\")",
        ),
        (
            &[("AWS_PROFILE", "keys-only")],
            Some("[profile keys-only]\nx = 1\n"),
            "profile \"keys-only\" in /home/ana/.aws/config",
        ),
    ];
    for (pairs, config, place) in cases {
        let e = err(&[pairs, &KEYS].concat(), config, None);
        assert_eq!(e.field, "region");
        assert!(e.problem.contains("AWS_REGION, AWS_DEFAULT_REGION"), "{e}");
        assert!(e.problem.contains(place), "{pairs:?}: {e}");
    }
}

#[test]
fn missing_credentials_say_where_they_looked() {
    // Without IMDS disabled, the default chain ends at the instance
    // metadata service, which is always "configured".
    let imds = ok(&[("AWS_REGION", "us-east-1")], None, None);
    let provider = imds.credentials_provider.expect("IMDS, last in the chain");
    assert!(
        provider.describe().starts_with("instance metadata"),
        "{provider:?}"
    );
    let e = err(
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
        None,
        None,
    );
    assert_eq!(e.field, "credentials");
    assert!(
        e.problem
            .contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        "{e}"
    );
    assert!(
        e.problem
            .contains("/home/ana/.aws/credentials (no such file)"),
        "{e}"
    );
    assert!(
        e.problem.contains("/home/ana/.aws/config (no such file)"),
        "{e}"
    );

    let e = err(&[("AWS_PROFILE", "ghost")], Some(CONFIG), Some(CREDENTIALS));
    // The region comes first: the profile is missing, so is its region.
    assert_eq!(e.field, "region");
    let e = err(
        &[
            ("AWS_PROFILE", "ghost"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
        Some(CONFIG),
        Some(CREDENTIALS),
    );
    assert_eq!(e.field, "credentials");
    assert!(e.problem.contains("(no profile \"ghost\")"), "{e}");

    // A role is a provider now; its source profile must have credentials.
    let role = "[profile r]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n";
    let e = err(&[("AWS_PROFILE", "r")], Some(role), None);
    assert_eq!(e.field, "credentials");
    assert!(e.problem.contains("\"default\""), "{e}");
    let s = ok(
        &[("AWS_PROFILE", "r")],
        Some(role),
        Some("[default]\naws_access_key_id = A\naws_secret_access_key = S\n"),
    );
    let provider = s.credentials_provider.expect("a role");
    assert_eq!(provider.roles[0].role_arn, "arn:aws:iam::1:role/x");

    let half = "[h]\naws_access_key_id = A\n";
    let e = err(
        &[("AWS_PROFILE", "h"), ("AWS_REGION", "us-east-1")],
        None,
        Some(half),
    );
    assert_eq!(e.field, "aws_secret_access_key (profile \"h\")");

    let e = err(
        &[("AWS_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "A")],
        None,
        Some(CREDENTIALS),
    );
    assert_eq!(
        e.field, "AWS_SECRET_ACCESS_KEY",
        "half-set environment keys are an error, not a fallback"
    );
}

#[test]
fn parse_errors_name_the_file_path_and_line() {
    let e = err(&[], Some("[default]\nregion\n"), None);
    assert_eq!(e.field, "/home/ana/.aws/config");
    assert_eq!(e.problem, "line 2: expected `key = value`");
    let e = err(
        &[("AWS_SHARED_CREDENTIALS_FILE", "/run/creds")],
        None,
        Some("oops\n"),
    );
    assert_eq!(e.field, "/run/creds");
    assert!(e.problem.starts_with("line 1:"), "{e}");
}

#[test]
fn environment_sources() {
    let mut map = HashMap::new();
    map.insert("AWS_REGION".to_owned(), "us-east-1".to_owned());
    map.insert("AWS_ACCESS_KEY_ID".to_owned(), "A".to_owned());
    map.insert("AWS_SECRET_ACCESS_KEY".to_owned(), "S".to_owned());
    let from_map = Settings::from_sources(&map, None, None).expect("map");
    let closure = |name: &str| map.get(name).cloned();
    let from_closure = Settings::from_sources(&closure, None, None).expect("closure");
    let btree: BTreeMap<&str, &str> = [("AWS_REGION", "us-east-1"), KEYS[0], KEYS[1]]
        .into_iter()
        .collect();
    let from_btree = Settings::from_sources(&btree, None, None).expect("btree");
    assert_eq!(from_map.config, from_closure.config);
    assert_eq!(from_btree.config.region(), "us-east-1");
    // In a slice, the last pair for a name wins.
    assert_eq!([("A", "1"), ("A", "2")].var("A").as_deref(), Some("2"));
    assert_eq!(lookup(&[("A", " x ")], "A").as_deref(), Some("x"));
    assert_eq!(lookup(&[("A", "\t")], "A"), None);
}

#[test]
fn builders() {
    let base = ok(&[("AWS_REGION", "us-east-1"), KEYS[0], KEYS[1]], None, None);
    let s = base
        .clone()
        .with_region("eu-central-1")
        .with_connect_timeout(None)
        .with_attempt_timeout(Some(Duration::from_secs(2)))
        .with_call_timeout(Some(Duration::from_secs(30)))
        .with_max_attempts(0)
        .with_extra_root_certificate_pem(b"pem-1".to_vec())
        .with_extra_root_certificate_pem(b"pem-2".to_vec())
        .with_endpoint_url("http://localhost:4567")
        .expect("valid URL");
    assert_eq!(s.config.region(), "eu-central-1");
    assert_eq!(
        s.timeouts,
        Timeouts::NONE
            .with_attempt(Some(Duration::from_secs(2)))
            .with_call(Some(Duration::from_secs(30)))
    );
    assert_eq!(s.retry.max_attempts, 1);
    assert_eq!(
        s.extra_root_certificates_pem,
        [b"pem-1".to_vec(), b"pem-2".to_vec()]
    );
    assert_eq!(
        s.config.endpoint_url().map(ToString::to_string).as_deref(),
        Some("http://localhost:4567/")
    );
    let s = base
        .with_timeouts(Timeouts::NONE)
        .with_retry(RetryConfig::default())
        .with_credentials(Credentials::new("X", "Y", None))
        .with_config(Config::new("ap-east-1"));
    assert_eq!(s.timeouts, Timeouts::NONE);
    assert_eq!(s.credentials.access_key_id(), "X");
    assert_eq!(s.config.region(), "ap-east-1");
    assert!(
        Settings::new(Config::new("x"), Credentials::new("a", "b", None))
            .with_endpoint_url("ftp://x")
            .is_err()
    );
}

/// An environment of a few variables, as the closure `from_env_with` takes.
fn vars(pairs: Pairs) -> impl Fn(&str) -> Option<String> {
    move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

/// A file system of a few files, for `from_env_with`.
fn files(
    entries: &'static [(&'static str, &'static str)],
) -> impl Fn(&Path) -> std::io::Result<String> {
    move |path: &Path| {
        if path.to_str() == Some("/home/me/.aws/unreadable") {
            return Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        }
        entries
            .iter()
            .find(|(p, _)| path.to_str() == Some(*p))
            .map(|(_, text)| (*text).to_owned())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

#[test]
fn from_env_reads_both_files_under_home() {
    let fs = files(&[
        (
            "/home/me/.aws/config",
            "[profile dev]\nregion = eu-west-1\n",
        ),
        (
            "/home/me/.aws/credentials",
            "[dev]\naws_access_key_id = AKIDFILE\naws_secret_access_key = SECRET\n",
        ),
    ]);
    let s = Settings::from_env_with(vars(&[("HOME", "/home/me"), ("AWS_PROFILE", "dev")]), fs)
        .expect("settings from the files");
    assert_eq!(s.config.region(), "eu-west-1");
    assert_eq!(s.credentials.access_key_id(), "AKIDFILE");
}

#[test]
fn from_env_file_variables_override_home_and_env_wins_over_files() {
    let fs = files(&[("/etc/aws-config", "[default]\nregion = ap-south-1\n")]);
    let s = Settings::from_env_with(
        vars(&[
            ("HOME", "/home/me"),
            ("AWS_CONFIG_FILE", "/etc/aws-config"),
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:4568"),
        ]),
        fs,
    )
    .expect("settings");
    assert_eq!(s.config.region(), "ap-south-1");
    assert_eq!(s.credentials.access_key_id(), "AKIDENV");
    assert_eq!(
        s.config.endpoint_url().map(ToString::to_string).as_deref(),
        Some("http://127.0.0.1:4568/")
    );
}

#[test]
fn from_env_missing_and_unreadable_files_count_as_absent() {
    let e = Settings::from_env_with(vars(&[("HOME", "/home/me")]), files(&[]))
        .expect_err("no region anywhere");
    assert_eq!(e.field, "region");
    let e = Settings::from_env_with(
        vars(&[
            ("HOME", "/home/me"),
            ("AWS_CONFIG_FILE", "/home/me/.aws/unreadable"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]),
        files(&[]),
    )
    .expect_err("no credentials anywhere");
    assert_eq!(e.field, "credentials");
}

/// Retry settings: what is set explicitly (a config's `with_retry`, the
/// settings' `with_retry` / `with_max_attempts`) wins over the environment
/// and profile, which only fill in for defaults; the client made by
/// `proto_client` follows the result.
#[test]
fn retry_precedence() {
    let creds = || Credentials::new("AKID", "SECRET", None);
    let adaptive7 = RetryConfig::adaptive().with_max_attempts(7);
    let used = |s: &Settings| *s.proto_client().config().retry();

    // A config's own retry settings are kept.
    let s = Settings::new(Config::new("us-east-1").with_retry(adaptive7), creds());
    assert_eq!(s.retry, adaptive7);
    assert_eq!(used(&s), adaptive7);
    // Later explicit changes to the settings win over the config's.
    assert_eq!(used(&s.clone().with_max_attempts(2)).max_attempts, 2);
    assert_eq!(
        used(&s.clone().with_max_attempts(2)).mode,
        RetryMode::Adaptive
    );
    // Without any, the defaults.
    let s = Settings::new(Config::new("us-east-1"), creds());
    assert_eq!(used(&s), RetryConfig::default());

    // The environment fills the defaults in…
    let from_env = ok(
        &[
            ("AWS_RETRY_MODE", "adaptive"),
            ("AWS_MAX_ATTEMPTS", "5"),
            KEYS[0],
            KEYS[1],
        ],
        Some(CONFIG),
        None,
    );
    let env5 = RetryConfig::adaptive().with_max_attempts(5);
    assert_eq!(used(&from_env), env5);
    // …and stays when a config that sets no retry replaces region and endpoint…
    let s = from_env.clone().with_config(Config::new("ap-south-1"));
    assert_eq!(used(&s), env5);
    assert_eq!(s.proto_client().config().region(), "ap-south-1");
    // …but not when the config sets retry settings, even the default ones.
    let standard2 = RetryConfig::standard().with_max_attempts(2);
    let s = from_env
        .clone()
        .with_config(Config::new("ap-south-1").with_retry(standard2));
    assert_eq!(used(&s), standard2);
    let s = from_env
        .clone()
        .with_config(Config::new("ap-south-1").with_retry(RetryConfig::default()));
    assert_eq!(used(&s), RetryConfig::default());
    // Settings-level changes after the environment win too.
    assert_eq!(used(&from_env.clone().with_max_attempts(9)).max_attempts, 9);
    assert_eq!(used(&from_env.clone().with_retry(standard2)), standard2);
    // Assigning the public field is as explicit as `with_retry`.
    let mut s = from_env;
    s.retry = standard2;
    assert_eq!(used(&s), standard2);
}
