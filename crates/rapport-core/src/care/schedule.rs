//! Weekly availability, bookable slots and the cancellation policy.
//!
//! A therapist publishes hours of the week ("Tuesday 18:00") in their own local time. Local time
//! is a fixed offset from UTC, not a named zone: without a time-zone database Rapport cannot know
//! when clocks change, so a therapist whose clocks change updates the offset (the page says so).
//! Every slot starts on the hour and lasts [`Schedule::session_minutes`].

use super::clock::{self, DAY_MS, HOUR_MS, WEEK_MS};
use crate::{FieldError, Invalid};
use serde::Serialize;

/// The longest weekly booking: far enough to plan a term, short enough to stay real.
pub const MAX_WEEKS: u32 = 12;
/// How far ahead the booking page looks for free slots.
pub const HORIZON_WEEKS: u32 = 4;

/// A fixed offset from UTC in minutes east (`+01:00` is 60).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(transparent)]
pub struct UtcOffset(i32);

impl UtcOffset {
    /// The offset in minutes east of UTC.
    pub fn minutes(self) -> i32 {
        self.0
    }

    /// Reads `UTC`, `Z`, `+01:00`, `-05:30` or `+0100` (−12:00 … +14:00, as real zones are).
    pub fn parse(text: &str) -> Result<UtcOffset, Invalid> {
        let bad = || {
            Invalid::one(
                "utc_offset",
                "must look like +01:00 or -05:00 (UTC is +00:00)",
            )
        };
        let t = text.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Ok(UtcOffset(0));
        }
        let t = t.strip_prefix("UTC").unwrap_or(t);
        let (sign, rest) = match t.as_bytes().first() {
            Some(b'+') => (1, &t[1..]),
            Some(b'-') => (-1, &t[1..]),
            _ => return Err(bad()),
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) || rest.len() > 5 {
            return Err(bad());
        }
        let h: i32 = digits[..2].parse().map_err(|_| bad())?;
        let m: i32 = digits[2..].parse().map_err(|_| bad())?;
        let v = sign * (h * 60 + m);
        if m > 59 || !(-720..=840).contains(&v) {
            return Err(bad());
        }
        Ok(UtcOffset(v))
    }

    /// An offset from minutes, when in range.
    pub fn from_minutes(minutes: i64) -> Option<UtcOffset> {
        (-720..=840)
            .contains(&minutes)
            .then_some(UtcOffset(minutes as i32))
    }
}

impl std::fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { '-' } else { '+' };
        write!(f, "{sign}{:02}:{:02}", self.0.abs() / 60, self.0.abs() % 60)
    }
}

/// One published hour of the week, in the therapist's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct WeeklySlot {
    /// Monday = 0 … Sunday = 6.
    pub day: u8,
    /// 0 … 23.
    pub hour: u8,
}

impl WeeklySlot {
    /// A slot when both parts are in range.
    pub fn new(day: i64, hour: i64) -> Option<WeeklySlot> {
        ((0..7).contains(&day) && (0..24).contains(&hour)).then_some(WeeklySlot {
            day: day as u8,
            hour: hour as u8,
        })
    }

    /// "Tue 18:00".
    pub fn label(self) -> String {
        format!("{} {:02}:00", clock::day_name(self.day), self.hour)
    }
}

/// What kind of appointment is booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An intro consultation: getting to know each other before deciding.
    Consultation,
    /// A regular session.
    Session,
    /// A closing session the client asked for when ending.
    Closing,
}

impl Kind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Consultation => "consultation",
            Kind::Session => "session",
            Kind::Closing => "closing",
        }
    }

    /// Parses a stored or submitted word.
    pub fn parse(word: &str) -> Option<Kind> {
        [Kind::Consultation, Kind::Session, Kind::Closing]
            .into_iter()
            .find(|k| k.as_str() == word)
    }

    /// "Consultation", "Session", "Closing session".
    pub fn label(self) -> &'static str {
        match self {
            Kind::Consultation => "Intro consultation",
            Kind::Session => "Session",
            Kind::Closing => "Closing session",
        }
    }
}

/// A therapist's published week and booking policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// Local time of the slots.
    pub offset: UtcOffset,
    /// The published hours, sorted, without repeats.
    pub slots: Vec<WeeklySlot>,
    /// Cancelling with less notice than this is "late" (still allowed: cancelling always beats
    /// not turning up, which is the point).
    pub notice_hours: u32,
    /// How long one appointment lasts.
    pub session_minutes: u32,
}

