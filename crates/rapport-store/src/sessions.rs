//! Login sessions, stored in the database so several app servers can share them.
//!
//! Only a SHA-256 hash of the session id is stored: a copy of the table does not let anyone log in.

use crate::users::{User, UserRow};
use crate::{Db, Result, now_ms, with_pool, with_write};

/// A live session: whose it is and the token its forms must carry.
#[derive(Clone, Debug)]
pub struct Session {
    /// The logged-in account.
    pub user: User,
    /// The anti-CSRF token bound to this session.
    pub csrf: String,
    /// When it stops being valid, Unix ms.
    pub expires_at: i64,
    /// The account's data version as of this lookup: it moves with every change to the
    /// account's relationships or check-ins (database triggers), so a server may keep what it
    /// derived from them and reuse it while this number stays the same.
    pub data_version: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    user: UserRow,
    csrf: String,
    expires_at: i64,
    data_version: i64,
}

/// A [`FIND`] row read by [`crate::SyncReads`], columns in the query's order.
fn row_from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        user: UserRow {
            id: r.get(0)?,
            email: r.get(1)?,
            display_name: r.get(2)?,
            role: r.get(3)?,
            created_at: r.get(4)?,
            time_zone: r.get(5)?,
        },
        csrf: r.get(6)?,
        expires_at: r.get(7)?,
        data_version: r.get(8)?,
    })
}

const INSERT: &str = "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
const FIND: &str = "SELECT u.id, u.email, u.display_name, u.role, u.created_at, u.time_zone, s.csrf, s.expires_at, u.data_version FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2";
const DELETE: &str = "DELETE FROM sessions WHERE id_hash = $1";
pub(crate) const DELETE_OTHERS: &str = "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2";
const EXPIRED: &str = "SELECT user_id, csrf FROM sessions WHERE id_hash = $1 AND expires_at <= $2";
const PURGE: &str = "DELETE FROM sessions WHERE expires_at <= $1";

/// Stores a new session for `user_id`, valid for `ttl_ms`.
pub async fn create(db: &Db, id_hash: &str, user_id: &str, csrf: &str, ttl_ms: i64) -> Result<()> {
    let now = now_ms();
    with_write!(db, pool => sqlx::query(INSERT).bind(id_hash).bind(user_id).bind(csrf).bind(now).bind(now + ttl_ms).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The session with this id hash, if it exists and has not expired.
///
/// Every signed-in request makes this lookup, so on SQLite it runs on the calling thread when it
/// can (see [`crate::SyncReads`]): same query, same answer, without two thread hand-offs.
pub async fn find(db: &Db, id_hash: &str) -> Result<Option<Session>> {
    let now = now_ms();
    let row: Option<Row> = match db.row_on_thread(FIND, (id_hash, now), row_from_sqlite) {
        Some(row) => row,
        None => {
            with_pool!(db, pool => sqlx::query_as(FIND).bind(id_hash).bind(now).fetch_optional(pool).await)?
        }
    };
    row.map(|r| {
        Ok(Session {
            user: r.user.into_user()?,
            csrf: r.csrf,
            expires_at: r.expires_at,
            data_version: r.data_version,
        })
    })
    .transpose()
}

/// Ends one session (logout).
pub async fn delete(db: &Db, id_hash: &str) -> Result<()> {
    with_write!(db, pool => sqlx::query(DELETE).bind(id_hash).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every other session of a user (after a password change).
pub async fn delete_others(db: &Db, user_id: &str, keep_hash: &str) -> Result<()> {
    with_write!(db, pool => sqlx::query(DELETE_OTHERS).bind(user_id).bind(keep_hash).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The account and form token of a session that existed and has expired (not yet purged): a
/// form posted with that token just after the session ended can be kept for that account (see
/// [`crate::keep`]). `None` for a live, unknown or logged-out session.
pub async fn expired(db: &Db, id_hash: &str) -> Result<Option<(String, String)>> {
    Ok(
        with_pool!(db, pool => sqlx::query_as(EXPIRED).bind(id_hash).bind(now_ms()).fetch_optional(pool).await)?,
    )
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let done = with_write!(db, pool => sqlx::query(PURGE).bind(now_ms()).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done)
}
