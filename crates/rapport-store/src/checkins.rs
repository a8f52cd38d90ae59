//! Stored check-ins. The structured answers are kept as JSON; the free-text `need` is sealed with
//! the client's own data key (see [`crate::user_keys`]), bound to its row, and never stored or
//! logged in the clear.

use crate::crypto::Place;
use crate::{
    Db, IN_LIST_MAX, Result, StoreError, Vault, new_id, now_ms, placeholders, user_keys, with_pool,
    with_write,
};
use std::collections::HashMap;

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
    /// The relationship's client, whose data key seals `need`.
    client_id: String,
    /// That client's wrapped data key (none once the account is deleted).
    wrapped: Option<Vec<u8>>,
}

const INSERT: &str = "INSERT INTO checkins (id, relationship_id, session, answers, need, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
/// Check-ins with their client's wrapped key, so one query reads everything a page needs.
const LIST: &str = "SELECT c.id, c.relationship_id, c.session, c.answers, c.need, c.created_at, r.client_id, k.wrapped \
    FROM checkins c JOIN relationships r ON r.id = c.relationship_id LEFT JOIN user_keys k ON k.user_id = r.client_id";

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
    let client = user_keys::client_of(db, relationship_id).await?;
    insert_for(db, vault, &client, relationship_id, session, answers, need).await
}

/// [`insert`] for a caller that already read the relationship and so knows its client, whose key
/// seals the need (one lookup fewer on the busiest write).
pub async fn insert_for(
    db: &Db,
    vault: &Vault,
    client_id: &str,
    relationship_id: &str,
    session: i64,
    answers: &serde_json::Value,
    need: Option<&str>,
) -> Result<StoredCheckIn> {
    insert_for_at(
        db,
        vault,
        client_id,
        relationship_id,
        session,
        answers,
        need,
        now_ms(),
    )
    .await
}

/// [`insert_for`] recorded as made at `created_at` (Unix ms): the demo spreads a practice's
/// history over past months through the same write the pages use.
#[allow(clippy::too_many_arguments)]
pub async fn insert_for_at(
    db: &Db,
    vault: &Vault,
    client_id: &str,
    relationship_id: &str,
    session: i64,
    answers: &serde_json::Value,
    need: Option<&str>,
    created_at: i64,
) -> Result<StoredCheckIn> {
    let id = new_id();
    let sealed = match need {
        Some(n) => Some(
            user_keys::get_or_create(db, vault, client_id)
                .await?
                .seal(place(&id), n),
        ),
        None => None,
    };
    let done = with_write!(db, pool => sqlx::query(INSERT)
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
    let sql = format!("{LIST} WHERE c.relationship_id = $1 ORDER BY c.session");
    let rows: Vec<Row> =
        with_pool!(db, pool => sqlx::query_as(&sql).bind(relationship_id).fetch_all(pool).await)?;
    let mut keys = ClientKeys::new(vault);
    rows.into_iter().map(|r| keys.open_row(r)).collect()
}

/// Each client's keys, unwrapped once per read however many rows they open.
struct ClientKeys<'a> {
    vault: &'a Vault,
    by_client: HashMap<String, user_keys::Keys<'a>>,
}

impl<'a> ClientKeys<'a> {
    fn new(vault: &'a Vault) -> Self {
        ClientKeys {
            vault,
            by_client: HashMap::new(),
        }
    }

    /// Opens one row's `need` with the key its key id names and parses its answers.
    fn open_row(&mut self, r: Row) -> Result<StoredCheckIn> {
        let need = match &r.need {
            Some(sealed) => {
                if !self.by_client.contains_key(&r.client_id) {
                    let keys =
                        user_keys::keys_from(self.vault, &r.client_id, r.wrapped.as_deref())?;
                    self.by_client.insert(r.client_id.clone(), keys);
                }
                let keys = &self.by_client[&r.client_id];
                Some(keys.open(place(&r.id), sealed)?)
            }
            None => None,
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
    }
}

/// The check-ins of several relationships in one query (a caseload), grouped by relationship and
/// ordered by session; relationships without check-ins are absent. Callers must already have
/// checked access to every relationship named.
pub async fn list_many(
    db: &Db,
    vault: &Vault,
    relationship_ids: &[&str],
) -> Result<HashMap<String, Vec<StoredCheckIn>>> {
    let mut out: HashMap<String, Vec<StoredCheckIn>> = HashMap::new();
    let mut keys = ClientKeys::new(vault);
    for chunk in relationship_ids.chunks(IN_LIST_MAX) {
        let sql = format!(
            "{LIST} WHERE c.relationship_id IN ({}) ORDER BY c.relationship_id, c.session",
            placeholders(chunk.len())
        );
        let rows: Vec<Row> = with_pool!(db, pool => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await
        })?;
        for r in rows {
            let c = keys.open_row(r)?;
            out.entry(c.relationship_id.clone()).or_default().push(c);
        }
    }
    Ok(out)
}
