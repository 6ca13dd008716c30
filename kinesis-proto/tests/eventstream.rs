//! Event-stream vectors (`tests/vectors/eventstream/`, a copy of
//! `shared/vectors/eventstream`): the AWS SDKs' shared positive and
//! negative cases and a SubscribeToShard stream, read as data by one
//! harness, one `#[test]` per case, and a test that fails when a case on
//! disk is not run. Plus property tests: splitting a valid stream at any
//! points gives the same messages; encode then decode is the identity.
#![allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point

use std::path::{Path, PathBuf};

use base64::Engine as _;
use kinesis_proto::eventstream::{
    Decoder, Frame, FrameError, FrameLimits, Header, HeaderProblem, HeaderValue, Message,
    ShardEvent, ShardEventStream,
};
use kinesis_proto::{Error, ErrorCode};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/eventstream")
}

fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    total_length: u32,
    headers_length: u32,
    prelude_crc: u32,
    message_crc: u32,
    headers: Vec<ExpectedHeader>,
    payload: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedHeader {
    name: String,
    #[serde(rename = "type")]
    type_: u8,
    value: Value,
}

impl ExpectedHeader {
    fn value(&self) -> HeaderValue {
        let int = || self.value.as_i64().unwrap();
        match self.type_ {
            0 | 1 => {
                let v = self.value.as_bool().unwrap();
                assert_eq!(v, self.type_ == 0, "type {} with value {v}", self.type_);
                HeaderValue::Bool(v)
            }
            // The byte is written as its unsigned value (207 = -49).
            2 => HeaderValue::Byte(int() as u8 as i8),
            3 => HeaderValue::Int16(i16::try_from(int()).unwrap()),
            4 => HeaderValue::Int32(i32::try_from(int()).unwrap()),
            5 => HeaderValue::Int64(int()),
            6 => HeaderValue::ByteArray(b64(&self.value)),
            7 => HeaderValue::String(String::from_utf8(b64(&self.value)).unwrap()),
            8 => HeaderValue::Timestamp(int()),
            9 => HeaderValue::Uuid(b64(&self.value).try_into().unwrap()),
            t => panic!("type {t} in a vector"),
        }
    }
}

/// Checks a decoded frame against its description, stage by stage.
fn check(frame: &Frame, want: &Expected, case: &str) {
    assert_eq!(
        frame.total_length, want.total_length,
        "{case}: total length"
    );
    assert_eq!(
        frame.headers_length, want.headers_length,
        "{case}: headers length"
    );
    assert_eq!(frame.prelude_crc, want.prelude_crc, "{case}: prelude CRC");
    assert_eq!(frame.message_crc, want.message_crc, "{case}: message CRC");
    let headers: Vec<Header> = want
        .headers
        .iter()
        .map(|h| Header::new(h.name.clone(), h.value()))
        .collect();
    assert_eq!(frame.message.headers, headers, "{case}: headers");
    for (h, w) in frame.message.headers.iter().zip(&want.headers) {
        assert_eq!(h.value.type_byte(), w.type_, "{case}: type of {}", h.name);
    }
    assert_eq!(frame.message.payload, b64(&want.payload), "{case}: payload");
}

/// Every frame of `bytes` fed in chunks of `chunk` bytes, then the end.
fn decode_all(bytes: &[u8], chunk: usize) -> Result<Vec<Frame>, FrameError> {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk.max(1)) {
        decoder.feed(piece);
        while let Some(frame) = decoder.poll_frame()? {
            out.push(frame);
        }
    }
    decoder.finish()?;
    Ok(out)
}

fn positive(case: &str) {
    let bytes = std::fs::read(root().join("encoded/positive").join(case)).unwrap();
    let want: Expected = serde_json::from_slice(
        &std::fs::read(root().join("decoded/positive").join(format!("{case}.json"))).unwrap(),
    )
    .unwrap();
    for chunk in [bytes.len(), 7, 1] {
        let frames = decode_all(&bytes, chunk).unwrap();
        assert_eq!(frames.len(), 1, "{case}");
        check(&frames[0], &want, case);
    }
    // The encoder writes the same bytes back.
    let frames = decode_all(&bytes, bytes.len()).unwrap();
    assert_eq!(
        frames[0].message.encode().unwrap(),
        bytes,
        "{case}: re-encoded"
    );
}

