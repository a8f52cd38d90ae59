//! Directory files: JSON Lines import, with every bad row reported and every good row kept.

use super::listing::{Listing, parse_listing};
use serde::Serialize;
use std::collections::HashMap;

/// One problem in one row of a directory file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based: the line for JSON Lines, the data row (header excluded) for CSV; 0 for the header.
    pub row: usize,
    /// The line of the file the row starts on (1-based; for CSV the header is line 1, and a
    /// quoted cell with line breaks makes a row span several lines).
    pub line: usize,
    /// The listing field (`fee.amount`), or `json` / `row` / `header` for a row that cannot be read.
    pub field: String,
    /// Why, in plain words.
    pub reason: String,
}

impl RowError {
    /// A problem in `row` with `field`, where the row is line `row` of the file (JSON Lines).
    pub fn new(row: usize, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::at(row, row, field, reason)
    }

    /// A problem in `row`, which starts on `line` of the file, with `field`.
    pub fn at(
        row: usize,
        line: usize,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            row,
            line,
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The same problem, said to be on `line`.
    pub fn on_line(self, line: usize) -> Self {
        Self { line, ..self }
    }
}

/// Where a row is in its file: its number among the rows, and the line it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowAt {
    /// 1-based row number (see [`RowError::row`]).
    pub row: usize,
    /// 1-based line the row starts on.
    pub line: usize,
}

/// Keeps the listing unless its id was seen on an earlier row of the same file.
pub(crate) struct Collector {
    seen: HashMap<String, usize>,
    pub listings: Vec<(RowAt, Listing)>,
    pub errors: Vec<RowError>,
}

impl Collector {
    pub fn new() -> Self {
        Self {
            seen: HashMap::new(),
            listings: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn accept(&mut self, at: RowAt, parsed: Result<Listing, crate::Invalid>) {
        match parsed {
            Ok(listing) => match self.seen.get(&listing.id) {
                Some(first) => self.errors.push(RowError::at(
                    at.row,
                    at.line,
                    "id",
                    format!("repeats the id of row {first}"),
                )),
                None => {
                    self.seen.insert(listing.id.clone(), at.row);
                    self.listings.push((at, listing));
                }
            },
            Err(invalid) => {
                self.errors.extend(
                    invalid
                        .0
                        .into_iter()
                        .map(|e| RowError::at(at.row, at.line, e.field, e.reason)),
                );
            }
        }
    }

    pub fn finish(self) -> (Vec<(RowAt, Listing)>, Vec<RowError>) {
        (self.listings, self.errors)
    }
}

/// Drops the row numbers of [`parse_jsonl_numbered`] or [`super::parse_csv_numbered`].
pub(crate) fn unnumbered(
    (listings, errors): (Vec<(RowAt, Listing)>, Vec<RowError>),
) -> (Vec<Listing>, Vec<RowError>) {
    (listings.into_iter().map(|(_, l)| l).collect(), errors)
}

/// Reads a JSON Lines directory (one listing per line; blank lines skipped, still counted).
pub fn parse_jsonl(text: &str) -> (Vec<Listing>, Vec<RowError>) {
    unnumbered(parse_jsonl_numbered(text))
}

/// [`parse_jsonl`] with each good listing's line number, for refusals found after parsing (a
/// listing that belongs to an account).
pub fn parse_jsonl_numbered(text: &str) -> (Vec<(RowAt, Listing)>, Vec<RowError>) {
    let mut out = Collector::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(value) => out.accept(
                RowAt {
                    row: i + 1,
                    line: i + 1,
                },
                parse_listing(&value),
            ),
            Err(e) => out.errors.push(RowError::new(
                i + 1,
                "json",
                format!("is not valid JSON ({e})"),
            )),
        }
    }
    out.finish()
}

/// Writes listings as JSON Lines, the directory format the CLI reads back.
pub fn to_jsonl(listings: &[Listing]) -> String {
    let mut out = String::new();
    for l in listings {
        out.push_str(&serde_json::to_string(l).unwrap_or_default());
        out.push('\n');
    }
    out
}
