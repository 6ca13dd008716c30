//! How Kinesis JSON 1.1 writes values that serde has no one way for: blobs
//! as base64, timestamps as epoch seconds, hash keys as decimal strings.
//! Used through `#[serde(with = "crate::wire::…")]`.
//!
//! Answers are read as botocore reads them and as smithy's client error
//! correction fills them: a member sent as `null` is absent, and a member
//! the model requires but the answer lacks (or sends as `null`) takes its
//! type's default — `""`, `0`, `false`, an empty list or map, the epoch
//! for a timestamp, empty bytes for a blob, an empty structure (its own
//! members filled the same way), `Unknown("")` for an enum. Every
//! non-`Option` output member is `#[serde(default, deserialize_with =
//! "crate::wire::nullable")]` (or `default` with one of the modules here,
//! which read `null` the same way); `Option` members are `None` for both.
//! Bytes that are not the answer's shape (not an object, a string where a
//! list belongs, an array where a structure belongs) still fail the parse:
//! answers are parsed with [`from_slice`], which refuses the positional
//! structures serde would otherwise read from a JSON array.
//!
//! Timestamps and blobs read their text straight from the input (borrowed
//! bytes / [`RawValue`]), so they deserialize from `serde_json::from_slice`
//! and `from_str`, which is how every response is parsed. Blobs also
//! deserialize from a `serde_json::Value`; timestamps do not (the exact
//! decimal text is gone by then).

mod strict;

pub(crate) use strict::from_slice;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;
use time::OffsetDateTime;

/// Reads a member that may be `null` or (with `#[serde(default)]`)
/// missing: both give `T::default()`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// What a missing or `null` timestamp reads as: the Unix epoch (use with
/// `#[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]`).
pub(crate) fn epoch() -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH
}

/// `Vec<u8>` as a base64 string (standard alphabet, padded).
///
/// Decoding accepts the text with or without padding, and decodes straight
/// from the borrowed input into the output vector. Encoding writes the
/// base64 text as a raw JSON value, so the serializer does not scan it for
/// characters to escape (base64 has none).
///
/// Both directions run `base64-simd` (SIMD where the CPU has it). Decoding
/// accepts exactly what the `base64` crate's [`ENGINE`] accepts (checked by
/// a differential property test): canonical trailing bits, padding that is
/// complete or absent. On failure the text is decoded again by [`ENGINE`],
/// whose error names the offending byte and offset.
pub(crate) mod blob {
    use super::*;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    use base64::Engine as _;

    /// Standard alphabet; writes padding, reads it or its absence.
    pub(crate) const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_encode_padding(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );

    /// `data` as base64 text in JSON quotes: a complete JSON string value.
    pub(crate) fn quoted(data: &[u8]) -> String {
        let mut text = String::with_capacity(base64_simd::STANDARD.encoded_length(data.len()) + 2);
        text.push('"');
        base64_simd::STANDARD.encode_append(data, &mut text);
        text.push('"');
        text
    }

    /// Appends `data` as padded base64 text to `out`.
    ///
    /// (`encoded_length` asserts `len <= usize::MAX / 2`, which every slice
    /// meets: none is longer than `isize::MAX` bytes.)
    pub(crate) fn encode_into(data: &[u8], out: &mut Vec<u8>) {
        // Amortized growth: `encode_append` alone reserves exactly, which
        // would reallocate on every record of an under-sized body.
        out.reserve(base64_simd::STANDARD.encoded_length(data.len()));
        base64_simd::STANDARD.encode_append(data, out);
    }

