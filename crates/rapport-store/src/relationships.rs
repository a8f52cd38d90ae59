//! Therapy relationships as a client records them, and who may see them.
//!
//! Every query that reads a relationship names the reader: a client only ever reaches their own
//! rows, a therapist only rows the client chose to share with them. Access is decided in the
//! `WHERE` clause, not after loading, so a forgotten check cannot leak a row.

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
}

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
        })
    }
}

const COLS: &str = "id, client_id, therapist_name, therapist_user_id, listing_id, sharing, share_outcomes, created_at";
const INSERT: &str = "INSERT INTO relationships (id, client_id, therapist_name, therapist_user_id, listing_id, sharing, created_at) VALUES ($1, $2, $3, $4, $5, 'private', $6)";
const SET_SHARING: &str = "UPDATE relationships SET sharing = $1 WHERE id = $2 AND client_id = $3";
const SET_SHARE_OUTCOMES: &str =
    "UPDATE relationships SET share_outcomes = $1 WHERE id = $2 AND client_id = $3";

fn q_for_client() -> String {
    format!("SELECT {COLS} FROM relationships WHERE client_id = $1 ORDER BY created_at, id")
}
fn q_one_for_client() -> String {
    format!("SELECT {COLS} FROM relationships WHERE client_id = $1 AND id = $2")
}
fn q_shared_with() -> String {
    format!(
        "SELECT {COLS} FROM relationships WHERE therapist_user_id = $1 AND sharing <> 'private' ORDER BY created_at, id"
    )
}
fn q_one_shared_with() -> String {
    format!(
        "SELECT {COLS} FROM relationships WHERE therapist_user_id = $1 AND id = $2 AND sharing <> 'private'"
    )
}

/// A new relationship for `client_id`, private until the client decides otherwise.
pub async fn create(
    db: &Db,
    client_id: &str,
    therapist_name: &str,
    therapist_user_id: Option<&str>,
    listing_id: Option<&str>,
) -> Result<Relationship> {
    let rel = Relationship {
        id: new_id(),
        client_id: client_id.to_owned(),
        therapist_name: therapist_name.to_owned(),
        therapist_user_id: therapist_user_id.map(str::to_owned),
        listing_id: listing_id.map(str::to_owned),
        sharing: Sharing::Private,
        share_outcomes: false,
        created_at: now_ms(),
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

/// One relationship shared with this therapist; `None` when private or not theirs.
pub async fn get_shared_with(
    db: &Db,
    therapist_id: &str,
    id: &str,
) -> Result<Option<Relationship>> {
    let row: Option<Row> = with_pool!(db, pool => sqlx::query_as(&q_one_shared_with()).bind(therapist_id).bind(id).fetch_optional(pool).await)?;
    row.map(Row::into_rel).transpose()
}
