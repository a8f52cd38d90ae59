//! Ruptures and repairs, section 4 of the alliance model: a drop measured against the client's
//! own usual, because no published cut-off exists for the check-in.
//!
//! A rupture at session s: the score is at least one standard deviation (σ, floored at 5) below
//! the mean μ of all earlier scores, with at least 3 earlier check-ins; two σ makes it major.
//! It is repaired at the first later session scoring at least μ − σ/2.

use super::checkin::CheckIn;
use super::indicators::alliance_score;
use serde::{Deserialize, Serialize, Serializer};

/// The fewest earlier check-ins that make a "usual" to compare with.
pub const MIN_EARLIER: usize = 3;

/// The smallest σ used, so a client whose scores never moved is not told a 5-point dip is a
/// rupture.
pub const SIGMA_FLOOR: f64 = 5.0;

/// Slack for comparing scores with thresholds: means of thirds are not exact in binary.
const EPSILON: f64 = 1e-9;

/// How far below the usual a rupture fell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Between one and two σ below the usual.
    Minor,
    /// Two σ or more below the usual.
    Major,
}

/// One rupture, with the baseline it was measured against, so words can say "compared with your
/// usual" and the repair can be judged on the same terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rupture {
    /// The session whose score fell.
    pub session: u32,
    /// μ − the session's score, in points (rounded to one decimal in JSON).
    #[serde(serialize_with = "one_decimal")]
    pub drop: f64,
    /// Minor or major.
    pub severity: Severity,
    /// The first later session back at μ − σ/2 or above, if any yet.
    pub repaired_at: Option<u32>,
    /// μ: the mean of all earlier scores.
    #[serde(skip)]
    pub usual: f64,
    /// σ: their population standard deviation, floored at [`SIGMA_FLOOR`].
    #[serde(skip)]
    pub spread: f64,
}

/// Every rupture in a history sorted by session, oldest first.
pub fn find_ruptures(checkins: &[CheckIn]) -> Vec<Rupture> {
    let scores: Vec<f64> = checkins.iter().map(alliance_score).collect();
    (MIN_EARLIER..scores.len())
        .filter_map(|index| {
            let (usual, spread) = mean_and_spread(&scores[..index]);
            let score = scores[index];
            if score > usual - spread + EPSILON {
                return None;
            }
            let severity = if score <= usual - 2.0 * spread + EPSILON {
                Severity::Major
            } else {
                Severity::Minor
            };
            let repaired_at = checkins[index + 1..]
                .iter()
                .zip(&scores[index + 1..])
                .find(|(_, later)| **later + EPSILON >= usual - spread / 2.0)
                .map(|(checkin, _)| checkin.session);
            Some(Rupture {
                session: checkins[index].session,
                drop: usual - score,
                severity,
                repaired_at,
                usual,
                spread,
            })
        })
        .collect()
}

/// μ and σ (population, floored) of earlier scores.
fn mean_and_spread(scores: &[f64]) -> (f64, f64) {
    let count = scores.len() as f64;
    let mean = scores.iter().sum::<f64>() / count;
    let variance = scores
        .iter()
        .map(|score| (score - mean).powi(2))
        .sum::<f64>()
        / count;
    (mean, variance.sqrt().max(SIGMA_FLOOR))
}

/// Rounds a number to one decimal for output; rules keep the full precision.
pub fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Serialises a score or drop rounded to one decimal, as the JSON output promises.
pub(crate) fn one_decimal<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(round1(*value))
}
