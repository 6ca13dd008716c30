//! Turning hyper, rustls and socket failures into kinesis-proto's
//! [`TransportError`], whose kind decides whether the call is retried.

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use futures_rustls::rustls;
use kinesis_proto::call::{TransportError, TransportErrorKind};

/// The description of `e` followed by its sources, `: `-separated.
fn chain(e: &(dyn StdError + 'static)) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

/// The rustls error inside `e`, if TLS is what failed.
fn tls_cause<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(e);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        // An `io::Error` hides what it wraps from `source()`.
        let wrapped = e.downcast_ref::<io::Error>().and_then(io::Error::get_ref);
        if let Some(tls) = wrapped.and_then(|w| w.downcast_ref::<rustls::Error>()) {
            return Some(tls);
        }
        current = e.source();
    }
    None
}

/// A failure to open the TCP connection (resolve, connect). The system's
/// own connect timeout is a `Timeout`, as the connect time limit is (and as
/// kinesis-blocking reports both).
pub(crate) fn connect(target: &str, e: &io::Error) -> TransportError {
    let kind = match e.kind() {
        io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Connect,
    };
    TransportError::new(kind, format!("connecting to {target}: {}", chain(e)))
}

/// A failure of the TLS handshake.
pub(crate) fn tls_handshake(target: &str, e: &io::Error) -> TransportError {
    let kind = if tls_cause(e).is_some() {
        TransportErrorKind::Tls
    } else {
        TransportErrorKind::Io
    };
    TransportError::new(kind, format!("TLS with {target}: {}", chain(e)))
}

/// A time limit ran out.
pub(crate) fn timeout(what: &str, limit: Duration) -> TransportError {
    TransportError::new(
        TransportErrorKind::Timeout,
        format!("{what} took longer than {limit:?}"),
    )
}

/// A failure reported by hyper while handshaking, sending or receiving.
pub(crate) fn hyper(e: &hyper::Error) -> TransportError {
    let kind = if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if e.is_parse() || e.is_parse_status() || e.is_user() {
        TransportErrorKind::Protocol
    } else if tls_cause(e).is_some() {
        TransportErrorKind::Tls
    } else {
        // Everything else (closed or reset connections, cut-off answers,
        // HTTP/2 stream resets and GOAWAY) broke the exchange in flight.
        TransportErrorKind::Io
    };
    TransportError::new(kind, chain(e))
}

/// A failure while reading a response body (hyper's, or the size limit).
pub(crate) fn body(e: &(dyn StdError + Send + Sync + 'static), limit: usize) -> TransportError {
    if e.is::<http_body_util::LengthLimitError>() {
        return TransportError::new(
            TransportErrorKind::Protocol,
            format!("response body larger than {limit} bytes"),
        );
    }
    match e.downcast_ref::<hyper::Error>() {
        Some(h) => hyper(h),
        None => TransportError::new(TransportErrorKind::Io, chain(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_is_connect() {
        let e = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(connect("h:1", &e).kind, TransportErrorKind::Connect);
    }

    #[test]
    fn os_timeout_is_timeout() {
        let e = io::Error::from(io::ErrorKind::TimedOut);
        assert_eq!(connect("h:1", &e).kind, TransportErrorKind::Timeout);
    }

    #[test]
    fn rustls_error_in_handshake_is_tls() {
        let e = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let t = tls_handshake("h:1", &e);
        assert_eq!(t.kind, TransportErrorKind::Tls);
        assert!(
            t.message.contains("UnknownIssuer") || t.message.contains("unknown issuer"),
            "{}",
            t.message
        );
    }

    #[test]
    fn reset_during_handshake_is_io() {
        let e = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(tls_handshake("h:1", &e).kind, TransportErrorKind::Io);
    }

    #[test]
    fn body_limit_is_protocol() {
        use http_body_util::{BodyExt, Full, Limited};
        let big = Limited::new(Full::new(bytes::Bytes::from_static(b"0123456789ab")), 10);
        let e = async_std::task::block_on(big.collect()).expect_err("over the limit");
        let t = body(&*e, 10);
        assert_eq!(t.kind, TransportErrorKind::Protocol);
        assert!(t.message.contains("10 bytes"));
    }

    #[test]
    fn timeout_names_the_limit() {
        let t = timeout("connecting", Duration::from_millis(5));
        assert_eq!(t.kind, TransportErrorKind::Timeout);
        assert_eq!(t.message, "connecting took longer than 5ms");
    }
}
