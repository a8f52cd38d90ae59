//! Directory files: JSON Lines import, with every bad row reported and every good row kept.

use super::listing::{Listing, parse_listing};
use serde::Serialize;
use std::collections::HashMap;

/// One problem in one row of a directory file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based: the line for JSON Lines, the data row (header excluded) for CSV; 0 for the header.
    pub row: usize,
    /// The listing field (`fee.amount`), or `json` / `row` / `header` for a row that cannot be read.
    pub field: String,
    /// Why, in plain words.
    pub reason: String,
}

impl RowError {
    /// A problem in `row` with `field`.
    pub fn new(row: usize, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            row,
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Keeps the listing unless its id was seen on an earlier row of the same file.
pub(crate) struct Collector {
    seen: HashMap<String, usize>,
    pub listings: Vec<(usize, Listing)>,
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

    pub fn accept(&mut self, row: usize, parsed: Result<Listing, crate::Invalid>) {
        match parsed {
            Ok(listing) => match self.seen.get(&listing.id) {
                Some(first) => self.errors.push(RowError::new(
                    row,
                    "id",
                    format!("repeats the id of row {first}"),
                )),
                None => {
                    self.seen.insert(listing.id.clone(), row);
                    self.listings.push((row, listing));
                }
            },
            Err(invalid) => {
                self.errors.extend(
                    invalid
                        .0
                        .into_iter()
                        .map(|e| RowError::new(row, e.field, e.reason)),
                );
            }
        }
    }

    pub fn finish(self) -> (Vec<(usize, Listing)>, Vec<RowError>) {
        (self.listings, self.errors)
    }
}

/// Drops the row numbers of [`parse_jsonl_numbered`] or [`super::parse_csv_numbered`].
pub(crate) fn unnumbered(
    (listings, errors): (Vec<(usize, Listing)>, Vec<RowError>),
) -> (Vec<Listing>, Vec<RowError>) {
    (listings.into_iter().map(|(_, l)| l).collect(), errors)
}

/// Reads a JSON Lines directory (one listing per line; blank lines skipped, still counted).
pub fn parse_jsonl(text: &str) -> (Vec<Listing>, Vec<RowError>) {
    unnumbered(parse_jsonl_numbered(text))
}

/// [`parse_jsonl`] with each good listing's line number, for refusals found after parsing (a
/// listing that belongs to an account).
pub fn parse_jsonl_numbered(text: &str) -> (Vec<(usize, Listing)>, Vec<RowError>) {
    let mut out = Collector::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(value) => out.accept(i + 1, parse_listing(&value)),
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
