//! Appointments: booking (all occurrences or none), cancelling with a message, marking a missed
//! one, and the reminders that follow the clock.
//!
//! No double booking: the partial unique index `appointments_one_per_slot` allows one held or
//! booked row per therapist and start time. Concurrent bookings of one slot all try to insert;
//! the database lets exactly one through and the others get [`StoreError::Conflict`], on SQLite
//! (writers queue on `BEGIN IMMEDIATE`) and on PostgreSQL (the index waits for the first
//! transaction, then refuses) alike.
//!
//! No calendar filled by one person: a booking first locks its client's account row, then counts
//! that client's open appointments with the therapist and asks the caller's rule (the core's
//! `care::caps`), all in its own transaction. A second booking by the same client waits for the
//! first to commit and then counts it, on both databases.

use rapport_core::zone::Zone;
use serde::Serialize;

use super::{Freed, Mail, OfferMade, Offerer, place};
use crate::crypto::Place;
use crate::{Db, Result, StoreError, Vault, new_id, with_pool, with_tx};

/// An appointment (or a held waitlist offer), with both names.
#[derive(Clone, Debug, Serialize)]
pub struct Appointment {
    /// Id.
    pub id: String,
    /// The therapist's account.
    pub therapist_id: String,
    /// The client's account.
    pub client_id: String,
    /// The therapist's display name.
    pub therapist_name: String,
    /// The client's display name.
    pub client_name: String,
    /// `consultation`, `session` or `closing`.
    pub kind: String,
    /// Start, Unix ms.
    pub starts_at: i64,
    /// End, Unix ms.
    pub ends_at: i64,
    /// `held`, `booked`, `cancelled`, `lapsed` or `missed`.
    pub status: String,
    /// The weekly booking it belongs to, if any.
    pub series_id: Option<String>,
    /// Set on waitlist offers: the entry it was offered to.
    pub waitlist_id: Option<String>,
    /// Set on waitlist offers: when the hold ends.
    pub hold_expires_at: Option<i64>,
    /// `client` or `therapist`, when cancelled.
    pub cancelled_by: Option<String>,
    /// When cancelled, Unix ms.
    pub cancelled_at: Option<i64>,
    /// The message sent with the cancellation.
    pub cancel_message: Option<String>,
    /// Cancelled with less notice than the therapist's policy asks.
    pub late_cancel: bool,
    /// Bumped on every change (the calendar's `SEQUENCE`).
    pub sequence: i64,
    /// Created at, Unix ms.
    pub created_at: i64,
}

impl Appointment {
    /// Whether it is booked: neither a hold waiting for an answer nor cancelled, lapsed or
    /// missed. The one place new code asks; the status itself becomes an enum with issue 16.
    pub fn is_booked(&self) -> bool {
        self.status == "booked"
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    therapist_id: String,
    client_id: String,
    therapist_name: String,
    client_name: String,
    kind: String,
    starts_at: i64,
    ends_at: i64,
    status: String,
    series_id: Option<String>,
    waitlist_id: Option<String>,
    hold_expires_at: Option<i64>,
    cancelled_by: Option<String>,
    cancelled_at: Option<i64>,
    cancel_message: Option<Vec<u8>>,
    late_cancel: i64,
    sequence: i64,
    created_at: i64,
}

impl Row {
    fn open(self, vault: &Vault) -> Result<Appointment> {
        let cancel_message = match &self.cancel_message {
            Some(sealed) => Some(vault.open(message_place(&self.id), sealed)?),
            None => None,
        };
        Ok(Appointment {
            id: self.id,
            therapist_id: self.therapist_id,
            client_id: self.client_id,
            therapist_name: self.therapist_name,
            client_name: self.client_name,
            kind: self.kind,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            status: self.status,
            series_id: self.series_id,
            waitlist_id: self.waitlist_id,
            hold_expires_at: self.hold_expires_at,
            cancelled_by: self.cancelled_by,
            cancelled_at: self.cancelled_at,
            cancel_message,
            late_cancel: self.late_cancel != 0,
            sequence: self.sequence,
            created_at: self.created_at,
        })
    }
}

fn message_place(row: &str) -> Place<'_> {
    place("appointments", "cancel_message", row)
}

