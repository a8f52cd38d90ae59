//! FHIR `dateTime` values, checked once at the boundary.
//!
//! The core has no clock and no date library; callers format the time, and this type makes sure
//! what they pass is a date-time FHIR accepts before it reaches a resource.

use crate::Invalid;
use crate::dates::CalendarDate;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A FHIR `dateTime`: `2026-03-02`, or `2026-03-02T18:30:00Z` / `…+01:00` (a time needs a zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FhirDateTime(String);

impl FhirDateTime {
    /// Accepts `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`, where a
    /// full date must be a day that exists (`2026-02-31` is refused).
    pub fn parse(text: &str) -> Result<FhirDateTime, Invalid> {
        if well_formed(text) {
            Ok(FhirDateTime(text.to_owned()))
        } else {
            Err(Invalid::one(
                "date_time",
                "must be a real calendar date (2026-03-02) or a date and time with a zone (2026-03-02T18:30:00Z)",
            ))
        }
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Read through [`FhirDateTime::parse`], so a resource from outside cannot carry a day that does
/// not exist.
impl<'de> Deserialize<'de> for FhirDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        FhirDateTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for FhirDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn number(text: &str, digits: usize, min: u32, max: u32) -> bool {
    text.len() == digits
        && text.bytes().all(|b| b.is_ascii_digit())
        && text.parse::<u32>().is_ok_and(|n| (min..=max).contains(&n))
}

fn well_formed(text: &str) -> bool {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let date_ok = match parts.as_slice() {
        [y] => number(y, 4, 1, 9999),
        [y, m] => number(y, 4, 1, 9999) && number(m, 2, 1, 12),
        [_, _, _] => CalendarDate::parse("date_time", date).is_ok(),
        _ => false,
    };
    match time {
        None => date_ok,
        Some(time) => date_ok && parts.len() == 3 && time_ok(time),
    }
}

fn time_ok(time: &str) -> bool {
    let (clock, zone) = if let Some(clock) = time.strip_suffix('Z') {
        (clock, None)
    } else if time.len() > 6 && matches!(time.as_bytes()[time.len() - 6], b'+' | b'-') {
        let (clock, zone) = time.split_at(time.len() - 6);
        (clock, Some(&zone[1..]))
    } else {
        return false;
    };
    let zone_ok = zone.is_none_or(|z| match z.split_once(':') {
        Some((h, m)) => number(h, 2, 0, 14) && number(m, 2, 0, 59),
        None => false,
    });
    let (whole, fraction) = match clock.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (clock, None),
    };
    let fraction_ok = fraction
        .is_none_or(|f| (1..=9).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()));
    let clock_ok = match whole.split(':').collect::<Vec<_>>().as_slice() {
        [h, m, s] => number(h, 2, 0, 23) && number(m, 2, 0, 59) && number(s, 2, 0, 60),
        _ => false,
    };
    zone_ok && fraction_ok && clock_ok
}
