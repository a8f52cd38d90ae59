//! Relationship, check-in, sharing and caseload API under `/api/v1`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rapport_core::alliance;
use rapport_core::ids::RelationshipId;
use rapport_store::audit;
use rapport_store::relationships::{self, Answer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, Loaded};
use crate::auth::{ClientScope, TherapistScope};
use crate::error::{ApiJson, AppError, IdPath};
use crate::paging::{PAGE_SIZE, PageQuery};
use crate::state::AppState;

/// The relationship routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(add_checkin))
        .routes(routes!(set_sharing))
        .routes(routes!(note_draft))
        .routes(routes!(send_message))
        .routes(routes!(my_audit))
        .routes(routes!(caseload))
        .routes(routes!(caseload_requests))
        .routes(routes!(caseload_one))
        .routes(routes!(accept))
        .routes(routes!(decline))
}

fn loaded_json(l: &Loaded) -> Value {
    json!({
        "relationship": l.rel,
        "assessment": l.assessment,
        "status_title": alliance::status_title(l.assessment.status),
        "explanations": l.assessment.reasons.iter().map(|r| alliance::explain(r, &l.checkins)).collect::<Vec<_>>(),
        "checkins": l.checkins,
    })
}

/// Your therapy relationships with their current status.
#[utoipa::path(get, path = "/api/v1/relationships", tag = "alliance", operation_id = "list_relationships", responses((status = 200, description = "Relationships", body = [Object])))]
async fn list(State(state): State<AppState>, client: ClientScope) -> Result<Json<Value>, AppError> {
    let mut out = Vec::new();
    for rel in relationships::for_client(&state.db, &client.user.id).await? {
        let l = service::load_for_client(&state, &client, &rel.id).await?;
        out.push(json!({"relationship": l.rel, "status": l.assessment.status, "sessions": l.assessment.sessions}));
    }
    Ok(Json(Value::Array(out)))
}

/// A relationship to record.
#[derive(Deserialize, ToSchema)]
pub struct NewRelationship {
    /// The therapist's name as you know them (optional when `listing_id` is given).
    #[serde(default)]
    pub therapist_name: String,
    /// A therapist from the directory.
    #[serde(default)]
    pub listing_id: Option<String>,
}

/// Record a therapy relationship (private until you choose to share; with a listed therapist on
/// Rapport, nothing reaches them until they accept it, shown as `accepted_at`).
#[utoipa::path(post, path = "/api/v1/relationships", tag = "alliance", request_body = NewRelationship,
    responses((status = 201, description = "Created", body = Object), (status = 422, description = "Invalid fields")))]
async fn create(
    State(state): State<AppState>,
    client: ClientScope,
    ApiJson(input): ApiJson<NewRelationship>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let rel = service::create(
        &state,
        &client,
        &input.therapist_name,
        input.listing_id.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!(rel))))
}

/// One of your relationships: check-ins, assessment (status, reasons, ruptures, next step).
#[utoipa::path(get, path = "/api/v1/relationships/{id}", tag = "alliance", operation_id = "show_relationship", params(("id" = String, Path)),
    responses((status = 200, description = "Relationship and assessment", body = Object), (status = 404, description = "Not yours or not there")))]
async fn show(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    Ok(Json(loaded_json(
        &service::load_for_client(&state, &client, &id).await?,
    )))
}

/// Submit a check-in (the Rapport Alliance Check-in; `session` defaults to the next number).
#[utoipa::path(post, path = "/api/v1/relationships/{id}/checkins", tag = "alliance", params(("id" = String, Path)), request_body = Object,
    responses((status = 201, description = "Stored; the new assessment", body = Object), (status = 422, description = "Invalid fields, each named"), (status = 404, description = "Not your relationship")))]
async fn add_checkin(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Value>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let Value::Object(obj) = input else {
        return Err(AppError::field("body", "must be a JSON object"));
    };
    let l = service::record_checkin(&state, &client, &id, obj).await?;
    Ok((StatusCode::CREATED, Json(loaded_json(&l))))
}

/// What to share with the therapist.
#[derive(Deserialize, ToSchema)]
pub struct SharingIn {
    /// `private`, `trend` or `answers`.
    #[serde(default)]
    pub sharing: String,
    /// Also share your measures (PHQ-9, GAD-7, ORS, SRS); only in effect while `sharing` is not
    /// private. Left out: unchanged.
    #[serde(default)]
    pub outcomes: Option<bool>,
}