const SELECT: &str = "SELECT a.id, a.therapist_id, a.client_id, t.display_name AS therapist_name, c.display_name AS client_name, a.kind, a.starts_at, a.ends_at, a.status, a.series_id, a.waitlist_id, a.hold_expires_at, a.cancelled_by, a.cancelled_at, a.cancel_message, a.late_cancel, a.sequence, a.created_at FROM appointments a JOIN users t ON t.id = a.therapist_id JOIN users c ON c.id = a.client_id";
const INSERT: &str = "INSERT INTO appointments (id, therapist_id, client_id, kind, starts_at, ends_at, status, series_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7, $8)";
/// A no-op write that holds the client's account row until the booking commits, so concurrent
/// bookings by one client count each other (PostgreSQL row lock; SQLite writers queue anyway).
const LOCK_CLIENT: &str = "UPDATE users SET data_version = data_version WHERE id = $1";
/// A client's open appointments with a therapist (held or booked, still to come), and whether
/// they have started: met (a consultation or session that took place and was not missed) or been
/// accepted by the therapist (the one acceptance rule, `relationships::ACCEPTED`).
const STANDING: &str = concat!(
    "SELECT (SELECT COUNT(*) FROM appointments WHERE client_id = $1 AND therapist_id = $2 AND status IN ('held', 'booked') AND starts_at > $3) AS open, CASE WHEN EXISTS (SELECT 1 FROM appointments WHERE client_id = $1 AND therapist_id = $2 AND kind IN ('consultation', 'session') AND status = 'booked' AND ends_at <= $3) OR EXISTS (SELECT 1 FROM relationships r WHERE r.client_id = $1 AND r.therapist_user_id = $2 AND ",
    accepted_sql!(),
    ") THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS started"
);
const TAKEN: &str = "SELECT starts_at FROM appointments WHERE therapist_id = $1 AND status IN ('held', 'booked') AND starts_at > $2 ORDER BY starts_at";
const CANCEL: &str = "UPDATE appointments SET status = 'cancelled', cancelled_by = $1, cancelled_at = $2, cancel_message = $3, late_cancel = $4, sequence = sequence + 1 WHERE id = $5 AND status = 'booked' AND starts_at > $2 AND (client_id = $6 OR therapist_id = $6)";
const MISSED: &str = "UPDATE appointments SET status = 'missed', followed_up_at = COALESCE(followed_up_at, $1), sequence = sequence + 1 WHERE id = $2 AND therapist_id = $3 AND status = 'booked' AND starts_at <= $1";
/// With the client's time zone, which the day-before reminder is written in.
const DUE_REMINDERS: &str = "SELECT a.id, u.time_zone FROM appointments a JOIN users u ON u.id = a.client_id WHERE a.status = 'booked' AND a.reminded_at IS NULL AND a.starts_at > $1 AND a.starts_at <= $2 ORDER BY a.starts_at LIMIT 100";
const CLAIM_REMINDER: &str =
    "UPDATE appointments SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL";
const DUE_FOLLOWUPS: &str = "SELECT a.id, u.time_zone FROM appointments a JOIN users u ON u.id = a.client_id WHERE a.status = 'booked' AND a.followed_up_at IS NULL AND a.ends_at <= $1 AND a.ends_at > $2 ORDER BY a.ends_at LIMIT 100";
const CLAIM_FOLLOWUP: &str =
    "UPDATE appointments SET followed_up_at = $1 WHERE id = $2 AND followed_up_at IS NULL";

/// `(client, therapist)` pairs with a booked intro consultation among the account's
/// appointments, on either side.
const CONSULTATION_PAIRS: &str = "SELECT DISTINCT client_id, therapist_id FROM appointments WHERE kind = 'consultation' AND status = 'booked' AND (client_id = $1 OR therapist_id = $1)";

/// Who holds a booked intro consultation with whom, among this account's appointments (as
/// client or as therapist): `(client, therapist)` pairs, one query, nothing decrypted.
pub async fn consultation_pairs(
    db: &Db,
    account_id: &str,
) -> Result<std::collections::HashSet<(String, String)>> {
    let rows: Vec<(String, String)> = with_pool!(db, pool => sqlx::query_as(CONSULTATION_PAIRS).bind(account_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().collect())
}

/// A booking to make: every start, all or none.
#[derive(Clone, Debug)]
pub struct NewBooking {
    /// The therapist.
    pub therapist_id: String,
    /// The client.
    pub client_id: String,
    /// `consultation`, `session` or `closing`.
    pub kind: String,
    /// `(start, end)` of each occurrence, Unix ms.
    pub times: Vec<(i64, i64)>,
}

/// Where a client stands with one therapist, as the booking rule sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Open appointments: held or booked, still to come.
    pub open: i64,
    /// Met (a consultation or session took place) or accepted by the therapist.
    pub started: bool,
}

/// What [`book`] did.
#[derive(Debug)]
pub enum Booked<E> {
    /// Every occurrence is booked: their ids.
    Done(Vec<String>),
    /// The caller's rule refused, given the client's standing; nothing was stored.
    Refused(E),
}

