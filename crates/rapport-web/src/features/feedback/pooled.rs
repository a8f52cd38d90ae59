//! Pooled feedback for a therapist: what clients said when they ended, as counts only, from at
//! least five endings and moving in groups of five (the core's rule), including the reasons of
//! clients who have since deleted their accounts.

use rapport_core::feedback::{PooledEndings, pool_endings};
use rapport_core::matching::EndingReason;
use rapport_store::{audit, outcomes};

use crate::auth::TherapistScope;
use crate::error::AppError;
use crate::state::AppState;

/// The pooled reasons, if there are enough endings, and how many endings there are.
pub struct PooledView {
    /// The counts, from [`rapport_core::feedback::MIN_ENDINGS`] endings.
    pub pooled: Option<PooledEndings>,
    /// How many endings with a reason there are in all.
    pub total: usize,
}

fn reason(word: &str) -> EndingReason {
    EndingReason::parse(word).unwrap_or(EndingReason::Other)
}

/// The therapist's pooled feedback. Each client whose reason is among the counted ones gets an
/// entry in their audit log: their private reason was counted, anonymously, in this view.
pub async fn for_therapist(
    state: &AppState,
    therapist: &TherapistScope,
) -> Result<PooledView, AppError> {
    let live = outcomes::endings_for_therapist(&state.db, &therapist.user.id).await?;
    let kept = outcomes::pooled_endings(&state.db, &therapist.user.id).await?;
    let mut all: Vec<(i64, EndingReason, Option<&str>)> = live
        .iter()
        .map(|(client, word, at)| (*at, reason(word), Some(client.as_str())))
        .chain(kept.iter().map(|(word, at)| (*at, reason(word), None)))
        .collect();
    all.sort_by_key(|(at, _, _)| *at);
    let pairs: Vec<(i64, EndingReason)> = all.iter().map(|(at, r, _)| (*at, *r)).collect();
    let pooled = pool_endings(&pairs);
    if let Some(p) = &pooled {
        for (_, _, client) in all.iter().take(p.counted) {
            if let Some(client) = client {
                audit::record(
                    &state.db,
                    &therapist.user.id,
                    client,
                    "view_pooled",
                    "pooled ending reasons",
                )
                .await?;
            }
        }
    }
    Ok(PooledView {
        pooled,
        total: all.len(),
    })
}
