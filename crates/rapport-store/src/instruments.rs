//! Completed measures and the licensed item text a site installed.
//!
//! Responses hold parsed answers (numbers, option codes, yes/no) and the scored result as JSON;
//! the instruments that take free text are answered elsewhere and sealed there, so nothing here
//! needs the vault. Every read of a response names its client in the `WHERE` clause, so one
//! client can never reach another's results. Installed text lives in the database rather than a
//! local file so that every replica of the server offers the same instruments.

use crate::{Db, Result, StoreError, new_id, now_ms, with_pool, with_write};

/// One completed measure, as stored.
#[derive(Clone, Debug)]
pub struct StoredResponse {
    /// Id (UUID v7, so ids sort by time).
    pub id: String,
    /// The client who answered.
    pub client_id: String,
    /// The instrument's id (`phq9`).
    pub instrument_id: String,
    /// The definition version the answers were given and scored with.
    pub instrument_version: String,
    /// `{"item id": value}` as parsed; never free text.
    pub answers: serde_json::Value,
    /// The scored result as shown to the client at the time.
    pub scores: serde_json::Value,
    /// When it was recorded, Unix ms.
    pub created_at: i64,
}

/// Licensed item text installed for one instrument.
#[derive(Clone, Debug)]
pub struct InstalledText {
    /// The instrument's id.
    pub instrument_id: String,
    /// A JSON object of item id to item text, as installed.
    pub contents: String,
    /// When it was (last) installed, Unix ms; strictly increases with every reinstall.
    pub installed_at: i64,
}

#[derive(sqlx::FromRow)]
struct ResponseRow {
    id: String,
    client_id: String,
    instrument_id: String,
    instrument_version: String,
    answers: String,
    scores: String,
    created_at: i64,
}

impl ResponseRow {
    fn into_response(self) -> Result<StoredResponse> {
        let json = |text: &str| {
            serde_json::from_str(text)
                .map_err(|e| StoreError::Corrupt(format!("instrument response {}: {e}", self.id)))
        };
        Ok(StoredResponse {
            answers: json(&self.answers)?,
            scores: json(&self.scores)?,
            id: self.id,
            client_id: self.client_id,
            instrument_id: self.instrument_id,
            instrument_version: self.instrument_version,
            created_at: self.created_at,
        })
    }
}

const INSERT_RESPONSE: &str = "INSERT INTO instrument_responses (id, client_id, instrument_id, instrument_version, answers, scores, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const RESPONSES_FOR_CLIENT: &str = "SELECT id, client_id, instrument_id, instrument_version, answers, scores, created_at FROM instrument_responses WHERE client_id = $1 ORDER BY created_at DESC, id DESC";
const RESPONSE_FOR_CLIENT: &str = "SELECT id, client_id, instrument_id, instrument_version, answers, scores, created_at FROM instrument_responses WHERE client_id = $1 AND id = $2";
const LATEST_FOR_CLIENT: &str = "SELECT id, client_id, instrument_id, instrument_version, answers, scores, created_at FROM instrument_responses WHERE client_id = $1 AND instrument_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1";
/// A reinstall always moves `installed_at` forward, even within the same millisecond, so a
/// replica comparing stamps never misses a change.
const PUT_TEXT: &str = "INSERT INTO instrument_texts (instrument_id, contents, installed_at) VALUES ($1, $2, $3) ON CONFLICT (instrument_id) DO UPDATE SET contents = excluded.contents, installed_at = CASE WHEN excluded.installed_at > instrument_texts.installed_at THEN excluded.installed_at ELSE instrument_texts.installed_at + 1 END RETURNING installed_at";
const TEXTS: &str =
    "SELECT instrument_id, contents, installed_at FROM instrument_texts ORDER BY instrument_id";
const TEXT_STAMPS: &str =
    "SELECT instrument_id, installed_at FROM instrument_texts ORDER BY instrument_id";

