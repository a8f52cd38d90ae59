//! CSV import and export of directories, for people who keep their listings in a spreadsheet.
//!
//! A small RFC 4180 reader (quoted fields, doubled quotes, CRLF or LF); each row is turned into
//! the listing JSON and read by [`parse_listing`], so CSV and JSON report the same field names.
//! List cells are separated by `;`, slots are written `tue 18;wed 9`, effectiveness
//! `anxiety:effective;trauma:neutral`.

use super::import::{Collector, RowError, unnumbered};
use super::listing::{Listing, parse_listing};
use super::vocab::Word;
use serde_json::{Map, Value, json};

/// The columns, in export order.
pub const CSV_COLUMNS: [&str; 27] = [
    "id",
    "name",
    "credentials",
    "accepting",
    "formats",
    "lat",
    "lon",
    "city",
    "jurisdictions",
    "languages",
    "populations",
    "concerns",
    "modalities",
    "gender",
    "lgbtq",
    "ethnicity",
    "faith",
    "fee_amount",
    "fee_currency",
    "sliding_scale_min",
    "insurance",
    "slots",
    "directiveness",
    "intensity",
    "past",
    "challenge",
    "effectiveness",
];

/// Splits CSV text into records of fields.
fn records(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows.retain(|r| !(r.len() == 1 && r[0].trim().is_empty()));
    rows
}

fn list(cell: &str) -> Value {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Value::from)
        .collect()
}

fn number(cell: &str) -> Value {
    let cell = cell.trim();
    if cell.is_empty() {
        Value::Null
    } else if let Ok(n) = cell.parse::<u64>() {
        json!(n)
    } else if let Ok(n) = cell.parse::<i64>() {
        json!(n)
    } else {
        cell.parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
            .unwrap_or_else(|| json!(cell))
    }
}

fn optional(cell: &str, value: Value) -> Value {
    if cell.trim().is_empty() {
        Value::Null
    } else {
        value
    }
}

fn boolean(cell: &str) -> Value {
    match cell.trim().to_ascii_lowercase().as_str() {
        "" => Value::Null,
        "true" | "yes" | "1" => json!(true),
        "false" | "no" | "0" => json!(false),
        other => json!(other),
    }
}

/// Turns one record into listing JSON; cells that cannot even be split are reported here.
fn to_json(cell: impl Fn(&str) -> String, row: usize, errors: &mut Vec<RowError>) -> Value {
    let mut slots = Vec::new();
    for (i, s) in cell("slots")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        match s.split_once(' ') {
            Some((day, hour)) => slots.push(json!({"day": day.trim(), "hour": number(hour)})),
            None => errors.push(RowError::new(
                row,
                format!("slots[{i}]"),
                "must look like `tue 18`",
            )),
        }
    }
    let mut effectiveness = Map::new();
    for pair in cell("effectiveness")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match pair.split_once(':') {
            Some((k, v)) => {
                effectiveness.insert(k.trim().to_string(), json!(v.trim()));
            }
            None => errors.push(RowError::new(
                row,
                "effectiveness",
                "must look like `anxiety:effective`",
            )),
        }
    }
    let located = !(cell("lat").trim().is_empty()
        && cell("lon").trim().is_empty()
        && cell("city").trim().is_empty());
    json!({
        "id": cell("id"), "name": cell("name"), "credentials": list(&cell("credentials")),
        "accepting": boolean(&cell("accepting")), "formats": list(&cell("formats")),
        "location": if located {
            json!({"lat": number(&cell("lat")), "lon": number(&cell("lon")), "city": cell("city")})
        } else { Value::Null },
        "jurisdictions": list(&cell("jurisdictions")), "languages": list(&cell("languages")),
        "populations": list(&cell("populations")), "concerns": list(&cell("concerns")),
        "modalities": list(&cell("modalities")),
        "identity": {
            "gender": optional(&cell("gender"), json!(cell("gender").trim())),
            "lgbtq": boolean(&cell("lgbtq")),
            "ethnicity": list(&cell("ethnicity")),
            "faith": optional(&cell("faith"), json!(cell("faith").trim())),
        },
        "fee": {"amount": number(&cell("fee_amount")), "currency": cell("fee_currency").trim(),
                "sliding_scale_min": number(&cell("sliding_scale_min"))},
        "insurance": list(&cell("insurance")), "slots": slots,
        "style": {"directiveness": number(&cell("directiveness")), "intensity": number(&cell("intensity")),
                  "past": number(&cell("past")), "challenge": number(&cell("challenge"))},
        "effectiveness": effectiveness,
    })
}

