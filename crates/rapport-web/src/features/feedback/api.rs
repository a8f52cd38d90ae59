//! Alerts, outcome views, pooled feedback and therapist settings under `/api/v1`.

use axum::Json;
use axum::extract::{Path, State};
use rapport_store::practices::{self, TherapistSettings};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{alerts, effectiveness, outcomes, pooled, settings};
use crate::auth::{ClientScope, TherapistScope};
use crate::error::{ApiJson, AppError, IdPath};
use crate::state::AppState;
use rapport_core::ids::AlertId;

/// The feedback routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alert_list))
        .routes(routes!(alert_seen))
        .routes(routes!(alert_acknowledge))
        .routes(routes!(therapist_outcomes))
        .routes(routes!(client_outcomes))
        .routes(routes!(feedback))
        .routes(routes!(get_settings, put_settings))
}

/// Your alerts, newest first, each with a link to its evidence (each client shown is recorded).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "feedback", responses((status = 200, description = "Alerts", body = [Object]), (status = 403, description = "Not a therapist")))]
async fn alert_list(
    State(state): State<AppState>,
    therapist: TherapistScope,
) -> Result<Json<Value>, AppError> {
    let list = alerts::list(&state, &therapist).await?;
    Ok(Json(Value::Array(
        list.iter()
            .map(|a| {
                let mut v = json!(a);
                v["title"] = json!(alerts::title(a));
                v["evidence"] = json!(alerts::evidence_path(a));
                v
            })
            .collect(),
    )))
}

/// Mark an alert seen; answers with where its evidence is.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/seen", tag = "feedback", params(("id" = String, Path)),
    responses((status = 200, description = "Marked seen", body = Object), (status = 404, description = "Not your alert")))]
async fn alert_seen(
    State(state): State<AppState>,
    therapist: TherapistScope,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let a = alerts::open(&state, &therapist, &id).await?;
    Ok(Json(
        json!({"id": a.id, "evidence": alerts::evidence_path(&a)}),
    ))
}

/// What acknowledging an alert takes: a note of what was done.
#[derive(Deserialize, ToSchema)]
struct AcknowledgeIn {
    /// What you did, 3 to 1,000 characters (sealed; kept with the alert).
    #[serde(default)]
    note: String,
}

/// An acknowledged alert.
#[derive(serde::Serialize, ToSchema)]
struct Acknowledged {
    /// The alert.
    id: String,
    /// When it was acknowledged, Unix ms.
    acknowledged_at: i64,
    /// The note, as kept.
    note: String,
}

/// Acknowledge an alert with a note of what you did; the client's record shows that you
/// followed it up (not the note).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledge", tag = "feedback", params(("id" = String, Path)), request_body = AcknowledgeIn,
    responses((status = 200, description = "Acknowledged", body = Acknowledged), (status = 404, description = "Not your alert"), (status = 409, description = "Already acknowledged"), (status = 422, description = "The note is missing or too long")))]
async fn alert_acknowledge(
    State(state): State<AppState>,
    therapist: TherapistScope,
    IdPath(id): IdPath<AlertId>,
    ApiJson(input): ApiJson<AcknowledgeIn>,
) -> Result<Json<Acknowledged>, AppError> {
    let note = rapport_core::feedback::AckNote::parse(&input.note)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let a = alerts::acknowledge(&state, &therapist, id.as_str(), &note).await?;
    Ok(Json(Acknowledged {
        id: a.id,
        acknowledged_at: a.acknowledged_at.unwrap_or_default(),
        note: a.ack_note.unwrap_or_default(),
    }))
}

/// A client's measures over the course, where they share measures with you (recorded).
#[utoipa::path(get, path = "/api/v1/caseload/{id}/outcomes", tag = "feedback", params(("id" = String, Path)),
    responses((status = 200, description = "Outcome view", body = outcomes::OutcomeView), (status = 403, description = "The client keeps measures private"), (status = 404, description = "Not shared with you")))]
async fn therapist_outcomes(
    State(state): State<AppState>,
    therapist: TherapistScope,
    Path(id): Path<String>,
) -> Result<Json<outcomes::OutcomeView>, AppError> {
    Ok(Json(
        outcomes::for_therapist(&state, &therapist, &id).await?,
    ))
}

