//! Booking, waitlist, calendar and outbox API under `/api/v1`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use rapport_core::care::clock::rfc3339;
use rapport_store::care::appointments::{self, Appointment};
use rapport_store::now_ms;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api_ending, booking, calendar, waitlist};
use crate::auth::{AdminScope, ClientScope, TherapistScope, Viewer};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;

/// The care routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(therapists))
        .routes(routes!(therapist))
        .routes(routes!(set_availability))
        .routes(routes!(list_appointments, book))
        .routes(routes!(cancel))
        .routes(routes!(missed))
        .routes(routes!(appointment_ics))
        .routes(routes!(waitlist_list, join_waitlist))
        .routes(routes!(leave_waitlist))
        .routes(routes!(accept_offer))
        .routes(routes!(decline_offer))
        .routes(routes!(new_feed, revoke_feed))
        .routes(routes!(admin_outbox))
        .merge(api_ending::router())
}

/// An appointment as the API shows it (times in RFC 3339 UTC).
pub fn appointment_json(a: &Appointment) -> Value {
    json!({
        "id": a.id, "therapist_id": a.therapist_id, "therapist_name": a.therapist_name, "client_name": a.client_name,
        "kind": a.kind, "status": a.status, "starts_at": rfc3339(a.starts_at), "ends_at": rfc3339(a.ends_at),
        "series_id": a.series_id, "hold_expires_at": a.hold_expires_at.map(rfc3339), "cancelled_by": a.cancelled_by,
        "cancel_message": a.cancel_message, "late_cancel": a.late_cancel,
    })
}

/// Therapists who take bookings through Rapport.
#[utoipa::path(get, path = "/api/v1/care/therapists", tag = "care", responses((status = 200, description = "Therapists with a published week", body = [Object])))]
async fn therapists(
    State(state): State<AppState>,
    _viewer: Viewer,
) -> Result<Json<Value>, AppError> {
    let list = rapport_store::care::schedule::bookable(&state.db).await?;
    Ok(Json(Value::Array(
        list.into_iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect(),
    )))
}

/// A therapist's week, cancellation policy and free times in the coming four weeks.
#[utoipa::path(get, path = "/api/v1/care/therapists/{id}", tag = "care", params(("id" = String, Path)),
    responses((status = 200, description = "Policy and free times", body = Object), (status = 404, description = "No such therapist, or no published week")))]
async fn therapist(
    State(state): State<AppState>,
    _viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let t = booking::therapist(&state, &id).await?;
    let free = booking::free_slots(&state, &t, now_ms()).await?;
    Ok(Json(json!({
        "id": t.id, "name": t.name, "time_zone": t.schedule.zone.name(), "notice_hours": t.schedule.notice_hours,
        "session_minutes": t.schedule.session_minutes, "policy": t.schedule.policy_text(),
        "slots": t.schedule.slots.iter().map(|s| json!({"day": s.day, "hour": s.hour, "label": s.label()})).collect::<Vec<_>>(),
        "free": free.into_iter().map(rfc3339).collect::<Vec<_>>(),
    })))
}

/// One published hour of the week.
#[derive(Deserialize, ToSchema)]
pub struct SlotIn {
    /// Monday = 0 … Sunday = 6.
    pub day: i64,
    /// 0 … 23, local time.
    pub hour: i64,
}

/// A therapist's week.
#[derive(Deserialize, ToSchema)]
pub struct AvailabilityIn {
    /// Your IANA time zone, like `Europe/London`: the hours are wall-clock times in it and keep
    /// their time when the clocks change. Leave out to keep your account's zone (this also sets
    /// your account's zone).
    #[serde(default)]
    pub time_zone: String,
    /// Cancellation notice asked for, in hours (0-168).
    #[serde(default)]
    pub notice_hours: i64,
    /// Length of an appointment in minutes (15-180).
    #[serde(default = "fifty")]
    pub session_minutes: i64,
    /// The hours offered each week.
    #[serde(default)]
    pub slots: Vec<SlotIn>,
}

fn fifty() -> i64 {
    50
}

/// Publish your week (therapists): replaces the previous one; booked appointments stay.
#[utoipa::path(put, path = "/api/v1/care/availability", tag = "care", request_body = AvailabilityIn,
    responses((status = 200, description = "Saved", body = Object), (status = 422, description = "Invalid fields, each named")))]
