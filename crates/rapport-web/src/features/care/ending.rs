//! Leaving well: a preview of exactly what will happen, and only on confirmation the message,
//! the cancellations (freed slots to the waitlist), the referral request and the fit profile.
//! Then referrals: the therapist answers with colleagues from the directory.

use rapport_core::FieldError;
use rapport_core::care::{EndingChoice, Stage, Step};
use rapport_core::matching::EndingReason;
use rapport_store::care::appointments::{self, Appointment};
use rapport_store::care::endings::{self, EndOutcome, EndPlan, Referral};
use rapport_store::relationships::{self, Relationship};
use rapport_store::{StoreError, listings};
use serde_json::Value;

use super::{booking, mail, waitlist::CoreOfferer};
use crate::auth::{ClientScope, TherapistScope};
use crate::error::AppError;
use crate::features::matching;
use crate::state::AppState;

/// The most colleagues one referral suggests: a few good names beat a list.
pub const MAX_SUGGESTIONS: usize = 3;

/// Everything the client sees before confirming; nothing has happened yet.
pub struct Preview {
    /// The relationship.
    pub rel: Relationship,
    /// What they chose.
    pub choice: EndingChoice,
    /// The message exactly as it will be sent.
    pub message: String,
    /// Whether the message reaches the therapist: they are on Rapport and accepted the
    /// relationship (else nothing is sent; appointments are cancelled only when on Rapport).
    pub can_send: bool,
    /// Future appointments that will be cancelled and offered to people waiting.
    pub to_cancel: Vec<Appointment>,
    /// The appointment kept as the closing session.
    pub closing: Option<Appointment>,
    /// The stage afterwards.
    pub stage_after: Stage,
}

