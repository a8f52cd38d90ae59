//! Demo data for `rapport demo`: a client's relationship with the demo therapist and three
//! check-ins, recorded through the same service functions the pages use.

use rapport_store::relationships::{self, Sharing};
use rapport_store::users::User;
use serde_json::{Value, json};

use crate::auth::ClientScope;
use crate::error::AppError;
use crate::features::relationships::service;
use crate::state::AppState;

fn demo_checkins() -> Vec<Value> {
    vec![
        json!({"session": 1, "heard": 3, "open": 2, "attuned": 3, "trust": 3, "looking_forward": 2, "stirred": 2, "left_feeling": "stirred_ok"}),
        json!({"session": 2, "heard": 3, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3, "stirred": 3, "left_feeling": "stirred_ok", "flags": ["dread"]}),
        json!({"session": 3, "heard": 2, "open": 2, "attuned": 1, "trust": 3, "looking_forward": 2, "stirred": 1, "left_feeling": "better", "need": "More structure: a plan for what we work on each week."}),
    ]
}

/// Gives the demo client a relationship with the demo therapist (accepted by them, shared as
/// trend) and three check-ins, unless they already have one.
pub async fn seed(state: &AppState, client: &User, therapist: &User) -> Result<(), AppError> {
    if !relationships::for_client(&state.db, &client.id)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let scope = ClientScope::trusted(client.clone());
    let rel = relationships::create(
        &state.db,
        &client.id,
        &therapist.display_name,
        Some(&therapist.id),
        None,
    )
    .await?;
    relationships::answer(
        &state.db,
        &therapist.id,
        &rel.id,
        relationships::Answer::Accepted,
        rapport_store::now_ms(),
    )
    .await?;
    for c in demo_checkins() {
        let Value::Object(obj) = c else { continue };
        service::record_checkin(state, &scope, &rel.id, obj).await?;
    }
    service::set_sharing(state, &scope, &rel.id, Sharing::Trend).await?;
    Ok(())
}
