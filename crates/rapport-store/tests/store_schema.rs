//! The store conformance suite, the schema (on both databases, see `store.rs`): migrations are
//! idempotent and safe to start together, and SQLite and PostgreSQL have the same tables,
//! columns and indexes.

#[macro_use]
mod conformance;

use conformance::*;
use rapport_store::users::{self, Role};
use rapport_store::{Db, migrate};
use std::collections::{BTreeMap, BTreeSet};

on_both_databases!(
    migrations_run_twice_change_nothing,
    migrations_started_together_apply_the_schema_once,
    old_fixed_offsets_become_the_zone_they_match_with_a_notice_where_they_name_no_place,
);

async fn migrations_run_twice_change_nothing(t: &TestDb) {
    let db = &t.db;
    let u = user(db, Role::Client).await;
    let before = versions(db).await;
    assert!(!before.is_empty());
    migrate::run(db).await.unwrap();
    migrate::run(db).await.unwrap();
    assert_eq!(versions(db).await, before, "nothing is applied twice");
    assert!(
        users::by_id(db, &u.id).await.unwrap().is_some(),
        "data survives"
    );
}

async fn migrations_started_together_apply_the_schema_once(t: &TestDb) {
    let db = t.unmigrated().await;
    let (a, b, c) = tokio::join!(migrate::run(&db), migrate::run(&db), migrate::run(&db));
    for (i, r) in [a, b, c].into_iter().enumerate() {
        assert!(
            r.is_ok(),
            "migration run {i} failed while others ran at the same time: {r:?}"
        );
    }
    let applied = versions(&db).await;
    assert_eq!(applied, versions(&t.db).await, "every migration, each once");
    let u = user(&db, Role::Client).await;
    assert!(users::by_id(&db, &u.id).await.unwrap().is_some());
    db.close().await;
}

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(s) => {
            sqlx::query(sql).execute(&s.pool).await.unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
    }
}

async fn old_fixed_offsets_become_the_zone_they_match_with_a_notice_where_they_name_no_place(
    t: &TestDb,
) {
    let db = t.unmigrated().await;
    migrate::run_up_to(&db, 11).await.unwrap();
    for (id, offset) in [
        ("plus1", 60),
        ("minus5", -300),
        ("kolkata", 330),
        ("newfoundland", -210),
        ("utc", 0),
    ] {
        exec(&db, &format!("INSERT INTO users (id, email, display_name, role, password_hash, created_at) VALUES ('{id}', '{id}@example.org', 'T', 'therapist', 'x', 1)")).await;
        exec(&db, &format!("INSERT INTO care_settings (therapist_id, utc_offset_minutes, notice_hours, session_minutes, updated_at) VALUES ('{id}', {offset}, 24, 50, 1)")).await;
    }
    exec(&db, "INSERT INTO users (id, email, display_name, role, password_hash, created_at) VALUES ('client', 'c@example.org', 'C', 'client', 'x', 1)").await;
    migrate::run(&db).await.unwrap();
    let expect = [
        ("plus1", "Etc/GMT-1", Some(60)),
        ("minus5", "Etc/GMT+5", Some(-300)),
        ("kolkata", "Asia/Kolkata", None),
        ("newfoundland", "UTC", Some(-210)),
        ("utc", "UTC", Some(0)),
    ];
    for (id, zone, notice) in expect {
        let u = users::by_id(&db, id).await.unwrap().unwrap();
        assert_eq!(u.time_zone.name(), zone, "{id}");
        let s = rapport_store::care::schedule::get(&db, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.zone_notice_offset, notice, "{id}");
    }
    let plus1 = rapport_core::zone::Zone::parse("z", "Etc/GMT-1").unwrap();
    assert_eq!(plus1.offset_minutes_at(0), 60, "the same clock as before");
    let c = users::by_id(&db, "client").await.unwrap().unwrap();
    assert_eq!(c.time_zone.name(), "UTC");
    db.close().await;
}

/// Table → column → (type, nullable), with types spelled the same way for both databases.
type Shape = BTreeMap<String, BTreeMap<String, (String, bool)>>;

async fn sqlite_shape(db: &Db) -> (Shape, BTreeSet<String>) {
    let Db::Sqlite(s) = db else {
        panic!("not SQLite")
    };
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&s.pool)
    .await
    .unwrap();
    let mut shape = Shape::new();
    for table in tables {
        let cols: Vec<(String, String, i64, i64)> =
            sqlx::query_as("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(&s.pool)
                .await
                .unwrap();
        let cols = cols
            .into_iter()
            .map(|(name, ty, notnull, pk)| (name, (ty.to_uppercase(), notnull == 0 && pk == 0)))
            .collect();
        shape.insert(table, cols);
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(&s.pool)
    .await
    .unwrap();
    (shape, indexes.into_iter().collect())
}

async fn postgres_shape(db: &Db, schema: &str) -> (Shape, BTreeSet<String>) {
    let Db::Postgres(pool) = db else {
        panic!("not PostgreSQL")
    };
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text FROM information_schema.columns WHERE table_schema = $1",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut shape = Shape::new();
    for (table, column, ty, nullable) in cols {
        let ty = match ty.as_str() {
            "bytea" => "BLOB".to_owned(),
            other => other.to_uppercase(),
        };
        shape
            .entry(table)
            .or_default()
            .insert(column, (ty, nullable == "YES"));
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap();
    (shape, indexes.into_iter().collect())
}

#[tokio::test]
async fn the_sqlite_and_postgres_schemas_have_the_same_tables_columns_and_indexes() {
    let Some(url) = postgres_url() else {
        eprintln!("skipped: RAPPORT_TEST_POSTGRES_URL is not set");
        return;
    };
    let lite = TestDb::sqlite().await;
    let pg = TestDb::postgres(&url).await;
    let schema = pg.postgres.as_ref().unwrap().1.clone();
    let (lite_shape, lite_indexes) = sqlite_shape(&lite.db).await;
    let (pg_shape, pg_indexes) = postgres_shape(&pg.db, &schema).await;

    assert!(
        lite_shape.contains_key("users") && lite_shape.contains_key("audit_log"),
        "the SQLite schema was read: {lite_shape:?}"
    );
    assert_eq!(
        lite_shape.keys().collect::<Vec<_>>(),
        pg_shape.keys().collect::<Vec<_>>(),
        "the two migration folders create different tables"
    );
    for (table, lite_cols) in &lite_shape {
        assert_eq!(
            lite_cols, &pg_shape[table],
            "table {table}: columns (type, nullable) differ between SQLite (left) and PostgreSQL (right)"
        );
    }
    assert_eq!(
        lite_indexes, pg_indexes,
        "the two migration folders create different indexes"
    );
    lite.finish().await;
    pg.finish().await;
}
