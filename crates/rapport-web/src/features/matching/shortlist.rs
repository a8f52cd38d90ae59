//! The shortlist (at most three therapists, so a client actually contacts them) and the
//! intro-consultation requests sent from it.

use rapport_core::FieldError;
use rapport_core::care::request::RequestState;
use rapport_core::zone::Zone;
use rapport_store::StoreError;
use rapport_store::matching::{self as store, Added, Consultation, SHORTLIST_MAX};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::listing_name;
use crate::auth::{ClientScope, TherapistScope};
use crate::error::AppError;
use crate::state::AppState;

/// The longest note a client can send with a request.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// A shortlisted therapist.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Shortlisted {
    /// Listing id.
    pub listing_id: String,
    /// Display name.
    pub name: String,
    /// When it was added, Unix ms.
    pub added_at: i64,
    /// When an intro consultation was requested, if it was.
    pub requested_at: Option<i64>,
}

/// The client's shortlist, oldest first.
pub async fn list(state: &AppState, client: &ClientScope) -> Result<Vec<Shortlisted>, AppError> {
    Ok(store::shortlist(&state.db, &client.user.id)
        .await?
        .into_iter()
        .map(|e| Shortlisted {
            name: listing_name(&e.data),
            listing_id: e.listing_id,
            added_at: e.created_at,
            requested_at: e.requested_at,
        })
        .collect())
}

/// Adds a therapist from the directory; a full shortlist is refused, naming the field.
pub async fn add(
    state: &AppState,
    client: &ClientScope,
    listing_id: &str,
) -> Result<Added, AppError> {
    let id = listing_id.trim();
    if id.is_empty() || !state.directory.contains(&state.db, id).await? {
        return Err(AppError::field(
            "listing_id",
            "is not a therapist in the directory",
        ));
    }
    match store::add_to_shortlist(&state.db, &client.user.id, id).await? {
        Added::Full => Err(AppError::field(
            "listing_id",
            &format!(
                "can't be added: your shortlist already has {SHORTLIST_MAX} therapists; remove one first"
            ),
        )),
        done => Ok(done),
    }
}

