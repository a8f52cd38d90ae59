//! The client's care pages: appointments and offers (`/care`), booking with a therapist and
//! cancelling.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
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
use super::{booking, waitlist};
use crate::auth::ClientScope;
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// The client's appointment and booking pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care", get(hub))
        .route("/care/therapists/{id}", get(book_page).post(book))
        .route("/care/appointments/{id}/cancel", post(cancel))
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

pub(super) async fn hub_page(
    state: &AppState,
    client: &ClientScope,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    feed_url: Option<String>,
) -> Result<Response, AppError> {
    let now = now_ms();
    let offers_list = waitlist::open_offers(state, client, now).await?;
    let list = appointments::for_client(&state.db, &state.vault, &client.user.id).await?;
    let mine = &client.user.time_zone;
    let mut zones = view::zones_of(state, &list, false).await?;
    zones.extend(view::zones_of(state, &offers_list, false).await?);
    let all = view::rows(&list, mine, &zones, false, now);
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
        .map(|e| {
            let name = match (e.therapist_name, e.practice_name) {
                (Some(t), _) => t,
                (None, Some(p)) => format!("{p} (any of its therapists)"),
                (None, None) => String::new(),
            };
            (e.id, name)
        })
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
        offers: view::rows(&offers_list, mine, &zones, false, now),
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
    practice: Option<rapport_store::practices::Practice>,
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

/// A free time as the client reads it: in their zone, with the therapist's clock beside it when
/// it differs, and the clock-change note for a repeated hour.
fn slot_words(s: i64, mine: &rapport_core::zone::Zone, t: &booking::Therapist) -> String {
    let theirs = &t.schedule.zone;
    let mut words = mine.label(s);
    if mine.offset_minutes_at(s) != theirs.offset_minutes_at(s) {
        words.push_str(&format!(
            ", {} for {} in {}",
            theirs.time_label(s),
            t.name,
            theirs.city()
        ));
    }
    if let Some(note) = theirs.repeated_note(s) {
        words.push_str(&format!(". {note}"));
    }
    words
}

pub(super) async fn book_view(
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
    let mine = &client.user.time_zone;
    let free = booking::free_slots(state, &t, now)
        .await?
        .into_iter()
        .map(|s| (rfc3339(s), slot_words(s, mine, &t)))
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
    let practice = rapport_store::practices::of_user(&state.db, &t.id).await?;
    let page = BookPage {
        layout,
        errors,
        practice,
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
pub(super) struct BookForm {
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
        Err(e) => {
            let errors = booking::cancel_form_errors(e)?;
            hub_page(&state, &client, layout, errors, None, None).await
        }
    }
}
