//! What the scenarios need of a Kinesis server on 127.0.0.1, whichever it
//! is: kinesis-mock ([`KinesisMock`]) or ferrokinesis ([`Ferrokinesis`]).

use kinesis_proto::{Config, Credentials, Settings};

use crate::{Ferrokinesis, KinesisMock};

/// The region both servers serve by default.
pub const REGION: &str = "us-east-1";

/// A local Kinesis server the scenarios run against.
///
/// ```no_run
/// use kinesis_tests::Server;
/// let server: &dyn Server = kinesis_tests::Ferrokinesis::shared();
/// let client = kinesis_blocking::Client::new(server.settings())?;
/// # Ok::<(), kinesis_proto::Error>(())
/// ```
pub trait Server: Sync {
    /// A short name for messages ("kinesis-mock", "ferrokinesis").
    fn name(&self) -> &'static str;

    /// `http://127.0.0.1:{port}` of the plain-HTTP port.
    fn plain_url(&self) -> String;

    /// `https://127.0.0.1:{port}` of the TLS port; panics for a server
    /// that serves plain HTTP only.
    fn tls_url(&self) -> String;

    /// The TLS port's certificate (PEM); panics for a server that serves
    /// plain HTTP only.
    fn certificate_pem(&self) -> &[u8];

    /// Credentials the server accepts (both check that requests are
    /// signed, not with what).
    fn credentials(&self) -> Credentials;

    /// Settings for a client of `url`, signed the way the server expects.
    fn settings_for(&self, url: &str) -> Settings {
        let config = Config::new(REGION)
            .with_endpoint_url(url)
            .unwrap_or_else(|e| panic!("{url} is a valid endpoint: {e}"));
        Settings::new(config, self.credentials())
    }

    /// Settings for a client of the plain-HTTP port.
    fn settings(&self) -> Settings {
        self.settings_for(&self.plain_url())
    }

    /// Settings for a client of the TLS port that trusts its certificate.
    fn tls_settings(&self) -> Settings {
        let mut settings = self.settings_for(&self.tls_url());
        settings
            .extra_root_certificates_pem
            .push(self.certificate_pem().to_vec());
        settings
    }
}

impl Server for KinesisMock {
    fn name(&self) -> &'static str {
        "kinesis-mock"
    }
    fn plain_url(&self) -> String {
        KinesisMock::plain_url(self)
    }
    fn tls_url(&self) -> String {
        KinesisMock::tls_url(self)
    }
    fn certificate_pem(&self) -> &[u8] {
        KinesisMock::certificate_pem(self)
    }
    fn credentials(&self) -> Credentials {
        KinesisMock::credentials(self)
    }
}

impl Server for Ferrokinesis {
    fn name(&self) -> &'static str {
        "ferrokinesis"
    }
    fn plain_url(&self) -> String {
        self.url()
    }
    fn tls_url(&self) -> String {
        panic!("ferrokinesis-local serves plain HTTP (and h2c) only")
    }
    fn certificate_pem(&self) -> &[u8] {
        panic!("ferrokinesis-local serves plain HTTP (and h2c) only")
    }
    fn credentials(&self) -> Credentials {
        Ferrokinesis::credentials(self)
    }
}
