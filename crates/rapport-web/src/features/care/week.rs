//! A therapist's published week: saving it (parsed into the core's `Schedule`), reading it back,
//! and the free times it leaves.

use rapport_core::FieldError;
use rapport_core::care::schedule::HORIZON_WEEKS;
use rapport_core::care::{Schedule, WeeklySlot};
use rapport_core::zone::Zone;
use rapport_store::care::appointments;
use rapport_store::care::schedule::{self as stored, StoredSchedule};
use rapport_store::users::Role;

use crate::auth::TherapistScope;
use crate::error::AppError;
use crate::state::AppState;

/// A therapist who takes bookings, with their week.
#[derive(Clone, Debug)]
pub struct Therapist {
    /// Account id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Their published week and policy.
    pub schedule: Schedule,
}

/// Builds the core schedule from what is stored (values were checked when saved).
pub fn to_schedule(s: &StoredSchedule) -> Result<Schedule, AppError> {
    let slots = s
        .slots
        .iter()
        .filter_map(|(d, h)| WeeklySlot::new(*d, *h))
        .collect();
    Schedule::new(
        s.time_zone.clone(),
        slots,
        s.notice_hours,
        s.session_minutes,
    )
    .map_err(|e| AppError::Internal(format!("stored schedule no longer valid: {e}")))
}

/// A therapist's week; 404 for anyone who is not a therapist or has not published one.
pub async fn therapist(state: &AppState, id: &str) -> Result<Therapist, AppError> {
    let user = rapport_store::users::by_id(&state.db, id)
        .await?
        .filter(|u| u.role == Role::Therapist)
        .ok_or(AppError::NotFound)?;
    let s = stored::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Therapist {
        id: user.id,
        name: user.display_name,
        schedule: to_schedule(&s)?,
    })
}

/// The therapist's own week, or an empty one in their zone with a 24-hour policy when none is
/// saved; with it, the old fixed offset their zone was carried over from, if it still needs a
/// look (see the `0012_time_zones` migration).
pub async fn own_schedule(
    state: &AppState,
    t: &TherapistScope,
) -> Result<(Schedule, Option<i64>), AppError> {
    match stored::get(&state.db, &t.user.id).await? {
        Some(s) => Ok((to_schedule(&s)?, s.zone_notice_offset)),
        None => Ok((
            Schedule::new(t.user.time_zone.clone(), vec![], 24, 50).map_err(AppError::from)?,
            None,
        )),
    }
}

/// Free starts in the coming weeks: the published hours minus those held or booked.
pub async fn free_slots(state: &AppState, t: &Therapist, now: i64) -> Result<Vec<i64>, AppError> {
    let taken = appointments::taken(&state.db, &t.id, now).await?;
    Ok(t.schedule
        .upcoming(now, HORIZON_WEEKS)
        .into_iter()
        .filter(|s| !taken.contains(s))
        .collect())
}

/// Parses and saves a therapist's week: time zone (their account's; empty keeps it), notice
/// hours, session length and `day-hour` slots.
pub async fn save_schedule(
    state: &AppState,
    t: &TherapistScope,
    time_zone: &str,
    notice_hours: &str,
    session_minutes: &str,
    slots: &[String],
) -> Result<Schedule, AppError> {
    let mut errors = Vec::new();
    let zone = if time_zone.trim().is_empty() {
        Some(t.user.time_zone.clone())
    } else {
        Zone::parse("time_zone", time_zone)
            .map_err(|e| errors.push(e))
            .ok()
    };
    let number = |field: &str, v: &str, errors: &mut Vec<FieldError>| match v.trim().parse::<i64>()
    {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(field, "must be a whole number"));
            None
        }
    };
    let notice = number("notice_hours", notice_hours, &mut errors);
    let minutes = number("session_minutes", session_minutes, &mut errors);
    let mut parsed = Vec::new();
    for raw in slots {
        match raw
            .split_once('-')
            .and_then(|(d, h)| WeeklySlot::new(d.trim().parse().ok()?, h.trim().parse().ok()?))
        {
            Some(s) => parsed.push(s),
            None => errors.push(FieldError::new(
                "slots",
                "each slot must be a day 0-6 and an hour 0-23, like 1-18",
            )),
        }
    }
    let (Some(zone), Some(notice), Some(minutes)) = (zone, notice, minutes) else {
        return Err(AppError::Invalid(errors));
    };
    let schedule = Schedule::new(zone, parsed, notice, minutes).map_err(|e| {
        errors.extend(e.0);
        AppError::Invalid(errors.clone())
    })?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let s = StoredSchedule {
        time_zone: schedule.zone.clone(),
        zone_notice_offset: None,
        notice_hours: i64::from(schedule.notice_hours),
        session_minutes: i64::from(schedule.session_minutes),
        slots: schedule
            .slots
            .iter()
            .map(|s| (i64::from(s.day), i64::from(s.hour)))
            .collect(),
    };
    stored::put(&state.db, &t.user.id, &s).await?;
    Ok(schedule)
}
