//! Therapy relationships as a client records them, and who may see them.
//!
//! Every query that reads a relationship names the reader: a client only ever reaches their own
//! rows, a therapist only rows the client chose to share with them. Access is decided in the
//! `WHERE` clause, not after loading, so a forgotten check cannot leak a row.
//!
//! Naming a listed therapist does not make someone their client: a relationship reaches its
//! therapist (caseload, alerts, outcomes and every figure, e-mail about it) only once it is
//! accepted, by the therapist or by an appointment with them that took place. Every such query
//! carries [`ACCEPTED`]; until then the relationship is the client's own record.

use serde::{Deserialize, Serialize};

use crate::{Db, Result, StoreError, new_id, now_ms, with_pool, with_write};

/// What a client shares with the therapist of one relationship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// Nothing (the default).
    Private,
    /// The alliance trend and status only.
    Trend,
    /// The trend, the status and the check-in answers.
    Answers,
}

impl Sharing {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Sharing::Private => "private",
            Sharing::Trend => "trend",
            Sharing::Answers => "answers",
        }
    }

    /// Parses a stored or submitted word.
    pub fn parse(s: &str) -> Option<Sharing> {
        match s {
            "private" => Some(Sharing::Private),
            "trend" => Some(Sharing::Trend),
            "answers" => Some(Sharing::Answers),
            _ => None,
        }
    }
}

/// One client's relationship with one therapist.
#[derive(Clone, Debug, Serialize)]
pub struct Relationship {
    /// Id.
    pub id: String,
    /// The client's account id.
    pub client_id: String,
    /// The therapist's name as the client knows them.
    pub therapist_name: String,
    /// The therapist's account, when they use Rapport.
    pub therapist_user_id: Option<String>,
    /// The directory listing, when the therapist is listed.
    pub listing_id: Option<String>,
    /// What the client shares with the therapist.
    pub sharing: Sharing,
    /// Whether the client also shares their measures (PHQ-9, GAD-7, ORS, SRS); only ever in
    /// effect on top of trend or answers sharing, never for a private relationship.
    pub share_outcomes: bool,
    /// Creation time, Unix ms.
    pub created_at: i64,
    /// When the therapist accepted it (or an appointment with them took place): from then on it
    /// reaches them. `None` while it waits, or after they declined.
    pub accepted_at: Option<i64>,
    /// When the therapist declined it: it never reaches them, and stays the client's own.
    pub declined_at: Option<i64>,
}

impl Relationship {
    /// Whether the relationship reaches its therapist at all (they use Rapport and accepted it).
    pub fn reaches_therapist(&self) -> bool {
        self.therapist_user_id.is_some() && self.accepted_at.is_some()
    }
}

/// The condition, on a relationship aliased `r`, that it reaches its therapist: shared by every
/// query that shows a relationship to a therapist or counts it in their figures, so one rule
/// decides it everywhere.
pub const ACCEPTED: &str = accepted_sql!();

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    client_id: String,
    therapist_name: String,
    therapist_user_id: Option<String>,
    listing_id: Option<String>,
    sharing: String,
    share_outcomes: i64,
    created_at: i64,
    accepted_at: Option<i64>,
    declined_at: Option<i64>,
}

impl Row {
    fn into_rel(self) -> Result<Relationship> {
        let sharing = Sharing::parse(&self.sharing)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown sharing {:?}", self.sharing)))?;
        Ok(Relationship {
            id: self.id,
            client_id: self.client_id,
            therapist_name: self.therapist_name,
            therapist_user_id: self.therapist_user_id,
            listing_id: self.listing_id,
            sharing,
            share_outcomes: self.share_outcomes == 1,
            created_at: self.created_at,
            accepted_at: self.accepted_at,
            declined_at: self.declined_at,
        })
    }
}

const COLS: &str = "r.id, r.client_id, r.therapist_name, r.therapist_user_id, r.listing_id, r.sharing, r.share_outcomes, r.created_at, r.accepted_at, r.declined_at";
const INSERT: &str = "INSERT INTO relationships (id, client_id, therapist_name, therapist_user_id, listing_id, sharing, created_at) VALUES ($1, $2, $3, $4, $5, 'private', $6)";
const SET_SHARING: &str = "UPDATE relationships SET sharing = $1 WHERE id = $2 AND client_id = $3";
const SET_SHARE_OUTCOMES: &str =
    "UPDATE relationships SET share_outcomes = $1 WHERE id = $2 AND client_id = $3";
const WAITING: &str =
    "r.therapist_user_id = $1 AND r.accepted_at IS NULL AND r.declined_at IS NULL";
