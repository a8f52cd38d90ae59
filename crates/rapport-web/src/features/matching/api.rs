//! Matching API under `/api/v1`: vocabularies, match, listings, directory import, shortlist,
//! consultation requests and the fit profile.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use rapport_core::matching::{parse_request, vocabularies_json};
use rapport_core::places::{GAZETTEER, MIN_QUERY, Place};
use rapport_core::vocabulary::country_name;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::fit;
use super::service::{self, FileFormat, ImportReport};
use super::shortlist::{self, ConsultationView, Shortlisted};
use crate::auth::{AdminScope, ClientScope, TherapistScope};
use crate::error::AppError;
use crate::state::AppState;

/// The matching routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(vocabularies))
        .routes(routes!(places))
        .routes(routes!(match_request))
        .routes(routes!(my_listing, put_my_listing))
        .routes(routes!(my_consultations))
        .routes(routes!(put_listing))
        .routes(routes!(import))
        .routes(routes!(get_shortlist, add_to_shortlist))
        .routes(routes!(remove_from_shortlist))
        .routes(routes!(sent_consultations, request_consultations))
        .routes(routes!(get_fit_profile, put_fit_profile))
        .merge(super::requests::api_router())
}

/// Every closed list (concerns, modalities, formats, identity words, ending reasons …) with
/// labels, so clients never hard-code a word.
#[utoipa::path(get, path = "/api/v1/vocabularies", tag = "matching", responses((status = 200, description = "Vocabularies", body = Object)))]
async fn vocabularies() -> Json<Value> {
    Json(vocabularies_json())
}

/// A town or city as the place search answers it.
#[derive(Serialize, ToSchema)]
pub struct PlaceView {
    /// GeoNames id: what a form sends back as `place_id`.
    pub id: u32,
    /// Name ("Springfield").
    pub name: String,
    /// Top-level region ("Illinois"), when known.
    pub region: Option<String>,
    /// ISO 3166-2 code of the region ("US-IL"), when known.
    pub region_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code ("US").
    pub country: String,
    /// Country name ("United States"), when known.
    pub country_name: Option<String>,
    /// How to show it: "Springfield, Illinois, United States".
    pub label: String,
    /// Centre, degrees north: what matching uses for distance.
    pub lat: f64,
    /// Centre, degrees east.
    pub lon: f64,
    /// IANA time zone ("America/Chicago").
    pub time_zone: String,
    /// Inhabitants.
    pub population: u64,
}

impl From<&Place> for PlaceView {
    fn from(p: &Place) -> Self {
        PlaceView {
            id: p.id,
            name: p.name.clone(),
            region: p.region.clone(),
            region_code: p.region_code.clone(),
            country: p.country.clone(),
            country_name: country_name(&p.country).map(str::to_owned),
            label: p.label(),
            lat: p.lat,
            lon: p.lon,
            time_zone: p.time_zone.clone(),
            population: p.population,
        }
    }
}

/// The answer of a place search.
#[derive(Serialize, ToSchema)]
pub struct PlacesFound {
    /// The query as received.
    pub query: String,
    /// Matching places, best first (exact name, then names that start with it, then other
    /// names; bigger places first within each).
    pub places: Vec<PlaceView>,
    /// Why nothing was searched, when the query was too short.
    pub note: Option<String>,
}

#[derive(Deserialize)]
struct PlacesQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    limit: Option<String>,
}

/// Towns and cities (GeoNames, 15,000 people or more) matching what a person typed, ignoring
/// case and accents; text after a comma narrows by region or country ("Portland, Maine",
/// "Portland, US"). Public: it says nothing about anyone.
#[utoipa::path(get, path = "/api/v1/places", tag = "matching",
    params(("q" = String, Query, description = "What was typed, at least 2 letters"),
           ("limit" = Option<u32>, Query, description = "How many, 1 to 20 (8 unless given)")),
    responses((status = 200, description = "Places, best first", body = PlacesFound),
              (status = 422, description = "A limit that is not 1 to 20")))]
async fn places(Query(q): Query<PlacesQuery>) -> Result<Json<PlacesFound>, AppError> {
    let limit = match q.limit.as_deref().map(str::trim) {
        None | Some("") => 8,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=20).contains(n))
            .ok_or_else(|| AppError::field("limit", "must be a whole number from 1 to 20"))?,
    };
    let places: Vec<PlaceView> = GAZETTEER
        .search(&q.q, limit)
        .into_iter()
        .map(PlaceView::from)
        .collect();
    let short = rapport_core::places::fold(q.q.split(',').next().unwrap_or_default())
        .chars()
        .count()
        < MIN_QUERY;
    Ok(Json(PlacesFound {
        note: short.then(|| format!("type at least {MIN_QUERY} letters of a town or city")),
        query: q.q,
        places,
    }))
}

