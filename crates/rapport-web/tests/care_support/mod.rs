//! Helpers for the care tests: a therapist with a published week (and a directory listing),
//! clients, booking, and reading what was stored or queued.
#![allow(dead_code)]

use crate::common::{TestApp, User};
use rapport_store::care::outbox;
use serde_json::{Value, json};

/// One hour in milliseconds, the unit appointments are moved by.
pub const HOUR: i64 = 3_600_000;

/// Every day, 09:00-17:00 UTC, 24 hours' notice: plenty of free slots.
pub async fn therapist_with_week(app: &TestApp) -> User {
    let t = app.signup("therapist").await;
    let slots: Vec<Value> = (0..7)
        .flat_map(|d| (9..=17).map(move |h| json!({"day": d, "hour": h})))
        .collect();
    let resp = t
        .put(
            app,
            "/api/v1/care/availability",
            json!({"time_zone": "UTC", "notice_hours": 24, "session_minutes": 50, "slots": slots}),
        )
        .await;
    assert_eq!(
        resp.status(),
        200,
        "publishing a week: {}",
        resp.text().await.unwrap()
    );
    t
}

/// Links a directory listing to the therapist (so endings can exclude them by listing id).
pub async fn list_therapist(app: &TestApp, t: &User, listing_id: &str, name: &str) {
    let data = json!({"id": listing_id, "name": name}).to_string();
    assert!(
        rapport_store::listings::upsert_own(&app.state.db, listing_id, &t.id, &data)
            .await
            .unwrap()
    );
}

/// The therapist's free start times (RFC 3339), earliest first.
pub async fn free(app: &TestApp, viewer: &User, therapist_id: &str) -> Vec<String> {
    let v: Value = viewer
        .get(app, &format!("/api/v1/care/therapists/{therapist_id}"))
        .await
        .json()
        .await
        .unwrap();
    v["free"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// A free start at least `days` days ahead.
pub async fn free_after_days(
    app: &TestApp,
    viewer: &User,
    therapist_id: &str,
    days: i64,
) -> String {
    let min = rapport_store::now_ms() + days * 86_400_000;
    free(app, viewer, therapist_id)
        .await
        .into_iter()
        .find(|s| rapport_core::care::clock::parse_rfc3339(s).unwrap() > min)
        .expect("a free slot that far ahead")
}

/// Books through the API and returns the response.
pub async fn book(
    app: &TestApp,
    client: &User,
    therapist_id: &str,
    starts_at: &str,
    kind: &str,
    weeks: u32,
) -> reqwest::Response {
    client.post(app, "/api/v1/care/appointments", json!({"therapist_id": therapist_id, "starts_at": starts_at, "kind": kind, "weeks": weeks})).await
}

/// The viewer's appointments as the API lists them.
pub async fn appointments(app: &TestApp, viewer: &User) -> Vec<Value> {
    viewer
        .get(app, "/api/v1/care/appointments")
        .await
        .json::<Vec<Value>>()
        .await
        .unwrap()
}

/// Mail queued for an account: `(kind, subject, body)`.
pub async fn mail_for(app: &TestApp, user: &User) -> Vec<(String, String, String)> {
    outbox::for_user(&app.state.db, &app.state.vault, &user.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.kind, m.subject, m.body))
        .collect()
}

/// The client's relationship with this therapist (its id).
pub async fn relationship_with(app: &TestApp, client: &User, therapist_id: &str) -> String {
    let list: Vec<Value> = client
        .get(app, "/api/v1/relationships")
        .await
        .json()
        .await
        .unwrap();
    list.iter()
        .map(|r| &r["relationship"])
        .find(|r| r["therapist_user_id"] == therapist_id)
        .and_then(|r| r["id"].as_str())
        .expect("a relationship with the therapist")
        .to_owned()
}

/// The therapist accepts the client's relationship with them (booking alone does not make
/// someone their client).
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

/// Unix ms of an RFC 3339 time.
pub fn ms(text: &str) -> i64 {
    rapport_core::care::clock::parse_rfc3339(text).unwrap()
}

/// A practice with these therapists in it (its id).
pub async fn practice_with(app: &TestApp, name: &str, therapists: &[&User]) -> String {
    let p = rapport_store::practices::create(&app.state.db, name)
        .await
        .unwrap();
    for t in therapists {
        assert!(
            rapport_store::practices::join(&app.state.db, &p.id, &t.id)
                .await
                .unwrap()
        );
    }
    p.id
}

/// Joins a waitlist through the API (`{"therapist_id": …}` or `{"practice_id": …}`), expecting
/// 201, then waits a little so the next join is strictly later in the queue.
pub async fn join_waitlist(app: &TestApp, client: &User, body: Value) {
    let resp = client.post(app, "/api/v1/care/waitlist", body).await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
}

/// The client's open offers as the API lists them.
pub async fn offers(app: &TestApp, client: &User) -> Vec<Value> {
    let v: Value = client
        .get(app, "/api/v1/care/waitlist")
        .await
        .json()
        .await
        .unwrap();
    v["offers"].as_array().unwrap().clone()
}

/// Cancels an appointment through the API, expecting 200.
pub async fn cancel(app: &TestApp, who: &User, appointment_id: &str) {
    let resp = who
        .post(
            app,
            &format!("/api/v1/care/appointments/{appointment_id}/cancel"),
            json!({"message": "Something came up, sorry."}),
        )
        .await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
}

/// Runs the Python `icalendar` validator over calendar files; panics with its report on failure
/// (and when it cannot run: a missing tool fails loudly).
pub fn validate_ics(files: &[std::path::PathBuf]) -> String {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ics/validate_ics.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!("could not start python3 to validate iCalendar (is Python 3 installed?): {e}")
        });
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(
        out.status.code(),
        Some(2),
        "the iCalendar validator cannot run (pip install icalendar):\n{report}"
    );
    assert!(
        out.status.success(),
        "iCalendar validation failed:\n{report}"
    );
    report
}
