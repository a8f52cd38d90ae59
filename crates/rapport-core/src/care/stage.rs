//! A therapy relationship's life: consultation → active → ending → ended.
//!
//! The article's advice shapes it: get to know a therapist first (consultation), decide to start
//! (booking a regular session), and when it does not fit, end it respectfully rather than
//! disappearing, with a closing session when wanted (ending) before it is over (ended). Only the
//! moves in [`Stage::after`] exist; anything else is refused with a reason a person can act on.

use super::schedule::Kind;
use serde::Serialize;

/// Where a relationship is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Getting to know each other: intro consultations only so far.
    Consultation,
    /// In therapy: regular sessions.
    Active,
    /// The client has said they are stopping and asked for a closing session.
    Ending,
    /// Over. A new start with the same therapist is a new relationship.
    Ended,
}

/// Something that happens to a relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// An appointment of this kind is booked.
    Book(Kind),
    /// One side ends it; `closing` when a closing session was asked for.
    End {
        /// Whether a closing session comes first.
        closing: bool,
    },
    /// The closing session happened (or was let go): the relationship is over.
    Finish,
}

/// Who ended a relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The client.
    Client,
    /// The therapist.
    Therapist,
}

impl EndedBy {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            EndedBy::Client => "client",
            EndedBy::Therapist => "therapist",
        }
    }

    /// Parses a stored word.
    pub fn parse(word: &str) -> Option<EndedBy> {
        match word {
            "client" => Some(EndedBy::Client),
            "therapist" => Some(EndedBy::Therapist),
            _ => None,
        }
    }
}

/// A move that does not exist, with words for the person who tried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    /// Nothing more can happen to an ended relationship.
    #[error("this relationship has ended; to start again, book a new intro consultation")]
    Ended,
    /// Only a closing session can be booked while ending.
    #[error("you've said you're stopping, so only a closing session can be booked")]
    OnlyClosing,
    /// A closing session only makes sense once ending has begun.
    #[error("a closing session is booked after you decide to stop")]
    ClosingTooEarly,
    /// A consultation is for getting to know someone, not once therapy has started.
    #[error("you're already seeing this therapist; book a session instead")]
    AlreadyStarted,
    /// Ending twice.
    #[error("you've already said you're stopping")]
    AlreadyEnding,
    /// Finishing something that is not ending.
    #[error("only a relationship that is ending can be finished")]
    NotEnding,
}

impl Stage {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Consultation => "consultation",
            Stage::Active => "active",
            Stage::Ending => "ending",
            Stage::Ended => "ended",
        }
    }

    /// Parses a stored word.
    pub fn parse(word: &str) -> Option<Stage> {
        [
            Stage::Consultation,
            Stage::Active,
            Stage::Ending,
            Stage::Ended,
        ]
        .into_iter()
        .find(|s| s.as_str() == word)
    }

    /// Words for the client's page.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Consultation => "Getting to know each other",
            Stage::Active => "In therapy",
            Stage::Ending => "Ending, with a closing session",
            Stage::Ended => "Ended",
        }
    }

    /// Whether future appointments and messages still apply.
    pub fn is_open(self) -> bool {
        self != Stage::Ended
    }

    /// The stage after `step`, or why that step is not possible now.
    pub fn after(self, step: Step) -> Result<Stage, StageError> {
        use Stage::*;
        match (self, step) {
            (Ended, _) => Err(StageError::Ended),
            (Consultation, Step::Book(Kind::Consultation)) => Ok(Consultation),
            (Consultation | Active, Step::Book(Kind::Session)) => Ok(Active),
            (Active, Step::Book(Kind::Consultation)) => Err(StageError::AlreadyStarted),
            (Consultation | Active, Step::Book(Kind::Closing)) => Err(StageError::ClosingTooEarly),
            (Ending, Step::Book(Kind::Closing)) => Ok(Ending),
            (Ending, Step::Book(_)) => Err(StageError::OnlyClosing),
            (Consultation | Active, Step::End { closing: true }) => Ok(Ending),
            (Consultation | Active, Step::End { closing: false }) => Ok(Ended),
            (Ending, Step::End { .. }) => Err(StageError::AlreadyEnding),
            (Ending, Step::Finish) => Ok(Ended),
            (Consultation | Active, Step::Finish) => Err(StageError::NotEnding),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_life_consult_start_end_finish() {
        let s = Stage::Consultation;
        let s = s.after(Step::Book(Kind::Consultation)).unwrap();
        assert_eq!(s, Stage::Consultation);
        let s = s.after(Step::Book(Kind::Session)).unwrap();
        assert_eq!(
            s,
            Stage::Active,
            "booking a regular session is deciding to start"
        );
        let s = s.after(Step::End { closing: true }).unwrap();
        assert_eq!(s, Stage::Ending);
        assert_eq!(s.after(Step::Book(Kind::Closing)), Ok(Stage::Ending));
        assert_eq!(s.after(Step::Finish), Ok(Stage::Ended));
    }

    #[test]
    fn ending_without_a_closing_session_is_immediate() {
        assert_eq!(
            Stage::Active.after(Step::End { closing: false }),
            Ok(Stage::Ended)
        );
        assert_eq!(
            Stage::Consultation.after(Step::End { closing: false }),
            Ok(Stage::Ended)
        );
    }

    #[test]
    fn moves_that_do_not_exist_are_refused_with_a_reason() {
        for step in [
            Step::Book(Kind::Session),
            Step::End { closing: false },
            Step::Finish,
        ] {
            assert_eq!(Stage::Ended.after(step), Err(StageError::Ended));
        }
        assert_eq!(
            Stage::Ending.after(Step::Book(Kind::Session)),
            Err(StageError::OnlyClosing)
        );
        assert_eq!(
            Stage::Active.after(Step::Book(Kind::Closing)),
            Err(StageError::ClosingTooEarly)
        );
        assert_eq!(
            Stage::Active.after(Step::Book(Kind::Consultation)),
            Err(StageError::AlreadyStarted)
        );
        assert_eq!(
            Stage::Ending.after(Step::End { closing: true }),
            Err(StageError::AlreadyEnding)
        );
        assert_eq!(
            Stage::Active.after(Step::Finish),
            Err(StageError::NotEnding)
        );
        assert!(
            StageError::Ended
                .to_string()
                .contains("new intro consultation")
        );
    }

    #[test]
    fn words_round_trip() {
        for s in [
            Stage::Consultation,
            Stage::Active,
            Stage::Ending,
            Stage::Ended,
        ] {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        assert_eq!(EndedBy::parse("client"), Some(EndedBy::Client));
        assert_eq!(EndedBy::parse("nobody"), None);
        assert!(!Stage::Ended.is_open() && Stage::Ending.is_open());
    }
}
