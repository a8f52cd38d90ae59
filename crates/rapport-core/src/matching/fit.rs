//! Re-matching from a fit profile: why past relationships ended steers the next suggestions.
//!
//! The reason is the client's own choice from a closed list and is never shown to the therapist;
//! each moves the wished style by one step on one dimension and excludes the ended therapist.

use super::listing::Style;
use super::request::Request;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Why a therapy relationship did not fit, in the client's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndingReason {
    /// The client wanted more structure (directiveness +1).
    WantedMoreStructure,
    /// The client wants to lead more (directiveness −1).
    WantedMoreLead,
    /// Sessions felt too intense (intensity −1).
    TooIntense,
    /// The therapist felt distant (intensity +1).
    TooDistant,
    /// Too much about the past (past −1).
    TooFocusedOnPast,
    /// The client wants to look at their past more (past +1).
    WantedMoreDepth,
    /// The client felt pushed too hard (challenge −1).
    PushedTooHard,
    /// The client was not challenged enough (challenge +1).
    NotChallengedEnough,
    /// Another reason; moves nothing.
    Other,
}

impl EndingReason {
    /// Every reason, in the order a form lists them.
    pub const ALL: [EndingReason; 9] = [
        Self::WantedMoreStructure,
        Self::WantedMoreLead,
        Self::TooIntense,
        Self::TooDistant,
        Self::TooFocusedOnPast,
        Self::WantedMoreDepth,
        Self::PushedTooHard,
        Self::NotChallengedEnough,
        Self::Other,
    ];

    /// The wire word (`too_intense`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WantedMoreStructure => "wanted_more_structure",
            Self::WantedMoreLead => "wanted_more_lead",
            Self::TooIntense => "too_intense",
            Self::TooDistant => "too_distant",
            Self::TooFocusedOnPast => "too_focused_on_past",
            Self::WantedMoreDepth => "wanted_more_depth",
            Self::PushedTooHard => "pushed_too_hard",
            Self::NotChallengedEnough => "not_challenged_enough",
            Self::Other => "other",
        }
    }

    /// The reason for a wire word.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == word)
    }

    /// The words a client picks from.
    pub fn label(self) -> &'static str {
        match self {
            Self::WantedMoreStructure => "I wanted more structure",
            Self::WantedMoreLead => "I want to lead more",
            Self::TooIntense => "It felt too intense",
            Self::TooDistant => "It felt too distant",
            Self::TooFocusedOnPast => "It focused too much on the past",
            Self::WantedMoreDepth => "I want to look at my past more",
            Self::PushedTooHard => "I felt pushed too hard",
            Self::NotChallengedEnough => "I wasn't challenged enough",
            Self::Other => "Something else",
        }
    }

    /// The style dimension (index into [`Style::to_array`]) and step this reason moves.
    pub fn moves(self) -> Option<(usize, f64)> {
        match self {
            Self::WantedMoreStructure => Some((0, 1.0)),
            Self::WantedMoreLead => Some((0, -1.0)),
            Self::TooIntense => Some((1, -1.0)),
            Self::TooDistant => Some((1, 1.0)),
            Self::TooFocusedOnPast => Some((2, -1.0)),
            Self::WantedMoreDepth => Some((2, 1.0)),
            Self::PushedTooHard => Some((3, -1.0)),
            Self::NotChallengedEnough => Some((3, 1.0)),
            Self::Other => None,
        }
    }
}

pub(crate) fn ending_reasons_json() -> Value {
    EndingReason::ALL
        .iter()
        .map(|r| json!({"word": r.as_str(), "label": r.label()}))
        .collect()
}

/// What a client's past endings say about the next therapist: a wished style and who not to
/// suggest again.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FitProfile {
    /// The wished style, each dimension −3 … 3.
    pub style: Style,
    /// Therapists the client has ended with.
    pub exclude: BTreeSet<String>,
}

const PHRASES: [(&str, &str); 4] = [
    ("more structured", "who lets you lead more"),
    ("more emotionally engaged", "gentler"),
    ("who looks more at your past", "more focused on the present"),
    ("who challenges you more", "who pushes you less"),
];

impl FitProfile {
    /// A profile starting from the style the client first asked for.
    pub fn new(style: Style) -> Self {
        Self {
            style,
            exclude: BTreeSet::new(),
        }
    }

    /// Records an ending: one step on one dimension (clamped to −3 … 3) and the therapist excluded.
    pub fn apply_ending(&mut self, therapist_id: &str, reason: EndingReason) {
        if let Some((dim, step)) = reason.moves() {
            let mut v = self.style.to_array();
            v[dim] = (v[dim] + step).clamp(-3.0, 3.0);
            self.style = Style::from_array(v);
        }
        self.exclude.insert(therapist_id.to_string());
    }

    /// The profile in plain words for the client: "We'll look for someone more structured."
    pub fn describe(&self) -> String {
        let wishes: Vec<String> = self
            .style
            .to_array()
            .into_iter()
            .zip(PHRASES)
            .filter(|(v, _)| *v != 0.0)
            .map(|(v, (up, down))| {
                let phrase = if v > 0.0 { up } else { down };
                match (v.abs() >= 2.0, phrase.strip_prefix("more ")) {
                    (true, Some(rest)) => format!("much more {rest}"),
                    _ => phrase.to_string(),
                }
            })
            .collect();
        let mut text = match wishes.as_slice() {
            [] => "We'll look for someone who fits what you asked for".to_string(),
            [one] => format!("We'll look for someone {one}"),
            [init @ .., last] => format!("We'll look for someone {} and {last}", init.join(", ")),
        };
        text.push('.');
        if !self.exclude.is_empty() {
            text.push_str(" We won't suggest anyone you have already ended with.");
        }
        text
    }

    /// Puts the profile into a request: its style replaces the request's, its exclusions are added.
    pub fn apply_to(&self, req: &mut Request) {
        req.style = self.style;
        req.exclude.extend(self.exclude.iter().cloned());
    }
}
