//! Alerts for therapists, and their e-mail.
//!
//! The rule that a private relationship, or one its therapist has not accepted, never raises an
//! alert is kept here, in the `INSERT` itself: a row is only written when the relationship is
//! accepted ([`crate::relationships::ACCEPTED`]) and shared (and, for a measure, its
//! measures are shared too) at that moment. The e-mail telling the therapist is queued in the
//! outbox in the same transaction, so an alert never exists without its notice or the reverse.
//! Reads name the therapist and re-check acceptance and sharing, so taking sharing back hides old
//! alerts.

use serde::Serialize;

use crate::care::Mail;
use crate::care::outbox;
use crate::crypto::Place;
use crate::{Db, Result, Vault, new_id, now_ms, with_pool, with_tx, with_write};

/// An alert to record.
#[derive(Clone, Debug)]
pub struct NewAlert {
    /// `rupture`, `speak_up`, `reconsider`, `srs_low`, `srs_drop` or `crisis`.
    pub kind: String,
    /// Whether the evidence is a measure (needs measure sharing) rather than a check-in.
    pub measure: bool,
    /// The check-in session it is about.
    pub session: Option<i64>,
    /// The stored measure it is about.
    pub response_id: Option<String>,
    /// Words with numbers only (never client free text).
    pub detail: String,
}

/// A stored alert as its therapist sees it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Alert {
    /// Id.
    pub id: String,
    /// The relationship (the evidence page's key).
    pub relationship_id: String,
    /// The client this is about, for the audit entry of the view.
    #[serde(skip)]
    pub client_id: String,
    /// The client's display name.
    pub client_name: String,
    /// What it is about.
    pub kind: String,
    /// The check-in session, for alliance alerts.
    pub session: Option<i64>,
    /// The stored measure, for measure alerts.
    pub response_id: Option<String>,
    /// What happened, in words.
    pub detail: String,
    /// When, Unix ms.
    pub created_at: i64,
    /// When the therapist marked it seen.
    pub seen_at: Option<i64>,
    /// 1 once its e-mail was queued.
    pub emailed: i64,
    /// When the therapist acknowledged it, with a note of what they did.
    pub acknowledged_at: Option<i64>,
    /// The acknowledgement's note, sealed as stored (opened into [`Alert::ack_note`]).
    #[serde(skip)]
    #[sqlx(rename = "ack_note")]
    ack_sealed: Option<Vec<u8>>,
    /// The acknowledgement's note, opened.
    #[sqlx(skip)]
    pub ack_note: Option<String>,
}

impl Alert {
    /// Whether this is a safety alert (PHQ-9 item 9), which comes before every other alert.
    pub fn is_safety(&self) -> bool {
        self.kind == "crisis"
    }
}

/// Where an acknowledgement's note is sealed.
fn ack_place(row: &str) -> Place<'_> {
    Place {
        table: "alerts",
        column: "ack_note",
        row,
    }
}

/// Opens the sealed acknowledgement notes of `list`.
fn opened(vault: &Vault, mut list: Vec<Alert>) -> Result<Vec<Alert>> {
    for a in &mut list {
        if let Some(sealed) = a.ack_sealed.take() {
            a.ack_note = Some(vault.open(ack_place(&a.id), &sealed)?);
        }
    }
    Ok(list)
}

const INSERT: &str = concat!(
    "INSERT INTO alerts (id, therapist_id, relationship_id, kind, session, response_id, detail, created_at, emailed) SELECT $1, r.therapist_user_id, r.id, $2, $3, $4, $5, $6, $7 FROM relationships r WHERE r.id = $8 AND r.therapist_user_id IS NOT NULL AND ",
    accepted_sql!(),
    " AND r.sharing <> 'private' AND (r.share_outcomes = 1 OR $9 = 0)"
);
const THERAPIST_OF: &str = concat!(
    "SELECT r.therapist_user_id FROM relationships r WHERE r.id = $1 AND r.therapist_user_id IS NOT NULL AND ",
    accepted_sql!(),
    " AND r.sharing <> 'private'"
);
const VISIBLE: &str = concat!(
    "SELECT a.id, a.relationship_id, r.client_id, u.display_name AS client_name, a.kind, a.session, a.response_id, a.detail, a.created_at, a.seen_at, a.emailed, a.acknowledged_at, a.ack_note FROM alerts a JOIN relationships r ON r.id = a.relationship_id JOIN users u ON u.id = r.client_id WHERE a.therapist_id = $1 AND r.therapist_user_id = $1 AND ",
    accepted_sql!(),
    " AND r.sharing <> 'private' AND (r.share_outcomes = 1 OR a.kind NOT IN ('srs_low', 'srs_drop', 'crisis'))"
);
const ACKNOWLEDGE: &str = "UPDATE alerts SET acknowledged_at = $1, ack_note = $2, seen_at = COALESCE(seen_at, $1) WHERE id = $3 AND therapist_id = $4 AND acknowledged_at IS NULL";
const SEEN: &str =
    "UPDATE alerts SET seen_at = $1 WHERE id = $2 AND therapist_id = $3 AND seen_at IS NULL";
const MEASURE_RELATIONSHIPS: &str = concat!(
    "SELECT r.id FROM relationships r WHERE r.client_id = $1 AND r.therapist_user_id IS NOT NULL AND ",
    accepted_sql!(),
    " AND r.sharing <> 'private' AND r.share_outcomes = 1 AND NOT EXISTS (SELECT 1 FROM care_stages s WHERE s.relationship_id = r.id AND s.stage = 'ended') ORDER BY r.created_at, r.id"
);

