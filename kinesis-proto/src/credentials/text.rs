//! Small pieces every source's parser shares: timestamps, form encoding,
//! JSON fields, errors that never quote a body (bodies carry secrets).

use std::fmt;

use http::StatusCode;
use serde_json::{Map, Value};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::{Error, ResponseError, TransportError, UsageError};

/// A token or secret held as text; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// An RFC 3339 time (`2026-12-02T13:00:00Z`, `…T13:00:00.123+01:00`), or
/// the AWS CLI's older SSO cache form `2026-12-02T13:00:00UTC`.
pub(crate) fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let day = u8::try_from(num(8..10)?).ok()?;
    let hour = u8::try_from(num(11..13)?).ok()?;
    let minute = u8::try_from(num(14..16)?).ok()?;
    let second = u8::try_from(num(17..19)?).ok()?;
    let mut rest = s.get(19..)?;
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        for (i, c) in frac.bytes().take(digits.min(9)).enumerate() {
            nanos += u32::from(c - b'0') * 10u32.pow(8 - u32::try_from(i).unwrap_or(8));
        }
        rest = frac.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" | "UTC" => UtcOffset::UTC,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1i8,
                b'-' => -1i8,
                _ => return None,
            };
            let hm = rest.get(1..)?;
            if hm.len() != 5 || hm.as_bytes()[2] != b':' {
                return None;
            }
            let h = i8::try_from(hm.get(..2)?.parse::<u8>().ok()?).ok()?;
            let m = i8::try_from(hm.get(3..)?.parse::<u8>().ok()?).ok()?;
            UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
    };
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(
        PrimitiveDateTime::new(date, time)
            .assume_offset(offset)
            .to_offset(UtcOffset::UTC),
    )
}

/// `application/x-www-form-urlencoded` text of `pairs`.
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode(&mut out, k);
        out.push('=');
        percent_encode(&mut out, v);
    }
    out
}

/// Percent-encodes everything but the RFC 3986 unreserved characters.
pub(crate) fn percent_encode(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// An answer that does not parse: says what is wrong, never the body.
pub(crate) fn bad_answer(status: StatusCode, source: &str, reason: impl fmt::Display) -> Error {
    Error::Response(ResponseError {
        status,
        reason: format!("{source}: {reason}"),
        request_id: None,
    })
}

/// A source configured wrong, or refusing for a reason the user can fix.
pub(crate) fn usage(problem: impl Into<String>) -> Error {
    Error::Usage(UsageError::new("credentials", problem))
}

/// A transport failure, said to be the source's.
pub(crate) fn transport(source: &str, e: TransportError) -> Error {
    Error::Transport(TransportError::new(
        e.kind,
        format!("{source}: {}", e.message),
    ))
}

/// The JSON object in `body`.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the answer is JSON but not an object".to_owned()),
        // serde_json's message names a line and column, never the text.
        Err(e) => Err(format!("the answer is not JSON ({e})")),
    }
}

/// The string member `key` of `map`, if present and a non-empty string.
pub(crate) fn string<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let at = |s| parse_timestamp(s).map(|t| t.unix_timestamp_nanos());
        let base = 1_764_680_400i128 * 1_000_000_000; // 2025-12-02T13:00:00Z
        assert_eq!(at("2025-12-02T13:00:00Z"), Some(base));
        assert_eq!(at("2025-12-02T13:00:00UTC"), Some(base));
        assert_eq!(at("2025-12-02T14:00:00+01:00"), Some(base));
        assert_eq!(at("2025-12-02T13:00:00.5Z"), Some(base + 500_000_000));
        assert_eq!(
            at("2025-12-02T13:00:00.123456789123Z"),
            Some(base + 123_456_789)
        );
        for bad in [
            "",
            "2025-12-02",
            "2025-13-02T13:00:00Z",
            "2025-12-02T13:00:00",
            "2025-12-02T13:00:00.Z",
            "2025-12-02T13:00:00+1:00",
            "２０２５-12-02T13:00:00Z",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[test]
    fn form() {
        assert_eq!(
            form_encode(&[("A", "b c"), ("R", "arn:aws:iam::1:role/x")]),
            "A=b%20c&R=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx"
        );
    }
}
