//! The care lifecycle as stored: published weeks, appointments and waitlist offers, the
//! waitlist, relationship stages, referrals, calendar feed tokens and the e-mail outbox.
//!
//! Who gets a freed slot is a rule of the core, not of the store, yet it must be decided inside
//! the same write transaction that frees the slot (otherwise a booking could slip in between and
//! the waiting person would be offered a slot that is gone). Store functions that free slots
//! therefore take an [`Offerer`]: the web layer's adapter to the core rule, called inside the
//! transaction. Every e-mail a change causes is written to the outbox in that same transaction,
//! so a change is never made without its notice, nor a notice queued for a change rolled back.

use crate::crypto::Place;

/// Runs the waitlist step for one freed slot inside an open transaction `$tx`: asks the
/// offerer who is next, holds the slot for them and queues their e-mail. Evaluates to
/// `Option<OfferMade>`. A macro rather than a function because the body must be compiled once per
/// backend's transaction type (see `with_tx!`).
macro_rules! offer_next {
    ($tx:ident, $vault:expr, $offerer:expr, $freed:expr, $now:expr) => {{
        let freed: &$crate::care::Freed = $freed;
        let offerer: &dyn $crate::care::Offerer = $offerer;
        if freed.starts_at <= $now {
            None
        } else {
            let queue: Vec<$crate::care::Waiter> = sqlx::query_as($crate::care::QUEUE)
                .bind(&freed.therapist_id)
                .fetch_all(&mut *$tx)
                .await?;
            let (therapist_name, zone): (String, String) = sqlx::query_as($crate::care::SLOT_INFO)
                .bind(&freed.therapist_id)
                .fetch_one(&mut *$tx)
                .await?;
            let info = $crate::care::SlotInfo {
                therapist_name,
                therapist_zone: rapport_core::zone::Zone::stored(&zone),
            };
            let already: Vec<String> = sqlx::query_scalar($crate::care::ALREADY_OFFERED)
                .bind(&freed.therapist_id)
                .bind(freed.starts_at)
                .fetch_all(&mut *$tx)
                .await?;
            match offerer.pick(freed, &info, &queue, &already) {
                None => None,
                Some(waiter) => {
                    let offer = $crate::care::OfferMade {
                        appointment_id: $crate::new_id(),
                        therapist_id: freed.therapist_id.clone(),
                        client_id: waiter.client_id.clone(),
                        client_zone: rapport_core::zone::Zone::stored(&waiter.time_zone),
                        waitlist_id: waiter.id.clone(),
                        starts_at: freed.starts_at,
                        ends_at: freed.ends_at,
                        hold_expires_at: offerer.hold_until(),
                    };
                    sqlx::query($crate::care::HOLD)
                        .bind(&offer.appointment_id)
                        .bind(&offer.therapist_id)
                        .bind(&offer.client_id)
                        .bind(offer.starts_at)
                        .bind(offer.ends_at)
                        .bind(&offer.waitlist_id)
                        .bind(offer.hold_expires_at)
                        .bind($now)
                        .execute(&mut *$tx)
                        .await?;
                    let mail = offerer.mail(&offer, &info);
                    enqueue!($tx, $vault, &mail, $now, Some(&offer.therapist_id));
                    Some(offer)
                }
            }
        }
    }};
}

/// Writes one e-mail to the outbox inside an open transaction `$tx`, its body sealed, filed
/// under the practice of the therapist it is about (`$about`; without it, the recipient's own).
macro_rules! enqueue {
    ($tx:ident, $vault:expr, $mail:expr, $now:expr) => {
        enqueue!($tx, $vault, $mail, $now, None::<&String>)
    };
    ($tx:ident, $vault:expr, $mail:expr, $now:expr, $about:expr) => {{
        let mail: &$crate::care::Mail = $mail;
        let id = $crate::new_id();
        let sealed = $vault.seal($crate::care::outbox::place(&id), &mail.body);
        sqlx::query($crate::care::outbox::INSERT_ABOUT)
            .bind(&id)
            .bind(&mail.user_id)
            .bind(&mail.kind)
            .bind(&mail.subject)
            .bind(sealed)
            .bind($now)
            .bind($about)
            .execute(&mut *$tx)
            .await?;
    }};
}

pub mod appointments;
pub mod endings;
pub mod feeds;
pub mod offers;
pub mod outbox;
pub mod schedule;

