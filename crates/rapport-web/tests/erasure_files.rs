//! A deleted client leaves nothing readable in the SQLite files: their e-mail address, password
//! hash, therapist's name and check-in answers are gone from the database file and the WAL, not
//! just unlinked (secure_delete, then a truncating checkpoint).

mod common;
mod feedback_support;

use common::{Backend, spawn_app_with};
use feedback_support::{check_in, checkin};
use rapport_store::with_pool;
use serde_json::json;

fn files_contain(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("rapport.db") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if bytes.windows(needle.len()).any(|w| w == needle) {
            found.push(name);
        }
    }
    found
}

#[tokio::test]
async fn a_deleted_clients_data_is_not_left_in_the_database_files() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let c = app.signup("client").await;
    let therapist = "Dr Quintessa Marlowe-Vance";
    let r = c
        .post(
            &app,
            "/api/v1/relationships",
            json!({"therapist_name": therapist}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let rel: serde_json::Value = r.json().await.unwrap();
    let rel = rel["id"].as_str().unwrap().to_owned();
    let mut answers = checkin(1, 2, &["judged"], "bad");
    answers["date"] = json!("2026-11-05");
    check_in(&app, &c, &rel, answers).await;
    let hash: String = with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1").bind(&c.id).fetch_one(pool).await).unwrap();
    let secrets: [&[u8]; 4] = [
        c.email.as_bytes(),
        hash.as_bytes(),
        therapist.as_bytes(),
        rel.as_bytes(),
    ];
    with_pool!(&app.state.db, pool => sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.map(|_| ())).unwrap();
    assert!(
        !files_contain(&app.dir, c.email.as_bytes()).is_empty(),
        "the test looks in the right files"
    );

    let gone = c
        .client
        .delete(app.url("/api/v1/me/account"))
        .header("x-csrf-token", &c.csrf)
        .json(&json!({"password": c.password, "confirm": true}))
        .send()
        .await
        .unwrap();
    assert!(gone.status().is_success(), "{}", gone.text().await.unwrap());
    for secret in secrets {
        let found = files_contain(&app.dir, secret);
        assert!(
            found.is_empty(),
            "{:?} is still readable in {found:?}",
            String::from_utf8_lossy(secret)
        );
    }
}
