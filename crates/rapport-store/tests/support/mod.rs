//! What the store's integration tests share: which databases to run on and a fresh, migrated
//! database of each kind.
#![allow(dead_code)]

use rapport_store::Db;

/// `false` for SQLite, `true` for PostgreSQL: SQLite always, PostgreSQL when
/// `RAPPORT_TEST_POSTGRES_URL` is set. In CI (`CI=true`) a missing URL fails instead of
/// skipping, so "passes on both databases" cannot silently mean "passed on one".
pub fn backends() -> Vec<bool> {
    match std::env::var("RAPPORT_TEST_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => vec![false, true],
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but RAPPORT_TEST_POSTGRES_URL is not set")
        }
        _ => vec![false],
    }
}

/// A migrated database of its own: a schema named `<prefix>_<uuid>` on PostgreSQL, or a SQLite
/// file in `dir`.
pub async fn fresh_in(postgres: bool, prefix: &str, dir: &std::path::Path) -> Db {
    let _ = rustls::crypto::ring::default_provider().install_default();
    if postgres {
        let url = std::env::var("RAPPORT_TEST_POSTGRES_URL").unwrap();
        let schema = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        Db::connect_postgres_schema(&url, &schema).await.unwrap()
    } else {
        std::fs::create_dir_all(dir).unwrap();
        Db::open_sqlite_file(&dir.join("rapport.db")).await.unwrap()
    }
}

/// [`fresh_in`] with a new temporary folder for SQLite.
pub async fn fresh(postgres: bool, prefix: &str) -> Db {
    let dir = std::env::temp_dir().join(format!(
        "rapport-{prefix}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    fresh_in(postgres, prefix, &dir).await
}
