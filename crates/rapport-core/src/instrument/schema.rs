//! The definition file format, exactly as written on disk, before validation.
//!
//! One JSON object per file, named `<id>.json`; unknown fields are refused so a typo cannot
//! silently drop a rule:
//!
//! ```json
//! {
//!   "id": "phq9",                       // lowercase letters, digits, '-'; the file name's stem
//!   "version": "1.0",
//!   "title": "Patient Health Questionnaire (PHQ-9)",
//!   "copyright": "…", "licence": "…",    // shown wherever the instrument is shown
//!   "text_licensed": false,             // true: item text must be absent, installed per site
//!   "preamble": "Over the last 2 weeks …",           // optional
//!   "loinc": {"code": "44249-1", "display": "…"},    // optional, the panel
//!   "responses": {                      // named answer formats, shared by items
//!     "frequency": {"type": "options", "options": [{"value": 0, "label": "Not at all"}, …]},
//!     "line":      {"type": "range", "min": 0, "max": 10, "step": 0.1},
//!     "flags":     {"type": "options", "multiple": true, "options": [{"value": "judged", "label": "…"}]},
//!     "yes_no":    {"type": "boolean"},
//!     "note":      {"type": "text", "max_length": 1000}
//!   },
//!   "items": [{"id": "q1", "text": "…", "response": "frequency",
//!              "reverse": false, "required": true, "sensitive": false,     // defaults shown
//!              "poles": {"plus": "…", "minus": "…"}}],                       // bipolar items only
//!   "scales": [{"id": "total", "title": "Total", "items": ["q1", …], "method": "sum",
//!               "multiplier": 1,                                             // optional
//!               "range": {"min": 0, "max": 27},                              // must match the items
//!               "bands": [{"from": 0, "to": 4, "label": "minimal"}, …],      // must tile the range
//!               "cutoffs": [{"id": "caseness", "direction": "at_or_above", "value": 10, "meaning": "…"}],
//!               "reliable_change": 6,                                         // points, optional
//!               "loinc": {"code": "44261-6", "display": "…"}}],
//!   "flags": [{"id": "crisis", "item": "q9", "direction": "above", "value": 0, "meaning": "…"}]
//! }
//! ```
//!
//! Directions are `below`, `at_or_below`, `above` and `at_or_above`. Option values are all whole
//! numbers (scored) or all codes (named, not scored).

use super::scale::{Direction, Method};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A definition file as parsed, not yet checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDefinition {
    pub id: String,
    pub version: String,
    pub title: String,
    pub copyright: String,
    pub licence: String,
    #[serde(default)]
    pub text_licensed: bool,
    #[serde(default)]
    pub preamble: Option<String>,
    #[serde(default)]
    pub loinc: Option<RawLoinc>,
    pub responses: BTreeMap<String, RawResponse>,
    pub items: Vec<RawItem>,
    #[serde(default)]
    pub scales: Vec<RawScale>,
    #[serde(default)]
    pub flags: Vec<RawFlag>,
}

/// A LOINC code as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLoinc {
    pub code: String,
    pub display: String,
}

/// A named answer format as written.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum RawResponse {
    Options {
        options: Vec<RawChoice>,
        #[serde(default)]
        multiple: bool,
    },
    Range {
        min: f64,
        max: f64,
        step: f64,
    },
    Boolean,
    Text {
        max_length: usize,
    },
}

/// An option as written; the value is a whole number or a code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChoice {
    pub value: serde_json::Value,
    pub label: String,
}

/// An item as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawItem {
    pub id: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub poles: Option<RawPoles>,
    pub response: String,
    #[serde(default)]
    pub reverse: bool,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub sensitive: bool,
}

/// The poles of a bipolar item as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPoles {
    pub plus: String,
    pub minus: String,
}

fn yes() -> bool {
    true
}

/// A scale as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScale {
    pub id: String,
    pub title: String,
    pub items: Vec<String>,
    pub method: Method,
    #[serde(default)]
    pub multiplier: Option<f64>,
    pub range: RawRange,
    #[serde(default)]
    pub bands: Vec<RawBand>,
    #[serde(default)]
    pub cutoffs: Vec<RawCutoff>,
    #[serde(default)]
    pub reliable_change: Option<f64>,
    #[serde(default)]
    pub loinc: Option<RawLoinc>,
}

/// A declared score range as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRange {
    pub min: f64,
    pub max: f64,
}

/// A band as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBand {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

/// A cut-off as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCutoff {
    pub id: String,
    pub direction: Direction,
    pub value: f64,
    pub meaning: String,
}

/// A flag as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFlag {
    pub id: String,
    pub item: String,
    pub direction: Direction,
    pub value: f64,
    pub meaning: String,
}
