//! What happens in the demo practice, as data: who works there and where, and each client's story
//! (how their check-ins went, what they measured, whether they ended or are waiting). Kept apart
//! from the seeding so the story can be read, and changed, without reading any service calls.

use rapport_store::relationships::Sharing;
use serde_json::{Map, Value, json};

use super::patterns::{PATTERNS, Pattern, checkins};

/// One therapist of the demo practice.
pub struct DemoTherapist {
    /// Login e-mail address.
    pub email: &'static str,
    /// Display name.
    pub name: &'static str,
    /// A city the directory generator knows, so their listing sits there.
    pub city: &'static str,
    /// Their IANA time zone: their account's, and the zone of their weekly hours.
    pub zone: &'static str,
    /// Their working hours, local: weekdays (0 = Monday) and the hours sessions may start.
    pub days: &'static [u8],
    /// First and last starting hour.
    pub hours: (u8, u8),
}

/// The practice's therapists; the first is the demo therapist most clients see.
pub const THERAPISTS: &[DemoTherapist] = &[
    DemoTherapist {
        email: "therapist@demo.rapport",
        name: "Dr Ada Okafor (demo therapist)",
        city: "London",
        zone: "Europe/London",
        days: &[0, 1, 2, 3, 4],
        hours: (9, 17),
    },
    DemoTherapist {
        email: "therapist.newyork@demo.rapport",
        name: "Dr Miguel Alvarez",
        city: "New York",
        zone: "America/New_York",
        days: &[0, 1, 3, 4],
        hours: (10, 19),
    },
    DemoTherapist {
        email: "therapist.berlin@demo.rapport",
        name: "Dr Lena Vogel",
        city: "Berlin",
        zone: "Europe/Berlin",
        days: &[1, 2, 3],
        hours: (8, 16),
    },
    DemoTherapist {
        email: "therapist.sydney@demo.rapport",
        name: "Dr Priya Raman",
        city: "Sydney",
        zone: "Australia/Sydney",
        days: &[0, 2, 4, 5],
        hours: (9, 18),
    },
];

/// A course of PHQ-9 or GAD-7 totals, one measure a fortnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Course {
    /// Reliably better, still above the cut-off.
    Improved,
    /// From above the cut-off to below it, reliably.
    Recovered,
    /// No better, or worse.
    NotOnTrack,
}

/// The totals of a course on `instrument` (`phq9` or `gad7`).
pub fn totals(instrument: &str, course: Course) -> &'static [u32] {
    match (instrument, course) {
        ("phq9", Course::Improved) => &[19, 17, 15, 13, 12],
        ("phq9", Course::Recovered) => &[16, 13, 10, 7, 5],
        ("phq9", Course::NotOnTrack) => &[14, 15, 15, 16],
        (_, Course::Improved) => &[17, 15, 13, 11],
        (_, Course::Recovered) => &[14, 11, 8, 5],
        (_, Course::NotOnTrack) => &[12, 13, 12, 14],
    }
}

/// Answers to `items` items (0-3 each) adding up to `total`, the last item (PHQ-9's question
/// about self-harm) left at 0 so the demo raises no crisis alert.
pub fn answers(items: usize, total: u32) -> Value {
    let mut left = total;
    let mut map = Map::new();
    for i in 0..items {
        let last = i + 1 == items;
        let room = if last { 0 } else { 3 };
        let share = left
            .div_ceil((items - 1 - i).max(1) as u32)
            .min(room)
            .min(left);
        left -= share;
        map.insert(format!("q{}", i + 1), json!(share));
    }
    Value::Object(map)
}

/// How one client's relationship ended: the private reason and the message sent.
#[derive(Clone, Copy, Debug)]
pub struct Ending {
    /// An ending-reason word (`too_intense`, …).
    pub reason: &'static str,
    /// A farewell word (`not_continuing`, …).
    pub farewell: &'static str,
}

const ENDINGS: [Ending; 6] = [
    Ending {
        reason: "wanted_more_structure",
        farewell: "different_approach",
    },
    Ending {
        reason: "too_intense",
        farewell: "not_continuing",
    },
    Ending {
        reason: "wanted_more_structure",
        farewell: "referral",
    },
    Ending {
        reason: "too_distant",
        farewell: "different_approach",
    },
    Ending {
        reason: "pushed_too_hard",
        farewell: "cant_make_it",
    },
    Ending {
        reason: "other",
        farewell: "not_continuing",
    },
];

