//! `haversine_km(lat1, lon1, lat2, lon2)` for SQLite.
//!
//! The SQLite that sqlx bundles is built without its math functions (no `sin`, `asin`), so the
//! distance cannot be written in SQL there. It is registered as an application function that
//! calls the core's [`haversine_km`], the very function the engine uses: the SQL baseline then
//! filters and scores on bit-identical distances. (PostgreSQL gets the same formula in SQL.)

use rapport_core::matching::haversine_km;
use sqlx::SqliteConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use std::ffi::{CString, c_int};
use std::path::Path;

use libsqlite3_sys as ffi;

/// Called by SQLite with exactly four arguments (the function is registered with `nArg = 4`).
unsafe extern "C" fn haversine(
    ctx: *mut ffi::sqlite3_context,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite passes `argc` valid value pointers in `argv` for the duration of the call.
    let args = unsafe { std::slice::from_raw_parts(argv, argc as usize) };
    let [lat1, lon1, lat2, lon2] =
        [0, 1, 2, 3].map(|i| unsafe { ffi::sqlite3_value_double(args[i]) });
    unsafe { ffi::sqlite3_result_double(ctx, haversine_km(lat1, lon1, lat2, lon2)) };
}

/// Opens (creating) a scratch database at `path` for the benchmark: one connection, tuned for
/// bulk loading (no journal, no fsync: the file is thrown away), with a byte-order `C`
/// collation (as in PostgreSQL) and `haversine_km` registered.
pub async fn open(path: &Path) -> anyhow::Result<SqliteConnection> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off)
        .pragma("cache_size", "-262144")
        .pragma("temp_store", "memory")
        .collation("C", |a: &str, b: &str| a.cmp(b))
        .disable_statement_logging();
    let mut conn = SqliteConnection::connect_with(&opts).await?;
    let name = CString::new("haversine_km")?;
    {
        let mut handle = conn.lock_handle().await?;
        let db = handle.as_raw_handle().as_ptr();
        // SAFETY: `db` is the live connection held locked above; the name outlives the call
        // (SQLite copies it) and the function keeps no state.
        let rc = unsafe {
            ffi::sqlite3_create_function_v2(
                db,
                name.as_ptr(),
                4,
                ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC,
                std::ptr::null_mut(),
                Some(haversine),
                None,
                None,
                None,
            )
        };
        anyhow::ensure!(
            rc == ffi::SQLITE_OK,
            "cannot register haversine_km in SQLite (code {rc})"
        );
    }
    conn.ping().await?;
    Ok(conn)
}
