//! Calendars: a secret, revocable feed URL per account and a `.ics` file per appointment, both
//! written by the core's RFC 5545 writer. Only a hash of the feed token is stored, so a copy of
//! the database does not reveal anyone's feed URL.

use rapport_core::care::ics::{self, Event, EventStatus};
use rapport_store::care::appointments::{self, Appointment};
use rapport_store::care::feeds;
use rapport_store::users::User;

use crate::error::AppError;
use crate::security::secret;
use crate::state::AppState;

/// The media type of every calendar answer.
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

/// Makes a new feed URL for the account (revoking the previous one) and returns it: the only
/// time the token is ever shown.
pub async fn new_feed(state: &AppState, user: &User, now: i64) -> Result<String, AppError> {
    let token = secret::random_token();
    feeds::set(&state.db, &user.id, &secret::hash(&token), now).await?;
    Ok(format!("{}/calendar/{token}.ics", state.config.base_url()))
}

/// Revokes the account's feed URL at once.
pub async fn revoke_feed(state: &AppState, user: &User) -> Result<bool, AppError> {
    Ok(feeds::revoke(&state.db, &user.id).await?)
}

/// The feed for a token (`<token>.ics`): every appointment of its owner, cancelled ones marked
/// so calendars remove them. An unknown or revoked token is a 404 that reveals nothing.
pub async fn feed(state: &AppState, file: &str) -> Result<String, AppError> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    if token.is_empty() || token.len() > 128 {
        return Err(AppError::NotFound);
    }
    let user_id = feeds::owner(&state.db, &secret::hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let user = rapport_store::users::by_id(&state.db, &user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let list = if user.role == rapport_store::users::Role::Therapist {
        appointments::for_therapist(&state.db, &state.vault, &user.id).await?
    } else {
        appointments::for_client(&state.db, &state.vault, &user.id).await?
    };
    let events: Vec<Event> = list
        .iter()
        .filter(|a| a.status != "lapsed")
        .map(|a| event(state, &user, a))
        .collect();
    Ok(ics::calendar("Rapport appointments", &events))
}

/// One appointment of the viewer's as a calendar file; anyone else's is a 404.
pub async fn one(state: &AppState, user: &User, id: &str) -> Result<String, AppError> {
    let a = appointments::get_for(&state.db, &state.vault, id, &user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ics::calendar(
        "Rapport appointment",
        &[event(state, user, &a)],
    ))
}

fn event(state: &AppState, viewer: &User, a: &Appointment) -> Event {
    let with = if viewer.id == a.therapist_id {
        &a.client_name
    } else {
        &a.therapist_name
    };
    let what = match a.kind.as_str() {
        "consultation" => "Intro consultation",
        "closing" => "Closing session",
        _ => "Session",
    };
    let status = match a.status.as_str() {
        "booked" | "missed" => EventStatus::Confirmed,
        "held" => EventStatus::Tentative,
        _ => EventStatus::Cancelled,
    };
    let host = state.config.base_url();
    let host = host
        .split("://")
        .nth(1)
        .unwrap_or("rapport")
        .split(['/', ':'])
        .next()
        .unwrap_or("rapport")
        .to_owned();
    Event {
        uid: format!("{}@{host}", a.id),
        stamp: a.cancelled_at.unwrap_or(a.created_at),
        start: a.starts_at,
        end: a.ends_at,
        summary: format!("{what} with {with}"),
        description: Some(format!(
            "Booked through Rapport. Manage it at {}/care",
            state.config.base_url()
        )),
        status,
        sequence: u32::try_from(a.sequence).unwrap_or(0),
    }
}
