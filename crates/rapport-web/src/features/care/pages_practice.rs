//! The therapist's practice page: published week, appointments, waitlist, referral requests and
//! clients' ending messages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rapport_core::FieldError;
use rapport_core::care::Schedule;
use rapport_core::care::clock;
use rapport_store::care::endings::{self, Referral};
use rapport_store::care::{appointments, feeds, offers};
use rapport_store::{messages, now_ms};
use serde::Deserialize;

use super::view::{self, Row};
use super::{booking, calendar};
use crate::auth::TherapistScope;
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// The therapist's and the admin's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care/practice", get(practice))
        .route("/care/practice/availability", post(availability))
        .route("/care/practice/appointments/{id}/cancel", post(cancel))
        .route("/care/practice/appointments/{id}/missed", post(missed))
        .route("/care/practice/calendar", post(new_feed))
        .route("/care/practice/calendar/revoke", post(revoke_feed))
}

/// One day's row of hour checkboxes in the availability form.
pub struct DayRow {
    /// Day number, Monday = 0.
    pub day: u8,
    /// "Monday".
    pub name: &'static str,
    /// `(hour, checked)` for the hours shown.
    pub hours: Vec<(u8, bool)>,
}

/// A client's ending message as the therapist sees it.
pub struct EndingView {
    /// The client's name.
    pub client_name: String,
    /// When.
    pub when: String,
    /// Whether a closing session was asked for.
    pub closing: bool,
    /// The message.
    pub message: String,
}

#[derive(Template)]
#[template(path = "care_practice.html")]
struct PracticePage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    time_zone: String,
    zone_city: String,
    zone_notice: Option<String>,
    zone_names: &'static [String],
    notice_hours: String,
    session_minutes: String,
    days: Vec<DayRow>,
    policy: String,
    upcoming: Vec<Row>,
    earlier: Vec<Row>,
    waiting: Vec<(String, String, String)>,
    referrals: Vec<(Referral, String)>,
    endings: Vec<EndingView>,
    feed_url: Option<String>,
    has_feed: bool,
}

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn day_rows(s: &Schedule) -> Vec<DayRow> {
    (0..7u8)
        .map(|day| DayRow {
            day,
            name: DAY_NAMES[usize::from(day)],
            hours: (7..=21u8)
                .map(|h| (h, s.slots.iter().any(|x| x.day == day && x.hour == h)))
                .collect(),
        })
        .collect()
}

/// The request to choose a real zone, for a week carried over from a fixed UTC offset.
fn zone_notice(minutes: i64) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!(
        "Rapport now follows real time zones. Your hours were set as UTC{sign}{:02}:{:02}, \
         which doesn't change with the clocks, and they have been kept exactly there for now. \
         Please choose your time zone below (for example Europe/London) so your weekly \
         sessions keep their time when the clocks change.",
        m / 60,
        m % 60
    )
}

