//! The administrator's practice page: therapists, waitlists, aggregate outcomes, effectiveness
//! and the CSV export.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rapport_core::FieldError;
use rapport_core::outcome::PriorBasis;
use rapport_store::audit::{self, AuditEntry};
use rapport_store::practices::{self, Member};
use serde::Deserialize;

use super::scope::{PracticeScope, audit_key};
use super::service::{self, Overview};
use crate::auth::AdminScope;
use crate::error::AppError;
use crate::features::feedback::view::{DomainLine, domains, percent, rate};
use crate::features::relationships::view::date_time;
use crate::pages::{Layout, render_status};
use crate::paging::PAGE_SIZE;
use crate::state::AppState;

/// `/admin` and `/admin/practices/{id}/…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(home))
        .route("/admin/practices/{id}", get(show))
        .route("/admin/practices/{id}/therapists", post(add))
        .route(
            "/admin/practices/{id}/therapists/{user_id}/remove",
            post(remove),
        )
        .route("/admin/practices/{id}/effectiveness", post(publish))
        .route("/admin/practices/{id}/export.csv", get(export))
}

#[derive(Template)]
#[template(path = "admin_home.html")]
struct HomePage {
    layout: Layout,
}

async fn home(
    State(state): State<AppState>,
    admin: AdminScope,
    layout: Layout,
) -> Result<Response, AppError> {
    match practices::of_user(&state.db, &admin.user.id).await? {
        Some(p) => Ok(Redirect::to(&format!("/admin/practices/{}", p.id)).into_response()),
        None => Ok(render_status(StatusCode::OK, &HomePage { layout })),
    }
}

struct Line {
    id: String,
    name: String,
    courses: u64,
    finished: u64,
    improvement: String,
    improvement_shrunk: String,
    recovery: String,
    recovery_shrunk: String,
    domains: Vec<DomainLine>,
    publishes: bool,
    waiting: usize,
    longest_wait: String,
}

#[derive(Template)]
#[template(path = "admin_practice.html")]
struct PracticePage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    name: String,
    id: String,
    members: Vec<Member>,
    lines: Vec<Line>,
    practice_improvement: String,
    practice_recovery: String,
    prior: String,
    refused: Vec<(String, AuditEntry)>,
    email: String,
}

fn lines(o: &Overview) -> Vec<Line> {
    o.therapists
        .iter()
        .map(|t| Line {
            id: t.id.clone(),
            name: t.name.clone(),
            courses: t.tally.courses,
            finished: t.tally.finished,
            improvement: rate(t.tally.improvement),
            improvement_shrunk: t.improvement_shrunk.map_or_else(|| "–".to_owned(), percent),
            recovery: rate(t.tally.recovery),
            recovery_shrunk: t.recovery_shrunk.map_or_else(|| "–".to_owned(), percent),
            domains: domains(&t.domains),
            publishes: t.publishes,
            waiting: t.waiting,
            longest_wait: t
                .longest_wait_days
                .map_or_else(|| "–".to_owned(), |d| format!("{d} days")),
        })
        .collect()
}

async fn page(
    state: &AppState,
    scope: &PracticeScope,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    email: String,
) -> Result<Response, AppError> {
    let o = service::overview(state, scope, "view_aggregate").await?;
    let refused = audit::page(&state.db, &audit_key(&scope.practice.id), 1, PAGE_SIZE)
        .await?
        .0
        .into_iter()
        .map(|e| (date_time(e.at, &scope.admin.time_zone), e))
        .collect();
    let prior = match &o.improvement_prior {
        Some(p) => {
            let basis = match p.basis {
                PriorBasis::Estimated => "estimated from how much the practice's therapists differ",
                PriorBasis::Floor => {
                    "held at its floor: the therapists' rates differ more than chance, a lot"
                }
                PriorBasis::Ceiling => {
                    "at its ceiling: the therapists differ no more than chance would make them"
                }
            };
            format!(
                "Shrunk rates pull each therapist toward the practice's rate ({}) with a prior worth {:.1} cases, {basis}.",
                percent(p.mean),
                p.strength
            )
        }
        None => "No courses with two paired scores yet, so there is nothing to shrink.".to_owned(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &PracticePage {
            layout,
            errors,
            notice,
            name: scope.practice.name.clone(),
            id: scope.practice.id.clone(),
            members: service::members(state, scope).await?,
            lines: lines(&o),
            practice_improvement: rate(o.practice.improvement),
            practice_recovery: rate(o.practice.recovery),
            prior,
            refused,
            email,
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    scope: PracticeScope,
    layout: Layout,
) -> Result<Response, AppError> {
    page(&state, &scope, layout, vec![], None, String::new()).await
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    email: String,
}

async fn add(
    State(state): State<AppState>,
    scope: PracticeScope,
    layout: Layout,
    Form(f): Form<AddForm>,
) -> Result<Response, AppError> {
    match service::add_therapist(&state, &scope, &f.email).await {
        Ok(m) => {
            page(
                &state,
                &scope,
                layout,
                vec![],
                Some(format!("{} joined the practice.", m.display_name)),
                String::new(),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => page(&state, &scope, layout, errors, None, f.email).await,
        Err(AppError::Conflict(m)) => {
            page(
                &state,
                &scope,
                layout,
                vec![FieldError::new("email", m)],
                None,
                f.email,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn remove(
    State(state): State<AppState>,
    scope: PracticeScope,
    layout: Layout,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    service::remove_therapist(&state, &scope, &user_id).await?;
    page(
        &state,
        &scope,
        layout,
        vec![],
        Some("The therapist left the practice.".into()),
        String::new(),
    )
    .await
}

async fn publish(
    State(state): State<AppState>,
    scope: PracticeScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let written = service::publish_effectiveness(&state, &scope).await?;
    let changed = written.iter().filter(|(_, w)| w.changed).count();
    page(&state, &scope, layout, vec![], Some(format!("Effectiveness checked for {} therapists; {changed} listing(s) changed. Only therapists who consent show it to matching.", written.len())), String::new()).await
}

async fn export(State(state): State<AppState>, scope: PracticeScope) -> Result<Response, AppError> {
    super::api::csv_response(&state, &scope).await
}
