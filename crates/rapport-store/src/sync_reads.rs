//! Reads of the embedded database on the calling thread, for the one lookup every request makes.
//!
//! sqlx runs each SQLite connection on a thread of its own: a query is handed to that thread and
//! its row handed back, two thread wake-ups per query. For the session lookup (a primary-key read
//! of pages already in memory, a few microseconds) the wake-ups cost far more than the query:
//! under load, switching threads was most of what the server did for a page answered from memory.
//! These read-only connections run such a lookup on the thread that asks.
//!
//! They see exactly what the pool sees: in WAL mode each statement reads the latest committed
//! state, whichever connection or process committed it, and readers never wait for writers. They
//! cannot write (opened read-only). Whenever they cannot answer (a file that cannot be opened, a
//! database an instant busy with recovery, any error at all) the caller asks the pool instead, so
//! this path only ever makes a lookup faster, never different.

use crate::Db;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Params, Row};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many idle connections are kept: about one per thread that may ask at once.
const KEEP_IDLE: usize = 8;

/// Read-only connections to one database file, lent out one lookup at a time.
pub struct SyncReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    served: AtomicU64,
}

impl std::fmt::Debug for SyncReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncReads")
            .field("path", &self.path)
            .field("served", &self.served())
            .finish()
    }
}

impl SyncReads {
    /// Reads of the database file at `path`; nothing is opened until the first lookup.
    pub(crate) fn new(path: PathBuf) -> Self {
        SyncReads {
            path,
            idle: Mutex::new(Vec::new()),
            served: AtomicU64::new(0),
        }
    }

    /// How many lookups were answered here (the rest went to the pool).
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    /// The one row `sql` selects (or none), mapped by `map`; `None` when this path could not
    /// answer and the caller must ask the pool. `sql` is the same text the pool runs: SQLite
    /// numbers `$1`, `$2`… by first appearance, so positional parameters bind the same way.
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        params: impl Params,
        map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Option<Option<T>> {
        let conn = self.take()?;
        let found = conn
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.query_row(params, map).optional());
        match found {
            Ok(found) => {
                self.give_back(conn);
                self.served.fetch_add(1, Ordering::Relaxed);
                Some(found)
            }
            // A connection that failed once is dropped rather than trusted again.
            Err(_) => None,
        }
    }

    fn take(&self) -> Option<Connection> {
        if let Some(conn) = self.idle.lock().ok()?.pop() {
            return Some(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        // Never sleep on this thread: a busy database sends the lookup to the pool instead.
        conn.busy_timeout(std::time::Duration::ZERO).ok()?;
        conn.set_prepared_statement_cache_capacity(4);
        Some(conn)
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEEP_IDLE
        {
            idle.push(conn);
        }
    }
}

impl Db {
    /// The one row `sql` selects, read on the calling thread (see [`SyncReads`]); `None` when
    /// that cannot be done here (PostgreSQL, an in-memory database, any error) and the caller
    /// must run the same query through the pool.
    pub(crate) fn row_on_thread<T>(
        &self,
        sql: &str,
        params: impl Params,
        map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Option<Option<T>> {
        match self {
            Db::Sqlite(s) => s.reads.as_ref()?.row(sql, params, map),
            Db::Postgres(_) => None,
        }
    }
}