async fn set_availability(
    State(state): State<AppState>,
    t: TherapistScope,
    ApiJson(input): ApiJson<AvailabilityIn>,
) -> Result<Json<Value>, AppError> {
    let slots: Vec<String> = input
        .slots
        .iter()
        .map(|s| format!("{}-{}", s.day, s.hour))
        .collect();
    let s = booking::save_schedule(
        &state,
        &t,
        &input.time_zone,
        &input.notice_hours.to_string(),
        &input.session_minutes.to_string(),
        &slots,
    )
    .await?;
    Ok(Json(
        json!({"time_zone": s.zone.name(), "notice_hours": s.notice_hours, "session_minutes": s.session_minutes, "policy": s.policy_text(), "slots": s.slots}),
    ))
}

/// Your appointments and offers (as client or therapist), earliest first.
#[utoipa::path(get, path = "/api/v1/care/appointments", tag = "care", responses((status = 200, description = "Appointments", body = [Object])))]
async fn list_appointments(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Value>, AppError> {
    let list = match viewer.user.role {
        rapport_store::users::Role::Therapist => {
            appointments::for_therapist(&state.db, &state.vault, &viewer.user.id).await?
        }
        _ => appointments::for_client(&state.db, &state.vault, &viewer.user.id).await?,
    };
    Ok(Json(Value::Array(
        list.iter().map(appointment_json).collect(),
    )))
}

/// A booking: one time, or the same time weekly.
#[derive(Deserialize, ToSchema)]
pub struct BookingIn {
    /// The therapist's account id.
    #[serde(default)]
    pub therapist_id: String,
    /// One of the free times, RFC 3339 (`2026-03-03T18:00:00Z`).
    #[serde(default)]
    pub starts_at: String,
    /// `consultation`, `session` or `closing`.
    #[serde(default)]
    pub kind: String,
    /// 1 for a one-off (default), up to 12 for the same time each week.
    #[serde(default)]
    pub weeks: Option<u32>,
}

/// Book an appointment (clients). All weekly occurrences are booked or none.
#[utoipa::path(post, path = "/api/v1/care/appointments", tag = "care", request_body = BookingIn,
    responses((status = 201, description = "Booked", body = [Object]), (status = 409, description = "The time was just taken"), (status = 422, description = "Past, not offered, or not possible at this stage")))]
async fn book(
    State(state): State<AppState>,
    client: ClientScope,
    ApiJson(input): ApiJson<BookingIn>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let weeks = input.weeks.map(|w| w.to_string()).unwrap_or_default();
    let req = booking::parse_booking(&input.starts_at, &input.kind, &weeks)?;
    let booked = booking::book(&state, &client, &input.therapist_id, &req, now_ms()).await?;
    Ok((
        StatusCode::CREATED,
        Json(Value::Array(booked.iter().map(appointment_json).collect())),
    ))
}

/// A cancellation message (optional).
#[derive(Deserialize, ToSchema)]
pub struct CancelIn {
    /// A few words for the other side.
    #[serde(default)]
    pub message: String,
}

/// Cancel one of your appointments before it starts; the slot goes to the waitlist.
#[utoipa::path(post, path = "/api/v1/care/appointments/{id}/cancel", tag = "care", params(("id" = String, Path)), request_body = CancelIn,
    responses((status = 200, description = "Cancelled", body = Object), (status = 404, description = "Not yours"), (status = 409, description = "Already started or not booked")))]
async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CancelIn>,
) -> Result<Json<Value>, AppError> {
    let a = booking::cancel(&state, &viewer.user, &id, &input.message, now_ms()).await?;
    Ok(Json(appointment_json(&a)))
}

/// Record that a client did not come (therapists, after the start); the client gets a gentle nudge.
#[utoipa::path(post, path = "/api/v1/care/appointments/{id}/missed", tag = "care", params(("id" = String, Path)),
    responses((status = 200, description = "Recorded", body = Object), (status = 404, description = "Not yours"), (status = 409, description = "Not started or not booked")))]
async fn missed(
    State(state): State<AppState>,
    t: TherapistScope,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    booking::mark_missed(&state, &t, &id, now_ms()).await?;
    Ok(Json(json!({"status": "missed"})))
}

/// One appointment as an iCalendar file.
#[utoipa::path(get, path = "/api/v1/care/appointments/{id}/ics", tag = "care", params(("id" = String, Path)),
    responses((status = 200, description = "text/calendar", body = String, content_type = "text/calendar"), (status = 404, description = "Not yours")))]
async fn appointment_ics(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let text = calendar::one(&state, &viewer.user, &id).await?;
    Ok(([(header::CONTENT_TYPE, calendar::CONTENT_TYPE)], text))
}

