//! Weights and the shape of a match answer, shared by the engine and the oracle.

use serde::Serialize;

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
