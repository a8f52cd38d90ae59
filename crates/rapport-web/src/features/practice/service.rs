//! A practice's administration: its therapists, its waitlists at a glance, per-therapist
//! aggregate outcomes with empirical-Bayes shrinkage toward the practice's rate, per-concern
//! effectiveness, and writing that effectiveness to listings of the therapists who consent.
//!
//! Administrators see aggregates only, never a client's answers or free text; each aggregate
//! view is still recorded in the audit log of every client counted in it.

use std::collections::BTreeSet;

use rapport_core::feedback::DAY_MS;
use rapport_core::outcome::{Count, DomainResult, Prior, Tally, shrink_all, tally};
use rapport_store::care::offers;
use rapport_store::practices::{self, Member};
use rapport_store::{audit, outcomes, users};
use serde::Serialize;

use super::scope::PracticeScope;
use crate::error::AppError;
use crate::features::account::service::Email;
use crate::features::feedback::courses;
use crate::features::feedback::effectiveness::{self, WriteBack};
use crate::state::AppState;

/// One therapist's line of the practice overview.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TherapistLine {
    /// Their account.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Courses counted.
    #[schema(value_type = Object)]
    pub tally: Tally,
    /// Reliable-improvement rate shrunk toward the practice's.
    pub improvement_shrunk: Option<f64>,
    /// Recovery rate shrunk toward the practice's.
    pub recovery_shrunk: Option<f64>,
    /// Effectiveness per measured concern.
    #[schema(value_type = Vec<Object>)]
    pub domains: Vec<DomainResult>,
    /// Whether they consent to publishing effectiveness.
    pub publishes: bool,
    /// People on their waitlist now.
    pub waiting: usize,
    /// Days the longest-waiting person has waited.
    pub longest_wait_days: Option<i64>,
}

/// The practice's aggregate outcomes.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Overview {
    /// The practice's own totals.
    #[schema(value_type = Object)]
    pub practice: Tally,
    /// The prior reliable-improvement rates were shrunk toward.
    #[schema(value_type = Option<Object>)]
    pub improvement_prior: Option<Prior>,
    /// The prior recovery rates were shrunk toward.
    #[schema(value_type = Option<Object>)]
    pub recovery_prior: Option<Prior>,
    /// One line per therapist.
    pub therapists: Vec<TherapistLine>,
}

/// The practice's members.
pub async fn members(state: &AppState, scope: &PracticeScope) -> Result<Vec<Member>, AppError> {
    Ok(practices::members(&state.db, &scope.practice.id).await?)
}

fn shrunk(counts: &[Count]) -> (Option<Prior>, Vec<Option<f64>>) {
    match shrink_all(counts) {
        Some((prior, rates)) => (Some(prior), rates.into_iter().map(Some).collect()),
        None => (None, vec![None; counts.len()]),
    }
}

/// Aggregate outcomes per therapist. `action` is what the audit log of each client counted says
/// (`view_aggregate`, `export_aggregate`).
pub async fn overview(
    state: &AppState,
    scope: &PracticeScope,
    action: &str,
) -> Result<Overview, AppError> {
    let db = &state.db;
    let therapists: Vec<Member> = members(state, scope)
        .await?
        .into_iter()
        .filter(|m| m.role == "therapist")
        .collect();
    let rows = outcomes::practice_courses(db, &scope.practice.id).await?;
    let measures = outcomes::practice_measures(db, &scope.practice.id).await?;
    let pooled = outcomes::pooled_courses_in(db, &scope.practice.id).await?;
    let clients: BTreeSet<&str> = rows.iter().map(|r| r.client_id.as_str()).collect();
    for client in clients {
        audit::record(db, &scope.admin.id, client, action, &scope.practice.id).await?;
    }
    let mut by = courses::by_therapist(&rows, &measures, &pooled);
    let per: Vec<Vec<_>> = therapists
        .iter()
        .map(|t| by.remove(&t.user_id).unwrap_or_default())
        .collect();
    let tallies: Vec<Tally> = per.iter().map(|c| tally(c)).collect();
    let (improvement_prior, improvement) =
        shrunk(&tallies.iter().map(|t| t.improvement).collect::<Vec<_>>());
    let (recovery_prior, recovery) =
        shrunk(&tallies.iter().map(|t| t.recovery).collect::<Vec<_>>());
    let all: Vec<_> = per.iter().flatten().copied().collect();
    let mut lines = Vec::with_capacity(therapists.len());
    for (i, t) in therapists.iter().enumerate() {
        let (waiting, longest_wait_days) = wait_of(state, &t.user_id).await?;
        lines.push(TherapistLine {
            id: t.user_id.clone(),
            name: t.display_name.clone(),
            tally: tallies[i],
            improvement_shrunk: improvement[i],
            recovery_shrunk: recovery[i],
            domains: effectiveness::ratings(&per[i]),
            publishes: practices::settings(db, &t.user_id)
                .await?
                .publish_effectiveness,
            waiting,
            longest_wait_days,
        });
    }
    Ok(Overview {
        practice: tally(&all),
        improvement_prior,
        recovery_prior,
        therapists: lines,
    })
}

