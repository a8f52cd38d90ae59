//! Deleting a client's account: their data goes, their data key is destroyed, and what was
//! pooled stays pooled.
//!
//! One transaction: first the anonymous parts that stay (each ending reason with its date, each
//! course's first and last scores, under fresh ids and with no link to the person), then the
//! wrapped data key, then the account, whose cascades remove every row that is only theirs. The
//! audit log is append-only and keeps its rows: they name accounts by id only, and the id no
//! longer leads anywhere.

use crate::{Db, Result, StoreError, new_id, with_tx};

const ENDINGS: &str = "SELECT r.therapist_user_id, s.ending_reason, s.ended_at FROM care_stages s JOIN relationships r ON r.id = s.relationship_id WHERE r.client_id = $1 AND r.therapist_user_id IS NOT NULL AND s.stage IN ('ending', 'ended') AND s.ending_reason IS NOT NULL AND s.ended_at IS NOT NULL";
const POOL_ENDING: &str =
    "INSERT INTO pooled_endings (id, therapist_id, reason, ended_at) VALUES ($1, $2, $3, $4)";
const POOL_COURSE: &str =
    "INSERT INTO pooled_courses (id, therapist_id, summary) VALUES ($1, $2, $3)";
const DESTROY_KEY: &str = "DELETE FROM user_keys WHERE user_id = $1";
const DELETE_CLIENT: &str = "DELETE FROM users WHERE id = $1 AND role = 'client'";

/// What a deletion did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    /// Ending reasons kept pooled.
    pub pooled_endings: usize,
    /// Course summaries kept pooled.
    pub pooled_courses: usize,
    /// Whether a data key was destroyed.
    pub key_destroyed: bool,
}

/// Deletes client `client_id`, keeping `courses` (therapist id, course summary JSON, as the web
/// layer summarised them) and every ending reason pooled. An account that is not a client's, or
/// no longer exists, is [`StoreError::NotFound`] and nothing changes.
pub async fn client(db: &Db, client_id: &str, courses: &[(String, String)]) -> Result<Erased> {
    let mut out = Erased::default();
    with_tx!(db, tx => {
        let endings: Vec<(String, String, i64)> = sqlx::query_as(ENDINGS).bind(client_id).fetch_all(&mut *tx).await?;
        for (therapist, reason, at) in &endings {
            sqlx::query(POOL_ENDING).bind(new_id()).bind(therapist).bind(reason).bind(at).execute(&mut *tx).await?;
        }
        for (therapist, summary) in courses {
            sqlx::query(POOL_COURSE).bind(new_id()).bind(therapist).bind(summary).execute(&mut *tx).await?;
        }
        out.pooled_endings = endings.len();
        out.pooled_courses = courses.len();
        out.key_destroyed = sqlx::query(DESTROY_KEY).bind(client_id).execute(&mut *tx).await?.rows_affected() == 1;
        if sqlx::query(DELETE_CLIENT).bind(client_id).execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
    });
    db.scrub_deleted().await?;
    Ok(out)
}
