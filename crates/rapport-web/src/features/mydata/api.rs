//! The client's own data under `/api/v1/me`: export (JSON, FHIR) and account deletion.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{erase, export};
use crate::auth::{self, ClientScope};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;

/// The client's data routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_json))
        .routes(routes!(export_fhir))
        .routes(routes!(delete_me))
}

/// Everything Rapport holds about you, as JSON (your free text opened).
#[utoipa::path(get, path = "/api/v1/me/export", tag = "my data", responses((status = 200, description = "Your data"), (status = 403, description = "Not a client account")))]
async fn export_json(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Response, AppError> {
    let v = export::json(&state, &client).await?;
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"rapport-my-data.json\"",
        )],
        Json(v),
    )
        .into_response())
}

/// Your measures and check-ins as a FHIR R4 Bundle (collection).
#[utoipa::path(get, path = "/api/v1/me/export/fhir", tag = "my data",
    responses((status = 200, description = "FHIR Bundle", content_type = "application/fhir+json")))]
async fn export_fhir(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Response, AppError> {
    let b = export::fhir(&state, &client).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/fhir+json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rapport-my-data.fhir.json\"",
            ),
        ],
        Json(b),
    )
        .into_response())
}

/// What deleting your account needs.
#[derive(Deserialize, ToSchema)]
pub struct DeleteIn {
    /// Your current password.
    #[serde(default)]
    pub password: String,
    /// Must be `true`: deletion cannot be undone.
    #[serde(default)]
    pub confirm: bool,
}

/// Delete your account: your data is removed and your encryption key destroyed; anonymous
/// pooled counts (ending reasons, course summaries) stay pooled.
#[utoipa::path(delete, path = "/api/v1/me/account", tag = "my data", request_body = DeleteIn,
    responses((status = 200, description = "Deleted"), (status = 422, description = "Not confirmed, or wrong password")))]
async fn delete_me(
    State(state): State<AppState>,
    client: ClientScope,
    ApiJson(input): ApiJson<DeleteIn>,
) -> Result<Response, AppError> {
    let erased = erase::delete_account(&state, &client, &input.password, input.confirm).await?;
    let body = json!({"deleted": true, "key_destroyed": erased.key_destroyed, "pooled_endings": erased.pooled_endings, "pooled_courses": erased.pooled_courses});
    Ok((
        [(header::SET_COOKIE, auth::end_session_cookie(&state))],
        Json::<Value>(body),
    )
        .into_response())
}
