//! Time zones: every person's wall clock, from the IANA database (bundled with `jiff`, so every
//! machine and every CI run reads the same rules, whatever the host's `/usr/share/zoneinfo`).
//!
//! Rapport stores instants as Unix milliseconds (UTC). A person sees and thinks in wall-clock
//! time in their zone: a therapist publishes "Tuesday 18:00" in theirs, and a weekly series keeps
//! that wall-clock time when the clocks change (it does not keep a fixed distance in hours). Two
//! edges need a rule, and both are stated to the person rather than hidden:
//! - on a spring-forward day one local hour does not exist ([`Resolved::Skipped`]): such a time
//!   is not offered, and booking it is refused with the reason;
//! - on an autumn day one local hour happens twice ([`Resolved::Repeated`]): Rapport takes the
//!   earlier one and says so ([`Zone::repeated_note`]).

use crate::FieldError;
use crate::care::clock::{self, DAY_MS};
use jiff::tz::{AmbiguousOffset, TimeZone};

/// A validated IANA time zone, with its canonical name.
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

impl serde::Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

/// A wall-clock reading of an instant in a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Local {
    /// The local date as days since 1970-01-01.
    pub days: i64,
    /// Monday = 0 … Sunday = 6.
    pub weekday: u8,
    /// 0 … 23.
    pub hour: u8,
    /// 0 … 59.
    pub minute: u8,
    /// Whether the reading is exactly on a minute (no seconds or milliseconds).
    pub on_minute: bool,
}

/// A date and time of day on a wall clock, in no zone yet: `2026-03-29T01:00`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WallTime {
    /// The date as days since 1970-01-01.
    pub days: i64,
    /// 0 … 23.
    pub hour: u8,
    /// 0 … 59.
    pub minute: u8,
}

impl WallTime {
    /// Reads `YYYY-MM-DDThh:mm` (a real calendar date; no seconds, no offset).
    pub fn parse(text: &str) -> Option<WallTime> {
        let t = text.trim();
        let b = t.as_bytes();
        if b.len() != 16 || !matches!(b[10], b'T' | b' ') || b[13] != b':' {
            return None;
        }
        let ms = clock::parse_rfc3339(&format!("{}:00Z", &t[..16]))?;
        let in_day = ms.rem_euclid(DAY_MS);
        Some(WallTime {
            days: ms.div_euclid(DAY_MS),
            hour: (in_day / 3_600_000) as u8,
            minute: ((in_day / 60_000) % 60) as u8,
        })
    }

    /// "Sun 29 Mar 2026, 01:00".
    pub fn label(self) -> String {
        clock::local_label(
            self.days * DAY_MS + i64::from(self.hour) * 3_600_000 + i64::from(self.minute) * 60_000,
            0,
        )
    }
}

/// What a wall-clock time on a date is in a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// One instant: the ordinary case.
    Exact(i64),
    /// The clocks jump over this time: it does not exist that day.
    Skipped,
    /// The clocks go back over this time: it happens twice, `earlier` then `later`.
    Repeated {
        /// Before the change (summer time).
        earlier: i64,
        /// After the change.
        later: i64,
    },
}

impl Resolved {
    /// The instant Rapport uses: the only one, or the earlier of two; none for a skipped time.
    pub fn instant(self) -> Option<i64> {
        match self {
            Resolved::Exact(t) | Resolved::Repeated { earlier: t, .. } => Some(t),
            Resolved::Skipped => None,
        }
    }
}

impl Zone {
    /// Coordinated Universal Time: the zone of an account that has not chosen one.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// Reads an IANA zone name such as `Europe/London` (any letter case), refusing names the
    /// database does not know; the error names `field`.
    pub fn parse(field: &str, text: &str) -> Result<Zone, FieldError> {
        let t = text.trim();
        let bad = || {
            FieldError::new(
                field,
                "must be a time zone name such as Europe/London or America/New_York",
            )
        };
        if t.is_empty() || t.len() > 64 || t.eq_ignore_ascii_case("Etc/Unknown") {
            return Err(bad());
        }
        let tz = jiff::tz::db().get(t).map_err(|_| bad())?;
        let name = tz.iana_name().unwrap_or(t).to_owned();
        Ok(Zone { name, tz })
    }

    /// A zone read back from storage, where it was checked when saved. A name a newer database no
    /// longer knows (the IANA database keeps old names as links, so this should not happen)
    /// falls back to UTC rather than making a person's pages fail.
    pub fn stored(name: &str) -> Zone {
        Zone::parse("time_zone", name).unwrap_or_default()
    }

    /// The canonical IANA name, `Europe/London`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name people read: the city ("London", "New York", "Kolkata"), "UTC", or for a
    /// fixed-offset zone the offset ("UTC+01:00").
    pub fn city(&self) -> String {
        if self.is_fixed() {
            return match self.offset_minutes_at(0) {
                0 => "UTC".to_owned(),
                m => format!("UTC{}", offset_text(m)),
            };
        }
        self.name
            .rsplit('/')
            .next()
            .unwrap_or(&self.name)
            .replace('_', " ")
    }