    pub(crate) fn serialize<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
        // A quoted base64 string is always valid JSON; `from_string` only
        // re-checks it with serde_json's fast string scan.
        let raw = RawValue::from_string(quoted(data)).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }

    /// Asks for bytes, not a `str`: serde_json then hands over the string's
    /// text (unescaped) without checking that it is UTF-8, which the base64
    /// decoder checks anyway (every byte must be one of its 65). Text that
    /// is not UTF-8 fails as invalid base64 instead of as invalid JSON.
    /// Deserializers without bytes (`serde_json::Value`) call `visit_str`.
    /// `null` reads as no bytes.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_option(OptionalBlob)
    }

    /// `null`, or a blob.
    struct OptionalBlob;

    impl<'de> Visitor<'de> for OptionalBlob {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a base64 string")
        }

        fn visit_none<E: de::Error>(self) -> Result<Vec<u8>, E> {
            Ok(Vec::new())
        }

        fn visit_unit<E: de::Error>(self) -> Result<Vec<u8>, E> {
            Ok(Vec::new())
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<u8>, D::Error> {
            d.deserialize_bytes(BlobVisitor)
        }

        // Deserializers that do not tell options apart (`Value`) come here.
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
            BlobVisitor.visit_str(v)
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            BlobVisitor.visit_bytes(v)
        }
    }

    /// Decodes base64 text, naming the problem on failure.
    pub(crate) fn decode(text: &[u8]) -> Result<Vec<u8>, String> {
        // Text whose length is a multiple of 4 may end in padding (or need
        // none); any other length is unpadded or invalid.
        let simd = if text.len() % 4 == 0 {
            base64_simd::STANDARD
        } else {
            base64_simd::STANDARD_NO_PAD
        };
        match simd.decode_to_vec(text) {
            Ok(data) => Ok(data),
            Err(_) => decode_slow(text),
        }
    }

    /// The `base64` crate's verdict, for its error message.
    #[cold]
    fn decode_slow(text: &[u8]) -> Result<Vec<u8>, String> {
        ENGINE
            .decode(text)
            .map_err(|e| format!("invalid base64 data: {e}"))
    }

    struct BlobVisitor;

    impl Visitor<'_> for BlobVisitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a base64 string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
            decode(v.as_bytes()).map_err(E::custom)
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            decode(v).map_err(E::custom)
        }
    }
}

/// Latest time `OffsetDateTime` holds, as Unix seconds (9999-12-31T23:59:59Z).
const MAX_UNIX_SECONDS: i64 = 253_402_300_799;
const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// Reads epoch seconds from the decimal text of a JSON number (`1441215410`,
/// `1441215410.867`, `1.441215410867E9`) exactly, without going through a
/// float. Digits past the nanosecond are dropped. Negative times and times
/// past year 9999 are errors.
///
/// One pass over the text: the first [`KEPT_DIGITS`] significant digits of
/// the mantissa go into an integer, with the power of ten that scales it
/// (the digits after them are past the nanosecond of any time in range).
/// Runs once per record, so the common case (a mantissa of up to 19
/// digits) splits seconds and nanoseconds with `u64` arithmetic only.
pub(crate) fn parse_epoch_seconds(text: &str) -> Result<OffsetDateTime, String> {
    let bad = || format!("invalid epoch-seconds timestamp {text:?}");
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = bytes.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    // The mantissa is `kept` × 10^`scale` (plus dropped digits).
    let mut kept: u128 = 0;
    let mut kept_digits: u32 = 0;
    let mut scale: i64 = 0;
    let start = i;
    while let Some(&b) = bytes.get(i) {
        if !b.is_ascii_digit() {
            break;
        }
        if kept_digits < KEPT_DIGITS {
            if kept != 0 || b != b'0' {
                kept = kept * 10 + u128::from(b - b'0');
                kept_digits += 1;
            }
        } else {
            scale += 1;
        }
        i += 1;
    }
    if i == start {
        return Err(bad());
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(&b) = bytes.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            if kept_digits < KEPT_DIGITS {
                if kept != 0 || b != b'0' {
                    kept = kept * 10 + u128::from(b - b'0');
                    kept_digits += 1;
                }
                scale -= 1;
            }
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
    }
    // Decimal exponent, saturated well beyond any meaningful range.
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        let mut exponent: i64 = 0;
        while let Some(&b) = bytes.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            exponent = (exponent * 10 + i64::from(b - b'0')).min(1_000_000_000);
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        scale += if exp_negative { -exponent } else { exponent };
    }
    if i != bytes.len() {
        return Err(bad());
    }
    if kept == 0 {
        return Ok(OffsetDateTime::UNIX_EPOCH);
    }
    if negative {
        return Err(format!("timestamp {text:?} is before 1970"));
    }
    let out_of_range = || format!("timestamp {text:?} is out of range");
    let (seconds, nanos) = split_seconds(kept, scale).ok_or_else(out_of_range)?;
    if seconds > MAX_UNIX_SECONDS as u64 {
        return Err(out_of_range());
    }
    // In range: `seconds` ≤ MAX_UNIX_SECONDS, `nanos` < 10^9.
    OffsetDateTime::from_unix_timestamp(seconds as i64)
        .and_then(|t| t.replace_nanosecond(nanos))
        .map_err(|_| out_of_range())
}

/// Significant mantissa digits [`parse_epoch_seconds`] keeps: with 38, the
/// last kept digit of a time before year 10000 (< 10^12 s) is at 10^-26 s,
/// and `kept` < 10^38 fits a `u128`.
const KEPT_DIGITS: u32 = 38;

