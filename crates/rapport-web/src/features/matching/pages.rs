//! The client's matching pages: the preferences form (`/match`) and the ranked results with
//! "why this match" (`/match/results`). Both work without JavaScript: the form posts, the
//! preferences are saved, and the results page runs the saved request with the fit profile.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rapport_core::FieldError;
use rapport_core::matching::{
    Concern, Day, Ethnicity, Faith, FitProfile, Format, Gender, MatchResult, Population,
    parse_request,
};
use serde::Deserialize;

use super::form::{CLIENT_STYLE, StyleField, Values, style_fields, words};
use super::places::{Offer, PlaceField, offer};
use super::service::{self, for_form};
use super::shortlist::{self, Shortlisted};
use super::{fit, prefs_form, shortlist_pages};
use crate::auth::ClientScope;
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// `/match`, `/match/results`, `/match/forget` and the shortlist pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/match", get(form).post(submit))
        .route("/match/results", get(results))
        .route("/match/forget", post(forget))
        .route("/static/places.js", get(places_script))
        .merge(shortlist_pages::router())
}

/// Suggestions for the place field as a person types; served from here so the page needs no
/// inline script (the CSP allows only `'self'`).
async fn places_script() -> impl IntoResponse {
    (
        [
            ("content-type", "text/javascript; charset=utf-8"),
            ("cache-control", "public, max-age=3600"),
        ],
        include_str!("../../../static/places.js"),
    )
}

#[derive(Template)]
#[template(path = "match.html")]
struct MatchPage {
    layout: Layout,
    errors: Vec<FieldError>,
    values: Values,
    concerns: Vec<(&'static str, &'static str)>,
    formats: Vec<(&'static str, &'static str)>,
    populations: Vec<(&'static str, &'static str)>,
    genders: Vec<(&'static str, &'static str)>,
    ethnicities: Vec<(&'static str, &'static str)>,
    faiths: Vec<(&'static str, &'static str)>,
    days: Vec<(&'static str, &'static str)>,
    hours: Vec<String>,
    place: PlaceField,
    offer: Offer,
    style: Vec<StyleField>,
    fit_description: Option<String>,
    excluded: Vec<(String, String)>,
}

