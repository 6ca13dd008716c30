//! kinesis-proto's credentials providers run with blocking I/O: HTTP
//! through this crate's transport, files with `std::fs`, processes with
//! `std::process`. Every decision (what to ask, when to refresh, who
//! refreshes) is kinesis-proto's [`Fetch`] and [`Cache`]; this is the loop.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use kinesis_proto::credentials::process::{self, ProcessOutput};
use kinesis_proto::credentials::{
    Answer, Cache, Fetch, Lookup, Need, Provider, SharedCache, Step, Ticket,
};
use kinesis_proto::{
    Credentials, CredentialsSource, Error, Settings, TransportOptions, UsageError,
};
use time::OffsetDateTime;

use crate::transport::Transport;

/// Credentials fetched from a provider and refreshed ahead of expiry, for
/// any number of threads.
pub(crate) struct Refreshing {
    shared: Arc<Shared>,
}

struct Shared {
    cache: SharedCache,
    transport: Transport,
    changed: Condvar,
}

impl Refreshing {
    /// A source fetching from `provider`, over a transport of its own made
    /// from `settings` (the same trusted roots).
    pub(crate) fn new(provider: Provider, settings: &Settings) -> Result<Refreshing, UsageError> {
        let transport = Transport::new(settings, &TransportOptions::default())?;
        let cache = SharedCache::new(provider);
        let changed = Condvar::new();
        Ok(Refreshing {
            shared: Arc::new(Shared {
                cache,
                transport,
                changed,
            }),
        })
    }
}

impl Shared {
    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock()
    }

    fn refresh(&self, ticket: Ticket) {
        let result = fetch(self.cache.provider(), &self.transport);
        let (now, wall) = (Instant::now(), OffsetDateTime::now_utc());
        self.cache
            .handle_refreshed(ticket, result, now, wall, fastrand::f64());
        self.changed.notify_all();
    }
}

impl CredentialsSource for Refreshing {
    fn credentials(&self, now: OffsetDateTime) -> Result<Credentials, Error> {
        let shared = &self.shared;
        let mut cache = shared.cache();
        loop {
            match cache.lookup(Instant::now(), now, fastrand::f64()) {
                Lookup::Use(c) => return Ok(c),
                Lookup::UseAndRefresh(c, ticket) => {
                    drop(cache);
                    let background = Arc::clone(shared);
                    let spawned = thread::Builder::new()
                        .name("kinesis-credentials".into())
                        .spawn(move || background.refresh(ticket));
                    if let Err(e) = spawned {
                        log::warn!("cannot start a credentials refresh thread: {e}");
                    }
                    return Ok(c);
                }
                Lookup::Refresh(ticket) => {
                    drop(cache);
                    shared.refresh(ticket);
                    cache = shared.cache();
                }
                Lookup::Wait => {
                    let wait = cache
                        .poll_timeout()
                        .map_or(Duration::from_millis(100), |at| {
                            at.saturating_duration_since(Instant::now())
                        })
                        .max(Duration::from_millis(1));
                    cache = shared
                        .changed
                        .wait_timeout(cache, wait)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
                Lookup::Fail(e) => return Err(e),
            }
        }
    }
}

/// Fetches credentials once from `provider` (what a client made from
/// settings with a `credentials_provider` does before its first call),
/// over a transport made from `settings`: for tools that want the
/// credentials themselves.
///
/// ```no_run
/// use kinesis_blocking::{fetch_credentials, Settings};
/// let settings = Settings::from_env_with(|v| std::env::var(v).ok(), |f| std::fs::read_to_string(f))?;
/// if let Some(provider) = &settings.credentials_provider {
///     let credentials = fetch_credentials(provider, &settings)?;
///     println!("{} until {:?}", credentials.access_key_id(), credentials.expiry());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fetch_credentials(provider: &Provider, settings: &Settings) -> Result<Credentials, Error> {
    let transport = Transport::new(settings, &TransportOptions::default()).map_err(Error::Usage)?;
    fetch(provider, &transport)
}

