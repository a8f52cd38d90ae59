//! Practices (a clinic, a group, a network), who belongs to one, and each therapist's own
//! settings for the views built on them.
//!
//! An account belongs to at most one practice (the table's primary key is the account), so an
//! administrator's reach is one practice by construction, and a therapist cannot be counted in
//! two practices' statistics.

use serde::Serialize;

use crate::{Db, Result, StoreError, new_id, now_ms, with_pool, with_write};

/// A practice.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Practice {
    /// Id.
    pub id: String,
    /// Its name, unique on this deployment.
    pub name: String,
    /// Creation time, Unix ms.
    pub created_at: i64,
}

/// Someone who belongs to a practice.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Member {
    /// Their account.
    pub user_id: String,
    /// Display name.
    pub display_name: String,
    /// E-mail address.
    pub email: String,
    /// `therapist` or `admin`.
    pub role: String,
    /// When they joined, Unix ms.
    pub joined_at: i64,
}

/// A therapist's own settings.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct TherapistSettings {
    /// A client counts as overdue this many days after their last check-in.
    pub overdue_days: i64,
    /// Whether measured effectiveness may be written to their listing for matching.
    pub publish_effectiveness: bool,
}

impl Default for TherapistSettings {
    fn default() -> Self {
        TherapistSettings {
            overdue_days: DEFAULT_OVERDUE_DAYS,
            publish_effectiveness: false,
        }
    }
}

/// Days after the last check-in before a client counts as overdue, unless the therapist says.
pub const DEFAULT_OVERDUE_DAYS: i64 = 10;

const CREATE: &str = "INSERT INTO practices (id, name, created_at) VALUES ($1, $2, $3)";
const ALL: &str = "SELECT id, name, created_at FROM practices ORDER BY name, id";
const BY_ID: &str = "SELECT id, name, created_at FROM practices WHERE id = $1";
const OF_USER: &str = "SELECT p.id, p.name, p.created_at FROM practices p JOIN practice_members m ON m.practice_id = p.id WHERE m.user_id = $1";
const JOIN: &str = "INSERT INTO practice_members (user_id, practice_id, joined_at) SELECT u.id, $2, $3 FROM users u WHERE u.id = $1 AND u.role IN ('therapist', 'admin')";
const LEAVE: &str = "DELETE FROM practice_members WHERE user_id = $1 AND practice_id = $2";
const MEMBERS: &str = "SELECT u.id AS user_id, u.display_name, u.email, u.role, m.joined_at FROM practice_members m JOIN users u ON u.id = m.user_id WHERE m.practice_id = $1 ORDER BY u.role, u.display_name, u.id";
const SETTINGS: &str =
    "SELECT overdue_days, publish_effectiveness FROM therapist_settings WHERE therapist_id = $1";
const PUT_SETTINGS: &str = "INSERT INTO therapist_settings (therapist_id, overdue_days, publish_effectiveness, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (therapist_id) DO UPDATE SET overdue_days = excluded.overdue_days, publish_effectiveness = excluded.publish_effectiveness, updated_at = excluded.updated_at";

/// Creates a practice; a name already in use is a [`StoreError::Conflict`].
pub async fn create(db: &Db, name: &str) -> Result<Practice> {
    let p = Practice {
        id: new_id(),
        name: name.to_owned(),
        created_at: now_ms(),
    };
    with_write!(db, pool => sqlx::query(CREATE).bind(&p.id).bind(&p.name).bind(p.created_at).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("a practice with this name already exists"),
            other => other,
        })?;
    Ok(p)
}

/// Every practice, by name.
pub async fn all(db: &Db) -> Result<Vec<Practice>> {
    Ok(with_pool!(db, pool => sqlx::query_as(ALL).fetch_all(pool).await)?)
}

/// One practice by id.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<Practice>> {
    Ok(with_pool!(db, pool => sqlx::query_as(BY_ID).bind(id).fetch_optional(pool).await)?)
}

/// The practice an account belongs to, if any.
pub async fn of_user(db: &Db, user_id: &str) -> Result<Option<Practice>> {
    Ok(with_pool!(db, pool => sqlx::query_as(OF_USER).bind(user_id).fetch_optional(pool).await)?)
}

/// Adds a therapist or administrator to a practice. Someone already in a practice (this one or
/// another) is a [`StoreError::Conflict`]; a client account or unknown id adds nothing (false).
pub async fn join(db: &Db, practice_id: &str, user_id: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(JOIN).bind(user_id).bind(practice_id).bind(now_ms()).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("this account already belongs to a practice"),
            other => other,
        })?;
    Ok(n == 1)
}

/// Takes someone out of a practice; false when they were not in it.
pub async fn leave(db: &Db, practice_id: &str, user_id: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(LEAVE).bind(user_id).bind(practice_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Everyone in a practice: administrators first, then therapists, by name.
pub async fn members(db: &Db, practice_id: &str) -> Result<Vec<Member>> {
    Ok(with_pool!(db, pool => sqlx::query_as(MEMBERS).bind(practice_id).fetch_all(pool).await)?)
}

/// A therapist's settings (the defaults until they change them).
pub async fn settings(db: &Db, therapist_id: &str) -> Result<TherapistSettings> {
    let row: Option<(i64, i64)> = with_pool!(db, pool => sqlx::query_as(SETTINGS).bind(therapist_id).fetch_optional(pool).await)?;
    Ok(
        row.map_or_else(TherapistSettings::default, |(days, publish)| {
            TherapistSettings {
                overdue_days: days,
                publish_effectiveness: publish == 1,
            }
        }),
    )
}

/// Saves a therapist's settings (the database refuses overdue days outside 1-365).
pub async fn put_settings(db: &Db, therapist_id: &str, s: TherapistSettings) -> Result<()> {
    with_write!(db, pool => sqlx::query(PUT_SETTINGS).bind(therapist_id).bind(s.overdue_days).bind(i64::from(s.publish_effectiveness)).bind(now_ms()).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}
