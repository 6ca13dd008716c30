//! The TLS client configuration: rustls with the `ring` provider, the web
//! roots plus the caller's extra roots, ALPN `h2` then `http/1.1`.

use std::sync::Arc;

use futures_rustls::rustls::crypto::ring;
use futures_rustls::rustls::pki_types::pem::PemObject;
use futures_rustls::rustls::pki_types::CertificateDer;
use futures_rustls::rustls::{ClientConfig, RootCertStore};
use kinesis_proto::UsageError;

/// The ALPN protocols offered, best first.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// Builds the client configuration every TLS connection uses.
pub(crate) fn client_config(extra_roots_pem: &[Vec<u8>]) -> Result<Arc<ClientConfig>, UsageError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for (i, cert) in parse_pem(extra_roots_pem)? {
        roots.add(cert).map_err(|e| {
            UsageError::new(field(i), format!("is not a usable root certificate: {e}"))
        })?;
    }
    let mut config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            UsageError::new(
                "extra_root_certificates_pem",
                format!("TLS setup failed: {e}"),
            )
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

/// The field a bad extra root is reported against.
fn field(i: usize) -> String {
    format!("extra_root_certificates_pem[{i}]")
}

/// Every certificate of every PEM text, with the index of its text; a text
/// without one is an error.
fn parse_pem(texts: &[Vec<u8>]) -> Result<Vec<(usize, CertificateDer<'static>)>, UsageError> {
    let mut certs = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let before = certs.len();
        for cert in CertificateDer::pem_slice_iter(text) {
            let cert = cert.map_err(|e| UsageError::new(field(i), format!("is not PEM: {e}")))?;
            certs.push((i, cert));
        }
        if certs.len() == before {
            return Err(UsageError::new(field(i), "holds no PEM certificate"));
        }
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_extra_roots_is_fine() {
        let config = client_config(&[]).expect("web roots alone");
        assert_eq!(
            config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }

    #[test]
    fn text_without_a_certificate_is_a_usage_error() {
        let err = client_config(&[b"not pem at all".to_vec()]).expect_err("must fail");
        assert_eq!(err.field, "extra_root_certificates_pem[0]");
        assert_eq!(err.problem, "holds no PEM certificate");
    }
}
