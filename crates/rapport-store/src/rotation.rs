//! Key rotation: after a new key is appended to the key file ([`Vault::rotate`]), every value
//! still sealed with an older deployment key is opened and sealed again with the new one, so the
//! old key can eventually be retired. Values sealed with a client's own data key are left alone:
//! those keys are themselves stored wrapped (`user_keys.wrapped`), and re-wrapping them is what
//! moves the client's data under the new deployment key.

use crate::crypto::{CLIENT_KEY_ID, Place};
use crate::{Db, Result, Vault, with_tx};

/// Every column that holds sealed text: (table, column, the column its row id comes from).
pub const SEALED: &[(&str, &str, &str)] = &[
    ("user_keys", "wrapped", "user_id"),
    ("checkins", "need", "id"),
    ("messages", "body", "id"),
    ("appointments", "cancel_message", "id"),
    ("consultations", "message", "id"),
    ("consultations", "reply", "id"),
    ("referrals", "note", "id"),
    ("alerts", "ack_note", "id"),
    ("kept_forms", "body", "id"),
    ("outbox", "body", "id"),
];

/// How many values were sealed again, per column.
#[derive(Debug, Default)]
pub struct Resealed {
    /// (table.column, count)
    pub columns: Vec<(String, u64)>,
}

impl Resealed {
    /// All values sealed again.
    pub fn total(&self) -> u64 {
        self.columns.iter().map(|(_, n)| n).sum()
    }
}

/// Seals every value written with an older deployment key again with the vault's current key;
/// one transaction per column, and each row is only replaced if it did not change meanwhile.
pub async fn reseal_all(db: &Db, vault: &Vault) -> Result<Resealed> {
    let current = vault.current_key_id();
    let mut out = Resealed::default();
    for (table, column, id_col) in SEALED {
        let select = format!("SELECT {id_col}, {column} FROM {table} WHERE {column} IS NOT NULL");
        let update =
            format!("UPDATE {table} SET {column} = $1 WHERE {id_col} = $2 AND {column} = $3");
        let mut n = 0u64;
        with_tx!(db, tx => {
            let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(&select).fetch_all(&mut *tx).await?;
            for (row, stored) in rows {
                let Some(key_id) = Vault::key_id_of(&stored) else { continue };
                if key_id == current || key_id == CLIENT_KEY_ID {
                    continue;
                }
                let place = Place { table, column, row: &row };
                let plain = vault.open(place, &stored)?;
                let fresh = vault.seal(place, &plain);
                sqlx::query(&update).bind(fresh).bind(&row).bind(&stored).execute(&mut *tx).await?;
                n += 1;
            }
        });
        out.columns.push((format!("{table}.{column}"), n));
    }
    Ok(out)
}
