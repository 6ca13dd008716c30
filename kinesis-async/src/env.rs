//! Reading the process environment and the AWS profile files: the only
//! I/O of configuration; what they mean is decided in kinesis-proto.

use kinesis_proto::{Settings, UsageError};

// TEMPORARY: `Settings::from_sources` and `profile_file_paths` are about to
// land in kinesis-proto; then this reads the environment and the two
// profile files and hands them over.
pub(crate) fn settings() -> Result<Settings, UsageError> {
    Err(UsageError::new("environment", "Client::from_env is not wired yet"))
}
