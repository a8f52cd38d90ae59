//! Demo directory for `rapport demo`: a few thousand generated listings around real cities, one
//! of them each demo therapist's own, so matching, the shortlist and the profile page can be
//! tried at once.

use rapport_core::matching::{Listing, generate};
use rapport_store::listings;
use rapport_store::users::User;

use super::service::write_directory;
use crate::error::AppError;
use crate::state::AppState;

/// How many listings the demo directory holds.
pub const DEMO_LISTINGS: usize = 3000;
/// The seed of the demo directory, so every demo shows the same therapists.
pub const DEMO_SEED: u64 = 42;

/// Loads the demo directory unless listings already exist, and links `therapist` to the first
/// open listing in `city` that nobody owns (renamed after them) unless they already have one.
/// Idempotent.
pub async fn seed(state: &AppState, therapist: &User, city: &str) -> Result<(), AppError> {
    if listings::all_rows(&state.db).await?.is_empty() {
        let directory = generate(DEMO_LISTINGS, DEMO_SEED);
        let db = state.db.clone();
        let copy = directory.clone();
        state
            .directory
            .update(&state.db, directory, async move {
                write_directory(&db, &copy).await
            })
            .await?;
    }
    if listings::by_user(&state.db, &therapist.id).await?.is_some() {
        return Ok(());
    }
    let owned: std::collections::HashSet<String> = listings::all(&state.db)
        .await?
        .into_iter()
        .filter(|r| r.user_id.is_some())
        .map(|r| r.id)
        .collect();
    let own: Option<Listing> = generate(DEMO_LISTINGS, DEMO_SEED).into_iter().find(|l| {
        l.accepting && !owned.contains(&l.id) && l.location.as_ref().is_some_and(|p| p.city == city)
    });
    let Some(mut own) = own else { return Ok(()) };
    own.name = therapist.display_name.clone();
    let text = serde_json::to_string(&own).map_err(|e| AppError::Internal(e.to_string()))?;
    let row = [(own.id.clone(), Some(therapist.id.clone()), text)];
    state
        .directory
        .update(&state.db, vec![own], async {
            listings::upsert_many(&state.db, &row)
                .await
                .map_err(AppError::from)
        })
        .await
}