/// A person waiting for a therapist (on theirs or their practice's waitlist), as the offer rule
/// sees them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Waiter {
    /// The waitlist entry.
    pub id: String,
    /// Who is waiting.
    pub client_id: String,
    /// Weekday digits they can make (0 = Monday), empty for any day.
    pub days: String,
    /// When they joined (the queue order).
    pub created_at: i64,
    /// Their time zone (the offer e-mail speaks their clock).
    pub time_zone: String,
}

/// A slot that has just become free.
#[derive(Clone, Debug)]
pub struct Freed {
    /// Whose slot.
    pub therapist_id: String,
    /// Start, Unix ms.
    pub starts_at: i64,
    /// End, Unix ms.
    pub ends_at: i64,
}

/// What the offer rule and its e-mail need to know about the therapist of a freed slot.
#[derive(Clone, Debug)]
pub struct SlotInfo {
    /// The therapist's display name.
    pub therapist_name: String,
    /// Their time zone: the waitlist's weekdays are days of their week.
    pub therapist_zone: rapport_core::zone::Zone,
}

/// A slot held for a waiting client.
#[derive(Clone, Debug)]
pub struct OfferMade {
    /// The held appointment (also the offer's id).
    pub appointment_id: String,
    /// Whose slot.
    pub therapist_id: String,
    /// Who is offered it.
    pub client_id: String,
    /// Their time zone.
    pub client_zone: rapport_core::zone::Zone,
    /// Their waitlist entry.
    pub waitlist_id: String,
    /// Start, Unix ms.
    pub starts_at: i64,
    /// End, Unix ms.
    pub ends_at: i64,
    /// When the hold ends and the slot moves on.
    pub hold_expires_at: i64,
}

/// An e-mail to queue: to an account (the address is read when it is sent).
#[derive(Clone, Debug)]
pub struct Mail {
    /// The recipient's account.
    pub user_id: String,
    /// What it is about (`waitlist_offer`, `ending`, …), for the admin's outbox page.
    pub kind: String,
    /// Subject line: never client free text.
    pub subject: String,
    /// Plain-text body (sealed at rest).
    pub body: String,
}

/// The rule for freed slots, supplied by the caller and consulted inside the transaction.
pub trait Offerer: Send + Sync {
    /// The waiting person `freed` goes to, given the queue (oldest first) and the waitlist entries
    /// already offered this very slot; `None` leaves the slot free for anyone to book.
    fn pick<'a>(
        &self,
        freed: &Freed,
        info: &SlotInfo,
        queue: &'a [Waiter],
        already: &[String],
    ) -> Option<&'a Waiter>;
    /// When a hold made now ends.
    fn hold_until(&self) -> i64;
    /// The e-mail telling the person about the offer.
    fn mail(&self, offer: &OfferMade, info: &SlotInfo) -> Mail;
}

/// Everyone waiting for this therapist: on their own waitlist, or on the waitlist of the practice
/// they belong to (any of its therapists); one queue, oldest first.
const QUEUE: &str = "SELECT w.id, w.client_id, w.days, w.created_at, u.time_zone FROM waitlist w JOIN users u ON u.id = w.client_id WHERE w.status = 'waiting' AND (w.therapist_id = $1 OR w.practice_id IN (SELECT practice_id FROM practice_members WHERE user_id = $1)) ORDER BY w.created_at, w.id";
/// Entries of people already offered this slot or holding another open offer from this
/// therapist (whichever of their entries it came through), and entries holding an open offer from
/// anyone (a practice entry, from another therapist of the practice): one offer at a time per
/// person, so other freed slots reach other people (or stay free for anyone to book).
const ALREADY_OFFERED: &str = "SELECT w.id FROM waitlist w WHERE w.status = 'waiting' AND EXISTS (SELECT 1 FROM appointments a WHERE a.waitlist_id IS NOT NULL AND a.client_id = w.client_id AND ((a.therapist_id = $1 AND (a.starts_at = $2 OR a.status = 'held')) OR (a.waitlist_id = w.id AND a.status = 'held')))";
const SLOT_INFO: &str = "SELECT display_name, time_zone FROM users WHERE id = $1";
const HOLD: &str = "INSERT INTO appointments (id, therapist_id, client_id, kind, starts_at, ends_at, status, waitlist_id, hold_expires_at, created_at) VALUES ($1, $2, $3, 'session', $4, $5, 'held', $6, $7, $8)";

/// Where a sealed value of this module lives.
pub(crate) fn place<'a>(table: &'a str, column: &'a str, row: &'a str) -> Place<'a> {
    Place { table, column, row }
}
