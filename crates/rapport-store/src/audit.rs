//! The record of who saw a client's data. Append-only: triggers on both databases refuse updates
//! and deletes, so the list a client sees under "who saw my data" cannot be quietly edited.

use serde::Serialize;

use crate::{Db, Result, new_id, now_ms, with_pool, with_write};

/// One recorded view or action on a client's data.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    /// When, Unix ms.
    pub at: i64,
    /// Who looked (account id).
    pub actor_id: String,
    /// The name of who looked, as shown to the client.
    pub actor_name: String,
    /// What they did, a short code such as `view_trend`.
    pub action: String,
    /// What it was about (a relationship id, an export).
    pub subject: String,
}

/// Shared with writes that record their audit row in their own transaction.
pub(crate) const INSERT: &str = "INSERT INTO audit_log (id, at, actor_id, client_id, action, subject) VALUES ($1, $2, $3, $4, $5, $6)";
const FOR_CLIENT: &str = "SELECT a.at, a.actor_id, COALESCE(u.display_name, 'a deleted account') AS actor_name, a.action, a.subject FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE a.client_id = $1 ORDER BY a.at DESC, a.id DESC";
const PAGE: &str = "SELECT a.at, a.actor_id, COALESCE(u.display_name, 'a deleted account') AS actor_name, a.action, a.subject FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE a.client_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2 OFFSET $3";

/// Records that `actor_id` did `action` on `client_id`'s data about `subject`.
pub async fn record(
    db: &Db,
    actor_id: &str,
    client_id: &str,
    action: &str,
    subject: &str,
) -> Result<()> {
    with_write!(db, pool => sqlx::query(INSERT).bind(new_id()).bind(now_ms()).bind(actor_id).bind(client_id).bind(action).bind(subject).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Everything recorded about a client's data, newest first (the export; pages use [`page`]).
pub async fn for_client(db: &Db, client_id: &str) -> Result<Vec<AuditEntry>> {
    Ok(with_pool!(db, pool => sqlx::query_as(FOR_CLIENT).bind(client_id).fetch_all(pool).await)?)
}

/// One page of [`for_client`]: `size` entries after skipping `(page - 1) × size`, and whether
/// older ones follow. Lists people read are paged, so a long history never loads whole.
pub async fn page(
    db: &Db,
    client_id: &str,
    page: u32,
    size: u32,
) -> Result<(Vec<AuditEntry>, bool)> {
    let offset = i64::from(page.saturating_sub(1)) * i64::from(size);
    let mut rows: Vec<AuditEntry> = with_pool!(db, pool => sqlx::query_as(PAGE).bind(client_id).bind(i64::from(size) + 1).bind(offset).fetch_all(pool).await)?;
    let more = rows.len() > size as usize;
    rows.truncate(size as usize);
    Ok((rows, more))
}

/// Rows per multi-row `INSERT` of [`record_many`]: six parameters each, far below either
/// database's limit on parameters per statement (SQLite 32,766, PostgreSQL 65,535).
const ROWS_PER_INSERT: usize = 500;

/// `INSERT … VALUES ($1, …, $6), ($7, …, $12), …` for `rows` rows, the same text on both
/// databases.
fn insert_rows(rows: usize) -> String {
    let values = (0..rows)
        .map(|r| {
            let b = r * 6;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("INSERT INTO audit_log (id, at, actor_id, client_id, action, subject) VALUES {values}")
}

/// Records several views by one actor at once (a caseload page shows many clients): all are
/// recorded or none, and the page is not shown without its records. One statement (one round
/// trip, one commit) per [`ROWS_PER_INSERT`] views instead of one per view; more than that go in
/// one transaction.
pub async fn record_many(
    db: &Db,
    actor_id: &str,
    action: &str,
    views: &[(&str, &str)],
) -> Result<()> {
    if views.is_empty() {
        return Ok(());
    }
    let at = now_ms();
    let ids: Vec<String> = views.iter().map(|_| new_id()).collect();
    let statements: Vec<(String, usize)> = views
        .chunks(ROWS_PER_INSERT)
        .enumerate()
        .map(|(i, c)| (insert_rows(c.len()), i * ROWS_PER_INSERT))
        .collect();
    macro_rules! bound {
        ($sql:expr, $start:expr) => {{
            let mut q = sqlx::query($sql);
            for (k, (client_id, subject)) in
                views[$start..].iter().take(ROWS_PER_INSERT).enumerate()
            {
                q = q
                    .bind(&ids[$start + k])
                    .bind(at)
                    .bind(actor_id)
                    .bind(*client_id)
                    .bind(action)
                    .bind(*subject);
            }
            q
        }};
    }
    if let [(sql, start)] = statements.as_slice() {
        with_write!(db, pool => bound!(sql, *start).execute(pool).await.map(|r| r.rows_affected()))?;
    } else {
        crate::with_tx!(db, tx => {
            for (sql, start) in &statements {
                bound!(sql, *start).execute(&mut *tx).await?;
            }
        });
    }
    Ok(())
}
