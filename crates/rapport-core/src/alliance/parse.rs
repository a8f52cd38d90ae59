//! The one reader of check-ins: web form, JSON API, CLI and serde all come through here.
//!
//! It reports every problem at once, each naming the field, so a person fixes their input in one
//! go. Numbers and yes/no answers may also arrive as text, because HTML forms only send text.

use super::checkin::{CheckIn, Flag, LeftFeeling, Sign};
use crate::dates::{CalendarDate, DATE_REASON};
use crate::{FieldError, Invalid};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The longest `need` we keep, in characters: a note to bring to a session, not a diary.
pub const NEED_MAX_CHARS: usize = 1000;

const FIELDS: [&str; 15] = [
    "session",
    "date",
    "heard",
    "open",
    "attuned",
    "trust",
    "looking_forward",
    "flags",
    "misconduct",
    "stirred",
    "toward_therapist",
    "left_feeling",
    "need",
    "raised",
    "repair",
];

const SCALE: &str = "a whole number from 0 to 4";
const SESSION: &str = "a whole number from 1";
const YES_NO: &str = "must be yes or no (true or false)";

/// Reads one check-in object, collecting all its problems.
///
/// `at` prefixes every field name (`checkins[2] (session 3)` gives
/// `checkins[2] (session 3).heard`); pass `""` for a lone check-in. Signs, `session`, `stirred`
/// and `left_feeling` are required; `flags` defaults to none, yes/no answers to no; `need` is
/// trimmed and an empty one is no need; `raised` takes `true`/`false` or `"yes"`/`"no"`;
/// `repair` is refused unless `raised` is yes, since there was nothing to repair yet.
///
/// # Errors
///
/// Every problem found, each naming its field, when the value is not a valid check-in.
pub fn parse_checkin(value: &Value, at: &str) -> Result<CheckIn, Invalid> {
    let Some(object) = value.as_object() else {
        let field = if at.is_empty() { "check-in" } else { at };
        return Err(Invalid::one(field, "must be an object (one check-in)"));
    };
    let mut reader = Reader {
        object,
        at,
        errors: Vec::new(),
    };
    let session = reader.session();
    let date = reader.date();
    let heard = reader.sign("heard");
    let open = reader.sign("open");
    let attuned = reader.sign("attuned");
    let trust = reader.sign("trust");
    let looking_forward = reader.sign("looking_forward");
    let flags = reader.flags();
    let misconduct = reader.yes_no("misconduct").unwrap_or(false);
    let stirred = reader.scale("stirred", true).unwrap_or(0);
    let toward_therapist = reader.yes_no("toward_therapist").unwrap_or(false);
    let left_feeling = reader.left_feeling();
    let need = reader.need();
    let raised = reader.yes_no("raised");
    let repair = reader.scale("repair", false);
    if repair.is_some() && raised != Some(true) {
        reader.fail("repair", "can only be given when raised is yes");
    }
    for key in object.keys().filter(|key| !FIELDS.contains(&key.as_str())) {
        reader.fail(key, "unknown field");
    }
    if !reader.errors.is_empty() {
        return Err(Invalid(reader.errors));
    }
    Ok(CheckIn {
        session,
        date,
        heard,
        open,
        attuned,
        trust,
        looking_forward,
        flags,
        misconduct,
        stirred,
        toward_therapist,
        left_feeling,
        need,
        raised,
        repair,
    })
}

/// Reads a history file, `{"checkins": [...]}`, as the offline engine and imports receive it.
///
/// Invalid JSON is one problem on the field `input`. Each check-in's problems name it as
/// `checkins[i] (session N)` (index from 0); a session number used twice is refused, because
/// the rules read the history in session order. The result is sorted by session.
///
/// # Errors
///
/// Every problem found in any check-in, or one problem when the text is not JSON.
pub fn parse_history(json: &str) -> Result<Vec<CheckIn>, Invalid> {
    let value: Value = serde_json::from_str(json)
        .map_err(|error| Invalid::one("input", format!("is not valid JSON ({error})")))?;
    parse_history_value(&value)
}

/// [`parse_history`] for a body that is already JSON (an API request).
///
/// # Errors
///
/// As [`parse_history`].
pub fn parse_history_value(value: &Value) -> Result<Vec<CheckIn>, Invalid> {
    let Some(object) = value.as_object() else {
        return Err(Invalid::one(
            "input",
            "must be an object like {\"checkins\": [...]}",
        ));
    };
    let mut errors: Vec<FieldError> = object
        .keys()
        .filter(|key| key.as_str() != "checkins")
        .map(|key| FieldError::new(key.as_str(), "unknown field"))
        .collect();
    let items = match object.get("checkins") {
        None | Some(Value::Null) => {
            errors.push(FieldError::new(
                "checkins",
                "is required (a list of check-ins)",
            ));
            return Err(Invalid(errors));
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(FieldError::new("checkins", "must be a list of check-ins"));
            return Err(Invalid(errors));
        }
    };
    let mut checkins = Vec::with_capacity(items.len());
    let mut first_index: BTreeMap<u32, usize> = BTreeMap::new();
    for (index, item) in items.iter().enumerate() {
        let label = checkin_label(index, item);
        let session = item
            .get("session")
            .and_then(Value::as_u64)
            .and_then(|s| u32::try_from(s).ok());
        let repeated = match session.map(|s| (s, first_index.get(&s).copied())) {
            Some((s, Some(first))) => {
                errors.push(FieldError::new(
                    format!("{label}.session"),
                    format!("repeats session {s} (already in checkins[{first}])"),
                ));
                true
            }
            Some((s, None)) => {
                first_index.insert(s, index);
                false
            }
            None => false,
        };
        match parse_checkin(item, &label) {
            Ok(checkin) if !repeated => checkins.push(checkin),
            Ok(_) => {}
            Err(Invalid(problems)) => errors.extend(problems),
        }
    }
    if !errors.is_empty() {
        return Err(Invalid(errors));
    }
    checkins.sort_by_key(|checkin| checkin.session);
    Ok(checkins)
}

