//! The client: settings in, one blocking call loop for every operation.

use std::fmt;
use std::sync::Arc;
use std::thread;
use std::time::Instant;

use kinesis_proto::call::{Action, Call};
use kinesis_proto::{CredentialsSource, Operation, Settings, Timeouts};
use time::OffsetDateTime;

use crate::transport::Transport;
use crate::Error;
use kinesis_proto::TransportOptions;

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
    /// The core client: configuration, time limits, shared retry state.
    proto: kinesis_proto::Client,
    credentials: Arc<dyn CredentialsSource>,
    timeouts: Timeouts,
    transport: Transport,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", self.inner.proto.config())
            .field("timeouts", &self.inner.timeouts)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `settings` whose connection pool follows `options`.
    ///
    /// ```
    /// use kinesis_blocking::{Client, Config, Credentials, Settings, TransportOptions};
    ///
    /// let settings = Settings::new(Config::new("eu-west-1"), Credentials::new("AKID", "SECRET", None));
    /// let mut options = TransportOptions::default();
    /// options.max_idle_per_host = 64; // 64 threads share this client
    /// let client = Client::with_transport_options(settings, options)?;
    /// # let _ = client;
    /// # Ok::<(), kinesis_blocking::Error>(())
    /// ```
    pub fn with_transport_options(
        settings: Settings,
        options: TransportOptions,
    ) -> Result<Client, Error> {
        let transport = Transport::new(&settings, &options).map_err(Error::Usage)?;
        let proto = settings.proto_client();
        let credentials: Arc<dyn CredentialsSource> = match &settings.credentials_provider {
            Some(p) => Arc::new(
                crate::credentials::Refreshing::new(p.clone(), &settings).map_err(Error::Usage)?,
            ),
            None => settings.credentials.clone().into(),
        };
        let timeouts = settings.timeouts;
        log::debug!(
            "kinesis client for region {} endpoint {:?}",
            proto.config().region(),
            proto.config().endpoint_url().map(ToString::to_string)
        );
        Ok(Client {
            inner: Arc::new(Inner {
                proto,
                credentials,
                timeouts,
                transport,
            }),
        })
    }

    /// The core client and credentials, for machines that nest calls (the
    /// consumer).
    pub(crate) fn proto_parts(&self) -> (&kinesis_proto::Client, &Arc<dyn CredentialsSource>) {
        (&self.inner.proto, &self.inner.credentials)
    }

    /// Sends one signed request within `timeout`, for machines that nest
    /// calls (the consumer).
    pub(crate) fn send_raw(
        &self,
        request: kinesis_proto::http::Request<Vec<u8>>,
        timeout: Option<std::time::Duration>,
    ) -> Result<kinesis_proto::http::Response<Vec<u8>>, kinesis_proto::TransportError> {
        self.inner.transport.send(request, timeout)
    }

    /// Runs `call` to its end: sends what it asks to, sleeps while it says
    /// to wait.
    fn drive<O: Operation>(&self, mut call: Call<O>) -> Result<O::Output, Error> {
        loop {
            match call.poll(Instant::now(), OffsetDateTime::now_utc(), fastrand::f64()) {
                Action::Send { request, timeout } => {
                    let sent = self.inner.transport.send(request, timeout);
                    call.handle_sent(sent, Instant::now(), OffsetDateTime::now_utc());
                }
                Action::Wait => {
                    if let Some(until) = call.poll_timeout() {
                        thread::sleep(until.saturating_duration_since(Instant::now()));
                    }
                }
                Action::Done(result) => return result,
            }
        }
    }
}

