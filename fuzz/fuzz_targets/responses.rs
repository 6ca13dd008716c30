#![no_main]
//! Every operation's response parser, picked by the first byte, on an
//! arbitrary status and body.
use kinesis_proto::http::Response;
use libfuzzer_sys::fuzz_target;

type Parse = fn(&Response<&[u8]>);

macro_rules! parsers {
    ($([$method:ident, $ty:ident, $summary:literal, $example:literal]),* $(,)?) => {
        &[$(|r: &Response<&[u8]>| {
            let _ = kinesis_proto::fuzzing::parse_response::<kinesis_proto::ops::$ty, _>(r);
        }),*]
    };
}

const PARSERS: &[Parse] = kinesis_proto::for_each_operation!(parsers);

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let parse = PARSERS[data[0] as usize % PARSERS.len()];
    let status = if data[1] < 200 {
        200
    } else {
        100 + u16::from(data[1])
    };
    if let Ok(response) = Response::builder().status(status).body(&data[2..]) {
        parse(&response);
    }
});