/// Books every occurrence in one transaction, after `admit` (the caller's cap rule) accepts the
/// client's [`Standing`] counted in that same transaction. A slot already held or booked (the
/// unique index says so, also under concurrent requests) makes the whole booking a
/// [`StoreError::Conflict`] carrying nothing stored. Queues `mails` with it.
pub async fn book<E>(
    db: &Db,
    vault: &Vault,
    booking: &NewBooking,
    now: i64,
    mails: &[Mail],
    admit: impl Fn(&Standing) -> std::result::Result<(), E>,
) -> Result<Booked<E>> {
    let ids: Vec<String> = booking.times.iter().map(|_| new_id()).collect();
    let series = (booking.times.len() > 1).then(new_id);
    let outcome = with_tx!(db, tx => {
        sqlx::query(LOCK_CLIENT).bind(&booking.client_id).execute(&mut *tx).await?;
        let (open, started): (i64, i64) = sqlx::query_as(STANDING).bind(&booking.client_id).bind(&booking.therapist_id).bind(now).fetch_one(&mut *tx).await?;
        match admit(&Standing { open, started: started == 1 }) {
            Err(refusal) => Booked::Refused(refusal),
            Ok(()) => {
                for (id, (start, end)) in ids.iter().zip(&booking.times) {
                    let done = sqlx::query(INSERT).bind(id).bind(&booking.therapist_id).bind(&booking.client_id).bind(&booking.kind).bind(start).bind(end).bind(&series).bind(now).execute(&mut *tx).await;
                    match done {
                        Ok(_) => {}
                        Err(e) => return Err(slot_taken(e)),
                    }
                }
                for mail in mails {
                    enqueue!(tx, vault, mail, now, Some(&booking.therapist_id));
                }
                Booked::Done(ids.clone())
            }
        }
    });
    Ok(outcome)
}

/// A client's standing with a therapist now (outside any booking: for choosing what an accepted
/// waitlist offer becomes).
pub async fn standing(db: &Db, client_id: &str, therapist_id: &str, now: i64) -> Result<Standing> {
    let (open, started): (i64, i64) = with_pool!(db, pool => sqlx::query_as(STANDING).bind(client_id).bind(therapist_id).bind(now).fetch_one(pool).await)?;
    Ok(Standing {
        open,
        started: started == 1,
    })
}

fn slot_taken(e: sqlx::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict("slot taken"),
        other => other,
    }
}

/// Start times already held or booked with this therapist after `now`.
pub async fn taken(db: &Db, therapist_id: &str, now: i64) -> Result<Vec<i64>> {
    Ok(
        with_pool!(db, pool => sqlx::query_scalar(TAKEN).bind(therapist_id).bind(now).fetch_all(pool).await)?,
    )
}

async fn query(
    db: &Db,
    vault: &Vault,
    sql: &str,
    a: &str,
    b: Option<&str>,
) -> Result<Vec<Appointment>> {
    let rows: Vec<Row> = with_pool!(db, pool => {
        let q = sqlx::query_as(sql).bind(a);
        let q = match b { Some(b) => q.bind(b), None => q };
        q.fetch_all(pool).await
    })?;
    rows.into_iter().map(|r| r.open(vault)).collect()
}

/// A client's appointments and offers, earliest first.
pub async fn for_client(db: &Db, vault: &Vault, client_id: &str) -> Result<Vec<Appointment>> {
    let sql = format!("{SELECT} WHERE a.client_id = $1 ORDER BY a.starts_at, a.id");
    query(db, vault, &sql, client_id, None).await
}

/// A therapist's appointments (held offers included), earliest first.
pub async fn for_therapist(db: &Db, vault: &Vault, therapist_id: &str) -> Result<Vec<Appointment>> {
    let sql = format!("{SELECT} WHERE a.therapist_id = $1 ORDER BY a.starts_at, a.id");
    query(db, vault, &sql, therapist_id, None).await
}

/// One appointment, only when `user_id` is its client or its therapist.
pub async fn get_for(
    db: &Db,
    vault: &Vault,
    id: &str,
    user_id: &str,
) -> Result<Option<Appointment>> {
    let sql = format!("{SELECT} WHERE a.id = $1 AND (a.client_id = $2 OR a.therapist_id = $2)");
    Ok(query(db, vault, &sql, id, Some(user_id))
        .await?
        .into_iter()
        .next())
}

/// One appointment by id, whoever's (for the worker's reminders).
pub async fn get(db: &Db, vault: &Vault, id: &str) -> Result<Option<Appointment>> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    Ok(query(db, vault, &sql, id, None).await?.into_iter().next())
}

