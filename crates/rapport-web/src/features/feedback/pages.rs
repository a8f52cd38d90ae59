//! The therapist's alert list, outcome view and feedback page, and the client's own outcome
//! view.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rapport_core::FieldError;
use rapport_core::feedback::MIN_ENDINGS;
use rapport_store::practices::{self, TherapistSettings};
use serde::Deserialize;

use super::view::{self, Chart, DomainLine};
use super::{alerts, effectiveness, outcomes, pooled, settings};
use crate::auth::{ClientScope, TherapistScope};
use crate::error::{AppError, IdPath};
use crate::pages::{Layout, render_status};
use crate::state::AppState;
use rapport_core::ids::AlertId;

/// `/alerts`, `/alerts/{id}`, `/caseload/{id}/outcomes`, `/feedback`, and the client's
/// `/relationships/{id}/outcomes`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(alert_list))
        .route("/alerts/{id}", get(alert_evidence).post(alert_open))
        .route("/alerts/{id}/acknowledge", post(alert_acknowledge))
        .route("/caseload/{id}/outcomes", get(therapist_outcomes))
        .route("/relationships/{id}/outcomes", get(client_outcomes))
        .route("/feedback", get(feedback))
        .route("/feedback/settings", post(save_settings))
}

struct AlertRow {
    id: String,
    when: String,
    client_name: String,
    title: &'static str,
    detail: String,
    seen: bool,
    safety: bool,
    /// "Acknowledged Tue 3 Nov 2026, 18:00 (London)" and the note, once acknowledged.
    acknowledged: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    layout: Layout,
    rows: Vec<AlertRow>,
    notice: Option<&'static str>,
    /// The alert whose acknowledgement was refused, its error and the note as typed.
    refused: Option<(String, FieldError, String)>,
}

async fn alerts_page(
    state: &AppState,
    therapist: &TherapistScope,
    layout: Layout,
    notice: Option<&'static str>,
    refused: Option<(String, FieldError, String)>,
) -> Result<Response, AppError> {
    let zone = &therapist.user.time_zone;
    let rows = alerts::list(state, therapist)
        .await?
        .into_iter()
        .map(|a| AlertRow {
            title: alerts::title(&a),
            when: crate::features::relationships::view::date_time(a.created_at, zone),
            seen: a.seen_at.is_some(),
            safety: a.is_safety(),
            acknowledged: a
                .acknowledged_at
                .map(|t| (zone.label(t), a.ack_note.clone().unwrap_or_default())),
            id: a.id,
            client_name: a.client_name,
            detail: a.detail,
        })
        .collect();
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_status(
        status,
        &AlertsPage {
            layout,
            rows,
            notice,
            refused,
        },
    ))
}

#[derive(Deserialize)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn alert_list(
    State(state): State<AppState>,
    therapist: TherapistScope,
    layout: Layout,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Response, AppError> {
    let notice = (q.done == "acknowledged")
        .then_some("Acknowledged. Your note is kept with the alert, and the client's record shows that you followed it up.");
    alerts_page(&state, &therapist, layout, notice, None).await
}

#[derive(Deserialize)]
struct AckForm {
    #[serde(default)]
    note: String,
}

/// Acknowledges an alert with a note of what was done; a note that cannot be kept shows the list
/// again with the reason beside that alert's field and the words kept.
async fn alert_acknowledge(
    State(state): State<AppState>,
    therapist: TherapistScope,
    layout: Layout,
    IdPath(id): IdPath<AlertId>,
    Form(f): Form<AckForm>,
) -> Result<Response, AppError> {
    let note = match rapport_core::feedback::AckNote::parse(&f.note) {
        Ok(n) => n,
        Err(e) => {
            let refused = Some((id.as_str().to_owned(), e, f.note));
            return alerts_page(&state, &therapist, layout, None, refused).await;
        }
    };
    alerts::acknowledge(&state, &therapist, id.as_str(), &note).await?;
    Ok(Redirect::to(&format!("/alerts?done=acknowledged#alert-{}", id.as_str())).into_response())
}

/// Follows an alert to its evidence without marking it seen: a GET can come from a mail
/// scanner or a link preview, not only from the therapist.
async fn alert_evidence(
    State(state): State<AppState>,
    therapist: TherapistScope,
    IdPath(id): IdPath<AlertId>,
) -> Result<Response, AppError> {
    let alert = alerts::for_therapist(&state, &therapist, id.as_str()).await?;
    Ok(Redirect::to(&alerts::evidence_path(&alert)).into_response())
}

