//! Measures: the operations the pages, the API and the CLI share.
//!
//! Answers are parsed and scored by the core alone, whether they come from a form, the API or a
//! file, so a stored result always means what the definition says. The JSON shapes built here
//! are the ones every caller prints, so the CLI and the API describe a score in the same words.

use rapport_core::instrument::{
    Answers, Definition, Response, Scored, TextStatus, score_answers, srs_drop,
};
use rapport_store::instruments::{self, StoredResponse};
use serde_json::{Map, Value, json};

use super::registry;
use crate::auth::ClientScope;
use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;

/// The flag a scored result carries when it calls for crisis resources (PHQ-9 item 9 above 0).
pub const CRISIS_FLAG: &str = "crisis";
/// The id of the Session Rating Scale, whose session-to-session drop is flagged.
pub const SRS_ID: &str = "srs";
/// The flag added when an SRS total fell by 1 point or more since the client's previous one.
pub const SRS_DROP_FLAG: &str = "srs_drop";

/// The text status in the words listings use: shipped, installed, "text not installed".
pub fn text_status_label(status: TextStatus) -> &'static str {
    match status {
        TextStatus::Shipped => "shipped",
        TextStatus::Installed => "installed",
        TextStatus::NotInstalled => "text not installed",
    }
}

/// Why clients cannot be given this instrument here, or `None` when they can.
///
/// Licensed instruments need their text installed first. Instruments with free-text items (the
/// alliance check-in) are only asked within a therapy relationship, whose store encrypts that
/// text; responses here are kept as plain JSON and so never hold free text.
pub fn not_offered_because(def: &Definition) -> Option<&'static str> {
    if !def.offerable() {
        Some("its licensed item text is not installed on this site")
    } else if def
        .items()
        .iter()
        .any(|item| matches!(item.response, Response::Text { .. }))
    {
        Some("it takes free-text answers, so it is only asked within a therapy relationship")
    } else {
        None
    }
}

/// One line of an instrument listing.
pub fn summary_json(def: &Definition) -> Value {
    let why = not_offered_because(def);
    json!({
        "id": def.id(),
        "title": def.title(),
        "version": def.version(),
        "text_status": def.text_status(),
        "text_status_label": text_status_label(def.text_status()),
        "offerable": why.is_none(),
        "not_offered_because": why,
        "items": def.items().len(),
        "copyright": def.copyright(),
        "licence": def.licence(),
    })
}

/// The whole definition, with its text status and whether clients can be given it.
pub fn definition_json(def: &Definition) -> Value {
    let mut out = serde_json::to_value(def).unwrap_or_else(|_| json!({}));
    if let Value::Object(obj) = &mut out {
        obj.insert("text_status".into(), json!(def.text_status()));
        obj.insert(
            "text_status_label".into(),
            json!(text_status_label(def.text_status())),
        );
        obj.insert(
            "offerable".into(),
            json!(not_offered_because(def).is_none()),
        );
    }
    out
}

/// A scored result: each scale with its title, range, band and cut-off verdicts, then the flags
/// raised and whether crisis resources are due.
pub fn scores_json(def: &Definition, scored: &Scored) -> Value {
    let scales: Vec<Value> = scored
        .scales
        .iter()
        .map(|s| {
            let scale = def.scale(&s.id);
            json!({
                "id": s.id,
                "title": scale.map(|sc| sc.title.as_str()),
                "value": s.value,
                "min": scale.map(|sc| sc.min),
                "max": scale.map(|sc| sc.max),
                "band": s.band,
                "cutoffs": s.cutoffs,
            })
        })
        .collect();
    json!({
        "instrument": scored.instrument,
        "title": def.title(),
        "version": scored.version,
        "scores": scales,
        "flags": scored.flags,
        "crisis": scored.has_flag(CRISIS_FLAG),
    })
}

/// Parsed answers as stored: `{"item id": value}` with only the items answered.
pub fn answers_json(def: &Definition, answers: &Answers) -> Value {
    let mut out = Map::new();
    for item in def.items() {
        if let Some(answer) = answers.get(&item.id) {
            out.insert(item.id.clone(), json!(answer));
        }
    }
    Value::Object(out)
}

/// A stored result for its client: id, time, answers and the scores as shown at the time.
pub fn stored_json(stored: &StoredResponse) -> Value {
    let mut out = match &stored.scores {
        Value::Object(scores) => scores.clone(),
        _ => Map::new(),
    };
    out.insert("id".into(), json!(stored.id));
    out.insert("instrument".into(), json!(stored.instrument_id));
    out.insert("version".into(), json!(stored.instrument_version));
    out.insert("created_at".into(), json!(stored.created_at));
    out.insert("answers".into(), stored.answers.clone());
    Value::Object(out)
}

