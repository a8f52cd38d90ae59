//! Small readers over `serde_json::Value` that collect every problem with its field path.
//!
//! Listings and requests come from forms, API calls and directory files; people fix them faster
//! when they see all problems at once, each named like `fee.amount` or `slots[0].hour`.

use super::vocab::Word;
use crate::FieldError;
use serde_json::{Map, Value};

/// The problems found so far while reading one input.
#[derive(Default)]
pub(crate) struct Check {
    pub errors: Vec<FieldError>,
}

/// `path.key`, or `key` at the top.
pub(crate) fn at(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A present, non-null member.
pub(crate) fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

impl Check {
    pub fn fail<T>(&mut self, field: impl Into<String>, reason: impl Into<String>) -> Option<T> {
        self.errors.push(FieldError::new(field, reason));
        None
    }

    pub fn required<'a>(&mut self, value: Option<&'a Value>, path: &str) -> Option<&'a Value> {
        match value {
            Some(v) => Some(v),
            None => self.fail(path, "is required"),
        }
    }

    pub fn object<'a>(
        &mut self,
        value: &'a Value,
        path: &str,
        known: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        let Some(map) = value.as_object() else {
            return self.fail(
                if path.is_empty() { "(top)" } else { path },
                "must be an object",
            );
        };
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            self.errors
                .push(FieldError::new(at(path, key), "is not a known field"));
        }
        Some(map)
    }

    pub fn text<'a>(&mut self, value: &'a Value, path: &str, max_chars: usize) -> Option<&'a str> {
        match value.as_str().map(str::trim) {
            None => self.fail(path, "must be text"),
            Some("") => self.fail(path, "must not be empty"),
            Some(t) if t.chars().count() > max_chars => {
                self.fail(path, format!("must be at most {max_chars} characters"))
            }
            Some(t) if t.chars().any(char::is_control) => {
                self.fail(path, "must not contain control characters")
            }
            Some(t) => Some(t),
        }
    }

    pub fn number(&mut self, value: &Value, path: &str, min: f64, max: f64) -> Option<f64> {
        match value.as_f64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(_) => self.fail(path, format!("must be from {min} to {max}")),
            None => self.fail(path, "must be a number"),
        }
    }

    pub fn whole(&mut self, value: &Value, path: &str, max: u64) -> Option<u64> {
        match (value.as_u64(), value.as_f64()) {
            (Some(n), _) if n <= max => Some(n),
            (Some(_), _) => self.fail(path, format!("must be at most {max}")),
            (None, Some(n)) if n < 0.0 => self.fail(path, "must not be negative"),
            _ => self.fail(path, "must be a whole number"),
        }
    }

    pub fn boolean(&mut self, value: &Value, path: &str) -> Option<bool> {
        match value.as_bool() {
            Some(b) => Some(b),
            None => self.fail(path, "must be true or false"),
        }
    }

    pub fn word<W: Word>(&mut self, value: &Value, path: &str) -> Option<W> {
        match value.as_str() {
            Some(s) => match W::parse(s) {
                Some(w) => Some(w),
                None => self.fail(path, format!("`{s}` is not a known {}", W::WHAT)),
            },
            None => self.fail(path, format!("must be a {} word", W::WHAT)),
        }
    }

    pub fn coded<T>(
        &mut self,
        value: &Value,
        path: &str,
        parse: fn(&str) -> Option<T>,
        rule: &str,
    ) -> Option<T> {
        match value.as_str().and_then(parse) {
            Some(t) => Some(t),
            None => self.fail(path, rule),
        }
    }

    /// A list read item by item; absent or null reads as empty unless `non_empty` is asked.
    /// Repeated items are refused because they would count twice in scores.
    pub fn list<T: PartialEq>(
        &mut self,
        value: Option<&Value>,
        path: &str,
        non_empty: bool,
        mut item: impl FnMut(&mut Self, &Value, &str) -> Option<T>,
    ) -> Option<Vec<T>> {
        let items: &[Value] = match value {
            None if non_empty => return self.fail(path, "is required"),
            None => &[],
            Some(Value::Array(items)) => items,
            Some(_) => return self.fail(path, "must be a list"),
        };
        if non_empty && items.is_empty() {
            return self.fail(path, "must not be empty");
        }
        let before = self.errors.len();
        let mut out = Vec::with_capacity(items.len());
        for (i, v) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            if let Some(t) = item(self, v, &p) {
                if out.contains(&t) {
                    self.errors.push(FieldError::new(p, "is listed twice"));
                } else {
                    out.push(t);
                }
            }
        }
        (self.errors.len() == before).then_some(out)
    }

    pub fn words<W: Word + PartialEq>(
        &mut self,
        value: Option<&Value>,
        path: &str,
        non_empty: bool,
    ) -> Option<Vec<W>> {
        self.list(value, path, non_empty, |c, v, p| c.word::<W>(v, p))
    }

    pub fn finish<T>(self, value: Option<T>) -> Result<T, crate::Invalid> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ if self.errors.is_empty() => Err(crate::Invalid::one("(top)", "could not be read")),
            _ => Err(crate::Invalid(self.errors)),
        }
    }
}