/// Stores one completed measure for `client_id` and returns it as stored.
pub async fn insert_response(
    db: &Db,
    client_id: &str,
    instrument_id: &str,
    instrument_version: &str,
    answers: &serde_json::Value,
    scores: &serde_json::Value,
) -> Result<StoredResponse> {
    insert_response_at(
        db,
        client_id,
        instrument_id,
        instrument_version,
        answers,
        scores,
        now_ms(),
    )
    .await
}

/// [`insert_response`] recorded as made at `created_at` (Unix ms), for a course of measures
/// that began in the past.
pub async fn insert_response_at(
    db: &Db,
    client_id: &str,
    instrument_id: &str,
    instrument_version: &str,
    answers: &serde_json::Value,
    scores: &serde_json::Value,
    created_at: i64,
) -> Result<StoredResponse> {
    let stored = StoredResponse {
        id: new_id(),
        client_id: client_id.to_owned(),
        instrument_id: instrument_id.to_owned(),
        instrument_version: instrument_version.to_owned(),
        answers: answers.clone(),
        scores: scores.clone(),
        created_at,
    };
    with_write!(db, pool => sqlx::query(INSERT_RESPONSE)
        .bind(&stored.id).bind(client_id).bind(instrument_id).bind(instrument_version)
        .bind(answers.to_string()).bind(scores.to_string()).bind(stored.created_at)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(stored)
}

/// The client's own completed measures, newest first.
pub async fn responses_for_client(db: &Db, client_id: &str) -> Result<Vec<StoredResponse>> {
    let rows: Vec<ResponseRow> = with_pool!(db, pool => sqlx::query_as(RESPONSES_FOR_CLIENT).bind(client_id).fetch_all(pool).await)?;
    rows.into_iter().map(ResponseRow::into_response).collect()
}

/// One of the client's own completed measures; `None` for anyone else's.
pub async fn response_for_client(
    db: &Db,
    client_id: &str,
    id: &str,
) -> Result<Option<StoredResponse>> {
    let row: Option<ResponseRow> = with_pool!(db, pool => sqlx::query_as(RESPONSE_FOR_CLIENT).bind(client_id).bind(id).fetch_optional(pool).await)?;
    row.map(ResponseRow::into_response).transpose()
}

/// The client's most recent response to one instrument (for session-to-session rules such as
/// the SRS drop).
pub async fn latest_for_client(
    db: &Db,
    client_id: &str,
    instrument_id: &str,
) -> Result<Option<StoredResponse>> {
    let row: Option<ResponseRow> = with_pool!(db, pool => sqlx::query_as(LATEST_FOR_CLIENT).bind(client_id).bind(instrument_id).fetch_optional(pool).await)?;
    row.map(ResponseRow::into_response).transpose()
}

/// Installs (or replaces) the licensed item text of one instrument. Callers check the contents
/// against the definition first; the store keeps whatever it is given. Returns the install time.
pub async fn put_text(db: &Db, instrument_id: &str, contents: &str) -> Result<i64> {
    let installed_at: i64 = with_write!(db, pool => sqlx::query_scalar(PUT_TEXT)
        .bind(instrument_id).bind(contents).bind(now_ms())
        .fetch_one(pool).await)?;
    Ok(installed_at)
}

/// Every installed text, by instrument id.
pub async fn texts(db: &Db) -> Result<Vec<InstalledText>> {
    let rows: Vec<(String, String, i64)> =
        with_pool!(db, pool => sqlx::query_as(TEXTS).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(instrument_id, contents, installed_at)| InstalledText {
            instrument_id,
            contents,
            installed_at,
        })
        .collect())
}

/// Which instruments have installed text, and since when: a cheap check of whether a cached
/// registry is still current.
pub async fn text_stamps(db: &Db) -> Result<Vec<(String, i64)>> {
    Ok(with_pool!(db, pool => sqlx::query_as(TEXT_STAMPS).fetch_all(pool).await)?)
}
