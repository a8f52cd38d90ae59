//! The therapist's profile page: their directory listing, including their own rating of their
//! style.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rapport_core::matching::{
    Concern, Ethnicity, Faith, Format, Gender, Modality, Population, parse_listing,
};
use rapport_core::{FieldError, Invalid};
use serde::Deserialize;

use super::form::{StyleField, THERAPIST_STYLE, Values, style_fields, words};
use super::listing_form;
use super::places::PlaceField;
use super::service::{self, for_form};
use super::shortlist::{self, ConsultationView};
use crate::auth::TherapistScope;
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;
use rapport_core::vocabulary::{currency_codes, currency_label};

/// `/profile` (therapists).
pub fn router() -> Router<AppState> {
    Router::new().route("/profile", get(profile).post(save_profile))
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    listing_id: Option<String>,
    values: Values,
    concerns: Vec<(&'static str, &'static str)>,
    modalities: Vec<(&'static str, &'static str)>,
    formats: Vec<(&'static str, &'static str)>,
    populations: Vec<(&'static str, &'static str)>,
    genders: Vec<(&'static str, &'static str)>,
    ethnicities: Vec<(&'static str, &'static str)>,
    faiths: Vec<(&'static str, &'static str)>,
    place: PlaceField,
    currencies: Vec<(String, String)>,
    style: Vec<StyleField>,
    requests: Vec<(ConsultationView, String)>,
    readings: [(&'static str, String); 3],
}

impl ProfilePage {
    /// The names a typed list field reads as (empty when nothing is typed).
    fn reads(&self, field: &str) -> &str {
        self.readings
            .iter()
            .find(|(f, _)| *f == field)
            .map_or("", |(_, r)| r.as_str())
    }
}

async fn profile_page(
    state: &AppState,
    therapist: &TherapistScope,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    values: Option<Values>,
) -> Result<Response, AppError> {
    let own = service::own_listing(state, therapist).await?;
    let listing_id = own.as_ref().map(|(id, _)| id.clone());
    let values = values.unwrap_or_else(|| match &own {
        Some((_, listing)) => listing_form::values_of(listing),
        None => listing_form::starting_values(&therapist.user.display_name),
    });
    let requests = shortlist::received(state, therapist)
        .await?
        .into_iter()
        .map(|c| {
            let d = therapist.user.time_zone.date(c.created_at);
            (c, d)
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let place = PlaceField::of(&values, &errors);
    let page = ProfilePage {
        layout,
        errors,
        notice,
        listing_id,
        style: style_fields(&THERAPIST_STYLE, &values, "in between"),
        readings: listing_form::readings(&values),
        values,
        concerns: words::<Concern>(),
        modalities: words::<Modality>(),
        formats: words::<Format>(),
        populations: words::<Population>(),
        genders: words::<Gender>(),
        ethnicities: words::<Ethnicity>(),
        faiths: words::<Faith>(),
        place,
        currencies: all_currencies(),
        requests,
    };
    Ok(render_status(status, &page))
}

/// Every currency by name: a therapist charges in theirs even if nobody listed does yet.
fn all_currencies() -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = currency_codes()
        .into_iter()
        .map(|c| (c.to_owned(), currency_label(c)))
        .collect();
    list.sort_by(|a, b| a.1.cmp(&b.1));
    list
}

#[derive(Deserialize)]
struct SavedQuery {
    #[serde(default)]
    saved: Option<u8>,
}

async fn profile(
    State(state): State<AppState>,
    therapist: TherapistScope,
    layout: Layout,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let notice = q
        .saved
        .map(|_| "Saved. Clients searching from now on see your listing as it is here.".to_owned());
    profile_page(&state, &therapist, layout, vec![], notice, None).await
}

async fn save_profile(
    State(state): State<AppState>,
    therapist: TherapistScope,
    layout: Layout,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let values = Values(pairs.into_iter().filter(|(k, _)| k != "csrf").collect());
    let (mut json, mut errors) = listing_form::listing_json(&values);
    if errors.is_empty() {
        match service::save_own_listing(&state, &therapist, json).await {
            Ok(_) => return Ok(Redirect::to("/profile?saved=1").into_response()),
            Err(AppError::Invalid(found)) => errors = for_form(Invalid(found)),
            Err(e) => return Err(e),
        }
    } else {
        json["id"] = "t-unsaved".into();
        if let Err(found) = parse_listing(&json) {
            let seen: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(
                for_form(found)
                    .into_iter()
                    .filter(|e| !seen.contains(&e.field)),
            );
        }
    }
    profile_page(&state, &therapist, layout, errors, None, Some(values)).await
}
