//! The waitlist: freed slots go to the people waiting, first come first served, each offer held
//! for a while and then passed on, so a slot nobody answers for never stays empty.

use super::clock::HOUR_MS;
use crate::{FieldError, Invalid};

/// The hold when a deployment sets none: a day is long enough to see an e-mail and answer.
pub const DEFAULT_HOLD_HOURS: u32 = 24;

/// When an offer made at `now` stops being held.
pub fn hold_until(now: i64, hold_hours: u32) -> i64 {
    now + i64::from(hold_hours.max(1)) * HOUR_MS
}

/// Whether an offer that expires at `expires_at` can still be accepted at `now`.
pub fn offer_open(now: i64, expires_at: i64) -> bool {
    now < expires_at
}

/// The weekdays a waiting client can make (Monday = bit 0); empty means any day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Days(u8);

impl Days {
    /// Any day.
    pub const ANY: Days = Days(0);

    /// Reads day numbers (0 = Monday … 6 = Sunday), refusing others.
    pub fn from_numbers(days: &[i64]) -> Result<Days, Invalid> {
        let mut bits = 0u8;
        for d in days {
            if !(0..7).contains(d) {
                return Err(Invalid(vec![FieldError::new(
                    "days",
                    "must be day numbers from 0 (Monday) to 6 (Sunday)",
                )]));
            }
            bits |= 1 << d;
        }
        Ok(Days(bits))
    }

    /// The stored form: the day digits, `""` for any day.
    pub fn to_text(self) -> String {
        (0..7u8)
            .filter(|d| self.0 & (1 << d) != 0)
            .map(|d| char::from(b'0' + d))
            .collect()
    }

    /// Reads the stored form back (unknown characters are ignored: it is our own text).
    pub fn from_text(text: &str) -> Days {
        Days(
            text.bytes()
                .filter(|b| (b'0'..=b'6').contains(b))
                .fold(0, |acc, b| acc | 1 << (b - b'0')),
        )
    }

    /// Whether a slot on `weekday` suits this client.
    pub fn fits(self, weekday: u8) -> bool {
        self.0 == 0 || self.0 & (1 << (weekday % 7)) != 0
    }

    /// The chosen day numbers.
    pub fn numbers(self) -> Vec<u8> {
        (0..7).filter(|d| self.0 & (1 << d) != 0).collect()
    }
}

/// One person waiting for a therapist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The waitlist entry's id.
    pub id: String,
    /// When they joined, Unix ms (the queue order).
    pub joined_at: i64,
    /// The days they can make.
    pub days: Days,
}

/// Who is offered a freed slot next: the longest waiting person the slot suits who has not
/// already been offered this very slot (they let it pass or did not answer in time).
pub fn next_in_line<'a>(
    queue: &'a [Waiting],
    slot_weekday: u8,
    already_offered: &[String],
) -> Option<&'a Waiting> {
    queue
        .iter()
        .filter(|w| w.days.fits(slot_weekday) && !already_offered.contains(&w.id))
        .min_by(|a, b| (a.joined_at, &a.id).cmp(&(b.joined_at, &b.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(id: &str, joined_at: i64, days: &[i64]) -> Waiting {
        Waiting {
            id: id.into(),
            joined_at,
            days: Days::from_numbers(days).unwrap(),
        }
    }

    #[test]
    fn the_longest_waiting_person_is_offered_first() {
        let q = [w("b", 20, &[]), w("a", 10, &[]), w("c", 30, &[])];
        assert_eq!(next_in_line(&q, 1, &[]).unwrap().id, "a");
        assert_eq!(next_in_line(&q, 1, &["a".into()]).unwrap().id, "b");
        assert_eq!(
            next_in_line(&q, 1, &["a".into(), "b".into(), "c".into()]),
            None
        );
    }

    #[test]
    fn a_slot_goes_to_someone_it_suits() {
        let q = [w("mondays", 10, &[0]), w("any", 20, &[])];
        assert_eq!(
            next_in_line(&q, 1, &[]).unwrap().id,
            "any",
            "a Tuesday slot skips the Monday-only person"
        );
        assert_eq!(next_in_line(&q, 0, &[]).unwrap().id, "mondays");
    }

    #[test]
    fn offers_are_held_then_expire() {
        let until = hold_until(1_000, 24);
        assert_eq!(until, 1_000 + 24 * HOUR_MS);
        assert!(offer_open(until - 1, until));
        assert!(
            !offer_open(until, until),
            "at the expiry instant the offer has moved on"
        );
        assert_eq!(hold_until(0, 0), HOUR_MS, "a zero hold still gives an hour");
    }

    #[test]
    fn days_round_trip_and_refuse_nonsense() {
        let d = Days::from_numbers(&[4, 0, 4]).unwrap();
        assert_eq!(d.to_text(), "04");
        assert_eq!(Days::from_text("04"), d);
        assert_eq!(d.numbers(), vec![0, 4]);
        assert!(Days::ANY.fits(6));
        assert!(Days::from_numbers(&[7]).is_err());
    }
}
