//! Matching operations shared by the pages, the API and the command line: searching the
//! directory, reading and saving listings, importing directory files.
//!
//! Every listing is parsed by the core's one parser before it is stored, and every write goes
//! through [`Directory::update`](super::Directory::update), so what is stored, what is matched
//! and what a person was told always agree.

use rapport_core::matching::{
    Listing, MatchResponse, Request, RowAt, RowError, parse_csv_numbered, parse_jsonl_numbered,
    parse_listing,
};
use rapport_core::vocabulary::format_money;
use rapport_core::{FieldError, Invalid};
use rapport_store::{Db, listings};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use utoipa::ToSchema;

use crate::auth::{AdminScope, TherapistScope};
use crate::error::AppError;
use crate::state::AppState;

/// Answers a match request from the in-memory directory.
pub async fn search(state: &AppState, req: &Request) -> Result<MatchResponse, AppError> {
    state
        .directory
        .search(&state.db, req, &state.config.match_weights)
        .await
}

/// The display name in a stored listing (empty when the row is not a listing).
pub fn listing_name(data: &str) -> String {
    serde_json::from_str::<Value>(data)
        .ok()
        .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

/// A stored listing's fee as people read it, in its own currency: "£80 a session", with
/// "(from £40, sliding scale)" when it offers one. `None` when the row has no readable fee.
pub fn fee_text(data: &Value) -> Option<String> {
    let fee = data.get("fee")?;
    let currency = fee.get("currency")?.as_str()?;
    let amount = format_money(fee.get("amount")?.as_u64()?, currency);
    Some(match fee.get("sliding_scale_min").and_then(Value::as_u64) {
        Some(min) => format!(
            "{amount} a session (from {}, sliding scale)",
            format_money(min, currency)
        ),
        None => format!("{amount} a session"),
    })
}

/// The fees of these listings as [`fee_text`] writes them, by id (one query for a page).
pub async fn fees(state: &AppState, ids: &[String]) -> Result<HashMap<String, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(listings::rows_by_ids(&state.db, ids)
        .await?
        .into_iter()
        .filter_map(|(id, data, _)| {
            let v = serde_json::from_str::<Value>(&data).ok()?;
            Some((id, fee_text(&v)?))
        })
        .collect())
}

fn to_text(listing: &Listing) -> Result<String, AppError> {
    serde_json::to_string(listing).map_err(|e| AppError::Internal(format!("listing to JSON: {e}")))
}

/// Puts `id` into a submitted listing, refusing a different one: the id is decided by the route
/// or the account, never by the body, so no one can write over someone else's listing.
fn with_id(body: Value, id: &str, why: &str) -> Result<Value, AppError> {
    let Value::Object(mut map) = body else {
        return Err(AppError::field("(top)", "must be a listing object"));
    };
    match map.get("id") {
        None | Some(Value::Null) => {}
        Some(Value::String(given)) if given == id => {}
        Some(_) => return Err(AppError::field("id", &format!("must be `{id}`: {why}"))),
    }
    map.insert("id".into(), Value::String(id.to_owned()));
    Ok(Value::Object(map))
}

/// The therapist's own listing as stored, if they have one.
pub async fn own_listing(
    state: &AppState,
    therapist: &TherapistScope,
) -> Result<Option<(String, Value)>, AppError> {
    let Some(row) = listings::by_user(&state.db, &therapist.user.id).await? else {
        return Ok(None);
    };
    let value = serde_json::from_str(&row.data)
        .map_err(|e| AppError::Internal(format!("stored listing {} is not JSON: {e}", row.id)))?;
    Ok(Some((row.id, value)))
}