fn negative(case: &str) {
    let bytes = std::fs::read(root().join("encoded/negative").join(case)).unwrap();
    let want = match case {
        // The lengths are in the prelude: its CRC catches them.
        "corrupted_length" | "corrupted_header_len" => "PreludeCrc",
        "corrupted_headers" | "corrupted_payload" => "MessageCrc",
        other => panic!("no expectation for {other}"),
    };
    for chunk in [bytes.len(), 7, 1] {
        let e = decode_all(&bytes, chunk).unwrap_err();
        let got = match e {
            FrameError::PreludeCrc { .. } => "PreludeCrc",
            FrameError::MessageCrc { .. } => "MessageCrc",
            _ => "other",
        };
        assert_eq!(got, want, "{case} in chunks of {chunk}: {e}");
        assert!(e.to_string().starts_with("event stream: "), "{e}");
    }
}

macro_rules! vectors {
    ($kind:ident: $($case:ident),* $(,)?) => {
        mod $kind {
            $( #[test] fn $case() { super::$kind(stringify!($case)); } )*
        }
    };
}

vectors!(positive: all_headers, empty_message, int32_header, payload_no_headers, payload_one_str_header);
vectors!(negative: corrupted_header_len, corrupted_headers, corrupted_length, corrupted_payload);

const LISTED: &[(&str, &[&str])] = &[
    (
        "encoded/positive",
        &[
            "all_headers",
            "empty_message",
            "int32_header",
            "payload_no_headers",
            "payload_one_str_header",
        ],
    ),
    (
        "decoded/positive",
        &[
            "all_headers.json",
            "empty_message.json",
            "int32_header.json",
            "payload_no_headers.json",
            "payload_one_str_header.json",
        ],
    ),
    (
        "encoded/negative",
        &[
            "corrupted_header_len",
            "corrupted_headers",
            "corrupted_length",
            "corrupted_payload",
        ],
    ),
    (
        "kinesis",
        &[
            "subscribe_to_shard_stream",
            "subscribe_to_shard_stream.json",
        ],
    ),
];

#[test]
fn every_case_on_disk_is_run() {
    for (dir, listed) in LISTED {
        let mut on_disk: Vec<String> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        on_disk.sort();
        assert_eq!(on_disk, *listed, "cases in {dir}");
    }
}

fn kinesis_stream() -> Vec<u8> {
    std::fs::read(root().join("kinesis/subscribe_to_shard_stream")).unwrap()
}

#[test]
fn subscribe_to_shard_stream_frames_whole_in_7_byte_chunks_and_byte_by_byte() {
    let bytes = kinesis_stream();
    let want: Vec<Expected> = serde_json::from_slice(
        &std::fs::read(root().join("kinesis/subscribe_to_shard_stream.json")).unwrap(),
    )
    .unwrap();
    let whole = decode_all(&bytes, bytes.len()).unwrap();
    assert_eq!(whole.len(), want.len());
    for (i, (frame, w)) in whole.iter().zip(&want).enumerate() {
        check(frame, w, &format!("message {i}"));
    }
    assert_eq!(decode_all(&bytes, 7).unwrap(), whole);
    assert_eq!(decode_all(&bytes, 1).unwrap(), whole);
}

/// The same stream typed, as a driver reads it.
fn typed(bytes: &[u8], chunk: usize) -> Vec<Result<ShardEvent, Error>> {
    let mut stream = ShardEventStream::new(Some("req-1".into()));
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk) {
        stream.feed(piece);
        while let Some(event) = stream.poll_event() {
            out.push(event);
        }
    }
    stream.finish().unwrap();
    out
}

