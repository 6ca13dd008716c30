//! The client: settings in, one async call loop for every operation.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_std::future::timeout;
use kinesis_proto::call::{Action, Call};
use kinesis_proto::{CredentialsSource, Operation, Settings, TransportError};
use time::OffsetDateTime;

use crate::transport::{self, Transport};
use crate::Error;
use kinesis_proto::TransportOptions;

/// An async Kinesis Data Streams client on async-std.
///
/// Cheap to clone (clones share one connection pool) and safe to share
/// between tasks; many calls may be in flight on one client at once. Every
/// operation has an `async fn` of its own (see the list below);
/// [`Client::call`] sends any of them.
///
/// ```no_run
/// use kinesis_async::{ops::PutRecord, Client};
///
/// # async_std::task::block_on(async {
/// let client = Client::from_env()?;
/// let put = client.put_record(&PutRecord::new("my-stream", "user-42", b"hello".to_vec())).await?;
/// println!("stored in {} as {}", put.shard_id, put.sequence_number);
/// # Ok::<(), kinesis_async::Error>(())
/// # });
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// What every clone shares: the settings as given, the core client they
/// describe (its time limits, retry quota and clock offset are per client)
/// and the pool.
pub(crate) struct Inner {
    settings: Settings,
    pub(crate) proto: kinesis_proto::Client,
    pub(crate) credentials: Arc<dyn CredentialsSource>,
    /// The provider behind `credentials`, when they are fetched.
    refreshing: Option<crate::credentials::Refreshing>,
    pub(crate) transport: Transport,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Settings print their credentials redacted.
        f.debug_tuple("Client").field(&self.inner.settings).finish()
    }
}

impl Client {
    /// A client for `settings` whose connection pool follows `options`.
    ///
    /// ```
    /// use kinesis_async::{Client, Config, Credentials, Settings, TransportOptions};
    ///
    /// let settings = Settings::new(Config::new("eu-west-1"), Credentials::new("AKID", "SECRET", None));
    /// let mut options = TransportOptions::default();
    /// options.max_connections_per_host = 4;
    /// let client = Client::with_transport_options(settings, options)?;
    /// # let _ = client;
    /// # Ok::<(), kinesis_async::Error>(())
    /// ```
    pub fn with_transport_options(
        settings: Settings,
        options: TransportOptions,
    ) -> Result<Client, Error> {
        let transport = Transport::new(&settings, options).map_err(Error::Usage)?;
        let proto = settings.proto_client();
        log::debug!(
            "async kinesis client: region {}, endpoint {}",
            settings.config.region(),
            settings
                .config
                .endpoint_url()
                .map_or("(AWS)".to_owned(), ToString::to_string)
        );
        let refreshing = match &settings.credentials_provider {
            Some(p) => Some(
                crate::credentials::Refreshing::new(p.clone(), &settings).map_err(Error::Usage)?,
            ),
            None => None,
        };
        if let Some(r) = &refreshing {
            r.prefetch();
        }
        let inner = Inner {
            credentials: match &refreshing {
                Some(r) => Arc::new(r.clone()),
                None => settings.credentials.clone().into(),
            },
            refreshing,
            settings,
            proto,
            transport,
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }

    /// The settings this client was made with.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The core client and credentials, for machines that nest calls (the
    /// consumer).
    pub(crate) fn proto_parts(&self) -> (&kinesis_proto::Client, &Arc<dyn CredentialsSource>) {
        (&self.inner.proto, &self.inner.credentials)
    }

    /// Sends one signed request within `limit`, for machines that nest
    /// calls (the consumer).
    pub(crate) async fn send_raw(
        &self,
        request: http::Request<Vec<u8>>,
        limit: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.inner.send(request, limit).await
    }

    /// Runs `call` to its end: sends what it asks to, sleeps while it says
    /// to wait.
    async fn drive<O: Operation>(&self, mut call: Call<O>) -> Result<O::Output, Error> {
        if let Some(refreshing) = &self.inner.refreshing {
            refreshing.ready().await;
        }
        loop {
            match call.poll(Instant::now(), OffsetDateTime::now_utc(), fastrand::f64()) {
                Action::Send { request, timeout } => {
                    let sent = self.inner.send(request, timeout).await;
                    call.handle_sent(sent, Instant::now(), OffsetDateTime::now_utc());
                }
                Action::Wait => {
                    if let Some(until) = call.poll_timeout() {
                        async_std::task::sleep(until.saturating_duration_since(Instant::now()))
                            .await;
                    }
                }
                Action::Done(result) => return result,
            }
        }
    }
}

impl Inner {
    /// One exchange, within the time the call gave it.
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
        limit: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        match limit {
            None => self.transport.send(request).await,
            Some(limit) => timeout(limit, self.transport.send(request))
                .await
                .unwrap_or_else(|_| Err(transport::timeout("the attempt", limit))),
        }
    }
}

