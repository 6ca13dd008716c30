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
use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

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

/// Runs `command` through the shell on this thread (which it blocks), its
/// standard error left to ours (as the AWS CLI does, so a helper can say
/// what it wants), killed at `timeout`: what a driver does for
/// [`Need::Process`](super::Need::Process).
///
/// The one piece of std-only I/O kinesis-proto holds, because both drivers
/// run a helper the same way; kinesis-blocking calls it directly,
/// kinesis-async on a blocking thread. A driver of your own may call it
/// or run the command its own way.
///
/// ```
/// use std::time::Duration;
/// use kinesis_proto::credentials::process::run;
/// # if cfg!(unix) {
/// let out = run("echo hi", Duration::from_secs(5)).unwrap();
/// assert!(out.success);
/// assert_eq!(out.stdout, b"hi\n");
/// let e = run("sleep 5", Duration::from_millis(100)).unwrap_err();
/// assert!(e.contains("killed"));
/// # }
/// ```
pub fn run(command: &str, timeout: Duration) -> Result<ProcessOutput, String> {
    let (shell, flag) = if cfg!(windows) {
        ("cmd", "/C")
    } else {
        ("sh", "-c")
    };
    let mut child = Command::new(shell)
        .args([flag, command])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let reader = thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "it did not finish within {timeout:?} and was killed"
            ));
        }
        thread::sleep(Duration::from_millis(10));
    };
    let stdout = reader
        .join()
        .map_err(|_| "the output reader panicked".to_owned())?
        .map_err(|e| e.to_string())?;
    Ok(ProcessOutput {
        success: status.success(),
        code: status.code(),
        stdout,
    })
}

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