const ACCEPT: &str = "UPDATE relationships SET accepted_at = $1, declined_at = NULL WHERE id = $2 AND therapist_user_id = $3 AND accepted_at IS NULL";
const DECLINE: &str = "UPDATE relationships SET declined_at = $1 WHERE id = $2 AND therapist_user_id = $3 AND accepted_at IS NULL AND declined_at IS NULL";
const ACCEPT_MET: &str = "UPDATE relationships SET accepted_at = $1 WHERE accepted_at IS NULL AND declined_at IS NULL AND therapist_user_id IS NOT NULL AND EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = relationships.client_id AND a.therapist_id = relationships.therapist_user_id AND a.kind IN ('consultation', 'session') AND a.status = 'booked' AND a.ends_at <= $2)";

fn q_for_client() -> String {
    format!("SELECT {COLS} FROM relationships r WHERE r.client_id = $1 ORDER BY r.created_at, r.id")
}
fn q_one_for_client() -> String {
    format!("SELECT {COLS} FROM relationships r WHERE r.client_id = $1 AND r.id = $2")
}
fn q_shared_with() -> String {
    format!(
        "SELECT {COLS} FROM relationships r WHERE r.therapist_user_id = $1 AND {ACCEPTED} AND r.sharing <> 'private' ORDER BY r.created_at, r.id"
    )
}
fn q_one_shared_with() -> String {
    format!(
        "SELECT {COLS} FROM relationships r WHERE r.therapist_user_id = $1 AND r.id = $2 AND {ACCEPTED} AND r.sharing <> 'private'"
    )
}
fn q_waiting() -> String {
    format!("SELECT {COLS} FROM relationships r WHERE {WAITING} ORDER BY r.created_at, r.id")
}

/// A new relationship for `client_id`, private until the client decides otherwise and, when it
/// names a therapist's account, waiting for that therapist to accept it.
pub async fn create(
    db: &Db,
    client_id: &str,
    therapist_name: &str,
    therapist_user_id: Option<&str>,
    listing_id: Option<&str>,
) -> Result<Relationship> {
    create_at(
        db,
        client_id,
        therapist_name,
        therapist_user_id,
        listing_id,
        now_ms(),
    )
    .await
}

/// [`create`] recorded as made at `created_at` (Unix ms), for a history that began in the past.
pub async fn create_at(
    db: &Db,
    client_id: &str,
    therapist_name: &str,
    therapist_user_id: Option<&str>,
    listing_id: Option<&str>,
    created_at: i64,
) -> Result<Relationship> {
    let rel = Relationship {
        id: new_id(),
        client_id: client_id.to_owned(),
        therapist_name: therapist_name.to_owned(),
        therapist_user_id: therapist_user_id.map(str::to_owned),
        listing_id: listing_id.map(str::to_owned),
        sharing: Sharing::Private,
        share_outcomes: false,
        created_at,
        accepted_at: None,
        declined_at: None,
    };
    with_write!(db, pool => sqlx::query(INSERT)
        .bind(&rel.id).bind(client_id).bind(therapist_name).bind(therapist_user_id).bind(listing_id).bind(rel.created_at)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(rel)
}

/// The client's own relationships, oldest first.
pub async fn for_client(db: &Db, client_id: &str) -> Result<Vec<Relationship>> {
    let rows: Vec<Row> = with_pool!(db, pool => sqlx::query_as(&q_for_client()).bind(client_id).fetch_all(pool).await)?;
    rows.into_iter().map(Row::into_rel).collect()
}

/// One of the client's own relationships; `None` for anyone else's.
pub async fn get_for_client(db: &Db, client_id: &str, id: &str) -> Result<Option<Relationship>> {
    let row: Option<Row> = with_pool!(db, pool => sqlx::query_as(&q_one_for_client()).bind(client_id).bind(id).fetch_optional(pool).await)?;
    row.map(Row::into_rel).transpose()
}

/// Where a relationship stands for its client's page: its stage (active when never set), who
/// ended it and when, and when the client last sent a speak-up note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phase {
    /// The stage.
    pub stage: rapport_core::care::Stage,
    /// Who ended it, once ending or ended.
    pub ended_by: Option<rapport_core::care::EndedBy>,
    /// When it was ended, Unix ms.
    pub ended_at: Option<i64>,
    /// When the latest speak-up note was sent, Unix ms.
    pub last_note_at: Option<i64>,
}

const PHASE: &str = "SELECT s.stage, s.ended_by, s.ended_at, (SELECT MAX(m.created_at) FROM messages m WHERE m.relationship_id = r.id AND m.kind = 'speak_up') AS last_note_at FROM relationships r LEFT JOIN care_stages s ON s.relationship_id = r.id WHERE r.id = $1 AND r.client_id = $2";

/// Where one of the client's relationships stands (`None`: not theirs), in one query.
pub async fn phase(db: &Db, client_id: &str, id: &str) -> Result<Option<Phase>> {
    type R = (Option<String>, Option<String>, Option<i64>, Option<i64>);
    let row: Option<R> = with_pool!(db, pool => sqlx::query_as(PHASE).bind(id).bind(client_id).fetch_optional(pool).await)?;
    row.map(|(stage, by, ended_at, last_note_at)| {
        let stage = match stage {
            None => rapport_core::care::Stage::Active,
            Some(w) => rapport_core::care::Stage::parse(&w)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown stage {w:?}")))?,
        };
        Ok(Phase {
            stage,
            ended_by: by.as_deref().and_then(rapport_core::care::EndedBy::parse),
            ended_at,
            last_note_at,
        })
    })
    .transpose()
}

