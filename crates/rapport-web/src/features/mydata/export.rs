//! A client's full data, for them to take away: as JSON (everything Rapport holds about them,
//! free text opened), and as a FHIR R4 collection Bundle (the client as a Patient, each measure
//! as a QuestionnaireResponse with its scored Observations, each check-in as a
//! QuestionnaireResponse of the Rapport Alliance Check-in, with the Questionnaires they answer)
//! that another health service can import as it is.

use rapport_core::fhir::{
    Bundle, BundleEntry, bundle_problems, collection, entry, questionnaire_response, urn_uuid,
};
use rapport_core::instrument::{Answers, Definition};
use rapport_store::care::{appointments, endings, offers, schedule};
use rapport_store::checkins::{self, StoredCheckIn};
use rapport_store::{
    audit, instruments, listings, matching, messages, now_ms, practices, relationships, tokens,
    users,
};
use serde_json::{Map, Value, json};
use std::collections::HashSet;

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

/// The client's measures and check-ins as one FHIR collection Bundle that stands on its own: the
/// client as the Patient; a Questionnaire for every instrument answered and for the Rapport
/// Alliance Check-in; each measure's QuestionnaireResponse with its Observations; each check-in's
/// QuestionnaireResponse. Every entry has a `urn:uuid:` fullUrl and every reference is one of them.
pub async fn fhir(state: &AppState, client: &ClientScope) -> Result<Bundle, AppError> {
    let db = &state.db;
    let registry = registry::current(state).await?;
    let patient = measure_fhir::patient_entry(&client.user);
    let patient_url = patient.full_url.clone().unwrap_or_default();
    let mut questionnaires: Vec<BundleEntry> = Vec::new();
    let mut answered: HashSet<String> = HashSet::new();
    let mut entries: Vec<BundleEntry> = Vec::new();
    let mut responses = instruments::responses_for_client(db, &client.user.id).await?;
    responses.reverse();
    for stored in &responses {
        let def = registry.get(&stored.instrument_id).ok_or_else(|| {
            AppError::Internal(format!(
                "stored response {} names unknown instrument {}",
                stored.id, stored.instrument_id
            ))
        })?;
        if answered.insert(format!("{}|{}", def.id(), def.version())) {
            questionnaires.push(measure_fhir::questionnaire_entry(def));
        }
        entries.extend(measure_fhir::response_entries(def, stored, &patient_url)?);
    }
    let rac = registry
        .get("rac")
        .ok_or_else(|| AppError::Internal("the RAC definition is not loaded".into()))?;
    for rel in relationships::for_client(db, &client.user.id).await? {
        for c in checkins::list(db, &state.vault, &rel.id).await? {
            let answers = checkin_answers(rac, &c)?;
            let authored = measure_fhir::date_time(c.created_at)?;
            let mut response = questionnaire_response(rac, &answers, &patient_url, &authored);
            response.id = Some(c.id.clone());
            if answered.insert(format!("{}|{}", rac.id(), rac.version())) {
                questionnaires.push(measure_fhir::questionnaire_entry(rac));
            }
            entries.push(entry(urn_uuid(&c.id), response));
        }
    }
    let bundle = collection(
        std::iter::once(patient)
            .chain(questionnaires)
            .chain(entries),
        measure_fhir::now()?,
    );
    let problems = bundle_problems(&bundle);
    if !problems.is_empty() {
        return Err(AppError::Internal(format!(
            "the FHIR export would not stand on its own: {}",
            problems.join("; ")
        )));
    }
    Ok(bundle)
}
