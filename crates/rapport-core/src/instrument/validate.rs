//! Turning a parsed definition file into a [`Definition`], or every reason it cannot be one.
//!
//! Scoring is only as right as the file it reads, so the checks here are strict: a definition
//! that loads can be scored without any further checks.

use super::definition::{Choice, ChoiceValue, Definition, Item, Loinc, Poles, Response, is_whole};
use super::scale::{Flag, Rule};
use super::schema::{RawDefinition, RawFlag, RawItem, RawLoinc, RawResponse};
use super::validate_scale;
use crate::FieldError;
use std::collections::{BTreeMap, BTreeSet};

/// Collects problems while checking one file.
#[derive(Default)]
pub(super) struct Problems(Vec<FieldError>);

impl Problems {
    pub(super) fn add(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.0.push(FieldError::new(field, reason));
    }

    pub(super) fn text(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.add(field, "must not be empty");
        }
    }
}

/// Checks `raw` (read from a file whose name without `.json` is `stem`).
pub(crate) fn definition(raw: RawDefinition, stem: &str) -> Result<Definition, Vec<FieldError>> {
    let mut p = Problems::default();
    if !is_slug(&raw.id, '-') {
        p.add("id", "must be lowercase letters, digits and '-'");
    } else if raw.id != stem {
        p.add("id", format!("must match the file name ({stem})"));
    }
    p.text("version", &raw.version);
    p.text("title", &raw.title);
    p.text("copyright", &raw.copyright);
    p.text("licence", &raw.licence);
    if let Some(preamble) = &raw.preamble {
        p.text("preamble", preamble);
    }
    let loinc = raw.loinc.map(|l| loinc_code(&mut p, "loinc", l));
    let responses: BTreeMap<&str, Response> = raw
        .responses
        .iter()
        .map(|(name, r)| (name.as_str(), response(&mut p, name, r)))
        .collect();
    let items = items(&mut p, &raw.items, &responses, raw.text_licensed);
    let scales = validate_scale::scales(&mut p, raw.scales, &items);
    let flags = flags(&mut p, raw.flags, &items);
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Definition {
        id: raw.id,
        version: raw.version,
        title: raw.title,
        copyright: raw.copyright,
        licence: raw.licence,
        text_licensed: raw.text_licensed,
        preamble: raw.preamble,
        loinc,
        items,
        scales,
        flags,
    })
}

pub(super) fn is_slug(s: &str, extra: char) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == extra)
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
}

pub(super) fn loinc_code(p: &mut Problems, field: &str, raw: RawLoinc) -> Loinc {
    if !loinc_check_digit_ok(&raw.code) {
        p.add(
            format!("{field}.code"),
            format!(
                "{} is not a LOINC code (digits, '-', check digit)",
                raw.code
            ),
        );
    }
    p.text(&format!("{field}.display"), &raw.display);
    Loinc {
        code: raw.code,
        display: raw.display,
    }
}

