//! The TLS client configuration: rustls with the `ring` provider, the web
//! roots plus the caller's extra roots, ALPN `h2` then `http/1.1`.
//!
//! An extra root is also *pinned*: a server that presents exactly that
//! certificate is trusted even when the certificate does not name the host.
//! That is what a local test server's self-signed certificate needs
//! (kinesis-mock's names no host at all), and it trusts nothing more than the
//! caller handed in: only a peer holding that certificate's private key gets
//! through. Every other check (signature, validity, chain) still runs.

use std::sync::Arc;

use futures_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use futures_rustls::rustls::client::WebPkiServerVerifier;
use futures_rustls::rustls::crypto::ring;
use futures_rustls::rustls::pki_types::pem::PemObject;
use futures_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use futures_rustls::rustls::{
    self, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use kinesis_proto::UsageError;

/// The ALPN protocols offered, best first.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// The field a bad extra root is reported against.
const FIELD: &str = "extra_root_certificates_pem";

/// Builds the client configuration every TLS connection uses.
pub(crate) fn client_config(extra_roots_pem: &[Vec<u8>]) -> Result<Arc<ClientConfig>, UsageError> {
    let provider = Arc::new(ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let pinned = parse_pem(extra_roots_pem)?;
    for cert in &pinned {
        roots
            .add(cert.clone())
            .map_err(|e| UsageError::new(FIELD, format!("not a usable root certificate: {e}")))?;
    }
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| UsageError::new(FIELD, format!("TLS setup failed: {e}")))?;
    let mut config = if pinned.is_empty() {
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| UsageError::new(FIELD, format!("TLS setup failed: {e}")))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedOrWebPki { webpki, pinned }))
            .with_no_client_auth()
    };
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

/// Every certificate in every PEM text; an entry with none is an error.
fn parse_pem(texts: &[Vec<u8>]) -> Result<Vec<CertificateDer<'static>>, UsageError> {
    let mut certs = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let before = certs.len();
        for cert in CertificateDer::pem_slice_iter(text) {
            certs.push(cert.map_err(|e| UsageError::new(FIELD, format!("entry {i}: {e}")))?);
        }
        if certs.len() == before {
            return Err(UsageError::new(FIELD, format!("entry {i} holds no PEM certificate")));
        }
    }
    Ok(certs)
}

/// The web-PKI verifier, except that a certificate the caller pinned is
/// accepted whatever host names it carries.
#[derive(Debug)]
struct PinnedOrWebPki {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for PinnedOrWebPki {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The chain is checked before the name, so a name error means the
        // chain itself verified.
        match self.webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.pinned.iter().any(|p| p.as_ref() == end_entity.as_ref()) => {
                log::debug!("{server_name:?} presented a pinned extra root; accepting it without a name match");
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_extra_roots_is_fine() {
        let config = client_config(&[]).expect("web roots alone");
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    }

    #[test]
    fn text_without_a_certificate_is_a_usage_error() {
        let err = client_config(&[b"not pem at all".to_vec()]).expect_err("must fail");
        assert_eq!(err.field, FIELD);
        assert!(err.problem.contains("entry 0"), "{err}");
    }
}
