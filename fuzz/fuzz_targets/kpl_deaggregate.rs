#![no_main]
//! KPL deaggregation: any bytes give at least one user record, and a plain
//! record is the input unchanged.
use kinesis_proto::kpl::{deaggregate, Contents};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let records = deaggregate("k", data);
    assert!(!records.is_empty());
    if let Contents::Plain(_) = records.contents() {
        assert_eq!(records.get(0).map(|r| r.data), Some(data));
    }
    assert_eq!(records.iter().count(), records.len());
    let _ = deaggregate("k", data).in_shard(0..=u128::MAX / 2);
});
