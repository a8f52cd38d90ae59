//! Where an intro-consultation request stands, as the client reads it.
//!
//! A request is sent to a listing. A therapist on Rapport answers it in their inbox: they offer
//! a time (which the client then books like any free time) or decline, kindly. A request nobody
//! answers must not become a silent dead end, so after [`NO_REPLY_DAYS`] the client is told so
//! and pointed at their next match, without blame on either side.

use serde::Serialize;

/// Days without an answer after which the client is encouraged to try their next match.
pub const NO_REPLY_DAYS: i64 = 7;

/// The therapist's answer as stored: none yet, a time offered, or declined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answered {
    /// No answer yet.
    Sent,
    /// A time was offered.
    Offered,
    /// Declined.
    Declined,
}

impl Answered {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Answered::Sent => "sent",
            Answered::Offered => "offered",
            Answered::Declined => "declined",
        }
    }

    /// Reads a stored word.
    pub fn parse(word: &str) -> Option<Answered> {
        [Answered::Sent, Answered::Offered, Answered::Declined]
            .into_iter()
            .find(|a| a.as_str() == word)
    }
}

/// The state of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Waiting for the therapist.
    Sent,
    /// Waiting for longer than [`NO_REPLY_DAYS`].
    NoReply,
    /// The therapist offered a time the client has not booked yet.
    Offered,
    /// The client booked an intro consultation with the therapist.
    Booked,
    /// The therapist said not this time.
    Declined,
}

impl RequestState {
    /// Works out the state from what is stored: the therapist's answer, when the request was
    /// sent, whether the client holds a consultation with the therapist, and the time now.
    pub fn of(answered: Answered, sent_at: i64, booked: bool, now: i64) -> RequestState {
        match answered {
            _ if booked => RequestState::Booked,
            Answered::Offered => RequestState::Offered,
            Answered::Declined => RequestState::Declined,
            Answered::Sent if now - sent_at > NO_REPLY_DAYS * 86_400_000 => RequestState::NoReply,
            Answered::Sent => RequestState::Sent,
        }
    }

    /// The short badge.
    pub fn label(self) -> &'static str {
        match self {
            RequestState::Sent => "Sent",
            RequestState::NoReply => "No reply yet",
            RequestState::Offered => "A time is offered",
            RequestState::Booked => "Booked",
            RequestState::Declined => "Not this time",
        }
    }

    /// What it means and what to do next, in a sentence.
    pub fn next_step(self) -> &'static str {
        match self {
            RequestState::Sent => "They'll answer here and by e-mail.",
            RequestState::NoReply => {
                "No answer after a week. Therapists are often busy; it is fine to ask your next match too."
            }
            RequestState::Offered => "Book the time if it suits you, or pick another free time.",
            RequestState::Booked => "Your intro consultation is booked: see Appointments.",
            RequestState::Declined => {
                "They can't take you on right now. That says nothing about you; your next match may fit well."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn a_request_moves_from_sent_to_no_reply_after_a_week_unless_answered() {
        assert_eq!(
            RequestState::of(Answered::Sent, 0, false, 7 * DAY),
            RequestState::Sent
        );
        assert_eq!(
            RequestState::of(Answered::Sent, 0, false, 7 * DAY + 1),
            RequestState::NoReply
        );
        assert_eq!(
            RequestState::of(Answered::Offered, 0, false, 30 * DAY),
            RequestState::Offered
        );
        assert_eq!(
            RequestState::of(Answered::Declined, 0, false, DAY),
            RequestState::Declined
        );
    }

    #[test]
    fn stored_answers_round_trip_and_unknown_words_are_refused() {
        for a in [Answered::Sent, Answered::Offered, Answered::Declined] {
            assert_eq!(Answered::parse(a.as_str()), Some(a));
        }
        assert_eq!(Answered::parse("booked"), None);
    }

    #[test]
    fn a_booked_consultation_wins_over_any_stored_answer() {
        for stored in [Answered::Sent, Answered::Offered, Answered::Declined] {
            assert_eq!(RequestState::of(stored, 0, true, DAY), RequestState::Booked);
        }
    }

    #[test]
    fn every_state_says_what_to_do_next_without_blame() {
        for s in [
            RequestState::Sent,
            RequestState::NoReply,
            RequestState::Offered,
            RequestState::Booked,
            RequestState::Declined,
        ] {
            assert!(!s.next_step().is_empty() && !s.label().is_empty());
            assert!(!s.next_step().to_lowercase().contains("fail"));
        }
    }
}
