//! Relationship stages, ending a relationship, and referrals.
//!
//! Ending is one transaction: the stage, the message to the therapist, the cancelled future
//! appointments (each freed slot offered to the waitlist), the referral request and every e-mail
//! these cause are stored together or not at all. The client's private reason is stored with the
//! stage for the client's own record; no query made for a therapist selects it.

use serde::Serialize;

use super::{Freed, Mail, OfferMade, Offerer, place};
use crate::{Db, Result, StoreError, Vault, new_id, with_pool, with_tx, with_write};

const STAGE: &str = "SELECT stage, ended_by, ended_at, ending_reason, closing_requested FROM care_stages WHERE relationship_id = $1";
const SET_STAGE: &str = "INSERT INTO care_stages (relationship_id, stage, closing_requested, updated_at) VALUES ($1, $2, 0, $3) ON CONFLICT (relationship_id) DO UPDATE SET stage = excluded.stage, updated_at = excluded.updated_at WHERE care_stages.stage NOT IN ('ending', 'ended')";
const END: &str = "INSERT INTO care_stages (relationship_id, stage, ended_by, ended_at, ending_reason, closing_requested, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $4) ON CONFLICT (relationship_id) DO UPDATE SET stage = excluded.stage, ended_by = excluded.ended_by, ended_at = excluded.ended_at, ending_reason = excluded.ending_reason, closing_requested = excluded.closing_requested, updated_at = excluded.updated_at WHERE care_stages.stage NOT IN ('ending', 'ended')";
const MESSAGE: &str = "INSERT INTO messages (id, relationship_id, sender_id, kind, body, created_at) VALUES ($1, $2, $3, 'ending', $4, $5)";
const FUTURE: &str = "SELECT id, status, starts_at, ends_at FROM appointments WHERE therapist_id = $1 AND client_id = $2 AND status IN ('held', 'booked') AND starts_at > $3 ORDER BY starts_at, id";
const MAKE_CLOSING: &str =
    "UPDATE appointments SET kind = 'closing', sequence = sequence + 1 WHERE id = $1";
const CANCEL_ONE: &str = "UPDATE appointments SET status = CASE WHEN status = 'held' THEN 'lapsed' ELSE 'cancelled' END, cancelled_by = $1, cancelled_at = $2, sequence = sequence + 1 WHERE id = $3 AND status IN ('held', 'booked')";
const LEAVE_WAITLIST: &str = "UPDATE waitlist SET status = 'left', updated_at = $1 WHERE therapist_id = $2 AND client_id = $3 AND status = 'waiting'";
const REFERRAL: &str = "INSERT INTO referrals (id, relationship_id, client_id, therapist_id, requested_at) VALUES ($1, $2, $3, $4, $5)";
const FINISH: &str = "UPDATE care_stages SET stage = 'ended', updated_at = $1 WHERE relationship_id = $2 AND stage = 'ending'";
const FINISH_AFTER_CLOSING: &str = "UPDATE care_stages SET stage = 'ended', updated_at = $1 WHERE stage = 'ending' AND EXISTS (SELECT 1 FROM relationships r JOIN appointments a ON a.client_id = r.client_id AND a.therapist_id = r.therapist_user_id WHERE r.id = care_stages.relationship_id AND a.kind = 'closing' AND a.status IN ('booked', 'missed') AND a.ends_at <= $1)";
const ENDINGS_FOR_THERAPIST: &str = concat!(
    "SELECT s.relationship_id, u.display_name AS client_name, s.stage, s.ended_at, s.closing_requested FROM care_stages s JOIN relationships r ON r.id = s.relationship_id JOIN users u ON u.id = r.client_id WHERE r.therapist_user_id = $1 AND ",
    accepted_sql!(),
    " AND s.stage IN ('ending', 'ended') ORDER BY s.ended_at DESC, s.relationship_id"
);
const REACHES_THERAPIST: &str = concat!(
    "SELECT r.id FROM relationships r WHERE r.id = $1 AND ",
    accepted_sql!()
);
const REFERRAL_ACCEPTED: &str = concat!(
    "EXISTS (SELECT 1 FROM relationships r WHERE r.id = f.relationship_id AND ",
    accepted_sql!(),
    ")"
);

/// A relationship's stored stage, as its client sees it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct StageRow {
    /// `consultation`, `active`, `ending` or `ended`.
    pub stage: String,
    /// `client` or `therapist`, once ending.
    pub ended_by: Option<String>,
    /// When the ending was confirmed, Unix ms.
    pub ended_at: Option<i64>,
    /// The client's private reason (a fit-profile word).
    pub ending_reason: Option<String>,
    /// 1 when a closing session was asked for.
    pub closing_requested: i64,
}

/// The stored stage of a relationship (`None`: never set, which reads as active).
pub async fn stage(db: &Db, relationship_id: &str) -> Result<Option<StageRow>> {
    Ok(
        with_pool!(db, pool => sqlx::query_as(STAGE).bind(relationship_id).fetch_optional(pool).await)?,
    )
}