/// Therapists who fit a request, best first, with each score component, reasons and unmet
/// preferences (the same JSON as `rapport match`). Nothing is stored.
#[utoipa::path(post, path = "/api/v1/match", tag = "matching", request_body = Object,
    responses((status = 200, description = "total_eligible and results", body = Object), (status = 422, description = "Invalid fields, each named")))]
async fn match_request(
    State(state): State<AppState>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, AppError> {
    let req = parse_request(&body)?;
    Ok(Json(json!(service::search(&state, &req).await?)))
}

/// Your own directory listing (therapists).
#[utoipa::path(get, path = "/api/v1/me/listing", tag = "matching",
    responses((status = 200, description = "The listing JSON", body = Object), (status = 404, description = "No listing yet")))]
async fn my_listing(
    State(state): State<AppState>,
    therapist: TherapistScope,
) -> Result<Json<Value>, AppError> {
    let (_, listing) = service::own_listing(&state, &therapist)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(listing))
}

/// Create or replace your listing, including your own rating of your style on the four C-NIP
/// dimensions (`style`, each −3 … 3). The id is kept (a first listing gets one); effectiveness is
/// set by the directory. Clients' searches see the change at once.
#[utoipa::path(put, path = "/api/v1/me/listing", tag = "matching", request_body = Object,
    responses((status = 200, description = "The saved listing", body = Object), (status = 422, description = "Invalid fields, each named")))]
async fn put_my_listing(
    State(state): State<AppState>,
    therapist: TherapistScope,
    Json(body): Json<Value>,
) -> Result<Json<Value>, AppError> {
    Ok(Json(json!(
        service::save_own_listing(&state, &therapist, body).await?
    )))
}

/// Intro-consultation requests clients sent to your listing, newest first.
#[utoipa::path(get, path = "/api/v1/me/listing/consultations", tag = "matching", responses((status = 200, description = "Requests", body = [ConsultationView])))]
async fn my_consultations(
    State(state): State<AppState>,
    therapist: TherapistScope,
) -> Result<Json<Vec<ConsultationView>>, AppError> {
    Ok(Json(shortlist::received(&state, &therapist).await?))
}

/// Create or replace a listing (administrators): a directory listing, or the listing of a
/// therapist in your practice (its account link and effectiveness ratings are kept).
#[utoipa::path(put, path = "/api/v1/listings/{id}", tag = "matching", params(("id" = String, Path)), request_body = Object,
    responses((status = 200, description = "The saved listing", body = Object), (status = 422, description = "Invalid fields, each named"), (status = 403, description = "Not an administrator, or a therapist's listing outside your practice")))]
async fn put_listing(
    State(state): State<AppState>,
    admin: AdminScope,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, AppError> {
    Ok(Json(json!(
        service::save_listing(&state, &admin, &id, body).await?
    )))
}

/// How an import body is written.
#[derive(Deserialize, ToSchema)]
pub struct ImportQuery {
    /// `jsonl` or `csv`; by default CSV when the body is sent as `text/csv`, else JSON Lines.
    #[serde(default)]
    pub format: Option<String>,
}

/// Import a directory (administrators): JSON Lines or CSV, up to 1 MiB per request (use
/// `rapport directory import` for a whole national directory). Every bad row is reported with its
/// row number, field and reason; good rows are written together in one transaction, updating
/// existing listings by id, and are matched at once.
#[utoipa::path(post, path = "/api/v1/directory/import", tag = "matching", params(("format" = Option<String>, Query)), request_body(content = String, content_type = "application/jsonl"),
    responses((status = 200, description = "What was imported and every refused row", body = ImportReport), (status = 422, description = "Empty body or unknown format")))]
async fn import(
    State(state): State<AppState>,
    admin: AdminScope,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: String,
) -> Result<Json<ImportReport>, AppError> {
    let format = match q.format.as_deref() {
        Some(word) => FileFormat::parse(word)
            .ok_or_else(|| AppError::field("format", "must be jsonl or csv"))?,
        None => {
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if content_type.starts_with("text/csv") {
                FileFormat::Csv
            } else {
                FileFormat::JsonLines
            }
        }
    };
    Ok(Json(service::import(&state, &admin, &body, format).await?))
}