/// Choose what your therapist sees: private, trend (and status) only, or answers too, and whether
/// your measures are shared on top. Immediate.
#[utoipa::path(put, path = "/api/v1/relationships/{id}/sharing", tag = "alliance", params(("id" = String, Path)), request_body = SharingIn,
    responses((status = 200, description = "Saved", body = Object), (status = 422, description = "Unknown choice")))]
async fn set_sharing(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SharingIn>,
) -> Result<Json<Value>, AppError> {
    let choice = service::parse_sharing(&input.sharing)?;
    service::set_sharing(&state, &client, &id, choice).await?;
    if let Some(share) = input.outcomes {
        service::set_share_outcomes(&state, &client, &id, share).await?;
    }
    let rel = relationships::get_for_client(&state.db, &client.user.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(
        json!({"sharing": choice, "outcomes": rel.share_outcomes}),
    ))
}

/// A drafted speak-up note from your latest check-in, for you to edit.
#[utoipa::path(get, path = "/api/v1/relationships/{id}/note", tag = "alliance", params(("id" = String, Path)), responses((status = 200, description = "Draft", body = Object)))]
async fn note_draft(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let l = service::load_for_client(&state, &client, &id).await?;
    Ok(Json(
        json!({"draft": l.checkins.last().map(alliance::draft_note).unwrap_or_default()}),
    ))
}

/// A note to send; `confirm` must be true (nothing is ever sent without it).
#[derive(Deserialize, ToSchema)]
pub struct MessageIn {
    /// The text to send.
    #[serde(default)]
    pub note: String,
    /// Must be `true`.
    #[serde(default)]
    pub confirm: bool,
}

/// Send your note to your therapist (only when they use Rapport, and only with `confirm: true`).
#[utoipa::path(post, path = "/api/v1/relationships/{id}/messages", tag = "alliance", params(("id" = String, Path)), request_body = MessageIn,
    responses((status = 201, description = "Sent", body = Object), (status = 422, description = "Not confirmed, empty, or therapist not on Rapport")))]
async fn send_message(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MessageIn>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    if !input.confirm {
        return Err(AppError::field(
            "confirm",
            "must be true: nothing is sent without your confirmation",
        ));
    }
    let m = service::send_note(&state, &client, &id, &input.note).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": m.id, "created_at": m.created_at})),
    ))
}

/// Who saw your data: every view of what you shared, newest first, 100 a page (`?page=2` for
/// older ones; a `Link: <…>; rel="next"` header says when there are more). The export has all.
#[utoipa::path(get, path = "/api/v1/me/audit", tag = "alliance", params(PageQuery),
    responses((status = 200, description = "Audit entries", body = [Object]), (status = 422, description = "A page that is not a whole number from 1")))]
async fn my_audit(
    State(state): State<AppState>,
    client: ClientScope,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page = q.number()?;
    let (entries, more) = audit::page(&state.db, &client.user.id, page, PAGE_SIZE).await?;
    let mut resp = Json(entries).into_response();
    if more {
        let next = format!("</api/v1/me/audit?page={}>; rel=\"next\"", page + 1);
        if let Ok(v) = axum::http::HeaderValue::from_str(&next) {
            resp.headers_mut().insert(axum::http::header::LINK, v);
        }
    }
    Ok(resp)
}

/// Your caseload: clients who share with you, with status and trend, the latest check-in date,
/// rupture alerts and overdue check-ins; red flags where answers are shared, the latest measures
/// where measures are shared (each view is recorded).
#[utoipa::path(get, path = "/api/v1/caseload", tag = "alliance", responses((status = 200, description = "Shared relationships", body = [Object])))]
async fn caseload(
    State(state): State<AppState>,
    therapist: TherapistScope,
) -> Result<Json<Value>, AppError> {
    let rows = service::caseload(&state, &therapist).await?;
    Ok(Json(Value::Array(
        rows.iter()
            .map(|r| {
                let mut row = json!({"relationship_id": r.rel.id, "client_name": r.client_name, "sharing": r.rel.sharing, "status": r.reading.assessment.status, "alliance": r.reading.assessment.alliance, "ruptures": r.reading.assessment.ruptures,
                    "rupture_alert": r.reading.assessment.ruptures.iter().any(|x| x.repaired_at.is_none()), "last_checkin_at": r.reading.last_checkin_at, "overdue": r.overdue});
                if let Some(flags) = &r.reading.red_flags {
                    row["red_flags"] = json!(flags);
                }
                if let Some(m) = &r.measures {
                    row["measures"] = json!(m);
                }
                row
            })
            .collect(),
    )))
}

