//! The matching rules as SQL, for the benchmark's baseline: the same hard filters and the same
//! score as the engine, over indexed tables, in one query text for SQLite and PostgreSQL.
//!
//! Listings go into `bench_listings` (one row of scalars each) and `bench_tags` (one row per
//! set member: language, jurisdiction, population, concern, modality, ethnicity, insurer, free
//! hour), with `bench_effectiveness` for measured ratings. Every number in a query is a bound
//! `DOUBLE PRECISION` parameter and every sum is written in the engine's order, so both databases
//! compute bit-for-bit the scores the engine computes; ties are ordered by id in byte order
//! (`COLLATE "C"`), as the engine orders them.

use rapport_core::matching::{Request, Weights};
use sqlx::{PgConnection, SqliteConnection};

/// A connection to one of the two databases.
pub enum Conn {
    /// SQLite (a scratch file).
    Sqlite(SqliteConnection),
    /// PostgreSQL (a scratch schema).
    Postgres(PgConnection),
}

impl Conn {
    /// Closes the connection (errors on closing a scratch database do not matter).
    pub async fn close(self) {
        let _ = match self {
            Conn::Sqlite(c) => sqlx::Connection::close(c).await,
            Conn::Postgres(c) => sqlx::Connection::close(c).await,
        };
    }
}

/// One bound value.
#[derive(Clone, Debug)]
enum Arg {
    F(f64),
    I(i64),
    T(String),
}

/// Runs `$q` (a `sqlx::query…` with `$args` bound) on whichever connection `$conn` is.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            Conn::Sqlite($c) => $body,
            Conn::Postgres($c) => $body,
        }
    };
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::F(x) => q.bind(*x),
                Arg::I(x) => q.bind(*x),
                Arg::T(x) => q.bind(x.as_str()),
            };
        }
        q
    }};
}

mod load;
mod query;

pub use load::load;

/// Runs one statement with its parameters.
async fn execute(conn: &mut Conn, sql: &str, args: &[Arg]) -> anyhow::Result<()> {
    on_conn!(conn, c => { bind_all!(sqlx::query(sql), args).execute(&mut *c).await?; });
    Ok(())
}

/// One result row: id, score, and the number of listings that passed every filter.
pub type Row = (String, f64, i64);

/// Answers one request with SQL.
pub async fn search(conn: &mut Conn, req: &Request, w: &Weights) -> anyhow::Result<Vec<Row>> {
    let (sql, args) = query::build(req, w);
    let rows: Vec<Row> =
        on_conn!(conn, c => bind_all!(sqlx::query_as(&sql), &args).fetch_all(&mut *c).await?);
    Ok(rows)
}