/// Changes what the client shares; takes effect for the very next read. False if not theirs.
pub async fn set_sharing(db: &Db, client_id: &str, id: &str, sharing: Sharing) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(SET_SHARING).bind(sharing.as_str()).bind(id).bind(client_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Changes whether the client shares their measures with this relationship's therapist (on top
/// of trend or answers sharing); immediate. False if not theirs.
pub async fn set_share_outcomes(db: &Db, client_id: &str, id: &str, share: bool) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(SET_SHARE_OUTCOMES).bind(i64::from(share)).bind(id).bind(client_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The relationships clients share (trend or answers) with this therapist.
pub async fn shared_with(db: &Db, therapist_id: &str) -> Result<Vec<Relationship>> {
    let rows: Vec<Row> = with_pool!(db, pool => sqlx::query_as(&q_shared_with()).bind(therapist_id).fetch_all(pool).await)?;
    rows.into_iter().map(Row::into_rel).collect()
}

/// A relationship on a therapist's caseload with what the caseload shows beside it.
#[derive(Clone, Debug)]
pub struct SharedRel {
    /// The relationship.
    pub rel: Relationship,
    /// The client's display name (empty for a deleted account).
    pub client_name: String,
    /// The client's data version (see the `0008_data_version` migration): a reading of the
    /// relationship made at this version is still current.
    pub data_version: i64,
}

#[derive(sqlx::FromRow)]
struct SharedRow {
    #[sqlx(flatten)]
    row: Row,
    client_name: String,
    data_version: i64,
}

fn q_caseload() -> String {
    format!(
        "SELECT {COLS}, COALESCE(u.display_name, '') AS client_name, COALESCE(u.data_version, -1) AS data_version FROM relationships r LEFT JOIN users u ON u.id = r.client_id WHERE r.therapist_user_id = $1 AND {ACCEPTED} AND r.sharing <> 'private' ORDER BY r.created_at, r.id"
    )
}

/// [`shared_with`] with each client's name and data version, in one query: a caseload view
/// learns who is on it and which readings it already holds are still current without asking
/// again per client.
pub async fn caseload(db: &Db, therapist_id: &str) -> Result<Vec<SharedRel>> {
    let rows: Vec<SharedRow> = with_pool!(db, pool => sqlx::query_as(&q_caseload()).bind(therapist_id).fetch_all(pool).await)?;
    rows.into_iter()
        .map(|r| {
            Ok(SharedRel {
                rel: r.row.into_rel()?,
                client_name: r.client_name,
                data_version: r.data_version,
            })
        })
        .collect()
}

/// One relationship shared with this therapist; `None` when private or not theirs.
pub async fn get_shared_with(
    db: &Db,
    therapist_id: &str,
    id: &str,
) -> Result<Option<Relationship>> {
    let row: Option<Row> = with_pool!(db, pool => sqlx::query_as(&q_one_shared_with()).bind(therapist_id).bind(id).fetch_optional(pool).await)?;
    row.map(Row::into_rel).transpose()
}

/// Relationships clients recorded with this therapist that wait for their answer, oldest first.
/// Only what deciding needs is read from them (who and when), never what the client records.
pub async fn waiting_for(db: &Db, therapist_id: &str) -> Result<Vec<Relationship>> {
    let rows: Vec<Row> = with_pool!(db, pool => sqlx::query_as(&q_waiting()).bind(therapist_id).fetch_all(pool).await)?;
    rows.into_iter().map(Row::into_rel).collect()
}

/// A therapist's answer to a relationship that waits for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// It joins their caseload and figures (a waiting or earlier declined one).
    Accepted,
    /// It never reaches them, and the client keeps every row of it (a waiting one only).
    Declined,
}

/// Records the therapist's answer to relationship `id`. False when it is not theirs, or not
/// waiting for that answer.
pub async fn answer(
    db: &Db,
    therapist_id: &str,
    id: &str,
    answer: Answer,
    now: i64,
) -> Result<bool> {
    let sql = match answer {
        Answer::Accepted => ACCEPT,
        Answer::Declined => DECLINE,
    };
    let n = with_write!(db, pool => sqlx::query(sql).bind(now).bind(id).bind(therapist_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Accepts every waiting relationship whose client had an appointment with its therapist that
/// ended by `met_before` and was neither cancelled nor marked missed: having met them is the
/// therapist's acceptance. Callers leave the therapist time to mark a no-show before
/// `met_before`. Returns how many.
pub async fn accept_met(db: &Db, met_before: i64, now: i64) -> Result<u64> {
    Ok(
        with_write!(db, pool => sqlx::query(ACCEPT_MET).bind(now).bind(met_before).execute(pool).await.map(|r| r.rows_affected()))?,
    )
}