/// Records `alerts` on one relationship, each only if the relationship shares what it is about,
/// and queues `mail` (built for the relationship's therapist by `mail_for`) when any was stored.
/// Returns the ids stored; empty for a private relationship.
pub async fn record(
    db: &Db,
    vault: &Vault,
    relationship_id: &str,
    alerts: &[NewAlert],
    mail_for: impl FnOnce(&str, usize) -> Mail,
) -> Result<Vec<String>> {
    record_at(db, vault, relationship_id, alerts, now_ms(), mail_for).await
}

/// [`record`] as raised at `now` (Unix ms): an alert carries the time of the check-in or measure
/// that raised it, which for the demo's history lies in the past.
pub async fn record_at(
    db: &Db,
    vault: &Vault,
    relationship_id: &str,
    alerts: &[NewAlert],
    now: i64,
    mail_for: impl FnOnce(&str, usize) -> Mail,
) -> Result<Vec<String>> {
    if alerts.is_empty() {
        return Ok(Vec::new());
    }
    let therapist: Option<Option<String>> = with_pool!(db, pool => sqlx::query_scalar(THERAPIST_OF).bind(relationship_id).fetch_optional(pool).await)?;
    let Some(Some(therapist)) = therapist else {
        return Ok(Vec::new());
    };
    let mail = mail_for(&therapist, alerts.len());
    let stored = with_tx!(db, tx => {
        let mut stored = Vec::new();
        for a in alerts {
            let id = new_id();
            let n = sqlx::query(INSERT).bind(&id).bind(&a.kind).bind(a.session).bind(&a.response_id).bind(&a.detail).bind(now).bind(1_i64).bind(relationship_id).bind(i64::from(a.measure)).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                stored.push(id);
            }
        }
        if !stored.is_empty() {
            let mail_id = new_id();
            let sealed = vault.seal(outbox::place(&mail_id), &mail.body);
            sqlx::query(outbox::INSERT).bind(&mail_id).bind(&therapist).bind(&mail.kind).bind(&mail.subject).bind(sealed).bind(now).execute(&mut *tx).await?;
        }
        stored
    });
    Ok(stored)
}

/// The client's relationships that share measures with a therapist and have not ended: where a
/// new measure's alerts go.
pub async fn measure_relationships(db: &Db, client_id: &str) -> Result<Vec<String>> {
    Ok(
        with_pool!(db, pool => sqlx::query_scalar(MEASURE_RELATIONSHIPS).bind(client_id).fetch_all(pool).await)?,
    )
}

/// The therapist's alerts on relationships still shared with them: safety alerts not yet
/// acknowledged first, then the rest newest first (alerts raised together in the order they were
/// raised).
pub async fn for_therapist(db: &Db, vault: &Vault, therapist_id: &str) -> Result<Vec<Alert>> {
    let sql = format!(
        "{VISIBLE} ORDER BY CASE WHEN a.kind = 'crisis' AND a.acknowledged_at IS NULL THEN 0 ELSE 1 END, a.created_at DESC, a.id"
    );
    let list =
        with_pool!(db, pool => sqlx::query_as(&sql).bind(therapist_id).fetch_all(pool).await)?;
    opened(vault, list)
}

/// One of the therapist's visible alerts.
pub async fn get_for_therapist(
    db: &Db,
    vault: &Vault,
    therapist_id: &str,
    id: &str,
) -> Result<Option<Alert>> {
    let sql = format!("{VISIBLE} AND a.id = $2");
    let one: Option<Alert> = with_pool!(db, pool => sqlx::query_as(&sql).bind(therapist_id).bind(id).fetch_optional(pool).await)?;
    Ok(opened(vault, one.into_iter().collect())?.pop())
}

/// The therapist's relationships with a safety alert not yet acknowledged (the caseload flags
/// them), among those still shared with them.
pub async fn open_safety(db: &Db, therapist_id: &str) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT DISTINCT sub.relationship_id FROM ({VISIBLE} AND a.kind = 'crisis' AND a.acknowledged_at IS NULL) sub"
    );
    Ok(with_pool!(db, pool => sqlx::query_scalar(&sql).bind(therapist_id).fetch_all(pool).await)?)
}

/// Acknowledges one of the therapist's alerts with a note of what they did: the note sealed,
/// the alert marked seen, and an `acknowledge_alert` entry in the client's audit log, all in one
/// transaction. False when it is not theirs or was already acknowledged.
pub async fn acknowledge(
    db: &Db,
    vault: &Vault,
    therapist_id: &str,
    alert: &Alert,
    note: &str,
    now: i64,
) -> Result<bool> {
    let sealed = vault.seal(ack_place(&alert.id), note);
    let done = with_tx!(db, tx => {
        let n = sqlx::query(ACKNOWLEDGE).bind(now).bind(sealed).bind(&alert.id).bind(therapist_id).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            sqlx::query(crate::audit::INSERT).bind(new_id()).bind(now).bind(therapist_id).bind(&alert.client_id).bind("acknowledge_alert").bind(&alert.relationship_id).execute(&mut *tx).await?;
        }
        n == 1
    });
    Ok(done)
}

/// Marks one of the therapist's alerts seen; false when it was not theirs or already seen.
pub async fn mark_seen(db: &Db, therapist_id: &str, id: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(SEEN).bind(now_ms()).bind(id).bind(therapist_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
