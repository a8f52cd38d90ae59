//! Relationship stages, leaving well, referrals and the therapist's practice overview under
//! `/api/v1`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rapport_core::care::EndingChoice;
use rapport_store::care::appointments;
use rapport_store::care::endings;
use rapport_store::care::offers;
use rapport_store::now_ms;
use rapport_store::relationships;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::appointment_json;
use super::{booking, ending};
use crate::auth::{ClientScope, TherapistScope};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;

/// The routes of this file.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(relationship))
        .routes(routes!(ending_preview))
        .routes(routes!(end))
        .routes(routes!(finish))
        .routes(routes!(my_referrals))
        .routes(routes!(practice))
        .routes(routes!(answer_referral))
}

/// A relationship's stage, its appointments and any referral suggestions (clients).
#[utoipa::path(get, path = "/api/v1/care/relationships/{id}", tag = "care", params(("id" = String, Path)),
    responses((status = 200, description = "Stage, appointments, referral", body = Object), (status = 404, description = "Not yours")))]
async fn relationship(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let rel = relationships::get_for_client(&state.db, &client.user.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let stage = booking::stage_of(&state, &rel.id).await?;
    let stored = endings::stage(&state.db, &rel.id).await?;
    let list: Vec<Value> = match &rel.therapist_user_id {
        Some(t) => appointments::for_client(&state.db, &state.vault, &client.user.id)
            .await?
            .iter()
            .filter(|a| &a.therapist_id == t)
            .map(appointment_json)
            .collect(),
        None => vec![],
    };
    let referrals: Vec<Value> = ending::client_referrals(&state, &client).await?.into_iter().filter(|(r, _)| r.relationship_id == rel.id)
        .map(|(r, s)| json!({"id": r.id, "answered": r.answered_at.is_some(), "note": r.note, "suggestions": s})).collect();
    Ok(Json(
        json!({"relationship": rel, "stage": stage, "ended_at": stored.as_ref().and_then(|s| s.ended_at), "ending_reason": stored.and_then(|s| s.ending_reason), "appointments": list, "referrals": referrals}),
    ))
}

/// What the client chose when ending.
#[derive(Deserialize, ToSchema)]
pub struct EndingIn {
    /// The private reason (a fit-profile word such as `too_intense`; never shown to the therapist).
    #[serde(default)]
    pub reason: String,
    /// `not_continuing`, `different_approach`, `referral` or `cant_make_it`.
    #[serde(default)]
    pub message: String,
    /// Ask for one closing session (the next booked appointment becomes it).
    #[serde(default)]
    pub closing_session: bool,
    /// Ask for a referral to a colleague.
    #[serde(default)]
    pub referral: bool,
    /// A line of your own (optional, up to 1000 characters).
    #[serde(default)]
    pub addition: String,
    /// Must be `true` to end: nothing is sent or cancelled without it.
    #[serde(default)]
    pub confirm: bool,
}

fn choice(input: &EndingIn) -> Result<EndingChoice, AppError> {
    Ok(EndingChoice::parse(
        &input.reason,
        &input.message,
        input.closing_session,
        input.referral,
        &input.addition,
    )?)
}

/// Preview an ending: the message exactly as it would be sent and what would be cancelled. Nothing is stored or sent.
#[utoipa::path(post, path = "/api/v1/care/relationships/{id}/ending/preview", tag = "care", params(("id" = String, Path)), request_body = EndingIn,
    responses((status = 200, description = "The preview", body = Object), (status = 422, description = "Invalid fields, each named")))]
async fn ending_preview(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EndingIn>,
) -> Result<Json<Value>, AppError> {
    let p = ending::preview(&state, &client, &id, choice(&input)?, now_ms()).await?;
    Ok(Json(json!({
        "message": p.message, "sent_to_therapist": p.can_send, "stage_after": p.stage_after,
        "will_cancel": p.to_cancel.iter().map(appointment_json).collect::<Vec<_>>(),
        "closing_session": p.closing.as_ref().map(appointment_json), "referral": p.choice.referral,
    })))
}