/// Checks the mod-10 check digit LOINC puts after the dash, which catches most typos.
pub(crate) fn loinc_check_digit_ok(code: &str) -> bool {
    let Some((body, check)) = code.split_once('-') else {
        return false;
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(body) || check.len() != 1 || !all_digits(check) {
        return false;
    }
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                (d * 2) / 10 + (d * 2) % 10
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10 == u32::from(check.as_bytes()[0] - b'0')
}

fn response(p: &mut Problems, name: &str, raw: &RawResponse) -> Response {
    let field = format!("responses.{name}");
    match raw {
        RawResponse::Options { options, multiple } => {
            let choices = choices(p, &field, options);
            Response::Options {
                options: choices,
                multiple: *multiple,
            }
        }
        RawResponse::Range { min, max, step } => {
            if !(min.is_finite() && max.is_finite() && min < max) {
                p.add(&field, format!("min ({min}) must be below max ({max})"));
            } else if !(step.is_finite() && *step > 0.0) {
                p.add(format!("{field}.step"), "must be above 0");
            } else if !is_whole((max - min) / step) {
                p.add(
                    format!("{field}.step"),
                    format!("{step} does not divide {min} to {max} evenly"),
                );
            }
            Response::Range {
                min: *min,
                max: *max,
                step: *step,
            }
        }
        RawResponse::Boolean => Response::Boolean,
        RawResponse::Text { max_length } => {
            if *max_length == 0 {
                p.add(format!("{field}.max_length"), "must be above 0");
            }
            Response::Text {
                max_length: *max_length,
            }
        }
    }
}

fn choices(p: &mut Problems, field: &str, raw: &[super::schema::RawChoice]) -> Vec<Choice> {
    if raw.len() < 2 {
        p.add(format!("{field}.options"), "must have at least 2 options");
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, choice) in raw.iter().enumerate() {
        let at = format!("{field}.options[{i}]");
        let value = match &choice.value {
            serde_json::Value::Number(n) if n.as_i64().is_some() => {
                ChoiceValue::Number(n.as_i64().unwrap_or_default())
            }
            serde_json::Value::String(s) if is_slug(s, '_') => ChoiceValue::Code(s.clone()),
            _ => {
                p.add(
                    format!("{at}.value"),
                    "must be a whole number or a code (lowercase letters, digits, '_')",
                );
                continue;
            }
        };
        if !seen.insert(value.clone()) {
            p.add(format!("{at}.value"), format!("{value} is listed twice"));
        }
        p.text(&format!("{at}.label"), &choice.label);
        out.push(Choice {
            value,
            label: choice.label.clone(),
        });
    }
    let numbers = out.iter().filter(|c| c.value.as_number().is_some()).count();
    if numbers != 0 && numbers != out.len() {
        p.add(
            format!("{field}.options"),
            "values must be all numbers or all codes",
        );
    }
    out
}

fn items(
    p: &mut Problems,
    raw: &[RawItem],
    responses: &BTreeMap<&str, Response>,
    text_licensed: bool,
) -> Vec<Item> {
    if raw.is_empty() {
        p.add("items", "must list at least one item");
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        let at = if item.id.is_empty() {
            format!("items[{i}]")
        } else {
            format!("items[{}]", item.id)
        };
        if !is_slug(&item.id, '_') {
            p.add(&at, "id must be lowercase letters, digits and '_'");
        } else if !seen.insert(item.id.as_str()) {
            p.add(&at, "duplicate item id");
        }
        match (&item.text, text_licensed) {
            (Some(_), true) => p.add(
                format!("{at}.text"),
                "must be absent: the item text is licensed and installed per site",
            ),
            (None, false) => p.add(
                format!("{at}.text"),
                "is missing (only licensed instruments may leave it out)",
            ),
            (Some(text), false) => p.text(&format!("{at}.text"), text),
            (None, true) => {}
        }
        let Some(response) = responses.get(item.response.as_str()) else {
            p.add(
                format!("{at}.response"),
                format!("'{}' is not one of the responses", item.response),
            );
            continue;
        };
        if item.reverse && response.numeric_bounds().is_none() {
            p.add(
                format!("{at}.reverse"),
                "only numeric items can be reverse-scored",
            );
        }
        let poles = item.poles.as_ref().map(|poles| {
            p.text(&format!("{at}.poles.plus"), &poles.plus);
            p.text(&format!("{at}.poles.minus"), &poles.minus);
            Poles {
                plus: poles.plus.clone(),
                minus: poles.minus.clone(),
            }
        });
        out.push(Item {
            id: item.id.clone(),
            text: item.text.clone(),
            poles,
            response: response.clone(),
            reverse: item.reverse,
            required: item.required,
            sensitive: item.sensitive,
        });
    }
    out
}

fn flags(p: &mut Problems, raw: Vec<RawFlag>, items: &[Item]) -> Vec<Flag> {
    let mut seen = BTreeSet::new();
    raw.into_iter()
        .map(|f| {
            let field = format!("flags[{}]", f.id);
            if !is_slug(&f.id, '_') {
                p.add(&field, "id must be lowercase letters, digits and '_'");
            } else if !seen.insert(f.id.clone()) {
                p.add(&field, "duplicate flag id");
            }
            match items
                .iter()
                .find(|item| item.id == f.item)
                .map(|item| item.response.numeric_bounds())
            {
                None => p.add(
                    format!("{field}.item"),
                    format!("'{}' is not an item of this instrument", f.item),
                ),
                Some(None) => p.add(
                    format!("{field}.item"),
                    format!("'{}' is not numeric", f.item),
                ),
                Some(Some((lo, hi))) if f.value < lo || f.value > hi => p.add(
                    format!("{field}.value"),
                    format!("{} is outside the item's range {lo} to {hi}", f.value),
                ),
                Some(Some(_)) => {}
            }
            p.text(&format!("{field}.meaning"), &f.meaning);
            Flag {
                id: f.id,
                item: f.item,
                rule: Rule {
                    direction: f.direction,
                    value: f.value,
                },
                meaning: f.meaning,
            }
        })
        .collect()
}