// `new`, `from_env`, `config`, `call` and the waiters, written once in
// kinesis-proto.
kinesis_proto::client_methods!(
    crate: "kinesis_blocking",
    call_doc: "It blocks the calling thread until the call ends.",
);

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use kinesis_proto::ops::PutRecord;
    use kinesis_proto::{Config, Credentials, ErrorCode, TransportErrorKind};

    use super::*;
    use crate::test_server::{serve, Reply, Server};

    #[test]
    fn client_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Client>();
    }

    fn settings(server: &Server) -> Settings {
        let config = Config::new("us-east-1")
            .with_endpoint_url(&server.url())
            .expect("a local URL");
        Settings::new(config, Credentials::new("AKIDEXAMPLE", "SECRET", None))
    }

    fn put() -> PutRecord {
        PutRecord::new("s", "k", b"hello".to_vec())
    }

    const PUT_OK: &[u8] = br#"{"ShardId":"shardId-000000000001","SequenceNumber":"49"}"#;

    #[test]
    fn transient_failures_are_retried_and_each_attempt_is_signed() {
        let server = serve(vec![
            Reply::Answer(503, Vec::new()),
            Reply::Close,
            Reply::Answer(200, PUT_OK.to_vec()),
        ]);
        let client = Client::new(settings(&server)).expect("valid settings");
        let out = client.call(&put()).expect("the third attempt succeeds");
        assert_eq!(out.shard_id, "shardId-000000000001");
        assert_eq!(out.sequence_number, "49");
        let seen = server.seen();
        assert_eq!(seen.len(), 3);
        for request in &seen {
            assert_eq!(request.count("authorization"), 1, "{request:?}");
            assert!(
                request
                    .head
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case("x-amz-target: Kinesis_20131202.PutRecord")),
                "{request:?}"
            );
        }
    }

    #[test]
    fn service_errors_come_back_typed_and_final_ones_are_not_retried() {
        let body = br#"{"__type":"ResourceNotFoundException","message":"Stream s not found"}"#;
        let server = serve(vec![Reply::Answer(400, body.to_vec())]);
        let client = Client::new(settings(&server)).expect("valid settings");
        match client.put_record(&put()) {
            Err(Error::Service(e)) => {
                assert_eq!(e.code, ErrorCode::ResourceNotFound);
                assert_eq!(e.message.as_deref(), Some("Stream s not found"));
                assert_eq!(e.request_id.as_deref(), Some("req-1"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(server.seen().len(), 1);
    }

    #[test]
    fn retries_stop_at_max_attempts() {
        let server = serve(vec![Reply::Answer(500, Vec::new()); 5]);
        let mut settings = settings(&server);
        settings.retry.max_attempts = 2;
        let client = Client::new(settings).expect("valid settings");
        match client.call(&put()) {
            Err(Error::Service(e)) => assert_eq!(e.status.as_u16(), 500),
            other => panic!("{other:?}"),
        }
        assert_eq!(server.seen().len(), 2);
    }

    #[test]
    fn the_call_time_limit_covers_every_attempt() {
        let server = serve(vec![Reply::Silent, Reply::Silent, Reply::Silent]);
        let mut settings = settings(&server);
        settings.timeouts.call = Some(Duration::from_millis(400));
        let client = Client::new(settings).expect("valid settings");
        let started = Instant::now();
        match client.call(&put()) {
            Err(Error::Transport(e)) => assert_eq!(e.kind, TransportErrorKind::Timeout, "{e}"),
            other => panic!("{other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn usage_errors_send_nothing() {
        let server = serve(vec![Reply::Answer(200, PUT_OK.to_vec())]);
        let client = Client::new(settings(&server)).expect("valid settings");
        let too_big = PutRecord::new("s", "k", vec![0; 1024 * 1024 + 1]);
        match client.call(&too_big) {
            Err(Error::Usage(e)) => assert_eq!(e.field, "Data"),
            other => panic!("{other:?}"),
        }
        std::thread::sleep(Duration::from_millis(50));
        assert!(server.seen().is_empty());
    }

    /// Every log line of this process, kept by a logger installed once.
    fn captured_logs() -> &'static std::sync::Mutex<Vec<String>> {
        struct Capture(std::sync::Mutex<Vec<String>>);
        impl log::Log for Capture {
            fn enabled(&self, _: &log::Metadata<'_>) -> bool {
                true
            }
            fn log(&self, record: &log::Record<'_>) {
                let line = format!("{} {} {}", record.level(), record.target(), record.args());
                self.0.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            }
            fn flush(&self) {}
        }
        static LOGGER: std::sync::OnceLock<&'static Capture> = std::sync::OnceLock::new();
        let logger = LOGGER.get_or_init(|| {
            let logger: &'static Capture =
                Box::leak(Box::new(Capture(std::sync::Mutex::new(Vec::new()))));
            if log::set_logger(logger).is_ok() {
                // Debug, not trace: ureq dumps raw bytes at trace level (see the
                // crate docs), and that would slow every other test.
                log::set_max_level(log::LevelFilter::Debug);
            }
            logger
        });
        &logger.0
    }

    #[test]
    fn logs_name_the_call_but_never_secrets_or_payloads() {
        let logs = captured_logs();
        let server = serve(vec![
            Reply::Answer(503, Vec::new()),
            Reply::Answer(200, PUT_OK.to_vec()),
        ]);
        let config = Config::new("us-east-1")
            .with_endpoint_url(&server.url())
            .expect("a local URL");
        let credentials = Credentials::new(
            "AKIDLOGTEST",
            "SECRET-KEY-LOGTEST",
            Some("TOKEN-LOGTEST".into()),
        );
        let client = Client::new(Settings::new(config, credentials)).expect("valid settings");
        let put = PutRecord::new("s", "PARTITION-LOGTEST", b"PAYLOAD-LOGTEST".to_vec());
        client.call(&put).expect("the retry succeeds");
        let _ = format!("{client:?}");
        let lines: Vec<String> = logs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|l| l.contains(&server.url()) || l.contains("PutRecord"))
            .cloned()
            .collect();
        assert!(
            lines.iter().any(|l| l.contains("PutRecord attempt 2")),
            "{lines:#?}"
        );
        assert!(lines.iter().any(|l| l.contains("HTTP 503")), "{lines:#?}");
        // Everything logged at debug level or above, by any crate.
        let checked: Vec<String> = logs.lock().unwrap_or_else(|p| p.into_inner()).clone();
        assert!(checked.len() > 5, "{checked:#?}");
        let all = checked.join("\n");
        for secret in [
            "SECRET-KEY-LOGTEST",
            "TOKEN-LOGTEST",
            "PAYLOAD-LOGTEST",
            "UEFZTE9BRC1MT0dURVNU",
            "PARTITION-LOGTEST",
            "Signature=",
        ] {
            assert!(!all.contains(secret), "{secret} was logged:\n{all}");
        }
        assert!(!format!("{client:?}").contains("SECRET-KEY-LOGTEST"));
    }
}
