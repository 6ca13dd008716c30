#![no_main]
//! The error parser on arbitrary status, error-type header and body.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let split = (data[2] as usize).min(data.len() - 3);
    let (header, body) = data[3..].split_at(split);
    let mut builder = kinesis_proto::http::Response::builder().status(status);
    if let Ok(value) = kinesis_proto::http::HeaderValue::from_bytes(header) {
        builder = builder.header("x-amzn-errortype", value);
    }
    if let Ok(response) = builder.body(body) {
        let _ = kinesis_proto::error::parse_service_error(&response);
    }
});
