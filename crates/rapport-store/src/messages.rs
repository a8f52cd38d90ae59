//! Messages a client explicitly chose to send to their therapist. Bodies are sealed at rest with
//! the relationship's client's own data key (see [`crate::user_keys`]).

use serde::Serialize;

use crate::crypto::Place;
use crate::{Db, Result, Vault, new_id, now_ms, user_keys, with_pool};

/// A message, decrypted.
#[derive(Clone, Debug, Serialize)]
pub struct Message {
    /// Id.
    pub id: String,
    /// The relationship it belongs to.
    pub relationship_id: String,
    /// Who sent it.
    pub sender_id: String,
    /// What kind: `speak_up` (a note about how sessions are going) or `ending`.
    pub kind: String,
    /// The text.
    pub body: String,
    /// When, Unix ms.
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    relationship_id: String,
    sender_id: String,
    kind: String,
    body: Vec<u8>,
    created_at: i64,
}

const INSERT: &str = "INSERT INTO messages (id, relationship_id, sender_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
const LIST: &str = "SELECT id, relationship_id, sender_id, kind, body, created_at FROM messages WHERE relationship_id = $1 ORDER BY created_at, id";

fn place(row: &str) -> Place<'_> {
    Place {
        table: "messages",
        column: "body",
        row,
    }
}

/// Stores a message. Callers must have checked that the sender owns the relationship and has
/// confirmed sending.
pub async fn send(
    db: &Db,
    vault: &Vault,
    relationship_id: &str,
    sender_id: &str,
    kind: &str,
    body: &str,
) -> Result<Message> {
    send_with_notice(db, vault, relationship_id, sender_id, kind, body, None).await
}

/// [`send`], queueing `notice` (an e-mail telling the other side a message is waiting) in the
/// same transaction: never a note without its notice, nor a notice for a note that failed.
pub async fn send_with_notice(
    db: &Db,
    vault: &Vault,
    relationship_id: &str,
    sender_id: &str,
    kind: &str,
    body: &str,
    notice: Option<&crate::care::Mail>,
) -> Result<Message> {
    let m = Message {
        id: new_id(),
        relationship_id: relationship_id.to_owned(),
        sender_id: sender_id.to_owned(),
        kind: kind.to_owned(),
        body: body.to_owned(),
        created_at: now_ms(),
    };
    let sealed = user_keys::sealing_key(db, vault, relationship_id)
        .await?
        .seal(place(&m.id), body);
    crate::with_tx!(db, tx => {
        sqlx::query(INSERT).bind(&m.id).bind(relationship_id).bind(sender_id).bind(kind).bind(sealed).bind(m.created_at).execute(&mut *tx).await?;
        if let Some(mail) = notice {
            enqueue!(tx, vault, mail, m.created_at, Some(&mail.user_id));
        }
    });
    Ok(m)
}

/// A relationship's messages, oldest first. Callers must already have checked access.
pub async fn list(db: &Db, vault: &Vault, relationship_id: &str) -> Result<Vec<Message>> {
    let rows: Vec<Row> =
        with_pool!(db, pool => sqlx::query_as(LIST).bind(relationship_id).fetch_all(pool).await)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let keys = user_keys::opening_keys(db, vault, relationship_id).await?;
    rows.into_iter()
        .map(|r| {
            let body = keys.open(place(&r.id), &r.body)?;
            Ok(Message {
                id: r.id,
                relationship_id: r.relationship_id,
                sender_id: r.sender_id,
                kind: r.kind,
                body,
                created_at: r.created_at,
            })
        })
        .collect()
}
