//! What a transport must offer to run the scenarios, and the harness that
//! hands each scenario its clients.

use std::sync::atomic::{AtomicU32, Ordering};

use kinesis_proto::Error;
use kinesis_proto::{Operation, Settings};

use crate::server::Server;
use crate::KinesisMock;

/// A Kinesis client the scenarios can drive: one blocking call of any
/// operation.
///
/// Implemented here for `kinesis_blocking::Client`. An async client
/// implements it in its test binary on a newtype that blocks on each call
/// (`async_std::task::block_on(self.0.call(op))`).
pub trait Driver {
    /// Sends `op` and waits for its output.
    fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error>;
}

impl Driver for kinesis_blocking::Client {
    fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        kinesis_blocking::Client::call(self, op)
    }
}

/// How a test binary makes its driver from settings (a transport's
/// `Client::new`, possibly wrapped).
pub type Connect<D> = fn(Settings) -> Result<D, Error>;

/// What a scenario gets: a server (kinesis-mock unless the test binary
/// chose another), and a way to make clients of it.
pub struct Harness<D> {
    mock: &'static dyn Server,
    connect: Connect<D>,
}

impl<D: Driver> Harness<D> {
    /// A harness on the mock shared by every test of this binary.
    pub fn shared(connect: Connect<D>) -> Self {
        Harness {
            mock: KinesisMock::shared(),
            connect,
        }
    }

    /// A harness on `server` (a [`KinesisMock`], a
    /// [`Ferrokinesis`](crate::Ferrokinesis)).
    pub fn new(server: &'static dyn Server, connect: Connect<D>) -> Self {
        Harness {
            mock: server,
            connect,
        }
    }

    /// The server (named for the one most scenarios run against).
    pub fn mock(&self) -> &dyn Server {
        self.mock
    }

    /// A client of the mock's plain-HTTP port.
    pub fn client(&self) -> D {
        self.connect(self.mock.settings())
    }

    /// A client of the mock's TLS port that trusts its certificate.
    pub fn tls_client(&self) -> D {
        self.connect(self.mock.tls_settings())
    }

    /// A client made from `settings`; panics if the transport refuses them.
    pub fn connect(&self, settings: Settings) -> D {
        self.try_connect(settings)
            .unwrap_or_else(|e| panic!("the transport refused the settings: {e}"))
    }

    /// A client made from `settings`.
    pub fn try_connect(&self, settings: Settings) -> Result<D, Error> {
        (self.connect)(settings)
    }

    /// A stream name no other test of this process uses.
    pub fn stream_name(&self, scenario: &str) -> String {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        format!(
            "{scenario}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        )
    }
}
