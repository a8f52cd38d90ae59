//! The e-mail outbox: every message Rapport wants to send waits here (sealed) until a worker
//! delivers it, so a mail server that is down loses nothing.
//!
//! Two workers never send one message: a worker first *leases* due rows in one conditional
//! `UPDATE` (only rows whose lease is free or lapsed), sends, and then marks each row sent only
//! if it still holds the lease. The lease is longer than a send may take, so while a worker is
//! alive nobody else touches its rows; if it dies, the lease lapses and the row is sent later.
//! (The one unavoidable window, a crash after the server accepted a message and before it was
//! marked, is narrowed further by the `Message-ID`, which is the row id, so a receiving server can
//! drop the repeat.)
//!
//! Each row is filed under a practice when it is queued: the practice of the therapist it is
//! about, or of its recipient when they are staff. A practice's administrators read only rows
//! filed under it ([`SCOPE`], in every read made for them); mail about a therapist outside any
//! practice is filed under none and no administrator reads it (its recipient does, and the
//! database's owner from the command line).

use serde::Serialize;

use super::Mail;
use crate::crypto::Place;
use crate::{Db, Result, Vault, new_id, now_ms, with_pool, with_tx, with_write};

/// Queues a message filed under the practice of its recipient (mail to a therapist about their
/// own work).
pub(crate) const INSERT: &str = "INSERT INTO outbox (id, user_id, kind, subject, body, status, attempts, next_attempt_at, created_at, practice_id) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $6, (SELECT practice_id FROM practice_members WHERE user_id = $2))";
/// Queues a message filed under the practice of the account `$7` it is about (the recipient's
/// when `$7` is null).
pub(crate) const INSERT_ABOUT: &str = "INSERT INTO outbox (id, user_id, kind, subject, body, status, attempts, next_attempt_at, created_at, practice_id) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $6, (SELECT practice_id FROM practice_members WHERE user_id = COALESCE($7, $2)))";
/// The one condition under which a practice's administrator reads an outbox row `o`: it is filed
/// under their practice, bound as `$1`. A macro yielding a literal so every read takes it in with
/// `concat!`.
macro_rules! scope_sql {
    () => {
        "o.practice_id = $1"
    };
}
/// [`scope_sql!`] as a value, for readers of the rule.
pub const SCOPE: &str = scope_sql!();
const LEASE: &str = "UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_attempt_at, id LIMIT $4) AND status = 'queued' AND (lease_until IS NULL OR lease_until < $3)";
const LEASED: &str = "SELECT o.id, u.email, o.kind, o.subject, o.body, o.attempts FROM outbox o JOIN users u ON u.id = o.user_id WHERE o.lease_owner = $1 AND o.lease_until = $2 AND o.status = 'queued' ORDER BY o.next_attempt_at, o.id";
const SENT: &str = "UPDATE outbox SET status = 'sent', sent_at = $1, lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE id = $2 AND lease_owner = $3 AND status = 'queued'";
const RETRY: &str = "UPDATE outbox SET next_attempt_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4 AND status = 'queued'";
const FAILED: &str = "UPDATE outbox SET status = 'failed', last_error = $1, lease_owner = NULL, lease_until = NULL WHERE id = $2 AND lease_owner = $3 AND status = 'queued'";
const LIST: &str = concat!(
    "SELECT o.id, u.display_name AS recipient, o.kind, o.subject, o.status, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.sent_at FROM outbox o JOIN users u ON u.id = o.user_id WHERE ",
    scope_sql!(),
    " ORDER BY o.created_at DESC, o.id DESC LIMIT $2"
);
const FOR_USER: &str = "SELECT id, kind, subject, body, status, created_at FROM outbox WHERE user_id = $1 ORDER BY created_at, id";

pub(crate) fn place(row: &str) -> Place<'_> {
    super::place("outbox", "body", row)
}

