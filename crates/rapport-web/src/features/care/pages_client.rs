//! The client's care pages: appointments and offers (`/care`), booking with a therapist, the
//! waitlist, cancelling, calendar files and the secret calendar feed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rapport_core::FieldError;
use rapport_core::care::clock::rfc3339;
use rapport_core::care::{Kind, Stage};
use rapport_store::care::{appointments, feeds, schedule};
use rapport_store::now_ms;
use rapport_store::relationships;
use serde::Deserialize;

use super::ending::{Suggestion, client_referrals};
use super::view::{self, Row};
use super::{booking, calendar, waitlist};
use crate::auth::{ClientScope, Viewer};
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// The client's pages and the calendar routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care", get(hub))
        .route("/care/therapists/{id}", get(book_page).post(book))
        .route("/care/therapists/{id}/waitlist", post(join))
        .route("/care/waitlist/{id}/leave", post(leave))
        .route("/care/offers/{id}/accept", post(accept))
        .route("/care/offers/{id}/decline", post(decline))
        .route("/care/appointments/{id}/cancel", post(cancel))
        .route("/care/appointments/{id}/calendar.ics", get(ics))
        .route("/care/calendar", post(new_feed))
        .route("/care/calendar/revoke", post(revoke_feed))
        .route("/calendar/{file}", get(feed))
}

/// A therapist of the client's with what can be done next.
pub struct TherapistRow {
    /// Relationship id.
    pub rel_id: String,
    /// Name.
    pub name: String,
    /// Stage in words.
    pub stage: &'static str,
    /// Their account, when they take bookings through Rapport.
    pub therapist_id: Option<String>,
    /// Whether the client can still end it.
    pub can_end: bool,
}

#[derive(Template)]
#[template(path = "care.html")]
struct HubPage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    offers: Vec<Row>,
    missed: Vec<Row>,
    upcoming: Vec<Row>,
    earlier: Vec<Row>,
    therapists: Vec<TherapistRow>,
    bookable: Vec<(String, String)>,
    waiting: Vec<(String, String)>,
    suggestions: Vec<(String, Option<String>, Vec<Suggestion>)>,
    feed_url: Option<String>,
    has_feed: bool,
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "booked" => "Booked. It's in your appointments below, and you can add it to your calendar.",
        "cancelled" => {
            "Cancelled. Thank you for letting them know: the time can now go to someone else."
        }
        "joined" => {
            "You're on the waitlist. When a time opens up, we'll hold it for you and e-mail you."
        }
        "left" => "You've left the waitlist.",
        "accepted" => "It's yours: the time is booked.",
        "declined" => "Thanks for letting us know; the time goes to the next person waiting.",
        "revoked" => "Your calendar link no longer works. Make a new one whenever you like.",
        _ => return None,
    })
}

async fn offsets(state: &AppState) -> Result<HashMap<String, i64>, AppError> {
    Ok(schedule::offsets(&state.db).await?.into_iter().collect())
}

async fn hub_page(
    state: &AppState,
    client: &ClientScope,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    feed_url: Option<String>,
) -> Result<Response, AppError> {
    let now = now_ms();
    let offers_list = waitlist::open_offers(state, client, now).await?;
    let offsets = offsets(state).await?;
    let list = appointments::for_client(&state.db, &state.vault, &client.user.id).await?;
    let all = view::rows(&list, &offsets, false, now);
    let missed = all
        .iter()
        .zip(&list)
        .filter(|(_, a)| a.status == "missed" && a.starts_at > now - 14 * 86_400_000)
        .map(|(r, _)| r.clone())
        .collect();
    let (upcoming, earlier) = view::split(all, &list, now);
    let mut therapists = Vec::new();
    for rel in relationships::for_client(&state.db, &client.user.id).await? {
        let stage = booking::stage_of(state, &rel.id).await?;
        therapists.push(TherapistRow {
            rel_id: rel.id,
            name: rel.therapist_name,
            stage: stage.label(),
            therapist_id: rel.therapist_user_id.filter(|_| stage.is_open()),
            can_end: stage.is_open() && stage != Stage::Ending,
        });
    }
    let waiting = waitlist::entries(state, client)
        .await?
        .into_iter()
        .map(|e| (e.id, e.therapist_name))
        .collect();
    let suggestions = client_referrals(state, client)
        .await?
        .into_iter()
        .map(|(r, s)| (r.therapist_name, r.note, s))
        .collect();
    let page = HubPage {
        layout,
        errors,
        notice,
        offers: view::rows(&offers_list, &offsets, false, now),
        missed,
        upcoming,
        earlier,
        therapists,
        bookable: schedule::bookable(&state.db).await?,
        waiting,
        suggestions,
        feed_url,
        has_feed: feeds::created_at(&state.db, &client.user.id)
            .await?
            .is_some(),
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(status, &page))
}

async fn hub(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    hub_page(&state, &client, layout, vec![], notice(&q.done), None).await
}

