//! Schema migrations, embedded in the binary and applied at start.
//!
//! A tiny runner of our own instead of `sqlx::migrate!`: it needs no build-time macros, and it
//! keeps the two dialect folders side by side with the same file names, which the parity test
//! relies on.

use crate::{Db, Result, StoreError, now_ms, with_pool};

/// One migration: its version and the DDL for each backend.
struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        sqlite: include_str!("../migrations/sqlite/0002_messages.sql"),
        postgres: include_str!("../migrations/postgres/0002_messages.sql"),
    },
];

const CREATE_VERSIONS: &str = "CREATE TABLE IF NOT EXISTS schema_versions (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";
const APPLIED: &str = "SELECT version FROM schema_versions ORDER BY version";

/// Applies every migration not yet recorded. Each runs as one script on one connection between
/// `BEGIN` and `COMMIT` (both databases have transactional DDL), together with its version row,
/// so a migration is applied whole or not at all.
pub async fn run(db: &Db) -> Result<()> {
    with_pool!(db, pool => sqlx::query(CREATE_VERSIONS).execute(pool).await.map(|r| r.rows_affected()))?;
    let applied: Vec<i64> =
        with_pool!(db, pool => sqlx::query_scalar(APPLIED).fetch_all(pool).await)?;
    if let Some(newest) = applied.iter().max() {
        if *newest > MIGRATIONS.last().map_or(0, |m| m.version) {
            return Err(StoreError::Corrupt(format!(
                "the database is at schema version {newest}, newer than this program knows; upgrade Rapport"
            )));
        }
    }
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let ddl = match db {
            Db::Sqlite(_) => m.sqlite,
            Db::Postgres(_) => m.postgres,
        };
        let script = format!(
            "BEGIN;\n{ddl}\n;\nINSERT INTO schema_versions (version, applied_at) VALUES ({}, {});\nCOMMIT;",
            m.version,
            now_ms()
        );
        with_pool!(db, pool => sqlx::raw_sql(&script).execute(pool).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}
