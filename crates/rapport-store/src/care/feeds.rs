//! Calendar feed tokens: one secret URL per account, stored only as a SHA-256 hash. Making a new
//! one replaces the row, which revokes the old URL at once.

use crate::{Db, Result, with_pool, with_write};

const PUT: &str = "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at";
const REVOKE: &str = "DELETE FROM calendar_feeds WHERE user_id = $1";
const OWNER: &str = "SELECT user_id FROM calendar_feeds WHERE token_hash = $1";
const CREATED: &str = "SELECT created_at FROM calendar_feeds WHERE user_id = $1";

/// Sets the account's feed token hash, replacing (and so revoking) any earlier one.
pub async fn set(db: &Db, user_id: &str, token_hash: &str, now: i64) -> Result<()> {
    with_write!(db, pool => sqlx::query(PUT).bind(user_id).bind(token_hash).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Revokes the account's feed; false when there was none.
pub async fn revoke(db: &Db, user_id: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(REVOKE).bind(user_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The account a feed token hash belongs to.
pub async fn owner(db: &Db, token_hash: &str) -> Result<Option<String>> {
    Ok(
        with_pool!(db, pool => sqlx::query_scalar(OWNER).bind(token_hash).fetch_optional(pool).await)?,
    )
}

/// When the account's current feed was made, if it has one.
pub async fn created_at(db: &Db, user_id: &str) -> Result<Option<i64>> {
    Ok(
        with_pool!(db, pool => sqlx::query_scalar(CREATED).bind(user_id).fetch_optional(pool).await)?,
    )
}
