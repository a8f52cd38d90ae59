//! Personal access tokens for API clients. Only a SHA-256 hash of each token is stored.

use serde::Serialize;

use crate::users::{User, UserRow};
use crate::{Db, Result, new_id, now_ms, with_pool, with_write};

/// A token as listed on the account page (never the secret itself).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TokenInfo {
    /// Token id (used to revoke it).
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// Creation time, Unix ms.
    pub created_at: i64,
    /// Last use, Unix ms.
    pub last_used_at: Option<i64>,
    /// Revocation time, Unix ms.
    pub revoked_at: Option<i64>,
    /// When it stops working on its own, Unix ms.
    pub expires_at: Option<i64>,
}

impl TokenInfo {
    /// Whether it has stopped working on its own.
    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|at| at <= now_ms())
    }
}

/// How long a token works unless its owner chooses less: long enough for a script, short
/// enough that a forgotten or leaked token dies on its own.
pub const MAX_LIFETIME_DAYS: i64 = 90;

const INSERT: &str = "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)";
const LIST: &str = "SELECT id, name, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC";
pub(crate) const REVOKE_ALL: &str =
    "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL";
const REVOKE: &str =
    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL";
const FIND_USER: &str = "SELECT u.id, u.email, u.display_name, u.role, u.created_at, u.time_zone FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2";
/// Records use at most once a minute: a token is used on every API request, and a write per read
/// would queue every API call behind SQLite's single writer.
const TOUCH: &str = "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND (last_used_at IS NULL OR last_used_at < $1 - 60000)";

/// Records a new token for `user_id`, working for `days` (1 to [`MAX_LIFETIME_DAYS`]).
pub async fn create(
    db: &Db,
    user_id: &str,
    name: &str,
    token_hash: &str,
    days: i64,
) -> Result<TokenInfo> {
    let created_at = now_ms();
    let info = TokenInfo {
        id: new_id(),
        name: name.to_owned(),
        created_at,
        last_used_at: None,
        revoked_at: None,
        expires_at: Some(created_at + days.clamp(1, MAX_LIFETIME_DAYS) * 86_400_000),
    };
    with_write!(db, pool => sqlx::query(INSERT).bind(&info.id).bind(user_id).bind(name).bind(token_hash).bind(info.created_at).bind(info.expires_at).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(info)
}

/// A user's tokens, newest first.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<TokenInfo>> {
    Ok(with_pool!(db, pool => sqlx::query_as(LIST).bind(user_id).fetch_all(pool).await)?)
}

/// Revokes one of the user's own tokens; false when there was no such live token.
pub async fn revoke(db: &Db, user_id: &str, token_id: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(REVOKE).bind(now_ms()).bind(token_id).bind(user_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Revokes every live token of the user (a password change: whoever held the old password may
/// have made one); returns how many.
pub async fn revoke_all(db: &Db, user_id: &str) -> Result<u64> {
    Ok(
        with_write!(db, pool => sqlx::query(REVOKE_ALL).bind(now_ms()).bind(user_id).execute(pool).await.map(|r| r.rows_affected()))?,
    )
}

/// The owner of a live, unexpired token, recording the use.
pub async fn user_for(db: &Db, token_hash: &str) -> Result<Option<User>> {
    let row: Option<UserRow> = with_pool!(db, pool => sqlx::query_as(FIND_USER).bind(token_hash).bind(now_ms()).fetch_optional(pool).await)?;
    if row.is_some() {
        with_write!(db, pool => sqlx::query(TOUCH).bind(now_ms()).bind(token_hash).execute(pool).await.map(|r| r.rows_affected()))?;
    }
    row.map(UserRow::into_user).transpose()
}
