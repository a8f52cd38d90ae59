//! What the measure pages say about a result, derived once so templates only print fields.
//!
//! The words are for the person who answered: the score, its range and the published band name,
//! said plainly and without alarm. Cut-off verdicts are clinical shorthand and stay in the API.

use serde_json::Value;

use super::service::{SRS_DROP_FLAG, is_crisis};
use rapport_store::instruments::StoredResponse;

/// One scale of a result in words.
pub struct ScoreLine {
    /// The scale's name.
    pub title: String,
    /// A sentence placing the score in its range and band.
    pub words: String,
}

/// A stored result as the results page shows it.
pub struct ResultView {
    /// The instrument's title.
    pub title: String,
    /// When it was filled in, in the viewer's zone: `YYYY-MM-DD HH:MM (City)`.
    pub when: String,
    /// Each scale.
    pub lines: Vec<ScoreLine>,
    /// Whether to show the crisis resources first.
    pub crisis: bool,
    /// Whether the SRS total fell since last time.
    pub srs_drop: bool,
}

impl ResultView {
    /// Reads the scores stored with a response.
    pub fn of(stored: &StoredResponse, zone: &rapport_core::zone::Zone) -> ResultView {
        let scores = &stored.scores;
        let lines = scores
            .get("scores")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(line).collect())
            .unwrap_or_default();
        let flags = scores.get("flags").and_then(Value::as_array);
        ResultView {
            title: text(scores, "title").unwrap_or_else(|| stored.instrument_id.clone()),
            when: date_time(stored.created_at, zone),
            lines,
            crisis: is_crisis(stored),
            srs_drop: flags.is_some_and(|f| f.iter().any(|x| x.as_str() == Some(SRS_DROP_FLAG))),
        }
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn number(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_f64)
        .map(|x| x.to_string())
        .unwrap_or_default()
}

fn line(scale: &Value) -> ScoreLine {
    let value = number(scale, "value");
    let (min, max) = (number(scale, "min"), number(scale, "max"));
    let words = match text(scale, "band") {
        Some(band) if min == "0" => {
            format!("{value} out of {max}: in the range usually described as “{band}”.")
        }
        Some(band) => format!(
            "{value}, on a scale from {min} to {max}: in the range usually described as “{band}”."
        ),
        None => format!("{value}, on a scale from {min} to {max}."),
    };
    ScoreLine {
        title: text(scale, "title").unwrap_or_default(),
        words,
    }
}

pub use crate::pages::date_time;
