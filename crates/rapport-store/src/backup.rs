//! Logical backups that restore on either database: `rapport backup` / `rapport restore`.
//!
//! One format for both backends (a header line, then one JSON line per row, table by table in
//! creation order; values are bound by the restoring database's own column types), so a practice
//! can also move from SQLite to PostgreSQL when it outgrows one machine. The dump runs inside one read transaction (a consistent snapshot while the server
//! keeps serving). The header carries the row counts and a SHA-256 of every row line: a restore
//! reads and checks the whole file before it writes anything, then writes everything in one
//! transaction into an empty database and compares the counts again.
//!
//! Encrypted columns are copied as ciphertext: the key file must be backed up too (separately).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::BTreeMap;

use crate::crypto::encode_hex;
use crate::{Backend, Db, Result, StoreError, with_tx};

const FORMAT: &str = "rapport-backup";
const FORMAT_VERSION: u32 = 1;

/// The first line of a backup file.
#[derive(Debug, Serialize, Deserialize)]
pub struct Header {
    /// Always `rapport-backup`.
    pub format: String,
    /// Format version.
    pub version: u32,
    /// The newest schema migration applied when the backup was taken.
    pub schema_version: i64,
    /// Tables in restore order, with their columns and row counts.
    pub tables: Vec<TableInfo>,
    /// SHA-256 of every row line (with its newline), hex.
    pub sha256: String,
}

/// One table of a backup.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableInfo {
    /// Table name.
    pub name: String,
    /// Column names, in the order of each row's values.
    pub columns: Vec<String>,
    /// How many rows.
    pub rows: u64,
}

/// Why a backup file was refused.
fn refused(reason: impl Into<String>) -> StoreError {
    StoreError::Refused(format!("backup refused: {}", reason.into()))
}

const SQLITE_TABLES: &str = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid";
const PG_TABLES: &str = "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.oid";
const SQLITE_COLUMNS: &str = "SELECT name, type FROM pragma_table_info($1) ORDER BY cid";
const PG_COLUMNS: &str = "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position";

/// How a column's values are bound, from its declared type on this backend.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Int,
    Bool,
    Float,
    Text,
    Bytes,
}

fn kind_of(declared: &str) -> Kind {
    let d = declared.to_ascii_lowercase();
    if d.contains("bool") {
        Kind::Bool
    } else if d.contains("int") {
        Kind::Int
    } else if d.contains("real")
        || d.contains("double")
        || d.contains("float")
        || d.contains("numeric")
    {
        Kind::Float
    } else if d.contains("blob") || d.contains("bytea") {
        Kind::Bytes
    } else {
        Kind::Text
    }
}

async fn tables(db: &Db) -> Result<Vec<(String, Vec<String>)>> {
    Ok(typed_tables(db)
        .await?
        .into_iter()
        .map(|(n, cols)| (n, cols.into_iter().map(|(c, _)| c).collect()))
        .collect())
}

async fn typed_tables(db: &Db) -> Result<Vec<(String, Vec<(String, Kind)>)>> {
    let (q_tables, q_columns) = match db.backend() {
        Backend::Sqlite => (SQLITE_TABLES, SQLITE_COLUMNS),
        Backend::Postgres => (PG_TABLES, PG_COLUMNS),
    };
    let names: Vec<String> =
        crate::with_pool!(db, pool => sqlx::query_scalar(q_tables).fetch_all(pool).await)?;
    let mut out = Vec::new();
    for name in names {
        let cols: Vec<(String, String)> = crate::with_pool!(db, pool => sqlx::query_as(q_columns).bind(&name).fetch_all(pool).await)?;
        out.push((
            name,
            cols.into_iter().map(|(c, t)| (c, kind_of(&t))).collect(),
        ));
    }
    Ok(out)
}

fn quote_ident(name: &str) -> Result<String> {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty() {
        Ok(format!("\"{name}\""))
    } else {
        Err(refused(format!("unexpected table or column name {name:?}")))
    }
}

/// Turns one cell into a tagged JSON value, trying the few types the schema uses.
fn cell<R: Row>(row: &R, i: usize) -> Value
where
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Vec<u8>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map_or(Value::Null, |v| json!({"i": v}));
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        return v.map_or(Value::Null, |v| json!({"b": v}));
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map_or(Value::Null, |v| json!({"f": v}));
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v.map_or(Value::Null, |v| json!({"s": v}));
    }
    if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
        return v.map_or(Value::Null, |v| json!({"x": encode_hex(&v)}));
    }
    Value::Null
}

