//! Rapport's storage: one set of query texts for SQLite and PostgreSQL.
//!
//! [`Db`] is an enum over the two sqlx pools rather than `sqlx::Any`: the native drivers are
//! mature, and the dialect differences we meet are confined to DDL (two migration folders kept in
//! step by a parity test). Every query is written once, as a named constant, and run on whichever
//! pool this deployment uses through [`with_pool!`] and [`with_tx!`].

/// The one condition under which a relationship (aliased `r`) reaches its therapist: the
/// therapist accepted it (see [`relationships::ACCEPTED`]). A macro yielding a literal, so query
/// constants can take it in with `concat!`; defined before the modules so all of them can.
macro_rules! accepted_sql {
    () => {
        "r.accepted_at IS NOT NULL"
    };
}

pub mod alerts;
pub mod audit;
pub mod backup;
#[macro_use]
pub mod care;
pub mod checkins;
pub mod crypto;
mod db;
pub mod erase;
pub mod files;
pub mod instruments;
pub mod keep;
pub mod key_guard;
pub mod listings;
pub mod matching;
pub mod messages;
pub mod migrate;
pub mod outcomes;
pub mod practices;
pub mod relationships;
pub mod rotation;
pub mod sessions;
mod sync_reads;
pub mod tokens;
pub mod user_keys;
pub mod users;

pub use crypto::{DataKey, Vault};
pub use db::{Backend, Db, SqliteDb, SqliteSync, now_ms};
pub use sync_reads::SyncReads;

/// Everything that can go wrong when loading or saving.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule refused the write (for example an e-mail address already in use).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The row asked for does not exist (or is not visible to the caller).
    #[error("not found")]
    NotFound,
    /// Stored ciphertext could not be decrypted (wrong key, tampering, or a missing key id).
    #[error("stored data could not be decrypted")]
    Crypto,
    /// An operation was refused for a reason a person can act on (a damaged backup file, a
    /// non-empty restore target).
    #[error("{0}")]
    Refused(String),
    /// Stored data did not have the expected shape.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// The database itself failed.
    #[error("database: {0}")]
    Db(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e
            && d.is_unique_violation()
        {
            return StoreError::Conflict("already exists");
        }
        StoreError::Db(e)
    }
}

/// Result of a store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A fresh random identifier (UUID v7, so ids sort by creation time), as stored text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Most values bound into one `IN (…)` list; longer lists are read in chunks (SQLite allows
/// 32,766 parameters, PostgreSQL 65,535; a few hundred keeps each statement small).
pub(crate) const IN_LIST_MAX: usize = 500;

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list, the same text on both databases.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
