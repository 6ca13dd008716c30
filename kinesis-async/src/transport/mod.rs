//! The HTTP layer: hyper 1 client connections over async-std sockets
//! (TLS by futures-rustls), pooled.

mod connect;
mod error;
mod message;
mod pool;
mod tls;

pub(crate) use error::{hyper as hyper_error, timeout};

use std::fmt;
use std::sync::Arc;

use kinesis_proto::call::TransportError;
use kinesis_proto::{Settings, TransportOptions, UsageError};

/// Sends prepared requests and reads their answers whole, over pooled
/// HTTP/1.1 and HTTP/2 connections. Cheap to clone; clones share the pool.
///
/// [`crate::Client`] uses one; use it directly to send requests you built
/// with [`kinesis_proto::Client::prepare`] yourself.
///
/// ```no_run
/// # async_std::task::block_on(async {
/// use kinesis_async::{Transport, TransportOptions};
/// use kinesis_proto::{ops::DescribeStreamSummary, Config, Credentials, Settings};
///
/// let config = Config::new("us-east-1");
/// let credentials = Credentials::new("AKID", "SECRET", None);
/// let settings = Settings::new(config.clone(), credentials.clone());
/// let transport = Transport::new(&settings, TransportOptions::default())?;
///
/// let proto = kinesis_proto::Client::new(config);
/// let op = DescribeStreamSummary::new("my-stream");
/// let (request, expect) = proto.prepare(&op, &credentials, time::OffsetDateTime::now_utc())?;
/// let response = transport.send(request).await?;
/// println!("{:?}: {:?}", response.version(), expect.parse(&response));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # });
/// ```
#[derive(Clone)]
pub struct Transport {
    pool: Arc<pool::Pool>,
}

impl Transport {
    /// A transport trusting the web roots plus `settings`' extra roots, with
    /// its connect time limit. Fails only on an extra root that is not a PEM
    /// certificate.
    pub fn new(settings: &Settings, options: TransportOptions) -> Result<Self, UsageError> {
        let tls = tls::client_config(&settings.extra_root_certificates_pem)?;
        Ok(Transport {
            pool: Arc::new(pool::Pool::new(tls, options, settings.timeouts.connect)),
        })
    }

    /// Sends `request` and reads the whole answer, any status.
    ///
    /// Only the connect time limit applies here; bound the whole exchange
    /// with a timeout of your own (the client does). Dropping the future
    /// cancels the exchange and leaves the pool usable.
    pub async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        log::debug!(
            "{} {} ({} bytes)",
            request.method(),
            request.uri(),
            request.body().len()
        );
        let response = self.pool.send(request).await?;
        log::debug!(
            "{} {:?} ({} bytes)",
            response.status(),
            response.version(),
            response.body().len()
        );
        Ok(response)
    }
}

impl Transport {
    /// Sends `request` over HTTP/2 and hands back the answer once its head
    /// arrived, the body still streaming (SubscribeToShard's event
    /// stream): over TLS as ALPN chose it, to `http://` with prior
    /// knowledge.
    pub(crate) async fn send_streaming(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<hyper::body::Incoming>, TransportError> {
        log::debug!("{} {} (event stream)", request.method(), request.uri());
        let response = self.pool.send_streaming(request).await?;
        log::debug!(
            "{} {:?} (event stream)",
            response.status(),
            response.version()
        );
        Ok(response)
    }

    /// Reads the rest of a streamed answer whole (an error answer).
    pub(crate) async fn read_whole(
        &self,
        response: http::Response<hyper::body::Incoming>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        message::read(response, self.pool.max_response_bytes()).await
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinesis_proto::{Config, Credentials};

    #[test]
    fn send_future_stays_small() {
        // Unboxed, the TLS handshake and exchange futures made a send weigh
        // ~15 KiB, and debug-build poll frames of callers overflowed 2 MiB
        // test-thread stacks.
        let settings = Settings::new(
            Config::new("us-east-1"),
            Credentials::new("AKID", "SECRET", None),
        );
        let transport =
            Transport::new(&settings, TransportOptions::default()).expect("web roots only");
        let send = transport.send(http::Request::new(Vec::new()));
        fn spawnable<T: Send>(_: &T) {}
        spawnable(&send);
        assert!(
            std::mem::size_of_val(&send) < 2048,
            "{} bytes",
            std::mem::size_of_val(&send)
        );
    }

    #[test]
    fn transport_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Transport>();
    }
}
