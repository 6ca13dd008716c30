#![no_main]
//! The shared config/credentials file parser, and everything that reads its
//! result: credentials and endpoint per profile, and `Settings::from_sources`
//! with an arbitrary environment.
use arbitrary::Arbitrary;
use kinesis_proto::profile::ProfileSet;
use kinesis_proto::{Credentials, Settings};
use libfuzzer_sys::fuzz_target;

const VARS: &[&str] = &[
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_KINESIS",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "HOME",
];

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    config: Option<&'a str>,
    credentials: Option<&'a str>,
    env: Vec<(u8, &'a str)>,
}

fuzz_target!(|input: Input<'_>| {
    if let Ok(set) = ProfileSet::parse(input.config, input.credentials) {
        for name in set.profile_names() {
            let profile = set.profile(name).expect("a listed profile exists");
            let _ = Credentials::from_profile(profile);
            let _ = set.endpoint_url(name, "kinesis");
        }
    }
    let env: Vec<(&str, &str)> = input
        .env
        .iter()
        .map(|(k, v)| (VARS[*k as usize % VARS.len()], *v))
        .collect();
    let _ = Settings::from_sources(env.as_slice(), input.config, input.credentials);
});
