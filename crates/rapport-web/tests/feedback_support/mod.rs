//! Helpers for the therapist, practice and my-data tests: relationships shared with a therapist,
//! check-ins and measures through the API, courses seeded straight into the store (with chosen
//! first and last scores), endings, practices and the client's audit log.
#![allow(dead_code)]

use crate::common::{TestApp, User};
use rapport_store::relationships::{self, Sharing};
use rapport_store::users::{self, Role};
use rapport_store::{instruments, practices, with_pool};
use serde_json::{Value, json};

/// One day in ms.
pub const DAY: i64 = 86_400_000;

/// A client with a relationship recorded against the therapist's account (through a directory
/// row linked to it) and accepted by the therapist, private until shared. Returns the
/// relationship id.
pub async fn relationship(app: &TestApp, client: &User, therapist: &User) -> String {
    let rel = requested(app, client, therapist).await;
    accept(app, therapist, &rel).await;
    rel
}

/// The therapist accepts a relationship waiting for them (it must have been waiting).
pub async fn accept(app: &TestApp, therapist: &User, rel: &str) {
    let r = therapist
        .post(
            app,
            &format!("/api/v1/relationships/{rel}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// A client's relationship recorded against the therapist's account, not yet accepted by them.
pub async fn requested(app: &TestApp, client: &User, therapist: &User) -> String {
    let db = &app.state.db;
    let listing_id = match rapport_store::listings::by_user(db, &therapist.id)
        .await
        .unwrap()
    {
        Some(l) => l.id,
        None => {
            let id = format!("t-{}", uuid::Uuid::new_v4().simple());
            let data = json!({"id": id, "name": "Dr Test"}).to_string();
            rapport_store::listings::upsert_many(
                db,
                &[(id.clone(), Some(therapist.id.clone()), data)],
            )
            .await
            .unwrap();
            id
        }
    };
    let r = client
        .post(
            app,
            "/api/v1/relationships",
            json!({"therapist_name": "Dr Test", "listing_id": listing_id}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Sets what the client shares, and whether their measures are shared on top.
pub async fn share(app: &TestApp, client: &User, rel: &str, sharing: &str, outcomes: bool) {
    let r = client
        .put(
            app,
            &format!("/api/v1/relationships/{rel}/sharing"),
            json!({"sharing": sharing, "outcomes": outcomes}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// A check-in with every sign at `sign`.
pub fn checkin(session: u32, sign: u8, flags: &[&str], left: &str) -> Value {
    json!({"session": session, "heard": sign, "open": sign, "attuned": sign, "trust": sign, "looking_forward": sign,
           "stirred": 1, "left_feeling": left, "flags": flags})
}

/// Posts a check-in (it must be stored).
pub async fn check_in(app: &TestApp, client: &User, rel: &str, body: Value) {
    let r = client
        .post(app, &format!("/api/v1/relationships/{rel}/checkins"), body)
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

/// PHQ-9 answers adding up to `total` (at most 27) with item 9 at `item9`.
pub fn phq9(total: u8, item9: u8) -> Value {
    let mut left = total - item9;
    let mut m = serde_json::Map::new();
    for i in 1..=8 {
        let v = left.min(3);
        left -= v;
        m.insert(format!("q{i}"), json!(v));
    }
    m.insert("q9".into(), json!(item9));
    Value::Object(m)
}

/// GAD-7 answers adding up to `total` (at most 21).
pub fn gad7(total: u8) -> Value {
    let mut left = total;
    let mut m = serde_json::Map::new();
    for i in 1..=7 {
        let v = left.min(3);
        left -= v;
        m.insert(format!("q{i}"), json!(v));
    }
    Value::Object(m)
}

/// Answers a measure through the API (it must be stored).
pub async fn answer(app: &TestApp, client: &User, instrument: &str, answers: Value) -> Value {
    let r = client
        .post(
            app,
            &format!("/api/v1/instruments/{instrument}/responses"),
            answers,
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

/// The actions recorded in the client's "who saw my data" list, newest first.
pub async fn audit_actions(app: &TestApp, client: &User) -> Vec<String> {
    let list: Vec<Value> = client
        .get(app, "/api/v1/me/audit")
        .await
        .json()
        .await
        .unwrap();
    list.iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Runs one statement with one text and one number (test set-up only).
pub async fn exec(app: &TestApp, sql: &str, n: i64, id: &str) {
    with_pool!(&app.state.db, pool => sqlx::query(sql).bind(n).bind(id).execute(pool).await.map(|r| r.rows_affected())).unwrap();
}

/// A client account made in the store (no password to log in with), for seeded courses.
pub async fn quiet_client(app: &TestApp) -> String {
    let email = format!("seed-{}@example.org", uuid::Uuid::new_v4().simple());
    users::create(
        &app.state.db,
        &email,
        "Seeded client",
        Role::Client,
        "$argon2id$not-a-real-hash",
    )
    .await
    .unwrap()
    .id
}

async fn stored_total(app: &TestApp, client: &str, instrument: &str, total: u8, at: i64) {
    let scores = json!({"instrument": instrument, "scores": [{"id": "total", "value": f64::from(total)}], "flags": []});
    let r = instruments::insert_response(
        &app.state.db,
        client,
        instrument,
        "1.0",
        &json!({}),
        &scores,
    )
    .await
    .unwrap();
    exec(
        app,
        "UPDATE instrument_responses SET created_at = $1 WHERE id = $2",
        at,
        &r.id,
    )
    .await;
}

/// A course with the therapist (who accepted it), sharing trend and measures, whose first and
/// last paired PHQ-9 and GAD-7 scores are as given (a week apart). Returns
/// `(client id, relationship id)`.
pub async fn seed_course(
    app: &TestApp,
    therapist_id: &str,
    phq9: (u8, u8),
    gad7: (u8, u8),
) -> (String, String) {
    let (client, rel) = seed_requested_course(app, therapist_id, phq9, gad7).await;
    assert!(
        relationships::answer(
            &app.state.db,
            therapist_id,
            &rel,
            relationships::Answer::Accepted,
            rapport_store::now_ms()
        )
        .await
        .unwrap()
    );
    (client, rel)
}

/// Like [`seed_course`], but the therapist has not accepted the relationship.
pub async fn seed_requested_course(
    app: &TestApp,
    therapist_id: &str,
    phq9: (u8, u8),
    gad7: (u8, u8),
) -> (String, String) {
    let db = &app.state.db;
    let client = quiet_client(app).await;
    let rel = relationships::create(db, &client, "Dr Seed", Some(therapist_id), None)
        .await
        .unwrap();
    relationships::set_sharing(db, &client, &rel.id, Sharing::Trend)
        .await
        .unwrap();
    relationships::set_share_outcomes(db, &client, &rel.id, true)
        .await
        .unwrap();
    let t0 = rapport_store::now_ms() - 30 * DAY;
    exec(
        app,
        "UPDATE relationships SET created_at = $1 WHERE id = $2",
        t0 - DAY,
        &rel.id,
    )
    .await;
    stored_total(app, &client, "phq9", phq9.0, t0).await;
    stored_total(app, &client, "gad7", gad7.0, t0 + 60_000).await;
    stored_total(app, &client, "phq9", phq9.1, t0 + 7 * DAY).await;
    stored_total(app, &client, "gad7", gad7.1, t0 + 7 * DAY + 60_000).await;
    (client, rel.id)
}

/// Records that a relationship ended, with the client's private reason, `at` ms.
pub async fn end(app: &TestApp, rel: &str, reason: &str, at: i64) {
    with_pool!(&app.state.db, pool => sqlx::query("INSERT INTO care_stages (relationship_id, stage, ended_by, ended_at, ending_reason, closing_requested, updated_at) VALUES ($1, 'ended', 'client', $2, $3, 0, $2)").bind(rel).bind(at).bind(reason).execute(pool).await.map(|r| r.rows_affected())).unwrap();
}

/// A practice with these members (therapists or administrators).
pub async fn practice(app: &TestApp, members: &[&str]) -> String {
    let p = practices::create(
        &app.state.db,
        &format!("Practice {}", uuid::Uuid::new_v4().simple()),
    )
    .await
    .unwrap();
    for m in members {
        assert!(practices::join(&app.state.db, &p.id, m).await.unwrap());
    }
    p.id
}