/// Your shortlist (at most three therapists).
#[utoipa::path(get, path = "/api/v1/shortlist", tag = "matching", responses((status = 200, description = "Shortlist", body = [Shortlisted])))]
async fn get_shortlist(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Json<Vec<Shortlisted>>, AppError> {
    Ok(Json(shortlist::list(&state, &client).await?))
}

/// A therapist to shortlist.
#[derive(Deserialize, ToSchema)]
pub struct ShortlistIn {
    /// Listing id from a match result.
    #[serde(default)]
    pub listing_id: String,
}

/// Add a therapist to your shortlist (201; 200 when already there; 422 when the shortlist holds
/// three or the id is not in the directory).
#[utoipa::path(post, path = "/api/v1/shortlist", tag = "matching", request_body = ShortlistIn,
    responses((status = 201, description = "Added; the shortlist", body = [Shortlisted]), (status = 200, description = "Already there; the shortlist", body = [Shortlisted]), (status = 422, description = "Full, or not in the directory")))]
async fn add_to_shortlist(
    State(state): State<AppState>,
    client: ClientScope,
    Json(input): Json<ShortlistIn>,
) -> Result<(StatusCode, Json<Vec<Shortlisted>>), AppError> {
    let added = shortlist::add(&state, &client, &input.listing_id).await?;
    let status = if added == rapport_store::matching::Added::Added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(shortlist::list(&state, &client).await?)))
}

/// Take a therapist off your shortlist.
#[utoipa::path(delete, path = "/api/v1/shortlist/{listing_id}", tag = "matching", params(("listing_id" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, description = "Not on your shortlist")))]
async fn remove_from_shortlist(
    State(state): State<AppState>,
    client: ClientScope,
    Path(listing_id): Path<String>,
) -> Result<StatusCode, AppError> {
    shortlist::remove(&state, &client, &listing_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The requests you have sent, newest first.
#[utoipa::path(get, path = "/api/v1/consultations", tag = "matching", responses((status = 200, description = "Requests", body = [ConsultationView])))]
async fn sent_consultations(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Json<Vec<ConsultationView>>, AppError> {
    Ok(Json(shortlist::sent(&state, &client).await?))
}

/// An intro-consultation request.
#[derive(Deserialize, ToSchema)]
pub struct ConsultationIn {
    /// Shortlisted therapists to ask.
    #[serde(default)]
    pub listing_ids: Vec<String>,
    /// An optional note for them (at most 1000 characters).
    #[serde(default)]
    pub message: String,
}

/// Ask shortlisted therapists for an intro consultation (all of them, or none when anything is
/// wrong).
#[utoipa::path(post, path = "/api/v1/consultations", tag = "matching", request_body = ConsultationIn,
    responses((status = 201, description = "Sent", body = [ConsultationView]), (status = 422, description = "Not shortlisted, already asked, or the note is too long")))]
async fn request_consultations(
    State(state): State<AppState>,
    client: ClientScope,
    Json(input): Json<ConsultationIn>,
) -> Result<(StatusCode, Json<Vec<ConsultationView>>), AppError> {
    let sent = shortlist::request(&state, &client, &input.listing_ids, &input.message).await?;
    Ok((StatusCode::CREATED, Json(sent)))
}

/// Your fit profile: the style the next therapist should have and whom not to suggest again,
/// moved by why past relationships ended, with a plain-words description.
#[utoipa::path(get, path = "/api/v1/me/fit-profile", tag = "matching", responses((status = 200, description = "style, exclude, description", body = Object)))]
async fn get_fit_profile(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Json<Value>, AppError> {
    Ok(Json(fit::to_json(
        &fit::fit_profile(&state, &client.user.id).await?,
    )))
}

/// Replace your fit profile: `style` (each dimension −3 … 3) and `exclude` (listing ids).
#[utoipa::path(put, path = "/api/v1/me/fit-profile", tag = "matching", request_body = Object,
    responses((status = 200, description = "Saved", body = Object), (status = 422, description = "Invalid fields, each named")))]
async fn put_fit_profile(
    State(state): State<AppState>,
    client: ClientScope,
    Json(body): Json<Value>,
) -> Result<Json<Value>, AppError> {
    let profile = fit::parse_fit_profile(&body)?;
    Ok(Json(fit::to_json(
        &fit::set_fit_profile(&state, &client, profile).await?,
    )))
}
