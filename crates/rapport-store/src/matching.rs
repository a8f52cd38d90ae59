//! A client's side of matching as stored: saved preferences, the fit profile, the shortlist (at
//! most three) and intro-consultation requests. The JSON columns hold what the core parsed; the
//! web layer parses them again on the way out, so a stored value always means what the engine
//! expects.

use rapport_core::care::request::Answered;
use serde::Serialize;

use std::collections::HashMap;

use crate::crypto::{DataKey, Place};
use crate::{
    Db, Result, StoreError, Vault, new_id, now_ms, user_keys, with_pool, with_tx, with_write,
};

/// How many therapists a shortlist holds: few enough that a client actually contacts them.
pub const SHORTLIST_MAX: i64 = 3;

const PREFS_GET: &str = "SELECT request FROM match_preferences WHERE client_id = $1";
const PREFS_PUT: &str = "INSERT INTO match_preferences (client_id, request, updated_at) VALUES ($1, $2, $3) ON CONFLICT (client_id) DO UPDATE SET request = excluded.request, updated_at = excluded.updated_at";
const FIT_GET: &str = "SELECT data FROM fit_profiles WHERE client_id = $1";
const FIT_PUT: &str = "INSERT INTO fit_profiles (client_id, data, updated_at) VALUES ($1, $2, $3) ON CONFLICT (client_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at";

/// The client's saved match request (JSON), if any.
pub async fn preferences(db: &Db, client_id: &str) -> Result<Option<String>> {
    Ok(
        with_pool!(db, pool => sqlx::query_scalar(PREFS_GET).bind(client_id).fetch_optional(pool).await)?,
    )
}

/// Saves the client's match request (JSON), replacing the previous one.
pub async fn save_preferences(db: &Db, client_id: &str, request: &str) -> Result<()> {
    with_write!(db, pool => sqlx::query(PREFS_PUT).bind(client_id).bind(request).bind(now_ms()).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The client's fit profile (JSON), if any.
pub async fn fit_profile(db: &Db, client_id: &str) -> Result<Option<String>> {
    Ok(
        with_pool!(db, pool => sqlx::query_scalar(FIT_GET).bind(client_id).fetch_optional(pool).await)?,
    )
}

/// Replaces the fit profile with what `change` makes of the stored one, inside one write
/// transaction, so two endings recorded at once both count.
pub async fn update_fit_profile(
    db: &Db,
    client_id: &str,
    change: impl FnOnce(Option<&str>) -> String,
) -> Result<String> {
    let data = with_tx!(db, tx => {
        let old: Option<String> = sqlx::query_scalar(FIT_GET).bind(client_id).fetch_optional(&mut *tx).await?;
        let new = change(old.as_deref());
        sqlx::query(FIT_PUT).bind(client_id).bind(&new).bind(now_ms()).execute(&mut *tx).await?;
        new
    });
    Ok(data)
}

/// A shortlisted therapist, with what the client needs to decide whom to contact.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ShortlistEntry {
    /// The listing id.
    pub listing_id: String,
    /// The listing JSON (for the name and the practicalities).
    #[serde(skip)]
    pub data: String,
    /// When it was added, Unix ms.
    pub created_at: i64,
    /// When the client asked this therapist for an intro consultation, if they did.
    pub requested_at: Option<i64>,
}

/// What adding to a shortlist did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// Added now.
    Added,
    /// It was already there; nothing changed.
    AlreadyThere,
    /// The shortlist already holds [`SHORTLIST_MAX`] therapists; nothing changed.
    Full,
}

const SHORTLIST: &str = "SELECT s.listing_id, l.data, s.created_at, c.created_at AS requested_at FROM shortlist s JOIN listings l ON l.id = s.listing_id LEFT JOIN consultations c ON c.client_id = s.client_id AND c.listing_id = s.listing_id WHERE s.client_id = $1 ORDER BY s.created_at, s.listing_id";
const PLACES: &str = "SELECT listing_id, place FROM shortlist WHERE client_id = $1";
const SHORTLIST_ADD: &str =
    "INSERT INTO shortlist (client_id, listing_id, place, created_at) VALUES ($1, $2, $3, $4)";
const SHORTLIST_REMOVE: &str = "DELETE FROM shortlist WHERE client_id = $1 AND listing_id = $2";

/// The client's shortlist, oldest first.
pub async fn shortlist(db: &Db, client_id: &str) -> Result<Vec<ShortlistEntry>> {
    Ok(with_pool!(db, pool => sqlx::query_as(SHORTLIST).bind(client_id).fetch_all(pool).await)?)
}