/// Queues one e-mail on its own (changes that cause mail queue it in their own transaction).
pub async fn enqueue(db: &Db, vault: &Vault, mail: &Mail) -> Result<String> {
    let id = new_id();
    let sealed = vault.seal(place(&id), &mail.body);
    let now = now_ms();
    with_write!(db, pool => sqlx::query(INSERT).bind(&id).bind(&mail.user_id).bind(&mail.kind).bind(&mail.subject).bind(sealed).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// A leased message, opened, ready to send.
#[derive(Clone, Debug)]
pub struct Leased {
    /// The outbox row (also the `Message-ID`).
    pub id: String,
    /// The recipient's address.
    pub to: String,
    /// What it is about.
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

#[derive(sqlx::FromRow)]
struct LeasedRow {
    id: String,
    email: String,
    kind: String,
    subject: String,
    body: Vec<u8>,
    attempts: i64,
}

/// Leases up to `limit` due messages for `owner` until `now + lease_ms` and returns them.
pub async fn lease(
    db: &Db,
    vault: &Vault,
    owner: &str,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Leased>> {
    let until = now + lease_ms;
    let rows: Vec<LeasedRow> = with_tx!(db, tx => {
        sqlx::query(LEASE).bind(owner).bind(until).bind(now).bind(limit).execute(&mut *tx).await?;
        sqlx::query_as(LEASED).bind(owner).bind(until).fetch_all(&mut *tx).await?
    });
    rows.into_iter()
        .map(|r| {
            Ok(Leased {
                body: vault.open(place(&r.id), &r.body)?,
                id: r.id,
                to: r.email,
                kind: r.kind,
                subject: r.subject,
                attempts: r.attempts,
            })
        })
        .collect()
}

/// Marks a leased message sent; false when the lease was lost (someone else owns it now).
pub async fn mark_sent(db: &Db, id: &str, owner: &str, now: i64) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(SENT).bind(now).bind(id).bind(owner).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Puts a leased message back in the queue to try again at `next_attempt_at`.
pub async fn retry_later(
    db: &Db,
    id: &str,
    owner: &str,
    next_attempt_at: i64,
    error: &str,
) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(RETRY).bind(next_attempt_at).bind(error).bind(id).bind(owner).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Gives up on a message the server refused for good (it stays listed for the admin).
pub async fn mark_failed(db: &Db, id: &str, owner: &str, error: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(FAILED).bind(error).bind(id).bind(owner).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A row of the admin's outbox page: never the body, which is the recipient's business.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct OutboxEntry {
    /// Id.
    pub id: String,
    /// The recipient's display name.
    pub recipient: String,
    /// What it is about.
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When the next attempt is due, Unix ms.
    pub next_attempt_at: i64,
    /// The last delivery error, if any.
    pub last_error: Option<String>,
    /// Queued at, Unix ms.
    pub created_at: i64,
    /// Sent at, Unix ms.
    pub sent_at: Option<i64>,
}

/// The newest `limit` messages filed under `practice_id`, newest first: what that practice's
/// administrators see (see [`SCOPE`]).
pub async fn list(db: &Db, practice_id: &str, limit: i64) -> Result<Vec<OutboxEntry>> {
    Ok(
        with_pool!(db, pool => sqlx::query_as(LIST).bind(practice_id).bind(limit).fetch_all(pool).await)?,
    )
}

/// A message to one account, opened (for that person's own eyes, and for tests).
#[derive(Clone, Debug, Serialize)]
pub struct OwnMail {
    /// Id.
    pub id: String,
    /// What it is about.
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// Body.
    pub body: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    /// Queued at, Unix ms.
    pub created_at: i64,
}

/// Every message queued for `user_id`, oldest first.
pub async fn for_user(db: &Db, vault: &Vault, user_id: &str) -> Result<Vec<OwnMail>> {
    let rows: Vec<(String, String, String, Vec<u8>, String, i64)> =
        with_pool!(db, pool => sqlx::query_as(FOR_USER).bind(user_id).fetch_all(pool).await)?;
    rows.into_iter()
        .map(|(id, kind, subject, body, status, created_at)| {
            Ok(OwnMail {
                body: vault.open(place(&id), &body)?,
                id,
                kind,
                subject,
                status,
                created_at,
            })
        })
        .collect()
}
