//! The demo binary against a server it does not start: a kinesis-mock this
//! test starts, named by a command-line argument or by
//! `AWS_ENDPOINT_URL_KINESIS`, with region and credentials from the
//! environment, as a user would point it at another Kinesis-compatible
//! server or at AWS.
//!
//! Both demos check what they read against what they wrote and say
//! whether every record arrived exactly once; these tests hold them to
//! the exact counts, so a record lost or repeated fails them.

use std::process::{Command, Output};

use kinesis_tests::mock::REGION;
use kinesis_tests::KinesisMock;

/// The demo with an environment that holds nothing from this machine's
/// AWS set-up: the mock's credentials and region, no profile files.
fn demo(mock: &KinesisMock) -> Command {
    binary(env!("CARGO_BIN_EXE_demo"), mock)
}

/// The binary at `path` with the environment [`demo`] describes.
fn binary(path: &str, mock: &KinesisMock) -> Command {
    let mut command = Command::new(path);
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
    assert!(
        stdout.contains("Producer, plain: 36 records sent, 36 delivered, 0 failed"),
        "{text}"
    );
    assert!(
        stdout.contains("Producer, aggregated: 200 records sent, 200 delivered, 0 failed"),
        "{text}"
    );
    // Aggregation packs the 200 into far fewer Kinesis records.
    assert!(!stdout.contains("as 200 Kinesis records"), "{text}");
    assert!(
        stdout.contains("(200 unpacked from aggregated records)"),
        "{text}"
    );
    assert!(
        stdout.contains(
            "Wrote 236 records, read 236 back: missing 0, repeated 0, unknown 0; \
             every record exactly once: yes"
        ),
        "{text}"
    );
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

#[test]
fn restart_resumes_from_the_checkpoint_file_with_no_gap_and_no_repeat() {
    let mock = KinesisMock::shared();
    let mut command = binary(env!("CARGO_BIN_EXE_demo_restart"), mock);
    command.arg(mock.plain_url());
    let (output, text) = run(command);
    assert!(output.status.success(), "{text}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "Using the server at {}/ (region {REGION})",
            mock.plain_url()
        )),
        "{text}"
    );
    assert!(stdout.contains("Producer: 60 records delivered"), "{text}");
    assert!(stdout.contains("checkpoint file: {\"shardId-"), "{text}");
    assert!(stdout.contains("0 at or before A's checkpoints"), "{text}");
    // "A then B: 25 + 35 = 60 of 60 records: …": A stopped part way
    // (after the batch that took it to 25 or more), B read the rest.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("A then B: "))
        .unwrap_or_else(|| panic!("no summary line\n{text}"));
    let numbers: Vec<usize> = line["A then B: ".len()..]
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .take(4)
        .map(|n| n.parse().expect("a count"))
        .collect();
    let [a, b, sum, total] = numbers[..] else {
        panic!("four counts in {line:?}\n{text}")
    };
    assert!((25..30).contains(&a), "{text}");
    assert_eq!((a + b, sum, total), (60, 60, 60), "{text}");
    assert!(
        line.ends_with(
            "missing 0, repeated 0, unknown 0; every record exactly once across the restart: yes"
        ),
        "{text}"
    );
    assert!(stdout.contains("Deleted stream"), "{text}");
}