/// Builds the preview. Stores nothing and sends nothing.
pub async fn preview(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
    choice: EndingChoice,
    now: i64,
) -> Result<Preview, AppError> {
    let rel = relationships::get_for_client(&state.db, &client.user.id, rel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let stage = booking::stage_of(state, &rel.id).await?;
    let stage_after = stage
        .after(Step::End {
            closing: choice.closing_session,
        })
        .map_err(|e| AppError::Conflict(format!("{}.", capitalise(&e.to_string()))))?;
    let message = choice.message(&rel.therapist_name, &client.user.display_name);
    let mut future: Vec<Appointment> = match &rel.therapist_user_id {
        Some(t) => appointments::for_client(&state.db, &state.vault, &client.user.id)
            .await?
            .into_iter()
            .filter(|a| {
                &a.therapist_id == t
                    && a.starts_at > now
                    && (a.status == "booked" || a.status == "held")
            })
            .collect(),
        None => vec![],
    };
    let closing = if choice.closing_session {
        future
            .iter()
            .position(|a| a.status == "booked")
            .map(|i| future.remove(i))
    } else {
        None
    };
    Ok(Preview {
        can_send: rel.reaches_therapist(),
        rel,
        choice,
        message,
        to_cancel: future,
        closing,
        stage_after,
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Carries out a confirmed ending (one transaction in the store), then moves the client's fit
/// profile: the reason steers the style, the therapist is excluded from future matches.
pub async fn confirm(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
    choice: EndingChoice,
    now: i64,
) -> Result<(Preview, EndOutcome), AppError> {
    let p = preview(state, client, rel_id, choice, now).await?;
    let base = state.config.base_url();
    let mail = p
        .rel
        .therapist_user_id
        .as_deref()
        .map(|t| mail::ending(&base, t, &p.message));
    let plan = EndPlan {
        relationship_id: &p.rel.id,
        client_id: &client.user.id,
        therapist_id: p.rel.therapist_user_id.as_deref(),
        stage_after: p.stage_after.as_str(),
        ended_by: "client",
        reason: p.choice.reason.as_str(),
        closing: p.choice.closing_session,
        referral: p.choice.referral,
        message: &p.message,
        mail,
    };
    let outcome = match endings::end(
        &state.db,
        &state.vault,
        &plan,
        now,
        &CoreOfferer::new(state, now),
    )
    .await
    {
        Ok(o) => o,
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(
                "You've already ended this relationship; nothing more was sent.".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    update_fit_profile(state, client, &p.rel, p.choice.reason).await?;
    Ok((p, outcome))
}

/// The fit profile belongs to the matching feature: a listed therapist is excluded by listing
/// id through its `apply_ending`; for one named by hand (no listing to exclude) only the style
/// moves, through the same feature's profile functions.
async fn update_fit_profile(
    state: &AppState,
    client: &ClientScope,
    rel: &Relationship,
    reason: EndingReason,
) -> Result<(), AppError> {
    let listing = match (&rel.listing_id, &rel.therapist_user_id) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(t)) => listings::by_user(&state.db, t).await?.map(|l| l.id),
        (None, None) => None,
    };
    match listing {
        Some(id) => {
            matching::apply_ending(state, &client.user.id, &id, reason).await?;
        }
        None => {
            let mut profile = matching::fit::fit_profile(state, &client.user.id).await?;
            let kept = profile.exclude.clone();
            profile.apply_ending("", reason);
            profile.exclude = kept;
            matching::fit::set_fit_profile(state, client, profile).await?;
        }
    }
    Ok(())
}

/// Finishes an ending relationship (the closing session happened, or the client lets it go).
pub async fn finish(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
    now: i64,
) -> Result<(), AppError> {
    let rel = relationships::get_for_client(&state.db, &client.user.id, rel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    booking::stage_of(state, &rel.id)
        .await?
        .after(Step::Finish)
        .map_err(|e| AppError::Conflict(format!("{}.", capitalise(&e.to_string()))))?;
    endings::finish(&state.db, &rel.id, now).await?;
    Ok(())
}

/// A suggested colleague: the listing id and the name the directory gives.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Suggestion {
    /// Listing id.
    pub listing_id: String,
    /// Name.
    pub name: String,
}

/// The names of listings, in order; ids no longer in the directory are left out.
pub async fn suggestions(
    state: &AppState,
    listing_ids: Option<&str>,
) -> Result<Vec<Suggestion>, AppError> {
    let ids: Vec<String> = listing_ids
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let mut out = Vec::new();
    for id in ids {
        if let Some(l) = listings::by_id(&state.db, &id).await? {
            out.push(Suggestion {
                name: listing_name(&l.data),
                listing_id: l.id,
            });
        }
    }
    Ok(out)
}

/// The `name` of a listing's JSON.
pub fn listing_name(data: &str) -> String {
    serde_json::from_str::<Value>(data)
        .ok()
        .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

/// The client's referrals with their suggestions.
pub async fn client_referrals(
    state: &AppState,
    client: &ClientScope,
) -> Result<Vec<(Referral, Vec<Suggestion>)>, AppError> {
    let mut out = Vec::new();
    for r in endings::referrals_for_client(&state.db, &state.vault, &client.user.id).await? {
        let s = suggestions(state, r.listing_ids.as_deref()).await?;
        out.push((r, s));
    }
    Ok(out)
}

/// Answers a referral request with 1 to [`MAX_SUGGESTIONS`] colleagues from the directory and an
/// optional short note; the client is told by e-mail and sees them in the app.
pub async fn answer_referral(
    state: &AppState,
    t: &TherapistScope,
    id: &str,
    picked: &[String],
    note: &str,
    now: i64,
) -> Result<Vec<Suggestion>, AppError> {
    let r = endings::referral_for_therapist(&state.db, &state.vault, id, &t.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if r.answered_at.is_some() {
        return Err(AppError::Conflict(
            "You've already answered this referral request.".into(),
        ));
    }
    let mut errors = Vec::new();
    let own = listings::by_user(&state.db, &t.user.id)
        .await?
        .map(|l| l.id);
    let mut ids: Vec<String> = picked
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_SUGGESTIONS {
        errors.push(FieldError::new(
            "listing_ids",
            &format!("please pick 1 to {MAX_SUGGESTIONS} colleagues"),
        ));
    }
    let mut found = Vec::new();
    for id in &ids {
        match listings::by_id(&state.db, id).await? {
            Some(l) if Some(&l.id) != own.as_ref() => found.push(Suggestion {
                name: listing_name(&l.data),
                listing_id: l.id,
            }),
            Some(_) => errors.push(FieldError::new(
                "listing_ids",
                "can't include your own listing",
            )),
            None => errors.push(FieldError::new(
                "listing_ids",
                &format!("{id} isn't in the directory"),
            )),
        }
    }
    let note = note.trim();
    if note.chars().count() > 1000 {
        errors.push(FieldError::new("note", "can be up to 1000 characters"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let names: Vec<String> = found.iter().map(|s| s.name.clone()).collect();
    let mail = mail::referral_answered(
        &state.config.base_url(),
        &r.client_id,
        &t.user.display_name,
        &names,
        note,
    );
    let json = serde_json::to_string(&ids).map_err(|e| AppError::Internal(e.to_string()))?;
    if endings::answer_referral(
        &state.db,
        &state.vault,
        id,
        &t.user.id,
        &json,
        note,
        now,
        &mail,
    )
    .await?
    {
        Ok(found)
    } else {
        Err(AppError::Conflict(
            "You've already answered this referral request.".into(),
        ))
    }
}