/// Clients who recorded a relationship with you and wait for you to accept it: until you do, they
/// are not on your caseload, raise no alerts and count in none of your figures.
#[utoipa::path(get, path = "/api/v1/caseload/requests", tag = "alliance", responses((status = 200, description = "Waiting relationships, oldest first", body = [service::Request])))]
async fn caseload_requests(
    State(state): State<AppState>,
    therapist: TherapistScope,
) -> Result<Json<Vec<service::Request>>, AppError> {
    Ok(Json(service::requests(&state, &therapist).await?))
}

/// A therapist's answer, as recorded.
#[derive(Serialize, ToSchema)]
pub struct Answered {
    /// The relationship.
    #[schema(value_type = String)]
    pub relationship_id: RelationshipId,
    /// `accepted` or `declined`.
    #[schema(value_type = String)]
    pub answer: Answer,
}

async fn answered(
    state: &AppState,
    therapist: &TherapistScope,
    id: RelationshipId,
    answer: Answer,
) -> Result<Json<Answered>, AppError> {
    service::answer(state, therapist, &id, answer).await?;
    Ok(Json(Answered {
        relationship_id: id,
        answer,
    }))
}

/// Accept a client's relationship with you (waiting, or declined before): it joins your caseload
/// and figures as far as they share.
#[utoipa::path(post, path = "/api/v1/relationships/{id}/accept", tag = "alliance", params(("id" = String, Path)),
    responses((status = 200, description = "Accepted", body = Answered), (status = 404, description = "Not a relationship waiting for you")))]
async fn accept(
    State(state): State<AppState>,
    therapist: TherapistScope,
    IdPath(id): IdPath<RelationshipId>,
) -> Result<Json<Answered>, AppError> {
    answered(&state, &therapist, id, Answer::Accepted).await
}

/// Decline a client's relationship with you: it never reaches you, and the client keeps all of it.
#[utoipa::path(post, path = "/api/v1/relationships/{id}/decline", tag = "alliance", params(("id" = String, Path)),
    responses((status = 200, description = "Declined", body = Answered), (status = 404, description = "Not a relationship waiting for you")))]
async fn decline(
    State(state): State<AppState>,
    therapist: TherapistScope,
    IdPath(id): IdPath<RelationshipId>,
) -> Result<Json<Answered>, AppError> {
    answered(&state, &therapist, id, Answer::Declined).await
}

/// The shared answers as JSON, without the professional-line answer: it is never shared, so
/// a `false` there would say something the client did not.
fn shared_answers_json(answers: &[rapport_core::alliance::CheckIn]) -> Value {
    let mut list = json!(answers);
    if let Some(items) = list.as_array_mut() {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            item.remove("misconduct");
        }
    }
    list
}

/// One shared relationship: trend and status; answers and notes only when the client shares answers.
#[utoipa::path(get, path = "/api/v1/caseload/{id}", tag = "alliance", params(("id" = String, Path)),
    responses((status = 200, description = "What the client shares", body = Object), (status = 404, description = "Private, or not your client")))]
async fn caseload_one(
    State(state): State<AppState>,
    therapist: TherapistScope,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let v = service::load_for_therapist(&state, &therapist, &id).await?;
    let a = &v.seen.assessment;
    let mut out = Map::new();
    out.insert("relationship_id".into(), json!(v.rel.id));
    out.insert("client_name".into(), json!(v.client_name));
    out.insert("sharing".into(), json!(v.rel.sharing));
    out.insert("status".into(), json!(a.status));
    out.insert("alliance".into(), json!(a.alliance));
    out.insert("ruptures".into(), json!(a.ruptures));
    out.insert(
        "messages".into(),
        json!(
            v.messages
                .iter()
                .map(|m| json!({"kind": m.kind, "body": m.body, "created_at": m.created_at}))
                .collect::<Vec<_>>()
        ),
    );
    if let Some(answers) = &v.seen.checkins {
        out.insert("checkins".into(), shared_answers_json(answers));
        out.insert("reasons".into(), json!(a.reasons));
    }
    Ok(Json(Value::Object(out)))
}