#[test]
fn subscribe_to_shard_stream_typed() {
    let bytes = kinesis_stream();
    let events = typed(&bytes, bytes.len());
    assert_eq!(events.len(), 4);
    assert_eq!(events[0], Ok(ShardEvent::InitialResponse));
    let Ok(ShardEvent::Event(first)) = &events[1] else {
        panic!("{:?}", events[1])
    };
    assert_eq!(first.records.len(), 1);
    assert_eq!(first.records[0].data, b"hello");
    assert_eq!(first.records[0].partition_key, "user-42");
    assert_eq!(
        first.records[0].sequence_number,
        "49590338271490256608559692538361571095921575989136588898"
    );
    assert_eq!(
        first.records[0]
            .approximate_arrival_timestamp
            .unwrap()
            .unix_timestamp_nanos(),
        1_700_000_000_123_000_000
    );
    assert_eq!(
        first.continuation_sequence_number.as_deref(),
        Some("49590338271490256608559692540925702759324208523137515618")
    );
    assert_eq!(first.millis_behind_latest, Some(0));
    assert!(first.child_shards.is_empty());
    let Ok(ShardEvent::Event(end)) = &events[2] else {
        panic!("{:?}", events[2])
    };
    assert!(end.records.is_empty());
    assert_eq!(end.child_shards.len(), 1);
    assert_eq!(end.child_shards[0].shard_id, "shardId-000000000002");
    assert_eq!(end.child_shards[0].parent_shards, ["shardId-000000000000"]);
    let Err(Error::Service(e)) = &events[3] else {
        panic!("{:?}", events[3])
    };
    assert_eq!(e.code, ErrorCode::ResourceInUse);
    assert_eq!(
        e.message.as_deref(),
        Some("Another active subscription exists for this consumer")
    );
    assert_eq!(e.request_id.as_deref(), Some("req-1"));
    assert_eq!(typed(&bytes, 7), events);
    assert_eq!(typed(&bytes, 1), events);
}

#[test]
fn whole_body_parse_through_the_expect_token() {
    use kinesis_proto::fuzzing::parse_response;
    use kinesis_proto::ops::SubscribeToShard;
    let bytes = kinesis_stream();
    let answer = |body: Vec<u8>| http::Response::builder().status(200).body(body).unwrap();
    // The whole stream ends in the exception: that is the answer.
    let e = parse_response::<SubscribeToShard, _>(&answer(bytes.clone())).unwrap_err();
    assert_eq!(e.code(), Some(&ErrorCode::ResourceInUse));
    // Without it, the two events.
    let without: usize = 104 + 414 + 420;
    let out = parse_response::<SubscribeToShard, _>(&answer(bytes[..without].to_vec())).unwrap();
    assert_eq!(out.events.len(), 2);
    // Cut mid-message: a Response error, not a panic, not a silent stop.
    let e =
        parse_response::<SubscribeToShard, _>(&answer(bytes[..without - 3].to_vec())).unwrap_err();
    assert!(
        matches!(&e, Error::Response(r) if r.reason.contains("ended inside a message")),
        "{e}"
    );
    // An error status is the usual JSON service error.
    let refused = http::Response::builder()
        .status(400)
        .body(br#"{"__type":"ResourceNotFoundException","message":"no consumer"}"#.to_vec())
        .unwrap();
    let e = parse_response::<SubscribeToShard, _>(&refused).unwrap_err();
    assert_eq!(e.code(), Some(&ErrorCode::ResourceNotFound));
}

#[test]
fn error_messages_and_unknown_events() {
    let s = |v: &str| HeaderValue::String(v.into());
    let error = Message {
        headers: vec![
            Header::new(":message-type", s("error")),
            Header::new(":error-code", s("InternalFailure")),
            Header::new(":error-message", s("boom")),
        ],
        payload: vec![],
    };
    let mut stream = ShardEventStream::new(None);
    stream.feed(&error.encode().unwrap());
    let Some(Err(Error::Service(e))) = stream.poll_event() else {
        panic!()
    };
    assert_eq!(e.code, ErrorCode::InternalFailure);
    assert!(e.is_retryable());
    assert_eq!(e.message.as_deref(), Some("boom"));
    assert!(stream.is_done());
    assert_eq!(stream.poll_event(), None, "nothing after an error");

    let unknown = Message {
        headers: vec![
            Header::new(":message-type", s("event")),
            Header::new(":event-type", s("SomethingNew")),
        ],
        payload: b"{}".to_vec(),
    };
    let no_type = Message {
        headers: vec![],
        payload: b"{}".to_vec(),
    };
    let bad_json = Message {
        headers: vec![
            Header::new(":message-type", s("event")),
            Header::new(":event-type", s("SubscribeToShardEvent")),
        ],
        payload: br#"{"Records":[{"Data":"!!"}]}"#.to_vec(),
    };
    let mut stream = ShardEventStream::new(None);
    stream.feed(&unknown.encode().unwrap());
    stream.feed(&no_type.encode().unwrap());
    assert_eq!(
        stream.poll_event(),
        Some(Ok(ShardEvent::Unknown("SomethingNew".into())))
    );
    assert!(
        matches!(stream.poll_event(), Some(Err(Error::Response(r))) if r.reason.contains(":message-type"))
    );
    let mut stream = ShardEventStream::new(None);
    stream.feed(&bad_json.encode().unwrap());
    assert!(
        matches!(stream.poll_event(), Some(Err(Error::Response(r))) if r.reason.contains("SubscribeToShardEvent payload"))
    );
}

/// A valid message with a patched prelude: lengths changed, CRC fixed up.
fn with_prelude(total: u32, headers: u32, rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&headers.to_be_bytes());
    out.extend_from_slice(&crc32fast::hash(&out).to_be_bytes());
    out.extend_from_slice(rest);
    out
}

