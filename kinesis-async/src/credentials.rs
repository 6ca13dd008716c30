//! kinesis-proto's credentials providers run with async I/O: HTTP through
//! this crate's transport, files with `async_std::fs`, processes on a
//! blocking thread. Every decision (what to ask, when to refresh, who
//! refreshes) is kinesis-proto's [`Fetch`] and [`Cache`]; this is the loop.
//!
//! A call awaits [`Refreshing::ready`] before it starts, so the first
//! fetch (and any refresh of expired credentials) happens there, without
//! blocking a thread; near expiry a refresh runs as a task of its own
//! while calls go on with the credentials held.

use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use kinesis_proto::credentials::process::{self, ProcessOutput};
use kinesis_proto::credentials::{
    Answer, Cache, Fetch, Lookup, Need, Provider, SharedCache, Step, Ticket,
};
use kinesis_proto::{
    Credentials, CredentialsSource, Error, Settings, TransportOptions, UsageError,
};
use time::OffsetDateTime;

use crate::transport::{self, Transport};

/// Credentials fetched from a provider and refreshed ahead of expiry.
#[derive(Clone)]
pub(crate) struct Refreshing {
    shared: Arc<Shared>,
}

struct Shared {
    cache: SharedCache,
    transport: Transport,
}

impl Refreshing {
    /// A source fetching from `provider`, over a transport of its own made
    /// from `settings` (the same trusted roots).
    pub(crate) fn new(provider: Provider, settings: &Settings) -> Result<Refreshing, UsageError> {
        let transport = Transport::new(settings, TransportOptions::default())?;
        let cache = SharedCache::new(provider);
        Ok(Refreshing {
            shared: Arc::new(Shared { cache, transport }),
        })
    }

    /// Returns once the cache holds usable credentials or has an error to
    /// give: fetching them here when none are held, starting a background
    /// refresh when they are near expiry.
    pub(crate) async fn ready(&self) {
        loop {
            let lookup = self.shared.cache().lookup(
                Instant::now(),
                OffsetDateTime::now_utc(),
                fastrand::f64(),
            );
            match lookup {
                Lookup::Use(_) | Lookup::Fail(_) => return,
                Lookup::UseAndRefresh(_, ticket) => {
                    self.spawn(ticket);
                    return;
                }
                Lookup::Refresh(ticket) => self.shared.refresh(ticket).await,
                Lookup::Wait => {
                    let until = self.shared.cache().poll_timeout();
                    let wait = until
                        .map_or(Duration::from_millis(20), |at| {
                            at.saturating_duration_since(Instant::now())
                        })
                        .clamp(Duration::from_millis(1), Duration::from_millis(20));
                    async_std::task::sleep(wait).await;
                }
            }
        }
    }

    /// Starts the first fetch in a task of its own, so that machines that
    /// sign without awaiting [`Refreshing::ready`] (the consumer,
    /// SubscribeToShard) find credentials held by their first request.
    pub(crate) fn prefetch(&self) {
        let lookup =
            self.shared
                .cache()
                .lookup(Instant::now(), OffsetDateTime::now_utc(), fastrand::f64());
        if let Lookup::Refresh(ticket) | Lookup::UseAndRefresh(_, ticket) = lookup {
            self.spawn(ticket);
        }
    }

    fn spawn(&self, ticket: Ticket) {
        let shared = Arc::clone(&self.shared);
        drop(async_std::task::spawn(async move {
            shared.refresh(ticket).await
        }));
    }
}

impl Shared {
    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock()
    }

    async fn refresh(&self, ticket: Ticket) {
        let result = fetch(self.cache.provider(), &self.transport).await;
        let (now, wall) = (Instant::now(), OffsetDateTime::now_utc());
        self.cache
            .handle_refreshed(ticket, result, now, wall, fastrand::f64());
    }
}

impl CredentialsSource for Refreshing {
    /// What the cache holds. A call has awaited [`Refreshing::ready`]
    /// first, so credentials are there unless they expired during the
    /// call; then a refresh starts and this attempt fails (a thread of the
    /// executor is never blocked waiting for it).
    fn credentials(&self, now: OffsetDateTime) -> Result<Credentials, Error> {
        let lookup = self
            .shared
            .cache()
            .lookup(Instant::now(), now, fastrand::f64());
        match lookup {
            Lookup::Use(c) => Ok(c),
            Lookup::UseAndRefresh(c, ticket) => {
                self.spawn(ticket);
                Ok(c)
            }
            Lookup::Refresh(ticket) => {
                self.spawn(ticket);
                Err(Error::Usage(UsageError::new(
                    "credentials",
                    "expired during the call; a refresh has started",
                )))
            }
            Lookup::Wait => Err(Error::Usage(UsageError::new(
                "credentials",
                "expired during the call and are being refreshed",
            ))),
            Lookup::Fail(e) => Err(e),
        }
    }
}

