//! Therapy relationships and check-ins: the operations pages and API share.
//!
//! Check-ins are parsed by the one parser in the core (`alliance::parse_checkin`) whether they
//! come from a form, the API or the database, so a stored check-in always means what the engine
//! expects. The free-text `need` is split off before storage and sealed by the store.

use rapport_core::FieldError;
use rapport_core::alliance::{self, Assessment, CheckIn, Disclosed, Disclosure};
use rapport_core::feedback::is_overdue;
use rapport_core::ids::RelationshipId;
use rapport_store::checkins::StoredCheckIn;
use rapport_store::relationships::{self, Answer, Relationship, Sharing};
use rapport_store::{StoreError, audit, checkins, listings, messages, users};
use serde_json::{Map, Value};

use super::memo::Assessed;
use super::readings::Reading;
use crate::auth::{ClientScope, TherapistScope};
use crate::error::AppError;
use crate::features::feedback;
use crate::state::AppState;
use std::sync::Arc;

/// A relationship with its check-ins (oldest first) and the engine's reading of them.
pub struct Loaded {
    /// The relationship.
    pub rel: Relationship,
    /// Its check-ins, by session.
    pub checkins: Vec<CheckIn>,
    /// The assessment.
    pub assessment: Assessment,
    /// When the latest check-in was recorded, Unix ms.
    pub last_checkin_at: Option<i64>,
    /// Where the relationship stands (stage, ending, latest note): loaded for its client only.
    pub phase: Option<relationships::Phase>,
}

impl Loaded {
    /// The relationship's state in a word for lists: "Ended" or "Stopping" once the client is
    /// leaving, else its alliance status.
    pub fn list_title(&self) -> &'static str {
        match self.phase.map(|p| p.stage) {
            Some(rapport_core::care::Stage::Ended) => "Ended",
            Some(rapport_core::care::Stage::Ending) => "Stopping",
            _ => alliance::status_title(self.assessment.status),
        }
    }
}

/// Records a relationship for the client: a listed therapist (by listing id) or one named by hand.
pub async fn create(
    state: &AppState,
    client: &ClientScope,
    name: &str,
    listing_id: Option<&str>,
) -> Result<Relationship, AppError> {
    let listing_id = listing_id.map(str::trim).filter(|s| !s.is_empty());
    let (name, therapist_user) = match listing_id {
        Some(id) => {
            let listing = listings::by_id(&state.db, id).await?.ok_or_else(|| {
                AppError::field("listing_id", "is not a therapist in the directory")
            })?;
            let listed_name = serde_json::from_str::<Value>(&listing.data)
                .ok()
                .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default();
            let chosen = if name.trim().is_empty() {
                listed_name
            } else {
                name.trim().to_owned()
            };
            (chosen, listing.user_id)
        }
        None => (name.trim().to_owned(), None),
    };
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::field(
            "therapist_name",
            "is required: the name you know your therapist by (at most 100 characters)",
        ));
    }
    Ok(relationships::create(
        &state.db,
        &client.user.id,
        &name,
        therapist_user.as_deref(),
        listing_id,
    )
    .await?)
}

