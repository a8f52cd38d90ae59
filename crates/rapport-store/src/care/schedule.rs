//! A therapist's published week: time zone (their account's), cancellation notice, session
//! length and the hours offered. Replaced whole on each save, in one transaction.

use rapport_core::zone::Zone;
use serde::Serialize;

use crate::{Db, Result, now_ms, with_pool, with_tx};

/// A therapist's stored week (the core's `Schedule` is built from it).
#[derive(Clone, Debug, Serialize)]
pub struct StoredSchedule {
    /// The therapist's time zone (their account's): the hours are wall-clock times in it.
    pub time_zone: Zone,
    /// When the zone was carried over from an old fixed UTC offset (minutes east), that offset:
    /// the week page asks the therapist to choose their city's zone. Cleared on save.
    pub zone_notice_offset: Option<i64>,
    /// Cancellation notice asked for, hours.
    pub notice_hours: i64,
    /// Length of an appointment, minutes.
    pub session_minutes: i64,
    /// `(day, hour)` pairs, Monday = 0.
    pub slots: Vec<(i64, i64)>,
}

const SETTINGS: &str = "SELECT u.time_zone, s.zone_notice_offset, s.notice_hours, s.session_minutes FROM care_settings s JOIN users u ON u.id = s.therapist_id WHERE s.therapist_id = $1";
const SLOTS: &str =
    "SELECT day, hour FROM care_availability WHERE therapist_id = $1 ORDER BY day, hour";
const PUT_SETTINGS: &str = "INSERT INTO care_settings (therapist_id, zone_notice_offset, notice_hours, session_minutes, updated_at) VALUES ($1, NULL, $2, $3, $4) ON CONFLICT (therapist_id) DO UPDATE SET zone_notice_offset = NULL, notice_hours = excluded.notice_hours, session_minutes = excluded.session_minutes, updated_at = excluded.updated_at";
const PUT_ZONE: &str = "UPDATE users SET time_zone = $1 WHERE id = $2";
const CLEAR_SLOTS: &str = "DELETE FROM care_availability WHERE therapist_id = $1";
const ADD_SLOT: &str =
    "INSERT INTO care_availability (therapist_id, day, hour) VALUES ($1, $2, $3)";
const BOOKABLE: &str = "SELECT u.id, u.display_name FROM users u JOIN care_settings s ON s.therapist_id = u.id WHERE u.role = 'therapist' AND EXISTS (SELECT 1 FROM care_availability a WHERE a.therapist_id = u.id) ORDER BY u.display_name, u.id";

/// The therapist's week, if they have published one.
pub async fn get(db: &Db, therapist_id: &str) -> Result<Option<StoredSchedule>> {
    let settings: Option<(String, Option<i64>, i64, i64)> = with_pool!(db, pool => sqlx::query_as(SETTINGS).bind(therapist_id).fetch_optional(pool).await)?;
    let Some((zone, zone_notice_offset, notice_hours, session_minutes)) = settings else {
        return Ok(None);
    };
    let slots: Vec<(i64, i64)> =
        with_pool!(db, pool => sqlx::query_as(SLOTS).bind(therapist_id).fetch_all(pool).await)?;
    Ok(Some(StoredSchedule {
        time_zone: Zone::stored(&zone),
        zone_notice_offset,
        notice_hours,
        session_minutes,
        slots,
    }))
}

/// Replaces the therapist's week and sets their account's time zone, in one transaction (the
/// carried-over-offset notice is cleared: they have now chosen). Booked appointments are kept:
/// a changed week only changes what can be booked from now on.
pub async fn put(db: &Db, therapist_id: &str, s: &StoredSchedule) -> Result<()> {
    let now = now_ms();
    with_tx!(db, tx => {
        sqlx::query(PUT_SETTINGS).bind(therapist_id).bind(s.notice_hours).bind(s.session_minutes).bind(now).execute(&mut *tx).await?;
        sqlx::query(PUT_ZONE).bind(s.time_zone.name()).bind(therapist_id).execute(&mut *tx).await?;
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