/// Moves a relationship that is not ending or ended to `stage` (booking moves it forward).
pub async fn set_stage(db: &Db, relationship_id: &str, stage: &str, now: i64) -> Result<()> {
    with_write!(db, pool => sqlx::query(SET_STAGE).bind(relationship_id).bind(stage).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Everything one confirmed ending changes.
pub struct EndPlan<'a> {
    /// The relationship.
    pub relationship_id: &'a str,
    /// Its client.
    pub client_id: &'a str,
    /// Its therapist's account, when they use Rapport (else nothing is sent or cancelled).
    pub therapist_id: Option<&'a str>,
    /// `ending` (a closing session first) or `ended`.
    pub stage_after: &'a str,
    /// `client` or `therapist`.
    pub ended_by: &'a str,
    /// The client's private reason.
    pub reason: &'a str,
    /// A closing session was asked for: the next booked appointment becomes it.
    pub closing: bool,
    /// A referral was asked for.
    pub referral: bool,
    /// The message sent to the therapist.
    pub message: &'a str,
    /// The e-mail to the therapist carrying the message.
    pub mail: Option<Mail>,
}

/// What an ending did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EndOutcome {
    /// The message stored for the therapist, if sent.
    pub message_id: Option<String>,
    /// Appointments cancelled (their ids).
    pub cancelled: Vec<String>,
    /// The appointment kept as the closing session.
    pub closing_id: Option<String>,
    /// Freed slots offered to waiting clients.
    #[serde(skip)]
    pub offers: Vec<OfferMade>,
    /// The referral request made, if any.
    pub referral_id: Option<String>,
}

/// Carries out a confirmed ending in one transaction. A relationship already ending or ended is a
/// [`StoreError::Conflict`] and nothing changes (a double submit sends nothing twice). The
/// e-mail and the referral request go to the therapist only when the relationship reaches them
/// (they accepted it); appointments are cancelled either way, since those are theirs already.
pub async fn end(
    db: &Db,
    vault: &Vault,
    plan: &EndPlan<'_>,
    now: i64,
    offerer: &dyn Offerer,
) -> Result<EndOutcome> {
    let mut out = EndOutcome::default();
    let client_key = crate::user_keys::get_or_create(db, vault, plan.client_id).await?;
    with_tx!(db, tx => {
        let n = sqlx::query(END).bind(plan.relationship_id).bind(plan.stage_after).bind(plan.ended_by).bind(now).bind(plan.reason).bind(i64::from(plan.closing)).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("already ending"));
        }
        if let Some(therapist_id) = plan.therapist_id {
            let reaches: Option<String> = sqlx::query_scalar(REACHES_THERAPIST).bind(plan.relationship_id).fetch_optional(&mut *tx).await?;
            let message_id = new_id();
            let sealed = client_key.seal(place("messages", "body", &message_id), plan.message);
            sqlx::query(MESSAGE).bind(&message_id).bind(plan.relationship_id).bind(plan.client_id).bind(sealed).bind(now).execute(&mut *tx).await?;
            out.message_id = Some(message_id);
            if let Some(mail) = plan.mail.as_ref().filter(|_| reaches.is_some()) {
                enqueue!(tx, vault, mail, now);
            }
            let future: Vec<(String, String, i64, i64)> = sqlx::query_as(FUTURE).bind(therapist_id).bind(plan.client_id).bind(now).fetch_all(&mut *tx).await?;
            let mut keep = plan.closing;
            for (id, status, starts_at, ends_at) in future {
                if keep && status == "booked" {
                    keep = false;
                    sqlx::query(MAKE_CLOSING).bind(&id).execute(&mut *tx).await?;
                    out.closing_id = Some(id);
                    continue;
                }
                sqlx::query(CANCEL_ONE).bind(plan.ended_by).bind(now).bind(&id).execute(&mut *tx).await?;
                out.cancelled.push(id);
                let freed = Freed { therapist_id: therapist_id.to_owned(), starts_at, ends_at };
                out.offers.extend(offer_next!(tx, vault, offerer, &freed, now));
            }
            sqlx::query(LEAVE_WAITLIST).bind(now).bind(therapist_id).bind(plan.client_id).execute(&mut *tx).await?;
            if plan.referral && reaches.is_some() {
                let id = new_id();
                sqlx::query(REFERRAL).bind(&id).bind(plan.relationship_id).bind(plan.client_id).bind(therapist_id).bind(now).execute(&mut *tx).await?;
                out.referral_id = Some(id);
            }
        }
    });
    Ok(out)
}

/// Ends a relationship that was waiting for its closing session; false when it was not ending.
pub async fn finish(db: &Db, relationship_id: &str, now: i64) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(FINISH).bind(now).bind(relationship_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Ends every relationship whose closing session is over. Returns how many.
pub async fn finish_after_closing(db: &Db, now: i64) -> Result<u64> {
    Ok(
        with_write!(db, pool => sqlx::query(FINISH_AFTER_CLOSING).bind(now).execute(pool).await.map(|r| r.rows_affected()))?,
    )
}

/// An ending as the therapist sees it: who and when, never why.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TherapistEnding {
    /// The relationship.
    pub relationship_id: String,
    /// The client's display name.
    pub client_name: String,
    /// `ending` or `ended`.
    pub stage: String,
    /// When, Unix ms.
    pub ended_at: Option<i64>,
    /// 1 when a closing session was asked for.
    pub closing_requested: i64,
}

