//! A client's full data, for them to take away: as JSON (everything Rapport holds about them,
//! free text opened), and as a FHIR R4 Bundle (each measure as a QuestionnaireResponse with its
//! scored Observations, each check-in as a QuestionnaireResponse of the Rapport Alliance
//! Check-in) that another health service can read.

use rapport_core::fhir::{Bundle, Resource, bundle, questionnaire_response};
use rapport_core::instrument::{Answers, Definition};
use rapport_store::care::{appointments, endings, offers, schedule};
use rapport_store::checkins::{self, StoredCheckIn};
use rapport_store::{
    audit, instruments, listings, matching, messages, now_ms, practices, relationships, tokens,
    users,
};
use serde_json::{Map, Value, json};

use crate::auth::{ClientScope, StaffScope};
use crate::error::AppError;
use crate::features::instruments::{fhir as measure_fhir, registry, service as measures};
use crate::state::AppState;

fn parsed(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

/// Everything Rapport holds about the client, as one JSON document.
pub async fn json(state: &AppState, client: &ClientScope) -> Result<Value, AppError> {
    let db = &state.db;
    let id = &client.user.id;
    let account = users::by_id(db, id).await?.ok_or(AppError::NotFound)?;
    let mut rels = Vec::new();
    for rel in relationships::for_client(db, id).await? {
        let checkins = checkins::list(db, &state.vault, &rel.id).await?;
        let messages = messages::list(db, &state.vault, &rel.id).await?;
        let stage = endings::stage(db, &rel.id).await?;
        rels.push(json!({
            "relationship": rel,
            "stage": stage,
            "checkins": checkins.iter().map(|c| json!({"id": c.id, "session": c.session, "answers": c.answers, "need": c.need, "created_at": c.created_at})).collect::<Vec<_>>(),
            "messages": messages,
        }));
    }
    let responses = instruments::responses_for_client(db, id).await?;
    Ok(json!({
        "format": "rapport-export",
        "version": 1,
        "exported_at": now_ms(),
        "account": account,
        "relationships": rels,
        "measures": responses.iter().map(measures::stored_json).collect::<Vec<_>>(),
        "match_preferences": parsed(matching::preferences(db, id).await?),
        "fit_profile": parsed(matching::fit_profile(db, id).await?),
        "shortlist": matching::shortlist(db, id).await?,
        "consultations": matching::consultations_sent(db, &state.vault, id).await?,
        "appointments": appointments::for_client(db, &state.vault, id).await?,
        "waitlist": offers::waiting_for_client(db, id).await?,
        "referrals": endings::referrals_for_client(db, &state.vault, id).await?,
        "who_saw_my_data": audit::for_client(db, id).await?,
    }))
}

/// What Rapport holds about a therapist's or administrator's own account, as JSON: the account,
/// their listing, practice, settings, weekly hours and API tokens (never a client's data, which
/// is the client's to take away).
pub async fn staff_json(state: &AppState, staff: &StaffScope) -> Result<Value, AppError> {
    let db = &state.db;
    let id = &staff.user.id;
    let account = users::by_id(db, id).await?.ok_or(AppError::NotFound)?;
    let listing = listings::by_user(db, id)
        .await?
        .map(|l| parsed(Some(l.data)));
    let hours = schedule::get(db, id).await?;
    Ok(json!({
        "format": "rapport-export",
        "version": 1,
        "exported_at": now_ms(),
        "account": account,
        "listing": listing,
        "practice": practices::of_user(db, id).await?,
        "settings": practices::settings(db, id).await?,
        "weekly_hours": hours,
        "api_tokens": tokens::list(db, id).await?,
    }))
}

/// A stored check-in as the RAC's answers: the item ids of `rac.json`, the yes/no of "raised"
/// as its option code, empty lists and absent answers left out.
pub fn checkin_answers(rac: &Definition, c: &StoredCheckIn) -> Result<Answers, AppError> {
    let mut raw = Map::new();
    if let Value::Object(stored) = &c.answers {
        for (key, value) in stored {
            if rac.item(key).is_none()
                || value.is_null()
                || value.as_array().is_some_and(Vec::is_empty)
            {
                continue;
            }
            let value = match (key.as_str(), value) {
                ("raised", Value::Bool(b)) => {
                    Value::String(if *b { "yes" } else { "no" }.to_owned())
                }
                _ => value.clone(),
            };
            raw.insert(key.clone(), value);
        }
    }
    if let Some(need) = &c.need {
        raw.insert("need".into(), Value::String(need.clone()));
    }
    Answers::parse(rac, &raw).map_err(|e| {
        AppError::Internal(format!(
            "stored check-in {} does not read as the RAC: {e}",
            c.id
        ))
    })
}

/// The client's measures and check-ins as one FHIR collection Bundle.
pub async fn fhir(state: &AppState, client: &ClientScope) -> Result<Bundle, AppError> {
    let db = &state.db;
    let registry = registry::current(state).await?;
    let mut resources: Vec<Resource> = Vec::new();
    let mut responses = instruments::responses_for_client(db, &client.user.id).await?;
    responses.reverse();
    for stored in &responses {
        let def = registry.get(&stored.instrument_id).ok_or_else(|| {
            AppError::Internal(format!(
                "stored response {} names unknown instrument {}",
                stored.id, stored.instrument_id
            ))
        })?;
        resources.extend(
            measure_fhir::bundle(def, stored)?
                .entry
                .into_iter()
                .map(|e| e.resource),
        );
    }
    let rac = registry
        .get("rac")
        .ok_or_else(|| AppError::Internal("the RAC definition is not loaded".into()))?;
    let subject = measure_fhir::subject(&client.user.id);
    for rel in relationships::for_client(db, &client.user.id).await? {
        for c in checkins::list(db, &state.vault, &rel.id).await? {
            let answers = checkin_answers(rac, &c)?;
            let authored = measure_fhir::date_time(c.created_at)?;
            let mut response = questionnaire_response(rac, &answers, &subject, &authored);
            response.id = Some(c.id.clone());
            resources.push(Resource::from(response));
        }
    }
    Ok(bundle(resources))
}
