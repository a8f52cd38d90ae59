//! Instrument and measure API under `/api/v1`: definitions (also as FHIR), scored responses, the
//! client's own results (also as a FHIR Bundle), and installing licensed item text.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_core::fhir;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{fhir as export, registry, service};
use crate::auth::{AdminScope, ClientScope, Viewer};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;

const FHIR_JSON: &str = "application/fhir+json";

/// The instrument routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(show_fhir))
        .routes(routes!(respond))
        .routes(routes!(install_text))
        .routes(routes!(my_responses))
        .routes(routes!(my_response_fhir))
}

fn fhir_json(value: impl serde::Serialize) -> Response {
    ([(header::CONTENT_TYPE, FHIR_JSON)], Json(value)).into_response()
}

/// Every instrument with its text status; licensed ones without installed text are listed as
/// "text not installed" and are not offerable.
#[utoipa::path(get, path = "/api/v1/instruments", tag = "instruments", operation_id = "list_instruments",
    responses((status = 200, description = "Instruments", body = [Object]), (status = 401, description = "Not logged in")))]
async fn list(State(state): State<AppState>, _viewer: Viewer) -> Result<Json<Value>, AppError> {
    let registry = registry::current(&state).await?;
    Ok(Json(Value::Array(
        registry.list().iter().map(service::summary_json).collect(),
    )))
}

/// One instrument's definition: items, response options, scales, bands, cut-offs, flags.
#[utoipa::path(get, path = "/api/v1/instruments/{id}", tag = "instruments", operation_id = "show_instrument", params(("id" = String, Path)),
    responses((status = 200, description = "Definition", body = Object), (status = 404, description = "No such instrument")))]
async fn show(
    State(state): State<AppState>,
    _viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let registry = registry::current(&state).await?;
    let def = registry.get(&id).ok_or(AppError::NotFound)?;
    Ok(Json(service::definition_json(def)))
}

/// One instrument as a FHIR R4 Questionnaire (LOINC codes where they exist).
#[utoipa::path(get, path = "/api/v1/instruments/{id}/fhir", tag = "instruments", params(("id" = String, Path)),
    responses((status = 200, description = "FHIR Questionnaire", content_type = "application/fhir+json", body = Object), (status = 404, description = "No such instrument")))]
async fn show_fhir(
    State(state): State<AppState>,
    _viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let registry = registry::current(&state).await?;
    let def = registry.get(&id).ok_or(AppError::NotFound)?;
    Ok(fhir_json(fhir::questionnaire(def)))
}

/// Fill in a measure: `{"item id": value}` for every item. The answer carries the scores,
/// bands and flags; a crisis answer (PHQ-9 item 9 above 0) adds `crisis: true`, the crisis lines
/// and the help page.
#[utoipa::path(post, path = "/api/v1/instruments/{id}/responses", tag = "instruments", params(("id" = String, Path)), request_body = Object,
    responses((status = 201, description = "Scored and stored", body = Object),
        (status = 422, description = "Missing, unknown, out-of-range or wrongly typed answers, each naming the item and what it accepts; nothing stored"),
        (status = 409, description = "Not offered here (licensed text not installed, or asked within a relationship)"),
        (status = 404, description = "No such instrument")))]
async fn respond(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Value>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let stored = service::respond(&state, &client, &id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::submitted_json(&stored, &state.config)),
    ))
}

/// Install the licensed item text of a WAI-SR, SRS or ORS for this site (administrators): a JSON
/// object of item id to text, every item and nothing else. Offered to clients from then on, on
/// every replica.
#[utoipa::path(put, path = "/api/v1/instruments/{id}/text", tag = "instruments", params(("id" = String, Path)), request_body = Object,
    responses((status = 200, description = "Installed; the instrument's listing", body = Object),
        (status = 422, description = "A missing, empty or unknown item, or an instrument that ships its own text; nothing stored"),
        (status = 403, description = "Not an administrator"), (status = 404, description = "No such instrument")))]
async fn install_text(
    State(state): State<AppState>,
    _admin: AdminScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Value>,
) -> Result<Json<Value>, AppError> {
    let def = registry::install_text(&state.db, &id, &input.to_string()).await?;
    tracing::info!(instrument = %def.id(), "licensed item text installed");
    Ok(Json(service::summary_json(&def)))
}

/// Your own scored results, newest first.
#[utoipa::path(get, path = "/api/v1/me/responses", tag = "instruments",
    responses((status = 200, description = "Your results", body = [Object]), (status = 403, description = "Not a client account")))]
async fn my_responses(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Json<Value>, AppError> {
    let stored = service::my_responses(&state, &client).await?;
    Ok(Json(Value::Array(
        stored.iter().map(service::stored_json).collect(),
    )))
}

/// One of your results as a FHIR Bundle (collection) a clinical system can import as it is: you
/// as the Patient, the Questionnaire, the QuestionnaireResponse and an Observation per scored
/// total with a LOINC code, each entry with a `urn:uuid:` fullUrl that the references use.
#[utoipa::path(get, path = "/api/v1/me/responses/{id}/fhir", tag = "instruments", params(("id" = String, Path)),
    responses((status = 200, description = "FHIR Bundle (collection)", content_type = "application/fhir+json", body = Object), (status = 404, description = "Not yours or not there")))]
async fn my_response_fhir(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let stored = service::my_response(&state, &client, &id).await?;
    let registry = registry::current(&state).await?;
    let def = registry.get(&stored.instrument_id).ok_or_else(|| {
        AppError::Internal(format!(
            "stored response {} names unknown instrument {}",
            stored.id, stored.instrument_id
        ))
    })?;
    Ok(fhir_json(export::bundle(def, &stored, &client.user)?))
}