/// A message made of raw headers bytes, CRCs right.
fn raw_headers(headers: &[u8]) -> Vec<u8> {
    let total = (16 + headers.len()) as u32;
    let mut out = with_prelude(total, headers.len() as u32, headers);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

fn first_error(bytes: &[u8], limits: FrameLimits) -> FrameError {
    let mut d = Decoder::with_limits(limits);
    d.feed(bytes);
    match d.poll_message() {
        Err(e) => {
            // The decoder stays failed.
            d.feed(b"more");
            assert_eq!(d.poll_message(), Err(e.clone()));
            assert_eq!(d.finish(), Err(e.clone()));
            e
        }
        Ok(m) => panic!("decoded {m:?}"),
    }
}

#[test]
fn every_frame_error_variant() {
    let l = FrameLimits::default();
    assert_eq!(
        first_error(&with_prelude(15, 0, &[0; 8]), l),
        FrameError::BadLengths {
            total_length: 15,
            headers_length: 0
        }
    );
    assert_eq!(
        first_error(&with_prelude(20, 5, &[0; 8]), l),
        FrameError::BadLengths {
            total_length: 20,
            headers_length: 5
        }
    );
    assert_eq!(
        first_error(&with_prelude(u32::MAX, 0, &[]), l),
        FrameError::MessageTooLong {
            total_length: u32::MAX,
            max: 24 << 20
        }
    );
    assert_eq!(
        first_error(&with_prelude(1 << 20, 200 << 10, &[]), l),
        FrameError::HeadersTooLong {
            headers_length: 200 << 10,
            max: 128 << 10
        }
    );
    let small = FrameLimits::default()
        .with_max_message_bytes(100)
        .with_max_headers_bytes(10);
    assert!(matches!(
        first_error(&with_prelude(101, 0, &[]), small),
        FrameError::MessageTooLong { max: 100, .. }
    ));
    assert!(matches!(
        first_error(&with_prelude(100, 11, &[]), small),
        FrameError::HeadersTooLong { max: 10, .. }
    ));
    let mut flipped = raw_headers(&[]);
    flipped[3] ^= 1;
    assert!(matches!(
        first_error(&flipped, l),
        FrameError::PreludeCrc { .. }
    ));
    let mut flipped = Message {
        headers: vec![],
        payload: b"x".to_vec(),
    }
    .encode()
    .unwrap();
    flipped[12] ^= 1;
    assert!(matches!(
        first_error(&flipped, l),
        FrameError::MessageCrc { .. }
    ));

    let header = |offset, problem| FrameError::Header { offset, problem };
    assert_eq!(
        first_error(&raw_headers(&[0]), l),
        header(0, HeaderProblem::NameLength)
    );
    assert_eq!(
        first_error(&raw_headers(&[5, b'a']), l),
        header(0, HeaderProblem::Truncated)
    );
    assert_eq!(
        first_error(&raw_headers(&[1, 0xff, 0]), l),
        header(0, HeaderProblem::NameNotUtf8)
    );
    assert_eq!(
        first_error(&raw_headers(&[1, b'a', 0, 1, b'b', 10]), l),
        header(3, HeaderProblem::UnknownType(10))
    );
    assert_eq!(
        first_error(&raw_headers(&[1, b'a', 7, 0, 1, 0xc3]), l),
        header(0, HeaderProblem::StringNotUtf8)
    );
    assert_eq!(
        first_error(&raw_headers(&[1, b'a', 6, 0, 9, 1]), l),
        header(0, HeaderProblem::Truncated)
    );
    assert_eq!(
        first_error(&raw_headers(&[1, b'a', 4, 0, 0]), l),
        header(0, HeaderProblem::Truncated)
    );
    assert_eq!(
        first_error(&raw_headers(&[1, b'a', 9, 0]), l),
        header(0, HeaderProblem::Truncated)
    );

    let mut cut = Decoder::new();
    cut.feed(&kinesis_stream()[..200]);
    assert!(cut.poll_message().unwrap().is_some());
    assert_eq!(cut.poll_message(), Ok(None));
    assert_eq!(cut.finish(), Err(FrameError::Truncated { buffered: 96 }));

    // The encoder refuses what the wire cannot carry.
    let too_long_name = Message {
        headers: vec![Header::new("n".repeat(256), HeaderValue::Bool(true))],
        payload: vec![],
    };
    assert!(matches!(
        too_long_name.encode(),
        Err(FrameError::Header {
            problem: HeaderProblem::NameLength,
            ..
        })
    ));
    let too_long_value = Message {
        headers: vec![Header::new("n", HeaderValue::ByteArray(vec![0; 65536]))],
        payload: vec![],
    };
    assert!(matches!(
        too_long_value.encode(),
        Err(FrameError::Header {
            problem: HeaderProblem::ValueLength,
            ..
        })
    ));
}

fn header_value() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        any::<bool>().prop_map(HeaderValue::Bool),
        any::<i8>().prop_map(HeaderValue::Byte),
        any::<i16>().prop_map(HeaderValue::Int16),
        any::<i32>().prop_map(HeaderValue::Int32),
        any::<i64>().prop_map(HeaderValue::Int64),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(HeaderValue::ByteArray),
        "[a-z:/ é-]{0,30}".prop_map(HeaderValue::String),
        any::<i64>().prop_map(HeaderValue::Timestamp),
        any::<[u8; 16]>().prop_map(HeaderValue::Uuid),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    (
        proptest::collection::vec(("[a-z:-]{1,20}", header_value()), 0..6),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(headers, payload)| Message {
            headers: headers
                .into_iter()
                .map(|(n, v)| Header::new(n, v))
                .collect(),
            payload,
        })
}

