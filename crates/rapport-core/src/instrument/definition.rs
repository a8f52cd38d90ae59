//! A validated instrument definition and its parts.
//!
//! A [`Definition`] can only be made by the loader ([`super::Registry`]), so code that holds one
//! may rely on every invariant the loader checks: unique ids, scales over existing numeric items,
//! declared ranges that match the items, bands that tile the range, and item text wherever the
//! licence allows it to be shipped.

use super::scale::{Flag, Scale};
use serde::Serialize;
use std::fmt;

/// Tolerance for comparing scores: values are rounded to at most a few decimals, so anything
/// closer than this is the same number written two ways.
pub(crate) const EPSILON: f64 = 1e-9;

/// One questionnaire, as loaded from its definition file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Definition {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) title: String,
    pub(crate) copyright: String,
    pub(crate) licence: String,
    pub(crate) text_licensed: bool,
    pub(crate) preamble: Option<String>,
    pub(crate) loinc: Option<Loinc>,
    pub(crate) items: Vec<Item>,
    pub(crate) scales: Vec<Scale>,
    pub(crate) flags: Vec<Flag>,
}

/// Whether a definition's item text is available, for listings ("text not installed").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextStatus {
    /// The text is free to ship and came with the definition.
    Shipped,
    /// The text is licensed and this site has installed it.
    Installed,
    /// The text is licensed and not installed here: the instrument can be scored, not offered.
    NotInstalled,
}

impl Definition {
    /// The stable id used in URLs, answers and FHIR (`phq9`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The definition's own version, so stored answers can say which wording they were given.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The name people know the instrument by.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Who holds the rights, shown wherever the instrument is shown.
    pub fn copyright(&self) -> &str {
        &self.copyright
    }

    /// The terms under which Rapport uses the instrument.
    pub fn licence(&self) -> &str {
        &self.licence
    }

    /// True when the item text may not be shipped and must be installed by a licensed site.
    pub fn text_licensed(&self) -> bool {
        self.text_licensed
    }

    /// The instruction shown before the items ("Over the last 2 weeks …"), when there is one.
    pub fn preamble(&self) -> Option<&str> {
        self.preamble.as_deref()
    }

    /// The LOINC code of the whole panel, when LOINC has one.
    pub fn loinc(&self) -> Option<&Loinc> {
        self.loinc.as_ref()
    }

    /// The items, in the order they are asked.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// One item by id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    /// The scales, in the order the definition lists them.
    pub fn scales(&self) -> &[Scale] {
        &self.scales
    }

    /// One scale by id.
    pub fn scale(&self, id: &str) -> Option<&Scale> {
        self.scales.iter().find(|scale| scale.id == id)
    }

    /// Rules on single answers that need a response beyond the score (crisis resources).
    pub fn flags(&self) -> &[Flag] {
        &self.flags
    }

    /// True when every item has its text, shipped or installed.
    pub fn text_installed(&self) -> bool {
        self.items.iter().all(|item| item.text.is_some())
    }

    /// Whether the item text is shipped, installed or missing.
    pub fn text_status(&self) -> TextStatus {
        match (self.text_licensed, self.text_installed()) {
            (false, _) => TextStatus::Shipped,
            (true, true) => TextStatus::Installed,
            (true, false) => TextStatus::NotInstalled,
        }
    }

    /// Whether the instrument may be given to a client: never without its item text.
    pub fn offerable(&self) -> bool {
        self.text_installed()
    }
}

/// A LOINC code with its display name, for FHIR codings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loinc {
    /// The code with its check digit (`44261-6`).
    pub code: String,
    /// The LOINC long common name, shown by systems that do not know the code.
    pub display: String,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Unique within the instrument; the key of the answer and the FHIR `linkId`.
    pub id: String,
    /// The question as asked; `None` only for licensed text not installed on this site.
    pub text: Option<String>,
    /// The two statements of a bipolar item, so a form can put them at either end of the scale.
    pub poles: Option<Poles>,
    /// What counts as an answer.
    pub response: Response,
    /// Scored as `min + max − value`, so a high score always means the same thing on a scale.
    pub reverse: bool,
    /// Whether an answer must be given; items on a scale are always required.
    pub required: bool,
    /// Free text that may identify or expose the client: encrypt at rest, never log.
    pub sensitive: bool,
}

/// The two ends of a bipolar item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Poles {
    /// The statement at the positive end (+3).
    pub plus: String,
    /// The statement at the negative end (−3).
    pub minus: String,
}

