//! Integration tests of the Kinesis clients against kinesis-mock on
//! 127.0.0.1, written once and run for every transport.
//!
//! - [`demo`]: what the demo binaries share (target, stream, reading).
//! - [`mock`]: installs, starts and stops kinesis-mock.
//! - [`ferrokinesis`]: builds, starts and stops ferrokinesis, with the
//!   flags a test chooses; [`Server`] is what both servers offer.
//! - [`proxy`]: a fault-injecting HTTP/1.1 proxy between a client and a
//!   server, for the producer's no-loss tests; [`no_loss`] reads a stream
//!   back and judges a run (nothing lost, one event per record, every
//!   duplicate explained by an answer the proxy hid).
//! - [`Driver`]: what a transport offers the scenarios (one blocking call
//!   of any operation), with [`Harness`] handing each scenario its clients.
//! - [`scenarios`]: the scenarios, generic over the driver.
//! - [`surface`]: pages, every shard and waiters, for drivers that also
//!   offer them ([`surface::Surface`]), expanded by [`surface_tests!`].
//! - [`scenario_tests!`]: expands every scenario into a `#[test]` for one
//!   driver, so a transport's test file is a few lines:
//!
//! ```ignore
//! kinesis_tests::scenario_tests!(kinesis_blocking::Client::new);
//! ```

pub mod demo;
pub mod driver;
pub mod ferrokinesis;
pub mod listener;
pub mod mock;
pub mod moto;
pub mod no_loss;
pub mod proxy;
pub mod scenarios;
pub mod server;
pub mod steps;
pub mod surface;

pub use driver::{Connect, Driver, Harness};

/// The README's code blocks, compiled as doc tests so they cannot drift
/// from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
pub use ferrokinesis::{Ferrokinesis, FerrokinesisError, FerrokinesisOptions};
pub use listener::CountingListener;
pub use mock::{KinesisMock, MockError};
pub use proxy::{FaultKind, FaultProxy, ProxyConfig, ProxyStats};
pub use server::Server;

/// Expands into one `#[test]` per named scenario of [`scenarios`], run on
/// `$server` (a `&'static dyn Server`) for the driver `$connect` makes:
/// the subset a server other than kinesis-mock can serve.
///
/// ```ignore
/// kinesis_tests::scenario_tests_on!(kinesis_tests::Ferrokinesis::shared(),
///     kinesis_blocking::Client::new; stream_lifecycle, tags);
/// ```
#[macro_export]
macro_rules! scenario_tests_on {
    ($server:expr, $connect:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let harness = $crate::Harness::new($server, $connect);
                $crate::scenarios::$name(&harness);
            }
        )*
        /// The names of the scenarios this binary runs.
        #[allow(dead_code)]
        pub(crate) const SCENARIOS: &[&str] = &[$(stringify!($name)),*];
    };
}

/// Expands into one `#[test]` per scenario of [`scenarios`] for the driver
/// that `$connect` (a [`Connect`]: settings in, driver out) makes. Every
/// test of the binary shares one kinesis-mock.
///
/// This is the one list of scenarios; a unit test of this crate fails when
/// a public function of `scenarios.rs` is missing from it.
#[macro_export]
macro_rules! scenario_tests {
    ($connect:expr) => {
        $crate::scenario_tests!(@each $connect;
            stream_lifecycle,
            put_record_and_put_records,
            list_shards_paginates,
            shard_iterator_types,
            get_records_reads_everything,
            split_and_merge_shards,
            tags,
            retention_period,
            missing_stream_is_resource_not_found,
            bad_input_is_usage_error_and_sends_nothing,
            tls_with_extra_root,
            json_records,
            stream_arn_addressing,
            shard_count_and_stream_mode,
            encryption_and_monitoring,
            stream_consumers,
            resource_tags_policies_and_limits,
        );
    };
    (@each $connect:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let harness = $crate::Harness::shared($connect);
                $crate::scenarios::$name(&harness);
            }
        )*
        /// The names of the scenarios this binary runs.
        #[allow(dead_code)]
        const SCENARIOS: &[&str] = &[$(stringify!($name)),*];
    };
}

#[cfg(test)]
mod tests {
    /// The names in `scenario_tests!`'s list, read from this file.
    fn listed() -> Vec<&'static str> {
        let source = include_str!("lib.rs");
        let start = source.find("(@each $connect;\n").expect("the macro's list");
        let list = &source[start..];
        let end = list.find(");").expect("the end of the macro's list");
        list[..end]
            .lines()
            .skip(1)
            .map(|l| l.trim().trim_end_matches(','))
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn every_public_scenario_is_in_the_macro() {
        let defined: Vec<&str> = include_str!("scenarios.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("pub fn "))
            .filter_map(|l| l.split('<').next())
            .collect();
        let listed = listed();
        assert!(defined.len() >= 11, "{defined:?}");
        assert_eq!(
            listed, defined,
            "scenario_tests! must list every scenario, in order"
        );
    }
}
