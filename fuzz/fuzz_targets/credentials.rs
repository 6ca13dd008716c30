#![no_main]
//! Every credentials parser over arbitrary bytes (STS XML; IMDS, container,
//! SSO portal and cache JSON; credential_process output; RFC 3339 times
//! inside them), then a whole IMDS-then-role fetch fed the same bytes as
//! every answer. Nothing may panic; a fetch must end.
use kinesis_proto::credentials::imds::{self, Imds};
use kinesis_proto::credentials::process::{parse_output, ProcessOutput};
use kinesis_proto::credentials::{container, sso, sts, Answer, AssumeRole, Fetch, Provider, Source, Step};
use kinesis_proto::http::Response;
use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let status = [200u16, 400, 403, 404, 500][usize::from(selector >> 4) % 5];
    let Ok(response) = Response::builder().status(status).body(body.to_vec()) else { return };
    let wall = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    match selector % 8 {
        0 => drop(sts::parse_response(&response)),
        1 => drop(container::parse_response(&response)),
        2 => drop(imds::parse_credentials(&response)),
        3 => drop(imds::parse_role(&response)),
        4 => drop(imds::parse_token(&response)),
        5 => drop(sso::parse_role_credentials(&response)),
        6 => drop(sso::parse_cached_token(body, wall, "fuzz")),
        _ => drop(parse_output(&ProcessOutput { success: status == 200, code: Some(0), stdout: body.to_vec() })),
    }
    let mut provider = Provider::new(Source::Imds(Imds::new("http://127.0.0.1:1")), "us-east-1");
    provider.roles.push(AssumeRole::new("arn:aws:iam::1:role/r"));
    let mut fetch = Fetch::new(&provider);
    for _ in 0..32 {
        match fetch.poll(wall) {
            Step::Done(_) => return,
            Step::Need(_) => {
                let answer = Response::builder().status(status).body(body.to_vec());
                let Ok(answer) = answer else { return };
                fetch.handle(Answer::Http(Ok(answer)), wall);
            }
        }
    }
    panic!("a fetch did not end in 32 answers");
});