/// Your own measures over one of your relationships, with the NHS Talking Therapies category.
#[utoipa::path(get, path = "/api/v1/relationships/{id}/outcomes", tag = "feedback", params(("id" = String, Path)),
    responses((status = 200, description = "Outcome view", body = outcomes::OutcomeView), (status = 404, description = "Not yours")))]
async fn client_outcomes(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Json<outcomes::OutcomeView>, AppError> {
    Ok(Json(outcomes::for_client(&state, &client, &id).await?))
}

/// Pooled ending reasons (null below 5 endings), your own outcome rates and per-concern
/// effectiveness (rated from 15 cases), and your settings.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback", responses((status = 200, description = "Feedback", body = Object)))]
async fn feedback(
    State(state): State<AppState>,
    therapist: TherapistScope,
) -> Result<Json<Value>, AppError> {
    let p = pooled::for_therapist(&state, &therapist).await?;
    let own = effectiveness::own(&state, &therapist.user.id).await?;
    let s = practices::settings(&state.db, &therapist.user.id).await?;
    Ok(Json(json!({
        "endings": p.total,
        "pooled": p.pooled,
        "outcomes": own,
        "settings": s,
    })))
}

/// A therapist's settings as the API shows them.
#[derive(Serialize, ToSchema)]
pub struct SettingsOut {
    /// A client counts as overdue this many days after their last check-in.
    pub overdue_days: i64,
    /// Whether measured effectiveness may be written to their listing for matching.
    pub publish_effectiveness: bool,
}

impl From<TherapistSettings> for SettingsOut {
    fn from(s: TherapistSettings) -> Self {
        SettingsOut {
            overdue_days: s.overdue_days,
            publish_effectiveness: s.publish_effectiveness,
        }
    }
}

/// Your settings.
#[utoipa::path(get, path = "/api/v1/me/therapist-settings", tag = "feedback", responses((status = 200, description = "Settings", body = SettingsOut)))]
async fn get_settings(
    State(state): State<AppState>,
    therapist: TherapistScope,
) -> Result<Json<SettingsOut>, AppError> {
    Ok(Json(
        practices::settings(&state.db, &therapist.user.id)
            .await?
            .into(),
    ))
}

/// New settings; leave a field out to keep it.
#[derive(Deserialize, ToSchema)]
pub struct SettingsIn {
    /// Days after the last check-in before a client counts as overdue (1-365).
    #[serde(default)]
    pub overdue_days: Option<Value>,
    /// Whether your measured effectiveness may be written to your listing for matching.
    #[serde(default)]
    pub publish_effectiveness: Option<bool>,
}

/// Change your settings. Changing consent writes (or clears) your listing's measured
/// effectiveness at once; the answer says what was published.
#[utoipa::path(put, path = "/api/v1/me/therapist-settings", tag = "feedback", request_body = SettingsIn,
    responses((status = 200, description = "Saved", body = Object), (status = 422, description = "Overdue days out of range")))]
async fn put_settings(
    State(state): State<AppState>,
    therapist: TherapistScope,
    ApiJson(input): ApiJson<SettingsIn>,
) -> Result<Json<Value>, AppError> {
    let old = practices::settings(&state.db, &therapist.user.id).await?;
    let overdue_days = match &input.overdue_days {
        None | Some(Value::Null) => old.overdue_days,
        Some(Value::Number(n)) => {
            settings::parse_overdue_days(&n.to_string()).map_err(|e| AppError::Invalid(vec![e]))?
        }
        Some(Value::String(s)) => {
            settings::parse_overdue_days(s).map_err(|e| AppError::Invalid(vec![e]))?
        }
        Some(_) => {
            return Err(AppError::field(
                "overdue_days",
                "must be a whole number of days from 1 to 365",
            ));
        }
    };
    let new = TherapistSettings {
        overdue_days,
        publish_effectiveness: input
            .publish_effectiveness
            .unwrap_or(old.publish_effectiveness),
    };
    let written = settings::save(&state, &therapist, new).await?;
    Ok(Json(json!({"settings": new, "effectiveness": written})))
}