/// Renders the practice page (also after a feed is made, to show its URL once).
pub async fn practice_page(
    state: &AppState,
    t: &TherapistScope,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    feed_url: Option<String>,
) -> Result<Response, AppError> {
    let now = now_ms();
    super::waitlist::advance(state, now).await?;
    let (s, carried_offset) = booking::own_schedule(state, t).await?;
    let list = appointments::for_therapist(&state.db, &state.vault, &t.user.id).await?;
    let zones = view::zones_of(state, &list, true).await?;
    let rows = view::rows(&list, &s.zone, &zones, true, now);
    let (upcoming, earlier) = view::split(rows, &list, now);
    let waiting = offers::waiting_for_therapist(&state.db, &t.user.id)
        .await?
        .into_iter()
        .map(|w| {
            let days = rapport_core::care::waitlist::Days::from_text(&w.days).numbers();
            let days = if days.is_empty() {
                "any day".to_owned()
            } else {
                days.iter()
                    .map(|d| clock::day_name(*d))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            (w.client_name, days, s.zone.plain_label(w.created_at))
        })
        .collect();
    let referrals = endings::referrals_for_therapist(&state.db, &state.vault, &t.user.id)
        .await?
        .into_iter()
        .map(|r| {
            let w = s.zone.plain_label(r.requested_at);
            (r, w)
        })
        .collect();
    let mut ending_views = Vec::new();
    for e in endings::endings_for_therapist(&state.db, &t.user.id).await? {
        let message = messages::list(&state.db, &state.vault, &e.relationship_id)
            .await?
            .into_iter()
            .filter(|m| m.kind == "ending")
            .map(|m| m.body)
            .next_back()
            .unwrap_or_default();
        ending_views.push(EndingView {
            client_name: e.client_name,
            when: e
                .ended_at
                .map(|at| s.zone.plain_label(at))
                .unwrap_or_default(),
            closing: e.closing_requested != 0,
            message,
        });
    }
    let page = PracticePage {
        layout,
        errors,
        notice,
        time_zone: s.zone.name().to_owned(),
        zone_city: s.zone.city(),
        zone_notice: carried_offset.map(zone_notice),
        zone_names: rapport_core::zone::names(),
        notice_hours: s.notice_hours.to_string(),
        session_minutes: s.session_minutes.to_string(),
        days: day_rows(&s),
        policy: s.policy_text(),
        upcoming,
        earlier,
        waiting,
        referrals,
        endings: ending_views,
        feed_url,
        has_feed: feeds::created_at(&state.db, &t.user.id).await?.is_some(),
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(status, &page))
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

async fn practice(
    State(state): State<AppState>,
    t: TherapistScope,
    layout: Layout,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let notice = match q.done.as_str() {
        "saved" => Some("Saved. Clients can book the hours you ticked."),
        "cancelled" => {
            Some("Cancelled. Your client has been told, and the time is offered to your waitlist.")
        }
        "missed" => {
            Some("Noted. Your client gets a gentle note inviting them to rebook or cancel.")
        }
        "answered" => Some("Sent. Your client sees your suggestions next to their matches."),
        "revoked" => Some("Your calendar link no longer works."),
        _ => None,
    };
    practice_page(&state, &t, layout, vec![], notice, None).await
}

async fn availability(
    State(state): State<AppState>,
    t: TherapistScope,
    layout: Layout,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let slots: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "slots")
        .map(|(_, v)| v.clone())
        .collect();
    match booking::save_schedule(
        &state,
        &t,
        &get("time_zone"),
        &get("notice_hours"),
        &get("session_minutes"),
        &slots,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/care/practice?done=saved").into_response()),
        Err(AppError::Invalid(errors)) => {
            practice_page(&state, &t, layout, errors, None, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    message: String,
}

async fn cancel(
    State(state): State<AppState>,
    t: TherapistScope,
    layout: Layout,
    Path(id): Path<String>,
    Form(f): Form<CancelForm>,
) -> Result<Response, AppError> {
    match booking::cancel(&state, &t.user, &id, &f.message, now_ms()).await {
        Ok(_) => Ok(Redirect::to("/care/practice?done=cancelled").into_response()),
        Err(e) => {
            let errors = booking::cancel_form_errors(e)?;
            practice_page(&state, &t, layout, errors, None, None).await
        }
    }
}

async fn missed(
    State(state): State<AppState>,
    t: TherapistScope,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    booking::mark_missed(&state, &t, &id, now_ms()).await?;
    Ok(Redirect::to("/care/practice?done=missed").into_response())
}

async fn new_feed(
    State(state): State<AppState>,
    t: TherapistScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let url = calendar::new_feed(&state, &t.user, now_ms()).await?;
    practice_page(
        &state,
        &t,
        layout,
        vec![],
        Some("Your new calendar link is below; it works until you revoke it."),
        Some(url),
    )
    .await
}

async fn revoke_feed(
    State(state): State<AppState>,
    t: TherapistScope,
) -> Result<Response, AppError> {
    calendar::revoke_feed(&state, &t.user).await?;
    Ok(Redirect::to("/care/practice?done=revoked").into_response())
}
