//! Deleting a client's account: their data goes, their data key is destroyed, and what was
//! pooled stays pooled.
//!
//! One transaction: first the anonymous parts that stay (each ending reason with its date, each
//! course's first and last scores, under fresh ids and with no link to the person), then the
//! wrapped data key, then the account, whose cascades remove every row that is only theirs. The
//! audit log is append-only and keeps its rows: they name accounts by id only, and the id no
//! longer leads anywhere.

use crate::{Db, Result, StoreError, new_id, with_tx};

const ENDINGS: &str = concat!(
    "SELECT r.therapist_user_id, s.ending_reason, s.ended_at FROM care_stages s JOIN relationships r ON r.id = s.relationship_id WHERE r.client_id = $1 AND r.therapist_user_id IS NOT NULL AND ",
    accepted_sql!(),
    " AND s.stage IN ('ending', 'ended') AND s.ending_reason IS NOT NULL AND s.ended_at IS NOT NULL"
);
const POOL_ENDING: &str =
    "INSERT INTO pooled_endings (id, therapist_id, reason, ended_at) VALUES ($1, $2, $3, $4)";
const POOL_COURSE: &str =
    "INSERT INTO pooled_courses (id, therapist_id, summary) VALUES ($1, $2, $3)";
const DESTROY_KEY: &str = "DELETE FROM user_keys WHERE user_id = $1";
const DELETE_CLIENT: &str = "DELETE FROM users WHERE id = $1 AND role = 'client'";
const UPCOMING_WITH_CLIENTS: &str = "SELECT COUNT(*) FROM appointments WHERE therapist_id = $1 AND status IN ('held', 'booked') AND starts_at > $2";
const DELETE_OWN_LISTING: &str = "DELETE FROM listings WHERE user_id = $1";
const DELETE_STAFF: &str = "DELETE FROM users WHERE id = $1 AND role IN ('therapist', 'admin')";

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

/// Why a therapist's or administrator's account was not deleted.
#[derive(Debug, PartialEq, Eq)]
pub enum StaffRefusal {
    /// Sessions with clients are still booked: they must be cancelled first, so each client is
    /// told and nobody is left waiting for a therapist who is gone.
    Upcoming(i64),
}

/// Deletes therapist or administrator `user_id` in one transaction: their own listing (their
/// name and bio leave the directory with them) and, through the schema's cascades, their
/// sessions, tokens, settings, hours, alerts and memberships. Their clients keep their own
/// relationships and check-ins, no longer linked to an account. Refused while sessions with
/// clients are booked; [`StoreError::NotFound`] for an account that is not staff.
pub async fn staff(
    db: &Db,
    user_id: &str,
    now: i64,
) -> Result<std::result::Result<(), StaffRefusal>> {
    let done = with_tx!(db, tx => {
        let upcoming: i64 = sqlx::query_scalar(UPCOMING_WITH_CLIENTS).bind(user_id).bind(now).fetch_one(&mut *tx).await?;
        if upcoming > 0 {
            Err(StaffRefusal::Upcoming(upcoming))
        } else {
            sqlx::query(DELETE_OWN_LISTING).bind(user_id).execute(&mut *tx).await?;
            if sqlx::query(DELETE_STAFF).bind(user_id).execute(&mut *tx).await?.rows_affected() != 1 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        }
    });
    if done.is_ok() {
        db.scrub_deleted().await?;
    }
    Ok(done)
}