#[derive(Template)]
#[template(path = "care_book.html")]
struct BookPage {
    layout: Layout,
    errors: Vec<FieldError>,
    t: booking::Therapist,
    policy: String,
    free: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    chosen: String,
    weeks: String,
    days: [(&'static str, u8); 7],
}

const DAYS: [(&str, u8); 7] = [
    ("Monday", 0),
    ("Tuesday", 1),
    ("Wednesday", 2),
    ("Thursday", 3),
    ("Friday", 4),
    ("Saturday", 5),
    ("Sunday", 6),
];

async fn book_view(
    state: &AppState,
    client: &ClientScope,
    layout: Layout,
    id: &str,
    errors: Vec<FieldError>,
    f: &BookForm,
    status: StatusCode,
) -> Result<Response, AppError> {
    let t = booking::therapist(state, id).await?;
    let now = now_ms();
    let offset = i64::from(t.schedule.offset.minutes());
    let free = booking::free_slots(state, &t, now)
        .await?
        .into_iter()
        .map(|s| (rfc3339(s), super::mail::when(s, offset)))
        .collect();
    let stage = booking::open_relationship(state, &client.user.id, &t.id)
        .await?
        .map(|(_, s)| s);
    let kinds = match stage {
        None | Some(Stage::Consultation) => vec![
            (Kind::Consultation.as_str(), Kind::Consultation.label()),
            (Kind::Session.as_str(), Kind::Session.label()),
        ],
        Some(Stage::Ending) => vec![(Kind::Closing.as_str(), Kind::Closing.label())],
        _ => vec![(Kind::Session.as_str(), Kind::Session.label())],
    };
    let kind = if f.kind.is_empty() {
        kinds[0].0.to_owned()
    } else {
        f.kind.clone()
    };
    let page = BookPage {
        layout,
        errors,
        policy: t.schedule.policy_text(),
        t,
        free,
        kinds,
        kind,
        chosen: f.starts_at.clone(),
        weeks: if f.weeks.is_empty() {
            "1".into()
        } else {
            f.weeks.clone()
        },
        days: DAYS,
    };
    Ok(render_status(status, &page))
}

async fn book_page(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    book_view(
        &state,
        &client,
        layout,
        &id,
        vec![],
        &BookForm::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
struct BookForm {
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    weeks: String,
}

async fn book(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    Form(f): Form<BookForm>,
) -> Result<Response, AppError> {
    let result = match booking::parse_booking(&f.starts_at, &f.kind, &f.weeks) {
        Ok(req) => booking::book(&state, &client, &id, &req, now_ms())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/care?done=booked").into_response()),
        Err(AppError::Invalid(errors)) => {
            book_view(
                &state,
                &client,
                layout,
                &id,
                errors,
                &f,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(m)) => {
            book_view(
                &state,
                &client,
                layout,
                &id,
                vec![FieldError::new("starts_at", &m)],
                &f,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn join(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let raw: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "days")
        .map(|(_, v)| v.clone())
        .collect();
    let done = match waitlist::parse_days(&raw) {
        Ok(days) => waitlist::join(&state, &client, &id, &days, now_ms())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to("/care?done=joined").into_response()),
        Err(AppError::Invalid(errors)) => {
            book_view(
                &state,
                &client,
                layout,
                &id,
                errors,
                &BookForm::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(m)) => {
            book_view(
                &state,
                &client,
                layout,
                &id,
                vec![FieldError::new("days", &m)],
                &BookForm::default(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn leave(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    waitlist::leave(&state, &client, &id, now_ms()).await?;
    Ok(Redirect::to("/care?done=left").into_response())
}

async fn accept(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match waitlist::accept(&state, &client, &id, now_ms()).await {
        Ok(_) => Ok(Redirect::to("/care?done=accepted").into_response()),
        Err(AppError::Conflict(m)) => {
            hub_page(
                &state,
                &client,
                layout,
                vec![FieldError::new("offer", &m)],
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn decline(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    waitlist::decline(&state, &client, &id, now_ms()).await?;
    Ok(Redirect::to("/care?done=declined").into_response())
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    message: String,
}

async fn cancel(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    Form(f): Form<CancelForm>,
) -> Result<Response, AppError> {
    match booking::cancel(&state, &client.user, &id, &f.message, now_ms()).await {
        Ok(_) => Ok(Redirect::to("/care?done=cancelled").into_response()),
        Err(AppError::Invalid(errors)) => {
            hub_page(&state, &client, layout, errors, None, None).await
        }
        Err(AppError::Conflict(m)) => {
            hub_page(
                &state,
                &client,
                layout,
                vec![FieldError::new("message", &m)],
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn ics(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let text = calendar::one(&state, &viewer.user, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, calendar::CONTENT_TYPE.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"appointment.ics\"".to_owned(),
            ),
        ],
        text,
    )
        .into_response())
}

async fn new_feed(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let url = calendar::new_feed(&state, &client.user, now_ms()).await?;
    hub_page(&state, &client, layout, vec![], Some("Your new calendar link is below. Add it to your calendar app as a subscription; it works until you revoke it."), Some(url)).await
}

async fn revoke_feed(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Response, AppError> {
    calendar::revoke_feed(&state, &client.user).await?;
    Ok(Redirect::to("/care?done=revoked").into_response())
}

async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let text = calendar::feed(&state, &file).await?;
    Ok(([(header::CONTENT_TYPE, calendar::CONTENT_TYPE)], text).into_response())
}
