//! How much of one therapist's calendar one client may hold, on SQLite and PostgreSQL: sessions
//! only after meeting (or being accepted), one open intro consultation before that, a few open
//! appointments after, a burst of bookings at once held to the cap, cancelling frees a place,
//! and the caps are the deployment's to set.

mod care_support;
mod common;

use care_support::*;
use rapport_core::care::BookingCaps;
use serde_json::Value;

/// The client met the therapist: an intro consultation that took place two hours ago.
async fn met(app: &common::TestApp, client: &common::User, t: &common::User) {
    let slot = free_after_days(app, client, &t.id, 2).await;
    let booked: Vec<Value> = book(app, client, &t.id, &slot, "consultation", 1)
        .await
        .json()
        .await
        .unwrap();
    let id = booked[0]["id"].as_str().unwrap();
    let start = rapport_store::now_ms() - 2 * HOUR;
    let sql = "UPDATE appointments SET starts_at = $1, ends_at = $2 WHERE id = $3";
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query(sql).bind(start).bind(start + 50 * 60_000).bind(id).execute(pool).await.map(|_| ())).unwrap();
}

/// Open (booked, still to come) appointments between a client and a therapist, as stored.
async fn open_count(app: &common::TestApp, client: &common::User, t: &common::User) -> i64 {
    let sql = "SELECT COUNT(*) FROM appointments WHERE client_id = $1 AND therapist_id = $2 AND status IN ('held', 'booked') AND starts_at > $3";
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query_scalar(sql).bind(&client.id).bind(&t.id).bind(rapport_store::now_ms()).fetch_one(pool).await).unwrap()
}

/// The first `n` free starts at least two days ahead.
async fn slots(
    app: &common::TestApp,
    viewer: &common::User,
    t: &common::User,
    n: usize,
) -> Vec<String> {
    let min = rapport_store::now_ms() + 2 * 86_400_000;
    free(app, viewer, &t.id)
        .await
        .into_iter()
        .filter(|s| ms(s) > min)
        .take(n)
        .collect()
}

async fn message(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_client_cannot_book_a_session_before_meeting_the_therapist_or_being_accepted() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let s = slots(&app, &client, &t, 1).await;
        let (status, body) = message(book(&app, &client, &t.id, &s[0], "session", 1).await).await;
        assert_eq!(status, 422, "{backend:?}: {body}");
        assert_eq!(body["errors"][0]["field"], "kind");
        assert!(
            body["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("after an intro consultation"),
            "{body}"
        );
        assert_eq!(open_count(&app, &client, &t).await, 0, "nothing stored");
        met(&app, &client, &t).await;
        let (status, body) = message(book(&app, &client, &t.id, &s[0], "session", 1).await).await;
        assert_eq!(
            status, 201,
            "{backend:?}: once they have met, sessions can be booked: {body}"
        );
        let accepted = app.signup("client").await;
        let s = slots(&app, &accepted, &t, 2).await;
        assert_eq!(
            book(&app, &accepted, &t.id, &s[0], "consultation", 1)
                .await
                .status(),
            201
        );
        let rel = relationship_with(&app, &accepted, &t.id).await;
        accept(&app, &t, &rel).await;
        let (status, body) = message(book(&app, &accepted, &t.id, &s[1], "session", 1).await).await;
        assert_eq!(
            status, 201,
            "{backend:?}: or once the therapist accepts them: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cannot_hold_more_open_bookings_with_one_therapist_than_the_cap() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let other = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let s = slots(&app, &client, &t, 8).await;
        assert_eq!(
            book(&app, &client, &t.id, &s[0], "consultation", 1)
                .await
                .status(),
            201
        );
        let (status, body) =
            message(book(&app, &client, &t.id, &s[1], "consultation", 1).await).await;
        assert_eq!(
            status, 409,
            "{backend:?}: one open intro consultation before meeting: {body}"
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("1 intro consultation"),
            "{body}"
        );
        let o = slots(&app, &client, &other, 1).await;
        assert_eq!(
            book(&app, &client, &other.id, &o[0], "consultation", 1)
                .await
                .status(),
            201,
            "the cap is per therapist"
        );

        let regular = app.signup("client").await;
        met(&app, &regular, &t).await;
        let s = slots(&app, &regular, &t, 8).await;
        let (status, body) = message(book(&app, &regular, &t.id, &s[0], "session", 12).await).await;
        assert_eq!(
            status, 409,
            "{backend:?}: twelve weeks at once is over the cap: {body}"
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("up to 4 appointments"),
            "{body}"
        );
        assert_eq!(
            open_count(&app, &regular, &t).await,
            0,
            "nothing of the series stored"
        );
        for slot in &s[..4] {
            assert_eq!(
                book(&app, &regular, &t.id, slot, "session", 1)
                    .await
                    .status(),
                201
            );
        }
        let (status, body) = message(book(&app, &regular, &t.id, &s[4], "session", 1).await).await;
        assert_eq!(status, 409, "{backend:?}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("cancel one"),
            "{body}"
        );
        assert_eq!(open_count(&app, &regular, &t).await, 4);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_twenty_bookings_at_once_leaves_a_client_within_the_cap() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        met(&app, &client, &t).await;
        let s = slots(&app, &client, &t, 20).await;
        assert_eq!(s.len(), 20);
        let app = std::sync::Arc::new(app);
        let client = std::sync::Arc::new(client);
        let mut tasks = Vec::new();
        for slot in s {
            let (app, client, tid) = (app.clone(), client.clone(), t.id.clone());
            tasks.push(tokio::spawn(async move {
                book(&app, &client, &tid, &slot, "session", 1)
                    .await
                    .status()
                    .as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        let wins = statuses.iter().filter(|s| **s == 201).count();
        let refused = statuses.iter().filter(|s| **s == 409).count();
        assert_eq!(
            wins, 4,
            "{backend:?}: exactly the cap gets through: {statuses:?}"
        );
        assert_eq!(
            refused, 16,
            "{backend:?}: every other is a 409: {statuses:?}"
        );
        assert_eq!(
            open_count(&app, &client, &t).await,
            4,
            "{backend:?}: as stored"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_booking_frees_its_place_under_the_cap() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let s = slots(&app, &client, &t, 2).await;
        let booked: Vec<Value> = book(&app, &client, &t.id, &s[0], "consultation", 1)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            book(&app, &client, &t.id, &s[1], "consultation", 1)
                .await
                .status(),
            409
        );
        cancel(&app, &client, booked[0]["id"].as_str().unwrap()).await;
        assert_eq!(
            book(&app, &client, &t.id, &s[1], "consultation", 1)
                .await
                .status(),
            201,
            "{backend:?}: the cancelled one no longer counts"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_caps_are_configurable() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |c| {
            c.booking_caps = BookingCaps {
                consultations: 2,
                sessions: 6,
            }
        })
        .await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let s = slots(&app, &client, &t, 3).await;
        assert_eq!(
            book(&app, &client, &t.id, &s[0], "consultation", 2)
                .await
                .status(),
            201
        );
        assert_eq!(
            book(&app, &client, &t.id, &s[2], "consultation", 1)
                .await
                .status(),
            409
        );
        let regular = app.signup("client").await;
        met(&app, &regular, &t).await;
        let first = slots(&app, &regular, &t, 1).await;
        let (status, body) =
            message(book(&app, &regular, &t.id, &first[0], "session", 6).await).await;
        assert_eq!(
            status, 201,
            "{backend:?}: six weekly sessions under a cap of six: {body}"
        );
        assert_eq!(open_count(&app, &regular, &t).await, 6);
    }
}