/// The alert list's button: marks the alert seen, then shows its evidence.
async fn alert_open(
    State(state): State<AppState>,
    therapist: TherapistScope,
    IdPath(id): IdPath<AlertId>,
) -> Result<Response, AppError> {
    let alert = alerts::open(&state, &therapist, id.as_str()).await?;
    Ok(Redirect::to(&alerts::evidence_path(&alert)).into_response())
}

#[derive(Template)]
#[template(path = "outcomes.html")]
struct OutcomePage {
    layout: Layout,
    v: outcomes::OutcomeView,
    charts: Vec<Chart>,
    therapist_view: bool,
    started: String,
    ended: Option<String>,
}

fn outcome_page(
    layout: Layout,
    v: outcomes::OutcomeView,
    therapist_view: bool,
    zone: &rapport_core::zone::Zone,
) -> Response {
    let charts = view::charts(&v, zone);
    let started = zone.date(v.started_at);
    let ended = v.ended_at.map(|t| zone.date(t));
    render_status(
        StatusCode::OK,
        &OutcomePage {
            layout,
            v,
            charts,
            therapist_view,
            started,
            ended,
        },
    )
}

async fn therapist_outcomes(
    State(state): State<AppState>,
    therapist: TherapistScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let v = outcomes::for_therapist(&state, &therapist, &id).await?;
    Ok(outcome_page(layout, v, true, &therapist.user.time_zone))
}

async fn client_outcomes(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let v = outcomes::for_client(&state, &client, &id).await?;
    Ok(outcome_page(layout, v, false, &client.user.time_zone))
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    pooled: Option<Vec<(&'static str, usize)>>,
    counted: usize,
    endings: usize,
    min_endings: usize,
    courses: u64,
    finished: u64,
    improvement: String,
    recovery: String,
    deterioration: u64,
    domains: Vec<DomainLine>,
    overdue_days: String,
    publish: bool,
}

async fn feedback_page(
    state: &AppState,
    therapist: &TherapistScope,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    overdue_days: Option<String>,
) -> Result<Response, AppError> {
    let p = pooled::for_therapist(state, therapist).await?;
    let own = effectiveness::own(state, &therapist.user.id).await?;
    let s = practices::settings(&state.db, &therapist.user.id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FeedbackPage {
        layout,
        errors,
        notice,
        counted: p.pooled.as_ref().map_or(0, |x| x.counted),
        pooled: p.pooled.as_ref().map(view::pooled),
        endings: p.total,
        min_endings: MIN_ENDINGS,
        courses: own.tally.courses,
        finished: own.tally.finished,
        improvement: view::rate(own.tally.improvement),
        recovery: view::rate(own.tally.recovery),
        deterioration: own.tally.deterioration,
        domains: view::domains(&own.domains),
        overdue_days: overdue_days.unwrap_or_else(|| s.overdue_days.to_string()),
        publish: s.publish_effectiveness,
    };
    Ok(render_status(status, &page))
}

async fn feedback(
    State(state): State<AppState>,
    therapist: TherapistScope,
    layout: Layout,
) -> Result<Response, AppError> {
    feedback_page(&state, &therapist, layout, vec![], None, None).await
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    overdue_days: String,
    #[serde(default)]
    publish_effectiveness: Option<String>,
}

async fn save_settings(
    State(state): State<AppState>,
    therapist: TherapistScope,
    layout: Layout,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let days = match settings::parse_overdue_days(&f.overdue_days) {
        Ok(d) => d,
        Err(e) => {
            return feedback_page(
                &state,
                &therapist,
                layout,
                vec![e],
                None,
                Some(f.overdue_days),
            )
            .await;
        }
    };
    let publish = f.publish_effectiveness.is_some();
    let written = settings::save(
        &state,
        &therapist,
        TherapistSettings {
            overdue_days: days,
            publish_effectiveness: publish,
        },
    )
    .await?;
    let notice = match written {
        Some(w) if w.listing_id.is_none() => {
            "Saved. You have no directory listing yet, so nothing was published.".to_owned()
        }
        Some(w) if publish => format!(
            "Saved. Your listing now shows {} measured rating(s) to matching.",
            w.published.len()
        ),
        Some(_) => "Saved. Measured ratings were taken off your listing.".to_owned(),
        None => "Saved.".to_owned(),
    };
    feedback_page(&state, &therapist, layout, vec![], Some(notice), None).await
}
