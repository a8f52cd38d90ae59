//! Your own data under `/api/v1/me`: export (JSON; FHIR for clients) and account deletion, for
//! every role.

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
use crate::auth::{self, AccountOwner, ClientScope};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;

/// The client's data routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_json))
        .routes(routes!(export_fhir))
        .routes(routes!(delete_me))
}

/// Everything Rapport holds about you, as JSON (your free text opened). For a therapist or an
/// administrator: the account, listing, practice, settings, hours and tokens.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "my data", responses((status = 200, description = "Your data", body = Object)))]
async fn export_json(
    State(state): State<AppState>,
    owner: AccountOwner,
) -> Result<Response, AppError> {
    let v = match &owner {
        AccountOwner::Client(client) => export::json(&state, client).await?,
        AccountOwner::Staff(staff) => export::staff_json(&state, staff).await?,
    };
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
    responses((status = 200, description = "FHIR Bundle", content_type = "application/fhir+json", body = Object)))]
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

/// Delete your account. A client's data is removed and their encryption key destroyed;
/// anonymous pooled counts (ending reasons, course summaries) stay pooled. A therapist's or
/// administrator's account goes with their listing; refused (403) while sessions with clients
/// are still booked.
#[utoipa::path(delete, path = "/api/v1/me/account", tag = "my data", request_body = DeleteIn,
    responses((status = 200, description = "Deleted", body = Object), (status = 403, description = "Sessions with clients still booked"), (status = 422, description = "Not confirmed, or wrong password")))]
async fn delete_me(
    State(state): State<AppState>,
    owner: AccountOwner,
    ApiJson(input): ApiJson<DeleteIn>,
) -> Result<Response, AppError> {
    let body = match &owner {
        AccountOwner::Client(client) => {
            let erased =
                erase::delete_account(&state, client, &input.password, input.confirm).await?;
            json!({"deleted": true, "key_destroyed": erased.key_destroyed, "pooled_endings": erased.pooled_endings, "pooled_courses": erased.pooled_courses})
        }
        AccountOwner::Staff(staff) => {
            erase::delete_staff_account(&state, staff, &input.password, input.confirm).await?;
            json!({"deleted": true})
        }
    };
    Ok((
        [(header::SET_COOKIE, auth::end_session_cookie(&state))],
        Json::<Value>(body),
    )
        .into_response())
}