/// Why a time cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The time has already started or passed.
    Past,
    /// The therapist does not offer that hour.
    NotOffered,
    /// Too many weekly repeats asked for.
    TooManyWeeks,
}

impl Refusal {
    /// The problem, naming the field.
    pub fn to_field(self) -> FieldError {
        match self {
            Refusal::Past => FieldError::new(
                "starts_at",
                "is in the past; please pick one of the times still to come",
            ),
            Refusal::NotOffered => FieldError::new(
                "starts_at",
                "isn't one of the times this therapist offers; please pick a listed time",
            ),
            Refusal::TooManyWeeks => {
                FieldError::new("weeks", format!("must be a number from 1 to {MAX_WEEKS}"))
            }
        }
    }
}

/// Whether a cancellation gives the notice the therapist asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// At least the policy's hours before the start.
    InTime,
    /// Less notice than the policy asks; still better than not turning up.
    Late,
}

impl Schedule {
    /// Builds a schedule, refusing out-of-range values (each problem named).
    pub fn new(
        offset: UtcOffset,
        slots: Vec<WeeklySlot>,
        notice_hours: i64,
        session_minutes: i64,
    ) -> Result<Schedule, Invalid> {
        let mut errors = Vec::new();
        if !(0..=168).contains(&notice_hours) {
            errors.push(FieldError::new(
                "notice_hours",
                "must be a whole number of hours from 0 to 168",
            ));
        }
        if !(15..=180).contains(&session_minutes) {
            errors.push(FieldError::new(
                "session_minutes",
                "must be a whole number of minutes from 15 to 180",
            ));
        }
        if !errors.is_empty() {
            return Err(Invalid(errors));
        }
        let mut slots = slots;
        slots.sort();
        slots.dedup();
        Ok(Schedule {
            offset,
            slots,
            notice_hours: notice_hours as u32,
            session_minutes: session_minutes as u32,
        })
    }

    /// The local weekly slot an instant falls on, when it is exactly on an hour.
    pub fn local_slot(&self, starts_at: i64) -> Option<WeeklySlot> {
        let local = starts_at + i64::from(self.offset.minutes()) * 60_000;
        let in_day = local.rem_euclid(DAY_MS);
        (in_day % HOUR_MS == 0).then(|| WeeklySlot {
            day: clock::weekday(local.div_euclid(DAY_MS)),
            hour: (in_day / HOUR_MS) as u8,
        })
    }

    /// When an appointment starting at `starts_at` ends.
    pub fn ends_at(&self, starts_at: i64) -> i64 {
        starts_at + i64::from(self.session_minutes) * 60_000
    }