/// Fetches credentials once from `provider` (what a client made from
/// settings with a `credentials_provider` does before its first call),
/// over a transport made from `settings`: for tools that want the
/// credentials themselves.
///
/// ```no_run
/// # async_std::task::block_on(async {
/// use kinesis_async::{fetch_credentials, Settings};
/// let settings = Settings::from_env_with(|v| std::env::var(v).ok(), |f| std::fs::read_to_string(f))?;
/// if let Some(provider) = &settings.credentials_provider {
///     let credentials = fetch_credentials(provider, &settings).await?;
///     println!("{} until {:?}", credentials.access_key_id(), credentials.expiry());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # });
/// ```
pub async fn fetch_credentials(
    provider: &Provider,
    settings: &Settings,
) -> Result<Credentials, Error> {
    let transport = Transport::new(settings, TransportOptions::default()).map_err(Error::Usage)?;
    fetch(provider, &transport).await
}

/// One fetch from `provider`, doing each I/O it asks for.
pub(crate) async fn fetch(
    provider: &Provider,
    transport: &Transport,
) -> Result<Credentials, Error> {
    let mut fetch = Fetch::new(provider);
    loop {
        match fetch.poll(OffsetDateTime::now_utc()) {
            Step::Done(result) => return result,
            Step::Need(need) => {
                let answer = match need {
                    Need::Http { request, timeout } => Answer::Http(
                        async_std::future::timeout(timeout, transport.send(request))
                            .await
                            .unwrap_or_else(|_| {
                                Err(transport::timeout("the credentials request", timeout))
                            }),
                    ),
                    Need::File { path } => Answer::read(async_std::fs::read(&path).await),
                    Need::WriteFile { path, contents } => {
                        Answer::written(async_std::fs::write(&path, contents).await)
                    }
                    Need::Process { command, timeout } => {
                        Answer::Process(run_process(&command, timeout).await)
                    }
                    other => Answer::unsupported("kinesis-async", &other),
                };
                fetch.handle(answer, OffsetDateTime::now_utc());
            }
        }
    }
}

/// Runs a `credential_process` command through the shell without
/// blocking a thread, its standard error left on ours; the child is killed
/// when `timeout` ends the wait (dropping its output future kills it).
async fn run_process(command: &str, timeout: Duration) -> Result<ProcessOutput, String> {
    let [shell, flag] = process::SHELL;
    let child = async_process::Command::new(shell)
        .args([flag, command])
        .stdin(async_process::Stdio::null())
        .stdout(async_process::Stdio::piped())
        .stderr(async_process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| e.to_string())?;
    match async_std::future::timeout(timeout, child.output()).await {
        Ok(Ok(out)) => Ok(ProcessOutput {
            success: out.status.success(),
            code: out.status.code(),
            stdout: out.stdout,
        }),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "it did not finish within {timeout:?} and was killed"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinesis_proto::Config;

    #[cfg(unix)]
    #[test]
    fn a_process_is_read_and_one_past_its_limit_is_killed() {
        async_std::task::block_on(async {
            let out = run_process("echo hi", Duration::from_secs(5))
                .await
                .expect("it runs");
            assert!(out.success);
            assert_eq!(out.stdout, b"hi\n");
            let started = Instant::now();
            let e = run_process("sleep 5", Duration::from_millis(100))
                .await
                .expect_err("killed");
            assert!(e.contains("killed"), "{e}");
            assert!(started.elapsed() < Duration::from_secs(3));
            let failed = run_process("exit 3", Duration::from_secs(5))
                .await
                .expect("it runs");
            assert_eq!((failed.success, failed.code), (false, Some(3)));
        });
    }

    #[test]
    fn concurrent_calls_await_one_fetch() {
        let settings = Settings::new(Config::new("us-east-1"), Credentials::new("", "", None));
        let dir = std::env::temp_dir().join(format!("kinesis-async-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let runs = dir.join("runs");
        let command = format!(
            "echo run >> '{}'; sleep 0.2; printf '{{\"Version\":1,\"AccessKeyId\":\"ASIAASYNC\",\"SecretAccessKey\":\"S\"}}'",
            runs.display()
        );
        let source = Refreshing::new(Provider::process(command), &settings).expect("a source");
        // Before any fetch, the sync path has nothing to give and starts one.
        async_std::task::block_on(async {
            let waits: Vec<_> = (0..8)
                .map(|_| {
                    let s = source.clone();
                    async_std::task::spawn(async move { s.ready().await })
                })
                .collect();
            for w in waits {
                w.await;
            }
        });
        let c = source.credentials(OffsetDateTime::now_utc()).expect("held");
        assert_eq!(c.access_key_id(), "ASIAASYNC");
        let ran = std::fs::read_to_string(&runs).map_or(0, |t| t.lines().count());
        assert_eq!(ran, 1, "one fetch for eight calls");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
