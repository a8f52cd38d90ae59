//! The store conformance suite's shared parts: a database of its own per test on SQLite (a
//! temporary file) and on PostgreSQL (a schema), the macro that runs each case on both, and small
//! readers of what was stored.
#![allow(dead_code)]

use rapport_store::crypto::Place;
use rapport_store::relationships;
use rapport_store::users::{self, Role, User};
use rapport_store::{Db, with_pool};
use std::path::PathBuf;
use std::str::FromStr;

/// The PostgreSQL URL to test against; `None` skips the PostgreSQL half outside CI.
pub fn postgres_url() -> Option<String> {
    match std::env::var("RAPPORT_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "CI=true but RAPPORT_TEST_POSTGRES_URL is not set: the PostgreSQL half of the store suite would be skipped"
        ),
        _ => None,
    }
}

pub fn temp_dir() -> PathBuf {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = std::env::temp_dir().join(format!(
        "rapport-store-test-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One test's database, with what is needed to remove it afterwards.
pub struct TestDb {
    pub db: Db,
    pub dir: PathBuf,
    /// The PostgreSQL URL and this test's schema, on PostgreSQL.
    pub postgres: Option<(String, String)>,
}

impl TestDb {
    /// A migrated SQLite file of its own.
    pub async fn sqlite() -> TestDb {
        let dir = temp_dir();
        let db = Db::open_sqlite_file(&dir.join("rapport.db")).await.unwrap();
        TestDb {
            db,
            dir,
            postgres: None,
        }
    }

    /// A migrated PostgreSQL schema of its own.
    pub async fn postgres(url: &str) -> TestDb {
        let dir = temp_dir();
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let db = Db::connect_postgres_schema(url, &schema).await.unwrap();
        TestDb {
            db,
            dir,
            postgres: Some((url.to_owned(), schema)),
        }
    }

    /// A second, empty database on the same backend with no migrations applied (removed together
    /// with this one).
    pub async fn unmigrated(&self) -> Db {
        match &self.postgres {
            None => {
                let url = format!("sqlite:{}", self.dir.join("unmigrated.db").display());
                Db::open(&url).unwrap()
            }
            Some((url, schema)) => {
                let schema = format!("{schema}_u");
                let admin = sqlx::PgPool::connect(url).await.unwrap();
                sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
                let opts = sqlx::postgres::PgConnectOptions::from_str(url)
                    .unwrap()
                    .options([("search_path", schema.as_str())]);
                Db::Postgres(
                    sqlx::postgres::PgPoolOptions::new()
                        .max_connections(4)
                        .connect_lazy_with(opts),
                )
            }
        }
    }

    /// Closes the database and removes its file or schema.
    pub async fn finish(self) {
        self.db.close().await;
        if let Some((url, schema)) = &self.postgres {
            let admin = sqlx::PgPool::connect(url).await.unwrap();
            for s in [schema.clone(), format!("{schema}_u")] {
                sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE"))
                    .execute(&admin)
                    .await
                    .unwrap();
            }
            admin.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub async fn user(db: &Db, role: Role) -> User {
    let email = format!(
        "{}-{}@example.org",
        role.as_str(),
        uuid::Uuid::new_v4().simple()
    );
    users::create(db, &email, "Someone", role, "$argon2id$not-a-real-hash")
        .await
        .unwrap()
}

pub async fn relationship(db: &Db) -> (User, relationships::Relationship) {
    let client = user(db, Role::Client).await;
    let rel = relationships::create(db, &client.id, "Dr Sam Okafor", None, None)
        .await
        .unwrap();
    (client, rel)
}

pub async fn raw_need(db: &Db, checkin_id: &str) -> Option<Vec<u8>> {
    with_pool!(db, pool => sqlx::query_scalar("SELECT need FROM checkins WHERE id = $1")
        .bind(checkin_id)
        .fetch_one(pool)
        .await)
    .unwrap()
}

pub async fn count(db: &Db, sql: &str) -> i64 {
    with_pool!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await).unwrap()
}

pub async fn versions(db: &Db) -> Vec<i64> {
    with_pool!(db, pool => sqlx::query_scalar("SELECT version FROM schema_versions ORDER BY version")
        .fetch_all(pool)
        .await)
    .unwrap()
}

pub async fn wrapped_key(db: &Db, client_id: &str) -> Vec<u8> {
    with_pool!(db, pool => sqlx::query_scalar("SELECT wrapped FROM user_keys WHERE user_id = $1")
        .bind(client_id)
        .fetch_one(pool)
        .await)
    .unwrap()
}

pub fn need_place(row: &str) -> Place<'_> {
    Place {
        table: "checkins",
        column: "need",
        row,
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Turns each `async fn case(t: &TestDb)` into a module with an `on_sqlite` and an `on_postgres`
/// test, so a failure names the backend it happened on.
#[macro_export]
macro_rules! on_both_databases {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn on_sqlite() {
                let t = super::TestDb::sqlite().await;
                super::$case(&t).await;
                t.finish().await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(url) = super::postgres_url() else {
                    eprintln!("skipped: RAPPORT_TEST_POSTGRES_URL is not set");
                    return;
                };
                let t = super::TestDb::postgres(&url).await;
                super::$case(&t).await;
                t.finish().await;
            }
        }
    )*};
}
