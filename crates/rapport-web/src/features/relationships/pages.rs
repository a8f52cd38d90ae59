//! Client pages: my therapy, a relationship's reading, the check-in, sharing, the speak-up note,
//! and "who saw my data".

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rapport_core::FieldError;
use rapport_core::alliance::{self, CheckIn};
use rapport_store::audit::{self, AuditEntry};
use rapport_store::relationships::{self, Relationship};
use serde::Deserialize;

use super::form::{Values, to_object};
use super::memo::Assessed;
use super::service::{self, Loaded};
use super::view;
use crate::auth::ClientScope;
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::paging::{PAGE_SIZE, PageQuery};
use crate::state::AppState;

/// The client's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/relationships", get(list).post(create))
        .route("/relationships/{id}", get(show))
        .route(
            "/relationships/{id}/checkin",
            get(checkin_form).post(checkin),
        )
        .route("/relationships/{id}/sharing", post(sharing))
        .route("/relationships/{id}/note", get(note).post(note_preview))
        .route("/relationships/{id}/note/send", post(note_send))
        .route("/privacy", get(privacy))
}

#[derive(Template)]
#[template(path = "relationships.html")]
struct ListPage {
    layout: Layout,
    errors: Vec<FieldError>,
    rows: Vec<(Relationship, &'static str)>,
    therapist_name: String,
}

async fn list_page(
    state: &AppState,
    client: &ClientScope,
    layout: Layout,
    errors: Vec<FieldError>,
    therapist_name: String,
) -> Result<Response, AppError> {
    let mut rows = Vec::new();
    for rel in relationships::for_client(&state.db, &client.user.id).await? {
        let loaded = service::load_for_client(state, client, &rel.id).await?;
        rows.push((rel, loaded.list_title()));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &ListPage {
            layout,
            errors,
            rows,
            therapist_name,
        },
    ))
}

