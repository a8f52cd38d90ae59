//! A therapist's published week: local-time offset, cancellation notice, session length and the
//! hours offered. Replaced whole on each save, in one transaction.

use serde::Serialize;

use crate::{Db, Result, now_ms, with_pool, with_tx};

/// A therapist's stored week (the core's `Schedule` is built from it).
#[derive(Clone, Debug, Serialize)]
pub struct StoredSchedule {
    /// Minutes east of UTC.
    pub utc_offset_minutes: i64,
    /// Cancellation notice asked for, hours.
    pub notice_hours: i64,
    /// Length of an appointment, minutes.
    pub session_minutes: i64,
    /// `(day, hour)` pairs, Monday = 0.
    pub slots: Vec<(i64, i64)>,
}

const SETTINGS: &str = "SELECT utc_offset_minutes, notice_hours, session_minutes FROM care_settings WHERE therapist_id = $1";
const SLOTS: &str =
    "SELECT day, hour FROM care_availability WHERE therapist_id = $1 ORDER BY day, hour";
const PUT_SETTINGS: &str = "INSERT INTO care_settings (therapist_id, utc_offset_minutes, notice_hours, session_minutes, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (therapist_id) DO UPDATE SET utc_offset_minutes = excluded.utc_offset_minutes, notice_hours = excluded.notice_hours, session_minutes = excluded.session_minutes, updated_at = excluded.updated_at";
const CLEAR_SLOTS: &str = "DELETE FROM care_availability WHERE therapist_id = $1";
const ADD_SLOT: &str =
    "INSERT INTO care_availability (therapist_id, day, hour) VALUES ($1, $2, $3)";
const BOOKABLE: &str = "SELECT u.id, u.display_name FROM users u JOIN care_settings s ON s.therapist_id = u.id WHERE u.role = 'therapist' AND EXISTS (SELECT 1 FROM care_availability a WHERE a.therapist_id = u.id) ORDER BY u.display_name, u.id";

/// The therapist's week, if they have published one.
pub async fn get(db: &Db, therapist_id: &str) -> Result<Option<StoredSchedule>> {
    let settings: Option<(i64, i64, i64)> = with_pool!(db, pool => sqlx::query_as(SETTINGS).bind(therapist_id).fetch_optional(pool).await)?;
    let Some((utc_offset_minutes, notice_hours, session_minutes)) = settings else {
        return Ok(None);
    };
    let slots: Vec<(i64, i64)> =
        with_pool!(db, pool => sqlx::query_as(SLOTS).bind(therapist_id).fetch_all(pool).await)?;
    Ok(Some(StoredSchedule {
        utc_offset_minutes,
        notice_hours,
        session_minutes,
        slots,
    }))
}

/// Replaces the therapist's week. Booked appointments are kept: a changed week only changes
/// what can be booked from now on.
pub async fn put(db: &Db, therapist_id: &str, s: &StoredSchedule) -> Result<()> {
    let now = now_ms();
    with_tx!(db, tx => {
        sqlx::query(PUT_SETTINGS).bind(therapist_id).bind(s.utc_offset_minutes).bind(s.notice_hours).bind(s.session_minutes).bind(now).execute(&mut *tx).await?;
        sqlx::query(CLEAR_SLOTS).bind(therapist_id).execute(&mut *tx).await?;
        for (day, hour) in &s.slots {
            sqlx::query(ADD_SLOT).bind(therapist_id).bind(day).bind(hour).execute(&mut *tx).await?;
        }
    });
    Ok(())
}

/// Therapists who publish at least one hour, by name: `(account id, display name)`.
pub async fn bookable(db: &Db) -> Result<Vec<(String, String)>> {
    Ok(with_pool!(db, pool => sqlx::query_as(BOOKABLE).fetch_all(pool).await)?)
}

const OFFSETS: &str = "SELECT therapist_id, utc_offset_minutes FROM care_settings";

/// Every therapist's local-time offset (for words in reminders written in bulk).
pub async fn offsets(db: &Db) -> Result<Vec<(String, i64)>> {
    Ok(with_pool!(db, pool => sqlx::query_as(OFFSETS).fetch_all(pool).await)?)
}
