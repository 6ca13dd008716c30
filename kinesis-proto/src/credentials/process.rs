//! `credential_process`: the driver runs the profile's command; this
//! module reads its Version 1 JSON.
//!
//! ```
//! use kinesis_proto::credentials::process::{parse_output, ProcessOutput};
//! let out = br#"{"Version": 1, "AccessKeyId": "ASIA", "SecretAccessKey": "S",
//!               "SessionToken": "T", "Expiration": "2026-12-02T14:00:00Z"}"#;
//! let c = parse_output(&ProcessOutput::success(out.to_vec())).unwrap();
//! assert_eq!(c.session_token(), Some("T"));
//! assert!(c.expiry().is_some());
//! let v2 = br#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"}"#;
//! assert!(parse_output(&ProcessOutput::success(v2.to_vec())).unwrap_err().to_string().contains("Version 2"));
//! ```

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::text::{json_object, parse_timestamp, string, usage};
use super::Credentials;
use crate::error::Error;

/// How long the command may run.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// What a finished process left: its exit status and standard output.
///
/// `Debug` shows the status and the output's size only.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessOutput {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its exit code, if it exited (not killed by a signal).
    pub code: Option<i32>,
    /// Everything it wrote to standard output.
    pub stdout: Vec<u8>,
}

impl ProcessOutput {
    /// A process that exited with 0 and wrote `stdout`.
    pub fn success(stdout: Vec<u8>) -> ProcessOutput {
        ProcessOutput {
            success: true,
            code: Some(0),
            stdout,
        }
    }
}

impl fmt::Debug for ProcessOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessOutput")
            .field("success", &self.success)
            .field("code", &self.code)
            .field("stdout_bytes", &self.stdout.len())
            .finish()
    }
}

/// The shell a driver runs the command through, and its flag: `sh -c`
/// (`cmd /C` on Windows), as the AWS CLI does. The driver leaves the
/// command's standard error on its own, so a helper can say what it
/// wants, and kills it after the [`Need::Process`](super::Need::Process)
/// time limit.
///
/// ```
/// let [shell, flag] = kinesis_proto::credentials::process::SHELL;
/// assert!(shell == "sh" && flag == "-c" || shell == "cmd" && flag == "/C");
/// ```
pub const SHELL: [&str; 2] = if cfg!(windows) {
    ["cmd", "/C"]
} else {
    ["sh", "-c"]
};

/// The credentials the process printed, or why they cannot be used. No
/// error quotes its output.
pub fn parse_output(output: &ProcessOutput) -> Result<Credentials, Error> {
    if !output.success {
        return Err(usage(match output.code {
            Some(code) => format!("credential_process exited with status {code}"),
            None => "credential_process was killed by a signal".to_owned(),
        }));
    }
    let map = json_object(&output.stdout)
        .map_err(|e| usage(format!("credential_process output: {e}")))?;
    match map.get("Version") {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
        Some(v) => {
            return Err(usage(format!(
                "credential_process printed Version {v}; only Version 1 is understood"
            )))
        }
        None => {
            return Err(usage(
                "credential_process output has no Version (1 expected)",
            ))
        }
    }
    let get = |k: &str| {
        string(&map, k).ok_or_else(|| usage(format!("credential_process output has no {k}")))
    };
    let expiry = match string(&map, "Expiration") {
        Some(e) => Some(parse_timestamp(e).ok_or_else(|| {
            usage("credential_process output's Expiration is not an RFC 3339 time")
        })?),
        None => None,
    };
    Ok(Credentials::new(
        get("AccessKeyId")?,
        get("SecretAccessKey")?,
        string(&map, "SessionToken").map(str::to_owned),
    )
    .with_expiry(expiry))
}