/// Creates or replaces the therapist's own listing. A first listing gets a new id; later saves
/// keep it. Effectiveness is measured from past cases, so it is kept as stored and a body that
/// tries to change it is refused.
pub async fn save_own_listing(
    state: &AppState,
    therapist: &TherapistScope,
    body: Value,
) -> Result<Listing, AppError> {
    let existing = own_listing(state, therapist).await?;
    let id = existing.as_ref().map_or_else(
        || format!("t-{}", uuid::Uuid::now_v7().simple()),
        |(id, _)| id.clone(),
    );
    let mut body = with_id(body, &id, "it is your listing's id and cannot be changed")?;
    let measured = existing
        .as_ref()
        .and_then(|(_, v)| v.get("effectiveness").cloned())
        .unwrap_or(Value::Object(Default::default()));
    if let Some(map) = body.as_object_mut() {
        match map.get("effectiveness") {
            None | Some(Value::Null) => {}
            Some(given) if *given == measured => {}
            Some(_) => {
                return Err(AppError::field(
                    "effectiveness",
                    "is measured from at least 15 past cases and set by the directory, not by you; leave it out",
                ));
            }
        }
        map.insert("effectiveness".into(), measured);
    }
    let listing = parse_listing(&body)?;
    let text = to_text(&listing)?;
    let user_id = therapist.user.id.clone();
    let saved = state
        .directory
        .update(&state.db, vec![listing.clone()], async {
            listings::upsert_own(&state.db, &id, &user_id, &text)
                .await
                .map_err(AppError::from)
        })
        .await?;
    if saved {
        Ok(listing)
    } else {
        Err(AppError::Conflict(
            "This listing is linked to another account.".into(),
        ))
    }
}

/// Creates or replaces a listing as an administrator: a directory listing (no account), or the
/// listing of a therapist in the admin's own practice, whose account link is kept. On an
/// account's listing the effectiveness ratings stay the stored ones: they come only from the
/// therapist's own outcomes while they consent to publishing them, never from an admin.
pub async fn save_listing(
    state: &AppState,
    admin: &AdminScope,
    id: &str,
    body: Value,
) -> Result<Listing, AppError> {
    let body = with_id(body, id, "it is the id in the address")?;
    let mut listing = parse_listing(&body)?;
    if let Some(stored) = listings::by_id(&state.db, id).await?
        && stored.user_id.is_some()
    {
        listing.effectiveness = serde_json::from_str::<Value>(&stored.data)
            .ok()
            .and_then(|v| parse_listing(&v).ok())
            .map(|l| l.effectiveness)
            .unwrap_or_default();
    }
    let text = to_text(&listing)?;
    state
        .directory
        .update(&state.db, vec![listing.clone()], async {
            if listings::upsert_as_admin(&state.db, id, &text, &admin.user.id).await? {
                Ok(())
            } else {
                Err(AppError::Refused(
                    "This listing belongs to a therapist outside your practice: only they, or their practice's administrator, can change it.".into(),
                ))
            }
        })
        .await?;
    Ok(listing)
}

/// The two directory file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// One listing JSON object per line.
    JsonLines,
    /// A spreadsheet export with the core's columns.
    Csv,
}

impl FileFormat {
    /// `jsonl` / `json` or `csv`.
    pub fn parse(word: &str) -> Option<FileFormat> {
        match word.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json" | "ndjson" | "json_lines" => Some(FileFormat::JsonLines),
            "csv" => Some(FileFormat::Csv),
            _ => None,
        }
    }

    /// CSV for a `.csv` file name, JSON Lines otherwise.
    pub fn of_path(path: &std::path::Path) -> FileFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => FileFormat::Csv,
            _ => FileFormat::JsonLines,
        }
    }
}

/// Reads a directory file: the good listings, and every problem of every bad row.
pub fn read_directory(text: &str, format: FileFormat) -> (Vec<Listing>, Vec<RowError>) {
    let (numbered, errors) = read_directory_numbered(text, format);
    (numbered.into_iter().map(|(_, l)| l).collect(), errors)
}

