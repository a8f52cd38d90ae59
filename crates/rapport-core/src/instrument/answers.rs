//! A person's answers to one instrument, parsed against its definition.
//!
//! Raw JSON answers stop here: an [`Answers`] value holds only known items with values their
//! response allows, so scoring and FHIR export never meet a bad value.

use super::definition::{ChoiceValue, Definition, Item, Response, is_whole, round_to};
use crate::{FieldError, Invalid};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One accepted answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// A point on a range (`7.3` on a 0-10 line).
    Number(f64),
    /// One option.
    Choice(ChoiceValue),
    /// Any number of options, each once, in the order given.
    Choices(Vec<ChoiceValue>),
    /// Yes (true) or no.
    Boolean(bool),
    /// Free text.
    Text(String),
}

impl Answer {
    /// The value scoring uses, for answers that carry a number.
    pub fn number(&self) -> Option<f64> {
        match self {
            Answer::Number(x) => Some(*x),
            Answer::Choice(ChoiceValue::Number(n)) => Some(*n as f64),
            _ => None,
        }
    }
}

/// The answers to one instrument, each checked against its item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answers {
    instrument: String,
    values: BTreeMap<String, Answer>,
}

impl Answers {
    /// Parses `{"item id": value}` for `def`, reporting every missing, unknown or bad answer
    /// with the item id and what the item accepts.
    pub fn parse(def: &Definition, raw: &Map<String, Value>) -> Result<Answers, Invalid> {
        let mut problems = Vec::new();
        let mut values = BTreeMap::new();
        for item in def.items() {
            match raw.get(&item.id) {
                None | Some(Value::Null) if item.required => problems.push(FieldError::new(
                    &item.id,
                    format!("is required: must be {}", item.response.describe()),
                )),
                None | Some(Value::Null) => {}
                Some(value) => match parse_one(item, value) {
                    Ok(Some(answer)) => {
                        values.insert(item.id.clone(), answer);
                    }
                    Ok(None) => {}
                    Err(reason) => problems.push(FieldError::new(&item.id, reason)),
                },
            }
        }
        for key in raw.keys().filter(|key| def.item(key).is_none()) {
            problems.push(FieldError::new(
                key,
                format!("is not an item of {}", def.title()),
            ));
        }
        if problems.is_empty() {
            Ok(Answers {
                instrument: def.id().to_owned(),
                values,
            })
        } else {
            Err(Invalid(problems))
        }
    }

    /// The id of the instrument these answers belong to.
    pub fn instrument(&self) -> &str {
        &self.instrument
    }

    /// The answer to one item, if it was given.
    pub fn get(&self, item: &str) -> Option<&Answer> {
        self.values.get(item)
    }

    /// The numeric value of one item, if it was given and is numeric.
    pub fn number(&self, item: &str) -> Option<f64> {
        self.get(item).and_then(Answer::number)
    }
}

fn parse_one(item: &Item, value: &Value) -> Result<Option<Answer>, String> {
    let wrong = || format!("must be {}", item.response.describe());
    match &item.response {
        Response::Options {
            options,
            multiple: false,
        } => {
            let choice = choice(options.iter().map(|c| &c.value), value).ok_or_else(wrong)?;
            Ok(Some(Answer::Choice(choice)))
        }
        Response::Options {
            options,
            multiple: true,
        } => {
            let list = value.as_array().ok_or_else(wrong)?;
            let mut seen = BTreeSet::new();
            let mut picked = Vec::new();
            for element in list {
                let choice = choice(options.iter().map(|c| &c.value), element).ok_or_else(wrong)?;
                if !seen.insert(choice.clone()) {
                    return Err(format!("lists {choice} twice; {}", wrong()));
                }
                picked.push(choice);
            }
            Ok(Some(Answer::Choices(picked)))
        }
        Response::Range { min, max, step } => {
            let x = value.as_f64().filter(|x| x.is_finite()).ok_or_else(wrong)?;
            if x < *min || x > *max || !is_whole((x - min) / step) {
                return Err(wrong());
            }
            Ok(Some(Answer::Number(round_to(x, item.response.decimals()))))
        }
        Response::Boolean => value
            .as_bool()
            .map(|b| Some(Answer::Boolean(b)))
            .ok_or_else(wrong),
        Response::Text { max_length } => {
            let text = value.as_str().ok_or_else(wrong)?;
            if text.chars().count() > *max_length {
                return Err(wrong());
            }
            match (text.trim().is_empty(), item.required) {
                (false, _) => Ok(Some(Answer::Text(text.to_owned()))),
                (true, false) => Ok(None),
                (true, true) => Err(format!("is required: must be {}", item.response.describe())),
            }
        }
    }
}

fn choice<'a>(
    mut allowed: impl Iterator<Item = &'a ChoiceValue>,
    value: &Value,
) -> Option<ChoiceValue> {
    let given = match value {
        Value::Number(n) => {
            let x = n.as_f64()?;
            (x.fract() == 0.0).then_some(ChoiceValue::Number(x as i64))?
        }
        Value::String(s) => ChoiceValue::Code(s.clone()),
        _ => return None,
    };
    allowed.any(|v| *v == given).then_some(given)
}
