#![no_main]
//! The `Date` header parser behind clock-skew correction.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Some(t) = kinesis_proto::retry::parse_http_date(s) {
        assert!(t.offset().is_utc());
    }
});
