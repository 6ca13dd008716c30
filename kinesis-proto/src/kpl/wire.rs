//! The bytes of the format: the magic, the digest, the protobuf field
//! numbers, and a borrowing reader over `prost`'s wire primitives.
//!
//! `AggregatedRecord { repeated string partition_key_table = 1; repeated
//! string explicit_hash_key_table = 2; repeated Record records = 3; }`,
//! `Record { required uint64 partition_key_index = 1; optional uint64
//! explicit_hash_key_index = 2; required bytes data = 3; repeated Tag tags
//! = 4; }`, `Tag { required string key = 1; optional string value = 2; }`.
//!
//! The reader follows the protobuf rules the KCL's (Java, proto2) parser
//! applies: fields may come in any order, a repeated field appends, a
//! scalar seen twice keeps the last value, a field with an unknown number
//! or an unexpected wire type is skipped as an unknown field (groups
//! included), and a missing required field fails the whole message.
//!
//! Why not `prost::Message`: its decoders fill owned values (a copy of every
//! user record's data) and do not enforce proto2 `required`, which the KCL's
//! rules depend on. The reader here borrows, checks presence, and rests on
//! prost's key, varint and skip primitives (those its derive's code calls).

use md5::{Digest as _, Md5};
use prost::encoding::{decode_key, decode_varint, encode_varint, skip_field};
use prost::encoding::{DecodeContext, WireType};

/// The four bytes every aggregated record starts with.
pub(super) const MAGIC: [u8; 4] = [0xF3, 0x89, 0x9A, 0xC2];
/// Length of the MD5 digest that ends an aggregated record.
pub(super) const DIGEST_LEN: usize = 16;
/// Bytes an aggregated record adds around its protobuf.
pub(super) const OVERHEAD: usize = MAGIC.len() + DIGEST_LEN;

/// `AggregatedRecord.partition_key_table`.
pub(super) const AGG_PARTITION_KEY: u32 = 1;
/// `AggregatedRecord.explicit_hash_key_table`.
pub(super) const AGG_EXPLICIT_HASH_KEY: u32 = 2;
/// `AggregatedRecord.records`.
pub(super) const AGG_RECORD: u32 = 3;
/// `Record.partition_key_index`.
pub(super) const REC_PARTITION_KEY_INDEX: u32 = 1;
/// `Record.explicit_hash_key_index`.
pub(super) const REC_EXPLICIT_HASH_KEY_INDEX: u32 = 2;
/// `Record.data`.
pub(super) const REC_DATA: u32 = 3;
/// `Record.tags`.
pub(super) const REC_TAG: u32 = 4;
/// `Tag.key`.
pub(super) const TAG_KEY: u32 = 1;