/// Adds a listing (which must exist) to the client's shortlist, taking the first free place.
pub async fn add_to_shortlist(db: &Db, client_id: &str, listing_id: &str) -> Result<Added> {
    let added = with_tx!(db, tx => {
        let taken: Vec<(String, i64)> = sqlx::query_as(PLACES).bind(client_id).fetch_all(&mut *tx).await?;
        if taken.iter().any(|(id, _)| id == listing_id) {
            Added::AlreadyThere
        } else if let Some(place) = (1..=SHORTLIST_MAX).find(|p| taken.iter().all(|(_, t)| t != p)) {
            sqlx::query(SHORTLIST_ADD).bind(client_id).bind(listing_id).bind(place).bind(now_ms()).execute(&mut *tx).await?;
            Added::Added
        } else {
            Added::Full
        }
    });
    Ok(added)
}

/// Takes a listing off the client's shortlist; returns whether it was there.
pub async fn remove_from_shortlist(db: &Db, client_id: &str, listing_id: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(SHORTLIST_REMOVE).bind(client_id).bind(listing_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// An intro-consultation request, with its message opened.
#[derive(Clone, Debug, Serialize)]
pub struct Consultation {
    /// Id.
    pub id: String,
    /// Who asked.
    pub client_id: String,
    /// The client's display name (shown to the therapist, who needs to know who is asking).
    pub client_name: String,
    /// The therapist asked.
    pub listing_id: String,
    /// The listing JSON (for the therapist's name).
    #[serde(skip)]
    pub data: String,
    /// The client's note to the therapist.
    pub message: Option<String>,
    /// When, Unix ms.
    pub created_at: i64,
    /// The therapist's answer so far.
    pub status: Answered,
    /// When the therapist answered.
    pub answered_at: Option<i64>,
    /// The start the therapist proposed, when they offered one.
    pub offered_start: Option<i64>,
    /// The therapist's note with their answer.
    pub reply: Option<String>,
    /// The account linked to the listing (a therapist on Rapport), if any.
    pub therapist_user_id: Option<String>,
}

/// A therapist's answer to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A proposed start (Unix ms) the client can book.
    Offer(i64),
    /// Not this time.
    Decline,
}

#[derive(sqlx::FromRow)]
struct ConsultationRow {
    id: String,
    client_id: String,
    client_name: String,
    listing_id: String,
    data: String,
    message: Option<Vec<u8>>,
    created_at: i64,
    status: String,
    answered_at: Option<i64>,
    offered_start: Option<i64>,
    reply: Option<Vec<u8>>,
    therapist_user_id: Option<String>,
}

const CONSULT_INSERT: &str = "INSERT INTO consultations (id, client_id, listing_id, message, created_at) VALUES ($1, $2, $3, $4, $5)";
const CONSULT_COLS: &str = "SELECT c.id, c.client_id, u.display_name AS client_name, c.listing_id, l.data, c.message, c.created_at, c.status, c.answered_at, c.offered_start, c.reply, l.user_id AS therapist_user_id FROM consultations c JOIN users u ON u.id = c.client_id JOIN listings l ON l.id = c.listing_id";
/// Answers only a request still waiting, sent to a listing of this therapist's: a second answer,
/// or anyone else's, changes nothing.
const CONSULT_ANSWER: &str = "UPDATE consultations SET status = $1, offered_start = $2, reply = $3, answered_at = $4 WHERE id = $5 AND status = 'sent' AND listing_id IN (SELECT id FROM listings WHERE user_id = $6)";

fn consult_place(row: &str) -> Place<'_> {
    Place {
        table: "consultations",
        column: "message",
        row,
    }
}

fn reply_place(row: &str) -> Place<'_> {
    Place {
        table: "consultations",
        column: "reply",
        row,
    }
}

/// Records one request per listing, all or none: a listing already asked by this client makes
/// the whole call a [`crate::StoreError::Conflict`] and nothing is stored. The message is sealed
/// with the client's own data key, so deleting the account makes every copy unreadable.
pub async fn request_consultations(
    db: &Db,
    vault: &Vault,
    client_id: &str,
    listing_ids: &[String],
    message: Option<&str>,
) -> Result<Vec<String>> {
    request_consultations_notifying(db, vault, client_id, listing_ids, message, &[]).await
}

