//! Alerts: raised when a check-in or a measure is stored on a shared relationship, e-mailed to
//! the therapist through the outbox, listed in the app with a link to the evidence.
//!
//! Raising an alert never makes the client's own submission fail: their check-in or measure is
//! already stored and, for a PHQ-9 item 9 answer, the crisis resources must still be shown. A
//! failure is logged (without client data) instead.

use rapport_core::alliance::{CheckIn, Disclosure, disclose};
use rapport_core::feedback::{AckNote, AlertDraft, AlertKind, checkin_alerts, measure_alerts};
use rapport_store::alerts::{self, Alert, NewAlert};
use rapport_store::audit;
use rapport_store::care::Mail;
use rapport_store::instruments::StoredResponse;
use rapport_store::outcomes::MeasureRow;
use rapport_store::relationships::{Relationship, Sharing};
use serde_json::Value;
use std::collections::BTreeSet;

use crate::auth::TherapistScope;
use crate::error::AppError;
use crate::state::AppState;

/// The e-mail telling a therapist about new alerts. It names neither the client nor what
/// happened: e-mail travels and is kept outside Rapport, so it only says where to look.
pub fn mail(base: &str, therapist_id: &str, count: usize) -> Mail {
    let what = if count == 1 {
        "A new alert".to_owned()
    } else {
        format!("{count} new alerts")
    };
    Mail {
        user_id: therapist_id.to_owned(),
        kind: "alert".to_owned(),
        subject: "A client on your caseload may need your attention".to_owned(),
        body: format!(
            "{what} on your caseload in Rapport.\n\nOpen your alerts: {base}/alerts\n\nFor the client's privacy this e-mail does not say who or what; the alert in Rapport does, with a link to what the client shared."
        ),
    }
}

/// Where an alert's evidence is: the shared check-ins, or the shared measures.
pub fn evidence_path(alert: &Alert) -> String {
    match AlertKind::parse(&alert.kind) {
        Some(k) if k.is_measure() => format!("/caseload/{}/outcomes", alert.relationship_id),
        _ => format!("/caseload/{}", alert.relationship_id),
    }
}

/// The title of an alert's kind.
pub fn title(alert: &Alert) -> &'static str {
    AlertKind::parse(&alert.kind).map_or("Alert", AlertKind::title)
}

async fn record(
    state: &AppState,
    rel_id: &str,
    drafts: Vec<AlertDraft>,
    response_id: Option<&str>,
    now: i64,
) {
    let rows: Vec<NewAlert> = drafts
        .into_iter()
        .map(|d| NewAlert {
            kind: d.kind.as_str().to_owned(),
            measure: d.kind.is_measure(),
            session: d.session.map(i64::from),
            response_id: response_id.map(str::to_owned),
            detail: d.detail,
        })
        .collect();
    let base = state.config.base_url();
    if let Err(e) = alerts::record_at(&state.db, &state.vault, rel_id, &rows, now, |t, n| {
        mail(&base, t, n)
    })
    .await
    {
        tracing::error!(error = %e, "alerts for a stored check-in or measure could not be recorded");
    }
}

/// Raises the alerts a new check-in causes on a shared relationship (nothing for a private one,
/// nor for one its therapist has not accepted).
/// They are read from the five alliance signs alone (the trend reading), whatever the client
/// shares: an alert stays visible when the client later shares less, so it must never rest on an
/// answer the therapist may stop seeing (red flags, a noted need, the professional-line answer).
/// The alerts carry `now`, the check-in's time.
pub async fn on_checkin(
    state: &AppState,
    rel: &Relationship,
    before: &[CheckIn],
    after: &[CheckIn],
    now: i64,
) {
    if rel.sharing == Sharing::Private || !rel.reaches_therapist() {
        return;
    }
    let trend = |checkins| disclose(checkins, Disclosure::Trend).assessment;
    let drafts = checkin_alerts(&trend(before), &trend(after));
    if !drafts.is_empty() {
        record(state, &rel.id, drafts, None, now).await;
    }
}

/// Raises the alerts a stored measure causes, on every ongoing relationship that shares
/// measures (none when the client shares them with nobody), as raised when it was filled in.
pub async fn on_measure(state: &AppState, stored: &StoredResponse) {
    let flags: Vec<String> = stored
        .scores
        .get("flags")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let row = MeasureRow {
        id: stored.id.clone(),
        client_id: stored.client_id.clone(),
        instrument_id: stored.instrument_id.clone(),
        scores: stored.scores.to_string(),
        created_at: stored.created_at,
    };
    let item9 = stored
        .answers
        .get("q9")
        .and_then(Value::as_u64)
        .and_then(|v| u8::try_from(v).ok());
    let drafts = measure_alerts(&stored.instrument_id, row.total(), &flags, item9);
    if drafts.is_empty() {
        return;
    }
    let relationships = match alerts::measure_relationships(&state.db, &stored.client_id).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "the relationships sharing a new measure could not be read");
            return;
        }
    };
    for rel_id in relationships {
        record(
            state,
            &rel_id,
            drafts.clone(),
            Some(&stored.id),
            stored.created_at,
        )
        .await;
    }
}

/// The therapist's alerts, newest first. Seeing them is a view of what each client shared, so
/// it is recorded once per client shown.
pub async fn list(state: &AppState, therapist: &TherapistScope) -> Result<Vec<Alert>, AppError> {
    let list = alerts::for_therapist(&state.db, &state.vault, &therapist.user.id).await?;
    let clients: BTreeSet<(&str, &str)> = list
        .iter()
        .map(|a| (a.client_id.as_str(), a.relationship_id.as_str()))
        .collect();
    for (client, rel) in clients {
        audit::record(&state.db, &therapist.user.id, client, "view_alerts", rel).await?;
    }
    Ok(list)
}

/// One of the therapist's alerts, unchanged; 404 when not theirs.
pub async fn for_therapist(
    state: &AppState,
    therapist: &TherapistScope,
    id: &str,
) -> Result<Alert, AppError> {
    alerts::get_for_therapist(&state.db, &state.vault, &therapist.user.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Marks an alert seen and returns it (for the link to its evidence); 404 when not theirs.
pub async fn open(
    state: &AppState,
    therapist: &TherapistScope,
    id: &str,
) -> Result<Alert, AppError> {
    let alert = for_therapist(state, therapist, id).await?;
    alerts::mark_seen(&state.db, &therapist.user.id, id).await?;
    Ok(alert)
}

/// Acknowledges one of the therapist's alerts with a note of what they did (sealed, audited in
/// the client's log in the same transaction) and returns it as it now stands. 404 when not
/// theirs; 409 when already acknowledged.
pub async fn acknowledge(
    state: &AppState,
    therapist: &TherapistScope,
    id: &str,
    note: &AckNote,
) -> Result<Alert, AppError> {
    let alert = for_therapist(state, therapist, id).await?;
    let done = alerts::acknowledge(
        &state.db,
        &state.vault,
        &therapist.user.id,
        &alert,
        note.as_str(),
        rapport_store::now_ms(),
    )
    .await?;
    if !done {
        return Err(AppError::Conflict(
            "this alert was already acknowledged".into(),
        ));
    }
    for_therapist(state, therapist, id).await
}

/// The relationships with a safety alert not yet acknowledged, for the caseload's flag.
pub async fn open_safety(
    state: &AppState,
    therapist: &TherapistScope,
) -> Result<BTreeSet<String>, AppError> {
    Ok(alerts::open_safety(&state.db, &therapist.user.id)
        .await?
        .into_iter()
        .collect())
}
