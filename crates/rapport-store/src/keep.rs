//! Forms kept when their session expired mid-way, so nothing typed is lost.
//!
//! A person can spend minutes on a check-in; if their session ends meanwhile, the post would be
//! refused and their words gone. Instead the web layer keeps the form body here, sealed (it may
//! hold private words), for [`KEEP_MS`], bound to the account whose expired session's token the
//! form carried, and offers to send it after they log in again. Nothing here is ever shown to
//! another account, and every kept form is gone after use, on discard, or once expired.

use crate::crypto::Place;
use crate::{Db, Result, Vault, new_id, with_pool, with_tx, with_write};

/// How long a kept form waits for its owner to log in again: half an hour.
pub const KEEP_MS: i64 = 30 * 60 * 1000;

/// A kept form, opened.
#[derive(Clone, Debug)]
pub struct Kept {
    /// Id.
    pub id: String,
    /// Where it was posted.
    pub path: String,
    /// The form body as posted (`application/x-www-form-urlencoded`).
    pub body: String,
    /// When it was kept, Unix ms.
    pub created_at: i64,
}

const PURGE: &str = "DELETE FROM kept_forms WHERE expires_at <= $1";
const INSERT: &str = "INSERT INTO kept_forms (id, user_id, path, body, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)";
const GET: &str = "SELECT id, path, body, created_at FROM kept_forms WHERE id = $1 AND user_id = $2 AND expires_at > $3";
const DISCARD: &str = "DELETE FROM kept_forms WHERE id = $1 AND user_id = $2";

fn place(row: &str) -> Place<'_> {
    Place {
        table: "kept_forms",
        column: "body",
        row,
    }
}

/// Keeps `body`, posted to `path`, for `user_id` until `now + KEEP_MS`; clears expired forms in
/// the same transaction. Returns the kept form's id.
pub async fn keep(
    db: &Db,
    vault: &Vault,
    user_id: &str,
    path: &str,
    body: &str,
    now: i64,
) -> Result<String> {
    let id = new_id();
    let sealed = vault.seal(place(&id), body);
    with_tx!(db, tx => {
        sqlx::query(PURGE).bind(now).execute(&mut *tx).await?;
        sqlx::query(INSERT).bind(&id).bind(user_id).bind(path).bind(sealed).bind(now).bind(now + KEEP_MS).execute(&mut *tx).await?;
    });
    Ok(id)
}

/// The user's kept form with this id, while it has not expired.
pub async fn get(
    db: &Db,
    vault: &Vault,
    user_id: &str,
    id: &str,
    now: i64,
) -> Result<Option<Kept>> {
    type Row = (String, String, Vec<u8>, i64);
    let row: Option<Row> = with_pool!(db, pool => sqlx::query_as(GET).bind(id).bind(user_id).bind(now).fetch_optional(pool).await)?;
    row.map(|(id, path, sealed, created_at)| {
        let body = vault.open(place(&id), &sealed)?;
        Ok(Kept {
            id,
            path,
            body,
            created_at,
        })
    })
    .transpose()
}

/// Removes the user's kept form (sent again, or discarded); false when there was none.
pub async fn discard(db: &Db, user_id: &str, id: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(DISCARD).bind(id).bind(user_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
