//! Schema migrations, embedded in the binary and applied at start.
//!
//! A tiny runner of our own instead of `sqlx::migrate!`: it needs no build-time macros, and it
//! keeps the two dialect folders side by side with the same file names, which the parity test
//! relies on.

use crate::{Backend, Db, Result, StoreError, now_ms};

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
    Migration {
        version: 3,
        sqlite: include_str!("../migrations/sqlite/0003_instruments.sql"),
        postgres: include_str!("../migrations/postgres/0003_instruments.sql"),
    },
    Migration {
        version: 4,
        sqlite: include_str!("../migrations/sqlite/0004_matching.sql"),
        postgres: include_str!("../migrations/postgres/0004_matching.sql"),
    },
    Migration {
        version: 5,
        sqlite: include_str!("../migrations/sqlite/0005_care.sql"),
        postgres: include_str!("../migrations/postgres/0005_care.sql"),
    },
    Migration {
        version: 6,
        sqlite: include_str!("../migrations/sqlite/0006_feedback.sql"),
        postgres: include_str!("../migrations/postgres/0006_feedback.sql"),
    },
    Migration {
        version: 7,
        sqlite: include_str!("../migrations/sqlite/0007_practice_waitlist.sql"),
        postgres: include_str!("../migrations/postgres/0007_practice_waitlist.sql"),
    },
    Migration {
        version: 8,
        sqlite: include_str!("../migrations/sqlite/0008_data_version.sql"),
        postgres: include_str!("../migrations/postgres/0008_data_version.sql"),
    },
    Migration {
        version: 9,
        sqlite: include_str!("../migrations/sqlite/0009_token_expiry.sql"),
        postgres: include_str!("../migrations/postgres/0009_token_expiry.sql"),
    },
    Migration {
        version: 10,
        sqlite: include_str!("../migrations/sqlite/0010_relationship_acceptance.sql"),
        postgres: include_str!("../migrations/postgres/0010_relationship_acceptance.sql"),
    },
    Migration {
        version: 11,
        sqlite: include_str!("../migrations/sqlite/0011_outbox_practice.sql"),
        postgres: include_str!("../migrations/postgres/0011_outbox_practice.sql"),
    },
    Migration {
        version: 12,
        sqlite: include_str!("../migrations/sqlite/0012_time_zones.sql"),
        postgres: include_str!("../migrations/postgres/0012_time_zones.sql"),
    },
    Migration {
        version: 13,
        sqlite: include_str!("../migrations/sqlite/0013_consultation_answers.sql"),
        postgres: include_str!("../migrations/postgres/0013_consultation_answers.sql"),
    },
    Migration {
        version: 14,
        sqlite: include_str!("../migrations/sqlite/0014_stage_version.sql"),
        postgres: include_str!("../migrations/postgres/0014_stage_version.sql"),
    },
    Migration {
        version: 15,
        sqlite: include_str!("../migrations/sqlite/0015_alert_acknowledgement.sql"),
        postgres: include_str!("../migrations/postgres/0015_alert_acknowledgement.sql"),
    },
    Migration {
        version: 16,
        sqlite: include_str!("../migrations/sqlite/0016_kept_forms.sql"),
        postgres: include_str!("../migrations/postgres/0016_kept_forms.sql"),
    },
];

const CREATE_VERSIONS: &str = "CREATE TABLE IF NOT EXISTS schema_versions (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";
const APPLIED: &str = "SELECT version FROM schema_versions ORDER BY version";
const RECORD: &str = "INSERT INTO schema_versions (version, applied_at) VALUES ($1, $2)";
/// PostgreSQL only: one lock for every migration runner on the database, held until the
/// transaction ends (the key is "rapport" in ASCII, read as a big-endian integer).
const PG_LOCK: &str = "SELECT pg_advisory_xact_lock(32195282895598196)";

/// Applies every migration not yet recorded, all in one transaction with their version rows (both
/// databases have transactional DDL), so the schema moves forward whole or not at all.
///
/// Several app servers may start at once against one database: the transaction first takes a
/// lock (`BEGIN IMMEDIATE` on SQLite, an advisory lock on PostgreSQL) and only then reads which
/// versions are applied, so a second runner waits and then finds nothing left to do instead of
/// failing on tables the first one just created.
pub async fn run(db: &Db) -> Result<()> {
    run_up_to(db, i64::MAX).await
}

/// [`run`], stopping after `version`: for tests of a data migration, which need rows written
/// under the old schema first.
pub async fn run_up_to(db: &Db, version: i64) -> Result<()> {
    crate::with_tx!(db, tx => {
        if db.backend() == Backend::Postgres {
            sqlx::query(PG_LOCK).execute(&mut *tx).await?;
        }
        sqlx::query(CREATE_VERSIONS).execute(&mut *tx).await?;
        let applied: Vec<i64> = sqlx::query_scalar(APPLIED).fetch_all(&mut *tx).await?;
        if let Some(newest) = applied.iter().max()
            && *newest > MIGRATIONS.last().map_or(0, |m| m.version)
        {
            return Err(StoreError::Corrupt(format!(
                "the database is at schema version {newest}, newer than this program knows; upgrade Rapport"
            )));
        }
        for m in MIGRATIONS
            .iter()
            .filter(|m| !applied.contains(&m.version) && m.version <= version)
        {
            let ddl = match db.backend() {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            // `Executor::execute` with plain text runs several statements (simple protocol on
            // PostgreSQL); `raw_sql` would too, but its bounds make the future non-`Send`.
            sqlx::Executor::execute(&mut *tx, ddl).await?;
            sqlx::query(RECORD).bind(m.version).bind(now_ms()).execute(&mut *tx).await?;
        }
    });
    Ok(())
}
