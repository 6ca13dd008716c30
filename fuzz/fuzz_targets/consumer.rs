#![no_main]
//! The whole consumer (shard discovery, shard tree, readers, checkpoints)
//! driven by arbitrary answers: transport failures, error codes, raw bytes
//! and well-formed ListShards / GetShardIterator / GetRecords answers with
//! arbitrary shards, parents, records (aggregated or not), iterators and
//! children, answered out of order or twice, with clock jumps and a user
//! who takes events and stores checkpoints or not. No panic; no user
//! record delivered twice in one run.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kinesis_proto::consumer::fuzz::drive(data);
});