/// Takes a therapist off the shortlist (404 when they were not on it).
pub async fn remove(
    state: &AppState,
    client: &ClientScope,
    listing_id: &str,
) -> Result<(), AppError> {
    if store::remove_from_shortlist(&state.db, &client.user.id, listing_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A consultation request as its client or therapist sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConsultationView {
    /// Id.
    pub id: String,
    /// The therapist's listing.
    pub listing_id: String,
    /// The therapist's name.
    pub therapist_name: String,
    /// Who asked.
    pub client_name: String,
    /// The client's note, if they wrote one.
    pub message: Option<String>,
    /// When, Unix ms.
    pub created_at: i64,
    /// Where it stands: `sent`, `no_reply`, `offered`, `booked` or `declined`.
    #[schema(value_type = String)]
    pub state: RequestState,
    /// The state in words ("A time is offered").
    pub state_label: &'static str,
    /// What it means and what to do next.
    pub next_step: &'static str,
    /// The start the therapist offered (RFC 3339), when they offered one.
    pub offered_start: Option<String>,
    /// The offered start in the viewer's zone, zone named.
    pub offered_words: Option<String>,
    /// The therapist's note with their answer.
    pub reply: Option<String>,
    /// The therapist's account when they are on Rapport (bookable); `None` for a listing only.
    pub therapist_id: Option<String>,
}

impl ConsultationView {
    /// Whether the therapist can still answer it.
    pub fn answerable(&self) -> bool {
        matches!(self.state, RequestState::Sent | RequestState::NoReply)
    }

    /// Whether the client is pointed at their next match (no answer, or not this time).
    pub fn suggest_next(&self) -> bool {
        matches!(self.state, RequestState::NoReply | RequestState::Declined)
    }

    /// Whether the client can book the offered time from here.
    pub fn bookable_offer(&self) -> bool {
        self.state == RequestState::Offered && self.therapist_id.is_some()
    }

    /// A stored request as `zone`'s reader sees it at `now`; `booked` when the client holds an
    /// intro consultation with the therapist.
    pub fn of(c: Consultation, zone: &Zone, booked: bool, now: i64) -> ConsultationView {
        let state = RequestState::of(c.status, c.created_at, booked, now);
        ConsultationView {
            therapist_name: listing_name(&c.data),
            id: c.id,
            listing_id: c.listing_id,
            client_name: c.client_name,
            message: c.message,
            created_at: c.created_at,
            state,
            state_label: state.label(),
            next_step: match (&c.therapist_user_id, state) {
                (None, RequestState::Sent | RequestState::NoReply) => {
                    "This therapist isn't on Rapport yet, so they won't see this request here. If you'd like to meet them, contact their practice directly."
                }
                _ => state.next_step(),
            },
            offered_start: c.offered_start.map(rapport_core::care::clock::rfc3339),
            offered_words: c.offered_start.map(|t| zone.label(t)),
            reply: c.reply,
            therapist_id: c.therapist_user_id,
        }
    }
}

fn check_message(message: &str) -> Result<Option<&str>, FieldError> {
    let m = message.trim();
    if m.chars().count() > MAX_MESSAGE_CHARS {
        return Err(FieldError::new(
            "message",
            format!("is too long: at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    if m.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new("message", "contains control characters"));
    }
    Ok((!m.is_empty()).then_some(m))
}

/// Asks the chosen shortlisted therapists for an intro consultation, all at once or, when
/// anything is wrong, not at all.
pub async fn request(
    state: &AppState,
    client: &ClientScope,
    listing_ids: &[String],
    message: &str,
) -> Result<Vec<ConsultationView>, AppError> {
    let shortlist = list(state, client).await?;
    let mut chosen: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for id in listing_ids
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        match shortlist.iter().find(|s| s.listing_id == id) {
            None => errors.push(FieldError::new(
                "listing_ids",
                format!("`{id}` is not on your shortlist"),
            )),
            Some(s) if s.requested_at.is_some() => errors.push(FieldError::new(
                "listing_ids",
                format!(
                    "you have already asked {} for an intro consultation",
                    s.name
                ),
            )),
            Some(_) if chosen.iter().any(|c| c == id) => {}
            Some(_) => chosen.push(id.to_owned()),
        }
    }
    if chosen.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "listing_ids",
            "choose at least one therapist from your shortlist",
        ));
    }
    let message = check_message(message)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut mails = Vec::new();
    for id in &chosen {
        if let Some(owner) = rapport_store::listings::by_id(&state.db, id)
            .await?
            .and_then(|l| l.user_id)
        {
            mails.push(super::requests::request_mail(
                &state.config.base_url(),
                &owner,
                &client.user.display_name,
            ));
        }
    }
    match store::request_consultations_notifying(
        &state.db,
        &state.vault,
        &client.user.id,
        &chosen,
        message,
        &mails,
    )
    .await
    {
        Ok(ids) => {
            let sent = sent(state, client).await?;
            Ok(sent.into_iter().filter(|c| ids.contains(&c.id)).collect())
        }
        Err(StoreError::Conflict(_)) => Err(AppError::field(
            "listing_ids",
            "one of these therapists was asked already; reload the page",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The requests a client has sent, newest first, each with its state.
pub async fn sent(
    state: &AppState,
    client: &ClientScope,
) -> Result<Vec<ConsultationView>, AppError> {
    let now = rapport_store::now_ms();
    let booked = consultations_held(state, &client.user.id).await?;
    Ok(
        store::consultations_sent(&state.db, &state.vault, &client.user.id)
            .await?
            .into_iter()
            .map(|c| {
                let b = c
                    .therapist_user_id
                    .as_ref()
                    .is_some_and(|t| booked.contains(&(client.user.id.clone(), t.clone())));
                ConsultationView::of(c, &client.user.time_zone, b, now)
            })
            .collect(),
    )
}

/// The requests sent to the therapist's own listing, newest first, each with its state.
pub async fn received(
    state: &AppState,
    therapist: &TherapistScope,
) -> Result<Vec<ConsultationView>, AppError> {
    let now = rapport_store::now_ms();
    let booked = consultations_held(state, &therapist.user.id).await?;
    Ok(
        store::consultations_received(&state.db, &state.vault, &therapist.user.id)
            .await?
            .into_iter()
            .map(|c| {
                let b = booked.contains(&(c.client_id.clone(), therapist.user.id.clone()));
                ConsultationView::of(c, &therapist.user.time_zone, b, now)
            })
            .collect(),
    )
}

/// `(client, therapist)` pairs holding a booked intro consultation, among the account's
/// appointments: a request is "booked" once such a pair exists.
async fn consultations_held(
    state: &AppState,
    account_id: &str,
) -> Result<std::collections::HashSet<(String, String)>, AppError> {
    Ok(rapport_store::care::appointments::consultation_pairs(&state.db, account_id).await?)
}
