//! The therapist's inbox of intro-consultation requests: offer a time (the client then books
//! it like any free time) or decline with a kind message; each answer reaches the client by
//! e-mail, queued in the same transaction as the answer. The client's side (the state of each
//! request) is in [`super::shortlist`].

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use rapport_core::FieldError;
use rapport_core::care::clock;
use rapport_core::care::request::Answered;
use rapport_core::ids::ConsultationId;
use rapport_store::care::Mail;
use rapport_store::matching::{self as store, Answer};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::shortlist::{self, ConsultationView, MAX_MESSAGE_CHARS};
use crate::auth::TherapistScope;
use crate::error::{ApiJson, AppError, IdPath};
use crate::features::care::booking;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// What a decline says when the therapist writes nothing of their own.
pub const KIND_DECLINE: &str = "Thank you for reaching out. I'm not able to take on someone new \
    right now, and I didn't want to leave you waiting. I hope you find the right person soon.";

/// To the therapist: someone asked for an intro consultation (the note stays in the app).
pub fn request_mail(base: &str, therapist_id: &str, client_name: &str) -> Mail {
    Mail {
        user_id: therapist_id.to_owned(),
        kind: "consultation_request".into(),
        subject: "A request for an intro consultation".into(),
        body: format!(
            "{client_name} would like an intro consultation with you. Offer a time or answer kindly: {base}/requests"
        ),
    }
}

fn answer_mail(base: &str, client_id: &str, words: &str) -> Mail {
    Mail {
        user_id: client_id.to_owned(),
        kind: "consultation_answer".into(),
        subject: "An answer to your request".into(),
        body: format!("{words}\n\nSee it with your shortlist: {base}/shortlist"),
    }
}

/// What the therapist answers.
#[derive(Deserialize, ToSchema, Default)]
pub struct AnswerIn {
    /// For an offer: one of your free times, RFC 3339 (as `GET /api/v1/care/therapists/{id}`
    /// lists them).
    #[serde(default)]
    pub starts_at: String,
    /// An optional note for the client (at most 1000 characters); a decline without one sends
    /// a kind standard message.
    #[serde(default)]
    pub note: String,
}

fn note(raw: &str) -> Result<Option<String>, FieldError> {
    let t = raw.trim();
    if t.chars().count() > MAX_MESSAGE_CHARS
        || t.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            "note",
            format!("can be up to {MAX_MESSAGE_CHARS} characters of plain text"),
        ));
    }
    Ok((!t.is_empty()).then(|| t.to_owned()))
}

/// Which answer the therapist gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// One of their free times.
    Offer,
    /// Not this time.
    Decline,
}

/// Offers a free time or declines; 404 for a request that is not the therapist's, 409 for one
/// already answered, 422 naming the field for a time that is not one of their free times or a
/// note too long. Nothing changes on any refusal.
pub async fn answer(
    state: &AppState,
    t: &TherapistScope,
    id: &ConsultationId,
    input: &AnswerIn,
    reply: Reply,
    now: i64,
) -> Result<ConsultationView, AppError> {
    let id = id.as_str();
    let c = store::consultations_received(&state.db, &state.vault, &t.user.id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    if c.status != Answered::Sent {
        return Err(AppError::Conflict(
            "You've already answered this request.".into(),
        ));
    }
    let mut errors = Vec::new();
    let note = note(&input.note).map_err(|e| errors.push(e)).ok().flatten();
    let start = match reply {
        Reply::Offer => offered_start(state, t, &input.starts_at, now)
            .await
            .map_err(|e| errors.push(e))
            .ok(),
        Reply::Decline => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let client = rapport_store::users::by_id(&state.db, &c.client_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (answer, words, reply) = match start {
        Some(s) => (
            Answer::Offer(s),
            format!(
                "{} offered you an intro consultation on {}.{}\n\nBook it if it suits you: {}/care/therapists/{}",
                t.user.display_name,
                client.time_zone.label(s),
                note.as_deref()
                    .map(|n| format!("\n\nTheir note:\n{n}"))
                    .unwrap_or_default(),
                state.config.base_url(),
                t.user.id
            ),
            note,
        ),
        None => {
            let text = note.unwrap_or_else(|| KIND_DECLINE.to_owned());
            (
                Answer::Decline,
                format!("{} answered your request:\n\n{text}", t.user.display_name),
                Some(text),
            )
        }
    };
    let mail = answer_mail(&state.config.base_url(), &client.id, &words);
    let done = store::answer_consultation(
        &state.db,
        &state.vault,
        &t.user.id,
        id,
        answer,
        reply.as_deref(),
        &mail,
        now,
    )
    .await?;
    if !done {
        return Err(AppError::Conflict(
            "This request was answered meanwhile.".into(),
        ));
    }
    shortlist::received(state, t)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)
}

/// The offered start must be one of the therapist's free times (so the client can book it).
async fn offered_start(
    state: &AppState,
    t: &TherapistScope,
    raw: &str,
    now: i64,
) -> Result<i64, FieldError> {
    let bad = |why: &str| FieldError::new("starts_at", why);
    let start =
        clock::parse_rfc3339(raw).ok_or_else(|| bad("please pick one of your free times"))?;
    let me = booking::therapist(state, &t.user.id).await.map_err(|_| {
        bad("publish your week on the Practice page first, then offer one of its times")
    })?;
    let free = booking::free_slots(state, &me, now)
        .await
        .map_err(|_| bad("please pick one of your free times"))?;
    if free.contains(&start) {
        Ok(start)
    } else {
        Err(bad(
            "isn't one of your free times any more; please pick a listed time",
        ))
    }
}

/// The inbox page and its two forms.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(inbox))
        .route("/requests/{id}/offer", post(offer_form))
        .route("/requests/{id}/decline", post(decline_form))
}

/// The answer routes of the API.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(offer_api))
        .routes(routes!(decline_api))
}

