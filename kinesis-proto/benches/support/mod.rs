//! What the benches share: the Criterion settings, the paired-rounds
//! measurement behind every "ours vs floor" ratio, and the borrowed
//! GetRecords page the JSON floors parse. Included with `mod support;`.

#![allow(dead_code)] // each bench uses its own part

use std::time::{Duration, Instant};

use criterion::Criterion;

/// Whether this is `cargo bench` (not `cargo test` running benches once).
pub(crate) fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Criterion as every bench here runs it: 20 samples, 1 s warm-up, 3 s
/// measurement, then whatever the command line says.
pub(crate) fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

/// Time per iteration of `iters` runs of `f`.
pub(crate) fn time_round(f: &mut dyn FnMut(), iters: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed() / iters
}

/// The fastest round of each of `ours` and `floor` over `rounds` paired
/// rounds of `iters` runs: on a shared machine each routine's fastest
/// round is the one other processes left alone.
pub(crate) fn paired_fastest(
    ours: &mut dyn FnMut(),
    floor: &mut dyn FnMut(),
    rounds: u32,
    iters: u32,
) -> (Duration, Duration) {
    let (mut best_ours, mut best_floor) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        best_ours = best_ours.min(time_round(ours, iters));
        best_floor = best_floor.min(time_round(floor, iters));
    }
    (best_ours, best_floor)
}

/// What the GetRecords floors parse: every field borrowed from the body.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BorrowedPage<'a> {
    #[serde(borrow)]
    pub(crate) records: Vec<BorrowedRecord<'a>>,
    #[serde(borrow)]
    pub(crate) next_shard_iterator: Option<&'a str>,
    pub(crate) millis_behind_latest: Option<u64>,
}

/// One record of a [`BorrowedPage`].
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BorrowedRecord<'a> {
    pub(crate) sequence_number: &'a str,
    pub(crate) approximate_arrival_timestamp: Option<f64>,
    pub(crate) data: &'a str,
    pub(crate) partition_key: &'a str,
    pub(crate) encryption_type: Option<&'a str>,
}