/// Writes a consistent logical backup of every table to `out`; returns the header written.
pub async fn dump(db: &Db, out: &mut impl std::io::Write) -> Result<Header> {
    let io = |e: std::io::Error| StoreError::Corrupt(format!("cannot write the backup: {e}"));
    let mut body: Vec<u8> = Vec::new();
    let mut infos = Vec::new();
    let schema_version: i64;
    let tables = tables(db).await?;
    with_tx!(db, tx => {
        schema_version = sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(version), 0) FROM schema_versions").fetch_one(&mut *tx).await?;
        for (name, columns) in &tables {
            let cols: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect::<Result<_>>()?;
            let sql = format!("SELECT {} FROM {} ORDER BY 1", cols.join(", "), quote_ident(name)?);
            let rows = sqlx::query(&sql).fetch_all(&mut *tx).await?;
            for row in &rows {
                let values: Vec<Value> = (0..row.columns().len()).map(|i| cell(row, i)).collect();
                serde_json::to_writer(&mut body, &json!({"t": name, "v": values})).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                body.push(b'\n');
            }
            infos.push(TableInfo { name: name.clone(), columns: columns.clone(), rows: rows.len() as u64 });
        }
    });
    let header = Header {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        schema_version,
        tables: infos,
        sha256: encode_hex(&Sha256::digest(&body)),
    };
    serde_json::to_writer(&mut *out, &header).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    out.write_all(b"\n").map_err(io)?;
    out.write_all(&body).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(header)
}

/// Writes a backup of `db` to the file at `path`, owner-only (0600, whatever the umask: it holds
/// every answer and password hash) and whole or not at all: it is written to `<path>.partial`,
/// synced, then renamed into place, so a failed run never leaves a truncated backup under the
/// real name.
pub async fn write_file(db: &Db, path: &std::path::Path) -> Result<Header> {
    let tmp = path.with_extension("partial");
    let failed = |what: &str, p: &std::path::Path, e: std::io::Error| {
        StoreError::Refused(format!("cannot {what} {}: {e}", p.display()))
    };
    let file = crate::files::create_private_file(&tmp).map_err(|e| failed("create", &tmp, e))?;
    let mut out = std::io::BufWriter::new(file);
    let header = dump(db, &mut out).await?;
    out.into_inner()
        .map_err(|e| failed("write", &tmp, e.into_error()))?
        .sync_all()
        .map_err(|e| failed("sync", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| failed("move the finished backup to", path, e))?;
    Ok(header)
}

/// A backup read into memory and checked: header, checksum, every line's table and width.
pub struct Checked {
    header: Header,
    rows: Vec<(usize, Vec<Value>)>,
}

impl Checked {
    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }
}

/// Reads and checks a whole backup without touching any database.
pub fn check(text: &str) -> Result<Checked> {
    let (first, body) = text
        .split_once('\n')
        .ok_or_else(|| refused("the file is empty or has no header line"))?;
    let header: Header = serde_json::from_str(first).map_err(|e| {
        refused(format!(
            "the header line is not a Rapport backup header ({e})"
        ))
    })?;
    if header.format != FORMAT || header.version != FORMAT_VERSION {
        return Err(refused(format!(
            "unknown format {} version {}",
            header.format, header.version
        )));
    }
    let digest = encode_hex(&Sha256::digest(body.as_bytes()));
    if digest != header.sha256 {
        return Err(refused(
            "the checksum does not match: the file is damaged or was edited",
        ));
    }
    let index: BTreeMap<&str, usize> = header
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let mut counts = vec![0u64; header.tables.len()];
    let mut rows = Vec::new();
    for (n, line) in body.lines().enumerate() {
        let v: Value =
            serde_json::from_str(line).map_err(|e| refused(format!("line {}: {e}", n + 2)))?;
        let table = v["t"]
            .as_str()
            .and_then(|t| index.get(t).copied())
            .ok_or_else(|| refused(format!("line {}: unknown table", n + 2)))?;
        let values = v["v"].as_array().cloned().unwrap_or_default();
        if values.len() != header.tables[table].columns.len() {
            return Err(refused(format!(
                "line {}: wrong number of values for {}",
                n + 2,
                header.tables[table].name
            )));
        }
        counts[table] += 1;
        rows.push((table, values));
    }
    for (t, c) in header.tables.iter().zip(&counts) {
        if t.rows != *c {
            return Err(refused(format!(
                "table {} has {c} rows, the header says {}",
                t.name, t.rows
            )));
        }
    }
    Ok(Checked { header, rows })
}

