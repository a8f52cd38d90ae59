//! Stored check-ins. The structured answers are kept as JSON; the free-text `need` is sealed with
//! the client's own data key (see [`crate::user_keys`]), bound to its row, and never stored or
//! logged in the clear.

use crate::crypto::Place;
use crate::{Db, Result, StoreError, Vault, new_id, now_ms, user_keys, with_pool};

/// A check-in as stored, with `need` already decrypted.
#[derive(Clone, Debug)]
pub struct StoredCheckIn {
    /// Id.
    pub id: String,
    /// The relationship it belongs to.
    pub relationship_id: String,
    /// Session number.
    pub session: i64,
    /// The structured answers (no free text).
    pub answers: serde_json::Value,
    /// The client's noted need, decrypted.
    pub need: Option<String>,
    /// When it was recorded, Unix ms.
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    relationship_id: String,
    session: i64,
    answers: String,
    need: Option<Vec<u8>>,
    created_at: i64,
}

const INSERT: &str = "INSERT INTO checkins (id, relationship_id, session, answers, need, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
const LIST: &str = "SELECT id, relationship_id, session, answers, need, created_at FROM checkins WHERE relationship_id = $1 ORDER BY session";

fn place(row: &str) -> Place<'_> {
    Place {
        table: "checkins",
        column: "need",
        row,
    }
}

/// Stores one check-in; a repeated session number is a [`StoreError::Conflict`] and stores nothing.
pub async fn insert(
    db: &Db,
    vault: &Vault,
    relationship_id: &str,
    session: i64,
    answers: &serde_json::Value,
    need: Option<&str>,
) -> Result<StoredCheckIn> {
    let id = new_id();
    let sealed = match need {
        Some(n) => Some(
            user_keys::sealing_key(db, vault, relationship_id)
                .await?
                .seal(place(&id), n),
        ),
        None => None,
    };
    let created_at = now_ms();
    let done = with_pool!(db, pool => sqlx::query(INSERT)
        .bind(&id).bind(relationship_id).bind(session).bind(answers.to_string()).bind(sealed).bind(created_at)
        .execute(pool).await.map(|r| r.rows_affected()));
    match done.map_err(StoreError::from) {
        Ok(_) => Ok(StoredCheckIn {
            id,
            relationship_id: relationship_id.to_owned(),
            session,
            answers: answers.clone(),
            need: need.map(str::to_owned),
            created_at,
        }),
        Err(StoreError::Conflict(_)) => Err(StoreError::Conflict(
            "a check-in for this session already exists",
        )),
        Err(e) => Err(e),
    }
}

/// A relationship's check-ins by session number. Callers must already have checked access to the
/// relationship (see [`crate::relationships`]).
pub async fn list(db: &Db, vault: &Vault, relationship_id: &str) -> Result<Vec<StoredCheckIn>> {
    let rows: Vec<Row> =
        with_pool!(db, pool => sqlx::query_as(LIST).bind(relationship_id).fetch_all(pool).await)?;
    let keys = match rows.iter().any(|r| r.need.is_some()) {
        true => Some(user_keys::opening_keys(db, vault, relationship_id).await?),
        false => None,
    };
    rows.into_iter()
        .map(|r| {
            let need = match (&r.need, &keys) {
                (Some(b), Some(keys)) => Some(keys.open(place(&r.id), b)?),
                _ => None,
            };
            let answers =
                serde_json::from_str(&r.answers).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(StoredCheckIn {
                id: r.id,
                relationship_id: r.relationship_id,
                session: r.session,
                answers,
                need,
                created_at: r.created_at,
            })
        })
        .collect()
}