/// How many wait for a therapist, and the longest wait in whole days (counts only: who waits
/// is the care feature's business, not the administrator's).
async fn wait_of(state: &AppState, therapist_id: &str) -> Result<(usize, Option<i64>), AppError> {
    let waiting = offers::waiting_for_therapist(&state.db, therapist_id).await?;
    let now = rapport_store::now_ms();
    let longest = waiting.iter().map(|w| (now - w.created_at) / DAY_MS).max();
    Ok((waiting.len(), longest))
}

/// One therapist's waitlist at a glance.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WaitLine {
    /// Their account.
    pub therapist_id: String,
    /// Display name.
    pub name: String,
    /// People waiting now.
    pub waiting: usize,
    /// Days the longest-waiting person has waited.
    pub longest_wait_days: Option<i64>,
}

/// The waitlists of the practice's therapists, as counts.
pub async fn waitlist(state: &AppState, scope: &PracticeScope) -> Result<Vec<WaitLine>, AppError> {
    let mut out = Vec::new();
    for m in members(state, scope)
        .await?
        .into_iter()
        .filter(|m| m.role == "therapist")
    {
        let (waiting, longest_wait_days) = wait_of(state, &m.user_id).await?;
        out.push(WaitLine {
            therapist_id: m.user_id,
            name: m.display_name,
            waiting,
            longest_wait_days,
        });
    }
    Ok(out)
}

/// Puts the demo therapists and administrator in the demo practice (`rapport demo`) and returns
/// its id; anyone already in a practice stays where they are, so a second start changes nothing.
pub async fn seed_demo(
    state: &AppState,
    therapist_ids: &[&str],
    admin_id: &str,
) -> Result<String, AppError> {
    if let Some(p) = practices::of_user(&state.db, admin_id).await? {
        return Ok(p.id);
    }
    let p = match practices::all(&state.db)
        .await?
        .into_iter()
        .find(|p| p.name == "Demo practice")
    {
        Some(p) => p,
        None => practices::create(&state.db, "Demo practice").await?,
    };
    for id in std::iter::once(admin_id).chain(therapist_ids.iter().copied()) {
        if practices::of_user(&state.db, id).await?.is_none() {
            practices::join(&state.db, &p.id, id).await?;
        }
    }
    Ok(p.id)
}

/// Adds a therapist (by e-mail address) who belongs to no practice yet.
pub async fn add_therapist(
    state: &AppState,
    scope: &PracticeScope,
    email: &str,
) -> Result<Member, AppError> {
    let email = Email::parse("email", email).map_err(|e| AppError::Invalid(vec![e]))?;
    let user = users::credentials_by_email(&state.db, email.as_str())
        .await?
        .map(|c| c.user)
        .filter(|u| u.role == users::Role::Therapist)
        .ok_or_else(|| AppError::field("email", "is not a therapist's account on this Rapport"))?;
    practices::join(&state.db, &scope.practice.id, &user.id).await?;
    members(state, scope)
        .await?
        .into_iter()
        .find(|m| m.user_id == user.id)
        .ok_or(AppError::NotFound)
}

/// Takes a therapist out of the practice (their clients' data stays theirs and their clients').
pub async fn remove_therapist(
    state: &AppState,
    scope: &PracticeScope,
    user_id: &str,
) -> Result<(), AppError> {
    let is_therapist = members(state, scope)
        .await?
        .iter()
        .any(|m| m.user_id == user_id && m.role == "therapist");
    if !is_therapist || !practices::leave(&state.db, &scope.practice.id, user_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Rewrites the measured effectiveness on the listing of every therapist of the practice: set
/// for those who consent, cleared for those who do not.
pub async fn publish_effectiveness(
    state: &AppState,
    scope: &PracticeScope,
) -> Result<Vec<(String, WriteBack)>, AppError> {
    let mut out = Vec::new();
    for m in members(state, scope)
        .await?
        .into_iter()
        .filter(|m| m.role == "therapist")
    {
        out.push((
            m.user_id.clone(),
            effectiveness::write_back(state, &m.user_id).await?,
        ));
    }
    Ok(out)
}