/// One demo client's story.
pub struct Story {
    /// Which of [`THERAPISTS`] they see, when they see one.
    pub therapist: usize,
    /// How their check-ins went; `None` for someone only waiting.
    pub pattern: Option<Pattern>,
    /// What they share with the therapist.
    pub sharing: Sharing,
    /// Whether they share their measures too.
    pub share_outcomes: bool,
    /// Their PHQ-9 course, if they measure.
    pub phq9: Option<Course>,
    /// Their GAD-7 course, if they measure.
    pub gad7: Option<Course>,
    /// How many weeks before their last check-in their first session was.
    pub weeks_ago: i64,
    /// How many days ago their last check-in was (more than the overdue setting for a few).
    pub lag_days: i64,
    /// Whether and how they ended.
    pub ending: Option<Ending>,
    /// Whether they wait on the therapist's waitlist (and the practice's).
    pub waiting: bool,
    /// Whether their relationship waits for the therapist's answer (a new request).
    pub requested: bool,
    /// Whether they book their next session.
    pub books_ahead: bool,
}

/// How many demo clients there are besides the original demo client.
pub const CLIENTS: usize = 40;

/// The login e-mail address of demo client `n` (from 1).
pub fn client_email(n: usize) -> String {
    format!("client{n:02}@demo.rapport")
}

const FIRST: [&str; 20] = [
    "Alex", "Bea", "Chidi", "Dana", "Elif", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kemi", "Luca",
    "Mira", "Noor", "Oskar", "Pia", "Quinn", "Rosa", "Tariq", "Uma",
];
const LAST: [&str; 8] = ["A.", "B.", "C.", "D.", "K.", "M.", "R.", "S."];

/// The display name of demo client `n` (from 1).
pub fn client_name(n: usize) -> String {
    format!(
        "{} {}",
        FIRST[(n - 1) % FIRST.len()],
        LAST[(n - 1) % LAST.len()]
    )
}

/// The story of demo client `n` (from 1 to [`CLIENTS`]). Clients 1-10 see the demo therapist and
/// reach every status; 11-16 ended with them (enough for pooled feedback); 17-34 see the other
/// three therapists; 35-40 are waiting or have just asked.
pub fn story(n: usize) -> Story {
    let i = n - 1;
    let sharing = [
        Sharing::Answers,
        Sharing::Trend,
        Sharing::Answers,
        Sharing::Private,
    ][i % 4];
    let course = |k: usize| {
        [
            Some(Course::Improved),
            Some(Course::Recovered),
            Some(Course::NotOnTrack),
            None,
        ][k % 4]
    };
    let mut s = Story {
        therapist: 0,
        pattern: Some(PATTERNS[i % PATTERNS.len()]),
        sharing,
        share_outcomes: i % 4 != 3,
        phq9: course(i),
        gad7: if i.is_multiple_of(5) {
            course(i + 1)
        } else {
            course(i)
        },
        weeks_ago: 0,
        lag_days: [1, 3, 5, 2, 6, 4][i % 6],
        ending: None,
        waiting: false,
        requested: false,
        books_ahead: false,
    };
    match n {
        1..=10 => {
            s.weeks_ago = checkins(PATTERNS[i]).len() as i64;
            if matches!(PATTERNS[i], Pattern::NeverFormed) {
                s.lag_days = 17;
            }
            s.books_ahead = !matches!(PATTERNS[i], Pattern::Misconduct | Pattern::NeverFormed);
        }
        11..=16 => {
            let pattern = [
                Pattern::NeverFormed,
                Pattern::Forming,
                Pattern::ConsistentProblem,
            ][i % 3];
            s.pattern = Some(pattern);
            s.sharing = Sharing::Trend;
            s.ending = Some(ENDINGS[i - 10]);
            s.weeks_ago = checkins(pattern).len() as i64;
            s.lag_days = 30 + 16 * (i - 10) as i64;
        }
        17..=34 => {
            s.therapist = 1 + (i - 16) % 3;
            let pattern = PATTERNS[(i * 7) % PATTERNS.len()];
            s.pattern = Some(pattern);
            s.weeks_ago = checkins(pattern).len() as i64;
            if (i - 16) / 3 == 5 {
                s.ending = Some(ENDINGS[i % ENDINGS.len()]);
                s.lag_days += 40;
            } else if i.is_multiple_of(7) {
                s.lag_days += 14;
            }
        }
        _ => {
            s.therapist = i % 2;
            s.pattern = None;
            s.phq9 = if i.is_multiple_of(2) {
                Some(Course::NotOnTrack)
            } else {
                None
            };
            s.gad7 = None;
            s.waiting = !i.is_multiple_of(3);
            s.requested = !s.waiting;
            s.weeks_ago = 0;
            s.lag_days = [3, 9, 16, 24, 5, 12][i % 6];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_answers_add_up_to_the_total_with_the_last_item_at_zero() {
        for (items, max) in [(9, 24), (7, 18)] {
            for total in 0..=max {
                let a = answers(items, total);
                let sum: u64 = a
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|v| v.as_u64().unwrap())
                    .sum();
                assert_eq!(sum, u64::from(total), "{items} {total}");
                assert_eq!(a[format!("q{items}")], 0);
            }
        }
    }
}
