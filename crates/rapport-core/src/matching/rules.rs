//! Weights and the shape of a match answer, shared by the engine and the oracle.

use crate::error::{FieldError, Invalid};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// How much each score component counts; a deployment may change these, never the rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    /// Share of the client's concerns the therapist lists.
    pub concerns: f64,
    /// Closeness to the client's wished style.
    pub style: f64,
    /// A shared modality.
    pub modality: f64,
    /// Identity preferences (`prefer`) met.
    pub identity: f64,
    /// Nearness for in-person care.
    pub distance: f64,
    /// Measured effectiveness with the client's concerns.
    pub effectiveness: f64,
}

impl Default for Weights {
    /// The weights of the matching design (0.35, 0.25, 0.15, 0.10, 0.10, 0.05).
    fn default() -> Self {
        Self {
            concerns: 0.35,
            style: 0.25,
            modality: 0.15,
            identity: 0.10,
            distance: 0.10,
            effectiveness: 0.05,
        }
    }
}

impl Weights {
    /// The component names, in the order of the matching design and of [`Components::score`].
    pub const NAMES: [&'static str; 6] = [
        "concerns",
        "style",
        "modality",
        "identity",
        "distance",
        "effectiveness",
    ];

    fn slot(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "concerns" => &mut self.concerns,
            "style" => &mut self.style,
            "modality" => &mut self.modality,
            "identity" => &mut self.identity,
            "distance" => &mut self.distance,
            "effectiveness" => &mut self.effectiveness,
            _ => return None,
        })
    }

    fn values(&self) -> [f64; 6] {
        [
            self.concerns,
            self.style,
            self.modality,
            self.identity,
            self.distance,
            self.effectiveness,
        ]
    }
}

/// A deployment's weights as written in its settings: `concerns=0.4,style=0.3`. Components left
/// out keep their default weight; every problem is reported, each naming the component.
impl FromStr for Weights {
    type Err = Invalid;

    fn from_str(text: &str) -> Result<Self, Invalid> {
        let mut weights = Weights::default();
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, value)) = part.split_once('=') else {
                problems.push(FieldError::new(
                    format!("match_weights.{part}"),
                    "must be written as name=number, e.g. style=0.3",
                ));
                continue;
            };
            let name = name.trim();
            let field = format!("match_weights.{name}");
            if seen.contains(&name) {
                problems.push(FieldError::new(field, "is given twice"));
                continue;
            }
            seen.push(name);
            let Some(slot) = weights.slot(name) else {
                problems.push(FieldError::new(
                    field,
                    format!(
                        "is not a score component (use {})",
                        Weights::NAMES.join(", ")
                    ),
                ));
                continue;
            };
            match value.trim().parse::<f64>() {
                Ok(w) if w.is_finite() && (0.0..=1000.0).contains(&w) => *slot = w,
                _ => problems.push(FieldError::new(field, "must be a number from 0 to 1000")),
            }
        }
        if problems.is_empty() && weights.values().iter().all(|w| *w == 0.0) {
            problems.push(FieldError::new(
                "match_weights",
                "at least one weight must be above 0",
            ));
        }
        if problems.is_empty() {
            Ok(weights)
        } else {
            Err(Invalid(problems))
        }
    }
}

/// Writes the weights back in the form [`Weights::from_str`] reads.
impl fmt::Display for Weights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, w)) in Weights::NAMES.iter().zip(self.values()).enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(f, "{sep}{name}={w}")?;
        }
        Ok(())
    }
}

/// Each component's value (0-1) for one therapist; `None` when it does not apply to the request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Components {
    /// Weighted share of the client's concerns listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concerns: Option<f64>,
    /// Style closeness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<f64>,
    /// 1 when a modality is shared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modality: Option<f64>,
    /// Share of `prefer` identity wishes met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<f64>,
    /// Nearness within the client's reach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<f64>,
    /// Effectiveness with the client's first three concerns (always applies).
    pub effectiveness: f64,
}

impl Components {
    /// The 0-100 score: 100 × Σ wᵢ·sᵢ / Σ wᵢ over the applicable components, always summed in
    /// the same order so that equal inputs give bit-equal scores (ties are then decided by id).
    pub fn score(&self, w: &Weights) -> f64 {
        let parts = [
            (self.concerns, w.concerns),
            (self.style, w.style),
            (self.modality, w.modality),
            (self.identity, w.identity),
            (self.distance, w.distance),
            (Some(self.effectiveness), w.effectiveness),
        ];
        let (mut num, mut den) = (0.0, 0.0);
        for (value, weight) in parts {
            if let Some(s) = value {
                num += weight * s;
                den += weight;
            }
        }
        if den > 0.0 { 100.0 * num / den } else { 0.0 }
    }
}

/// One suggested therapist, with the numbers and the words behind the suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchResult {
    /// Listing id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// 0-100.
    pub score: f64,
    /// The components that apply to the request.
    pub components: Components,
    /// Distance in km when both client and therapist offer in person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Up to three reasons in plain words.
    pub reasons: Vec<String>,
    /// Preferences this therapist does not meet, in plain words.
    pub unmet: Vec<String>,
}

/// The answer to a request: how many therapists passed every hard filter, and the best of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchResponse {
    /// How many passed the hard filters (before `top` is applied).
    pub total_eligible: usize,
    /// Best first: score descending, then id ascending.
    pub results: Vec<MatchResult>,
}
