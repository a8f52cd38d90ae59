//! Connecting to the database and running one query text on either backend.

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use crate::sync_reads::SyncReads;
use crate::{Result, StoreError};

/// The SQLite side: one pool, with writes opened by `BEGIN IMMEDIATE` (see [`with_tx!`]) so that
/// two writers queue on the busy timeout instead of failing when a read lock upgrades.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    /// The connection pool.
    pub pool: SqlitePool,
    /// SQLite lets one connection write at a time. This process's writers ([`with_tx!`],
    /// [`with_write!`]) queue here, first come first served, instead of in SQLite's busy handler,
    /// which sleeps in growing steps (1 ms up to 100 ms) even when the lock is free again a moment
    /// later: under concurrent load that sleeping, not the writing, was most of a write's time.
    /// Other processes (a command run beside the server) still meet the busy timeout.
    pub writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Lookups run on the calling thread (see [`SyncReads`]); `None` for an in-memory database,
    /// which other connections cannot open.
    pub reads: Option<std::sync::Arc<SyncReads>>,
}

/// A connected database, SQLite (embedded, the default) or PostgreSQL.
#[derive(Clone, Debug)]
pub enum Db {
    /// Embedded SQLite in WAL mode.
    Sqlite(SqliteDb),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// How SQLite makes a commit durable.
///
/// `Normal` (the default) is WAL's usual setting: a commit is in the write-ahead log before it is
/// acknowledged, so it survives the process being killed (the crash-safety test proves it), and
/// the log is synced at checkpoints; a power cut or kernel crash can lose the last moments of
/// commits, never corrupt the file. `Full` syncs the log on every commit, surviving power loss too,
/// at the price of one disk flush per write (several times slower on most disks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// Synced at WAL checkpoints.
    #[default]
    Normal,
    /// Synced on every commit.
    Full,
}

/// Which backend a [`Db`] talks to, for the few places that must know (DDL, backups).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Runs `$body` with `$pool` bound to the deployment's pool; the body is compiled once per
/// backend, so it must use only query texts valid on both.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite(s) => {
                let $pool = &s.pool;
                $body
            }
            $crate::Db::Postgres(p) => {
                let $pool = p;
                $body
            }
        }
    };
}

/// [`with_pool!`] for a single-statement write: on SQLite it waits its turn among this process's
/// writers first (see [`SqliteDb::writer`]).
#[macro_export]
macro_rules! with_write {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite(s) => {
                let _writing = s.writer.lock().await;
                let $pool = &s.pool;
                $body
            }
            $crate::Db::Postgres(p) => {
                let $pool = p;
                $body
            }
        }
    };
}

/// Runs `$body` inside one write transaction bound to `$tx`, committing when the body returns
/// `Ok`; an early `?` drops the transaction, which rolls everything back (nothing half-written).
#[macro_export]
macro_rules! with_tx {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite(s) => {
                let _writing = s.writer.lock().await;
                let mut $tx = s.pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::Db::Postgres(p) => {
                let mut $tx = p.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

impl Db {
    /// Connects to `url` (`postgres://…` or `sqlite:…`) and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Db> {
        let db = Db::open(url)?;
        crate::migrate::run(&db).await?;
        Ok(db)
    }

    /// Parses `url` and builds a pool without touching the server yet, so that a database that is
    /// down at start makes `/readyz` fail instead of stopping the process. A malformed URL is
    /// refused here, at start-up.
    pub fn open(url: &str) -> Result<Db> {
        Db::open_with(url, SqliteSync::Normal)
    }

    /// [`Db::open`] with an explicit SQLite commit durability (ignored for PostgreSQL).
    pub fn open_with(url: &str, sync: SqliteSync) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(StoreError::Db)?;
            Ok(Db::Postgres(pg_pool().connect_lazy_with(opts)))
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url).map_err(StoreError::Db)?;
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let file = (!in_memory).then(|| opts.get_filename().to_path_buf());
            if let Some(path) = &file {
                prepare_file(path)?;
            }
            Ok(Db::sqlite_with(opts.create_if_missing(true), sync, file))
        } else {
            Err(StoreError::Corrupt(
                "database URL must start with postgres://, postgresql:// or sqlite:".into(),
            ))
        }
    }

    /// Opens (creating if needed) the embedded database file `path` and applies migrations.
    pub async fn open_sqlite_file(path: &Path) -> Result<Db> {
        prepare_file(path)?;
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        let db = Db::sqlite_with(opts, SqliteSync::Normal, Some(path.to_path_buf()));
        crate::migrate::run(&db).await?;
        Ok(db)
    }

    /// Connects to PostgreSQL with every table in `schema` (created if missing), so that tests
    /// running side by side on one database never see each other's rows.
    pub async fn connect_postgres_schema(url: &str, schema: &str) -> Result<Db> {
        let base = PgConnectOptions::from_str(url).map_err(StoreError::Db)?;
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(base.clone())
            .await?;
        sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
            .execute(&admin)
            .await?;
        admin.close().await;
        let opts = base.options([("search_path", schema)]);
        let db = Db::Postgres(pg_pool().max_connections(4).connect_lazy_with(opts));
        crate::migrate::run(&db).await?;
        Ok(db)
    }

    fn sqlite_with(opts: SqliteConnectOptions, sync: SqliteSync, file: Option<PathBuf>) -> Db {
        let opts = opts
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match sync {
                SqliteSync::Normal => SqliteSynchronous::Normal,
                SqliteSync::Full => SqliteSynchronous::Full,
            })
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_lazy_with(opts);
        Db::Sqlite(SqliteDb {
            pool,
            writer: Default::default(),
            reads: file.map(|f| std::sync::Arc::new(SyncReads::new(f))),
        })
    }

    /// After an erasure, makes what was deleted unrecoverable from the files: `secure_delete`
    /// (set on every SQLite connection) has zeroed the freed pages, and a truncating checkpoint
    /// writes them over the database file and empties the WAL, which still held the old pages.
    /// PostgreSQL keeps dead tuples until vacuumed, and a plain `VACUUM` does not overwrite them
    /// either; what protects free text there is sealing under the client's own key, destroyed
    /// with the account.
    pub async fn scrub_deleted(&self) -> Result<()> {
        if let Db::Sqlite(s) = self {
            let _writing = s.writer.lock().await;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&s.pool)
                .await?;
        }
        Ok(())
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Closes every connection, waiting for in-flight queries (graceful shutdown).
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}

/// Creates a missing SQLite file owner-only before SQLite creates it with the umask's mode (see
/// [`crate::files`]); an existing one is checked and warned about.
fn prepare_file(path: &Path) -> Result<()> {
    crate::files::prepare_sqlite_file(path).map_err(|e| {
        StoreError::Refused(format!(
            "cannot create the database file {} owner-only (0600): {e}",
            path.display()
        ))
    })
}

fn pg_pool() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
}

/// Milliseconds since the Unix epoch: the one time format stored, identical on both backends.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
