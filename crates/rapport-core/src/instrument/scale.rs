//! Scales, bands, cut-offs and flags: the parts of a definition that turn answers into meaning.
//!
//! Like [`Definition`](super::Definition), these are only built by the loader, which checks that
//! scales use existing numeric items, bands tile the range and thresholds lie within it.

use super::definition::{EPSILON, Loinc};
use serde::Serialize;

/// A score computed from several items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    /// Unique within the instrument (`total`, `task`).
    pub id: String,
    /// The name shown with the score.
    pub title: String,
    /// The items it is computed from, all numeric and required.
    pub items: Vec<String>,
    /// Sum or mean of the (reverse-keyed where marked) item values.
    pub method: Method,
    /// Applied after the sum or mean (the RAC's alliance is 25 × the mean of its signs).
    pub multiplier: f64,
    /// The lowest possible score.
    pub min: f64,
    /// The highest possible score.
    pub max: f64,
    /// Decimals the score is rounded to; bands and cut-offs are read at this precision.
    pub decimals: u32,
    /// Interpretation bands that tile `min..=max`, lowest first (empty when none are published).
    pub bands: Vec<Band>,
    /// Published cut-offs, each read as true or false for a score.
    pub cutoffs: Vec<Cutoff>,
    /// The smallest change, in points, that counts as reliable, where one is published.
    pub reliable_change: Option<f64>,
    /// The LOINC code of this score, when LOINC has one; only such scores become Observations.
    pub loinc: Option<Loinc>,
}

impl Scale {
    /// The band a score falls in.
    pub fn band(&self, value: f64) -> Option<&Band> {
        self.bands
            .iter()
            .find(|b| value >= b.from - EPSILON && value <= b.to + EPSILON)
    }

    /// The smallest difference between two scores at this scale's precision.
    pub fn resolution(&self) -> f64 {
        10f64.powi(-(self.decimals as i32))
    }
}

/// How a scale combines its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The sum of the item values.
    Sum,
    /// The mean of the item values.
    Mean,
}

/// A labelled stretch of a scale, both ends included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// The lowest score in the band.
    pub from: f64,
    /// The highest score in the band.
    pub to: f64,
    /// The published name of the band (`moderately severe`).
    pub label: String,
}

/// A published threshold on a scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cutoff {
    /// The name of the verdict in scored results (`concern`, `caseness`).
    pub id: String,
    /// When the verdict is true.
    #[serde(flatten)]
    pub rule: Rule,
    /// What a true verdict means, in words for a clinician.
    pub meaning: String,
}

/// A comparison of a value against a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Rule {
    /// Which side of the threshold makes the rule true.
    pub direction: Direction,
    /// The threshold.
    pub value: f64,
}

impl Rule {
    /// Whether `x` is on the rule's side of the threshold.
    pub fn holds(&self, x: f64) -> bool {
        match self.direction {
            Direction::Below => x < self.value - EPSILON,
            Direction::AtOrBelow => x <= self.value + EPSILON,
            Direction::Above => x > self.value + EPSILON,
            Direction::AtOrAbove => x >= self.value - EPSILON,
        }
    }
}

/// The side of a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Strictly less than the threshold.
    Below,
    /// Less than or equal to the threshold.
    AtOrBelow,
    /// Strictly greater than the threshold.
    Above,
    /// Greater than or equal to the threshold.
    AtOrAbove,
}

/// A rule on a single answer that calls for a response whatever the total (PHQ-9 item 9).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// The name of the flag in scored results (`crisis`).
    pub id: String,
    /// The item the rule reads.
    pub item: String,
    /// When the flag is raised.
    #[serde(flatten)]
    pub rule: Rule,
    /// What to do when it is raised.
    pub meaning: String,
}
