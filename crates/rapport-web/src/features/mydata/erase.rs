//! Deleting an account, for good. A client's:  their data is removed, their data key destroyed (so
//! any copy of their sealed free text is unreadable), and what was pooled (ending reasons, the
//! first and last scores of courses they shared) stays pooled, with no link to them. A therapist's
//! or administrator's: their listing goes too, once no session with a client is still booked.

use rapport_store::erase::{self, Erased};
use rapport_store::{outcomes, users};

use crate::auth::{ClientScope, StaffScope};
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
    confirm_deletion(state, &client.user.id, pass, confirmed).await?;
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
    state.readings.forget_client(&client.user.id);
    tracing::info!(
        pooled_endings = erased.pooled_endings,
        pooled_courses = erased.pooled_courses,
        key_destroyed = erased.key_destroyed,
        "a client deleted their account"
    );
    Ok(erased)
}

/// Deletes a therapist's or administrator's own account after the confirmation and their
/// password; refused, with what to do, while sessions with clients are still booked.
pub async fn delete_staff_account(
    state: &AppState,
    staff: &StaffScope,
    pass: &str,
    confirmed: bool,
) -> Result<(), AppError> {
    confirm_deletion(state, &staff.user.id, pass, confirmed).await?;
    let listing = rapport_store::listings::by_user(&state.db, &staff.user.id).await?;
    match erase::staff(&state.db, &staff.user.id, rapport_store::now_ms()).await? {
        Ok(()) => {
            if let Some(l) = listing {
                state.directory.forget(&state.db, &l.id).await?;
            }
            tracing::info!(role = ?staff.user.role, "a therapist or administrator deleted their account");
            Ok(())
        }
        Err(erase::StaffRefusal::Upcoming(n)) => Err(AppError::Refused(format!(
            "You still have {n} upcoming {} with clients. Please cancel {} first from your practice page, so each client is told; then you can delete your account.",
            if n == 1 { "session" } else { "sessions" },
            if n == 1 { "it" } else { "them" },
        ))),
    }
}

/// What every deletion asks first: the box ticked, and the account's own password (counted
/// against the account like every check after login).
async fn confirm_deletion(
    state: &AppState,
    user_id: &str,
    pass: &str,
    confirmed: bool,
) -> Result<(), AppError> {
    if !confirmed {
        return Err(AppError::field(
            "confirm",
            "must be ticked: deleting your account cannot be undone",
        ));
    }
    let creds = users::credentials_by_id(&state.db, user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    state
        .passwords
        .confirm(user_id, creds.password_hash, pass, "password")
        .await
}