/// Whether a stored result raised the crisis flag.
pub fn is_crisis(stored: &StoredResponse) -> bool {
    stored.scores.get("crisis").and_then(Value::as_bool) == Some(true)
}

/// The answer to a fresh submission: the stored result, and with a crisis answer the crisis
/// lines and help page, so no client of the API can show the score without them.
pub fn submitted_json(stored: &StoredResponse, config: &Config) -> Value {
    let mut out = stored_json(stored);
    if let (true, Value::Object(obj)) = (is_crisis(stored), &mut out) {
        obj.insert("crisis_lines".into(), json!(config.crisis_lines));
        obj.insert("help_url".into(), json!(config.help_url));
    }
    out
}

/// The instrument `id` if clients may be given it here: 404 when unknown, 409 with the reason
/// when it exists but is not offered.
pub async fn offered(state: &AppState, id: &str) -> Result<Definition, AppError> {
    let registry = registry::current(state).await?;
    let def = registry.get(id).ok_or(AppError::NotFound)?;
    match not_offered_because(def) {
        None => Ok(def.clone()),
        Some(why) => Err(AppError::Conflict(format!(
            "{} can't be filled in here: {why}.",
            def.title()
        ))),
    }
}

/// Every instrument clients may be given here, in the registry's order.
pub async fn offered_list(state: &AppState) -> Result<Vec<Definition>, AppError> {
    let registry = registry::current(state).await?;
    Ok(registry
        .list()
        .iter()
        .filter(|def| not_offered_because(def).is_none())
        .cloned()
        .collect())
}

/// Parses, scores and stores a client's answers to instrument `id`. Any missing, unknown,
/// out-of-range or wrongly typed answer refuses the whole submission, each problem naming the
/// item and what it accepts, and nothing is stored. A stored measure raises alerts for the
/// therapists the client shares measures with (see `features::feedback::alerts`).
pub async fn respond(
    state: &AppState,
    client: &ClientScope,
    id: &str,
    raw: &Value,
) -> Result<StoredResponse, AppError> {
    respond_at(state, client, id, raw, rapport_store::now_ms()).await
}

/// [`respond`] as filled in at `now` (Unix ms), for a course of measures that began in the past
/// (the demo practice).
pub async fn respond_at(
    state: &AppState,
    client: &ClientScope,
    id: &str,
    raw: &Value,
    now: i64,
) -> Result<StoredResponse, AppError> {
    let def = offered(state, id).await?;
    let Value::Object(raw) = raw else {
        return Err(AppError::field(
            "answers",
            "must be a JSON object of item id to answer, such as {\"q1\": 2}",
        ));
    };
    let answers = Answers::parse(&def, raw)?;
    let mut scored = score_answers(&def, &answers);
    if def.id() == SRS_ID && dropped_since_last(state, client, &scored).await? {
        scored.flags.push(SRS_DROP_FLAG.to_owned());
    }
    let stored = instruments::insert_response_at(
        &state.db,
        &client.user.id,
        def.id(),
        def.version(),
        &answers_json(&def, &answers),
        &scores_json(&def, &scored),
        now,
    )
    .await?;
    crate::features::feedback::alerts::on_measure(state, &stored).await;
    Ok(stored)
}

async fn dropped_since_last(
    state: &AppState,
    client: &ClientScope,
    scored: &Scored,
) -> Result<bool, AppError> {
    let Some(previous) = instruments::latest_for_client(&state.db, &client.user.id, SRS_ID).await?
    else {
        return Ok(false);
    };
    let previous_total = stored_total(&previous);
    let current_total = scored.scale("total").map(|s| s.value);
    Ok(match (previous_total, current_total) {
        (Some(before), Some(now)) => srs_drop(before, now),
        _ => false,
    })
}

fn stored_total(stored: &StoredResponse) -> Option<f64> {
    stored
        .scores
        .get("scores")?
        .as_array()?
        .iter()
        .find(|s| s.get("id").and_then(Value::as_str) == Some("total"))?
        .get("value")?
        .as_f64()
}

/// The client's own results, newest first.
pub async fn my_responses(
    state: &AppState,
    client: &ClientScope,
) -> Result<Vec<StoredResponse>, AppError> {
    Ok(instruments::responses_for_client(&state.db, &client.user.id).await?)
}

/// One of the client's own results; 404 for anyone else's.
pub async fn my_response(
    state: &AppState,
    client: &ClientScope,
    id: &str,
) -> Result<StoredResponse, AppError> {
    instruments::response_for_client(&state.db, &client.user.id, id)
        .await?
        .ok_or(AppError::NotFound)
}