proptest! {
    #[test]
    fn splitting_a_valid_stream_anywhere_gives_the_same_messages(
        messages in proptest::collection::vec(message(), 1..6),
        with_kinesis in any::<bool>(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let mut bytes = Vec::new();
        if with_kinesis {
            bytes.extend(kinesis_stream());
        }
        for m in &messages {
            bytes.extend(m.encode().unwrap());
        }
        let whole = decode_all(&bytes, bytes.len()).unwrap();
        let got: Vec<&Message> = whole.iter().map(|f| &f.message).skip(if with_kinesis { 4 } else { 0 }).collect();
        prop_assert_eq!(got, messages.iter().collect::<Vec<_>>());

        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        points.sort_unstable();
        let mut decoder = Decoder::new();
        let mut split = Vec::new();
        let mut at = 0;
        for p in points.into_iter().chain([bytes.len()]) {
            decoder.feed(&bytes[at..p]);
            at = p;
            while let Some(f) = decoder.poll_frame().unwrap() {
                split.push(f);
            }
        }
        prop_assert_eq!(decoder.finish(), Ok(()));
        prop_assert_eq!(split, whole);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), chunk in 1usize..50) {
        let mut decoder = Decoder::new();
        for piece in bytes.chunks(chunk) {
            decoder.feed(piece);
            while let Ok(Some(_)) = decoder.poll_message() {}
        }
        let _ = decoder.finish();
    }
}
