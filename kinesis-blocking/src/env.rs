//! Reading the process environment and the AWS profile files: the only
//! I/O of configuration; what they mean is decided in kinesis-proto.

use std::collections::HashMap;

use kinesis_proto::{Config, Credentials, Settings, UsageError};

/// The environment variables that are valid UTF-8 (AWS tools ignore the
/// others).
pub(crate) fn environment() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

// TEMPORARY (config helper): a minimal reading of the environment only,
// until `Settings::from_sources` and `profile_file_paths` land in
// kinesis-proto; then this reads the two profile files and hands
// everything to them.
pub(crate) fn settings_from_env() -> Result<Settings, UsageError> {
    let env = environment();
    let get = |name: &str| env.get(name).filter(|v| !v.is_empty()).cloned();
    let region = get("AWS_REGION")
        .or_else(|| get("AWS_DEFAULT_REGION"))
        .ok_or_else(|| UsageError::new("AWS_REGION", "is not set"))?;
    let mut config = Config::new(region);
    if let Some(url) = get("AWS_ENDPOINT_URL_KINESIS").or_else(|| get("AWS_ENDPOINT_URL")) {
        config = config.with_endpoint_url(&url)?;
    }
    let key = get("AWS_ACCESS_KEY_ID").ok_or_else(|| UsageError::new("AWS_ACCESS_KEY_ID", "is not set"))?;
    let secret = get("AWS_SECRET_ACCESS_KEY")
        .ok_or_else(|| UsageError::new("AWS_SECRET_ACCESS_KEY", "is not set"))?;
    let credentials = Credentials::new(key, secret, get("AWS_SESSION_TOKEN"));
    Ok(Settings::new(config, credentials))
}