/// One fetch from `provider`, doing each I/O it asks for.
pub(crate) fn fetch(provider: &Provider, transport: &Transport) -> Result<Credentials, Error> {
    let mut fetch = Fetch::new(provider);
    loop {
        match fetch.poll(OffsetDateTime::now_utc()) {
            Step::Done(result) => return result,
            Step::Need(need) => fetch.handle(answer(need, transport), OffsetDateTime::now_utc()),
        }
    }
}

/// Does what `need` asks, on this thread.
fn answer(need: Need, transport: &Transport) -> Answer {
    match need {
        Need::Http { request, timeout } => Answer::Http(transport.send(request, Some(timeout))),
        Need::File { path } => Answer::read(std::fs::read(&path)),
        Need::WriteFile { path, contents } => Answer::written(std::fs::write(&path, contents)),
        Need::Process { command, timeout } => Answer::Process(run_process(&command, timeout)),
        other => Answer::unsupported("kinesis-blocking", &other),
    }
}

/// Runs a `credential_process` command through the shell on this thread,
/// its standard error left on ours, killed at `timeout`.
fn run_process(command: &str, timeout: Duration) -> Result<ProcessOutput, String> {
    let [shell, flag] = process::SHELL;
    let mut child = Command::new(shell)
        .args([flag, command])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stdout = child.stdout.take().ok_or("no stdout pipe")?;
    // Read while it runs, so a large output cannot fill the pipe and stall it.
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

#[cfg(test)]
mod tests {
    use super::*;
    use kinesis_proto::Config;

    fn helper(dir: &std::path::Path, expires_in: &str) -> Provider {
        let runs = dir.join("runs");
        let script = dir.join("helper.sh");
        std::fs::write(
            &script,
            format!(
                "echo run >> '{}'\nsleep 0.2\nexp=$(date -u -d '{expires_in}' +%Y-%m-%dT%H:%M:%SZ)\n\
                 printf '{{\"Version\":1,\"AccessKeyId\":\"ASIAHELPER\",\"SecretAccessKey\":\"HELPER-SECRET\",\"SessionToken\":\"HELPER-TOKEN\",\"Expiration\":\"%s\"}}' \"$exp\"\n",
                runs.display()
            ),
        )
        .expect("write the helper");
        Provider::process(format!("sh '{}'", script.display()))
    }

    fn runs(dir: &std::path::Path) -> usize {
        std::fs::read_to_string(dir.join("runs")).map_or(0, |t| t.lines().count())
    }

    #[test]
    fn concurrent_callers_share_one_fetch() {
        let dir =
            std::env::temp_dir().join(format!("kinesis-blocking-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let settings = Settings::new(Config::new("us-east-1"), Credentials::new("", "", None));
        let source =
            Arc::new(Refreshing::new(helper(&dir, "+1 hour"), &settings).expect("a source"));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let source = Arc::clone(&source);
                thread::spawn(move || source.credentials(OffsetDateTime::now_utc()))
            })
            .collect();
        for t in threads {
            let c = t.join().expect("no panic").expect("credentials");
            assert_eq!(c.access_key_id(), "ASIAHELPER");
            assert!(!format!("{c:?}").contains("HELPER-SECRET"));
        }
        assert_eq!(runs(&dir), 1, "one fetch for eight callers");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failing_source_is_an_error_then_backs_off() {
        let settings = Settings::new(Config::new("us-east-1"), Credentials::new("", "", None));
        let source = Refreshing::new(Provider::process("exit 3"), &settings).expect("a source");
        let e = source
            .credentials(OffsetDateTime::now_utc())
            .expect_err("exit 3");
        assert!(e.to_string().contains("status 3"), "{e}");
        // Within the backoff: the same error, without running it again.
        let again = source
            .credentials(OffsetDateTime::now_utc())
            .expect_err("still failing");
        assert_eq!(e, again);
    }
}