/// Restores a checked backup into `db`, which must be migrated to the same schema version and
/// hold no data; all or nothing.
pub async fn restore(db: &Db, backup: &Checked) -> Result<()> {
    let live = typed_tables(db).await?;
    let current: i64 = crate::with_pool!(db, pool => sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_versions").fetch_one(pool).await)?;
    if current != backup.header.schema_version {
        return Err(refused(format!(
            "the backup is at schema version {}, this database at {current}",
            backup.header.schema_version
        )));
    }
    for t in &backup.header.tables {
        let Some((_, cols)) = live.iter().find(|(n, _)| *n == t.name) else {
            return Err(refused(format!("table {} does not exist here", t.name)));
        };
        if cols.iter().map(|(c, _)| c).ne(t.columns.iter()) {
            return Err(refused(format!(
                "table {} has different columns here",
                t.name
            )));
        }
    }
    let inserts: Vec<String> = backup
        .header
        .tables
        .iter()
        .map(|t| {
            let cols: Vec<String> = t
                .columns
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Result<_>>()?;
            Ok(format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quote_ident(&t.name)?,
                cols.join(", "),
                crate::placeholders(cols.len())
            ))
        })
        .collect::<Result<_>>()?;
    let kinds: Vec<Vec<Kind>> = backup
        .header
        .tables
        .iter()
        .map(|t| {
            live.iter()
                .find(|(n, _)| *n == t.name)
                .map(|(_, c)| c.iter().map(|(_, k)| *k).collect())
                .unwrap_or_default()
        })
        .collect();
    with_tx!(db, tx => {
        if db.backend() == Backend::Sqlite {
            // A table rebuilt by a migration moves to the end of SQLite's creation order; checking
            // foreign keys at commit keeps the restore independent of that order.
            sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await?;
        }
        for t in &backup.header.tables {
            if t.name == "schema_versions" {
                continue;
            }
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote_ident(&t.name)?)).fetch_one(&mut *tx).await?;
            if n > 0 {
                return Err(refused(format!("the database is not empty (table {} has rows); restore into a fresh database", t.name)));
            }
        }
        for (table, values) in &backup.rows {
            if backup.header.tables[*table].name == "schema_versions" {
                continue;
            }
            let mut q = sqlx::query(&inserts[*table]);
            for (v, kind) in values.iter().zip(&kinds[*table]) {
                let int = v.get("i").and_then(Value::as_i64).or_else(|| v.get("b").and_then(Value::as_bool).map(i64::from));
                q = match kind {
                    Kind::Int => q.bind(int),
                    Kind::Bool => q.bind(v.get("b").and_then(Value::as_bool).or(int.map(|i| i != 0))),
                    Kind::Float => q.bind(v.get("f").and_then(Value::as_f64).or(int.map(|i| i as f64))),
                    Kind::Text => q.bind(v.get("s").and_then(Value::as_str).map(str::to_owned)),
                    Kind::Bytes => q.bind(v.get("x").and_then(Value::as_str).and_then(decode_hex)),
                };
            }
            q.execute(&mut *tx).await?;
        }
        // Restoring relationships and check-ins fires the triggers that move their client's
        // data_version; put back the versions the backup holds, so the restore is exact.
        if let Some(users) = backup.header.tables.iter().position(|t| t.name == "users") {
            let cols = &backup.header.tables[users].columns;
            let id = cols.iter().position(|c| c == "id");
            let version = cols.iter().position(|c| c == "data_version");
            if let (Some(id), Some(version)) = (id, version) {
                for (_, values) in backup.rows.iter().filter(|(t, _)| *t == users) {
                    sqlx::query("UPDATE users SET data_version = $1 WHERE id = $2")
                        .bind(values[version].get("i").and_then(Value::as_i64).unwrap_or(0))
                        .bind(values[id].get("s").and_then(Value::as_str))
                        .execute(&mut *tx).await?;
                }
            }
        }
    });
    Ok(())
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Row counts per table, for comparing a database with a backup (and two databases).
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for (name, _) in tables(db).await? {
        let n: i64 = crate::with_pool!(db, pool => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote_ident(&name)?)).fetch_one(pool).await)?;
        out.push((name, n));
    }
    Ok(out)
}

/// SQLite's own consistency check (`PRAGMA integrity_check`); PostgreSQL checks itself.
pub async fn integrity_check(db: &Db) -> Result<()> {
    if let Db::Sqlite(s) = db {
        let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&s.pool)
            .await?;
        if verdict != "ok" {
            return Err(StoreError::Corrupt(format!(
                "integrity check failed: {verdict}"
            )));
        }
    }
    Ok(())
}