    /// Whether this is UTC or a fixed `Etc/GMT±N` offset: a zone that never changes its clocks
    /// because it stands for no place (what an account had before zones were named).
    pub fn is_fixed(&self) -> bool {
        let n = self.name.to_ascii_lowercase();
        n == "utc" || n.starts_with("etc/")
    }

    /// Minutes east of UTC at an instant.
    pub fn offset_minutes_at(&self, ms: i64) -> i32 {
        let ts = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        self.tz.to_offset(ts).seconds() / 60
    }

    /// The wall-clock reading of an instant.
    pub fn local(&self, ms: i64) -> Local {
        let local = ms + i64::from(self.offset_minutes_at(ms)) * 60_000;
        let days = local.div_euclid(DAY_MS);
        let in_day = local.rem_euclid(DAY_MS);
        Local {
            days,
            weekday: clock::weekday(days),
            hour: (in_day / 3_600_000) as u8,
            minute: ((in_day / 60_000) % 60) as u8,
            on_minute: in_day % 60_000 == 0,
        }
    }

    /// The instant(s) of a wall-clock time (`days` since 1970-01-01, `hour`:`minute`).
    pub fn resolve(&self, days: i64, hour: u8, minute: u8) -> Resolved {
        let (y, m, d) = clock::civil_from_days(days);
        let Ok(dt) =
            jiff::civil::DateTime::new(y as i16, m as i8, d as i8, hour as i8, minute as i8, 0, 0)
        else {
            return Resolved::Skipped;
        };
        let naive = days * DAY_MS + i64::from(hour) * 3_600_000 + i64::from(minute) * 60_000;
        let at = |o: jiff::tz::Offset| naive - i64::from(o.seconds()) * 1000;
        match self.tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => Resolved::Exact(at(offset)),
            AmbiguousOffset::Gap { .. } => Resolved::Skipped,
            AmbiguousOffset::Fold { before, after } => Resolved::Repeated {
                earlier: at(before),
                later: at(after),
            },
        }
    }

    /// A wall-clock time in this zone.
    pub fn resolve_wall(&self, w: WallTime) -> Resolved {
        self.resolve(w.days, w.hour, w.minute)
    }

    /// "Tue 3 Nov 2026, 18:00 (London)": an instant in this zone, the zone named.
    pub fn label(&self, ms: i64) -> String {
        format!("{} ({})", self.plain_label(ms), self.city())
    }

    /// "Tue 3 Nov 2026, 18:00": the same without the zone, for lists under a heading naming it.
    pub fn plain_label(&self, ms: i64) -> String {
        clock::local_label(ms, self.offset_minutes_at(ms))
    }

    /// "2026-11-25": the local date of an instant.
    pub fn date(&self, ms: i64) -> String {
        let (y, m, d) = clock::civil_from_days(self.local(ms).days);
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// "2026-11-25 21:26 (London)": the compact form lists and tables print.
    pub fn date_time(&self, ms: i64) -> String {
        let l = self.local(ms);
        format!(
            "{} {:02}:{:02} ({})",
            self.date(ms),
            l.hour,
            l.minute,
            self.city()
        )
    }

    /// "18:00": the time of day only.
    pub fn time_label(&self, ms: i64) -> String {
        let l = self.local(ms);
        format!("{:02}:{:02}", l.hour, l.minute)
    }

    /// When an instant falls in an hour that happens twice (clocks going back), the sentence that
    /// says which of the two it is.
    pub fn repeated_note(&self, ms: i64) -> Option<String> {
        let l = self.local(ms);
        match self.resolve(l.days, l.hour, l.minute) {
            Resolved::Repeated { earlier, .. } => Some(format!(
                "The clocks go back that night in {}, so {:02}:{:02} happens twice; this is the {} one ({} there).",
                self.city(),
                l.hour,
                l.minute,
                if earlier == ms { "first" } else { "second" },
                if earlier == ms {
                    "before the change"
                } else {
                    "after the change"
                },
            )),
            _ => None,
        }
    }
}

/// Every zone name people choose from, sorted: the database's canonical names for places plus
/// UTC (the `Etc/` fixed offsets and old aliases are left out of the list, though still accepted).
pub fn names() -> &'static [String] {
    static NAMES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        let mut v: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_owned())
            .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
            .collect();
        v.push("UTC".to_owned());
        v.sort();
        v.dedup();
        v
    });
    &NAMES
}

fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