/// 10^0 ..= 10^38.
const POW10: [u128; 39] = {
    let mut table = [1u128; 39];
    let mut k = 1;
    while k < 39 {
        table[k] = table[k - 1] * 10;
        k += 1;
    }
    table
};

/// Whole seconds and nanoseconds of `kept` × 10^`scale` seconds,
/// truncated; `None` when the seconds overflow a `u64` (out of range).
fn split_seconds(kept: u128, scale: i64) -> Option<(u64, u32)> {
    // kept × 10^p nanoseconds.
    let p = scale + 9;
    if p >= 9 {
        // Whole seconds only.
        let e = usize::try_from(p - 9).ok().filter(|e| *e < POW10.len())?;
        let seconds = kept.checked_mul(POW10[e])?;
        return Some((u64::try_from(seconds).ok()?, 0));
    }
    if p >= 0 {
        // 10^(9-p) nanosecond units make a second; `p` < 9 so both fit.
        let per_second = POW10[(9 - p) as usize] as u64;
        let unit = POW10[p as usize] as u32;
        return Some(match u64::try_from(kept) {
            Ok(k) => (k / per_second, (k % per_second) as u32 * unit),
            Err(_) => {
                let per_second = u128::from(per_second);
                let seconds = u64::try_from(kept / per_second).ok()?;
                (seconds, (kept % per_second) as u32 * unit)
            }
        });
    }
    // Finer than a nanosecond: drop the digits past it first.
    let drop = usize::try_from(-p).ok().filter(|d| *d < POW10.len());
    let total = match drop {
        Some(d) => kept / POW10[d],
        None => 0, // kept < 10^38 ≤ 10^-p
    };
    let seconds = u64::try_from(total / 1_000_000_000).ok()?;
    Some((seconds, (total % 1_000_000_000) as u32))
}

/// Writes epoch seconds as JSON number text: an integer for whole seconds,
/// else a decimal with up to nine fraction digits (trailing zeros dropped).
pub(crate) fn format_epoch_seconds(t: &OffsetDateTime) -> String {
    let nanos = t.unix_timestamp_nanos();
    let sign = if nanos < 0 { "-" } else { "" };
    let abs = nanos.unsigned_abs();
    let seconds = abs / NANOS_PER_SECOND as u128;
    let fraction = abs % NANOS_PER_SECOND as u128;
    if fraction == 0 {
        return format!("{sign}{seconds}");
    }
    let digits = format!("{fraction:09}");
    format!("{sign}{seconds}.{}", digits.trim_end_matches('0'))
}

/// The text of a timestamp value: a JSON number, or a number in a string.
fn timestamp_text(raw: &RawValue) -> &str {
    let text = raw.get();
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
}

/// `time::OffsetDateTime` as epoch seconds (integer, float or exponent
/// form), read exactly from the decimal text.
pub(crate) mod timestamp {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        let raw =
            RawValue::from_string(format_epoch_seconds(t)).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }

    /// `null` reads as the epoch (error correction: see the module docs).
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        match Option::<&'de RawValue>::deserialize(d)? {
            Some(raw) => parse_epoch_seconds(timestamp_text(raw)).map_err(de::Error::custom),
            None => Ok(epoch()),
        }
    }
}

/// `Option<time::OffsetDateTime>` as optional epoch seconds; use with
/// `#[serde(default, skip_serializing_if = "Option::is_none")]`.
pub(crate) mod opt_timestamp {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        t: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::timestamp::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        match Option::<&'de RawValue>::deserialize(d)? {
            Some(raw) => parse_epoch_seconds(timestamp_text(raw))
                .map(Some)
                .map_err(de::Error::custom),
            None => Ok(None),
        }
    }
}

/// Serializes a timestamp as epoch seconds, for hand-written `Serialize`
/// impls (`serializer.serialize_field("Timestamp", &EpochSeconds(&t))`).
pub(crate) struct EpochSeconds<'a>(pub(crate) &'a OffsetDateTime);

impl Serialize for EpochSeconds<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        timestamp::serialize(self.0, s)
    }
}

/// Reads a hash key: decimal digits only, at most 2^128 − 1.
pub(crate) fn parse_hash_key(text: &str) -> Result<u128, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("hash key {text:?} is not a decimal number"));
    }
    text.parse::<u128>()
        .map_err(|_| format!("hash key {text:?} is larger than 2^128 - 1"))
}

