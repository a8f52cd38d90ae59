//! Booking and cancelling through the API, on SQLite and PostgreSQL: many clients at once for one
//! slot, refused times, weekly bookings all or nothing, other people's appointments untouchable;
//! missed appointments, reminders, and the outbox only admins see (their practice's: see
//! `api_outbox_scope`).

mod care_support;
mod common;

use care_support::*;
use rapport_web::features::care::worker;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_clients_booking_one_slot_at_once_exactly_one_wins_and_the_rest_get_a_clear_409() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let mut clients = Vec::new();
        for _ in 0..10 {
            clients.push(app.signup("client").await);
        }
        let slot = free_after_days(&app, &clients[0], &t.id, 2).await;
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for c in clients {
            let (app, slot, tid) = (app.clone(), slot.clone(), t.id.clone());
            tasks.push(tokio::spawn(async move {
                let resp = book(&app, &c, &tid, &slot, "consultation", 1).await;
                let status = resp.status().as_u16();
                (status, resp.json::<Value>().await.unwrap())
            }));
        }
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        let wins = outcomes.iter().filter(|(s, _)| *s == 201).count();
        let conflicts: Vec<&Value> = outcomes
            .iter()
            .filter(|(s, _)| *s == 409)
            .map(|(_, b)| b)
            .collect();
        assert_eq!(
            wins, 1,
            "{backend:?}: exactly one booking wins: {outcomes:?}"
        );
        assert_eq!(
            conflicts.len(),
            9,
            "{backend:?}: every other request is a 409: {outcomes:?}"
        );
        for body in conflicts {
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains("has just been taken"),
                "{body}"
            );
        }
        let booked: Vec<Value> = appointments(&app, &t)
            .await
            .into_iter()
            .filter(|a| a["starts_at"] == slot.as_str() && a["status"] == "booked")
            .collect();
        assert_eq!(booked.len(), 1, "{backend:?}: one row holds the slot");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_a_past_or_an_unlisted_time_is_refused_naming_the_problem() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let (a, b) = (app.signup("client").await, app.signup("client").await);
        let slot = free_after_days(&app, &a, &t.id, 2).await;
        assert_eq!(
            book(&app, &a, &t.id, &slot, "consultation", 1)
                .await
                .status(),
            201
        );
        assert!(
            !free(&app, &b, &t.id).await.contains(&slot),
            "a booked time is no longer listed as free"
        );
        let taken = book(&app, &b, &t.id, &slot, "consultation", 1).await;
        assert_eq!(taken.status(), 409, "{backend:?}");
        let past = book(&app, &b, &t.id, "2020-01-07T10:00:00Z", "consultation", 1).await;
        assert_eq!(past.status(), 422);
        let body: Value = past.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "starts_at");
        assert!(
            body["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("in the past"),
            "{body}"
        );
        let odd = slot.replace(":00:00Z", ":30:00Z");
        let unlisted = book(&app, &b, &t.id, &odd, "consultation", 1).await;
        assert_eq!(unlisted.status(), 422);
        let nonsense = b
            .post(
                &app,
                "/api/v1/care/appointments",
                json!({"therapist_id": t.id, "starts_at": "soon", "kind": "chat", "weeks": 40}),
            )
            .await;
        let body: Value = nonsense.json().await.unwrap();
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["starts_at", "kind", "weeks"],
            "every problem is named at once"
        );
        let closing_too_early = book(
            &app,
            &b,
            &t.id,
            &free_after_days(&app, &b, &t.id, 3).await,
            "closing",
            1,
        )
        .await;
        assert_eq!(
            closing_too_early.status(),
            422,
            "a closing session needs an ending first"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_booking_is_all_or_nothing() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |c| c.booking_caps.consultations = 4).await;
        let t = therapist_with_week(&app).await;
        let (a, b) = (app.signup("client").await, app.signup("client").await);
        let first = free_after_days(&app, &a, &t.id, 2).await;
        let third = rapport_core::care::clock::rfc3339(ms(&first) + 14 * 24 * HOUR);
        assert_eq!(
            book(&app, &b, &t.id, &third, "consultation", 1)
                .await
                .status(),
            201
        );
        let weekly = book(&app, &a, &t.id, &first, "consultation", 4).await;
        assert_eq!(weekly.status(), 409, "{backend:?}: the third week is taken");
        assert!(
            appointments(&app, &a).await.is_empty(),
            "nothing of the series was stored"
        );
        let second_try = book(
            &app,
            &a,
            &t.id,
            &rapport_core::care::clock::rfc3339(ms(&first) + HOUR),
            "consultation",
            3,
        )
        .await;
        assert_eq!(second_try.status(), 201);
        let list = appointments(&app, &a).await;
        assert_eq!(list.len(), 3);
        assert!(
            list.iter()
                .all(|x| x["series_id"] == list[0]["series_id"] && !x["series_id"].is_null())
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_can_cancel_someone_elses_appointment_and_nothing_changes() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let other_t = therapist_with_week(&app).await;
        let (a, b) = (app.signup("client").await, app.signup("client").await);
        let slot = free_after_days(&app, &a, &t.id, 2).await;
        let booked: Vec<Value> = book(&app, &a, &t.id, &slot, "consultation", 1)
            .await
            .json()
            .await
            .unwrap();
        let id = booked[0]["id"].as_str().unwrap();
        for intruder in [&b, &other_t] {
            let resp = intruder
                .post(
                    &app,
                    &format!("/api/v1/care/appointments/{id}/cancel"),
                    json!({"message": "ha"}),
                )
                .await;
            assert_eq!(resp.status(), 404, "{backend:?}");
            let page = intruder
                .client
                .post(app.url(&format!("/care/appointments/{id}/cancel")))
                .form(&[("csrf", intruder.csrf.as_str()), ("message", "ha")])
                .send()
                .await
                .unwrap();
            assert!(
                page.status() == 404 || page.status() == 403,
                "{backend:?}: {}",
                page.status()
            );
        }
        let list = appointments(&app, &a).await;
        assert_eq!(list[0]["status"], "booked", "{backend:?}: still booked");
        let kinds =
            |m: Vec<(String, String, String)>| m.into_iter().map(|(k, _, _)| k).collect::<Vec<_>>();
        assert_eq!(
            kinds(mail_for(&app, &a).await),
            ["booking_confirmed"],
            "no cancellation mail"
        );
        assert!(mail_for(&app, &b).await.is_empty());
        let ics = b
            .get(&app, &format!("/api/v1/care/appointments/{id}/ics"))
            .await;
        assert_eq!(
            ics.status(),
            404,
            "someone else's calendar file is not there either"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_appointment_brings_a_gentle_nudge_and_reminders_are_queued_once() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let slot = free_after_days(&app, &client, &t.id, 2).await;
        let booked: Vec<Value> = book(&app, &client, &t.id, &slot, "consultation", 1)
            .await
            .json()
            .await
            .unwrap();
        let id = booked[0]["id"].as_str().unwrap().to_owned();
        let start = ms(&slot);

        for _ in 0..2 {
            worker::tick(&app.state, start - 12 * HOUR).await.unwrap();
        }
        let reminders = mail_for(&app, &client)
            .await
            .into_iter()
            .filter(|(k, _, _)| k == "reminder")
            .count();
        assert_eq!(
            reminders, 1,
            "{backend:?}: one reminder the day before, however often the worker runs"
        );

        let early = t
            .post(
                &app,
                &format!("/api/v1/care/appointments/{id}/missed"),
                json!({}),
            )
            .await;
        assert_eq!(early.status(), 409, "not before it starts");
        let other = app.signup("therapist").await;
        assert_eq!(
            other
                .post(
                    &app,
                    &format!("/api/v1/care/appointments/{id}/missed"),
                    json!({})
                )
                .await
                .status(),
            404
        );
        move_into_past(&app, &id).await;
        let done = t
            .post(
                &app,
                &format!("/api/v1/care/appointments/{id}/missed"),
                json!({}),
            )
            .await;
        assert_eq!(done.status(), 200, "{backend:?}");
        let mail = mail_for(&app, &client).await;
        let nudge = mail
            .iter()
            .find(|(k, _, _)| k == "missed")
            .expect("a nudge e-mail");
        assert!(
            nudge.2.contains("That happens") && nudge.2.contains("rebook or cancel"),
            "{}",
            nudge.2
        );
        let hub = client.get(&app, "/care").await.text().await.unwrap();
        assert!(
            hub.contains("couldn&#x27;t make your") || hub.contains("couldn't make your"),
            "the nudge is in the app too"
        );
        let checkins = worker::tick(&app.state, rapport_store::now_ms())
            .await
            .unwrap()
            .checkins;
        assert_eq!(
            checkins, 0,
            "no check-in reminder for a session that did not happen"
        );
    }
}