/// End a relationship (`confirm: true`): sends the message, cancels future appointments (freed
/// times go to the waitlist), asks for a referral if chosen, and updates your fit profile.
#[utoipa::path(post, path = "/api/v1/care/relationships/{id}/ending", tag = "care", params(("id" = String, Path)), request_body = EndingIn,
    responses((status = 201, description = "Ended", body = Object), (status = 409, description = "Already ended"), (status = 422, description = "Not confirmed or invalid fields")))]
async fn end(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EndingIn>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let c = choice(&input)?;
    if !input.confirm {
        return Err(AppError::field(
            "confirm",
            "must be true: nothing is sent or cancelled without your confirmation",
        ));
    }
    let (p, outcome) = ending::confirm(&state, &client, &id, c, now_ms()).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"stage": p.stage_after, "message_sent": outcome.message_id.is_some(), "cancelled": outcome.cancelled, "closing_session": outcome.closing_id, "referral_requested": outcome.referral_id.is_some(), "next": "/match"}),
        ),
    ))
}

/// Finish an ending relationship without (or after) the closing session.
#[utoipa::path(post, path = "/api/v1/care/relationships/{id}/finish", tag = "care", params(("id" = String, Path)),
    responses((status = 200, description = "Ended", body = Object), (status = 409, description = "Not ending")))]
async fn finish(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    ending::finish(&state, &client, &id, now_ms()).await?;
    Ok(Json(json!({"stage": "ended"})))
}

/// Your referral requests and the colleagues suggested (clients).
#[utoipa::path(get, path = "/api/v1/care/referrals", tag = "care", responses((status = 200, description = "Referrals with suggestions", body = [Object])))]
async fn my_referrals(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Json<Value>, AppError> {
    let list = ending::client_referrals(&state, &client).await?;
    Ok(Json(Value::Array(list.into_iter().map(|(r, s)| json!({"id": r.id, "therapist_name": r.therapist_name, "answered": r.answered_at.is_some(), "note": r.note, "suggestions": s})).collect())))
}

/// Your practice (therapists): appointments, waitlist, referral requests and endings (never the
/// client's private reason).
#[utoipa::path(get, path = "/api/v1/care/practice", tag = "care", responses((status = 200, description = "Overview", body = Object)))]
async fn practice(
    State(state): State<AppState>,
    t: TherapistScope,
) -> Result<Json<Value>, AppError> {
    let list = appointments::for_therapist(&state.db, &state.vault, &t.user.id).await?;
    let waiting = offers::waiting_for_therapist(&state.db, &t.user.id).await?;
    let referrals = endings::referrals_for_therapist(&state.db, &state.vault, &t.user.id).await?;
    let ended = endings::endings_for_therapist(&state.db, &t.user.id).await?;
    Ok(Json(json!({
        "appointments": list.iter().map(appointment_json).collect::<Vec<_>>(),
        "waitlist": waiting.iter().map(|w| json!({"id": w.id, "client_name": w.client_name, "days": w.days, "joined_at": w.created_at})).collect::<Vec<_>>(),
        "referrals": referrals.iter().map(|r| json!({"id": r.id, "client_name": r.client_name, "requested_at": r.requested_at, "answered": r.answered_at.is_some()})).collect::<Vec<_>>(),
        "endings": ended,
    })))
}

/// A referral answer.
#[derive(Deserialize, ToSchema)]
pub struct ReferralIn {
    /// 1 to 3 directory listing ids.
    #[serde(default)]
    pub listing_ids: Vec<String>,
    /// A short note for the client (optional).
    #[serde(default)]
    pub note: String,
}

/// Answer a referral request with colleagues from the directory (therapists).
#[utoipa::path(post, path = "/api/v1/care/referrals/{id}/answer", tag = "care", params(("id" = String, Path)), request_body = ReferralIn,
    responses((status = 200, description = "Sent to the client", body = Object), (status = 404, description = "Not yours"), (status = 409, description = "Already answered"), (status = 422, description = "Invalid picks")))]
async fn answer_referral(
    State(state): State<AppState>,
    t: TherapistScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReferralIn>,
) -> Result<Json<Value>, AppError> {
    let s =
        ending::answer_referral(&state, &t, &id, &input.listing_ids, &input.note, now_ms()).await?;
    Ok(Json(json!({"suggestions": s})))
}