/// `u128` hash key as a decimal string.
pub(crate) mod hash_key {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(key: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(key)
    }

    /// `null` reads as 0 (error correction: see the module docs).
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        Ok(super::opt_hash_key::deserialize(d)?.unwrap_or_default())
    }

    pub(super) struct HashKeyVisitor;

    impl Visitor<'_> for HashKeyVisitor {
        type Value = u128;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a hash key as a decimal string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<u128, E> {
            parse_hash_key(v).map_err(E::custom)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u128, E> {
            Ok(u128::from(v))
        }
    }
}

/// `Option<u128>` hash key as an optional decimal string; use with
/// `#[serde(default, skip_serializing_if = "Option::is_none")]`.
pub(crate) mod opt_hash_key {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(key: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
        match key {
            Some(k) => s.collect_str(k),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
        struct Wrap(u128);
        impl<'de> Deserialize<'de> for Wrap {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(super::hash_key::HashKeyVisitor).map(Wrap)
            }
        }
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}

/// Shows a record payload in `Debug` output as its size only.
pub(crate) struct Payload<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// Declares a string enum of the wire: one variant per known value plus
/// `Unknown(String)`, so a value the service adds later never fails a parse.
/// Serializes as the wire string; `as_str`, `Display` and `From<&str>` too.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not know, as the service sent it.
            Unknown(String),
        }

        impl $name {
            /// The value as the service writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Unknown(other) => other,
                }
            }
        }

        /// `Unknown("")`: what a required member the answer lacks reads as
        /// (smithy's client error correction).
        impl Default for $name {
            fn default() -> Self {
                $name::Unknown(String::new())
            }
        }

        impl From<&str> for $name {
            fn from(wire: &str) -> Self {
                match wire {
                    $( $wire => $name::$variant, )*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct WireVisitor;
                impl serde::de::Visitor<'_> for WireVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                d.deserialize_str(WireVisitor)
            }
        }
    };
}
pub(crate) use string_enum;