/// The therapists a client ended with, as `(listing id, name)`: people know them by name, and a
/// listing that has since left the directory is still shown by its id so it can be suggested again.
async fn excluded_names(
    state: &AppState,
    profile: &FitProfile,
) -> Result<Vec<(String, String)>, AppError> {
    let mut out = Vec::new();
    for id in &profile.exclude {
        let name = rapport_store::listings::by_id(&state.db, id)
            .await?
            .and_then(|l| serde_json::from_str::<serde_json::Value>(&l.data).ok())
            .and_then(|v| {
                v.get("name")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| id.clone());
        out.push((id.clone(), name));
    }
    Ok(out)
}

fn match_page(
    layout: Layout,
    errors: Vec<FieldError>,
    values: Values,
    profile: &FitProfile,
    excluded: Vec<(String, String)>,
    offer: Offer,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let changed = *profile != FitProfile::default();
    let place = PlaceField::of(&values, &errors);
    let page = MatchPage {
        layout,
        errors,
        style: style_fields(&CLIENT_STYLE, &values, "no preference"),
        values,
        concerns: words::<Concern>(),
        formats: words::<Format>(),
        populations: words::<Population>(),
        genders: words::<Gender>(),
        ethnicities: words::<Ethnicity>(),
        faiths: words::<Faith>(),
        days: words::<Day>(),
        hours: (0..24).map(|h| h.to_string()).collect(),
        place,
        offer,
        fit_description: changed.then(|| profile.describe()),
        excluded,
    };
    render_status(status, &page)
}

async fn form(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let profile = fit::fit_profile(&state, &client.user.id).await?;
    let offered = state.directory.offered(&state.db).await?;
    let values = match fit::preferences(&state, &client).await? {
        Some(req) => prefs_form::values_of(&req, &profile, &offered),
        None => prefs_form::starting_values(&profile),
    };
    let excluded = excluded_names(&state, &profile).await?;
    let offer = Offer::of(&offered);
    Ok(match_page(
        layout,
        vec![],
        values,
        &profile,
        excluded,
        offer,
    ))
}

async fn submit(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let values = Values(pairs.into_iter().filter(|(k, _)| k != "csrf").collect());
    let offered = state.directory.offered(&state.db).await?;
    let (json, mut errors) = prefs_form::request_json(&values, &offered);
    match parse_request(&json) {
        Ok(req) if errors.is_empty() => {
            fit::save_preferences(&state, &client, &req).await?;
            return Ok(Redirect::to("/match/results").into_response());
        }
        Ok(_) => {}
        Err(invalid) => errors.extend(for_form(invalid)),
    }
    let profile = fit::fit_profile(&state, &client.user.id).await?;
    let excluded = excluded_names(&state, &profile).await?;
    Ok(match_page(
        layout,
        errors,
        values,
        &profile,
        excluded,
        offer(&state).await?,
    ))
}

#[derive(Deserialize)]
struct ForgetForm {
    #[serde(default)]
    listing_id: String,
}

async fn forget(
    State(state): State<AppState>,
    client: ClientScope,
    axum::Form(f): axum::Form<ForgetForm>,
) -> Result<Response, AppError> {
    fit::forget_exclusion(&state, &client, &f.listing_id).await?;
    Ok(Redirect::to("/match").into_response())
}

/// One result as the page shows it.
pub struct ResultView {
    /// Listing id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Score out of 100, rounded.
    pub score: String,
    /// "2.4 km away", when in person.
    pub distance: Option<String>,
    /// "£80 a session", in the listing's own currency ("from £40" added for a sliding scale).
    pub fee: Option<String>,
    /// Why this match.
    pub reasons: Vec<String>,
    /// Preferences not met.
    pub unmet: Vec<String>,
    /// Already on the shortlist.
    pub shortlisted: bool,
}

#[derive(Template)]
#[template(path = "match_results.html")]
struct ResultsPage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    total: usize,
    results: Vec<ResultView>,
    fit_description: Option<String>,
    shortlist_len: usize,
    shortlist_max: i64,
}

/// Shows the results of the client's saved request with their fit profile applied; the client
/// without saved preferences is sent to the form first.
pub async fn results_page(
    state: &AppState,
    client: &ClientScope,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let Some(mut req) = fit::preferences(state, client).await? else {
        return Ok(Redirect::to("/match").into_response());
    };
    let profile = fit::fit_profile(state, &client.user.id).await?;
    profile.apply_to(&mut req);
    let found = service::search(state, &req).await?;
    let list: Vec<Shortlisted> = shortlist::list(state, client).await?;
    let ids: Vec<String> = found.results.iter().map(|r| r.id.clone()).collect();
    let fees = service::fees(state, &ids).await?;
    let view = |r: MatchResult| ResultView {
        shortlisted: list.iter().any(|s| s.listing_id == r.id),
        fee: fees.get(&r.id).cloned(),
        score: format!("{:.0}", r.score),
        distance: r.distance_km.map(|d| format!("{d:.1} km away")),
        id: r.id,
        name: r.name,
        reasons: r.reasons,
        unmet: r.unmet,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ResultsPage {
        layout,
        errors,
        notice,
        total: found.total_eligible,
        results: found.results.into_iter().map(view).collect(),
        fit_description: (profile != FitProfile::default()).then(|| profile.describe()),
        shortlist_len: list.len(),
        shortlist_max: rapport_store::matching::SHORTLIST_MAX,
    };
    Ok(render_status(status, &page))
}

#[derive(Deserialize)]
struct ResultsQuery {
    #[serde(default)]
    added: Option<String>,
}

async fn results(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, AppError> {
    let notice = match q.added {
        Some(id) => {
            let list = shortlist::list(&state, &client).await?;
            list.iter().find(|s| s.listing_id == id).map(|s| {
                format!(
                    "{} is on your shortlist ({} of {}).",
                    s.name,
                    list.len(),
                    rapport_store::matching::SHORTLIST_MAX
                )
            })
        }
        None => None,
    };
    results_page(&state, &client, layout, vec![], notice).await
}
