//! Proof that an administrator is acting on their own practice.
//!
//! Built only by this extractor, from the `{id}` in the path: an administrator of one practice
//! asking for another (or for any, without belonging to one) is refused with the reason, and the
//! attempt is recorded in the audit log under the practice asked for, where that practice's
//! administrators see it.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use rapport_store::practices::{self, Practice};
use rapport_store::{audit, users::User};

use crate::auth::AdminScope;
use crate::error::AppError;
use crate::state::AppState;

/// The audit-log key under which attempts on a practice are recorded.
pub fn audit_key(practice_id: &str) -> String {
    format!("practice:{practice_id}")
}

/// An administrator and the one practice they may see. The private field keeps construction
/// inside this module (`#[non_exhaustive]` would not: it binds other crates only).
#[derive(Clone, Debug)]
#[allow(clippy::manual_non_exhaustive)]
pub struct PracticeScope {
    /// The administrator.
    pub admin: User,
    /// Their practice (the one in the path).
    pub practice: Practice,
    _proof: (),
}

impl FromRequestParts<AppState> for PracticeScope {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let admin = AdminScope::from_request_parts(parts, state).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let wanted = params.get("id").ok_or(AppError::NotFound)?;
        let own = practices::of_user(&state.db, &admin.user.id).await?;
        match own {
            Some(practice) if &practice.id == wanted => Ok(PracticeScope {
                admin: admin.user,
                practice,
                _proof: (),
            }),
            own => {
                audit::record(
                    &state.db,
                    &admin.user.id,
                    &audit_key(wanted),
                    "refused_practice",
                    wanted,
                )
                .await?;
                Err(AppError::Refused(match own {
                    Some(_) => "You can only see your own practice; this attempt was recorded.".to_owned(),
                    None => "Your account does not belong to a practice yet: ask whoever runs this Rapport to add you (rapport practice add-member). This attempt was recorded.".to_owned(),
                }))
            }
        }
    }
}
