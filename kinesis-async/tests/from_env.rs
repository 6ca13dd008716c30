//! `Client::from_env` reads the environment and the profile files it
//! names. (Its own test binary: it sets process-wide variables.)

use kinesis_async::Client;

#[test]
fn from_env_reads_variables_and_profile_files() {
    let dir = std::env::temp_dir().join(format!("kinesis-async-from-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(&config, "[profile dev]\nregion = eu-west-1\n").expect("write config");
    std::fs::write(
        &credentials,
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = SECRET\n",
    )
    .expect("write credentials");
    for name in [
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ENDPOINT_URL",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("AWS_CONFIG_FILE", &config);
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
    std::env::set_var("AWS_PROFILE", "dev");
    std::env::set_var("AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:4568");

    let client = Client::from_env().expect("settings from the files");
    assert_eq!(client.config().region(), "eu-west-1");
    assert_eq!(
        client
            .config()
            .endpoint_url()
            .map(ToString::to_string)
            .as_deref(),
        Some("http://127.0.0.1:4568/")
    );

    // A profile the files do not have: no region anywhere.
    std::env::set_var("AWS_PROFILE", "missing");
    let err = Client::from_env().expect_err("no region");
    assert!(
        matches!(&err, kinesis_async::Error::Usage(u) if u.field == "region"),
        "{err:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
