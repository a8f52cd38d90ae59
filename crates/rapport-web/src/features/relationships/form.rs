//! Turning the check-in form into the JSON object the core parser reads, and keeping submitted
//! values so a form shown again with errors does not lose the client's answers.

use serde_json::{Map, Value};

/// Builds the check-in object from form pairs: `flags` (repeated) becomes a list; the form token
/// and empty fields are dropped; everything else stays text for the core parser to judge.
pub fn to_object(pairs: &[(String, String)]) -> Map<String, Value> {
    let mut obj = Map::new();
    let mut flags = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => {}
            "flags" => flags.push(Value::String(v.clone())),
            _ if v.trim().is_empty() => {}
            _ => {
                obj.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    obj.insert("flags".into(), Value::Array(flags));
    obj
}

/// Submitted values, for showing a form again.
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
