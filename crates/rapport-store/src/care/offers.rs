//! The waitlist and its offers. An offer is an appointment row in status `held` for the waiting
//! client until `hold_expires_at`; the unique slot index counts it, so nobody else can book the
//! slot meanwhile, and accepting turns the same row into a booking (a conditional `UPDATE` that
//! also checks the hold has not expired), so two clients can never end up with one slot.

use serde::Serialize;

use super::{Freed, Mail, OfferMade, Offerer};
use crate::{Db, Result, StoreError, Vault, new_id, with_pool, with_tx, with_write};

const JOIN: &str = "INSERT INTO waitlist (id, therapist_id, client_id, days, status, created_at, updated_at) VALUES ($1, $2, $3, $4, 'waiting', $5, $5)";
const JOIN_PRACTICE: &str = "INSERT INTO waitlist (id, practice_id, client_id, days, status, created_at, updated_at) VALUES ($1, $2, $3, $4, 'waiting', $5, $5)";
const LEAVE: &str = "UPDATE waitlist SET status = 'left', updated_at = $1 WHERE id = $2 AND client_id = $3 AND status = 'waiting'";
const PLACED: &str = "UPDATE waitlist SET status = 'placed', updated_at = $1 WHERE id = $2";
const ENTRIES: &str = "SELECT w.id, w.therapist_id, t.display_name AS therapist_name, w.practice_id, p.name AS practice_name, w.client_id, c.display_name AS client_name, w.days, w.status, w.created_at FROM waitlist w LEFT JOIN users t ON t.id = w.therapist_id LEFT JOIN practices p ON p.id = w.practice_id JOIN users c ON c.id = w.client_id";
const ACCEPT: &str = "UPDATE appointments SET status = 'booked', kind = $1, sequence = sequence + 1 WHERE id = $2 AND client_id = $3 AND status = 'held' AND hold_expires_at > $4";
const OFFER_STATE: &str = "SELECT status, hold_expires_at, waitlist_id FROM appointments WHERE id = $1 AND client_id = $2 AND waitlist_id IS NOT NULL";
const DECLINE: &str = "UPDATE appointments SET status = 'lapsed', sequence = sequence + 1 WHERE id = $1 AND client_id = $2 AND status = 'held'";
const EXPIRED: &str = "SELECT id, therapist_id, starts_at, ends_at FROM appointments WHERE status = 'held' AND hold_expires_at <= $1 ORDER BY hold_expires_at, id LIMIT 100";
const LAPSE: &str = "UPDATE appointments SET status = 'lapsed', sequence = sequence + 1 WHERE id = $1 AND status = 'held' AND hold_expires_at <= $2";

/// A waitlist entry with the names of who waits and for whom: a therapist, or a practice (any of
/// its therapists); exactly one of the two is set.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Entry {
    /// Id.
    pub id: String,
    /// Whose waitlist, when it is a therapist's.
    pub therapist_id: Option<String>,
    /// The therapist's display name.
    pub therapist_name: Option<String>,
    /// Whose waitlist, when it is a practice's.
    pub practice_id: Option<String>,
    /// The practice's name.
    pub practice_name: Option<String>,
    /// Who waits.
    pub client_id: String,
    /// The client's display name.
    pub client_name: String,
    /// Weekday digits they can make (0 = Monday), empty for any day.
    pub days: String,
    /// `waiting`, `placed` or `left`.
    pub status: String,
    /// Joined at, Unix ms.
    pub created_at: i64,
}

/// Puts the client on the therapist's waitlist; a second join while waiting is a
/// [`StoreError::Conflict`].
pub async fn join(
    db: &Db,
    therapist_id: &str,
    client_id: &str,
    days: &str,
    now: i64,
) -> Result<String> {
    let id = new_id();
    with_write!(db, pool => sqlx::query(JOIN).bind(&id).bind(therapist_id).bind(client_id).bind(days).bind(now).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("already waiting"),
            other => other,
        })?;
    Ok(id)
}

/// Puts the client on a practice's waitlist (offered slots freed at any of its therapists); a
/// second join while waiting is a [`StoreError::Conflict`].
pub async fn join_practice(
    db: &Db,
    practice_id: &str,
    client_id: &str,
    days: &str,
    now: i64,
) -> Result<String> {
    let id = new_id();
    with_write!(db, pool => sqlx::query(JOIN_PRACTICE).bind(&id).bind(practice_id).bind(client_id).bind(days).bind(now).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("already waiting"),
            other => other,
        })?;
    Ok(id)
}

