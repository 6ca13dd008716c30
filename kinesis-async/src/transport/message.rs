//! Requests shaped for the protocol they go out on, and answers read whole.
//!
//! kinesis-proto builds requests with an absolute URI and a `Host` header.
//! HTTP/1.1 sends the path alone (origin form) with `Host`; HTTP/2 sends the
//! absolute URI as `:scheme`/`:authority` and no `Host` (RFC 9113 §8.3.1).

use bytes::Bytes;
use http::header::{HeaderValue, HOST, USER_AGENT};
use http::uri::{Parts, PathAndQuery};
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use kinesis_proto::call::TransportError;

use super::connect::Body;
use super::error;

/// The `User-Agent` of requests that carry none.
const AGENT: &str = concat!("kinesis-async/", env!("CARGO_PKG_VERSION"));

/// A request not yet shaped for a protocol.
pub(crate) struct Outgoing {
    request: Request<Body>,
}

/// What shaping changed, to undo when a connection hands a request back.
pub(crate) struct Original {
    uri: Uri,
    host: Option<HeaderValue>,
}

impl Outgoing {
    pub(crate) fn new(request: Request<Vec<u8>>) -> Self {
        let mut request = request.map(|body| Full::new(Bytes::from(body)));
        if !request.headers().contains_key(USER_AGENT) {
            request
                .headers_mut()
                .insert(USER_AGENT, HeaderValue::from_static(AGENT));
        }
        Outgoing { request }
    }

    /// Origin-form target, `Host` present (from the URI if the caller left
    /// it out).
    pub(crate) fn for_http1(self) -> (Request<Body>, Original) {
        let mut request = self.request;
        let original = Original {
            uri: request.uri().clone(),
            host: request.headers().get(HOST).cloned(),
        };
        if original.host.is_none() {
            if let Some(value) = request
                .uri()
                .authority()
                .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
            {
                request.headers_mut().insert(HOST, value);
            }
        }
        let mut parts = Parts::default();
        parts.path_and_query = Some(
            request
                .uri()
                .path_and_query()
                .cloned()
                .unwrap_or_else(|| PathAndQuery::from_static("/")),
        );
        if let Ok(origin_form) = Uri::from_parts(parts) {
            *request.uri_mut() = origin_form;
        }
        (request, original)
    }

    /// Absolute URI, no `Host`.
    pub(crate) fn for_http2(self) -> (Request<Body>, Original) {
        let mut request = self.request;
        let host = request.headers_mut().remove(HOST);
        let original = Original {
            uri: request.uri().clone(),
            host,
        };
        (request, original)
    }
}

impl Original {
    /// `request` as it was before shaping.
    pub(crate) fn restore(self, mut request: Request<Body>) -> Outgoing {
        *request.uri_mut() = self.uri;
        match self.host {
            Some(host) => {
                request.headers_mut().insert(HOST, host);
            }
            None => {
                request.headers_mut().remove(HOST);
            }
        }
        Outgoing { request }
    }
}

/// Reads the whole answer, failing past `limit` body bytes.
pub(crate) async fn read(
    response: Response<Incoming>,
    limit: usize,
) -> Result<Response<Vec<u8>>, TransportError> {
    let (parts, body) = response.into_parts();
    let collected = Limited::new(body, limit)
        .collect()
        .await
        .map_err(|e| error::body(&*e, limit))?;
    Ok(Response::from_parts(parts, Vec::from(collected.to_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proto_like() -> Request<Vec<u8>> {
        Request::builder()
            .method("POST")
            .uri("https://kinesis.us-east-1.amazonaws.com/")
            .header(HOST, "kinesis.us-east-1.amazonaws.com")
            .body(b"{}".to_vec())
            .expect("valid test request")
    }

    #[test]
    fn http1_gets_origin_form_and_host() {
        let (request, _) = Outgoing::new(proto_like()).for_http1();
        assert_eq!(request.uri(), "/");
        assert_eq!(request.headers()[HOST], "kinesis.us-east-1.amazonaws.com");
        assert!(request.headers()[USER_AGENT]
            .to_str()
            .is_ok_and(|a| a.starts_with("kinesis-async/")));
    }

    #[test]
    fn http1_adds_a_missing_host() {
        let mut r = proto_like();
        *r.uri_mut() = "http://127.0.0.1:4568/x?y=1".parse().expect("uri");
        r.headers_mut().remove(HOST);
        let (request, original) = Outgoing::new(r).for_http1();
        assert_eq!(request.uri(), "/x?y=1");
        assert_eq!(request.headers()[HOST], "127.0.0.1:4568");
        let back = original.restore(request).request;
        assert_eq!(back.uri(), "http://127.0.0.1:4568/x?y=1");
        assert!(back.headers().get(HOST).is_none());
    }

    #[test]
    fn http2_keeps_absolute_uri_without_host() {
        let (request, original) = Outgoing::new(proto_like()).for_http2();
        assert_eq!(request.uri(), "https://kinesis.us-east-1.amazonaws.com/");
        assert!(request.headers().get(HOST).is_none());
        let back = original.restore(request).request;
        assert_eq!(back.headers()[HOST], "kinesis.us-east-1.amazonaws.com");
    }
}
