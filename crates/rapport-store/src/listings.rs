//! Therapist listings as stored: the listing JSON (validated by the core before it gets here),
//! optionally linked to the therapist's account.

use crate::{Db, Result, now_ms, with_pool};

/// A stored listing.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredListing {
    /// The listing id (`t-000123`).
    pub id: String,
    /// The therapist's account, when they have one.
    pub user_id: Option<String>,
    /// The listing JSON.
    pub data: String,
}

const UPSERT: &str = "INSERT INTO listings (id, user_id, data, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, user_id = COALESCE(excluded.user_id, listings.user_id)";
const ALL: &str = "SELECT id, user_id, data FROM listings ORDER BY id";
const BY_ID: &str = "SELECT id, user_id, data FROM listings WHERE id = $1";
const BY_USER: &str = "SELECT id, user_id, data FROM listings WHERE user_id = $1";

/// Inserts or replaces many listings in one transaction: all or nothing.
pub async fn upsert_many(db: &Db, rows: &[(String, Option<String>, String)]) -> Result<()> {
    let now = now_ms();
    crate::with_tx!(db, tx => {
        for (id, user_id, data) in rows {
            sqlx::query(UPSERT).bind(id).bind(user_id).bind(data).bind(now).execute(&mut *tx).await?;
        }
    });
    Ok(())
}

/// Every listing, by id.
pub async fn all(db: &Db) -> Result<Vec<StoredListing>> {
    Ok(with_pool!(db, pool => sqlx::query_as(ALL).fetch_all(pool).await)?)
}

/// One listing by id.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<StoredListing>> {
    Ok(with_pool!(db, pool => sqlx::query_as(BY_ID).bind(id).fetch_optional(pool).await)?)
}

/// The listing linked to a therapist's account.
pub async fn by_user(db: &Db, user_id: &str) -> Result<Option<StoredListing>> {
    Ok(with_pool!(db, pool => sqlx::query_as(BY_USER).bind(user_id).fetch_optional(pool).await)?)
}