/// One of the client's own relationships, loaded and assessed; 404 for anyone else's.
pub async fn load_for_client(
    state: &AppState,
    client: &ClientScope,
    id: &str,
) -> Result<Loaded, AppError> {
    let rel = relationships::get_for_client(&state.db, &client.user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let phase = relationships::phase(&state.db, &client.user.id, id).await?;
    let mut loaded = load(state, rel).await?;
    loaded.phase = phase;
    Ok(loaded)
}

/// One of the client's own relationships as its page shows it: from memory when nothing about it
/// has changed since it was last read (see [`super::memo`]), else loaded, assessed and kept.
pub async fn assessed_for_client(
    state: &AppState,
    client: &ClientScope,
    id: &str,
) -> Result<Arc<Assessed>, AppError> {
    let version = client.data_version;
    if let Some(v) = version
        && let Some(hit) = state.memo.get(&client.user.id, id, v)
    {
        return Ok(hit);
    }
    let assessed = Arc::new(assess_page(
        state,
        load_for_client(state, client, id).await?,
    )?);
    if let Some(v) = version {
        state
            .memo
            .put(&client.user.id, id, v, Arc::clone(&assessed));
    }
    Ok(assessed)
}

/// A loaded relationship with its page's reading rendered.
pub fn assess_page(state: &AppState, loaded: Loaded) -> Result<Assessed, AppError> {
    let reading_html =
        super::view::reading_html(&loaded, &state.config.report_url, &state.config.help_url)?;
    Ok(Assessed {
        rel: loaded.rel,
        phase: loaded.phase,
        reading_html,
    })
}

async fn load(state: &AppState, rel: Relationship) -> Result<Loaded, AppError> {
    let stored = checkins::list(&state.db, &state.vault, &rel.id).await?;
    assess_stored(rel, stored)
}

/// Parses stored check-ins with the one check-in parser and assesses them.
fn assess_stored(rel: Relationship, stored: Vec<StoredCheckIn>) -> Result<Loaded, AppError> {
    let (list, last_checkin_at) = parse_stored(stored)?;
    let assessment = alliance::assess(&list);
    Ok(Loaded {
        rel,
        checkins: list,
        assessment,
        last_checkin_at,
        phase: None,
    })
}

/// Stored check-ins parsed by the one check-in parser, with when the latest was recorded.
fn parse_stored(stored: Vec<StoredCheckIn>) -> Result<(Vec<CheckIn>, Option<i64>), AppError> {
    let last_checkin_at = stored.iter().map(|s| s.created_at).max();
    let mut list = Vec::with_capacity(stored.len());
    for s in stored {
        let mut answers = s.answers;
        if let (Some(need), Some(obj)) = (s.need, answers.as_object_mut()) {
            obj.insert("need".into(), Value::String(need));
        }
        let c = alliance::parse_checkin(&answers, "").map_err(|e| {
            AppError::Internal(format!("stored check-in {} no longer parses: {e}", s.id))
        })?;
        list.push(c);
    }
    Ok((list, last_checkin_at))
}

/// The session number a new check-in gets when none is given: one after the last.
pub fn next_session(checkins: &[CheckIn]) -> u32 {
    checkins.iter().map(|c| c.session).max().unwrap_or(0) + 1
}

/// Parses and stores a check-in for one of the client's relationships and returns the
/// relationship as it now reads (so callers need not load it again). Nothing is stored when any
/// field is wrong or the session number is taken. Without a session number the check-in gets
/// the next one; when a check-in sent at the same moment took it first, the next is tried, so
/// parallel check-ins are numbered one after another instead of refused.
pub async fn record_checkin(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
    input: Map<String, Value>,
) -> Result<Loaded, AppError> {
    record_checkin_at(state, client, rel_id, input, rapport_store::now_ms()).await
}

/// [`record_checkin`] as made at `now` (Unix ms): the demo records months of history through the
/// same parsing, encryption and alerts as a check-in sent today.
pub async fn record_checkin_at(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
    input: Map<String, Value>,
    now: i64,
) -> Result<Loaded, AppError> {
    let numbered_here = input
        .get("session")
        .is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()));
    let mut tries = 0;
    loop {
        match store_checkin(state, client, rel_id, input.clone(), numbered_here, now).await? {
            Ok(loaded) => return Ok(loaded),
            Err(_) if numbered_here && tries < 50 => tries += 1,
            Err(taken) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "session",
                    &format!(
                        "you already have a check-in for session {taken}; pick the number of this session"
                    ),
                )]));
            }
        }
    }
}

/// One attempt of [`record_checkin`]: `Ok(Err(n))` when session `n` was already taken.
async fn store_checkin(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
    mut input: Map<String, Value>,
    numbered_here: bool,
    now: i64,
) -> Result<Result<Loaded, u32>, AppError> {
    let loaded = load_for_client(state, client, rel_id).await?;
    if numbered_here {
        input.insert(
            "session".into(),
            Value::from(next_session(&loaded.checkins)),
        );
    }
    let checkin = alliance::parse_checkin(&Value::Object(input), "")?;
    let mut answers =
        serde_json::to_value(&checkin).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(obj) = answers.as_object_mut() {
        obj.remove("need");
    }
    match checkins::insert_for_at(
        &state.db,
        &state.vault,
        &loaded.rel.client_id,
        rel_id,
        i64::from(checkin.session),
        &answers,
        checkin.need.as_deref(),
        now,
    )
    .await
    {
        Ok(stored) => {
            let before = loaded.checkins;
            let mut after = before.clone();
            after.push(checkin);
            after.sort_by_key(|c| c.session);
            let assessment = alliance::assess(&after);
            feedback::alerts::on_checkin(state, &loaded.rel, &before, &after, now).await;
            let last_checkin_at = loaded.last_checkin_at.max(Some(stored.created_at));
            Ok(Ok(Loaded {
                rel: loaded.rel,
                checkins: after,
                assessment,
                last_checkin_at,
                phase: loaded.phase,
            }))
        }
        Err(StoreError::Conflict(_)) => Ok(Err(checkin.session)),
        Err(e) => Err(e.into()),
    }
}

