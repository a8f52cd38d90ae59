//! Calendar dates, checked once at the boundary.
//!
//! Every date the program accepts (a check-in's session date, a FHIR `authored` time, a booking's
//! start) must name a day that exists: `2026-02-31` is refused, naming the field, instead of being
//! stored and silently read as 3 March by whatever reads it later. The core has no date library,
//! so the Gregorian rules live here, in one place, for every parser to share.

use crate::FieldError;
use std::fmt;

/// A real day of the proleptic Gregorian calendar, years 1 to 9999, written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    year: u16,
    month: u8,
    day: u8,
}

/// The reason every date refusal gives, so API, form and CLI read the same.
pub const DATE_REASON: &str = "must be a real calendar date written YYYY-MM-DD, like 2026-03-02";

impl CalendarDate {
    /// Reads `YYYY-MM-DD` (surrounding spaces ignored), refusing days the month does not have;
    /// the error names `field`.
    pub fn parse(field: &str, text: &str) -> Result<CalendarDate, FieldError> {
        Self::read(text.trim()).ok_or_else(|| FieldError::new(field, DATE_REASON))
    }

    /// The date of `year`, `month`, `day` when that day exists.
    pub fn new(year: u32, month: u32, day: u32) -> Option<CalendarDate> {
        let real = (1..=9999).contains(&year) && (1..=days_in_month(year, month)).contains(&day);
        real.then_some(CalendarDate {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    fn read(text: &str) -> Option<CalendarDate> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return None;
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().ok();
        CalendarDate::new(number(0..4)?, number(5..7)?, number(8..10)?)
    }

    /// The year.
    pub fn year(self) -> u32 {
        u32::from(self.year)
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Whether `year` has a 29 February.
pub fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// How many days `month` (1 to 12) has in `year`; 0 for a month that does not exist.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_days_are_read_and_written_back_the_same() {
        for text in [
            "2026-03-02",
            "2028-02-29",
            "2000-02-29",
            "0001-01-01",
            "9999-12-31",
        ] {
            assert_eq!(CalendarDate::parse("date", text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn days_a_month_does_not_have_are_refused_naming_the_field() {
        for text in [
            "2026-02-31",
            "2026-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "0000-01-01",
            "2026-1-01",
            "2026/01/01",
            "",
        ] {
            let e = CalendarDate::parse("session_date", text).unwrap_err();
            assert_eq!(e.field, "session_date", "{text}");
            assert_eq!(e.reason, DATE_REASON);
        }
    }
}
