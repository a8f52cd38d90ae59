//! Per-client data keys: each client's free text (a check-in's noted need, the messages of their
//! relationships) is sealed with a random key of their own, stored wrapped by the deployment's
//! [`Vault`]. Deleting an account deletes that wrapped key first, which is what makes deletion
//! final for the text: a copy of the ciphertext taken earlier (a dumped table, a replica's disk)
//! can no longer be opened by anyone.
//!
//! Values sealed with the deployment key before per-client keys existed stay readable (their key
//! id says which key opens them) until [`reseal_legacy`] moves them to their client's key.

use crate::crypto::{CLIENT_KEY_ID, DataKey, Place};
use crate::{Db, Result, StoreError, Vault, now_ms, with_pool, with_write};

const CREATE: &str = "INSERT INTO user_keys (user_id, wrapped, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING";
const GET: &str = "SELECT wrapped FROM user_keys WHERE user_id = $1";
const DESTROY: &str = "DELETE FROM user_keys WHERE user_id = $1";
const CLIENT_OF: &str = "SELECT client_id FROM relationships WHERE id = $1";
/// Values still sealed with a deployment key: their first four bytes (the key id) are not the
/// client-key id, `$1`. The database filters, so a start after the move reads no rows at all.
const LEGACY_NEEDS: &str = "SELECT c.id, r.client_id, c.need FROM checkins c JOIN relationships r ON r.id = c.relationship_id WHERE c.need IS NOT NULL AND substr(c.need, 1, 4) <> $1";
const LEGACY_BODIES: &str = "SELECT m.id, r.client_id, m.body FROM messages m JOIN relationships r ON r.id = m.relationship_id WHERE substr(m.body, 1, 4) <> $1";
const RESEAL_NEED: &str = "UPDATE checkins SET need = $1 WHERE id = $2 AND need = $3";
const RESEAL_BODY: &str = "UPDATE messages SET body = $1 WHERE id = $2 AND body = $3";

/// The keys that may open a client's stored values: theirs (if it still exists) and the
/// deployment's, for values sealed before per-client keys.
pub struct Keys<'a> {
    vault: &'a Vault,
    client: Option<DataKey>,
}

impl Keys<'_> {
    /// Opens a stored value with whichever key its key id names. A value sealed with a client
    /// key that no longer exists is [`StoreError::Crypto`]: it is gone for good.
    pub fn open(&self, place: Place<'_>, stored: &[u8]) -> Result<String> {
        if DataKey::sealed_with_client_key(stored) {
            self.client
                .as_ref()
                .ok_or(StoreError::Crypto)?
                .open(place, stored)
        } else {
            self.vault.open(place, stored)
        }
    }
}

/// The client's data key, made (and stored wrapped) on first use. Two first uses at once agree
/// on one key: the second insert does nothing and both read the stored one.
pub async fn get_or_create(db: &Db, vault: &Vault, client_id: &str) -> Result<DataKey> {
    if let Some(key) = get(db, vault, client_id).await? {
        return Ok(key);
    }
    let fresh = DataKey::generate(client_id);
    let wrapped = vault.wrap(client_id, &fresh);
    with_write!(db, pool => sqlx::query(CREATE).bind(client_id).bind(wrapped).bind(now_ms()).execute(pool).await.map(|r| r.rows_affected()))?;
    get(db, vault, client_id).await?.ok_or(StoreError::NotFound)
}

/// The client's data key, if it exists (it does not once the account is deleted).
pub async fn get(db: &Db, vault: &Vault, client_id: &str) -> Result<Option<DataKey>> {
    let wrapped: Option<Vec<u8>> =
        with_pool!(db, pool => sqlx::query_scalar(GET).bind(client_id).fetch_optional(pool).await)?;
    wrapped.map(|w| vault.unwrap(client_id, &w)).transpose()
}

/// The client of a relationship, whose key seals its free text.
pub async fn client_of(db: &Db, relationship_id: &str) -> Result<String> {
    let client: Option<String> = with_pool!(db, pool => sqlx::query_scalar(CLIENT_OF).bind(relationship_id).fetch_optional(pool).await)?;
    client.ok_or(StoreError::NotFound)
}

/// The key to seal a relationship's free text with (its client's, made on first use).
pub async fn sealing_key(db: &Db, vault: &Vault, relationship_id: &str) -> Result<DataKey> {
    let client = client_of(db, relationship_id).await?;
    get_or_create(db, vault, &client).await
}

/// The keys for a client whose wrapped data key was read along with their values (`None` once
/// the account is deleted), so reading a page costs no extra query.
pub fn keys_from<'a>(
    vault: &'a Vault,
    client_id: &str,
    wrapped: Option<&[u8]>,
) -> Result<Keys<'a>> {
    Ok(Keys {
        vault,
        client: wrapped.map(|w| vault.unwrap(client_id, w)).transpose()?,
    })
}

/// The keys that open a relationship's stored free text.
pub async fn opening_keys<'a>(
    db: &Db,
    vault: &'a Vault,
    relationship_id: &str,
) -> Result<Keys<'a>> {
    let client = client_of(db, relationship_id).await?;
    Ok(Keys {
        vault,
        client: get(db, vault, &client).await?,
    })
}

/// Destroys the client's data key; true when there was one. Irreversible by design.
pub async fn destroy(db: &Db, client_id: &str) -> Result<bool> {
    let n = with_write!(db, pool => sqlx::query(DESTROY).bind(client_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Re-seals every check-in need and message body still sealed with the deployment key under its
/// client's own key (run at start; once done, one query per table that finds nothing). Each row
/// is only replaced if it still holds the value read, so a concurrent write is never
/// overwritten. Returns how many moved.
pub async fn reseal_legacy(db: &Db, vault: &Vault) -> Result<u64> {
    let mut moved = 0;
    for (select, update, table, column) in [
        (LEGACY_NEEDS, RESEAL_NEED, "checkins", "need"),
        (LEGACY_BODIES, RESEAL_BODY, "messages", "body"),
    ] {
        let rows: Vec<(String, String, Vec<u8>)> = with_pool!(db, pool => sqlx::query_as(select).bind(CLIENT_KEY_ID.to_be_bytes().to_vec()).fetch_all(pool).await)?;
        for (id, client, stored) in rows {
            let place = Place {
                table,
                column,
                row: &id,
            };
            let plain = vault.open(place, &stored)?;
            let key = get_or_create(db, vault, &client).await?;
            let sealed = key.seal(place, &plain);
            moved += with_write!(db, pool => sqlx::query(update).bind(&sealed).bind(&id).bind(&stored).execute(pool).await.map(|r| r.rows_affected()))?;
        }
    }
    Ok(moved)
}