/// The kind of answer an item takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// Pick from labelled options (a rating, a named choice, or a set of checkboxes).
    Options {
        /// The options in the order shown.
        options: Vec<Choice>,
        /// Whether any number of options may be picked, each at most once.
        multiple: bool,
    },
    /// A number on a line or rating (a visual-analogue line, a 0-10 rating).
    Range {
        /// The lowest answer.
        min: f64,
        /// The highest answer.
        max: f64,
        /// Answers are `min` plus a whole number of steps (0.1 for a line read to the millimetre).
        step: f64,
    },
    /// Yes or no.
    Boolean,
    /// Free text.
    Text {
        /// The longest answer accepted, in characters.
        max_length: usize,
    },
}

impl Response {
    /// The lowest and highest numeric value, for responses that carry a number.
    pub fn numeric_bounds(&self) -> Option<(f64, f64)> {
        match self {
            Response::Options {
                options,
                multiple: false,
            } => {
                let numbers: Option<Vec<i64>> =
                    options.iter().map(|c| c.value.as_number()).collect();
                let numbers = numbers?;
                let lo = *numbers.iter().min()?;
                let hi = *numbers.iter().max()?;
                Some((lo as f64, hi as f64))
            }
            Response::Range { min, max, .. } => Some((*min, *max)),
            _ => None,
        }
    }

    /// How many decimals an answer can have (0 for whole numbers, 1 for steps of 0.1).
    pub fn decimals(&self) -> u32 {
        match self {
            Response::Range { min, step, .. } => decimals_of(*step).max(decimals_of(*min)),
            _ => 0,
        }
    }

    /// True when every answer is a whole number.
    pub fn is_whole(&self) -> bool {
        self.numeric_bounds().is_some() && self.decimals() == 0
    }

    /// What a valid answer looks like, in the words used in error messages.
    pub fn describe(&self) -> String {
        match self {
            Response::Options { options, multiple } => {
                let values: Vec<String> = options.iter().map(|c| c.value.to_string()).collect();
                let numbers: Option<Vec<i64>> =
                    options.iter().map(|c| c.value.as_number()).collect();
                let one = match numbers.map(sorted) {
                    Some(n) if !*multiple && is_contiguous(&n) => {
                        format!("a whole number from {} to {}", n[0], n[n.len() - 1])
                    }
                    _ => format!("one of {}", values.join(", ")),
                };
                if *multiple {
                    format!("a list of values, each {one}")
                } else {
                    one
                }
            }
            Response::Range { min, max, step } if self.decimals() == 0 && *step == 1.0 => {
                format!("a whole number from {min} to {max}")
            }
            Response::Range { min, max, step } if self.decimals() == 0 => {
                format!("a whole number from {min} to {max} in steps of {step}")
            }
            Response::Range { min, max, step } => {
                format!("a number from {min} to {max} in steps of {step}")
            }
            Response::Boolean => "true or false".to_owned(),
            Response::Text { max_length } => format!("text of at most {max_length} characters"),
        }
    }
}

fn sorted(mut numbers: Vec<i64>) -> Vec<i64> {
    numbers.sort_unstable();
    numbers
}

fn is_contiguous(numbers: &[i64]) -> bool {
    numbers.windows(2).all(|w| w[1] == w[0] + 1)
}

/// The fewest decimals (up to 6) that write `x` exactly, to size rounding and messages.
pub(crate) fn decimals_of(x: f64) -> u32 {
    (0..=6)
        .find(|&d| is_whole(x * 10f64.powi(d as i32)))
        .unwrap_or(6)
}

/// Whether `x` is a whole number, allowing for binary fractions (0.1 × 3 = 0.30000000000000004).
pub(crate) fn is_whole(x: f64) -> bool {
    (x - x.round()).abs() < 1e-6
}

/// Rounds to `decimals` places, so sums of tenths come out as people would write them.
pub(crate) fn round_to(x: f64, decimals: u32) -> f64 {
    let factor = 10f64.powi(decimals as i32);
    (x * factor).round() / factor
}

/// One labelled option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// What is stored and scored: a number for rated options, a code for named ones.
    pub value: ChoiceValue,
    /// What the person sees.
    pub label: String,
}

/// The stored value of an option.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum ChoiceValue {
    /// A scored option (`0` = "Not at all").
    Number(i64),
    /// A named option that is not scored (`stirred_ok`).
    Code(String),
}

impl ChoiceValue {
    /// The number, for scored options.
    pub fn as_number(&self) -> Option<i64> {
        match self {
            ChoiceValue::Number(n) => Some(*n),
            ChoiceValue::Code(_) => None,
        }
    }
}

impl fmt::Display for ChoiceValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChoiceValue::Number(n) => write!(f, "{n}"),
            ChoiceValue::Code(code) => f.write_str(code),
        }
    }
}
