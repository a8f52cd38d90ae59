//! A measure's form: its fields as the template shows them, and the submitted pairs turned into
//! the `{"item id": value}` object the core parser reads (so the form and the API are judged by
//! the same rules and give the same messages).

use rapport_core::instrument::{Definition, Response};
use serde_json::{Map, Value};

/// One question on the form.
pub struct Field {
    /// The item id: the field name, and the anchor error messages link to.
    pub id: String,
    /// The question.
    pub text: String,
    /// For a bipolar item, which statement is "the first" and which "the second".
    pub poles: Option<String>,
    /// `radio`, `checkbox`, `number` or `yesno`; `text` for free text, which is never offered
    /// here (see [`super::service::not_offered_because`]) and so has no control.
    pub kind: &'static str,
    /// `(value, label)` of each option, in the order shown.
    pub options: Vec<(String, String)>,
    /// Lowest, highest and step of a number answer, as the input's attributes.
    pub min: String,
    /// See `min`.
    pub max: String,
    /// See `min`.
    pub step: String,
    /// What a number answer accepts, in words.
    pub hint: String,
}

/// The form fields of an offered instrument (one whose every item has text and no free text).
pub fn fields(def: &Definition) -> Vec<Field> {
    def.items()
        .iter()
        .map(|item| {
            let mut field = Field {
                id: item.id.clone(),
                text: item.text.clone().unwrap_or_default(),
                poles: item
                    .poles
                    .as_ref()
                    .map(|p| format!("First: {}. Second: {}.", p.plus, p.minus)),
                kind: "radio",
                options: Vec::new(),
                min: String::new(),
                max: String::new(),
                step: String::new(),
                hint: item.response.describe(),
            };
            match &item.response {
                Response::Options { options, multiple } => {
                    field.kind = if *multiple { "checkbox" } else { "radio" };
                    field.options = options
                        .iter()
                        .map(|c| (c.value.to_string(), c.label.clone()))
                        .collect();
                }
                Response::Range { min, max, step } => {
                    field.kind = "number";
                    field.min = min.to_string();
                    field.max = max.to_string();
                    field.step = step.to_string();
                }
                Response::Boolean => field.kind = "yesno",
                Response::Text { .. } => field.kind = "text",
            }
            field
        })
        .collect()
}

/// Builds the answers object from form pairs: the form token and empty fields are dropped,
/// repeated checkbox fields become a list, numbers and yes/no become JSON numbers and booleans,
/// and anything else stays text for the core parser to refuse with the item's allowed range.
pub fn to_answers(def: &Definition, pairs: &[(String, String)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, raw) in pairs {
        let raw = raw.trim();
        if key == "csrf" || raw.is_empty() {
            continue;
        }
        let response = def.item(key).map(|item| &item.response);
        let value = match response {
            Some(Response::Boolean) => match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(raw.to_owned()),
            },
            _ => number(raw).unwrap_or_else(|| Value::String(raw.to_owned())),
        };
        if let Some(Response::Options { multiple: true, .. }) = response {
            let list = out
                .entry(key.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                list.push(value);
            }
        } else {
            out.insert(key.clone(), value);
        }
    }
    out
}

fn number(raw: &str) -> Option<Value> {
    if let Ok(n) = raw.parse::<i64>() {
        return Some(Value::from(n));
    }
    raw.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(Value::from)
}

/// Submitted values, for showing a form again without losing the client's answers.
#[derive(Clone, Debug, Default)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    /// Whether `field` was submitted with `value` (radio and checkbox state).
    pub fn is(&self, field: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == field && v == value)
    }

    /// The submitted text of `field`, or "".
    pub fn get(&self, field: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}
