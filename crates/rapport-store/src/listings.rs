//! Therapist listings as stored: the listing JSON (validated by the core before it gets here),
//! optionally linked to the therapist's account.

use crate::{Db, Result, now_ms, placeholders, with_pool, with_write};

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
/// The referral picker's page: `$2` is a `LIKE` pattern over the lower-cased listing text;
/// bounded by `$3` so a large directory is never read whole per request.
const PICK: &str = "SELECT id, user_id, data FROM listings WHERE id <> $1 AND lower(data) LIKE $2 ESCAPE '\\' ORDER BY id LIMIT $3";

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

const UPSERT_OWN: &str = "INSERT INTO listings (id, user_id, data, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at WHERE listings.user_id = excluded.user_id";
const EXISTS: &str = "SELECT COUNT(*) FROM listings WHERE id = $1";
/// An import never touches a listing that belongs to an account: its therapist keeps it current.
const IMPORT: &str = "INSERT INTO listings (id, user_id, data, updated_at) VALUES ($1, NULL, $2, $3) ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at WHERE listings.user_id IS NULL";
/// An administrator writes a directory listing (no account), or the listing of a therapist of
/// their own practice; the account link stays as it is.
const UPSERT_AS_ADMIN: &str = "INSERT INTO listings (id, user_id, data, updated_at) VALUES ($1, NULL, $2, $3) ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at WHERE listings.user_id IS NULL OR listings.user_id IN (SELECT m.user_id FROM practice_members m JOIN practice_members a ON a.practice_id = m.practice_id WHERE a.user_id = $4)";
const ALL_ROWS: &str = "SELECT id, data, updated_at FROM listings ORDER BY id";
const VERSIONS_SINCE: &str = "SELECT id, updated_at FROM listings WHERE updated_at >= $1";

/// How many ids one `IN (…)` list carries, well under both databases' parameter limits.
const IDS_PER_QUERY: usize = 500;

/// Saves a therapist's own listing: creates it linked to `user_id`, or replaces it only when it
/// is already linked to that same account. Returns false (nothing written) for a listing that
/// belongs to someone else or to no one, so an id can never be used to take over a listing.
pub async fn upsert_own(db: &Db, id: &str, user_id: &str, data: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(UPSERT_OWN).bind(id).bind(user_id).bind(data).bind(now_ms()).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Writes an imported directory, `(id, listing JSON)` per row, in one transaction (all or
/// nothing). Existing directory listings are updated by id; listings that belong to an account
/// are left alone (see [`owned_among`] to report them). Returns how many ids were new.
pub async fn import(db: &Db, rows: &[(String, String)]) -> Result<usize> {
    let now = now_ms();
    let created = crate::with_tx!(db, tx => {
        let mut created = 0;
        for (id, data) in rows {
            let n: i64 = sqlx::query_scalar(EXISTS).bind(id).fetch_one(&mut *tx).await?;
            if n == 0 {
                created += 1;
            }
            sqlx::query(IMPORT).bind(id).bind(data).bind(now).execute(&mut *tx).await?;
        }
        created
    });
    Ok(created)
}

/// Every listing as `(id, JSON, updated_at)`, for loading the in-memory directory.
pub async fn all_rows(db: &Db) -> Result<Vec<(String, String, i64)>> {
    Ok(with_pool!(db, pool => sqlx::query_as(ALL_ROWS).fetch_all(pool).await)?)
}

/// `(id, updated_at)` of every listing written at or after `since_ms`: cheap to ask often, so a
/// server can tell which listings changed elsewhere before reading any of them.
pub async fn versions_since(db: &Db, since_ms: i64) -> Result<Vec<(String, i64)>> {
    Ok(with_pool!(db, pool => sqlx::query_as(VERSIONS_SINCE).bind(since_ms).fetch_all(pool).await)?)
}

/// Writes listing `id` for administrator `admin_id`: a directory listing, or one owned by a
/// therapist of the admin's practice. False (nothing written) for anyone else's listing.
pub async fn upsert_as_admin(db: &Db, id: &str, data: &str, admin_id: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(UPSERT_AS_ADMIN).bind(id).bind(data).bind(now_ms()).bind(admin_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Of these ids, the listings that belong to an account (which imports leave alone).
pub async fn owned_among(db: &Db, ids: &[String]) -> Result<std::collections::HashSet<String>> {
    let mut out = std::collections::HashSet::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let sql = format!(
            "SELECT id FROM listings WHERE user_id IS NOT NULL AND id IN ({})",
            placeholders(chunk.len())
        );
        let rows: Vec<String> = with_pool!(db, pool => {
            let mut q = sqlx::query_scalar(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(pool).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// At most `limit` listings, other than `except`, whose text contains `needle` (any case; empty
/// matches all), in id order: the referral picker's list.
pub async fn pick(db: &Db, except: &str, needle: &str, limit: i64) -> Result<Vec<StoredListing>> {
    let escaped: String = needle
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    Ok(
        with_pool!(db, pool => sqlx::query_as(PICK).bind(except).bind(&pattern).bind(limit).fetch_all(pool).await)?,
    )
}

/// The listings with these ids as `(id, JSON, updated_at)`; unknown ids are left out.
pub async fn rows_by_ids(db: &Db, ids: &[String]) -> Result<Vec<(String, String, i64)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let sql = format!(
            "SELECT id, data, updated_at FROM listings WHERE id IN ({})",
            placeholders(chunk.len())
        );
        let rows: Vec<(String, String, i64)> = with_pool!(db, pool => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(pool).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}
