//! Opening one connection: TCP through async-std, TLS through
//! futures-rustls, then hyper's HTTP/1.1 or HTTP/2 handshake, with the
//! connection's driver task spawned on async-std.

use std::future::Future;
use std::sync::Arc;

use async_std::net::TcpStream;
use bytes::Bytes;
use futures_rustls::rustls::pki_types::ServerName;
use futures_rustls::rustls::ClientConfig;
use futures_rustls::TlsConnector;
use http_body_util::Full;
use hyper::client::conn::{http1, http2};
use kinesis_proto::call::{TransportError, TransportErrorKind};
use smol_hyper::rt::FuturesIo;

use super::error;

/// The request body every connection carries.
pub(crate) type Body = Full<Bytes>;

/// Where a connection goes: everything that makes two connections
/// interchangeable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Target {
    /// `https` (true) or `http`.
    pub(crate) tls: bool,
    /// Host name or IP address, without IPv6 brackets.
    pub(crate) host: String,
    /// Port, the scheme's default when the URI names none.
    pub(crate) port: u16,
}

impl Target {
    /// The target of a request URI.
    pub(crate) fn of(uri: &http::Uri) -> Result<Target, TransportError> {
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            other => {
                return Err(TransportError::new(
                    TransportErrorKind::Other,
                    format!("unsupported URI scheme {other:?}"),
                ))
            }
        };
        let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(|| {
            TransportError::new(TransportErrorKind::Other, "request URI has no host")
        })?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        Ok(Target { tls, host, port })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.tls { "https" } else { "http" };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// An open connection, ready for requests.
pub(crate) enum Connection {
    /// One request at a time.
    Http1(http1::SendRequest<Body>),
    /// Many requests at once; clones share the connection.
    Http2(http2::SendRequest<Body>),
}

/// Runs hyper's HTTP/2 background work (the connection and stream tasks) on
/// async-std.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AsyncStdExecutor;

impl<F> hyper::rt::Executor<F> for AsyncStdExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        drop(async_std::task::spawn(future));
    }
}

/// Opens a connection to `target`: plain HTTP/1.1, or TLS with ALPN
/// deciding between HTTP/2 and HTTP/1.1.
pub(crate) async fn open(
    target: &Target,
    tls: &Arc<ClientConfig>,
) -> Result<Connection, TransportError> {
    let tcp = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|e| error::connect(&target.to_string(), &e))?;
    if let Err(e) = tcp.set_nodelay(true) {
        log::debug!("{target}: could not set TCP_NODELAY: {e}");
    }
    if !target.tls {
        return http1_over(target, FuturesIo::new(tcp)).await;
    }
    let name = ServerName::try_from(target.host.clone()).map_err(|e| {
        TransportError::new(
            TransportErrorKind::Other,
            format!("{:?} is no TLS server name: {e}", target.host),
        )
    })?;
    let stream = TlsConnector::from(tls.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| error::tls_handshake(&target.to_string(), &e))?;
    let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
    let io = FuturesIo::new(stream);
    if h2 {
        Ok(Connection::Http2(http2_over(target, io).await?))
    } else {
        http1_over(target, io).await
    }
}

/// Opens a cleartext HTTP/2 connection to an `http://` target with prior
/// knowledge (RFC 9113 §3.3: the client starts with the HTTP/2 preface, no
/// upgrade), for SubscribeToShard against a local server.
pub(crate) async fn open_h2c(target: &Target) -> Result<http2::SendRequest<Body>, TransportError> {
    let tcp = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|e| error::connect(&target.to_string(), &e))?;
    if let Err(e) = tcp.set_nodelay(true) {
        log::debug!("{target}: could not set TCP_NODELAY: {e}");
    }
    http2_over(target, FuturesIo::new(tcp)).await
}

/// The HTTP/2 handshake over `io`, its driver spawned.
async fn http2_over<T>(target: &Target, io: T) -> Result<http2::SendRequest<Body>, TransportError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, connection) = http2::Builder::new(AsyncStdExecutor)
        .handshake(io)
        .await
        .map_err(|e| error::hyper(&e))?;
    let name = target.to_string();
    drop(async_std::task::spawn(async move {
        match connection.await {
            Ok(()) => log::debug!("{name}: HTTP/2 connection closed"),
            Err(e) => log::debug!("{name}: HTTP/2 connection ended: {e}"),
        }
    }));
    Ok(sender)
}

/// The HTTP/1.1 handshake over `io`, its driver spawned.
async fn http1_over<T>(target: &Target, io: T) -> Result<Connection, TransportError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, connection) = http1::handshake(io).await.map_err(|e| error::hyper(&e))?;
    let name = target.to_string();
    drop(async_std::task::spawn(async move {
        match connection.await {
            Ok(()) => log::debug!("{name}: HTTP/1.1 connection closed"),
            Err(e) => log::debug!("{name}: HTTP/1.1 connection ended: {e}"),
        }
    }));
    Ok(Connection::Http1(sender))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(uri: &str) -> Result<Target, TransportError> {
        Target::of(&uri.parse().expect("test URI"))
    }

    #[test]
    fn default_ports() {
        let t = target("https://kinesis.eu-west-1.amazonaws.com/").expect("https");
        assert_eq!(
            (t.tls, t.host.as_str(), t.port),
            (true, "kinesis.eu-west-1.amazonaws.com", 443)
        );
        let t = target("http://localhost/").expect("http");
        assert_eq!((t.tls, t.port), (false, 80));
    }

    #[test]
    fn explicit_port_and_ipv6() {
        let t = target("http://[::1]:4568/").expect("ipv6");
        assert_eq!((t.host.as_str(), t.port), ("::1", 4568));
        assert_eq!(t.to_string(), "http://[::1]:4568");
    }

    #[test]
    fn other_schemes_are_refused() {
        assert_eq!(
            target("ftp://h/").expect_err("ftp").kind,
            TransportErrorKind::Other
        );
        assert_eq!(
            target("/relative").expect_err("no scheme").kind,
            TransportErrorKind::Other
        );
    }
}
