//! Moving one signed request over ureq and bringing its answer back whole.

use std::io;
use std::time::Duration;

use kinesis_proto::call::{TransportError, TransportErrorKind};
use kinesis_proto::http;
use kinesis_proto::{Settings, TransportOptions, UsageError};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::transport::{Connector, DefaultConnector};
use ureq::Agent;

use crate::coalesce::Coalescing;
use crate::resolve::CachingResolver;

/// How many hosts' worth of idle connections the agent keeps in all, each
/// up to [`TransportOptions::max_idle_per_host`] (a client mostly talks to
/// one endpoint; ARN-addressed queue operations go to one host per queue).
const IDLE_HOSTS: usize = 4;

/// The `User-Agent` of every request.
const USER_AGENT: &str = concat!("kinesis-blocking/", env!("CARGO_PKG_VERSION"));

/// A ureq agent set up for Kinesis: status codes are answers, not errors;
/// no redirects; timeouts and trusted roots from the settings.
#[derive(Debug)]
pub(crate) struct Transport {
    agent: Agent,
    max_response_bytes: u64,
}

impl Transport {
    /// An agent for `settings` keeping connections as `options` say. Fails
    /// only on extra root certificates that are not PEM certificates.
    pub(crate) fn new(
        settings: &Settings,
        options: &TransportOptions,
    ) -> Result<Transport, UsageError> {
        let mut tls = TlsConfig::builder();
        if !settings.extra_root_certificates_pem.is_empty() {
            tls = tls.root_certs(root_certs(&settings.extra_root_certificates_pem)?);
        }
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(USER_AGENT)
            .timeout_connect(settings.timeouts.connect)
            .max_idle_connections_per_host(options.max_idle_per_host)
            .max_idle_connections(options.max_idle_per_host.saturating_mul(IDLE_HOSTS))
            .max_idle_age(options.idle_timeout)
            .tls_config(tls.build())
            .build();
        let connector = DefaultConnector::new().chain(Coalescing);
        let agent = Agent::with_parts(config, connector, CachingResolver::new());
        Ok(Transport {
            agent,
            max_response_bytes: u64::try_from(options.max_response_bytes).unwrap_or(u64::MAX),
        })
    }

    /// Sends `request` and reads the whole answer, within `timeout` if one
    /// is given (connecting, sending and receiving all count).
    pub(crate) fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(timeout)
            .build();
        let response = self.agent.run(request).map_err(transport_error)?;
        let (parts, body) = response.into_parts();
        let body = body
            .into_with_config()
            .limit(self.max_response_bytes)
            .read_to_vec()
            .map_err(transport_error)?;
        Ok(http::Response::from_parts(parts, body))
    }
}

/// The Mozilla roots plus the certificates of every PEM text in `extra`.
fn root_certs(extra: &[Vec<u8>]) -> Result<RootCerts, UsageError> {
    let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()))
        .collect();
    for (i, pem) in extra.iter().enumerate() {
        let field = || format!("extra_root_certificates_pem[{i}]");
        let before = roots.len();
        for item in ureq::tls::parse_pem(pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => roots.push(cert),
                Ok(_) => {}
                Err(e) => return Err(UsageError::new(field(), format!("is not PEM: {e}"))),
            }
        }
        if roots.len() == before {
            return Err(UsageError::new(field(), "holds no PEM certificate"));
        }
    }
    Ok(RootCerts::from(roots))
}

/// Sorts a ureq failure into the kinds the retry logic knows.
///
/// Every time limit that runs out is `Timeout`, the connect limit included
/// (kinesis-async reports it the same way): the retry rules retry it as
/// the AWS SDKs retry a connect timeout, at the timeout's retry cost.
/// `Connect` is for connections that failed at once (refused, no route,
/// host not found).
pub(crate) fn transport_error(error: ureq::Error) -> TransportError {
    use TransportErrorKind as K;
    let kind = match &error {
        ureq::Error::Timeout(_) => K::Timeout,
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::ConnectProxyFailed(_) => K::Connect,
        ureq::Error::Io(e) => io_kind(e),
        ureq::Error::Tls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::TlsRequired => K::Tls,
        ureq::Error::Protocol(_)
        | ureq::Error::BadUri(_)
        | ureq::Error::Http(_)
        | ureq::Error::LargeResponseHeader(..)
        | ureq::Error::BodyExceedsLimit(_)
        | ureq::Error::TooManyRedirects
        | ureq::Error::RedirectFailed => K::Protocol,
        _ => K::Other,
    };
    TransportError::new(kind, error.to_string())
}

