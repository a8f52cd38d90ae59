//! What the matching forms have in common: submitted values kept for showing a form again, and
//! the few conversions a person should not have to do (money in pounds, not pence).
//!
//! Forms are turned into the same JSON the API takes and read by the core's parsers, so a form
//! and an API call are refused for the same reasons, named by the same fields.

use rapport_core::FieldError;
use rapport_core::matching::Word;
use serde_json::Value;

/// `(word, label)` for every word of a closed list, for checkboxes and selects.
pub fn words<W: Word>() -> Vec<(&'static str, &'static str)> {
    W::ALL.iter().map(|w| (w.as_str(), w.label())).collect()
}

/// Submitted (or saved) values of a form, in order; a field may repeat (checkboxes).
#[derive(Clone, Debug, Default)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    /// Adds a value.
    pub fn push(&mut self, field: &str, value: impl Into<String>) {
        self.0.push((field.to_owned(), value.into()));
    }

    /// Whether `field` holds `value` (selected options, ticked boxes).
    pub fn is(&self, field: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == field && v == value)
    }

    /// The first value of `field`, trimmed, or "".
    pub fn get(&self, field: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The `n`-th (0-based) value of a repeated field, or "".
    pub fn nth(&self, field: &str, n: usize) -> String {
        self.all(field).into_iter().nth(n).unwrap_or_default()
    }

    /// Whether the `n`-th value of a repeated field is `value` (ordered selects).
    pub fn nth_is(&self, field: &str, n: usize, value: &str) -> bool {
        self.nth(field, n) == value
    }

    /// Every non-empty value of `field`, in order.
    pub fn all(&self, field: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == field && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }
}

/// A number when the text is one, else the text itself, so the core's parser refuses it with
/// its own words ("must be a number from -90 to 90").
pub fn number(text: &str) -> Value {
    match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() => {
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
        _ => Value::String(text.trim().to_owned()),
    }
}

/// A number as a person writes it: `10`, `1.5`, `-0.5`.
pub fn show_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Money written in major units (`60`, `60.5`, `60.50`) as minor units (6000, 6050, 6050).
pub fn minor_units(field: &str, text: &str) -> Result<u64, FieldError> {
    let bad = || FieldError::new(field, "must be an amount like 60 or 60.50");
    let t = text.trim();
    if t.starts_with('-') {
        return Err(FieldError::new(field, "must not be negative"));
    }
    let (whole, cents) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || cents.len() > 2
        || !cents.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let cents: u64 = format!("{cents:0<2}").parse().map_err(|_| bad())?;
    whole
        .parse::<u64>()
        .ok()
        .and_then(|w| w.checked_mul(100))
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(bad)
}

/// Minor units as a person writes them: 6000 → `60`, 6050 → `60.50`.
pub fn major_units(minor: u64) -> String {
    if minor.is_multiple_of(100) {
        format!("{}", minor / 100)
    } else {
        format!("{}.{:02}", minor / 100, minor % 100)
    }
}

/// The steps offered for a style answer, −3 … 3.
pub const STYLE_STEPS: [i32; 7] = [-3, -2, -1, 0, 1, 2, 3];

/// One of the four C-NIP style questions: the field, the question, and what each end means.
pub struct StyleQuestion {
    /// Form field (`style.directiveness`).
    pub field: &'static str,
    /// The question.
    pub question: &'static str,
    /// What −3 means.
    pub low: &'static str,
    /// What +3 means.
    pub high: &'static str,
}

/// The four dimensions as questions a client can answer without knowing the instrument.
pub const CLIENT_STYLE: [StyleQuestion; 4] = [
    StyleQuestion {
        field: "style.directiveness",
        question: "Who should lead the sessions?",
        low: "I lead",
        high: "The therapist leads, with structure",
    },
    StyleQuestion {
        field: "style.intensity",
        question: "How emotionally intense should sessions be?",
        low: "Calm and gentle",
        high: "Emotionally intense",
    },
    StyleQuestion {
        field: "style.past",
        question: "Where should sessions focus?",
        low: "The here and now",
        high: "My past",
    },
    StyleQuestion {
        field: "style.challenge",
        question: "How much should your therapist challenge you?",
        low: "Mostly support me",
        high: "Challenge me",
    },
];

/// The same dimensions as a therapist rates their own way of working.
pub const THERAPIST_STYLE: [StyleQuestion; 4] = [
    StyleQuestion {
        field: "style.directiveness",
        question: "Who leads your sessions?",
        low: "The client leads",
        high: "I lead, with structure",
    },
    StyleQuestion {
        field: "style.intensity",
        question: "How emotionally intense is your work?",
        low: "Calm and gentle",
        high: "Emotionally intense",
    },
    StyleQuestion {
        field: "style.past",
        question: "Where does your work focus?",
        low: "The here and now",
        high: "The past",
    },
    StyleQuestion {
        field: "style.challenge",
        question: "How much do you challenge clients?",
        low: "Mostly supportive",
        high: "Challenging",
    },
];

/// A style question ready for a template: its options (value, label) and the chosen value.
pub struct StyleField {
    /// Form field and element id.
    pub field: &'static str,
    /// The question.
    pub question: &'static str,
    /// `(value, label)` per step, −3 … 3, plus the saved value when it lies between steps.
    pub options: Vec<(String, String)>,
    /// The chosen value.
    pub selected: String,
}

/// The four questions with options, `neutral` naming the 0 step ("no preference").
pub fn style_fields(
    questions: &'static [StyleQuestion; 4],
    values: &Values,
    neutral: &str,
) -> Vec<StyleField> {
    questions
        .iter()
        .map(|q| {
            let selected = match values.get(q.field) {
                s if s.is_empty() => "0".to_owned(),
                s => s,
            };
            let mut options: Vec<(String, String)> = STYLE_STEPS
                .iter()
                .map(|&n| {
                    let label = match n {
                        -3 => format!("−3: {}", q.low),
                        3 => format!("+3: {}", q.high),
                        0 => format!("0: {neutral}"),
                        n if n < 0 => format!("−{}", -n),
                        n => format!("+{n}"),
                    };
                    (n.to_string(), label)
                })
                .collect();
            if !options.iter().any(|(v, _)| *v == selected) {
                options.push((selected.clone(), selected.clone()));
            }
            StyleField {
                field: q.field,
                question: q.question,
                options,
                selected,
            }
        })
        .collect()
}
