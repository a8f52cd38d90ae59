//! Leaving well, in the article's words: say you don't want to continue or need a different
//! approach ("no need to elaborate"), ask for a referral if you want one, and if you can't face
//! that conversation, at least don't ghost: say you can't make it and will be in touch.
//!
//! The client picks a private reason (the fit-profile list, never shown to the therapist) and
//! one of these messages; the core writes the message so the preview is exactly what is sent.

use crate::matching::EndingReason;
use crate::{FieldError, Invalid};
use serde::Serialize;

/// The longest personal line a client may add to the message.
pub const MAX_ADDITION_CHARS: usize = 1000;

/// The message a client sends when they stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Farewell {
    /// "I don't feel like continuing."
    NotContinuing,
    /// "I think I need a different approach."
    DifferentApproach,
    /// "I'd like a referral."
    Referral,
    /// "I can't make it and will be in touch."
    CantMakeIt,
}

impl Farewell {
    /// Every message, in the order a form lists them.
    pub const ALL: [Farewell; 4] = [
        Farewell::NotContinuing,
        Farewell::DifferentApproach,
        Farewell::Referral,
        Farewell::CantMakeIt,
    ];

    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            Farewell::NotContinuing => "not_continuing",
            Farewell::DifferentApproach => "different_approach",
            Farewell::Referral => "referral",
            Farewell::CantMakeIt => "cant_make_it",
        }
    }

    /// Parses a wire word.
    pub fn parse(word: &str) -> Option<Farewell> {
        Farewell::ALL.into_iter().find(|f| f.as_str() == word)
    }

    /// What the client picks from.
    pub fn label(self) -> &'static str {
        match self {
            Farewell::NotContinuing => "I don't feel like continuing",
            Farewell::DifferentApproach => "I think I need a different approach",
            Farewell::Referral => "I'd like a referral",
            Farewell::CantMakeIt => "I can't make it and will be in touch",
        }
    }

    fn sentence(self) -> &'static str {
        match self {
            Farewell::NotContinuing => "I've decided not to continue our sessions.",
            Farewell::DifferentApproach => {
                "I think I need a different approach, so I won't be continuing our sessions."
            }
            Farewell::Referral => {
                "I've decided to stop our sessions. Could you refer me to a colleague who might suit what I'm looking for?"
            }
            Farewell::CantMakeIt => {
                "Something has come up and I can't make our sessions for now. I'll be in touch."
            }
        }
    }
}

/// Everything a client chose when ending, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndingChoice {
    /// Why it did not fit: private, it only moves the client's own fit profile.
    pub reason: EndingReason,
    /// The message sent.
    pub farewell: Farewell,
    /// Whether the client asks for one closing session.
    pub closing_session: bool,
    /// Whether the client asks for a referral (always so with [`Farewell::Referral`]).
    pub referral: bool,
    /// A line of the client's own, if any.
    pub addition: Option<String>,
}

impl EndingChoice {
    /// Parses the form or API fields, naming each problem.
    pub fn parse(
        reason: &str,
        message: &str,
        closing_session: bool,
        referral: bool,
        addition: &str,
    ) -> Result<EndingChoice, Invalid> {
        let mut errors = Vec::new();
        let reason = EndingReason::parse(reason.trim());
        if reason.is_none() {
            errors.push(FieldError::new(
                "reason",
                "please choose the reason closest to yours (it stays private)",
            ));
        }
        let farewell = Farewell::parse(message.trim());
        if farewell.is_none() {
            errors.push(FieldError::new(
                "message",
                "please choose one of the messages",
            ));
        }
        let addition = addition.trim();
        if addition.chars().count() > MAX_ADDITION_CHARS
            || addition
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            errors.push(FieldError::new(
                "addition",
                format!("can be up to {MAX_ADDITION_CHARS} characters of plain text"),
            ));
        }
        match (reason, farewell) {
            (Some(reason), Some(farewell)) if errors.is_empty() => Ok(EndingChoice {
                reason,
                farewell,
                closing_session,
                referral: referral || farewell == Farewell::Referral,
                addition: (!addition.is_empty()).then(|| addition.replace("\r\n", "\n")),
            }),
            _ => Err(Invalid(errors)),
        }
    }

    /// The message exactly as the therapist will receive it.
    pub fn message(&self, therapist_name: &str, client_name: &str) -> String {
        let mut body = vec![self.farewell.sentence().to_string()];
        if self.closing_session {
            body.push("If possible, I'd like one closing session to wrap up.".into());
        }
        if self.referral && self.farewell != Farewell::Referral {
            body.push("I'd also be grateful for a referral to a colleague.".into());
        }
        if let Some(extra) = &self.addition {
            body.push(extra.clone());
        }
        body.push("Thank you for your time.".into());
        format!(
            "Hello {therapist_name},\n\n{}\n\n{client_name}",
            body.join("\n\n")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_short_and_says_only_what_was_chosen() {
        let c = EndingChoice::parse("too_intense", "different_approach", false, false, "").unwrap();
        let text = c.message("Dr Rivera", "Kim");
        assert!(text.starts_with("Hello Dr Rivera,"));
        assert!(text.contains("different approach"));
        assert!(text.ends_with("Kim"));
        assert!(
            !text.contains("intense"),
            "the private reason never reaches the message: {text}"
        );
        assert!(!text.contains("closing") && !text.contains("referral"));
    }

    #[test]
    fn closing_session_and_referral_are_asked_for_when_chosen() {
        let c = EndingChoice::parse(
            "other",
            "not_continuing",
            true,
            true,
            "Thanks for everything.",
        )
        .unwrap();
        let text = c.message("A", "B");
        assert!(text.contains("closing session") && text.contains("referral"));
        assert!(text.contains("Thanks for everything."));
        let r = EndingChoice::parse("other", "referral", false, false, "").unwrap();
        assert!(r.referral, "choosing the referral message asks for one");
        assert_eq!(r.message("A", "B").matches("refer").count(), 1);
    }

    #[test]
    fn every_problem_is_named() {
        let e = EndingChoice::parse("bored", "bye", false, false, &"x".repeat(1001)).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["reason", "message", "addition"]);
    }

    #[test]
    fn the_messages_follow_the_article() {
        let labels: Vec<_> = Farewell::ALL.iter().map(|f| f.label()).collect();
        assert_eq!(
            labels,
            [
                "I don't feel like continuing",
                "I think I need a different approach",
                "I'd like a referral",
                "I can't make it and will be in touch",
            ]
        );
        for f in Farewell::ALL {
            assert_eq!(Farewell::parse(f.as_str()), Some(f));
        }
    }
}
