//! CSV import and export of directories, for people who keep their listings in a spreadsheet.
//!
//! Read with the `csv` crate (RFC 4180: quoted fields, doubled quotes, line breaks in quotes, CRLF
//! or LF; comma- or semicolon-delimited); each row is turned into the listing JSON and read by
//! [`parse_listing`], so CSV and JSON report the same field names.
//! List cells are separated by `;`, slots are written `tue 18;wed 9`, effectiveness
//! `anxiety:effective;trauma:neutral`.

use super::import::{Collector, RowAt, RowError, unnumbered};
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

/// The delimiter of a file: `;` when its first line holds more `;` than `,` outside quotes
/// (spreadsheet programs in locales that write decimal commas save CSV that way), else `,`.
/// Header names hold neither, so the header line decides.
fn delimiter_of(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in text.chars() {
        match c {
            '\n' if !quoted => break,
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// The 1-based line of `text` that a record the reader places at byte `offset` begins on: the
/// reader may place it on the line break that ends the line before (or on blank lines), so those
/// are stepped over first.
fn line_at(text: &str, offset: u64) -> usize {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
        end += 1;
    }
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count()
}

/// One record of a CSV file and the line of the file it starts on (1 is the first line).
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// Splits CSV text into records with the `csv` crate (RFC 4180: quoted fields may hold the
/// delimiter, doubled quotes and line breaks; CRLF or LF), blank lines left out. A record the
/// reader cannot make out is reported with its line.
fn records(text: &str) -> (Vec<Record>, Vec<(usize, String)>) {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter_of(text))
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut broken = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => {
                let fields: Vec<String> = record.iter().map(str::to_owned).collect();
                if fields.len() == 1 && fields[0].trim().is_empty() {
                    continue;
                }
                let line = record.position().map_or(0, |p| line_at(text, p.byte()));
                out.push(Record { line, fields });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(text, p.byte()));
                broken.push((line, format!("cannot be read as CSV ({e})")));
            }
        }
    }
    (out, broken)
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

/// Reads a CSV directory with a header row naming the columns of [`CSV_COLUMNS`] (any order),
/// comma- or semicolon-delimited. Row numbers count data rows from 1, and every problem also
/// names the line of the file its row starts on (the header is line 1; a quoted cell with line
/// breaks makes a row span several); a header problem is reported as row 0 and reads nothing.
pub fn parse_csv(text: &str) -> (Vec<Listing>, Vec<RowError>) {
    unnumbered(parse_csv_numbered(text))
}

/// [`parse_csv`] with each good listing's data row and line.
pub fn parse_csv_numbered(text: &str) -> (Vec<(RowAt, Listing)>, Vec<RowError>) {
    let (records, broken) = records(text.strip_prefix('\u{feff}').unwrap_or(text));
    let mut rows = records.into_iter();
    let Some(header) = rows.next() else {
        let errors = broken
            .into_iter()
            .map(|(line, why)| RowError::at(0, line, "row", why))
            .collect();
        return (Vec::new(), errors);
    };
    let header_line = header.line;
    let header: Vec<String> = header
        .fields
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
            errors.push(RowError::at(
                0,
                header_line,
                "header",
                format!("is missing the columns {}", missing.join(", ")),
            ));
        }
        if !unknown.is_empty() {
            errors.push(RowError::at(
                0,
                header_line,
                "header",
                format!("has unknown columns {}", unknown.join(", ")),
            ));
        }
        return (Vec::new(), errors);
    }
    let mut out = Collector::new();
    for (line, why) in broken {
        out.errors.push(RowError::at(0, line, "row", why));
    }
    for (i, record) in rows.enumerate() {
        let at = RowAt {
            row: i + 1,
            line: record.line,
        };
        let record = record.fields;
        if record.len() != header.len() {
            let reason = format!(
                "has {} cells, the header has {}",
                record.len(),
                header.len()
            );
            out.errors
                .push(RowError::at(at.row, at.line, "row", reason));
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
        let value = to_json(cell, at.row, &mut errors);
        let parsed = parse_listing(&value);
        if errors.is_empty() {
            out.accept(at, parsed);
        } else {
            out.errors
                .extend(errors.into_iter().map(|e| e.on_line(at.line)));
            if let Err(invalid) = parsed {
                out.errors.extend(
                    invalid
                        .0
                        .into_iter()
                        .map(|e| RowError::at(at.row, at.line, e.field, e.reason)),
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
