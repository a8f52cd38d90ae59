//! A home for each role: what a signed-in person lands on instead of the marketing page.
//!
//! Each dashboard only gathers what the role's own pages already show, through the same
//! services, so it can never show more than those pages would. The therapist's dashboard
//! shows alerts and requests as counts and names only the day's appointments (which their
//! calendar shows anyway), never anything a client shared, so looking at it records nothing in a
//! client's audit log; the shared data is one click away, on the pages that record the view.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_core::care::Stage;
use rapport_store::care::appointments;

use crate::auth::{ClientScope, TherapistScope, Visitor};
use crate::error::AppError;
use crate::features::matching::shortlist;
use crate::features::relationships::service;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// A relationship as the client's dashboard lists it.
struct Therapist {
    rel_id: String,
    name: String,
    status: &'static str,
    /// A session with them ended after the latest check-in ("Check in about Tuesday's session").
    checkin_due: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard_client.html")]
struct ClientHome {
    layout: Layout,
    name: String,
    new: bool,
    next: Option<(String, String)>,
    therapists: Vec<Therapist>,
    requests: Vec<(String, &'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "dashboard_therapist.html")]
struct TherapistHome {
    layout: Layout,
    name: String,
    new: bool,
    today: Vec<(String, String, String)>,
    alerts_new: usize,
    safety_open: usize,
    requests_open: usize,
    waiting: usize,
}

/// The dashboard for whoever is signed in; `None` for a visitor, who gets the landing page.
pub async fn for_visitor(
    state: &AppState,
    visitor: Visitor,
    layout: Layout,
) -> Result<Option<Response>, AppError> {
    Ok(Some(match visitor {
        Visitor::Anonymous => return Ok(None),
        Visitor::Client(c) => client(state, &c, layout).await?,
        Visitor::Therapist(t) => therapist(state, &t, layout).await?,
        Visitor::Admin(_) => Redirect::to("/admin").into_response(),
    }))
}

async fn client(state: &AppState, c: &ClientScope, layout: Layout) -> Result<Response, AppError> {
    let now = rapport_store::now_ms();
    let zone = &c.user.time_zone;
    let booked = appointments::for_client(&state.db, &state.vault, &c.user.id)
        .await?
        .into_iter()
        .filter(appointments::Appointment::is_booked)
        .collect::<Vec<_>>();
    let next = booked
        .iter()
        .filter(|a| a.starts_at > now)
        .min_by_key(|a| a.starts_at)
        .map(|a| (zone.label(a.starts_at), a.therapist_name.clone()));
    let mut therapists = Vec::new();
    for rel in rapport_store::relationships::for_client(&state.db, &c.user.id).await? {
        let loaded = service::load_for_client(state, c, &rel.id).await?;
        let stage = loaded.phase.map_or(Stage::Active, |p| p.stage);
        let status = loaded.list_title();
        let last_session = rel.therapist_user_id.as_ref().and_then(|t| {
            booked
                .iter()
                .filter(|a| &a.therapist_id == t && a.ends_at <= now)
                .map(|a| a.ends_at)
                .max()
        });
        let checkin_due = last_session
            .filter(|ended| {
                stage != Stage::Ended && loaded.last_checkin_at.is_none_or(|c| c < *ended)
            })
            .map(|ended| zone.label(ended));
        therapists.push(Therapist {
            rel_id: rel.id,
            name: rel.therapist_name,
            status,
            checkin_due,
        });
    }
    let requests: Vec<(String, &'static str, &'static str)> = shortlist::sent(state, c)
        .await?
        .into_iter()
        .map(|r| (r.therapist_name, r.state_label, r.next_step))
        .collect();
    let shortlisted = shortlist::list(state, c).await?;
    let page = ClientHome {
        layout,
        name: c.user.display_name.clone(),
        new: therapists.is_empty()
            && requests.is_empty()
            && shortlisted.is_empty()
            && booked.is_empty(),
        next,
        therapists,
        requests,
    };
    Ok(render_status(StatusCode::OK, &page))
}

async fn therapist(
    state: &AppState,
    t: &TherapistScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let now = rapport_store::now_ms();
    let zone = &t.user.time_zone;
    let today_date = zone.date(now);
    let mut today: Vec<_> = appointments::for_therapist(&state.db, &state.vault, &t.user.id)
        .await?
        .into_iter()
        .filter(|a| a.is_booked() && zone.date(a.starts_at) == today_date)
        .collect();
    today.sort_by_key(|a| a.starts_at);
    let today = today
        .into_iter()
        .map(|a| (zone.time_label(a.starts_at), a.kind.clone(), a.client_name))
        .collect();
    let alerts = rapport_store::alerts::for_therapist(&state.db, &state.vault, &t.user.id).await?;
    let received = shortlist::received(state, t).await?;
    let waiting = service::requests(state, t).await?.len();
    let listing = rapport_store::listings::by_user(&state.db, &t.user.id).await?;
    let page = TherapistHome {
        layout,
        name: t.user.display_name.clone(),
        alerts_new: alerts.iter().filter(|a| a.seen_at.is_none()).count(),
        safety_open: alerts
            .iter()
            .filter(|a| a.is_safety() && a.acknowledged_at.is_none())
            .count(),
        requests_open: received.iter().filter(|r| r.answerable()).count(),
        new: listing.is_none() && alerts.is_empty() && received.is_empty() && waiting == 0,
        waiting,
        today,
    };
    Ok(render_status(StatusCode::OK, &page))
}