/// Names a check-in in a history by index, and by session when that much can be read.
fn checkin_label(index: usize, item: &Value) -> String {
    match item
        .get("session")
        .and_then(whole_number)
        .and_then(session_number)
    {
        Some(session) => format!("checkins[{index}] (session {session})"),
        None => format!("checkins[{index}]"),
    }
}

struct Reader<'a> {
    object: &'a Map<String, Value>,
    at: &'a str,
    errors: Vec<FieldError>,
}

impl<'a> Reader<'a> {
    fn fail(&mut self, key: &str, reason: impl Into<String>) {
        let field = if self.at.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.at)
        };
        self.errors.push(FieldError::new(field, reason));
    }

    /// The value of `key`, treating null and blank text (an empty form field) as absent.
    fn get(&self, key: &str) -> Option<&'a Value> {
        let object: &'a Map<String, Value> = self.object;
        match object.get(key)? {
            Value::Null => None,
            Value::String(text) if text.trim().is_empty() => None,
            value => Some(value),
        }
    }

    fn session(&mut self) -> u32 {
        let Some(value) = self.get("session") else {
            self.fail("session", format!("is required ({SESSION})"));
            return 0;
        };
        whole_number(value)
            .and_then(session_number)
            .unwrap_or_else(|| {
                self.fail("session", format!("must be {SESSION}"));
                0
            })
    }

    fn date(&mut self) -> Option<String> {
        let value = self.get("date")?;
        match value
            .as_str()
            .map(str::trim)
            .and_then(|text| CalendarDate::parse("date", text).ok())
        {
            Some(date) => Some(date.to_string()),
            None => {
                self.fail("date", DATE_REASON);
                None
            }
        }
    }

    fn sign(&mut self, key: &str) -> Sign {
        self.scale(key, true)
            .and_then(Sign::new)
            .unwrap_or_default()
    }

    /// A 0-4 answer; when `required`, a missing one is a problem.
    fn scale(&mut self, key: &str, required: bool) -> Option<u8> {
        let Some(value) = self.get(key) else {
            if required {
                self.fail(key, format!("is required ({SCALE})"));
            }
            return None;
        };
        let answer = whole_number(value).filter(|number| *number <= u64::from(Sign::MAX));
        if answer.is_none() {
            self.fail(key, format!("must be {SCALE}"));
        }
        answer.and_then(|number| u8::try_from(number).ok())
    }

    fn yes_no(&mut self, key: &str) -> Option<bool> {
        let value = self.get(key)?;
        let answer = match value {
            Value::Bool(answer) => Some(*answer),
            Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
                "yes" | "true" | "on" => Some(true),
                "no" | "false" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if answer.is_none() {
            self.fail(key, YES_NO);
        }
        answer
    }

    fn flags(&mut self) -> BTreeSet<Flag> {
        let mut flags = BTreeSet::new();
        let items: Vec<&Value> = match self.get("flags") {
            None => return flags,
            Some(Value::Array(items)) => items.iter().collect(),
            Some(single @ Value::String(_)) => vec![single],
            Some(_) => {
                self.fail("flags", "must be a list of flags");
                return flags;
            }
        };
        for item in items {
            match item.as_str() {
                Some(id) => match Flag::from_id(id.trim()) {
                    Some(flag) => {
                        flags.insert(flag);
                    }
                    None => self.fail(
                        "flags",
                        format!("unknown flag {item}; allowed: {}", flag_ids()),
                    ),
                },
                None => self.fail(
                    "flags",
                    format!("must be a list of flags; {item} is not one"),
                ),
            }
        }
        flags
    }

    fn left_feeling(&mut self) -> LeftFeeling {
        let allowed = LeftFeeling::ALL.map(LeftFeeling::id).join(", ");
        let Some(value) = self.get("left_feeling") else {
            self.fail("left_feeling", format!("is required (one of {allowed})"));
            return LeftFeeling::Better;
        };
        match value
            .as_str()
            .and_then(|id| LeftFeeling::from_id(id.trim()))
        {
            Some(feeling) => feeling,
            None => {
                self.fail("left_feeling", format!("must be one of {allowed}"));
                LeftFeeling::Better
            }
        }
    }

    fn need(&mut self) -> Option<String> {
        let value = self.get("need")?;
        let Some(text) = value.as_str() else {
            self.fail("need", "must be text");
            return None;
        };
        let text = text.trim();
        if text.chars().count() > NEED_MAX_CHARS {
            self.fail(
                "need",
                format!("must be at most {NEED_MAX_CHARS} characters"),
            );
            return None;
        }
        Some(text.to_owned())
    }
}

fn flag_ids() -> String {
    Flag::ALL.map(Flag::id).join(", ")
}

/// A non-negative whole number, from a JSON number (`3` or `3.0`) or from form text (`"3"`).
fn whole_number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|float| float.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(float))
                .map(|float| float as u64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn session_number(number: u64) -> Option<u32> {
    u32::try_from(number).ok().filter(|session| *session >= 1)
}