#[cfg(test)]
#[allow(unreachable_pub)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Doc {
        #[serde(with = "blob")]
        data: Vec<u8>,
        #[serde(with = "timestamp")]
        at: OffsetDateTime,
        #[serde(
            default,
            with = "opt_timestamp",
            skip_serializing_if = "Option::is_none"
        )]
        maybe_at: Option<OffsetDateTime>,
        #[serde(with = "hash_key")]
        key: u128,
        #[serde(
            default,
            with = "opt_hash_key",
            skip_serializing_if = "Option::is_none"
        )]
        maybe_key: Option<u128>,
    }

    fn ts(text: &str) -> Result<OffsetDateTime, String> {
        parse_epoch_seconds(text)
    }

    /// The two-pass parser this module had before, kept as the oracle of
    /// the differential property test.
    #[allow(clippy::all)]
    fn previous_parse_epoch_seconds(text: &str) -> Result<OffsetDateTime, String> {
        let bad = || format!("invalid epoch-seconds timestamp {text:?}");
        let bytes = text.as_bytes();
        let mut i = 0;
        let negative = bytes.first() == Some(&b'-');
        if negative {
            i += 1;
        }
        // Significant digits of the mantissa (integer then fraction part).
        let int_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_digits = &bytes[int_start..i];
        if int_digits.is_empty() {
            return Err(bad());
        }
        let mut frac_digits: &[u8] = &[];
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_digits = &bytes[start..i];
            if frac_digits.is_empty() {
                return Err(bad());
            }
        }
        // Decimal exponent, saturated well beyond any meaningful range.
        let mut exponent: i64 = 0;
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            let exp_negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                exponent = (exponent * 10 + i64::from(bytes[i] - b'0')).min(1_000_000_000);
                i += 1;
            }
            if i == start {
                return Err(bad());
            }
            if exp_negative {
                exponent = -exponent;
            }
        }
        if i != bytes.len() {
            return Err(bad());
        }

        // The mantissa's digits, integer then fraction part, read as one digit
        // string with the decimal point after `point` digits (moved by the
        // exponent). Seconds are the digits before the point, nanoseconds the
        // nine after it; digits past the nanosecond are dropped. No allocation
        // and no wide division: this runs once per record.
        let digit = |k: i64| -> u64 {
            let k = match usize::try_from(k) {
                Ok(k) => k,
                Err(_) => return 0,
            };
            let d = if k < int_digits.len() {
                int_digits[k]
            } else {
                match frac_digits.get(k - int_digits.len()) {
                    Some(d) => *d,
                    None => return 0,
                }
            };
            u64::from(d - b'0')
        };
        let len = (int_digits.len() + frac_digits.len()) as i64;
        let leading_zeros = int_digits
            .iter()
            .chain(frac_digits)
            .take_while(|d| **d == b'0')
            .count() as i64;
        if leading_zeros == len {
            return Ok(OffsetDateTime::UNIX_EPOCH);
        }
        if negative {
            return Err(format!("timestamp {text:?} is before 1970"));
        }
        let out_of_range = || format!("timestamp {text:?} is out of range");
        let point = int_digits.len() as i64 + exponent;
        // More than 12 significant digits before the point is past year 9999.
        if point - leading_zeros > 12 {
            return Err(out_of_range());
        }
        let mut seconds: i64 = 0;
        for k in leading_zeros..point {
            seconds = seconds * 10 + digit(k) as i64;
        }
        let mut nanos: u32 = 0;
        for k in point..point + 9 {
            nanos = nanos * 10 + digit(k) as u32;
        }
        if seconds > MAX_UNIX_SECONDS {
            return Err(out_of_range());
        }
        OffsetDateTime::from_unix_timestamp(seconds)
            .and_then(|t| t.replace_nanosecond(nanos))
            .map_err(|_| out_of_range())
    }

    #[test]
    fn exact_decimal_exponent_forms() {
        let t = ts("1.700000000123E9").expect("valid");
        assert_eq!(t.unix_timestamp(), 1_700_000_000);
        assert_eq!(t.nanosecond(), 123_000_000);
        assert_eq!(t.second(), 20);
        assert_eq!(t.millisecond(), 123);
        let t = ts("1.441215410867E9").expect("valid");
        assert_eq!(t.unix_timestamp_nanos(), 1_441_215_410_867_000_000);
        assert_eq!(ts("1441215410.867").expect("valid"), t);
        assert_eq!(ts("1441215410867e-3").expect("valid"), t);
        assert_eq!(ts("0.1441215410867e+10").expect("valid"), t);
        assert_eq!(ts("1441215410867000000E-9").expect("valid"), t);
    }

    #[test]
    fn integers_fractions_and_truncation() {
        assert_eq!(
            ts("1441215410").expect("valid").unix_timestamp(),
            1_441_215_410
        );
        assert_eq!(ts("0").expect("valid"), OffsetDateTime::UNIX_EPOCH);
        assert_eq!(ts("-0").expect("valid"), OffsetDateTime::UNIX_EPOCH);
        assert_eq!(
            ts("0e999999999999").expect("valid"),
            OffsetDateTime::UNIX_EPOCH
        );
        assert_eq!(ts("1e-10").expect("valid"), OffsetDateTime::UNIX_EPOCH);
        let t = ts("1.1234567899").expect("valid");
        assert_eq!(
            t.unix_timestamp_nanos(),
            1_123_456_789,
            "sub-nanosecond digits dropped"
        );
        assert_eq!(ts("1E3").expect("valid").unix_timestamp(), 1000);
        assert_eq!(
            ts("1.5e0").expect("valid").unix_timestamp_nanos(),
            1_500_000_000
        );
        let max = ts("253402300799.999999999").expect("valid");
        assert_eq!(
            (max.year(), max.unix_timestamp_nanos()),
            (9999, 253_402_300_799_999_999_999)
        );
        let long = format!("1700000000.{}", "1".repeat(200));
        assert_eq!(
            ts(&long).expect("valid").unix_timestamp_nanos(),
            1_700_000_000_111_111_111
        );
        let zeros = format!("{}1700000000", "0".repeat(100));
        assert_eq!(ts(&zeros).expect("valid").unix_timestamp(), 1_700_000_000);
    }

    #[test]
    fn bad_timestamps_are_clean_errors() {
        for bad in [
            "", "-", "1.", ".5", "1e", "1e+", "abc", "1x", "1.5.5", "--1", "+1", "1 ", "NaN",
            "1E3.5",
        ] {
            assert!(ts(bad).is_err(), "{bad:?} must not parse");
        }
        assert!(ts("-1").expect_err("negative").contains("before 1970"));
        assert!(ts("-1.441215410867E9").is_err());
        for huge in [
            "253402300800",
            "1e12",
            "1e999999999999999999999",
            "99999999999999999999999999999999999999999999",
            "1.7e308",
            "1e400",
        ] {
            assert!(
                ts(huge).expect_err("huge").contains("out of range"),
                "{huge}"
            );
        }
    }

    #[test]
    fn timestamp_format() {
        assert_eq!(
            format_epoch_seconds(
                &OffsetDateTime::from_unix_timestamp(1_441_215_410).expect("in range")
            ),
            "1441215410"
        );
        let t = ts("1.441215410867E9").expect("valid");
        assert_eq!(format_epoch_seconds(&t), "1441215410.867");
        assert_eq!(format_epoch_seconds(&OffsetDateTime::UNIX_EPOCH), "0");
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_000_000_001).expect("in range");
        assert_eq!(format_epoch_seconds(&t), "1.000000001");
        let t = OffsetDateTime::from_unix_timestamp_nanos(-1_500_000_000).expect("in range");
        assert_eq!(format_epoch_seconds(&t), "-1.5");
    }

    #[test]
    fn round_trip_through_json() {
        let doc = Doc {
            data: b"hello, kinesis \x00\xff".to_vec(),
            at: ts("1700000000.123").expect("valid"),
            maybe_at: Some(OffsetDateTime::UNIX_EPOCH),
            key: u128::MAX,
            maybe_key: Some(0),
        };
        let json = serde_json::to_string(&doc).expect("serializes");
        assert_eq!(
            json,
            r#"{"data":"aGVsbG8sIGtpbmVzaXMgAP8=","at":1700000000.123,"maybe_at":0,"key":"340282366920938463463374607431768211455","maybe_key":"0"}"#
        );
        let back: Doc = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, doc);
        let back: Doc = serde_json::from_slice(json.as_bytes()).expect("parses");
        assert_eq!(back, doc);
    }

    #[test]
    fn optional_fields_absent_or_null() {
        let doc: Doc = serde_json::from_str(
            r#"{"data":"","at":1.441215410867E9,"maybe_at":null,"key":"1","maybe_key":null}"#,
        )
        .expect("parses");
        assert_eq!(doc.maybe_at, None);
        assert_eq!(doc.maybe_key, None);
        assert_eq!(doc.at.unix_timestamp_nanos(), 1_441_215_410_867_000_000);
        let doc: Doc = serde_json::from_str(r#"{"data":"","at":1,"key":"1"}"#).expect("parses");
        assert_eq!(doc.maybe_at, None);
        assert_eq!(doc.maybe_key, None);
        assert_eq!(
            serde_json::to_string(&doc).expect("ok"),
            r#"{"data":"","at":1,"key":"1"}"#
        );
    }

    #[test]
    fn blob_decoding() {
        assert_eq!(blob::decode(b"aGk=").expect("padded"), b"hi");
        assert_eq!(blob::decode(b"aGk").expect("unpadded"), b"hi");
        assert!(blob::decode(b"a").is_err());
        assert!(blob::decode(b"!!!!").is_err());
        assert!(blob::decode(b"aGk=aGk=").is_err());
        // An escaped solidus still decodes (serde_json unescapes into a scratch buffer).
        let doc: Doc =
            serde_json::from_str(r#"{"data":"\/w==","at":0,"key":"0"}"#).expect("parses");
        assert_eq!(doc.data, vec![0xff]);
        let err = serde_json::from_str::<Doc>(r#"{"data":"%%","at":0,"key":"0"}"#)
            .expect_err("bad base64");
        assert!(err.to_string().contains("base64"), "{err}");
        let err = serde_json::from_str::<Doc>(r#"{"data":5,"at":0,"key":"0"}"#)
            .expect_err("not a string");
        assert!(err.to_string().contains("base64"), "{err}");
        for not_a_string in [r#"[1,2]"#, "{}", "true"] {
            let body = format!(r#"{{"data":{not_a_string},"at":0,"key":"0"}}"#);
            let err = serde_json::from_str::<Doc>(&body).expect_err("not a string");
            assert!(err.to_string().contains("base64"), "{body}: {err}");
        }
        // `null` is no bytes (a member sent as null reads as absent).
        let doc: Doc =
            serde_json::from_str(r#"{"data":null,"at":null,"key":null}"#).expect("nulls");
        assert_eq!(
            (doc.data.len(), doc.at, doc.key),
            (0, OffsetDateTime::UNIX_EPOCH, 0)
        );
        // Text that is not UTF-8, or a lone surrogate escape: invalid base64.
        let err = serde_json::from_slice::<Doc>(b"{\"data\":\"aG\xffk\",\"at\":0,\"key\":\"0\"}")
            .expect_err("not UTF-8");
        assert!(err.to_string().contains("invalid base64"), "{err}");
        let err = serde_json::from_str::<Doc>(r#"{"data":"aGk\ud800","at":0,"key":"0"}"#)
            .expect_err("lone surrogate");
        assert!(err.to_string().contains("base64"), "{err}");
        // Through a `Value` (no bytes there: `visit_str`).
        #[derive(Deserialize)]
        struct Blob {
            #[serde(with = "blob")]
            data: Vec<u8>,
        }
        let value: serde_json::Value = serde_json::from_str(r#"{"data":"aGk="}"#).expect("JSON");
        assert_eq!(Blob::deserialize(&value).expect("from &Value").data, b"hi");
        assert_eq!(Blob::deserialize(value).expect("from Value").data, b"hi");
        let value: serde_json::Value = serde_json::from_str(r#"{"data":[1]}"#).expect("JSON");
        assert!(Blob::deserialize(value).is_err());
    }

    #[test]
    fn timestamp_errors_through_serde() {
        for body in [
            r#"{"data":"","at":-5,"key":"0"}"#,
            r#"{"data":"","at":1e99999,"key":"0"}"#,
            r#"{"data":"","at":true,"key":"0"}"#,
            r#"{"data":"","at":"soon","key":"0"}"#,
            r#"{"data":"","at":{},"key":"0"}"#,
        ] {
            assert!(serde_json::from_str::<Doc>(body).is_err(), "{body}");
        }
        let doc: Doc = serde_json::from_str(r#"{"data":"","at":"1441215410.5","key":"0"}"#)
            .expect("quoted number");
        assert_eq!(doc.at.unix_timestamp_nanos(), 1_441_215_410_500_000_000);
    }

    string_enum! {
        /// Test enum.
        Color {
            /// Red.
            Red = "RED",
            /// Dark blue.
            DarkBlue = "DARK_BLUE",
        }
    }

    #[test]
    fn string_enums_keep_unknown_values() {
        let colors: Vec<Color> =
            serde_json::from_str(r#"["RED","DARK_BLUE","ULTRAVIOLET"]"#).expect("parses");
        assert_eq!(
            colors,
            vec![
                Color::Red,
                Color::DarkBlue,
                Color::Unknown("ULTRAVIOLET".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&colors).expect("ok"),
            r#"["RED","DARK_BLUE","ULTRAVIOLET"]"#
        );
        assert_eq!(Color::DarkBlue.to_string(), "DARK_BLUE");
        assert!(serde_json::from_str::<Color>("5").is_err());
        assert_eq!(format!("{:?}", Payload(b"secret")), "<6 bytes>");
    }

    #[test]
    fn hash_keys() {
        assert_eq!(parse_hash_key("0"), Ok(0));
        assert_eq!(
            parse_hash_key("340282366920938463463374607431768211455"),
            Ok(u128::MAX)
        );
        let err = parse_hash_key("340282366920938463463374607431768211456").expect_err("2^128");
        assert!(err.contains("larger than 2^128 - 1"), "{err}");
        for bad in ["", "+1", "-1", "1.0", " 1", "0x10", "١"] {
            assert!(parse_hash_key(bad).is_err(), "{bad:?}");
        }
        let err = serde_json::from_str::<Doc>(
            r#"{"data":"","at":0,"key":"340282366920938463463374607431768211456"}"#,
        )
        .expect_err("too big");
        assert!(err.to_string().contains("2^128"), "{err}");
        let doc: Doc =
            serde_json::from_str(r#"{"data":"","at":0,"key":"42","maybe_key":"7"}"#).expect("ok");
        assert_eq!((doc.key, doc.maybe_key), (42, Some(7)));
    }

    mod properties {
        use super::super::*;
        use base64::Engine as _;
        use proptest::prelude::*;

        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

        const MAX_NANOS: i128 = (MAX_UNIX_SECONDS as i128 + 1) * 1_000_000_000 - 1;

        proptest! {
            #[test]
            fn timestamp_text_never_panics(text in "\\PC{0,40}") {
                let _ = parse_epoch_seconds(&text);
            }

            #[test]
            fn number_like_text_never_panics(text in "-?[0-9]{0,30}(\\.[0-9]{0,30})?([eE][+-]?[0-9]{0,25})?") {
                let _ = parse_epoch_seconds(&text);
            }

            #[test]
            fn timestamp_parse_agrees_with_the_two_pass_parser(
                text in "-?0{0,3}[0-9]{0,25}(\\.[0-9]{0,45})?([eE][+-]?0{0,2}[0-9]{0,3})?",
            ) {
                prop_assert_eq!(parse_epoch_seconds(&text), super::previous_parse_epoch_seconds(&text));
            }

            #[test]
            fn timestamp_parse_agrees_on_service_shapes(
                seconds in 0u64..=300_000_000_000,
                fraction in "[0-9]{0,24}",
                shift in -30i64..30,
            ) {
                // d.ddd…E{n} and plain forms around the real range, with
                // the point moved by `shift` through the exponent.
                let digits = format!("{seconds}{fraction}");
                let (head, tail) = digits.split_at(1);
                let exp = (seconds.to_string().len() as i64 - 1) + shift;
                for text in [
                    format!("{head}.{tail}E{exp}"),
                    format!("{head}.{tail}e{exp}"),
                    format!("{seconds}.{fraction}0"),
                    format!("{digits}E-{}", fraction.len()),
                ] {
                    prop_assert_eq!(parse_epoch_seconds(&text), super::previous_parse_epoch_seconds(&text), "{}", text);
                }
            }

            #[test]
            fn timestamps_round_trip_exactly(nanos in 0..=MAX_NANOS) {
                let t = OffsetDateTime::from_unix_timestamp_nanos(nanos).expect("in range");
                let text = format_epoch_seconds(&t);
                prop_assert_eq!(parse_epoch_seconds(&text), Ok(t));
            }

            #[test]
            fn exponent_forms_round_trip(seconds in 0u64..=253_402_300_799, millis in 0u32..1000) {
                // d.dddE9-style text, as the service writes it.
                let digits = format!("{seconds}{millis:03}");
                let (head, tail) = digits.split_at(1);
                let exp = digits.len() as i64 - 1 - 3;
                let text = format!("{head}.{tail}E{exp}");
                let t = parse_epoch_seconds(&text).expect("valid");
                prop_assert_eq!(t.unix_timestamp(), seconds as i64);
                prop_assert_eq!(t.millisecond() as u32, millis);
            }

            #[test]
            fn blobs_round_trip(data in proptest::collection::vec(any::<u8>(), 0..300)) {
                let text = blob::quoted(&data);
                prop_assert_eq!(blob::decode(text.trim_matches('"').as_bytes()), Ok(data));
            }

            #[test]
            fn blob_decoding_agrees_with_the_base64_crate(
                text in "[A-Za-z0-9+/=]{0,120}",
                junk in proptest::option::of((0usize..120, any::<u8>())),
            ) {
                let mut text = text.into_bytes();
                if let Some((at, byte)) = junk {
                    let at = at.min(text.len());
                    text.insert(at, byte);
                }
                let reference = blob::ENGINE.decode(&text).map_err(|e| format!("invalid base64 data: {e}"));
                prop_assert_eq!(blob::decode(&text), reference);
            }

            #[test]
            fn blob_decoding_agrees_on_near_canonical_text(
                data in proptest::collection::vec(any::<u8>(), 0..100),
                cut in 0usize..3,
                flip in any::<u8>(),
            ) {
                // Valid text, then with padding cut off, and with its last
                // symbol changed (non-canonical trailing bits and the like).
                let mut text = blob::ENGINE.encode(&data).into_bytes();
                let keep = text.len() - cut.min(text.iter().filter(|b| **b == b'=').count());
                text.truncate(keep);
                let reference = blob::ENGINE.decode(&text).map_err(|e| format!("invalid base64 data: {e}"));
                prop_assert_eq!(blob::decode(&text), reference);
                if let Some(last) = text.iter().rposition(|b| *b != b'=') {
                    text[last] = ALPHABET[usize::from(flip % 64)];
                    let reference = blob::ENGINE.decode(&text).map_err(|e| format!("invalid base64 data: {e}"));
                    prop_assert_eq!(blob::decode(&text), reference);
                }
            }

            #[test]
            fn blob_encoding_agrees_with_the_base64_crate(data in proptest::collection::vec(any::<u8>(), 0..300)) {
                let mut out = b"x".to_vec();
                blob::encode_into(&data, &mut out);
                let expected = blob::ENGINE.encode(&data);
                prop_assert_eq!(&out[1..], expected.as_bytes());
            }

            #[test]
            fn blob_text_never_panics(text in proptest::collection::vec(any::<u8>(), 0..64)) {
                let _ = blob::decode(&text);
            }

            #[test]
            fn hash_keys_round_trip(key in any::<u128>()) {
                prop_assert_eq!(parse_hash_key(&key.to_string()), Ok(key));
            }
        }
    }
}