    /// Every published start after `now` within `weeks` weeks, earliest first.
    pub fn upcoming(&self, now: i64, weeks: u32) -> Vec<i64> {
        let offset = i64::from(self.offset.minutes()) * 60_000;
        let first_day = (now + offset).div_euclid(DAY_MS);
        let mut out = Vec::new();
        for day in first_day..=first_day + i64::from(weeks) * 7 {
            let weekday = clock::weekday(day);
            for s in self.slots.iter().filter(|s| s.day == weekday) {
                let start = day * DAY_MS + i64::from(s.hour) * HOUR_MS - offset;
                if start > now && start <= now + i64::from(weeks) * WEEK_MS {
                    out.push(start);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The starts of a booking: `weeks` weekly occurrences from `starts_at` (1 = one-off), each
    /// checked against the clock and the published week.
    pub fn occurrences(&self, now: i64, starts_at: i64, weeks: u32) -> Result<Vec<i64>, Refusal> {
        if weeks == 0 || weeks > MAX_WEEKS {
            return Err(Refusal::TooManyWeeks);
        }
        if starts_at <= now {
            return Err(Refusal::Past);
        }
        match self.local_slot(starts_at) {
            Some(slot) if self.slots.contains(&slot) => {}
            _ => return Err(Refusal::NotOffered),
        }
        Ok((0..i64::from(weeks))
            .map(|k| starts_at + k * WEEK_MS)
            .collect())
    }

    /// Whether cancelling at `now` an appointment starting at `starts_at` gives enough notice.
    pub fn notice(&self, now: i64, starts_at: i64) -> Notice {
        if starts_at - now >= i64::from(self.notice_hours) * HOUR_MS {
            Notice::InTime
        } else {
            Notice::Late
        }
    }

    /// The policy in plain words, shown before booking.
    pub fn policy_text(&self) -> String {
        match self.notice_hours {
            0 => "You can cancel any time before the appointment starts.".to_string(),
            1 => "Please cancel at least 1 hour before, so the time can go to someone else."
                .to_string(),
            h => format!(
                "Please cancel at least {h} hours before, so the time can go to someone else. \
                 You can still cancel later: it is always better than not turning up."
            ),
        }
    }
}

/// Whether an appointment can still be cancelled: only before it starts.
pub fn can_cancel(now: i64, starts_at: i64) -> bool {
    now < starts_at
}

#[cfg(test)]
mod tests {
    use super::super::clock::parse_rfc3339;
    use super::*;

    fn tuesday_evenings(offset: &str) -> Schedule {
        Schedule::new(
            UtcOffset::parse(offset).unwrap(),
            vec![
                WeeklySlot::new(1, 18).unwrap(),
                WeeklySlot::new(1, 18).unwrap(),
            ],
            24,
            50,
        )
        .unwrap()
    }

    fn at(text: &str) -> i64 {
        parse_rfc3339(text).unwrap()
    }

    #[test]
    fn offsets_parse_and_print() {
        assert_eq!(UtcOffset::parse("+01:00").unwrap().minutes(), 60);
        assert_eq!(UtcOffset::parse("UTC-05:30").unwrap().minutes(), -330);
        assert_eq!(UtcOffset::parse("+0545").unwrap().to_string(), "+05:45");
        assert_eq!(UtcOffset::parse("utc").unwrap().to_string(), "+00:00");
        for bad in ["", "1", "+1", "+15:00", "-13:00", "+01:60", "Europe/London"] {
            assert!(UtcOffset::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slots_repeat_weekly_in_local_time() {
        let s = tuesday_evenings("+01:00");
        assert_eq!(s.slots.len(), 1, "repeats are dropped");
        let now = at("2026-03-02T09:00:00Z");
        let starts = s.upcoming(now, 2);
        assert_eq!(
            starts,
            vec![at("2026-03-03T17:00:00Z"), at("2026-03-10T17:00:00Z")]
        );
        assert_eq!(
            s.local_slot(starts[0]),
            Some(WeeklySlot { day: 1, hour: 18 })
        );
        assert_eq!(s.ends_at(starts[0]) - starts[0], 50 * 60_000);
    }

    #[test]
    fn a_slot_that_started_is_not_offered() {
        let s = tuesday_evenings("+00:00");
        let now = at("2026-03-03T18:00:00Z");
        assert_eq!(s.upcoming(now, 1), vec![at("2026-03-10T18:00:00Z")]);
    }

    #[test]
    fn bookings_must_be_future_and_published() {
        let s = tuesday_evenings("+00:00");
        let now = at("2026-03-02T09:00:00Z");
        let start = at("2026-03-03T18:00:00Z");
        assert_eq!(s.occurrences(now, start, 1), Ok(vec![start]));
        assert_eq!(
            s.occurrences(now, start, 3).unwrap()[2],
            at("2026-03-17T18:00:00Z")
        );
        assert_eq!(s.occurrences(start, start, 1), Err(Refusal::Past));
        assert_eq!(
            s.occurrences(now, at("2026-03-01T18:00:00Z"), 1),
            Err(Refusal::Past)
        );
        assert_eq!(
            s.occurrences(now, at("2026-03-03T19:00:00Z"), 1),
            Err(Refusal::NotOffered)
        );
        assert_eq!(
            s.occurrences(now, at("2026-03-03T18:30:00Z"), 1),
            Err(Refusal::NotOffered)
        );
        assert_eq!(s.occurrences(now, start, 0), Err(Refusal::TooManyWeeks));
        assert_eq!(
            s.occurrences(now, start, MAX_WEEKS + 1),
            Err(Refusal::TooManyWeeks)
        );
    }

    #[test]
    fn late_cancellation_is_measured_against_the_policy() {
        let s = tuesday_evenings("+00:00");
        let start = at("2026-03-03T18:00:00Z");
        assert_eq!(s.notice(at("2026-03-02T18:00:00Z"), start), Notice::InTime);
        assert_eq!(s.notice(at("2026-03-02T18:00:01Z"), start), Notice::Late);
        assert!(can_cancel(start - 1, start));
        assert!(!can_cancel(start, start));
        assert!(s.policy_text().contains("24 hours"));
    }

    #[test]
    fn out_of_range_policy_values_are_named() {
        let e = Schedule::new(UtcOffset::default(), vec![], 200, 5).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["notice_hours", "session_minutes"]);
        assert!(WeeklySlot::new(7, 1).is_none() && WeeklySlot::new(0, 24).is_none());
    }
}
