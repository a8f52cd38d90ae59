//! "I want to stop": choose a private reason and a message, see exactly what will happen, and
//! only then confirm. Afterwards, the way on: re-matching and any referral suggestions.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rapport_core::FieldError;
use rapport_core::care::{EndingChoice, Farewell, Stage};
use rapport_core::matching::EndingReason;
use rapport_store::now_ms;
use rapport_store::relationships::{self, Relationship};
use serde::Deserialize;

use super::booking;
use super::ending::{self, Suggestion};
use super::view::{self, Row};
use crate::auth::ClientScope;
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// The ending pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care/relationships/{id}/end", get(form).post(preview))
        .route("/care/relationships/{id}/end/confirm", post(confirm))
        .route("/care/relationships/{id}/finish", post(finish))
}

#[derive(Deserialize, Default, Clone)]
struct EndForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    closing_session: Option<String>,
    #[serde(default)]
    referral: Option<String>,
    #[serde(default)]
    addition: String,
}

impl EndForm {
    fn choice(&self) -> Result<EndingChoice, AppError> {
        Ok(EndingChoice::parse(
            &self.reason,
            &self.message,
            self.closing_session.is_some(),
            self.referral.is_some(),
            &self.addition,
        )?)
    }
}

#[derive(Template)]
#[template(path = "care_end.html")]
struct EndPage {
    layout: Layout,
    errors: Vec<FieldError>,
    rel: Relationship,
    step: &'static str,
    f: EndForm,
    reasons: Vec<(&'static str, &'static str)>,
    farewells: Vec<(&'static str, &'static str)>,
    message: String,
    reason_label: &'static str,
    to_cancel: Vec<Row>,
    closing: Option<Row>,
    can_send: bool,
    stage: &'static str,
    suggestions: Vec<Suggestion>,
    referral_pending: bool,
}

impl EndPage {
    fn new(layout: Layout, rel: Relationship, step: &'static str, f: EndForm) -> Self {
        EndPage {
            layout,
            errors: vec![],
            rel,
            step,
            f,
            reasons: EndingReason::ALL
                .iter()
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            farewells: Farewell::ALL
                .iter()
                .map(|m| (m.as_str(), m.label()))
                .collect(),
            message: String::new(),
            reason_label: "",
            to_cancel: vec![],
            closing: None,
            can_send: true,
            stage: "",
            suggestions: vec![],
            referral_pending: false,
        }
    }
}

async fn own(state: &AppState, client: &ClientScope, id: &str) -> Result<Relationship, AppError> {
    relationships::get_for_client(&state.db, &client.user.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn after_page(
    state: &AppState,
    client: &ClientScope,
    layout: Layout,
    rel: Relationship,
    stage: Stage,
    status: StatusCode,
) -> Result<Response, AppError> {
    let referral = ending::client_referrals(state, client)
        .await?
        .into_iter()
        .find(|(r, _)| r.relationship_id == rel.id);
    let mut page = EndPage::new(layout, rel, "done", EndForm::default());
    page.stage = stage.label();
    if let Some((r, s)) = referral {
        page.referral_pending = r.answered_at.is_none();
        page.suggestions = s;
        page.message = r.note.unwrap_or_default();
    }
    Ok(render_status(status, &page))
}

async fn form(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let rel = own(&state, &client, &id).await?;
    let stage = booking::stage_of(&state, &rel.id).await?;
    if matches!(stage, Stage::Ending | Stage::Ended) {
        return after_page(&state, &client, layout, rel, stage, StatusCode::OK).await;
    }
    Ok(render_status(
        StatusCode::OK,
        &EndPage::new(layout, rel, "choose", EndForm::default()),
    ))
}

async fn preview(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    Form(f): Form<EndForm>,
) -> Result<Response, AppError> {
    let rel = own(&state, &client, &id).await?;
    let choice = match f.choice() {
        Ok(c) => c,
        Err(AppError::Invalid(errors)) => {
            let mut page = EndPage::new(layout, rel, "choose", f);
            page.errors = errors;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(e) => return Err(e),
    };
    let now = now_ms();
    let p = ending::preview(&state, &client, &id, choice, now).await?;
    let mine = &client.user.time_zone;
    let mut zones = view::zones_of(&state, &p.to_cancel, false).await?;
    if let Some(a) = &p.closing {
        zones.extend(view::zones_of(&state, std::slice::from_ref(a), false).await?);
    }
    let mut page = EndPage::new(layout, rel, "preview", f);
    page.message = p.message;
    page.reason_label = p.choice.reason.label();
    page.to_cancel = view::rows(&p.to_cancel, mine, &zones, false, now);
    page.closing = p
        .closing
        .as_ref()
        .map(|a| view::rows(std::slice::from_ref(a), mine, &zones, false, now).remove(0));
    page.can_send = p.can_send;
    Ok(render_status(StatusCode::OK, &page))
}

async fn confirm(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    Form(f): Form<EndForm>,
) -> Result<Response, AppError> {
    let rel = own(&state, &client, &id).await?;
    let choice = f.choice()?;
    match ending::confirm(&state, &client, &id, choice, now_ms()).await {
        Ok((p, _)) => after_page(&state, &client, layout, rel, p.stage_after, StatusCode::OK).await,
        Err(AppError::Conflict(m)) => {
            let mut page = EndPage::new(layout, rel, "choose", f);
            page.errors = vec![FieldError::new("message", &m)];
            Ok(render_status(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e),
    }
}

async fn finish(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    ending::finish(&state, &client, &id, now_ms()).await?;
    Ok(Redirect::to(&format!("/care/relationships/{id}/end")).into_response())
}
