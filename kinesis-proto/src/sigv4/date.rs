//! The signing time as SigV4 writes it: `20150830T123600Z` (and its first
//! eight characters as the date of the credential scope), formatted by hand.

use std::fmt;

use time::{OffsetDateTime, UtcOffset};

use crate::error::UsageError;

/// A signing time in UTC, already formatted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct AmzDate([u8; 16]);

impl AmzDate {
    /// Formats `time` in UTC; years outside 0–9999 cannot be written in
    /// SigV4's four-digit form.
    pub(crate) fn new(time: OffsetDateTime) -> Result<Self, UsageError> {
        let utc = time
            .checked_to_offset(UtcOffset::UTC)
            .filter(|t| (0..=9999).contains(&t.year()))
            .ok_or_else(|| {
                UsageError::new("time", "signing time is not between years 0 and 9999")
            })?;
        let mut out = *b"00000000T000000Z";
        // The filter above keeps the year in 0..=9999.
        let year = utc.year().unsigned_abs();
        put_digits(&mut out[0..4], year);
        put_digits(&mut out[4..6], u32::from(u8::from(utc.month())));
        put_digits(&mut out[6..8], u32::from(utc.day()));
        put_digits(&mut out[9..11], u32::from(utc.hour()));
        put_digits(&mut out[11..13], u32::from(utc.minute()));
        put_digits(&mut out[13..15], u32::from(utc.second()));
        Ok(AmzDate(out))
    }

    /// `YYYYMMDDTHHMMSSZ`.
    pub(crate) fn date_time(&self) -> &str {
        std::str::from_utf8(&self.0).expect("digits, T and Z are ASCII")
    }

    /// `YYYYMMDD`.
    pub(crate) fn date(&self) -> &str {
        &self.date_time()[..8]
    }
}

/// Writes `value` as decimal digits filling `out` (leading zeros).
fn put_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        // `value % 10` is below 10, so the cast cannot truncate.
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

impl fmt::Debug for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.date_time())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Date, Month, PrimitiveDateTime, Time};

    fn at(y: i32, mo: Month, d: u8, h: u8, mi: u8, s: u8) -> OffsetDateTime {
        PrimitiveDateTime::new(
            Date::from_calendar_date(y, mo, d).expect("valid test date"),
            Time::from_hms(h, mi, s).expect("valid test time"),
        )
        .assume_utc()
    }

    #[test]
    fn formats_utc() {
        let d = AmzDate::new(at(2015, Month::August, 30, 12, 36, 0)).expect("in range");
        assert_eq!(d.date_time(), "20150830T123600Z");
        assert_eq!(d.date(), "20150830");
        let d = AmzDate::new(at(7, Month::January, 2, 3, 4, 5)).expect("in range");
        assert_eq!(d.date_time(), "00070102T030405Z");
    }

    #[test]
    fn converts_offsets_to_utc() {
        let t = at(2015, Month::August, 30, 23, 30, 0)
            .replace_offset(UtcOffset::from_hms(-2, 0, 0).expect("valid offset"));
        assert_eq!(
            AmzDate::new(t).expect("in range").date_time(),
            "20150831T013000Z"
        );
    }

    #[test]
    fn refuses_years_out_of_range() {
        let e = AmzDate::new(at(-1, Month::January, 1, 0, 0, 0)).expect_err("year -1");
        assert_eq!(e.field, "time");
        assert!(AmzDate::new(at(9999, Month::December, 31, 23, 59, 59)).is_ok());
    }
}