/// [`request_consultations`], queueing `mails` (to the therapists on Rapport) in the same
/// transaction: a request is never stored without its notice, nor a notice sent for a request
/// rolled back.
pub async fn request_consultations_notifying(
    db: &Db,
    vault: &Vault,
    client_id: &str,
    listing_ids: &[String],
    message: Option<&str>,
    mails: &[crate::care::Mail],
) -> Result<Vec<String>> {
    let now = now_ms();
    let key = match message {
        Some(_) => Some(user_keys::get_or_create(db, vault, client_id).await?),
        None => None,
    };
    let ids: Vec<String> = listing_ids.iter().map(|_| new_id()).collect();
    with_tx!(db, tx => {
        for (id, listing_id) in ids.iter().zip(listing_ids) {
            let sealed = key.as_ref().zip(message).map(|(k, m)| k.seal(consult_place(id), m));
            sqlx::query(CONSULT_INSERT).bind(id).bind(client_id).bind(listing_id).bind(sealed).bind(now).execute(&mut *tx).await?;
        }
        for mail in mails {
            enqueue!(tx, vault, mail, now);
        }
    });
    Ok(ids)
}

/// The therapist answers a waiting request sent to their listing, queueing `mail` (to the
/// client) in the same transaction. `false` when there is no such waiting request of theirs
/// (already answered, someone else's, or gone): nothing changes.
#[allow(clippy::too_many_arguments)]
pub async fn answer_consultation(
    db: &Db,
    vault: &Vault,
    therapist_user_id: &str,
    id: &str,
    answer: Answer,
    reply: Option<&str>,
    mail: &crate::care::Mail,
    now: i64,
) -> Result<bool> {
    let (status, start) = match answer {
        Answer::Offer(t) => (Answered::Offered, Some(t)),
        Answer::Decline => (Answered::Declined, None),
    };
    let sealed = reply.map(|r| vault.seal(reply_place(id), r));
    let changed = with_tx!(db, tx => {
        let n = sqlx::query(CONSULT_ANSWER).bind(status.as_str()).bind(start).bind(sealed).bind(now).bind(id).bind(therapist_user_id).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            enqueue!(tx, vault, mail, now, Some(therapist_user_id));
        }
        n == 1
    });
    Ok(changed)
}

async fn open_rows(
    db: &Db,
    vault: &Vault,
    rows: Vec<ConsultationRow>,
) -> Result<Vec<Consultation>> {
    let mut keys: HashMap<String, Option<DataKey>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let message = match &r.message {
            Some(sealed) if DataKey::sealed_with_client_key(sealed) => {
                if !keys.contains_key(&r.client_id) {
                    keys.insert(
                        r.client_id.clone(),
                        user_keys::get(db, vault, &r.client_id).await?,
                    );
                }
                let key = keys[&r.client_id].as_ref().ok_or(StoreError::Crypto)?;
                Some(key.open(consult_place(&r.id), sealed)?)
            }
            Some(sealed) => Some(vault.open(consult_place(&r.id), sealed)?),
            None => None,
        };
        let reply = match &r.reply {
            Some(sealed) => Some(vault.open(reply_place(&r.id), sealed)?),
            None => None,
        };
        out.push(Consultation {
            id: r.id,
            client_id: r.client_id,
            client_name: r.client_name,
            listing_id: r.listing_id,
            data: r.data,
            message,
            created_at: r.created_at,
            status: Answered::parse(&r.status).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown consultation status {:?}", r.status))
            })?,
            answered_at: r.answered_at,
            offered_start: r.offered_start,
            reply,
            therapist_user_id: r.therapist_user_id,
        });
    }
    Ok(out)
}

/// The requests a client has sent, newest first.
pub async fn consultations_sent(
    db: &Db,
    vault: &Vault,
    client_id: &str,
) -> Result<Vec<Consultation>> {
    let sql = format!("{CONSULT_COLS} WHERE c.client_id = $1 ORDER BY c.created_at DESC, c.id");
    let rows = with_pool!(db, pool => sqlx::query_as(&sql).bind(client_id).fetch_all(pool).await)?;
    open_rows(db, vault, rows).await
}

/// The requests sent to the listing linked to a therapist's account, newest first.
pub async fn consultations_received(
    db: &Db,
    vault: &Vault,
    therapist_user_id: &str,
) -> Result<Vec<Consultation>> {
    let sql = format!("{CONSULT_COLS} WHERE l.user_id = $1 ORDER BY c.created_at DESC, c.id");
    let rows =
        with_pool!(db, pool => sqlx::query_as(&sql).bind(therapist_user_id).fetch_all(pool).await)?;
    open_rows(db, vault, rows).await
}
