#![no_main]
//! The ARN parser and endpoint resolution for any region, ARN, plane,
//! FIPS/dual-stack flags and custom endpoint URL.
use arbitrary::Arbitrary;
use kinesis_proto::arn::Arn;
use kinesis_proto::endpoint::resolve;
use kinesis_proto::{Config, Plane};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    region: &'a str,
    arn: Option<&'a str>,
    data_plane: bool,
    fips: bool,
    dual_stack: bool,
    endpoint_url: Option<&'a str>,
}

fuzz_target!(|input: Input<'_>| {
    if let Some(Ok(arn)) = input.arn.map(Arn::parse) {
        assert_eq!(Arn::parse(&arn.to_string()).as_ref(), Ok(&arn));
    }
    let mut config = Config::new(input.region)
        .with_fips(input.fips)
        .with_dual_stack(input.dual_stack);
    if let Some(url) = input.endpoint_url {
        config = match config.with_endpoint_url(url) {
            Ok(config) => config,
            Err(_) => return,
        };
    }
    let plane = if input.data_plane {
        Plane::Data
    } else {
        Plane::Control
    };
    if let Ok(endpoint) = resolve(&config, plane, input.arn) {
        endpoint
            .host_header()
            .expect("a resolved endpoint has a valid Host");
    }
});