async fn list(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
) -> Result<Response, AppError> {
    list_page(&state, &client, layout, vec![], String::new()).await
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    therapist_name: String,
    #[serde(default)]
    listing_id: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Form(f): Form<CreateForm>,
) -> Result<Response, AppError> {
    match service::create(&state, &client, &f.therapist_name, f.listing_id.as_deref()).await {
        Ok(rel) => Ok(Redirect::to(&format!("/relationships/{}", rel.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            list_page(&state, &client, layout, errors, f.therapist_name).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "relationship.html")]
struct ShowPage<'a> {
    layout: Layout,
    rel: &'a Relationship,
    reading: &'a str,
    sharing: &'static str,
    notice: Option<String>,
    ended: Option<String>,
}

/// When and by whom the relationship was ended, in the reader's zone ("You ended this on …").
fn ended_line(assessed: &Assessed, zone: &rapport_core::zone::Zone) -> Option<String> {
    use rapport_core::care::{EndedBy, Stage};
    let p = assessed.phase.as_ref()?;
    let at = zone.label(p.ended_at?);
    let who = match p.ended_by {
        Some(EndedBy::Therapist) => assessed.rel.therapist_name.clone(),
        _ => "You".to_owned(),
    };
    match p.stage {
        Stage::Ended => Some(format!("{who} ended this on {at}.")),
        Stage::Ending => Some(format!("{who} said on {at} that it's time to stop.")),
        Stage::Consultation | Stage::Active => None,
    }
}

fn show_page(
    layout: Layout,
    client: &ClientScope,
    assessed: &Assessed,
    notice: Option<String>,
) -> Response {
    let rel = &assessed.rel;
    let page = ShowPage {
        layout,
        sharing: rel.sharing.as_str(),
        rel,
        reading: &assessed.reading_html,
        notice,
        ended: ended_line(assessed, &client.user.time_zone),
    };
    render_status(StatusCode::OK, &page)
}

async fn show(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let assessed = service::assessed_for_client(&state, &client, &id).await?;
    Ok(show_page(layout, &client, &assessed, None))
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckinPage {
    layout: Layout,
    rel: Relationship,
    errors: Vec<FieldError>,
    values: Values,
    session: u32,
    ask_raised: bool,
    previous_need: String,
    signs: &'static [(&'static str, &'static str)],
    anchors: [&'static str; 5],
    flags: &'static [(&'static str, &'static str)],
    stirred_anchors: [&'static str; 5],
    left_feelings: &'static [(&'static str, &'static str)],
    misconduct_text: &'static str,
    stirred_text: &'static str,
    toward_text: &'static str,
    left_text: &'static str,
    need_text: &'static str,
    need_privacy: String,
    raised_text: &'static str,
    repair_text: &'static str,
}

/// Who reads the noted need, in the words under its label: it follows the sharing choice (see
/// `rapport_core::alliance::disclosure`), so the label never promises more privacy than there is.
fn need_privacy(rel: &rapport_store::relationships::Relationship) -> String {
    match rel.sharing {
        rapport_store::relationships::Sharing::Answers => format!(
            "optional; {} sees it, because you share your answers",
            rel.therapist_name
        ),
        _ => "optional; only you see it".to_owned(),
    }
}

fn checkin_page(
    layout: Layout,
    loaded: &Loaded,
    errors: Vec<FieldError>,
    values: Values,
) -> Response {
    let previous: Option<&CheckIn> = loaded.checkins.last();
    let previous_need = previous.and_then(|c| c.need.clone()).unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CheckinPage {
        layout,
        rel: loaded.rel.clone(),
        errors,
        values,
        session: service::next_session(&loaded.checkins),
        ask_raised: !previous_need.is_empty(),
        previous_need,
        signs: alliance::SIGNS,
        anchors: alliance::SIGN_ANCHORS,
        flags: alliance::FLAGS,
        stirred_anchors: alliance::STIRRED_ANCHORS,
        left_feelings: alliance::LEFT_FEELINGS,
        misconduct_text: alliance::MISCONDUCT_TEXT,
        stirred_text: alliance::STIRRED_TEXT,
        toward_text: alliance::TOWARD_THERAPIST_TEXT,
        left_text: alliance::LEFT_FEELING_TEXT,
        need_text: alliance::NEED_TEXT,
        need_privacy: need_privacy(&loaded.rel),
        raised_text: alliance::RAISED_TEXT,
        repair_text: alliance::REPAIR_TEXT,
    };
    render_status(status, &page)
}

async fn checkin_form(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = service::load_for_client(&state, &client, &id).await?;
    Ok(checkin_page(layout, &loaded, vec![], Values::default()))
}

async fn checkin(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    match service::record_checkin(&state, &client, &id, to_object(&pairs)).await {
        Ok(_) => Ok(Redirect::to(&format!("/relationships/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let loaded = service::load_for_client(&state, &client, &id).await?;
            Ok(checkin_page(layout, &loaded, errors, Values(pairs)))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct SharingForm {
    #[serde(default)]
    sharing: String,
    #[serde(default)]
    outcomes: Option<String>,
}

async fn sharing(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    Form(f): Form<SharingForm>,
) -> Result<Response, AppError> {
    let choice = service::parse_sharing(&f.sharing)?;
    service::set_sharing(&state, &client, &id, choice).await?;
    service::set_share_outcomes(&state, &client, &id, f.outcomes.is_some()).await?;
    let loaded = service::load_for_client(&state, &client, &id).await?;
    let notice = match choice {
        relationships::Sharing::Private => {
            "Saved: nothing is shared. Your therapist sees nothing from Rapport."
        }
        relationships::Sharing::Trend => {
            "Saved: your therapist can see your trend and status, not your answers."
        }
        relationships::Sharing::Answers => {
            "Saved: your therapist can see your trend, status and answers."
        }
    };
    let measures = match (choice, f.outcomes.is_some()) {
        (relationships::Sharing::Private, _) => "",
        (_, true) => " They can also see your measures (PHQ-9, GAD-7 and others).",
        (_, false) => " Your measures stay private.",
    };
    // Written just now: read afresh, never from the memo (the session's version predates it).
    Ok(show_page(
        layout,
        &client,
        &service::assess_page(&state, loaded)?,
        Some(format!("{notice}{measures}")),
    ))
}

#[derive(Template)]
#[template(path = "note.html")]
struct NotePage {
    layout: Layout,
    rel: Relationship,
    note: String,
    errors: Vec<FieldError>,
    preview: bool,
    can_send: bool,
    sent: bool,
}

async fn note(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = service::load_for_client(&state, &client, &id).await?;
    let draft = loaded
        .checkins
        .last()
        .map(alliance::draft_note)
        .unwrap_or_default();
    let can_send = loaded.rel.therapist_user_id.is_some();
    Ok(render_status(
        StatusCode::OK,
        &NotePage {
            layout,
            rel: loaded.rel,
            note: draft,
            errors: vec![],
            preview: false,
            can_send,
            sent: false,
        },
    ))
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn note_preview(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    Form(f): Form<NoteForm>,
) -> Result<Response, AppError> {
    let rel = relationships::get_for_client(&state.db, &client.user.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_send = rel.therapist_user_id.is_some();
    let (errors, preview) = if f.note.trim().is_empty() {
        (
            vec![FieldError::new(
                "note",
                "is empty; write what you'd like to say",
            )],
            false,
        )
    } else {
        (vec![], true)
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &NotePage {
            layout,
            rel,
            note: f.note,
            errors,
            preview,
            can_send,
            sent: false,
        },
    ))
}

async fn note_send(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    Form(f): Form<NoteForm>,
) -> Result<Response, AppError> {
    let rel = relationships::get_for_client(&state.db, &client.user.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_send = rel.therapist_user_id.is_some();
    match service::send_note(&state, &client, &id, &f.note).await {
        Ok(_) => Ok(render_status(
            StatusCode::OK,
            &NotePage {
                layout,
                rel,
                note: f.note,
                errors: vec![],
                preview: false,
                can_send,
                sent: true,
            },
        )),
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NotePage {
                layout,
                rel,
                note: f.note,
                errors,
                preview: false,
                can_send,
                sent: false,
            },
        )),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    layout: Layout,
    entries: Vec<(String, &'static str, AuditEntry)>,
    page: u32,
    more: bool,
}

async fn privacy(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page = q.number()?;
    let (entries, more) = audit::page(&state.db, &client.user.id, page, PAGE_SIZE).await?;
    let entries = entries
        .into_iter()
        .map(|e| {
            (
                view::date_time(e.at, &client.user.time_zone),
                crate::features::feedback::view::audit_words(&e.action),
                e,
            )
        })
        .collect();
    Ok(render_status(
        StatusCode::OK,
        &PrivacyPage {
            layout,
            entries,
            page,
            more,
        },
    ))
}