/// Reads a CSV directory with a header row naming the columns of [`CSV_COLUMNS`] (any order).
/// Row numbers count data rows from 1; a header problem is reported as row 0 and reads nothing.
pub fn parse_csv(text: &str) -> (Vec<Listing>, Vec<RowError>) {
    unnumbered(parse_csv_numbered(text))
}

/// [`parse_csv`] with each good listing's data row number.
pub fn parse_csv_numbered(text: &str) -> (Vec<(usize, Listing)>, Vec<RowError>) {
    let mut rows = records(text.strip_prefix('\u{feff}').unwrap_or(text)).into_iter();
    let Some(header) = rows.next() else {
        return (Vec::new(), Vec::new());
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let missing: Vec<_> = CSV_COLUMNS
        .iter()
        .filter(|c| !header.iter().any(|h| h == *c))
        .copied()
        .collect();
    let unknown: Vec<_> = header
        .iter()
        .filter(|h| !CSV_COLUMNS.contains(&h.as_str()))
        .cloned()
        .collect();
    if !missing.is_empty() || !unknown.is_empty() {
        let mut errors = Vec::new();
        if !missing.is_empty() {
            errors.push(RowError::new(
                0,
                "header",
                format!("is missing the columns {}", missing.join(", ")),
            ));
        }
        if !unknown.is_empty() {
            errors.push(RowError::new(
                0,
                "header",
                format!("has unknown columns {}", unknown.join(", ")),
            ));
        }
        return (Vec::new(), errors);
    }
    let mut out = Collector::new();
    for (i, record) in rows.enumerate() {
        let row = i + 1;
        if record.len() != header.len() {
            let reason = format!(
                "has {} cells, the header has {}",
                record.len(),
                header.len()
            );
            out.errors.push(RowError::new(row, "row", reason));
            continue;
        }
        let cell = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .map(|p| record[p].clone())
                .unwrap_or_default()
        };
        let mut errors = Vec::new();
        let value = to_json(cell, row, &mut errors);
        let parsed = parse_listing(&value);
        if errors.is_empty() {
            out.accept(row, parsed);
        } else {
            out.errors.extend(errors);
            if let Err(invalid) = parsed {
                out.errors.extend(
                    invalid
                        .0
                        .into_iter()
                        .map(|e| RowError::new(row, e.field, e.reason)),
                );
            }
        }
    }
    out.finish()
}

fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ') {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

fn joined<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(";")
}

fn words<W: Word>(items: &[W]) -> String {
    joined(items, |w| w.as_str().to_string())
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes listings as CSV (header plus one row each, CRLF line ends), readable by [`parse_csv`].
pub fn to_csv(listings: &[Listing]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for l in listings {
        let loc = l.location.as_ref();
        let id = &l.identity;
        let cells = [
            l.id.clone(),
            l.name.clone(),
            l.credentials.join(";"),
            l.accepting.to_string(),
            words(&l.formats),
            opt(loc.map(|p| p.lat)),
            opt(loc.map(|p| p.lon)),
            opt(loc.map(|p| p.city.clone())),
            joined(&l.jurisdictions, ToString::to_string),
            joined(&l.languages, ToString::to_string),
            words(&l.populations),
            words(&l.concerns),
            words(&l.modalities),
            opt(id.gender.map(Word::as_str)),
            opt(id.lgbtq),
            words(&id.ethnicity),
            opt(id.faith.map(Word::as_str)),
            l.fee.amount.to_string(),
            l.fee.currency.to_string(),
            opt(l.fee.sliding_scale_min),
            l.insurance.join(";"),
            joined(&l.slots, |s| format!("{} {}", s.day().as_str(), s.hour())),
            l.style.directiveness.to_string(),
            l.style.intensity.to_string(),
            l.style.past.to_string(),
            l.style.challenge.to_string(),
            l.effectiveness
                .iter()
                .map(|(c, r)| format!("{}:{}", c.as_str(), r.as_str()))
                .collect::<Vec<_>>()
                .join(";"),
        ];
        out.push_str(&cells.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}
