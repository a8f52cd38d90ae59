//! Weekly availability, bookable slots and the cancellation policy.
//!
//! A therapist publishes hours of the week ("Tuesday 18:00") as wall-clock times in their own
//! time zone ([`Zone`]). A weekly series keeps that wall-clock time across clock changes: the
//! seventh Tuesday is at 18:00 London time even though the clocks moved in between, so it is not a
//! fixed number of hours after the first. A published hour that does not exist on a
//! spring-forward day is not offered that day; one that happens twice on an autumn day is the
//! earlier of the two. Every slot starts on the hour and lasts [`Schedule::session_minutes`].

use super::clock::{self, HOUR_MS, WEEK_MS};
use crate::zone::{Resolved, WallTime, Zone};
use crate::{FieldError, Invalid};
use serde::Serialize;

/// The longest weekly booking: far enough to plan a term, short enough to stay real.
pub const MAX_WEEKS: u32 = 12;
/// How far ahead the booking page looks for free slots.
pub const HORIZON_WEEKS: u32 = 4;

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
    /// The therapist's time zone: the slots are wall-clock hours in it.
    pub zone: Zone,
    /// The published hours, sorted, without repeats.
    pub slots: Vec<WeeklySlot>,
    /// Cancelling with less notice than this is "late" (still allowed: cancelling always beats
    /// not turning up, which is the point).
    pub notice_hours: u32,
    /// How long one appointment lasts.
    pub session_minutes: u32,
}

/// Why a time cannot be booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The time has already started or passed.
    Past,
    /// The therapist does not offer that hour.
    NotOffered,
    /// Too many weekly repeats asked for.
    TooManyWeeks,
    /// One of the times does not exist: the clocks jump over it that day. Carries the local
    /// date-time in words ("Sun 29 Mar 2026, 01:00") and the zone's city.
    SkippedHour(String, String),
}