/// What the client shares of their check-ins with this relationship's therapist; `None` when
/// nothing is shared.
pub fn disclosure(sharing: Sharing) -> Option<Disclosure> {
    match sharing {
        Sharing::Private => None,
        Sharing::Trend => Some(Disclosure::Trend),
        Sharing::Answers => Some(Disclosure::Answers),
    }
}

/// The therapist's view of these check-ins, as far as the relationship shares them.
fn disclosed(rel: &Relationship, checkins: &[CheckIn]) -> Option<Disclosed> {
    disclosure(rel.sharing).map(|d| alliance::disclose(checkins, d))
}

/// Parses a sharing choice.
pub fn parse_sharing(raw: &str) -> Result<Sharing, AppError> {
    Sharing::parse(raw)
        .ok_or_else(|| AppError::field("sharing", "must be private, trend or answers"))
}

/// Changes what the client shares with this relationship's therapist; effective immediately.
pub async fn set_sharing(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
    sharing: Sharing,
) -> Result<(), AppError> {
    if relationships::set_sharing(&state.db, &client.user.id, rel_id, sharing).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Changes whether the client also shares their measures (only in effect while the
/// relationship is shared at all); effective immediately.
pub async fn set_share_outcomes(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
    share: bool,
) -> Result<(), AppError> {
    if relationships::set_share_outcomes(&state.db, &client.user.id, rel_id, share).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// What a therapist may see of a shared relationship: never the client's own reading, only the
/// reading of what the client shares (see `alliance::disclose`).
pub struct TherapistView {
    /// The relationship.
    pub rel: Relationship,
    /// The reading of the shared part, with the shared answers when answers are shared.
    pub seen: Disclosed,
    /// Whether the client shares answers (else trend and status only).
    pub answers_shared: bool,
    /// The client's display name.
    pub client_name: String,
    /// Messages the client chose to send.
    pub messages: Vec<messages::Message>,
}

/// Loads a relationship for its therapist, only as far as the client shares it, and records the
/// view in the client's audit log. Private or someone else's: 404, nothing recorded or shown.
pub async fn load_for_therapist(
    state: &AppState,
    therapist: &TherapistScope,
    rel_id: &str,
) -> Result<TherapistView, AppError> {
    let rel = relationships::get_shared_with(&state.db, &therapist.user.id, rel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let answers_shared = rel.sharing == Sharing::Answers;
    let action = if answers_shared {
        "view_answers"
    } else {
        "view_trend"
    };
    audit::record(
        &state.db,
        &therapist.user.id,
        &rel.client_id,
        action,
        &rel.id,
    )
    .await?;
    let client_name = rapport_store::users::by_id(&state.db, &rel.client_id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let messages = messages::list(&state.db, &state.vault, &rel.id).await?;
    let loaded = load(state, rel).await?;
    let seen = disclosed(&loaded.rel, &loaded.checkins).ok_or(AppError::NotFound)?;
    Ok(TherapistView {
        rel: loaded.rel,
        seen,
        answers_shared,
        client_name,
        messages,
    })
}

/// A row of the therapist's caseload: only what the client shares.
pub struct CaseloadRow {
    /// The relationship.
    pub rel: Relationship,
    /// The client's display name.
    pub client_name: String,
    /// The reading of what the client shares (status, trend, last check-in, red flags).
    pub reading: Arc<Reading>,
    /// No check-in for longer than the therapist's overdue days since the last one, while the
    /// relationship runs (a client who ended owes no check-in).
    pub overdue: bool,
    /// The latest measures (only when the client shares them).
    pub measures: Option<Vec<feedback::outcomes::Latest>>,
}

/// Every relationship shared with this therapist, assessed; each view is recorded. Reads the
/// whole caseload in a fixed number of queries, however many clients share, and re-reads the
/// check-ins only of relationships that changed since their reading was made (see
/// [`super::readings`]).
pub async fn caseload(
    state: &AppState,
    therapist: &TherapistScope,
) -> Result<Vec<CaseloadRow>, AppError> {
    let overdue_days = rapport_store::practices::settings(&state.db, &therapist.user.id)
        .await?
        .overdue_days;
    let now = rapport_store::now_ms();
    let shared = relationships::caseload(&state.db, &therapist.user.id).await?;
    let views: Vec<(&str, &str)> = shared
        .iter()
        .map(|s| (s.rel.client_id.as_str(), s.rel.id.as_str()))
        .collect();
    audit::record_many(&state.db, &therapist.user.id, "view_caseload", &views).await?;
    let mut readings: Vec<Option<Arc<Reading>>> = shared
        .iter()
        .map(|s| {
            state
                .readings
                .get(&s.rel.id, &s.rel.client_id, s.data_version, s.rel.sharing)
        })
        .collect();
    let stale: Vec<&str> = shared
        .iter()
        .zip(&readings)
        .filter(|(_, r)| r.is_none())
        .map(|(s, _)| s.rel.id.as_str())
        .collect();
    if !stale.is_empty() {
        let mut stored = checkins::list_many(&state.db, &state.vault, &stale).await?;
        for (s, slot) in shared.iter().zip(readings.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            let (list, last_checkin_at) =
                parse_stored(stored.remove(&s.rel.id).unwrap_or_default())?;
            let Some(seen) = disclosed(&s.rel, &list) else {
                continue;
            };
            let red_flags = seen.checkins.as_ref().map(|answers| {
                answers
                    .last()
                    .map(|c| c.flags.iter().copied().collect())
                    .unwrap_or_default()
            });
            let reading = Arc::new(Reading {
                assessment: seen.assessment,
                last_checkin_at,
                red_flags,
            });
            state.readings.put(
                &s.rel.id,
                &s.rel.client_id,
                s.data_version,
                s.rel.sharing,
                Arc::clone(&reading),
            );
            *slot = Some(reading);
        }
    }
    let mut measures = feedback::outcomes::latest_all(state, &therapist.user.id).await?;
    let ended: std::collections::HashSet<String> =
        rapport_store::care::endings::endings_for_therapist(&state.db, &therapist.user.id)
            .await?
            .into_iter()
            .filter(|e| e.stage == "ended")
            .map(|e| e.relationship_id)
            .collect();
    Ok(shared
        .into_iter()
        .zip(readings)
        .filter_map(|(s, reading)| {
            let reading = reading?;
            Some(CaseloadRow {
                overdue: !ended.contains(&s.rel.id)
                    && is_overdue(reading.last_checkin_at, now, overdue_days),
                measures: measures.remove(&s.rel.id),
                rel: s.rel,
                client_name: s.client_name,
                reading,
            })
        })
        .collect())
}

/// A relationship waiting for the therapist's answer: who asked and when, nothing of what the
/// client records (that reaches the therapist only once they accept, as far as it is shared).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Request {
    /// The relationship.
    pub relationship_id: String,
    /// The client's display name.
    pub client_name: String,
    /// When the client recorded it, Unix ms.
    pub created_at: i64,
}

/// Relationships clients recorded with this therapist that wait for them to accept or decline,
/// oldest first.
pub async fn requests(
    state: &AppState,
    therapist: &TherapistScope,
) -> Result<Vec<Request>, AppError> {
    let waiting = relationships::waiting_for(&state.db, &therapist.user.id).await?;
    let ids: Vec<&str> = waiting.iter().map(|r| r.client_id.as_str()).collect();
    let mut names = users::display_names(&state.db, &ids).await?;
    Ok(waiting
        .into_iter()
        .map(|r| Request {
            client_name: names.remove(&r.client_id).unwrap_or_default(),
            relationship_id: r.id,
            created_at: r.created_at,
        })
        .collect())
}

/// The therapist answers a relationship that names them: accepted, it joins their caseload and
/// figures as far as the client shares; declined, it never reaches them and the client keeps it.
/// 404 when it is not theirs or not waiting for that answer.
pub async fn answer(
    state: &AppState,
    therapist: &TherapistScope,
    rel_id: &RelationshipId,
    answer: Answer,
) -> Result<(), AppError> {
    let now = rapport_store::now_ms();
    if relationships::answer(&state.db, &therapist.user.id, rel_id.as_str(), answer, now).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Sends the client's (edited) speak-up note to the therapist. Only called after the client
/// confirmed on a preview; refused when the therapist does not use Rapport.
pub async fn send_note(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
    body: &str,
) -> Result<messages::Message, AppError> {
    let rel = relationships::get_for_client(&state.db, &client.user.id, rel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(therapist_id) = rel.therapist_user_id.as_deref() else {
        return Err(AppError::field(
            "note",
            "can't be sent: your therapist isn't on Rapport. You can print it or copy it instead.",
        ));
    };
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(AppError::field("note", "must be 1 to 4000 characters"));
    }
    // The notice says a note is waiting, never what it says: the words stay in the app.
    let notice = rapport_store::care::Mail {
        user_id: therapist_id.to_owned(),
        kind: "speak_up".into(),
        subject: "A note from a client".into(),
        body: format!(
            "{} sent you a note through Rapport about how your sessions are going. Read it: {}/caseload/{}",
            client.user.display_name,
            state.config.base_url(),
            rel.id
        ),
    };
    Ok(messages::send_with_notice(
        &state.db,
        &state.vault,
        &rel.id,
        &client.user.id,
        "speak_up",
        body,
        Some(&notice),
    )
    .await?)
}
