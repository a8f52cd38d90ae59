//! The e-mail outbox as an administrator sees it: their own practice's rows only (the store's
//! `outbox::SCOPE`), shared by the page and the API.

use rapport_store::care::outbox::{self, OutboxEntry};
use rapport_store::practices;

use crate::auth::AdminScope;
use crate::error::AppError;
use crate::state::AppState;

/// How many rows the page and the API show.
pub const LIMIT: i64 = 200;

/// The newest rows filed under the administrator's practice. An administrator outside any
/// practice is refused with the reason: mail is about people, and they run nobody's.
pub async fn for_admin(state: &AppState, admin: &AdminScope) -> Result<Vec<OutboxEntry>, AppError> {
    let practice = practices::of_user(&state.db, &admin.user.id)
        .await?
        .ok_or_else(|| {
            AppError::Refused(
                "The outbox shows your practice's mail, and your account does not belong to a practice yet: ask whoever runs this Rapport to add you (rapport practice add-member).".to_owned(),
            )
        })?;
    Ok(outbox::list(&state.db, &practice.id, LIMIT).await?)
}
