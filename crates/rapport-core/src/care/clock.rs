//! The calendar: Unix milliseconds in, calendar words out.
//!
//! Rapport stores every time as Unix milliseconds (UTC). A person's wall clock at an instant is
//! UTC plus their zone's offset at that instant ([`crate::zone::Zone`] reads it from the IANA
//! database); from there, "Tue 3 Mar 2026, 18:00" needs only the proleptic Gregorian calendar, written out here.

/// Milliseconds in an hour.
pub const HOUR_MS: i64 = 3_600_000;
/// Milliseconds in a day.
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// Milliseconds in a week.
pub const WEEK_MS: i64 = 7 * DAY_MS;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Howard Hinnant's days-to-civil algorithm: days since 1970-01-01 to (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The inverse of [`civil_from_days`].
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The weekday of a day number, Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
pub fn weekday(days: i64) -> u8 {
    (days + 3).rem_euclid(7) as u8
}

/// Short English day name, Monday = 0.
pub fn day_name(day: u8) -> &'static str {
    DAYS[usize::from(day % 7)]
}

/// `2026-03-03T18:00:00Z`: the one text form of an instant in the API.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// `20260303T180000Z`: an instant as an iCalendar UTC date-time (RFC 5545 §3.3.5, form 2).
pub fn ics_utc(ms: i64) -> String {
    rfc3339(ms).replace(['-', ':'], "")
}

/// Reads `YYYY-MM-DDThh:mm[:ss][.fff](Z|±hh:mm)`, the form the API accepts, as Unix ms.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |s: &[u8]| -> Option<i64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    if b.len() < 17 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    if b[13] != b':' {
        return None;
    }
    let (h, mi) = (num(&b[11..13])?, num(&b[14..16])?);
    let mut i = 16;
    let mut s = 0;
    if b.get(i) == Some(&b':') {
        s = num(b.get(i + 1..i + 3)?)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    let offset_min = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let v = num(&[*h1, *h2])? * 60 + num(&[*m1, *m2])?;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    let days_in_month = [
        31,
        28 + i64::from(is_leap(y)),
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month[(mo - 1) as usize] {
        return None;
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    Some(days * DAY_MS + h * HOUR_MS + mi * 60_000 + s * 1000 - offset_min * 60_000)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// "Tue 3 Mar 2026, 18:00" for an instant seen `offset_minutes` east of UTC.
pub fn local_label(ms: i64, offset_minutes: i32) -> String {
    let local = ms + i64::from(offset_minutes) * 60_000;
    let days = local.div_euclid(DAY_MS);
    let rem = local.rem_euclid(DAY_MS) / 60_000;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{} {d} {} {y}, {:02}:{:02}",
        day_name(weekday(days)),
        MONTHS[(m - 1) as usize],
        rem / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2026, 3, 3), 20_515);
        for z in [-800_000, -1, 0, 59, 11_016, 20_515, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn weekdays_start_on_monday() {
        assert_eq!(weekday(0), 3, "1970-01-01 was a Thursday");
        assert_eq!(
            weekday(days_from_civil(2026, 3, 2)),
            0,
            "2026-03-02 is a Monday"
        );
        assert_eq!(day_name(6), "Sun");
    }

    #[test]
    fn rfc3339_reads_zones_and_writes_utc() {
        let ms = parse_rfc3339("2026-03-03T18:00:00Z").unwrap();
        assert_eq!(rfc3339(ms), "2026-03-03T18:00:00Z");
        assert_eq!(parse_rfc3339("2026-03-03T19:00:00+01:00"), Some(ms));
        assert_eq!(parse_rfc3339("2026-03-03T13:00-05:00"), Some(ms));
        assert_eq!(parse_rfc3339("2026-03-03T18:00:00.250Z"), Some(ms));
        assert_eq!(ics_utc(ms), "20260303T180000Z");
        for bad in [
            "",
            "2026-03-03",
            "2026-02-30T10:00:00Z",
            "2026-03-03T24:00:00Z",
            "2026-03-03T18:00:00",
            "soon",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert!(parse_rfc3339("2028-02-29T10:00:00Z").is_some(), "leap day");
    }

    #[test]
    fn local_labels_apply_the_offset() {
        let ms = parse_rfc3339("2026-03-03T18:00:00Z").unwrap();
        assert_eq!(local_label(ms, 0), "Tue 3 Mar 2026, 18:00");
        assert_eq!(local_label(ms, 60), "Tue 3 Mar 2026, 19:00");
        assert_eq!(local_label(ms, 360), "Wed 4 Mar 2026, 00:00");
        assert_eq!(local_label(ms, -330), "Tue 3 Mar 2026, 12:30");
    }
}
