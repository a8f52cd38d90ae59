//! Scoring answers from the definition alone.
//!
//! Every instrument is scored by the same code reading its scales, bands, cut-offs and flags, so
//! a new instrument is a new file, not new code. The one rule that is not in the files is the
//! SRS session-to-session drop, which compares two sessions rather than reading one.

use super::answers::Answers;
use super::definition::{Definition, round_to};
use super::scale::{Method, Scale};
use crate::Invalid;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The result of scoring one set of answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    /// The instrument's id.
    pub instrument: String,
    /// The definition version the answers were scored with.
    pub version: String,
    /// One entry per scale, in the definition's order.
    pub scales: Vec<ScaleScore>,
    /// The ids of the flags raised (`crisis`), in the definition's order.
    pub flags: Vec<String>,
}

impl Scored {
    /// One scale's score by id.
    pub fn scale(&self, id: &str) -> Option<&ScaleScore> {
        self.scales.iter().find(|s| s.id == id)
    }

    /// Whether the flag `id` was raised.
    pub fn has_flag(&self, id: &str) -> bool {
        self.flags.iter().any(|f| f == id)
    }
}

/// One scale's score and what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleScore {
    /// The scale's id.
    pub id: String,
    /// The score, rounded to the scale's precision.
    pub value: f64,
    /// The label of the band the score falls in, when the scale has bands.
    pub band: Option<String>,
    /// Each cut-off's verdict for this score (`{"concern": true}`).
    pub cutoffs: BTreeMap<String, bool>,
}

impl ScaleScore {
    /// The verdict of cut-off `id`, if the scale has it.
    pub fn cutoff(&self, id: &str) -> Option<bool> {
        self.cutoffs.get(id).copied()
    }
}

/// Parses and scores raw answers `{"item id": value}` in one step.
pub fn score(def: &Definition, answers: &Map<String, Value>) -> Result<Scored, Invalid> {
    Ok(score_answers(def, &Answers::parse(def, answers)?))
}

/// Scores answers already parsed against `def`.
pub fn score_answers(def: &Definition, answers: &Answers) -> Scored {
    let scales = def
        .scales()
        .iter()
        .map(|scale| score_scale(def, scale, answers))
        .collect();
    let flags = def
        .flags()
        .iter()
        .filter(|flag| {
            answers
                .number(&flag.item)
                .is_some_and(|x| flag.rule.holds(x))
        })
        .map(|flag| flag.id.clone())
        .collect();
    Scored {
        instrument: def.id().to_owned(),
        version: def.version().to_owned(),
        scales,
        flags,
    }
}

fn score_scale(def: &Definition, scale: &Scale, answers: &Answers) -> ScaleScore {
    let values: Vec<f64> = scale
        .items
        .iter()
        .filter_map(|id| {
            let item = def.item(id)?;
            let x = answers.number(id)?;
            match (item.reverse, item.response.numeric_bounds()) {
                (true, Some((lo, hi))) => Some(lo + hi - x),
                _ => Some(x),
            }
        })
        .collect();
    let sum: f64 = values.iter().sum();
    let raw = match scale.method {
        Method::Sum => sum,
        Method::Mean => sum / values.len().max(1) as f64,
    };
    let value = round_to(raw * scale.multiplier, scale.decimals);
    ScaleScore {
        id: scale.id.clone(),
        value,
        band: scale.band(value).map(|b| b.label.clone()),
        cutoffs: scale
            .cutoffs
            .iter()
            .map(|c| (c.id.clone(), c.rule.holds(value)))
            .collect(),
    }
}

/// The OpenFIT rule: an SRS total that fell by 1 point or more since the previous session is
/// flagged, whatever its level, because a falling alliance predicts dropout before it is low.
pub fn srs_drop(previous_total: f64, current_total: f64) -> bool {
    round_to(previous_total - current_total, 6) >= SRS_DROP_POINTS
}

/// The size of SRS drop that is flagged (OpenFIT).
pub const SRS_DROP_POINTS: f64 = 1.0;
