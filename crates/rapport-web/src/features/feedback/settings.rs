//! A therapist's own settings: when a client counts as overdue, and consent to publishing
//! measured effectiveness for matching (which writes or clears it at once).

use rapport_core::FieldError;
use rapport_store::practices::{self, TherapistSettings};

use super::effectiveness::{self, WriteBack};
use crate::auth::TherapistScope;
use crate::error::AppError;
use crate::state::AppState;

/// Parses the overdue days (a whole number from 1 to 365).
pub fn parse_overdue_days(raw: &str) -> Result<i64, FieldError> {
    match raw.trim().parse::<i64>() {
        Ok(d) if (1..=365).contains(&d) => Ok(d),
        _ => Err(FieldError::new(
            "overdue_days",
            "must be a whole number of days from 1 to 365",
        )),
    }
}

/// Saves the settings; when the consent changed, the listing is rewritten to match.
pub async fn save(
    state: &AppState,
    therapist: &TherapistScope,
    new: TherapistSettings,
) -> Result<Option<WriteBack>, AppError> {
    let old = practices::settings(&state.db, &therapist.user.id).await?;
    practices::put_settings(&state.db, &therapist.user.id, new).await?;
    if old.publish_effectiveness == new.publish_effectiveness {
        return Ok(None);
    }
    Ok(Some(
        effectiveness::write_back(state, &therapist.user.id).await?,
    ))
}