// `new`, `from_env`, `config`, `call` and the waiters, written once in
// kinesis-proto.
kinesis_proto::client_methods!(
    crate: "kinesis_async",
    call_doc: "Dropping the future cancels the call; the client stays usable.",
    async: async,
    await: .await,
    run: "# async_std::task::block_on(async {",
    end: "# });",
);

#[cfg(test)]
mod tests {
    use super::*;
    use kinesis_proto::ops::PutRecord;
    use kinesis_proto::TransportErrorKind;
    use kinesis_proto::{Config, Credentials};
    use std::time::Duration;

    fn settings(url: &str) -> Settings {
        let config = Config::new("us-east-1")
            .with_endpoint_url(url)
            .expect("a valid endpoint");
        Settings::new(config, Credentials::new("AKID", "SECRET", None))
    }

    #[test]
    fn client_and_its_calls_go_anywhere_a_task_goes() {
        fn shared_between_tasks<T: Send + Sync + Clone + 'static>(_: &T) {}
        fn spawnable<T: Send>(_: &T) {}
        let client = Client::new(settings("http://127.0.0.1:9")).expect("a client");
        shared_between_tasks(&client);
        let put = PutRecord::new("s", "k", b"x".to_vec());
        spawnable(&client.call(&put));
        spawnable(&client.put_record(&put));
    }

    #[test]
    fn debug_shows_settings_without_secrets() {
        let client = Client::new(settings("http://127.0.0.1:9")).expect("a client");
        let text = format!("{client:?}");
        assert!(text.contains("us-east-1"), "{text}");
        assert!(!text.contains("SECRET"), "{text}");
    }

    #[test]
    fn bad_input_is_a_usage_error() {
        let client = Client::new(settings("http://127.0.0.1:9")).expect("a client");
        let put = PutRecord::new("s", "", b"x".to_vec());
        let err = async_std::task::block_on(client.call(&put)).expect_err("empty partition key");
        assert!(matches!(err, Error::Usage(_)), "{err:?}");
    }

    #[test]
    fn whole_call_limit_ends_a_call_that_keeps_retrying() {
        // Nothing listens on a just-closed port: every attempt is refused
        // and retried until the call limit ends it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut s = settings(&format!("http://127.0.0.1:{port}"));
        s.timeouts.call = Some(Duration::from_millis(300));
        s.retry = kinesis_proto::retry::RetryConfig::default().with_max_attempts(1000);
        let client = Client::new(s).expect("a client");
        let put = PutRecord::new("s", "k", b"x".to_vec());
        let started = std::time::Instant::now();
        let err =
            async_std::task::block_on(client.call(&put)).expect_err("refused, then out of time");
        match err {
            Error::Transport(e) => {
                assert_eq!(e.kind, TransportErrorKind::Timeout, "{e}");
                assert!(
                    e.message.starts_with(
                        "the PutRecord call took longer than 300ms (last attempt: transport Connect"
                    ),
                    "{e}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    /// A server on 127.0.0.1 that accepts connections and never answers;
    /// the connections stay open until the process exits.
    fn silent_server() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("bound").port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept() {
                held.push(stream);
            }
        });
        port
    }

    #[test]
    fn attempt_limit_ends_an_attempt_that_gets_no_answer() {
        let mut s = settings(&format!("http://127.0.0.1:{}", silent_server()));
        s.timeouts.attempt = Some(Duration::from_millis(200));
        s.retry = kinesis_proto::retry::RetryConfig::default().with_max_attempts(1);
        let client = Client::new(s).expect("a client");
        let err = async_std::task::block_on(client.call(&PutRecord::new("s", "k", b"x".to_vec())))
            .expect_err("no answer");
        match err {
            Error::Transport(e) => {
                assert_eq!(e.kind, TransportErrorKind::Timeout, "{e}");
                assert_eq!(e.message, "the attempt took longer than 200ms");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn connect_limit_covers_the_tls_handshake() {
        let port = silent_server();
        let mut s = settings(&format!("https://127.0.0.1:{port}"));
        s.timeouts.connect = Some(Duration::from_millis(200));
        s.retry = kinesis_proto::retry::RetryConfig::default().with_max_attempts(1);
        let client = Client::new(s).expect("a client");
        let err = async_std::task::block_on(client.call(&PutRecord::new("s", "k", b"x".to_vec())))
            .expect_err("no TLS answer");
        match err {
            Error::Transport(e) => {
                assert_eq!(e.kind, TransportErrorKind::Timeout, "{e}");
                assert_eq!(
                    e.message,
                    format!("connecting to https://127.0.0.1:{port} took longer than 200ms")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refused_connection_is_a_connect_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut s = settings(&format!("http://127.0.0.1:{port}"));
        s.retry = kinesis_proto::retry::RetryConfig::default().with_max_attempts(1);
        let client = Client::new(s).expect("a client");
        let err = async_std::task::block_on(client.call(&PutRecord::new("s", "k", b"x".to_vec())))
            .expect_err("nothing listens");
        match err {
            Error::Transport(e) => assert_eq!(e.kind, TransportErrorKind::Connect, "{e}"),
            other => panic!("{other:?}"),
        }
    }
}
