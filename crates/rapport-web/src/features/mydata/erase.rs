//! Deleting a client's account, for good: their data is removed, their data key destroyed (so
//! any copy of their sealed free text is unreadable), and what was pooled (ending reasons, the
//! first and last scores of courses they shared) stays pooled, with no link to them.

use rapport_store::erase::{self, Erased};
use rapport_store::{outcomes, users};

use crate::auth::ClientScope;
use crate::error::AppError;
use crate::features::feedback::courses;
use crate::state::AppState;

/// Deletes the client's account after checking the confirmation and their password.
pub async fn delete_account(
    state: &AppState,
    client: &ClientScope,
    pass: &str,
    confirmed: bool,
) -> Result<Erased, AppError> {
    if !confirmed {
        return Err(AppError::field(
            "confirm",
            "must be ticked: deleting your account cannot be undone",
        ));
    }
    let creds = users::credentials_by_id(&state.db, &client.user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    state
        .passwords
        .confirm(&client.user.id, creds.password_hash, pass, "password")
        .await?;
    let rows = outcomes::client_shared_courses(&state.db, &client.user.id).await?;
    let measures = outcomes::own_measures(&state.db, &client.user.id).await?;
    let refs: Vec<_> = measures.iter().collect();
    let mut pooled = Vec::new();
    for row in &rows {
        let Some(therapist) = &row.therapist_id else {
            continue;
        };
        let summary = courses::summary(row, &refs);
        if summary.phq9.is_some() || summary.gad7.is_some() {
            let json =
                serde_json::to_string(&summary).map_err(|e| AppError::Internal(e.to_string()))?;
            pooled.push((therapist.clone(), json));
        }
    }
    let erased = erase::client(&state.db, &client.user.id, &pooled).await?;
    state.memo.forget_client(&client.user.id);
    tracing::info!(
        pooled_endings = erased.pooled_endings,
        pooled_courses = erased.pooled_courses,
        key_destroyed = erased.key_destroyed,
        "a client deleted their account"
    );
    Ok(erased)
}
