//! The client: settings in, one blocking call loop for every operation.

use std::fmt;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use kinesis_proto::call::{Action, Call, CallError, TransportError, TransportErrorKind};
use kinesis_proto::{Config, Credentials, Operation, Settings, Timeouts};
use time::OffsetDateTime;

use crate::transport::Transport;
use crate::Error;

/// A blocking Kinesis Data Streams client.
///
/// Cheap to clone (the clones share one connection pool) and safe to share
/// between threads. Every operation has a method of its own (see the list
/// below); [`Client::call`] sends any of them.
///
/// ```no_run
/// use kinesis_blocking::{ops::PutRecord, Client};
///
/// let client = Client::from_env()?;
/// let put = client.put_record(&PutRecord::new("my-stream", "user-42", b"hello".to_vec()))?;
/// println!("stored in {} as {}", put.shard_id, put.sequence_number);
/// # Ok::<(), kinesis_blocking::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    proto: kinesis_proto::Client,
    credentials: Credentials,
    timeouts: Timeouts,
    transport: Transport,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", self.inner.proto.config())
            .field("credentials", &self.inner.credentials)
            .field("timeouts", &self.inner.timeouts)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `settings`.
    ///
    /// Fails with [`Error::Usage`] only when an extra root certificate is
    /// not a PEM certificate. Nothing is sent until the first call.
    ///
    /// ```
    /// use kinesis_blocking::{Client, Config, Credentials, Settings};
    ///
    /// let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4568")?;
    /// let settings = Settings::new(config, Credentials::new("AKID", "SECRET", None));
    /// let client = Client::new(settings)?;
    /// assert_eq!(client.config().region(), "us-east-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(settings: Settings) -> Result<Client, Error> {
        let transport = Transport::new(&settings).map_err(CallError::Usage)?;
        let Settings {
            config,
            credentials,
            timeouts,
            retry,
            ..
        } = settings;
        log::debug!(
            "kinesis client for region {} endpoint {:?}",
            config.region(),
            config.endpoint_url().map(ToString::to_string)
        );
        Ok(Client {
            inner: Arc::new(Inner {
                proto: kinesis_proto::Client::new(config.with_retry(retry)),
                credentials,
                timeouts,
                transport,
            }),
        })
    }

    /// A client configured the way the AWS tools do it: from the
    /// environment (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_PROFILE`,
    /// `AWS_ENDPOINT_URL_KINESIS`…) and the shared `config` and
    /// `credentials` files.
    ///
    /// ```no_run
    /// let client = kinesis_blocking::Client::from_env()?;
    /// # let _ = client;
    /// # Ok::<(), kinesis_blocking::Error>(())
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        Client::new(crate::env::settings_from_env().map_err(CallError::Usage)?)
    }

    /// Region, endpoint and limits of this client.
    pub fn config(&self) -> &Config {
        self.inner.proto.config()
    }

    /// Sends any operation and waits for its output, retrying as the
    /// retry settings allow.
    ///
    /// Every operation method of this client is this call with a fixed
    /// input type. Input that the service would refuse fails with
    /// [`Error::Usage`] before anything is sent.
    ///
    /// ```no_run
    /// use kinesis_blocking::{ops::DescribeStreamSummary, Client, Error};
    ///
    /// let client = Client::from_env()?;
    /// match client.call(&DescribeStreamSummary::new("my-stream")) {
    ///     Ok(summary) => println!("{summary:?}"),
    ///     Err(Error::Service(e)) => println!("the service said no: {e}"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok::<(), kinesis_blocking::Error>(())
    /// ```
    pub fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let inner = &*self.inner;
        let started = Instant::now();
        let deadline = inner.timeouts.call.map(|limit| started + limit);
        let mut call = Call::new(&inner.proto, op, &inner.credentials);
        let mut attempt = 0u32;
        loop {
            match call.poll(OffsetDateTime::now_utc(), fastrand::f64()) {
                Action::Send(request) => {
                    attempt += 1;
                    let budget = match remaining(deadline) {
                        Some(left) if left.is_zero() => {
                            return Err(call_timeout(O::NAME, inner.timeouts.call))
                        }
                        left => shortest(inner.timeouts.attempt, left),
                    };
                    log::debug!(
                        "{} attempt {attempt}: POST {} ({} bytes)",
                        O::NAME,
                        request.uri(),
                        request.body().len()
                    );
                    match inner.transport.send(request, budget) {
                        Ok(response) => {
                            log::debug!(
                                "{} attempt {attempt}: HTTP {} ({} bytes)",
                                O::NAME,
                                response.status().as_u16(),
                                response.body().len()
                            );
                            call.handle_response(response, OffsetDateTime::now_utc());
                        }
                        Err(e) => {
                            log::debug!("{} attempt {attempt}: {e}", O::NAME);
                            call.handle_transport_error(e);
                        }
                    }
                }
                Action::Sleep(pause) => {
                    if deadline.is_some_and(|d| Instant::now() + pause >= d) {
                        return Err(call_timeout(O::NAME, inner.timeouts.call));
                    }
                    log::debug!("{} backing off for {pause:?}", O::NAME);
                    thread::sleep(pause);
                }
                Action::Done(result) => {
                    if let Err(e) = &result {
                        log::debug!(
                            "{} failed after {attempt} attempt(s) in {:?}: {e}",
                            O::NAME,
                            started.elapsed()
                        );
                    }
                    return result;
                }
            }
        }
    }
}

/// Time left before `deadline`, if there is one.
fn remaining(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}

/// The shorter of two optional limits.
fn shortest(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn call_timeout(name: &str, limit: Option<Duration>) -> CallError {
    CallError::Transport(TransportError::new(
        TransportErrorKind::Timeout,
        format!("{name} did not finish within the call time limit of {limit:?}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_limit() {
        let s = Duration::from_secs;
        assert_eq!(shortest(Some(s(1)), Some(s(2))), Some(s(1)));
        assert_eq!(shortest(Some(s(3)), Some(s(2))), Some(s(2)));
        assert_eq!(shortest(None, Some(s(2))), Some(s(2)));
        assert_eq!(shortest(Some(s(1)), None), Some(s(1)));
        assert_eq!(shortest(None, None), None);
    }

    #[test]
    fn client_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Client>();
    }
}