/// Takes the client off a waitlist; false when it was not theirs or they were not waiting.
pub async fn leave(db: &Db, id: &str, client_id: &str, now: i64) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(LEAVE).bind(now).bind(id).bind(client_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The client's waitlist entries that are still waiting, oldest first.
pub async fn waiting_for_client(db: &Db, client_id: &str) -> Result<Vec<Entry>> {
    let sql = format!(
        "{ENTRIES} WHERE w.client_id = $1 AND w.status = 'waiting' ORDER BY w.created_at, w.id"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(client_id).fetch_all(pool).await)?)
}

/// The therapist's waitlist in queue order.
pub async fn waiting_for_therapist(db: &Db, therapist_id: &str) -> Result<Vec<Entry>> {
    let sql = format!(
        "{ENTRIES} WHERE w.therapist_id = $1 AND w.status = 'waiting' ORDER BY w.created_at, w.id"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(therapist_id).fetch_all(pool).await)?)
}

/// What answering an offer did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Done.
    Done,
    /// There is no such offer for this client.
    NotFound,
    /// The hold ran out (or the offer was let go): the slot has moved on.
    Expired,
    /// It was already accepted.
    AlreadyBooked,
}

/// Accepts an offer while its hold lasts: the held row becomes a booking of `kind` and the
/// waitlist entry is marked placed, in one transaction; `mails` are queued with it.
pub async fn accept(
    db: &Db,
    vault: &Vault,
    id: &str,
    client_id: &str,
    kind: &str,
    now: i64,
    mails: &[Mail],
) -> Result<Answer> {
    let answer = with_tx!(db, tx => {
        let n = sqlx::query(ACCEPT).bind(kind).bind(id).bind(client_id).bind(now).execute(&mut *tx).await?.rows_affected();
        let state: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(OFFER_STATE).bind(id).bind(client_id).fetch_optional(&mut *tx).await?;
        match (n, state) {
            (1, Some((_, _, Some(wid)))) => {
                sqlx::query(PLACED).bind(now).bind(&wid).execute(&mut *tx).await?;
                for m in mails {
                    enqueue!(tx, vault, m, now);
                }
                Answer::Done
            }
            (_, None) => Answer::NotFound,
            (_, Some((status, _, _))) if status == "booked" => Answer::AlreadyBooked,
            _ => Answer::Expired,
        }
    });
    Ok(answer)
}

/// Lets an offer go: the hold lapses and the slot is offered to the next person at once.
pub async fn decline(
    db: &Db,
    vault: &Vault,
    id: &str,
    client_id: &str,
    now: i64,
    offerer: &dyn Offerer,
) -> Result<(Answer, Option<OfferMade>)> {
    let out = with_tx!(db, tx => {
        let slot: Option<(String, i64, i64)> = sqlx::query_as("SELECT therapist_id, starts_at, ends_at FROM appointments WHERE id = $1 AND client_id = $2 AND status = 'held'").bind(id).bind(client_id).fetch_optional(&mut *tx).await?;
        match slot {
            None => (Answer::NotFound, None),
            Some((therapist_id, starts_at, ends_at)) => {
                sqlx::query(DECLINE).bind(id).bind(client_id).execute(&mut *tx).await?;
                let freed = Freed { therapist_id, starts_at, ends_at };
                (Answer::Done, offer_next!(tx, vault, offerer, &freed, now))
            }
        }
    });
    Ok(out)
}

/// Lets every hold that has run out lapse and offers each slot to the next person in line.
/// Safe to run from several workers at once: a hold lapses only for the one whose conditional
/// `UPDATE` changed it, and only that one makes the next offer.
pub async fn advance(
    db: &Db,
    vault: &Vault,
    now: i64,
    offerer: &dyn Offerer,
) -> Result<Vec<OfferMade>> {
    let expired: Vec<(String, String, i64, i64)> =
        with_pool!(db, pool => sqlx::query_as(EXPIRED).bind(now).fetch_all(pool).await)?;
    let mut made = Vec::new();
    for (id, therapist_id, starts_at, ends_at) in expired {
        let offer = with_tx!(db, tx => {
            let n = sqlx::query(LAPSE).bind(&id).bind(now).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                let freed = Freed { therapist_id, starts_at, ends_at };
                offer_next!(tx, vault, offerer, &freed, now)
            } else {
                None
            }
        });
        made.extend(offer);
    }
    Ok(made)
}