async fn move_into_past(app: &common::TestApp, id: &str) {
    let sql = "UPDATE appointments SET starts_at = $1, ends_at = $2 WHERE id = $3";
    let start = rapport_store::now_ms() - 2 * HOUR;
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query(sql).bind(start).bind(start + 50 * 60_000).bind(id).execute(pool).await.map(|_| ())).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_session_the_client_is_reminded_to_check_in_once() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let slot = free_after_days(&app, &client, &t.id, 2).await;
        book(&app, &client, &t.id, &slot, "consultation", 1).await;
        let after = ms(&slot) + 2 * HOUR;
        assert_eq!(
            worker::tick(&app.state, after).await.unwrap().checkins,
            1,
            "{backend:?}"
        );
        assert_eq!(
            worker::tick(&app.state, after + HOUR)
                .await
                .unwrap()
                .checkins,
            0
        );
        let mail = mail_for(&app, &client).await;
        assert!(mail.iter().any(|(k, s, b)| k == "checkin_reminder"
            && s == "How did it go?"
            && b.contains("/relationships")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_see_the_outbox_and_never_the_bodies() {
    let app = common::spawn_app().await;
    let t = therapist_with_week(&app).await;
    let admin = app.admin().await;
    let practice = practice_with(&app, "Outbox practice", &[&t]).await;
    assert!(
        rapport_store::practices::join(&app.state.db, &practice, &admin.id)
            .await
            .unwrap()
    );
    let client = app.signup("client").await;
    let slot = free_after_days(&app, &client, &t.id, 2).await;
    let booked: Vec<Value> = book(&app, &client, &t.id, &slot, "consultation", 1)
        .await
        .json()
        .await
        .unwrap();
    client
        .post(
            &app,
            &format!(
                "/api/v1/care/appointments/{}/cancel",
                booked[0]["id"].as_str().unwrap()
            ),
            json!({"message": "secret words"}),
        )
        .await;
    assert_eq!(client.get(&app, "/api/v1/admin/outbox").await.status(), 403);
    assert_eq!(client.get(&app, "/admin/outbox").await.status(), 403);
    let list: Value = admin
        .get(&app, "/api/v1/admin/outbox")
        .await
        .json()
        .await
        .unwrap();
    assert!(list.as_array().unwrap().len() >= 2);
    let page = admin.get(&app, "/admin/outbox").await.text().await.unwrap();
    assert!(
        page.contains("An appointment was cancelled")
            && !page.contains("secret words")
            && !list.to_string().contains("secret words")
    );
}
