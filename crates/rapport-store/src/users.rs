//! Accounts: who someone is and what role they hold.

use rapport_core::zone::Zone;
use serde::Serialize;

use crate::{Db, Result, StoreError, new_id, now_ms, with_pool, with_write};

/// What an account may do. Stored as text; the database also checks the closed list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A person looking for, or in, therapy.
    Client,
    /// A therapist with a listing and a caseload.
    Therapist,
    /// A practice or network administrator.
    Admin,
}

impl Role {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Therapist => "therapist",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or submitted word.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "client" => Some(Role::Client),
            "therapist" => Some(Role::Therapist),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// An account as loaded from the database (the password hash stays in [`Credentials`]).
#[derive(Clone, Debug, Serialize)]
pub struct User {
    /// Stable id.
    pub id: String,
    /// Lower-cased e-mail address, the login name.
    pub email: String,
    /// The name shown in the app.
    pub display_name: String,
    /// The account's role.
    pub role: Role,
    /// Creation time, Unix ms.
    pub created_at: i64,
    /// The account's time zone: every time is shown to them in it.
    pub time_zone: Zone,
}

/// A user with the stored password hash, only for verifying a login.
pub struct Credentials {
    /// The account.
    pub user: User,
    /// The argon2 PHC string.
    pub password_hash: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub created_at: i64,
    pub time_zone: String,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {:?}", self.role)))?;
        Ok(User {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            role,
            created_at: self.created_at,
            time_zone: Zone::stored(&self.time_zone),
        })
    }
}

#[derive(sqlx::FromRow)]
struct CredRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

const INSERT: &str = "INSERT INTO users (id, email, display_name, role, password_hash, created_at, time_zone) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const BY_EMAIL: &str = "SELECT id, email, display_name, role, created_at, time_zone, password_hash FROM users WHERE email = $1";
const BY_ID: &str =
    "SELECT id, email, display_name, role, created_at, time_zone FROM users WHERE id = $1";
const SET_PASSWORD: &str = "UPDATE users SET password_hash = $1 WHERE id = $2";
const PASSWORD_OF: &str = "SELECT id, email, display_name, role, created_at, time_zone, password_hash FROM users WHERE id = $1";
const DELETE: &str = "DELETE FROM users WHERE id = $1";
const SET_ZONE: &str = "UPDATE users SET time_zone = $1 WHERE id = $2";
const NAMES: &str = "SELECT id, display_name FROM users WHERE id IN";
const ZONES: &str = "SELECT id, time_zone FROM users WHERE id IN";

/// Creates an account in UTC (tools and tests; people signing up use [`create_in_zone`]).
pub async fn create(
    db: &Db,
    email: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> Result<User> {
    create_in_zone(db, email, display_name, role, password_hash, &Zone::utc()).await
}

/// Creates an account in its time zone; an e-mail address already in use is a
/// [`StoreError::Conflict`].
pub async fn create_in_zone(
    db: &Db,
    email: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    time_zone: &Zone,
) -> Result<User> {
    let user = User {
        id: new_id(),
        email: email.to_owned(),
        display_name: display_name.to_owned(),
        role,
        created_at: now_ms(),
        time_zone: time_zone.clone(),
    };
    let done = with_write!(db, pool => sqlx::query(INSERT)
        .bind(&user.id).bind(&user.email).bind(&user.display_name).bind(role.as_str())
        .bind(password_hash).bind(user.created_at).bind(user.time_zone.name())
        .execute(pool).await.map(|r| r.rows_affected()));
    match done {
        Ok(_) => Ok(user),
        Err(e) => match StoreError::from(e) {
            StoreError::Conflict(_) => Err(StoreError::Conflict("email already in use")),
            other => Err(other),
        },
    }
}

/// The account and password hash for a login name, if it exists.
pub async fn credentials_by_email(db: &Db, email: &str) -> Result<Option<Credentials>> {
    let row: Option<CredRow> =
        with_pool!(db, pool => sqlx::query_as(BY_EMAIL).bind(email).fetch_optional(pool).await)?;
    row.map(|r| {
        Ok(Credentials {
            user: r.user.into_user()?,
            password_hash: r.password_hash,
        })
    })
    .transpose()
}

/// The account and password hash by id (to check the current password before a change).
pub async fn credentials_by_id(db: &Db, id: &str) -> Result<Option<Credentials>> {
    let row: Option<CredRow> =
        with_pool!(db, pool => sqlx::query_as(PASSWORD_OF).bind(id).fetch_optional(pool).await)?;
    row.map(|r| {
        Ok(Credentials {
            user: r.user.into_user()?,
            password_hash: r.password_hash,
        })
    })
    .transpose()
}

/// Changes the account's time zone (already checked against the database by its type).
pub async fn set_time_zone(db: &Db, id: &str, zone: &Zone) -> Result<()> {
    with_write!(db, pool => sqlx::query(SET_ZONE).bind(zone.name()).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The time zones of these accounts, by id (unknown ids are absent).
pub async fn time_zones(db: &Db, ids: &[&str]) -> Result<std::collections::HashMap<String, Zone>> {
    Ok(id_pairs(db, ZONES, ids)
        .await?
        .into_iter()
        .map(|(id, z)| (id, Zone::stored(&z)))
        .collect())
}

/// `(id, value)` rows of `select` (a query ending in `WHERE id IN`) for these ids, one query per
/// chunk of [`crate::IN_LIST_MAX`].
async fn id_pairs(db: &Db, select: &str, ids: &[&str]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::IN_LIST_MAX) {
        let sql = format!("{select} ({})", crate::placeholders(chunk.len()));
        let rows: Vec<(String, String)> = with_pool!(db, pool => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// An account by id.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<User>> {
    let row: Option<UserRow> =
        with_pool!(db, pool => sqlx::query_as(BY_ID).bind(id).fetch_optional(pool).await)?;
    row.map(UserRow::into_user).transpose()
}

/// The display names of these accounts in one query (a caseload), by id; deleted accounts are
/// absent.
pub async fn display_names(
    db: &Db,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, String>> {
    Ok(id_pairs(db, NAMES, ids).await?.into_iter().collect())
}

/// Replaces the password hash.
pub async fn set_password(db: &Db, id: &str, password_hash: &str) -> Result<()> {
    with_write!(db, pool => sqlx::query(SET_PASSWORD).bind(password_hash).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces a password and, in the same transaction, ends every other session and revokes every
/// API token of the account: whoever knew the old password may hold either, and a half-done
/// change (new password, old tokens alive) must not be possible.
pub async fn replace_password(
    db: &Db,
    id: &str,
    password_hash: &str,
    keep_session_hash: &str,
) -> Result<()> {
    crate::with_tx!(db, tx => {
        sqlx::query(SET_PASSWORD).bind(password_hash).bind(id).execute(&mut *tx).await?;
        sqlx::query(crate::sessions::DELETE_OTHERS).bind(id).bind(keep_session_hash).execute(&mut *tx).await?;
        sqlx::query(crate::tokens::REVOKE_ALL).bind(now_ms()).bind(id).execute(&mut *tx).await?;
    });
    Ok(())
}

/// Deletes an account and, through the schema's cascades, everything that is only theirs.
pub async fn delete(db: &Db, id: &str) -> Result<()> {
    with_write!(db, pool => sqlx::query(DELETE).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}