/// The sentence shown where the two people of an appointment live in different zones:
/// "For Sam in London that is 18:00." (`None` when the wall clocks agree at that instant).
pub fn other_side_note(ms: i64, mine: &Zone, theirs: &Zone, their_name: &str) -> Option<String> {
    (mine.offset_minutes_at(ms) != theirs.offset_minutes_at(ms)).then(|| {
        format!(
            "For {their_name} in {} that is {}.",
            theirs.city(),
            theirs.plain_label(ms)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::clock::{days_from_civil, parse_rfc3339};

    fn at(text: &str) -> i64 {
        parse_rfc3339(text).unwrap()
    }

    fn zone(name: &str) -> Zone {
        Zone::parse("time_zone", name).unwrap()
    }

    #[test]
    fn zone_names_are_checked_against_the_database_and_made_canonical() {
        assert_eq!(zone("europe/london").name(), "Europe/London");
        assert_eq!(zone("America/New_York").city(), "New York");
        assert_eq!(zone("Asia/Kolkata").city(), "Kolkata");
        assert_eq!(zone("UTC").city(), "UTC");
        assert_eq!(zone("Etc/GMT-1").city(), "UTC+01:00");
        for bad in ["", "Mars/Olympus", "+01:00", "Etc/Unknown", "London"] {
            let e = Zone::parse("time_zone", bad).unwrap_err();
            assert_eq!(e.field, "time_zone", "{bad}");
        }
    }

    #[test]
    fn london_evening_is_the_same_wall_clock_on_both_sides_of_each_change() {
        let london = zone("Europe/London");
        // Winter (GMT) and summer (BST).
        assert_eq!(
            london.label(at("2026-03-24T18:00:00Z")),
            "Tue 24 Mar 2026, 18:00 (London)"
        );
        assert_eq!(
            london.label(at("2026-03-31T17:00:00Z")),
            "Tue 31 Mar 2026, 18:00 (London)"
        );
        let day = days_from_civil(2026, 10, 27);
        assert_eq!(
            london.resolve(day, 18, 0),
            Resolved::Exact(at("2026-10-27T18:00:00Z"))
        );
    }

    #[test]
    fn the_skipped_spring_hour_does_not_exist_and_the_autumn_hour_happens_twice() {
        let london = zone("Europe/London");
        assert_eq!(
            london.resolve(days_from_civil(2026, 3, 29), 1, 0),
            Resolved::Skipped
        );
        let ny = zone("America/New_York");
        assert_eq!(
            ny.resolve(days_from_civil(2026, 3, 8), 2, 30),
            Resolved::Skipped
        );
        let fold = ny.resolve(days_from_civil(2026, 11, 1), 1, 0);
        assert_eq!(
            fold,
            Resolved::Repeated {
                earlier: at("2026-11-01T05:00:00Z"),
                later: at("2026-11-01T06:00:00Z")
            }
        );
        assert_eq!(fold.instant(), Some(at("2026-11-01T05:00:00Z")));
        let note = ny.repeated_note(at("2026-11-01T05:00:00Z")).unwrap();
        assert!(
            note.contains("first") && note.contains("New York"),
            "{note}"
        );
        assert!(ny.repeated_note(at("2026-11-02T05:00:00Z")).is_none());
    }

    #[test]
    fn compact_dates_are_local_and_name_the_zone() {
        assert_eq!(Zone::utc().date_time(0), "1970-01-01 00:00 (UTC)");
        assert_eq!(Zone::utc().date_time(-1), "1969-12-31 23:59 (UTC)");
        let ny = zone("America/New_York");
        assert_eq!(
            ny.date_time(at("2026-11-26T02:26:00Z")),
            "2026-11-25 21:26 (New York)"
        );
        assert_eq!(ny.date(at("2026-11-26T02:26:00Z")), "2026-11-25");
    }

    #[test]
    fn half_hour_zones_read_and_resolve() {
        let kolkata = zone("Asia/Kolkata");
        assert_eq!(
            kolkata.label(at("2026-03-03T12:30:00Z")),
            "Tue 3 Mar 2026, 18:00 (Kolkata)"
        );
        assert_eq!(kolkata.offset_minutes_at(0), 330);
        assert_eq!(
            kolkata.resolve(days_from_civil(2026, 3, 3), 18, 0),
            Resolved::Exact(at("2026-03-03T12:30:00Z"))
        );
    }

    #[test]
    fn local_text_without_an_offset_is_read_in_the_zone() {
        let london = zone("Europe/London");
        assert_eq!(
            WallTime::parse("2026-07-07T18:00").map(|w| london.resolve_wall(w)),
            Some(Resolved::Exact(at("2026-07-07T17:00:00Z")))
        );
        assert_eq!(
            WallTime::parse("2026-03-29T01:00").map(|w| london.resolve_wall(w)),
            Some(Resolved::Skipped)
        );
        assert_eq!(WallTime::parse("2026-02-31T18:00"), None);
        assert_eq!(WallTime::parse("2026-07-07T18:00Z"), None);
    }

    #[test]
    fn the_other_side_is_named_only_when_their_clock_differs() {
        let london = zone("Europe/London");
        let ny = zone("America/New_York");
        let t = at("2026-03-24T18:00:00Z");
        assert_eq!(
            other_side_note(t, &ny, &london, "Sam").as_deref(),
            Some("For Sam in London that is Tue 24 Mar 2026, 18:00.")
        );
        assert_eq!(other_side_note(t, &london, &london, "Sam"), None);
    }
}