/// A cancellation to make.
pub struct Cancellation<'a> {
    /// The appointment.
    pub id: &'a str,
    /// Who cancels: must be its client or its therapist.
    pub actor_id: &'a str,
    /// `client` or `therapist`.
    pub actor_role: &'a str,
    /// The message to the other side.
    pub message: &'a str,
    /// Less notice than the policy asks.
    pub late: bool,
}

/// Cancels a booked appointment that has not started, offers the freed slot to the waitlist and
/// queues `mail` (to the other side), all in one transaction. `Ok(None)` when nothing matched:
/// not theirs, not booked, or already started. Nothing changes then.
pub async fn cancel(
    db: &Db,
    vault: &Vault,
    c: &Cancellation<'_>,
    now: i64,
    offerer: &dyn Offerer,
    mail: impl FnOnce(&Appointment) -> Mail,
) -> Result<Option<(Appointment, Option<OfferMade>)>> {
    let Some(before) = get_for(db, vault, c.id, c.actor_id).await? else {
        return Ok(None);
    };
    let sealed = (!c.message.is_empty()).then(|| vault.seal(message_place(c.id), c.message));
    let outcome = with_tx!(db, tx => {
        let n = sqlx::query(CANCEL).bind(c.actor_role).bind(now).bind(&sealed).bind(i64::from(c.late)).bind(c.id).bind(c.actor_id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            None
        } else {
            let mut after = before.clone();
            after.status = "cancelled".into();
            after.cancelled_by = Some(c.actor_role.to_owned());
            after.cancelled_at = Some(now);
            after.cancel_message = (!c.message.is_empty()).then(|| c.message.to_owned());
            after.late_cancel = c.late;
            after.sequence += 1;
            let m = mail(&after);
            enqueue!(tx, vault, &m, now, Some(&after.therapist_id));
            let freed = Freed { therapist_id: after.therapist_id.clone(), starts_at: after.starts_at, ends_at: after.ends_at };
            let offer = offer_next!(tx, vault, offerer, &freed, now);
            Some((after, offer))
        }
    });
    Ok(outcome)
}

/// The therapist records that the client did not come (only once the start has passed) and the
/// client's gentle nudge is queued with it. False when nothing matched.
pub async fn mark_missed(
    db: &Db,
    vault: &Vault,
    id: &str,
    therapist_id: &str,
    now: i64,
    nudge: &Mail,
) -> Result<bool> {
    let done = with_tx!(db, tx => {
        let n = sqlx::query(MISSED).bind(now).bind(id).bind(therapist_id).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            enqueue!(tx, vault, nudge, now, Some(therapist_id));
        }
        n == 1
    });
    Ok(done)
}

/// Queues the reminder for each booked appointment starting within `(now, until]` that has not
/// had one, exactly once (the row is claimed in the same transaction as the mail is queued).
/// Returns how many were queued.
pub async fn queue_reminders(
    db: &Db,
    vault: &Vault,
    now: i64,
    until: i64,
    mail: impl Fn(&Appointment, &Zone) -> Vec<Mail>,
) -> Result<usize> {
    let ids: Vec<(String, String)> = with_pool!(db, pool => sqlx::query_as(DUE_REMINDERS).bind(now).bind(until).fetch_all(pool).await)?;
    claim_each(db, vault, &ids, CLAIM_REMINDER, now, mail).await
}

/// Queues the after-session check-in reminder for each booked appointment that ended within
/// `(since, now]` and has had none, exactly once. Returns how many were queued.
pub async fn queue_followups(
    db: &Db,
    vault: &Vault,
    now: i64,
    since: i64,
    mail: impl Fn(&Appointment, &Zone) -> Vec<Mail>,
) -> Result<usize> {
    let ids: Vec<(String, String)> = with_pool!(db, pool => sqlx::query_as(DUE_FOLLOWUPS).bind(now).bind(since).fetch_all(pool).await)?;
    claim_each(db, vault, &ids, CLAIM_FOLLOWUP, now, mail).await
}

async fn claim_each(
    db: &Db,
    vault: &Vault,
    ids: &[(String, String)],
    claim: &str,
    now: i64,
    mail: impl Fn(&Appointment, &Zone) -> Vec<Mail>,
) -> Result<usize> {
    let mut queued = 0;
    for (id, zone) in ids {
        let Some(a) = get(db, vault, id).await? else {
            continue;
        };
        let mails = mail(&a, &Zone::stored(zone));
        let claimed = with_tx!(db, tx => {
            let n = sqlx::query(claim).bind(now).bind(id).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                for m in &mails {
                    enqueue!(tx, vault, m, now, Some(&a.therapist_id));
                }
            }
            n == 1
        });
        queued += usize::from(claimed);
    }
    Ok(queued)
}
