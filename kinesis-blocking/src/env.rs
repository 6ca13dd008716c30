//! The I/O of configuration: reading the process environment and the two
//! AWS profile files. Where the files are and what everything means is
//! decided in kinesis-proto ([`profile_file_paths`], [`Settings::from_sources`]).

use std::collections::HashMap;
use std::io;
use std::path::Path;

use kinesis_proto::profile::{home_dir, profile_file_paths};
use kinesis_proto::{Settings, UsageError};

/// Settings from the environment and the profile files, the way the AWS
/// tools find them.
pub(crate) fn settings_from_env() -> Result<Settings, UsageError> {
    // Variables that are not UTF-8 are skipped, as the AWS tools do.
    let env: HashMap<String, String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    settings_from(&env)
}

/// Settings from `env` and the profile files it points to.
fn settings_from(env: &HashMap<String, String>) -> Result<Settings, UsageError> {
    let (config, credentials) = profile_file_paths(env, home_dir(env).as_deref());
    let config = config.as_deref().and_then(read_profile_file);
    let credentials = credentials.as_deref().and_then(read_profile_file);
    Settings::from_sources(env, config.as_deref(), credentials.as_deref())
}

/// The text of a profile file; `None` when it is missing or unreadable (a
/// missing file is normal, an unreadable one is logged).
fn read_profile_file(path: &Path) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            log::warn!("ignoring AWS profile file {}: {e}", path.display());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;

    use super::*;

    /// A fresh directory standing in for a home directory.
    fn home(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "kinesis-blocking-env-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join(".aws")).expect("a temporary directory");
        dir
    }

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_both_profile_files_under_home() {
        let home = home("home");
        fs::write(
            home.join(".aws/config"),
            "[profile dev]\nregion = eu-west-1\n",
        )
        .expect("write");
        fs::write(
            home.join(".aws/credentials"),
            "[dev]\naws_access_key_id = AKIDFILE\naws_secret_access_key = SECRET\n",
        )
        .expect("write");
        let settings = settings_from(&env(&[
            ("HOME", home.to_str().expect("a UTF-8 temp path")),
            ("AWS_PROFILE", "dev"),
        ]))
        .expect("settings from the files");
        assert_eq!(settings.config.region(), "eu-west-1");
        assert_eq!(settings.credentials.access_key_id(), "AKIDFILE");
        let _ = fs::remove_dir_all(home);
    }

    #[test]
    fn file_variables_override_home_and_env_wins_over_files() {
        let home = home("vars");
        let config = home.join("elsewhere-config");
        fs::write(&config, "[default]\nregion = ap-south-1\n").expect("write");
        let settings = settings_from(&env(&[
            ("HOME", "/nonexistent-home"),
            (
                "AWS_CONFIG_FILE",
                config.to_str().expect("a UTF-8 temp path"),
            ),
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:4568"),
        ]))
        .expect("settings");
        assert_eq!(settings.config.region(), "ap-south-1");
        assert_eq!(settings.credentials.access_key_id(), "AKIDENV");
        assert_eq!(
            settings
                .config
                .endpoint_url()
                .map(ToString::to_string)
                .as_deref(),
            Some("http://127.0.0.1:4568/")
        );
        let _ = fs::remove_dir_all(home);
    }

    #[test]
    fn missing_files_are_fine_and_missing_settings_are_named() {
        let error = settings_from(&env(&[("HOME", "/nonexistent-home")])).expect_err("no region");
        assert_eq!(error.field, "region");
    }
}
