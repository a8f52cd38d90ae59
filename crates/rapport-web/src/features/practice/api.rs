//! Practice administration under `/api/v1/practices/{id}`: members, waitlists, aggregate
//! outcomes, effectiveness write-back and the CSV export. Every route takes a [`PracticeScope`],
//! so an administrator only ever reaches their own practice.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_store::{audit, practices};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::scope::{PracticeScope, audit_key};
use super::{csv, service};
use crate::auth::Viewer;
use crate::error::{ApiJson, AppError};
use crate::paging::PAGE_SIZE;
use crate::state::AppState;

/// The practice routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_practice))
        .routes(routes!(show))
        .routes(routes!(add_therapist))
        .routes(routes!(remove_therapist))
        .routes(routes!(waitlist))
        .routes(routes!(outcomes))
        .routes(routes!(publish))
        .routes(routes!(export_csv))
}

/// The practice you belong to (therapists and administrators), or null.
#[utoipa::path(get, path = "/api/v1/me/practice", tag = "practice", responses((status = 200, description = "Your practice, or null", body = Option<Object>)))]
async fn my_practice(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Value>, AppError> {
    Ok(Json(json!(
        practices::of_user(&state.db, &viewer.user.id).await?
    )))
}

/// Your practice: its members, and the newest 100 refused attempts of other administrators to
/// read it (`refused_attempts_truncated` says when there are older ones).
#[utoipa::path(get, path = "/api/v1/practices/{id}", tag = "practice", operation_id = "show_practice", params(("id" = String, Path)),
    responses((status = 200, description = "Practice", body = Object), (status = 403, description = "Not your practice (the attempt is recorded)")))]
async fn show(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Value>, AppError> {
    let members = service::members(&state, &scope).await?;
    let (refused, more) =
        audit::page(&state.db, &audit_key(&scope.practice.id), 1, PAGE_SIZE).await?;
    Ok(Json(
        json!({"practice": scope.practice, "members": members, "refused_attempts": refused, "refused_attempts_truncated": more}),
    ))
}

/// A therapist to add.
#[derive(Deserialize, ToSchema)]
pub struct AddTherapist {
    /// Their account's e-mail address; they must not belong to another practice.
    #[serde(default)]
    pub email: String,
}

/// Add a therapist who belongs to no practice yet.
#[utoipa::path(post, path = "/api/v1/practices/{id}/therapists", tag = "practice", params(("id" = String, Path)), request_body = AddTherapist,
    responses((status = 201, description = "Added", body = Object), (status = 409, description = "Already in a practice"), (status = 422, description = "Not a therapist's account")))]
async fn add_therapist(
    State(state): State<AppState>,
    scope: PracticeScope,
    ApiJson(input): ApiJson<AddTherapist>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let m = service::add_therapist(&state, &scope, &input.email).await?;
    Ok((StatusCode::CREATED, Json(json!(m))))
}

/// Take a therapist out of the practice.
#[utoipa::path(delete, path = "/api/v1/practices/{id}/therapists/{user_id}", tag = "practice", params(("id" = String, Path), ("user_id" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, description = "Not a therapist of this practice")))]
async fn remove_therapist(
    State(state): State<AppState>,
    scope: PracticeScope,
    Path(ids): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    service::remove_therapist(&state, &scope, &ids.1).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many wait for each therapist, and for how long (counts only).
#[utoipa::path(get, path = "/api/v1/practices/{id}/waitlist", tag = "practice", params(("id" = String, Path)), responses((status = 200, description = "Waitlists", body = [service::WaitLine])))]
async fn waitlist(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Vec<service::WaitLine>>, AppError> {
    Ok(Json(service::waitlist(&state, &scope).await?))
}

/// Aggregate outcomes per therapist (reliable improvement and recovery, raw and shrunk toward
/// the practice's rate) and per-concern effectiveness. Recorded for every client counted.
#[utoipa::path(get, path = "/api/v1/practices/{id}/outcomes", tag = "practice", params(("id" = String, Path)), responses((status = 200, description = "Aggregates", body = service::Overview)))]
async fn outcomes(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<service::Overview>, AppError> {
    Ok(Json(
        service::overview(&state, &scope, "view_aggregate").await?,
    ))
}

/// Write measured effectiveness to the listings of therapists who consent (and clear it for
/// those who do not); matching uses it at once.
#[utoipa::path(post, path = "/api/v1/practices/{id}/effectiveness", tag = "practice", params(("id" = String, Path)), responses((status = 200, description = "What was written", body = [Object])))]
async fn publish(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Json<Value>, AppError> {
    let written = service::publish_effectiveness(&state, &scope).await?;
    Ok(Json(json!(
        written
            .into_iter()
            .map(|(id, w)| json!({"therapist_id": id, "result": w}))
            .collect::<Vec<_>>()
    )))
}

/// The aggregates as CSV, one line per therapist (no client data, no free text).
#[utoipa::path(get, path = "/api/v1/practices/{id}/export.csv", tag = "practice", params(("id" = String, Path)),
    responses((status = 200, description = "CSV", body = String, content_type = "text/csv")))]
async fn export_csv(
    State(state): State<AppState>,
    scope: PracticeScope,
) -> Result<Response, AppError> {
    csv_response(&state, &scope).await
}

/// The CSV download, shared with the page route.
pub async fn csv_response(state: &AppState, scope: &PracticeScope) -> Result<Response, AppError> {
    let o = service::overview(state, scope, "export_aggregate").await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"practice-outcomes.csv\"".to_owned(),
            ),
        ],
        csv::write(&o),
    )
        .into_response())
}
