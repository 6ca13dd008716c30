//! The demo binary against a server it does not start: a kinesis-mock this
//! test starts, named by a command-line argument or by
//! `AWS_ENDPOINT_URL_KINESIS`, with region and credentials from the
//! environment, as a user would point it at another Kinesis-compatible
//! server or at AWS.

use std::process::{Command, Output};

use kinesis_tests::mock::REGION;
use kinesis_tests::KinesisMock;

/// The demo with an environment that holds nothing from this machine's
/// AWS set-up: the mock's credentials and region, no profile files.
fn demo(mock: &KinesisMock) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_demo"));
    let credentials = mock.credentials();
    let nowhere = std::env::temp_dir().join("kinesis-demo-test-no-such-file");
    for name in [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_KINESIS",
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ] {
        command.env_remove(name);
    }
    command
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", credentials.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key())
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere);
    command
}

fn run(mut command: Command) -> (Output, String) {
    let output = command.output().expect("the demo runs");
    let text = format!(
        "status {}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, text)
}

/// What a successful run against `url` prints.
fn assert_ran_against(url: &str, output: &Output, text: &str) {
    assert!(output.status.success(), "{text}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("Using the server at {url}/ (region {REGION})")),
        "{text}"
    );
    assert!(!stdout.contains("Starting kinesis-mock"), "{text}");
    assert!(stdout.contains("ListShards: 4 shards in 2 pages"), "{text}");
    assert!(stdout.contains("Wrote 36 records, read 36 back"), "{text}");
    assert!(stdout.contains("byte-exact match: yes"), "{text}");
    assert!(stdout.contains("Deleted stream"), "{text}");
}

#[test]
fn demo_uses_the_endpoint_given_as_an_argument() {
    let mock = KinesisMock::shared();
    let mut command = demo(mock);
    command.arg(mock.plain_url());
    let (output, text) = run(command);
    assert_ran_against(&mock.plain_url(), &output, &text);
}

#[test]
fn demo_uses_aws_endpoint_url_kinesis() {
    let mock = KinesisMock::shared();
    let mut command = demo(mock);
    command.env("AWS_ENDPOINT_URL_KINESIS", mock.plain_url());
    let (output, text) = run(command);
    assert_ran_against(&mock.plain_url(), &output, &text);
}

#[test]
fn the_argument_wins_over_the_variable() {
    let mock = KinesisMock::shared();
    let mut command = demo(mock);
    // Nothing listens on port 9 of 127.0.0.1; the argument is the mock.
    command
        .env("AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:9")
        .arg(mock.plain_url());
    let (output, text) = run(command);
    assert_ran_against(&mock.plain_url(), &output, &text);
}

#[test]
fn demo_says_what_is_wrong_with_a_bad_endpoint_or_missing_credentials() {
    let mock = KinesisMock::shared();
    let mut command = demo(mock);
    command.arg("ftp://127.0.0.1:4567");
    let (output, text) = run(command);
    assert!(!output.status.success(), "{text}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("demo failed: "), "{text}");
    assert!(stderr.contains("endpoint"), "{text}");

    let mut command = demo(mock);
    command
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .arg(mock.plain_url());
    let (output, text) = run(command);
    assert!(!output.status.success(), "{text}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("AWS_ACCESS_KEY_ID"),
        "{text}"
    );
}
