//! Reading the process environment and the AWS profile files: the only
//! I/O of configuration; what they mean is decided in kinesis-proto.

use std::path::PathBuf;

use kinesis_proto::profile::{home_dir, profile_file_paths};
use kinesis_proto::{Settings, UsageError};

/// Settings from the environment and the shared `config` and `credentials`
/// files (a missing or unreadable file counts as absent).
pub(crate) fn settings() -> Result<Settings, UsageError> {
    let env = |name: &str| std::env::var(name).ok();
    let (config, credentials) = profile_file_paths(&env, home_dir(&env).as_deref());
    let read = |path: Option<PathBuf>| path.and_then(|p| std::fs::read_to_string(p).ok());
    Settings::from_sources(&env, read(config).as_deref(), read(credentials).as_deref())
}
