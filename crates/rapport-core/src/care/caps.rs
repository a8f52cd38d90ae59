//! How much of one therapist's calendar one client may hold at once.
//!
//! A calendar is shared by everyone who wants that therapist, so nobody may fill it: a client
//! holds at most a few open appointments (still to come, not cancelled) with one therapist. And
//! regular sessions follow getting to know each other: until the client has met the therapist
//! (a consultation or session that took place) or the therapist has accepted them, only intro
//! consultations can be booked, and only one at a time by default. The store counts inside the
//! booking's own transaction and asks [`admit`], so a burst of bookings cannot pass the cap.

use super::schedule::Kind;

/// Open consultations a client may hold with one therapist before they have met, unless the
/// deployment says otherwise: one is enough to get to know each other.
pub const DEFAULT_CONSULTATIONS: u32 = 1;
/// Open appointments a client may hold with one therapist once they have met, unless the
/// deployment says otherwise: a month of weekly sessions, as far ahead as the booking page looks.
pub const DEFAULT_SESSIONS: u32 = 4;

/// The caps a deployment uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingCaps {
    /// Open appointments before the client has met the therapist or been accepted (only
    /// consultations can be booked then).
    pub consultations: u32,
    /// Open appointments of any kind once they have.
    pub sessions: u32,
}

impl Default for BookingCaps {
    fn default() -> Self {
        BookingCaps {
            consultations: DEFAULT_CONSULTATIONS,
            sessions: DEFAULT_SESSIONS,
        }
    }
}

/// Where a client stands with one therapist, as counted inside the booking's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Their open appointments with this therapist: held or booked, still to come.
    pub open: u32,
    /// They have met (a consultation or session took place) or the therapist accepted them.
    pub started: bool,
}

/// Why a booking would break the caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapRefusal {
    /// A regular session before the client has met the therapist or been accepted.
    SessionBeforeMeeting,
    /// More open appointments than the cap allows.
    Full {
        /// The cap that applies.
        cap: u32,
        /// How many they hold now.
        open: u32,
        /// How many this booking asked for.
        asked: u32,
        /// Whether the cap is the one before meeting (consultations).
        started: bool,
    },
}

impl CapRefusal {
    /// The refusal in plain words, naming the therapist.
    pub fn message(&self, therapist: &str) -> String {
        match *self {
            CapRefusal::SessionBeforeMeeting => format!(
                "regular sessions with {therapist} start after an intro consultation (or once {therapist} accepts you as a client); please book an intro consultation first"
            ),
            CapRefusal::Full {
                cap,
                open,
                asked,
                started: false,
            } => format!(
                "You already have {} with {therapist} coming up. Once you've met (or {therapist} accepts you as a client) you can book regular sessions; until then, up to {cap} {} at a time{}.",
                count(open, "intro consultation"),
                plural(cap, "consultation"),
                asked_note(asked)
            ),
            CapRefusal::Full {
                cap, open, asked, ..
            } => format!(
                "You can hold up to {} with {therapist} at a time, so their calendar stays open to others too. You have {} coming up{}; once one has taken place, or if you cancel one, you can book the next.",
                count(cap, "appointment"),
                open,
                asked_note(asked)
            ),
        }
    }
}

/// Whether booking `asked` appointments of `kind` keeps the client within `caps`.
pub fn admit(
    caps: BookingCaps,
    kind: Kind,
    asked: u32,
    standing: Standing,
) -> Result<(), CapRefusal> {
    if kind == Kind::Session && !standing.started {
        return Err(CapRefusal::SessionBeforeMeeting);
    }
    let cap = if standing.started {
        caps.sessions
    } else {
        caps.consultations
    };
    if standing.open.saturating_add(asked) > cap {
        return Err(CapRefusal::Full {
            cap,
            open: standing.open,
            asked,
            started: standing.started,
        });
    }
    Ok(())
}

fn count(n: u32, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

fn plural(n: u32, noun: &str) -> String {
    if n == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

fn asked_note(asked: u32) -> String {
    if asked > 1 {
        format!(" and asked for {asked} more")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(open: u32, started: bool) -> Standing {
        Standing { open, started }
    }

    #[test]
    fn someone_new_books_one_consultation_and_no_session() {
        let caps = BookingCaps::default();
        assert_eq!(
            admit(caps, Kind::Consultation, 1, standing(0, false)),
            Ok(())
        );
        assert!(matches!(
            admit(caps, Kind::Consultation, 1, standing(1, false)),
            Err(CapRefusal::Full {
                cap: 1,
                started: false,
                ..
            })
        ));
        assert_eq!(
            admit(caps, Kind::Session, 1, standing(0, false)),
            Err(CapRefusal::SessionBeforeMeeting)
        );
    }

    #[test]
    fn once_met_sessions_are_capped_counting_the_whole_series() {
        let caps = BookingCaps::default();
        assert_eq!(admit(caps, Kind::Session, 4, standing(0, true)), Ok(()));
        assert_eq!(admit(caps, Kind::Session, 1, standing(3, true)), Ok(()));
        assert!(admit(caps, Kind::Session, 1, standing(4, true)).is_err());
        assert!(admit(caps, Kind::Session, 12, standing(0, true)).is_err());
        assert!(admit(caps, Kind::Session, u32::MAX, standing(u32::MAX, true)).is_err());
    }

    #[test]
    fn caps_are_the_deployments_choice() {
        let caps = BookingCaps {
            consultations: 2,
            sessions: 10,
        };
        assert_eq!(
            admit(caps, Kind::Consultation, 1, standing(1, false)),
            Ok(())
        );
        assert_eq!(admit(caps, Kind::Session, 10, standing(0, true)), Ok(()));
        assert!(admit(caps, Kind::Session, 1, standing(10, true)).is_err());
    }

    #[test]
    fn refusals_say_why_and_what_to_do_naming_the_therapist() {
        let full = admit(BookingCaps::default(), Kind::Session, 1, standing(4, true)).unwrap_err();
        let words = full.message("Ada");
        assert!(words.contains("up to 4 appointments with Ada"), "{words}");
        assert!(words.contains("cancel one"), "{words}");
        let early = CapRefusal::SessionBeforeMeeting.message("Ada");
        assert!(early.contains("intro consultation"), "{early}");
        let waiting = admit(
            BookingCaps::default(),
            Kind::Consultation,
            1,
            standing(1, false),
        )
        .unwrap_err()
        .message("Ada");
        assert!(
            waiting.contains("1 intro consultation with Ada"),
            "{waiting}"
        );
    }
}