impl Refusal {
    /// The problem, naming the field.
    pub fn to_field(&self) -> FieldError {
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
            Refusal::SkippedHour(when, city) => FieldError::new(
                "starts_at",
                format!(
                    "includes {when}, a time that doesn't exist in {city}: the clocks go forward \
                     that night. Please book fewer weeks or pick another time"
                ),
            ),
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
        zone: Zone,
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
            zone,
            slots,
            notice_hours: notice_hours as u32,
            session_minutes: session_minutes as u32,
        })
    }

    /// The local weekly slot an instant falls on, when it is exactly on an hour.
    pub fn local_slot(&self, starts_at: i64) -> Option<WeeklySlot> {
        let l = self.zone.local(starts_at);
        (l.on_minute && l.minute == 0).then_some(WeeklySlot {
            day: l.weekday,
            hour: l.hour,
        })
    }

    /// When an appointment starting at `starts_at` ends.
    pub fn ends_at(&self, starts_at: i64) -> i64 {
        starts_at + i64::from(self.session_minutes) * 60_000
    }

    /// Every published start after `now` within `weeks` weeks, earliest first. A published hour
    /// the clocks skip that day is left out; one they repeat is offered once, the earlier.
    pub fn upcoming(&self, now: i64, weeks: u32) -> Vec<i64> {
        let first_day = self.zone.local(now).days;
        let until = now + i64::from(weeks) * WEEK_MS;
        let mut out = Vec::new();
        for day in first_day..=first_day + i64::from(weeks) * 7 {
            let weekday = clock::weekday(day);
            for s in self.slots.iter().filter(|s| s.day == weekday) {
                if let Some(start) = self.zone.resolve(day, s.hour, 0).instant()
                    && start > now
                    && start <= until
                {
                    out.push(start);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The starts of a booking: `weeks` weekly occurrences from `starts_at` (1 = one-off), each
    /// at the same wall-clock time in the therapist's zone, checked against the clock and the
    /// published week. A series that would land on a skipped hour is refused with the reason.
    pub fn occurrences(&self, now: i64, starts_at: i64, weeks: u32) -> Result<Vec<i64>, Refusal> {
        if weeks == 0 || weeks > MAX_WEEKS {
            return Err(Refusal::TooManyWeeks);
        }
        if starts_at <= now {
            return Err(Refusal::Past);
        }
        let slot = match self.local_slot(starts_at) {
            Some(slot) if self.slots.contains(&slot) => slot,
            _ => return Err(Refusal::NotOffered),
        };
        let first_day = self.zone.local(starts_at).days;
        let mut out = Vec::with_capacity(weeks as usize);
        for k in 0..i64::from(weeks) {
            let day = first_day + 7 * k;
            match self.zone.resolve(day, slot.hour, 0).instant() {
                // The first must be the instant offered (the earlier of a repeated hour).
                Some(t) if k == 0 && t != starts_at => return Err(Refusal::NotOffered),
                Some(t) => out.push(t),
                None => {
                    let wall = WallTime {
                        days: day,
                        hour: slot.hour,
                        minute: 0,
                    };
                    return Err(Refusal::SkippedHour(wall.label(), self.zone.city()));
                }
            }
        }
        Ok(out)
    }

    /// The instant of a wall-clock start in the therapist's zone (what a person types when
    /// they give a time without an offset): a time the clocks skip is refused with the reason,
    /// one they repeat is the earlier of the two.
    pub fn wall_start(&self, wall: WallTime) -> Result<i64, Refusal> {
        match self.zone.resolve_wall(wall) {
            Resolved::Skipped => Err(Refusal::SkippedHour(wall.label(), self.zone.city())),
            r => r.instant().ok_or(Refusal::NotOffered),
        }
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

    fn weekly(zone: &str, day: i64, hour: i64) -> Schedule {
        Schedule::new(
            Zone::parse("time_zone", zone).unwrap(),
            vec![
                WeeklySlot::new(day, hour).unwrap(),
                WeeklySlot::new(day, hour).unwrap(),
            ],
            24,
            50,
        )
        .unwrap()
    }

    fn tuesday_evenings(zone: &str) -> Schedule {
        weekly(zone, 1, 18)
    }

    fn at(text: &str) -> i64 {
        parse_rfc3339(text).unwrap()
    }

    #[test]
    fn slots_repeat_weekly_in_local_time() {
        let s = tuesday_evenings("Europe/Berlin");
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
        let s = tuesday_evenings("UTC");
        let now = at("2026-03-03T18:00:00Z");
        assert_eq!(s.upcoming(now, 1), vec![at("2026-03-10T18:00:00Z")]);
    }

    #[test]
    fn bookings_must_be_future_and_published() {
        let s = tuesday_evenings("UTC");
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
        let s = tuesday_evenings("UTC");
        let start = at("2026-03-03T18:00:00Z");
        assert_eq!(s.notice(at("2026-03-02T18:00:00Z"), start), Notice::InTime);
        assert_eq!(s.notice(at("2026-03-02T18:00:01Z"), start), Notice::Late);
        assert!(can_cancel(start - 1, start));
        assert!(!can_cancel(start, start));
        assert!(s.policy_text().contains("24 hours"));
    }

    #[test]
    fn out_of_range_policy_values_are_named() {
        let e = Schedule::new(Zone::utc(), vec![], 200, 5).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["notice_hours", "session_minutes"]);
        assert!(WeeklySlot::new(7, 1).is_none() && WeeklySlot::new(0, 24).is_none());
    }

    #[test]
    fn a_london_weekly_series_keeps_its_wall_clock_time_across_both_changes() {
        let s = tuesday_evenings("Europe/London");
        let now = at("2026-03-01T09:00:00Z");
        let first = at("2026-03-03T18:00:00Z");
        let starts = s.occurrences(now, first, 5).unwrap();
        assert_eq!(starts[3], at("2026-03-24T18:00:00Z"), "still GMT");
        assert_eq!(starts[4], at("2026-03-31T17:00:00Z"), "18:00 BST");
        let autumn = s.occurrences(now, at("2026-10-20T17:00:00Z"), 2).unwrap();
        assert_eq!(autumn[1], at("2026-10-27T18:00:00Z"), "back to GMT");
        let london = Zone::parse("z", "Europe/London").unwrap();
        assert!(
            starts
                .iter()
                .chain(&autumn)
                .all(|t| london.time_label(*t) == "18:00")
        );
        assert_eq!(
            s.upcoming(at("2026-03-30T00:00:00Z"), 1),
            vec![at("2026-03-31T17:00:00Z")]
        );
    }

    #[test]
    fn a_series_that_lands_on_the_skipped_spring_hour_is_refused_with_the_reason() {
        let s = weekly("Europe/London", 6, 1);
        let now = at("2026-03-01T09:00:00Z");
        assert!(
            s.upcoming(at("2026-03-28T09:00:00Z"), 1).is_empty(),
            "01:00 on 29 March does not exist"
        );
        let err = s
            .occurrences(now, at("2026-03-22T01:00:00Z"), 2)
            .unwrap_err();
        let field = err.to_field();
        assert_eq!(field.field, "starts_at");
        assert!(
            field.reason.contains("Sun 29 Mar 2026, 01:00") && field.reason.contains("London"),
            "{}",
            field.reason
        );
    }

    #[test]
    fn the_repeated_autumn_hour_is_booked_as_the_earlier_one() {
        let s = weekly("America/New_York", 6, 1);
        let now = at("2026-10-20T09:00:00Z");
        let offered = s.upcoming(now, 2);
        assert_eq!(
            offered,
            vec![at("2026-10-25T05:00:00Z"), at("2026-11-01T05:00:00Z")],
            "the first 01:00 (EDT) on 1 November, once"
        );
        assert_eq!(
            s.occurrences(now, at("2026-11-01T06:00:00Z"), 1),
            Err(Refusal::NotOffered),
            "the second 01:00 is not an offered time"
        );
        assert_eq!(
            s.occurrences(now, offered[0], 2).unwrap()[1],
            at("2026-11-01T05:00:00Z")
        );
    }

    #[test]
    fn a_half_hour_zone_offers_its_own_wall_clock_hours() {
        let s = tuesday_evenings("Asia/Kolkata");
        assert_eq!(
            s.upcoming(at("2026-03-02T00:00:00Z"), 1),
            vec![at("2026-03-03T12:30:00Z")]
        );
        assert_eq!(
            s.local_slot(at("2026-03-03T12:30:00Z")),
            Some(WeeklySlot { day: 1, hour: 18 })
        );
    }
}