/// [`read_directory`] with each good listing's row and line.
pub fn read_directory_numbered(
    text: &str,
    format: FileFormat,
) -> (Vec<(RowAt, Listing)>, Vec<RowError>) {
    match format {
        FileFormat::JsonLines => parse_jsonl_numbered(text),
        FileFormat::Csv => parse_csv_numbered(text),
    }
}

/// The listings an import may write: every row whose id belongs to an account's listing is
/// refused (its therapist keeps it up to date; an import must never overwrite it), with its row.
pub async fn importable(
    db: &Db,
    numbered: Vec<(RowAt, Listing)>,
    errors: &mut Vec<RowError>,
) -> Result<Vec<Listing>, AppError> {
    let ids: Vec<String> = numbered.iter().map(|(_, l)| l.id.clone()).collect();
    let owned = listings::owned_among(db, &ids).await?;
    let mut kept = Vec::with_capacity(numbered.len());
    for (at, listing) in numbered {
        if owned.contains(&listing.id) {
            errors.push(RowError::at(
                at.row,
                at.line,
                "id",
                "is a therapist's own listing on Rapport; imports never change it",
            ));
        } else {
            kept.push(listing);
        }
    }
    errors.sort_by_key(|e| e.row);
    Ok(kept)
}

/// Writes listings to the database in one transaction; returns how many ids were new.
pub async fn write_directory(db: &Db, listings: &[Listing]) -> Result<usize, AppError> {
    let rows = listings
        .iter()
        .map(|l| Ok((l.id.clone(), to_text(l)?)))
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(listings::import(db, &rows).await?)
}

/// What an import did, row by row.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// Good rows written (new and updated).
    pub imported: usize,
    /// Of those, ids not in the directory before.
    pub created: usize,
    /// Of those, ids updated in place.
    pub updated: usize,
    /// Rows refused (each has at least one entry in `errors`).
    pub refused: usize,
    /// Every problem: row (1-based; 0 is the CSV header), the line of the file the row starts
    /// on, field, reason.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<RowError>,
}

impl ImportReport {
    /// The report in one sentence, the same on the admin page and the command line:
    /// "Imported 3 listings (2 new, 1 updated); 1 row refused".
    pub fn summary(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "Imported {} ({} new, {} updated); {} refused",
            plural(self.imported, "listing", "listings"),
            self.created,
            self.updated,
            plural(self.refused, "row", "rows"),
        )
    }

    /// The report for `imported` good rows of which `created` were new, and the bad rows' errors.
    pub fn new(imported: usize, created: usize, errors: Vec<RowError>) -> Self {
        let mut rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        rows.sort_unstable();
        rows.dedup();
        ImportReport {
            imported,
            created,
            updated: imported - created,
            refused: rows.len(),
            errors,
        }
    }
}

/// Imports a directory file (administrators): bad rows are reported and skipped, good rows are
/// written together in one transaction and are matched at once.
pub async fn import(
    state: &AppState,
    _admin: &AdminScope,
    text: &str,
    format: FileFormat,
) -> Result<ImportReport, AppError> {
    if text.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "file",
            "is empty: paste or send a directory in JSON Lines or CSV",
        )]));
    }
    let (numbered, mut errors) = read_directory_numbered(text, format);
    let good = importable(&state.db, numbered, &mut errors).await?;
    let n = good.len();
    let db = state.db.clone();
    let created = state
        .directory
        .update(&state.db, good.clone(), async move {
            write_directory(&db, &good).await
        })
        .await?;
    Ok(ImportReport::new(n, created, errors))
}

/// Turns a core refusal into field errors whose names match form field ids: list positions
/// (`concerns[1]`, `slots[0].hour`) point at the list's one field.
pub fn for_form(invalid: Invalid) -> Vec<FieldError> {
    invalid
        .0
        .into_iter()
        .map(|e| {
            let field = match e.field.find('[') {
                Some(i) => e.field[..i].to_owned(),
                None => e.field,
            };
            FieldError::new(field, e.reason)
        })
        .collect()
}
