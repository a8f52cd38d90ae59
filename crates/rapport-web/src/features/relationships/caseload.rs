//! The therapist's pages: the caseload of clients who share (with the relationships waiting for
//! the therapist to accept them), and one shared relationship.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rapport_core::alliance;

use super::service::{self, TherapistView};
use super::{chart, view};
use crate::auth::TherapistScope;
use crate::error::{AppError, IdPath};
use crate::pages::{Layout, render_status};
use crate::state::AppState;
use rapport_core::ids::RelationshipId;
use rapport_store::relationships::Answer;

/// `/caseload`, `/caseload/{id}`, and accepting or declining a waiting relationship.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/caseload", get(list))
        .route("/caseload/{id}", get(show))
        .route("/caseload/{id}/accept", post(accept))
        .route("/caseload/{id}/decline", post(decline))
}

struct Row {
    id: String,
    client_name: String,
    title: &'static str,
    status: &'static str,
    sharing: &'static str,
    sessions: usize,
    spark: String,
    rupture: bool,
    last: String,
    overdue: bool,
    red_flags: Option<String>,
    measures: Option<String>,
    /// A safety alert (PHQ-9 item 9) on this client is waiting to be acknowledged.
    safety: bool,
}

fn flags_text(flags: &[alliance::Flag]) -> String {
    if flags.is_empty() {
        return "None at the last check-in".to_owned();
    }
    flags
        .iter()
        .map(|f| f.text().trim_end_matches('.').to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

fn measures_text(list: &[crate::features::feedback::outcomes::Latest]) -> String {
    if list.is_empty() {
        return "Shared, none yet".to_owned();
    }
    list.iter()
        .map(|m| {
            if m.count > 1 {
                format!("{} {} (first {})", m.name, m.total, m.first)
            } else {
                format!("{} {}", m.name, m.total)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Template)]
#[template(path = "caseload.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    waiting: Vec<Waiting>,
}

struct Waiting {
    id: String,
    client_name: String,
    since: String,
}

async fn list(
    State(state): State<AppState>,
    therapist: TherapistScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let safety = crate::features::feedback::alerts::open_safety(&state, &therapist).await?;
    let rows = service::caseload(&state, &therapist)
        .await?
        .into_iter()
        .map(|r| Row {
            safety: safety.contains(&r.rel.id),
            id: r.rel.id.clone(),
            client_name: r.client_name,
            title: alliance::status_title(r.reading.assessment.status),
            status: r.reading.assessment.status.as_str(),
            sharing: r.rel.sharing.as_str(),
            sessions: r.reading.assessment.sessions,
            spark: chart::sparkline(&r.reading.assessment),
            rupture: r
                .reading
                .assessment
                .ruptures
                .iter()
                .any(|x| x.repaired_at.is_none()),
            last: r
                .reading
                .last_checkin_at
                .map(|t| therapist.user.time_zone.date(t))
                .unwrap_or_else(|| "No check-ins yet".to_owned()),
            overdue: r.overdue,
            red_flags: r.reading.red_flags.as_deref().map(flags_text),
            measures: r.measures.as_deref().map(measures_text),
        })
        .collect();
    let waiting = service::requests(&state, &therapist)
        .await?
        .into_iter()
        .map(|r| Waiting {
            id: r.relationship_id,
            client_name: r.client_name,
            since: therapist.user.time_zone.date(r.created_at),
        })
        .collect();
    Ok(render_status(
        StatusCode::OK,
        &ListPage {
            layout,
            rows,
            waiting,
        },
    ))
}

async fn accept(
    State(state): State<AppState>,
    therapist: TherapistScope,
    IdPath(id): IdPath<RelationshipId>,
) -> Result<Response, AppError> {
    service::answer(&state, &therapist, &id, Answer::Accepted).await?;
    Ok(Redirect::to("/caseload").into_response())
}

async fn decline(
    State(state): State<AppState>,
    therapist: TherapistScope,
    IdPath(id): IdPath<RelationshipId>,
) -> Result<Response, AppError> {
    service::answer(&state, &therapist, &id, Answer::Declined).await?;
    Ok(Redirect::to("/caseload").into_response())
}

#[derive(Template)]
#[template(path = "caseload_client.html")]
struct ShowPage {
    layout: Layout,
    v: TherapistView,
    reading: view::Reading,
    chart: String,
    messages: Vec<(String, String)>,
}

async fn show(
    State(state): State<AppState>,
    therapist: TherapistScope,
    layout: Layout,
    IdPath(id): IdPath<RelationshipId>,
) -> Result<Response, AppError> {
    let v = service::load_for_therapist(&state, &therapist, id.as_str()).await?;
    let answers = v.seen.checkins.as_deref().unwrap_or_default();
    let reading = view::Reading::of(&v.seen.assessment, answers, None, None);
    let chart = chart::trend_svg("trend", &v.seen.assessment, answers);
    let messages = v
        .messages
        .iter()
        .map(|m| {
            (
                view::date_time(m.created_at, &therapist.user.time_zone),
                m.body.clone(),
            )
        })
        .collect();
    Ok(render_status(
        StatusCode::OK,
        &ShowPage {
            layout,
            v,
            reading,
            chart,
            messages,
        },
    ))
}