#[derive(Template)]
#[template(path = "requests.html")]
struct InboxPage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    requests: Vec<ConsultationView>,
    free: Vec<(String, String)>,
    has_week: bool,
    kind_decline: &'static str,
}

async fn inbox_page(
    state: &AppState,
    t: &TherapistScope,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let now = rapport_store::now_ms();
    let (free, has_week) = match booking::therapist(state, &t.user.id).await {
        Ok(me) => (
            booking::free_slots(state, &me, now)
                .await?
                .into_iter()
                .map(|s| (clock::rfc3339(s), t.user.time_zone.label(s)))
                .collect(),
            true,
        ),
        Err(AppError::NotFound) => (Vec::new(), false),
        Err(e) => return Err(e),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = InboxPage {
        layout,
        errors,
        notice,
        requests: shortlist::received(state, t).await?,
        free,
        has_week,
        kind_decline: KIND_DECLINE,
    };
    Ok(render_status(status, &page))
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

async fn inbox(
    State(state): State<AppState>,
    t: TherapistScope,
    layout: Layout,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Result<Response, AppError> {
    let notice = match q.done.as_str() {
        "offered" => Some("Sent. They'll see the time with their shortlist and by e-mail."),
        "declined" => Some("Sent. Thank you for answering: it helps them move on."),
        _ => None,
    };
    inbox_page(&state, &t, layout, vec![], notice).await
}

async fn form_answer(
    state: AppState,
    t: TherapistScope,
    layout: Layout,
    id: ConsultationId,
    f: AnswerIn,
    reply: Reply,
) -> Result<Response, AppError> {
    match answer(&state, &t, &id, &f, reply, rapport_store::now_ms()).await {
        Ok(_) => Ok(Redirect::to(match reply {
            Reply::Offer => "/requests?done=offered",
            Reply::Decline => "/requests?done=declined",
        })
        .into_response()),
        Err(AppError::Invalid(errors)) => inbox_page(&state, &t, layout, errors, None).await,
        Err(AppError::Conflict(m)) => {
            inbox_page(
                &state,
                &t,
                layout,
                vec![FieldError::new("request", m)],
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn offer_form(
    State(state): State<AppState>,
    t: TherapistScope,
    layout: Layout,
    IdPath(id): IdPath<ConsultationId>,
    Form(f): Form<AnswerIn>,
) -> Result<Response, AppError> {
    form_answer(state, t, layout, id, f, Reply::Offer).await
}

async fn decline_form(
    State(state): State<AppState>,
    t: TherapistScope,
    layout: Layout,
    IdPath(id): IdPath<ConsultationId>,
    Form(f): Form<AnswerIn>,
) -> Result<Response, AppError> {
    form_answer(state, t, layout, id, f, Reply::Decline).await
}

/// Offer one of your free times for a request sent to your listing.
#[utoipa::path(post, path = "/api/v1/me/listing/consultations/{id}/offer", tag = "matching", request_body = AnswerIn, params(("id" = String, Path)),
    responses((status = 200, description = "Offered; the request as it stands", body = ConsultationView), (status = 404, description = "Not a request to you"), (status = 409, description = "Already answered"), (status = 422, description = "Not one of your free times, or the note is too long")))]
async fn offer_api(
    State(state): State<AppState>,
    t: TherapistScope,
    IdPath(id): IdPath<ConsultationId>,
    ApiJson(input): ApiJson<AnswerIn>,
) -> Result<Json<ConsultationView>, AppError> {
    Ok(Json(
        answer(
            &state,
            &t,
            &id,
            &input,
            Reply::Offer,
            rapport_store::now_ms(),
        )
        .await?,
    ))
}

/// Decline a request sent to your listing, kindly (a standard kind message when you write none).
#[utoipa::path(post, path = "/api/v1/me/listing/consultations/{id}/decline", tag = "matching", request_body = AnswerIn, params(("id" = String, Path)),
    responses((status = 200, description = "Declined; the request as it stands", body = ConsultationView), (status = 404, description = "Not a request to you"), (status = 409, description = "Already answered"), (status = 422, description = "The note is too long")))]
async fn decline_api(
    State(state): State<AppState>,
    t: TherapistScope,
    IdPath(id): IdPath<ConsultationId>,
    ApiJson(input): ApiJson<AnswerIn>,
) -> Result<Json<ConsultationView>, AppError> {
    Ok(Json(
        answer(
            &state,
            &t,
            &id,
            &input,
            Reply::Decline,
            rapport_store::now_ms(),
        )
        .await?,
    ))
}
