//! The shortlist pages: adding from the results, the shortlist itself, and the intro-consultation
//! request form on it.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rapport_core::FieldError;
use serde::Deserialize;

use super::form::Values;
use super::pages::results_page;
use super::shortlist::{self, MAX_MESSAGE_CHARS, Shortlisted};
use crate::auth::ClientScope;
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// `/shortlist`, `/shortlist/remove`, `/consultations`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shortlist", get(show).post(add))
        .route("/shortlist/remove", post(remove))
        .route("/consultations", post(request))
}

/// A shortlisted therapist as the page shows them.
struct Row {
    entry: Shortlisted,
    requested: Option<String>,
}

#[derive(Template)]
#[template(path = "shortlist.html")]
struct ShortlistPage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    rows: Vec<Row>,
    can_request: bool,
    requests: Vec<shortlist::ConsultationView>,
    values: Values,
    max_message: usize,
}

async fn shortlist_page(
    state: &AppState,
    client: &ClientScope,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    values: Values,
) -> Result<Response, AppError> {
    let rows: Vec<Row> = shortlist::list(state, client)
        .await?
        .into_iter()
        .map(|entry| Row {
            requested: entry.requested_at.map(|t| client.user.time_zone.date(t)),
            entry,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let can_request = rows.iter().any(|r| r.requested.is_none());
    Ok(render_status(
        status,
        &ShortlistPage {
            layout,
            errors,
            notice,
            rows,
            can_request,
            requests: shortlist::sent(state, client).await?,
            values,
            max_message: MAX_MESSAGE_CHARS,
        },
    ))
}

#[derive(Deserialize)]
struct ShowQuery {
    #[serde(default)]
    sent: Option<usize>,
}

async fn show(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let notice = q.sent.map(|n| match n {
        1 => "Your request for an intro consultation was sent. The therapist will contact you through Rapport.".to_owned(),
        n => format!("Your request for an intro consultation was sent to {n} therapists. They will contact you through Rapport."),
    });
    shortlist_page(&state, &client, layout, vec![], notice, Values::default()).await
}

#[derive(Deserialize)]
struct ListingForm {
    #[serde(default)]
    listing_id: String,
}

async fn add(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    axum::Form(f): axum::Form<ListingForm>,
) -> Result<Response, AppError> {
    match shortlist::add(&state, &client, &f.listing_id).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/match/results?added={}",
            urlencode(&f.listing_id)
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => results_page(&state, &client, layout, errors, None).await,
        Err(e) => Err(e),
    }
}

async fn remove(
    State(state): State<AppState>,
    client: ClientScope,
    axum::Form(f): axum::Form<ListingForm>,
) -> Result<Response, AppError> {
    shortlist::remove(&state, &client, &f.listing_id).await?;
    Ok(Redirect::to("/shortlist").into_response())
}

async fn request(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let values = Values(pairs.into_iter().filter(|(k, _)| k != "csrf").collect());
    match shortlist::request(
        &state,
        &client,
        &values.all("listing_ids"),
        &values.get("message"),
    )
    .await
    {
        Ok(sent) => Ok(Redirect::to(&format!("/shortlist?sent={}", sent.len())).into_response()),
        Err(AppError::Invalid(errors)) => {
            shortlist_page(&state, &client, layout, errors, None, values).await
        }
        Err(e) => Err(e),
    }
}

/// Percent-encodes a listing id for a query string (ids are usually plain, but imported ones may
/// hold anything).
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}
