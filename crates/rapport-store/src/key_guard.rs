//! The rule that keeps encrypted data and its key together: a key file is created only for a
//! database that holds no sealed value, and a key file that cannot open what the database holds
//! is refused at start.
//!
//! Without it, a server started beside a restored database (or with a mistyped `--key-file`)
//! quietly made a new key, answered errors on every old page and sealed new writes with a key
//! nobody had backed up. Now the process stops with one line saying which key is missing.

use std::collections::BTreeSet;
use std::path::Path;

use crate::crypto::{CLIENT_KEY_ID, KeyFileError};
use crate::rotation::SEALED;
use crate::{Db, StoreError, Vault, with_pool};

/// Why the deployment's keys do not fit its database.
#[derive(Debug, thiserror::Error)]
pub enum KeyGuardError {
    /// No key file, but the database holds values sealed with a deployment key.
    #[error(
        "the key file {path} is missing, but the database holds values encrypted with key {ids}: put back the key file from the same backup (or point --key-file at it). Rapport never makes a new key for a database that already holds encrypted data"
    )]
    Missing {
        /// The key file looked for.
        path: String,
        /// The key ids the database's values need.
        ids: String,
    },
    /// A key file that lacks keys the database's values were sealed with.
    #[error(
        "the key file {path} does not hold key {ids}, which this database's encrypted values need: is it the key file of this database? Put back the key file from the same backup"
    )]
    Foreign {
        /// The key file.
        path: String,
        /// The missing key ids.
        ids: String,
    },
    /// The key file could not be read or written.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The database could not be read.
    #[error("cannot read the database to check its keys: {0}")]
    Store(#[from] StoreError),
}

/// The deployment key ids the database's sealed values were written with (values sealed with a
/// client's own key are reached through `user_keys.wrapped`, which is itself listed).
pub async fn key_ids_in_use(db: &Db) -> Result<BTreeSet<u32>, StoreError> {
    let mut ids = BTreeSet::new();
    for (table, column, _) in SEALED {
        let sql = format!(
            "SELECT DISTINCT substr({column}, 1, 4) FROM {table} WHERE {column} IS NOT NULL"
        );
        let prefixes: Vec<(Vec<u8>,)> =
            with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        ids.extend(
            prefixes
                .iter()
                .filter_map(|(prefix,)| Vault::key_id_of(prefix))
                .filter(|id| *id != CLIENT_KEY_ID),
        );
    }
    Ok(ids)
}

/// Loads the key file at `path` and checks it opens what `db` holds; creates it only when it is
/// missing and `db` holds no sealed value. `db` must be migrated.
pub async fn open_vault(db: &Db, path: &Path) -> Result<Vault, KeyGuardError> {
    match Vault::load(path) {
        Ok(vault) => {
            check(db, &vault, path).await?;
            Ok(vault)
        }
        Err(KeyFileError::Missing { path: shown }) => {
            let in_use = key_ids_in_use(db).await?;
            if !in_use.is_empty() {
                return Err(KeyGuardError::Missing {
                    path: shown,
                    ids: list(&in_use),
                });
            }
            Ok(Vault::create(path)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Refuses a vault that lacks a key the database's sealed values need.
pub async fn check(db: &Db, vault: &Vault, path: &Path) -> Result<(), KeyGuardError> {
    let have: BTreeSet<u32> = vault.key_ids().collect();
    let lacking: BTreeSet<u32> = key_ids_in_use(db)
        .await?
        .difference(&have)
        .copied()
        .collect();
    if lacking.is_empty() {
        Ok(())
    } else {
        Err(KeyGuardError::Foreign {
            path: path.display().to_string(),
            ids: list(&lacking),
        })
    }
}

fn list(ids: &BTreeSet<u32>) -> String {
    ids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