/// Your waitlist entries and open offers (clients).
#[utoipa::path(get, path = "/api/v1/care/waitlist", tag = "care", responses((status = 200, description = "Entries and offers", body = Object)))]
async fn waitlist_list(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Json<Value>, AppError> {
    let now = now_ms();
    let offers = waitlist::open_offers(&state, &client, now).await?;
    let entries = waitlist::entries(&state, &client).await?;
    Ok(Json(
        json!({"entries": entries, "offers": offers.iter().map(appointment_json).collect::<Vec<_>>()}),
    ))
}

/// Joining a waitlist.
#[derive(Deserialize, ToSchema)]
pub struct JoinIn {
    /// The therapist's account id (or give `practice_id` instead).
    #[serde(default)]
    pub therapist_id: String,
    /// A practice's id instead of a therapist: wait for any of its therapists.
    #[serde(default)]
    pub practice_id: String,
    /// Weekdays you can make (0 = Monday); empty for any day.
    #[serde(default)]
    pub days: Vec<i64>,
}

/// Join a therapist's waitlist, or a practice's (`practice_id`: any of its therapists): freed
/// times are offered first come, first served.
#[utoipa::path(post, path = "/api/v1/care/waitlist", tag = "care", request_body = JoinIn,
    responses((status = 201, description = "Joined", body = Object), (status = 409, description = "Already waiting"), (status = 422, description = "No such practice, or both or neither of therapist_id and practice_id")))]
async fn join_waitlist(
    State(state): State<AppState>,
    client: ClientScope,
    ApiJson(input): ApiJson<JoinIn>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let id = match (input.therapist_id.is_empty(), input.practice_id.is_empty()) {
        (false, true) => {
            waitlist::join(&state, &client, &input.therapist_id, &input.days, now_ms()).await?
        }
        (true, false) => {
            waitlist::join_practice(&state, &client, &input.practice_id, &input.days, now_ms())
                .await?
        }
        _ => {
            return Err(AppError::field(
                "practice_id",
                "give one of therapist_id and practice_id",
            ));
        }
    };
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// Leave a waitlist.
#[utoipa::path(delete, path = "/api/v1/care/waitlist/{id}", tag = "care", params(("id" = String, Path)),
    responses((status = 204, description = "Left"), (status = 404, description = "Not yours or not waiting")))]
async fn leave_waitlist(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    waitlist::leave(&state, &client, &id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept a freed time held for you; refused clearly once the hold has expired.
#[utoipa::path(post, path = "/api/v1/care/offers/{id}/accept", tag = "care", params(("id" = String, Path)),
    responses((status = 200, description = "Booked", body = Object), (status = 404, description = "No such offer for you"), (status = 409, description = "Expired or already accepted")))]
async fn accept_offer(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let a = waitlist::accept(&state, &client, &id, now_ms()).await?;
    Ok(Json(appointment_json(&a)))
}

/// Let an offer go, so the next person hears at once.
#[utoipa::path(post, path = "/api/v1/care/offers/{id}/decline", tag = "care", params(("id" = String, Path)),
    responses((status = 204, description = "Passed on"), (status = 404, description = "No open offer for you")))]
async fn decline_offer(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    waitlist::decline(&state, &client, &id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Make a new secret calendar feed URL (the previous one stops working). Shown only now.
#[utoipa::path(post, path = "/api/v1/care/calendar", tag = "care", responses((status = 201, description = "The feed URL", body = Object)))]
async fn new_feed(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let url = calendar::new_feed(&state, &viewer.user, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(json!({"url": url}))))
}

/// Revoke your calendar feed URL at once.
#[utoipa::path(delete, path = "/api/v1/care/calendar", tag = "care", responses((status = 204, description = "Revoked"), (status = 404, description = "There was no feed")))]
async fn revoke_feed(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<StatusCode, AppError> {
    if calendar::revoke_feed(&state, &viewer.user).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

/// The e-mail outbox of the administrator's own practice: recipient, subject, status, attempts
/// and errors of mail to or about its therapists; never bodies, never another practice's mail.
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "care", responses((status = 200, description = "Newest 200 messages of your practice", body = [Object]), (status = 403, description = "Not an administrator, or not in a practice")))]
async fn admin_outbox(
    State(state): State<AppState>,
    admin: AdminScope,
) -> Result<Json<Value>, AppError> {
    Ok(Json(json!(super::outbox::for_admin(&state, &admin).await?)))
}