fn io_kind(e: &io::Error) -> TransportErrorKind {
    use io::ErrorKind as E;
    use TransportErrorKind as K;
    match e.kind() {
        E::ConnectionRefused | E::AddrNotAvailable | E::NotConnected => K::Connect,
        E::TimedOut | E::WouldBlock => K::Timeout,
        // rustls reports handshake and certificate failures as InvalidData
        // with its own error inside.
        E::InvalidData if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => K::Tls,
        _ => K::Io,
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::thread;

    use kinesis_proto::{Config, Credentials};

    use super::*;
    use crate::test_server::{serve, RawServer, Reply};

    fn settings() -> Settings {
        Settings::new(
            Config::new("us-east-1"),
            Credentials::new("AKID", "SECRET", None),
        )
    }

    fn request(port: u16) -> http::Request<Vec<u8>> {
        http::Request::builder()
            .method("POST")
            .uri(format!("http://127.0.0.1:{port}/"))
            .header("host", format!("127.0.0.1:{port}"))
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "Kinesis_20131202.ListStreams")
            .body(b"{}".to_vec())
            .expect("valid test request")
    }

    fn transport() -> Transport {
        Transport::new(&settings(), &TransportOptions::default()).expect("default settings")
    }

    #[test]
    fn error_statuses_are_answers_and_headers_pass_unchanged() {
        let body = br#"{"__type":"ResourceNotFoundException","message":"no"}"#.to_vec();
        let server = serve(vec![Reply::Answer(400, body.clone())]);
        let response = transport()
            .send(request(server.port), Some(Duration::from_secs(10)))
            .expect("a 400 is an answer");
        assert_eq!(response.status(), 400);
        assert_eq!(response.body(), &body);
        assert_eq!(response.headers()["x-amzn-requestid"], "req-1");
        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        let seen = &seen[0];
        assert_eq!(seen.head[0], "POST / HTTP/1.1");
        assert_eq!(seen.count("host"), 1, "{seen:?}");
        assert_eq!(seen.count("x-amz-target"), 1, "{seen:?}");
        assert_eq!(seen.count("content-type"), 1, "{seen:?}");
        assert_eq!(seen.count("expect"), 0, "{seen:?}");
        let host = format!("host: 127.0.0.1:{}", server.port);
        assert!(
            seen.head.iter().any(|l| l.eq_ignore_ascii_case(&host)),
            "{seen:?}"
        );
        assert_eq!(seen.body, b"{}");
    }

    #[test]
    fn connections_are_reused() {
        let server = serve(vec![Reply::Answer(200, b"{}".to_vec()); 3]);
        let transport = transport();
        for _ in 0..3 {
            let response = transport
                .send(request(server.port), None)
                .expect("an answer");
            assert_eq!(response.status(), 200);
        }
        // The scripted server serves one connection at a time: three
        // answers on a connection that stayed open.
        assert_eq!(server.seen().len(), 3);
    }

    #[test]
    fn reads_bodies_larger_than_a_base64_getrecords_page() {
        let body = vec![b'x'; 14 * 1024 * 1024 + 1];
        let server = serve(vec![Reply::Answer(200, body.clone())]);
        let response = transport()
            .send(request(server.port), None)
            .expect("a big answer");
        assert_eq!(response.body().len(), body.len());
    }

    #[test]
    fn bodies_over_the_limit_are_protocol_errors() {
        let body = vec![b'x'; TransportOptions::default().max_response_bytes + 1];
        let server = serve(vec![Reply::Answer(200, body)]);
        let error = transport()
            .send(request(server.port), None)
            .expect_err("too big");
        assert_eq!(error.kind, TransportErrorKind::Protocol, "{error}");
    }

    #[test]
    fn refused_connections_are_connect_errors() {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
            listener.local_addr().expect("bound").port()
        };
        let error = transport()
            .send(request(port), None)
            .expect_err("nothing listens");
        assert_eq!(error.kind, TransportErrorKind::Connect, "{error}");
    }

    #[test]
    fn sixteen_threads_keep_to_sixteen_connections() {
        const THREADS: usize = 16;
        const CALLS: usize = 40;
        let server = RawServer::answering(b"{}");
        let transport = transport();
        thread::scope(|s| {
            for _ in 0..THREADS {
                s.spawn(|| {
                    for _ in 0..CALLS {
                        let response = transport
                            .send(request(server.port), Some(Duration::from_secs(10)))
                            .expect("an answer");
                        assert_eq!(response.status(), 200);
                    }
                });
            }
        });
        let opened = server.connections();
        assert!(
            opened <= THREADS,
            "{opened} connections for {THREADS} threads × {CALLS} calls"
        );
    }

    #[test]
    fn silent_servers_time_out_within_the_attempt_limit() {
        let server = serve(vec![Reply::Silent]);
        let started = std::time::Instant::now();
        let error = transport()
            .send(request(server.port), Some(Duration::from_millis(300)))
            .expect_err("no answer");
        assert_eq!(error.kind, TransportErrorKind::Timeout, "{error}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn closed_connections_are_io_errors() {
        let server = serve(vec![Reply::Close]);
        let error = transport()
            .send(request(server.port), None)
            .expect_err("closed");
        assert!(
            matches!(
                error.kind,
                TransportErrorKind::Io | TransportErrorKind::Protocol
            ),
            "{error:?}"
        );
    }

    #[test]
    fn extra_roots_must_be_pem_certificates() {
        let mut s = settings();
        s.extra_root_certificates_pem
            .push(b"not a certificate".to_vec());
        let error = Transport::new(&s, &TransportOptions::default()).expect_err("garbage");
        assert_eq!(error.field, "extra_root_certificates_pem[0]");
        let mut s = settings();
        s.extra_root_certificates_pem
            .push(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec());
        let error =
            Transport::new(&s, &TransportOptions::default()).expect_err("a key is no certificate");
        assert_eq!(error.field, "extra_root_certificates_pem[0]");
    }
}