/// MD5 of `parts`, one after the other.
pub(super) fn md5(parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// Length of `value` as a protobuf varint: 1 to 10 bytes.
pub(super) fn varint_len(value: u64) -> usize {
    prost::encoding::encoded_len_varint(value)
}

/// Length of a field whose key fits one byte (field numbers 1 to 15)
/// holding `len` bytes: key, length varint, the bytes.
pub(super) fn delimited_len(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

/// Length of a field whose key fits one byte holding the varint `value`.
pub(super) fn varint_field_len(value: u64) -> usize {
    1 + varint_len(value)
}

/// Appends a length-delimited field.
pub(super) fn put_delimited(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_delimited_header(out, field, bytes.len());
    out.extend_from_slice(bytes);
}

/// Appends the key and length of a length-delimited field whose `len`
/// bytes the caller appends next.
pub(super) fn put_delimited_header(out: &mut Vec<u8>, field: u32, len: usize) {
    prost::encoding::encode_key(field, WireType::LengthDelimited, out);
    encode_varint(len as u64, out);
}

/// Appends a varint field.
pub(super) fn put_varint(out: &mut Vec<u8>, field: u32, value: u64) {
    prost::encoding::encode_key(field, WireType::Varint, out);
    encode_varint(value, out);
}

/// The bytes did not parse as the message they should hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Malformed;

impl From<prost::DecodeError> for Malformed {
    fn from(_: prost::DecodeError) -> Self {
        Malformed
    }
}

/// One field's value, as far as this format cares.
pub(super) enum Value<'a> {
    /// A varint.
    Varint(u64),
    /// A length-delimited field's bytes, borrowed.
    Bytes(&'a [u8]),
    /// Any other wire type, already skipped.
    Skipped,
}

/// Reads the next field of a message, advancing `buf` past it.
pub(super) fn next_field<'a>(buf: &mut &'a [u8]) -> Result<(u32, Value<'a>), Malformed> {
    let (field, wire_type) = decode_key(buf)?;
    let value = match wire_type {
        WireType::Varint => Value::Varint(decode_varint(buf)?),
        WireType::LengthDelimited => {
            let len = usize::try_from(decode_varint(buf)?).map_err(|_| Malformed)?;
            if len > buf.len() {
                return Err(Malformed);
            }
            let (bytes, rest) = buf.split_at(len);
            *buf = rest;
            Value::Bytes(bytes)
        }
        // Fixed-width fields and groups (skip_field bounds how deep groups
        // nest); an end-group key here fails, as it does in the KCL.
        other => {
            skip_field(other, field, buf, DecodeContext::default())?;
            Value::Skipped
        }
    };
    Ok((field, value))
}

/// `AggregationMaxSize` by default: 51,200 bytes per aggregated record.
pub const DEFAULT_MAX_SIZE: usize = 51_200;

/// `AggregationMaxCount` by default: 4,294,967,295 user records per
/// aggregated record (the KPL's default).
pub const DEFAULT_MAX_COUNT: u64 = 4_294_967_295;

/// The hash key Kinesis maps a partition key to: the MD5 of its UTF-8
/// bytes, read as a big-endian 128-bit number. The shard whose hash-key
/// range holds it receives the record (unless an explicit hash key is
/// given).
///
/// ```
/// use kinesis_proto::kpl::hash_key_of;
///
/// // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
/// assert_eq!(hash_key_of("a"), 0x0cc175b9c0f1b6a831c399e269772661);
/// ```
pub fn hash_key_of(partition_key: &str) -> u128 {
    u128::from_be_bytes(md5(&[partition_key.as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_match_what_is_written() {
        for len in [0usize, 1, 127, 128, 16_383, 16_384, 2_097_152] {
            let mut out = Vec::new();
            put_delimited(&mut out, AGG_RECORD, &vec![7; len]);
            assert_eq!(out.len(), delimited_len(len), "len {len}");
        }
        for value in [0u64, 127, 128, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, REC_PARTITION_KEY_INDEX, value);
            assert_eq!(out.len(), varint_field_len(value), "value {value}");
        }
    }

    #[test]
    fn reader_skips_fixed_width_fields_and_groups() {
        // field 9 fixed64, field 10 fixed32, field 11 a group holding a
        // varint, then field 1 varint 5.
        let bytes = [
            0x49, 1, 2, 3, 4, 5, 6, 7, 8, // 9: fixed64
            0x55, 1, 2, 3, 4, // 10: fixed32
            0x5b, 0x08, 0x01, 0x5c, // 11: start group, 1: varint, end group
            0x08, 0x05,
        ];
        let mut buf = &bytes[..];
        let mut seen = Vec::new();
        while !buf.is_empty() {
            let (field, value) = next_field(&mut buf).expect("well formed");
            seen.push((field, matches!(value, Value::Skipped)));
        }
        assert_eq!(seen, [(9, true), (10, true), (11, true), (1, false)]);
    }

    #[test]
    fn reader_refuses_truncation_and_stray_end_groups() {
        for bytes in [
            &[0x1a, 0x05, 1, 2][..],
            &[0x08][..],
            &[0x0c][..],
            &[0x00][..],
        ] {
            let mut buf = bytes;
            assert!(next_field(&mut buf).is_err(), "{bytes:?}");
        }
    }
}