/// Relationships with this therapist that clients have ended, newest first.
pub async fn endings_for_therapist(db: &Db, therapist_id: &str) -> Result<Vec<TherapistEnding>> {
    Ok(
        with_pool!(db, pool => sqlx::query_as(ENDINGS_FOR_THERAPIST).bind(therapist_id).fetch_all(pool).await)?,
    )
}

/// A referral request and, once answered, the suggestions.
#[derive(Clone, Debug, Serialize)]
pub struct Referral {
    /// Id.
    pub id: String,
    /// The relationship that ended.
    pub relationship_id: String,
    /// The client.
    pub client_id: String,
    /// The client's display name.
    pub client_name: String,
    /// The therapist asked.
    pub therapist_id: String,
    /// The therapist's display name.
    pub therapist_name: String,
    /// Asked at, Unix ms.
    pub requested_at: i64,
    /// Answered at, Unix ms.
    pub answered_at: Option<i64>,
    /// The therapist's note.
    pub note: Option<String>,
    /// Suggested directory listing ids (JSON list).
    pub listing_ids: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: String,
    relationship_id: String,
    client_id: String,
    client_name: String,
    therapist_id: String,
    therapist_name: String,
    requested_at: i64,
    answered_at: Option<i64>,
    note: Option<Vec<u8>>,
    listing_ids: Option<String>,
}

const REFERRALS: &str = "SELECT f.id, f.relationship_id, f.client_id, c.display_name AS client_name, f.therapist_id, t.display_name AS therapist_name, f.requested_at, f.answered_at, f.note, f.listing_ids FROM referrals f JOIN users c ON c.id = f.client_id JOIN users t ON t.id = f.therapist_id";
const ANSWER: &str = "UPDATE referrals SET answered_at = $1, note = $2, listing_ids = $3 WHERE id = $4 AND therapist_id = $5 AND answered_at IS NULL";

async fn referrals(
    db: &Db,
    vault: &Vault,
    filter: &str,
    a: &str,
    b: Option<&str>,
) -> Result<Vec<Referral>> {
    let sql = format!("{REFERRALS} WHERE {filter} ORDER BY f.requested_at DESC, f.id");
    let rows: Vec<ReferralRow> = with_pool!(db, pool => {
        let q = sqlx::query_as(&sql).bind(a);
        let q = match b { Some(b) => q.bind(b), None => q };
        q.fetch_all(pool).await
    })?;
    rows.into_iter()
        .map(|r| {
            let note = match &r.note {
                Some(sealed) => Some(vault.open(place("referrals", "note", &r.id), sealed)?),
                None => None,
            };
            Ok(Referral {
                id: r.id,
                relationship_id: r.relationship_id,
                client_id: r.client_id,
                client_name: r.client_name,
                therapist_id: r.therapist_id,
                therapist_name: r.therapist_name,
                requested_at: r.requested_at,
                answered_at: r.answered_at,
                note,
                listing_ids: r.listing_ids,
            })
        })
        .collect()
}

/// Referral requests sent to this therapist, newest first.
pub async fn referrals_for_therapist(
    db: &Db,
    vault: &Vault,
    therapist_id: &str,
) -> Result<Vec<Referral>> {
    let filter = format!("f.therapist_id = $1 AND {REFERRAL_ACCEPTED}");
    referrals(db, vault, &filter, therapist_id, None).await
}

/// One referral request sent to this therapist.
pub async fn referral_for_therapist(
    db: &Db,
    vault: &Vault,
    id: &str,
    therapist_id: &str,
) -> Result<Option<Referral>> {
    let filter = format!("f.id = $1 AND f.therapist_id = $2 AND {REFERRAL_ACCEPTED}");
    Ok(referrals(db, vault, &filter, id, Some(therapist_id))
        .await?
        .into_iter()
        .next())
}

/// The client's referral requests, newest first.
pub async fn referrals_for_client(
    db: &Db,
    vault: &Vault,
    client_id: &str,
) -> Result<Vec<Referral>> {
    referrals(db, vault, "f.client_id = $1", client_id, None).await
}

/// Answers a referral request once, with suggested listings (JSON list) and a note, queuing the
/// client's e-mail with it. False when it was not this therapist's or already answered.
#[allow(clippy::too_many_arguments)] // one call site; each argument is a distinct fact of the answer
pub async fn answer_referral(
    db: &Db,
    vault: &Vault,
    id: &str,
    therapist_id: &str,
    listing_ids: &str,
    note: &str,
    now: i64,
    mail: &Mail,
) -> Result<bool> {
    let sealed = (!note.is_empty()).then(|| vault.seal(place("referrals", "note", id), note));
    let done = with_tx!(db, tx => {
        let n = sqlx::query(ANSWER).bind(now).bind(&sealed).bind(listing_ids).bind(id).bind(therapist_id).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            enqueue!(tx, vault, mail, now, Some(therapist_id));
        }
        n == 1
    });
    Ok(done)
}
