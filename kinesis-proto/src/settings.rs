//! Everything a transport needs to make a client, in one value, built from
//! explicit values or from the environment and AWS profile files (handed in
//! as values: this crate reads neither). (Being written: the fields are the
//! contract.)

use std::time::Duration;

use crate::retry::RetryConfig;
use crate::{Config, Credentials};

/// Connect, per-attempt and whole-call time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Limit on opening a connection (TCP and TLS), default 3.1 s.
    pub connect: Option<Duration>,
    /// Limit on one attempt, sending included, default 10 s.
    pub attempt: Option<Duration>,
    /// Limit on a whole call, retries and sleeps included, default none.
    pub call: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Some(Duration::from_millis(3100)),
            attempt: Some(Duration::from_secs(10)),
            call: None,
        }
    }
}

/// What a transport's `Client::new` takes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Region, endpoint and limits.
    pub config: Config,
    /// The credentials every request is signed with.
    pub credentials: Credentials,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Retry behaviour.
    pub retry: RetryConfig,
    /// Extra root certificates to trust, PEM text (for a local server with
    /// a self-signed certificate). The platform's web roots stay trusted.
    pub extra_root_certificates_pem: Vec<Vec<u8>>,
}

impl Settings {
    /// Settings for `config` and `credentials`, everything else default.
    pub fn new(config: Config, credentials: Credentials) -> Self {
        Settings {
            config,
            credentials,
            timeouts: Timeouts::default(),
            retry: RetryConfig::default(),
            extra_root_certificates_pem: Vec::new(),
        }
    }
}
