//! Answering a referral request (therapists) and the e-mail outbox (admins).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rapport_core::FieldError;
use rapport_store::care::endings::{self, Referral};
use rapport_store::care::outbox::OutboxEntry;
use rapport_store::{listings, now_ms};
use serde::Deserialize;

use super::ending;
use crate::auth::{AdminScope, TherapistScope};
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// `/care/referrals/{id}` and `/admin/outbox`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care/referrals/{id}", get(referral_form).post(answer))
        .route("/admin/outbox", get(admin_outbox))
}

#[derive(Template)]
#[template(path = "care_referral.html")]
struct ReferralPage {
    layout: Layout,
    errors: Vec<FieldError>,
    r: Referral,
    q: String,
    listings: Vec<(String, String, bool)>,
    note: String,
}

#[derive(Deserialize, Default)]
struct Filter {
    #[serde(default)]
    q: String,
}

/// How many directory entries the picker lists at once; the filter narrows it.
const PICKER_SIZE: i64 = 40;

async fn referral_view(
    state: &AppState,
    t: &TherapistScope,
    layout: Layout,
    id: &str,
    q: String,
    picked: Vec<String>,
    note: String,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let r = endings::referral_for_therapist(&state.db, &state.vault, id, &t.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = listings::by_user(&state.db, &t.user.id)
        .await?
        .map(|l| l.id);
    let listings = listings::pick(
        &state.db,
        own.as_deref().unwrap_or(""),
        q.trim(),
        PICKER_SIZE,
    )
    .await?
    .into_iter()
    .map(|l| {
        let checked = picked.contains(&l.id);
        (l.id.clone(), ending::listing_name(&l.data), checked)
    })
    .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &ReferralPage {
            layout,
            errors,
            r,
            q,
            listings,
            note,
        },
    ))
}

async fn referral_form(
    State(state): State<AppState>,
    t: TherapistScope,
    layout: Layout,
    Path(id): Path<String>,
    Query(f): Query<Filter>,
) -> Result<Response, AppError> {
    referral_view(&state, &t, layout, &id, f.q, vec![], String::new(), vec![]).await
}

async fn answer(
    State(state): State<AppState>,
    t: TherapistScope,
    layout: Layout,
    Path(id): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let picked: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "listing_ids")
        .map(|(_, v)| v.clone())
        .collect();
    let note = pairs
        .iter()
        .find(|(k, _)| k == "note")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    match ending::answer_referral(&state, &t, &id, &picked, &note, now_ms()).await {
        Ok(_) => Ok(Redirect::to("/care/practice?done=answered").into_response()),
        Err(AppError::Invalid(errors)) => {
            referral_view(&state, &t, layout, &id, String::new(), picked, note, errors).await
        }
        Err(AppError::Conflict(m)) => {
            referral_view(
                &state,
                &t,
                layout,
                &id,
                String::new(),
                picked,
                note,
                vec![FieldError::new("listing_ids", &m)],
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "care_outbox.html")]
struct OutboxPage {
    layout: Layout,
    rows: Vec<(OutboxEntry, String, String)>,
    smtp: bool,
}

async fn admin_outbox(
    State(state): State<AppState>,
    admin: AdminScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let rows = super::outbox::for_admin(&state, &admin)
        .await?
        .into_iter()
        .map(|e| {
            let queued = admin.user.time_zone.label(e.created_at);
            let next = if e.status == "queued" {
                admin.user.time_zone.label(e.next_attempt_at)
            } else {
                String::new()
            };
            (e, queued, next)
        })
        .collect();
    Ok(render_status(
        StatusCode::OK,
        &OutboxPage {
            layout,
            rows,
            smtp: state.config.smtp_url.is_some(),
        },
    ))
}
