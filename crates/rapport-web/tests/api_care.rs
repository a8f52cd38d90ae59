//! The care lifecycle through the API, on SQLite and PostgreSQL: booking (also many clients at
//! once for one slot), cancelling, the waitlist offer chain, leaving well, referrals, missed
//! appointments, reminders, and calendars checked by the Python `icalendar` package.

mod care_support;
mod common;

use care_support::*;
use rapport_store::care::endings;
use rapport_web::features::care::worker;
use serde_json::{Value, json};
use std::path::Path;

const HOUR: i64 = 3_600_000;

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
        let app = common::spawn_app_with(backend, |_| {}).await;
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
        assert!(mail_for(&app, &a).await.is_empty() && mail_for(&app, &b).await.is_empty());
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
async fn a_freed_slot_is_offered_in_turn_held_then_passed_on_and_an_expired_offer_is_refused() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |c| c.waitlist_hold_hours = 24).await;
        let t = therapist_with_week(&app).await;
        let (a, b, c, d) = (
            app.signup("client").await,
            app.signup("client").await,
            app.signup("client").await,
            app.signup("client").await,
        );
        let slot = free_after_days(&app, &a, &t.id, 4).await;
        let booked: Vec<Value> = book(&app, &a, &t.id, &slot, "consultation", 1)
            .await
            .json()
            .await
            .unwrap();
        for (who, days) in [(&b, json!([])), (&c, json!([]))] {
            let resp = who
                .post(
                    &app,
                    "/api/v1/care/waitlist",
                    json!({"therapist_id": t.id, "days": days}),
                )
                .await;
            assert_eq!(resp.status(), 201);
        }
        let again = b
            .post(&app, "/api/v1/care/waitlist", json!({"therapist_id": t.id}))
            .await;
        assert_eq!(again.status(), 409, "joining twice is refused clearly");

        let id = booked[0]["id"].as_str().unwrap();
        let resp = a
            .post(
                &app,
                &format!("/api/v1/care/appointments/{id}/cancel"),
                json!({"message": "Something came up, sorry."}),
            )
            .await;
        assert_eq!(resp.status(), 200, "{backend:?}");
        let t_mail = mail_for(&app, &t).await;
        assert!(
            t_mail
                .iter()
                .any(|(k, _, body)| k == "cancellation" && body.contains("Something came up")),
            "{t_mail:?}"
        );

        let b_offers: Value = b
            .get(&app, "/api/v1/care/waitlist")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            b_offers["offers"].as_array().unwrap().len(),
            1,
            "{backend:?}: the first in line is offered the slot"
        );
        assert_eq!(b_offers["offers"][0]["starts_at"], slot.as_str());
        let c_offers: Value = c
            .get(&app, "/api/v1/care/waitlist")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            c_offers["offers"].as_array().unwrap().is_empty(),
            "only one person holds it"
        );
        assert!(
            mail_for(&app, &b)
                .await
                .iter()
                .any(|(k, _, _)| k == "waitlist_offer")
        );
        let held = book(&app, &d, &t.id, &slot, "consultation", 1).await;
        assert_eq!(
            held.status(),
            409,
            "{backend:?}: a held slot cannot be booked by anyone else"
        );

        let later = rapport_store::now_ms() + 25 * HOUR;
        let tick = worker::tick(&app.state, later).await.unwrap();
        assert_eq!(tick.offers, 1, "{backend:?}: the lapsed hold moves on");
        let b_offer_id = b_offers["offers"][0]["id"].as_str().unwrap();
        let late = b
            .post(
                &app,
                &format!("/api/v1/care/offers/{b_offer_id}/accept"),
                json!({}),
            )
            .await;
        assert_eq!(late.status(), 409, "{backend:?}");
        let body: Value = late.json().await.unwrap();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("moved on to the next person"),
            "{body}"
        );

        let c_offers: Value = c
            .get(&app, "/api/v1/care/waitlist")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            c_offers["offers"].as_array().unwrap().len(),
            1,
            "{backend:?}: the next in line now holds it"
        );
        let c_offer_id = c_offers["offers"][0]["id"].as_str().unwrap();
        let ok = c
            .post(
                &app,
                &format!("/api/v1/care/offers/{c_offer_id}/accept"),
                json!({}),
            )
            .await;
        assert_eq!(ok.status(), 200, "{backend:?}");
        let twice = c
            .post(
                &app,
                &format!("/api/v1/care/offers/{c_offer_id}/accept"),
                json!({}),
            )
            .await;
        assert_eq!(twice.status(), 409);
        let b_late_again = b
            .post(
                &app,
                &format!("/api/v1/care/offers/{c_offer_id}/accept"),
                json!({}),
            )
            .await;
        assert_eq!(
            b_late_again.status(),
            404,
            "nobody accepts someone else's offer"
        );
        let holders: Vec<Value> = appointments(&app, &t)
            .await
            .into_iter()
            .filter(|x| {
                x["starts_at"] == slot.as_str()
                    && (x["status"] == "booked" || x["status"] == "held")
            })
            .collect();
        assert_eq!(
            holders.len(),
            1,
            "{backend:?}: the slot has exactly one holder"
        );
        assert_eq!(holders[0]["client_name"], "Test client");
        let c_list = appointments(&app, &c).await;
        assert!(c_list.iter().any(|x| x["starts_at"] == slot.as_str()
            && x["status"] == "booked"
            && x["kind"] == "consultation"));
        let c_wait: Value = c
            .get(&app, "/api/v1/care/waitlist")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            c_wait["entries"].as_array().unwrap().is_empty(),
            "a placed client leaves the queue"
        );
    }
}

async fn ending_setup(
    app: &common::TestApp,
) -> (common::User, common::User, common::User, String, Vec<Value>) {
    let t = therapist_with_week(app).await;
    list_therapist(app, &t, &format!("t-{}", &t.id[..8]), "Dr Ending").await;
    let client = app.signup("client").await;
    let waiting = app.signup("client").await;
    let first = free_after_days(app, &client, &t.id, 2).await;
    assert_eq!(
        book(app, &client, &t.id, &first, "consultation", 1)
            .await
            .status(),
        201
    );
    let next = rapport_core::care::clock::rfc3339(ms(&first) + 7 * 24 * HOUR);
    let sessions: Vec<Value> = book(app, &client, &t.id, &next, "session", 3)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sessions.len(), 3);
    assert_eq!(
        waiting
            .post(app, "/api/v1/care/waitlist", json!({"therapist_id": t.id}))
            .await
            .status(),
        201
    );
    let rel = relationship_with(app, &client, &t.id).await;
    (t, client, waiting, rel, sessions)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_sends_and_cancels_nothing_until_confirmed_then_does_it_all_once() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let (t, client, waiting, rel, sessions) = ending_setup(&app).await;
        let stage: Value = client
            .get(&app, &format!("/api/v1/care/relationships/{rel}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stage["stage"], "active", "booking sessions started therapy");
        let choice = json!({"reason": "wanted_more_structure", "message": "different_approach", "closing_session": false, "referral": true, "addition": ""});

        let preview: Value = client
            .post(
                &app,
                &format!("/api/v1/care/relationships/{rel}/ending/preview"),
                choice.clone(),
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(
            preview["message"]
                .as_str()
                .unwrap()
                .contains("different approach")
        );
        assert!(
            !preview["message"].as_str().unwrap().contains("structure"),
            "the private reason is not in the message"
        );
        assert_eq!(preview["will_cancel"].as_array().unwrap().len(), 4);
        let unconfirmed = client
            .post(
                &app,
                &format!("/api/v1/care/relationships/{rel}/ending"),
                choice.clone(),
            )
            .await;
        assert_eq!(unconfirmed.status(), 422);
        let page = client
            .client
            .post(app.url(&format!("/care/relationships/{rel}/end")))
            .form(&[
                ("csrf", client.csrf.as_str()),
                ("reason", "wanted_more_structure"),
                ("message", "different_approach"),
                ("referral", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("Nothing has been sent or cancelled yet")
        );

        let nothing_yet = |what: &str| format!("{backend:?}: nothing {what} before confirmation");
        assert!(
            rapport_store::messages::list(&app.state.db, &app.state.vault, &rel)
                .await
                .unwrap()
                .is_empty(),
            "{}",
            nothing_yet("sent")
        );
        assert!(
            !mail_for(&app, &t)
                .await
                .iter()
                .any(|(k, _, _)| k == "ending"),
            "{}",
            nothing_yet("e-mailed")
        );
        assert!(
            appointments(&app, &client)
                .await
                .iter()
                .all(|a| a["status"] == "booked"),
            "{}",
            nothing_yet("cancelled")
        );
        assert!(
            endings::stage(&app.state.db, &rel)
                .await
                .unwrap()
                .is_some_and(|s| s.stage == "active"),
            "{}",
            nothing_yet("ended")
        );
        assert!(
            rapport_store::matching::fit_profile(&app.state.db, &client.id)
                .await
                .unwrap()
                .is_none(),
            "{}",
            nothing_yet("in the fit profile")
        );
        let w: Value = waiting
            .get(&app, "/api/v1/care/waitlist")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            w["offers"].as_array().unwrap().is_empty(),
            "{}",
            nothing_yet("offered")
        );

        let mut confirmed = choice.clone();
        confirmed["confirm"] = json!(true);
        let done = client
            .post(
                &app,
                &format!("/api/v1/care/relationships/{rel}/ending"),
                confirmed.clone(),
            )
            .await;
        assert_eq!(done.status(), 201, "{backend:?}");
        let done: Value = done.json().await.unwrap();
        assert_eq!(done["stage"], "ended");
        assert_eq!(done["cancelled"].as_array().unwrap().len(), 4);
        assert_eq!(done["next"], "/match");

        let sent = rapport_store::messages::list(&app.state.db, &app.state.vault, &rel)
            .await
            .unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].kind, "ending");
        assert!(
            mail_for(&app, &t)
                .await
                .iter()
                .any(|(k, _, body)| k == "ending" && body.contains("different approach"))
        );
        assert!(
            appointments(&app, &client)
                .await
                .iter()
                .all(|a| a["status"] == "cancelled")
        );
        let w: Value = waiting
            .get(&app, "/api/v1/care/waitlist")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            w["offers"].as_array().unwrap().len(),
            1,
            "{backend:?}: the first freed slot went to the waitlist"
        );
        let first_freed = rapport_core::care::clock::rfc3339(
            ms(sessions[0]["starts_at"].as_str().unwrap()) - 7 * 24 * HOUR,
        );
        assert_eq!(
            w["offers"][0]["starts_at"],
            first_freed.as_str(),
            "the earliest freed slot is offered, one offer at a time"
        );
        let profile: Value = serde_json::from_str(
            &rapport_store::matching::fit_profile(&app.state.db, &client.id)
                .await
                .unwrap()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            profile["style"]["directiveness"], 1.0,
            "wanting more structure moves the style"
        );
        assert!(
            profile["exclude"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x.as_str().unwrap().starts_with("t-")),
            "the therapist is not suggested again"
        );

        let again = client
            .post(
                &app,
                &format!("/api/v1/care/relationships/{rel}/ending"),
                confirmed,
            )
            .await;
        assert_eq!(
            again.status(),
            409,
            "a second confirmation sends nothing twice"
        );
        assert_eq!(
            rapport_store::messages::list(&app.state.db, &app.state.vault, &rel)
                .await
                .unwrap()
                .len(),
            1
        );

        let practice: Value = t
            .get(&app, "/api/v1/care/practice")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(practice["referrals"].as_array().unwrap().len(), 1);
        let practice_text = practice.to_string();
        assert!(
            !practice_text.contains("wanted_more_structure")
                && !practice_text.contains("structure"),
            "the reason is never shown to the therapist: {practice_text}"
        );
        let page = t.get(&app, "/care/practice").await.text().await.unwrap();
        assert!(
            page.contains("different approach") && !page.contains("more structure"),
            "the practice page shows the message, not the reason"
        );

        let referral_id = practice["referrals"][0]["id"].as_str().unwrap();
        let colleague = format!("c-{}", &t.id[..8]);
        rapport_store::listings::import(
            &app.state.db,
            &[(
                colleague.clone(),
                json!({"id": colleague, "name": "Dr Colleague"}).to_string(),
            )],
        )
        .await
        .unwrap();
        let bad = t
            .post(
                &app,
                &format!("/api/v1/care/referrals/{referral_id}/answer"),
                json!({"listing_ids": ["nobody"], "note": ""}),
            )
            .await;
        assert_eq!(bad.status(), 422);
        let ok = t
            .post(
                &app,
                &format!("/api/v1/care/referrals/{referral_id}/answer"),
                json!({"listing_ids": [colleague], "note": "She works in a structured way."}),
            )
            .await;
        assert_eq!(ok.status(), 200, "{backend:?}");
        let mine: Value = client
            .get(&app, "/api/v1/care/referrals")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine[0]["suggestions"][0]["name"], "Dr Colleague");
        assert_eq!(mine[0]["note"], "She works in a structured way.");
        assert!(
            mail_for(&app, &client)
                .await
                .iter()
                .any(|(k, _, body)| k == "referral" && body.contains("Dr Colleague"))
        );
        let hub = client.get(&app, "/care").await.text().await.unwrap();
        assert!(
            hub.contains("Dr Colleague") && hub.contains("/match"),
            "suggestions show on the client's page, with the way to matches"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_a_closing_session_keeps_the_next_appointment_and_ends_after_it() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let (_t, client, _waiting, rel, sessions) = ending_setup(&app).await;
        let body = json!({"reason": "too_intense", "message": "not_continuing", "closing_session": true, "confirm": true});
        let done: Value = client
            .post(
                &app,
                &format!("/api/v1/care/relationships/{rel}/ending"),
                body,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(done["stage"], "ending", "{backend:?}");
        let closing_id = done["closing_session"].as_str().unwrap().to_owned();
        let list = appointments(&app, &client).await;
        let closing = list
            .iter()
            .find(|a| a["id"] == closing_id.as_str())
            .unwrap();
        assert_eq!(
            (closing["kind"].as_str(), closing["status"].as_str()),
            (Some("closing"), Some("booked"))
        );
        assert_eq!(
            list.iter().filter(|a| a["status"] == "cancelled").count(),
            3
        );
        let end_of_closing = ms(closing["ends_at"].as_str().unwrap()) + 1;
        let _ = sessions;
        assert_eq!(
            worker::tick(&app.state, end_of_closing)
                .await
                .unwrap()
                .finished,
            1
        );
        assert_eq!(
            endings::stage(&app.state.db, &rel)
                .await
                .unwrap()
                .unwrap()
                .stage,
            "ended"
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

fn validate(files: &[std::path::PathBuf]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ics/validate_ics.py");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_files_and_the_secret_feed_pass_the_icalendar_validator_and_the_feed_can_be_revoked()
 {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let slot = free_after_days(&app, &client, &t.id, 2).await;
        let booked: Vec<Value> = book(&app, &client, &t.id, &slot, "consultation", 2)
            .await
            .json()
            .await
            .unwrap();
        let cancelled = booked[1]["id"].as_str().unwrap();
        client.post(&app, &format!("/api/v1/care/appointments/{cancelled}/cancel"), json!({"message": "Can't make this one; see you the week before, with thanks, Kim; \\ ok"})).await;

        let one = client
            .get(
                &app,
                &format!(
                    "/api/v1/care/appointments/{}/ics",
                    booked[0]["id"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(
            one.headers()["content-type"],
            "text/calendar; charset=utf-8"
        );
        let page_file = client
            .get(
                &app,
                &format!(
                    "/care/appointments/{}/calendar.ics",
                    booked[0]["id"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(page_file.status(), 200);
        let feed: Value = client
            .post(&app, "/api/v1/care/calendar", json!({}))
            .await
            .json()
            .await
            .unwrap();
        let url = feed["url"].as_str().unwrap();
        let path = &url[url.find("/calendar/").unwrap()..];
        let anonymous = common::client();
        let feed_text = anonymous
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let t_feed: Value = t
            .post(&app, "/api/v1/care/calendar", json!({}))
            .await
            .json()
            .await
            .unwrap();
        let t_url = t_feed["url"].as_str().unwrap();
        let t_text = anonymous
            .get(app.url(&t_url[t_url.find("/calendar/").unwrap()..]))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();

        let dir = app.dir.join("ics");
        std::fs::create_dir_all(&dir).unwrap();
        let files: Vec<std::path::PathBuf> = [
            ("one.ics", one.text().await.unwrap()),
            ("page.ics", page_file.text().await.unwrap()),
            ("feed.ics", feed_text),
            ("therapist.ics", t_text),
        ]
        .into_iter()
        .map(|(name, text)| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
        let report = validate(&files);
        assert!(report.contains("4 file(s) valid"), "{report}");
        assert_eq!(
            report.matches("CANCELLED").count(),
            2,
            "{backend:?}: the cancelled week shows as cancelled in both feeds: {report}"
        );
        assert!(report.matches("CONFIRMED").count() >= 4, "{report}");

        assert!(!app.state.db.ping().await.is_err());
        let stored_token_is_a_hash: i64 = rapport_store::with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM calendar_feeds WHERE token_hash = $1").bind(path.trim_start_matches("/calendar/").trim_end_matches(".ics")).fetch_one(pool).await).unwrap();
        assert_eq!(
            stored_token_is_a_hash, 0,
            "only a hash of the token is stored"
        );
        assert_eq!(
            client.delete(&app, "/api/v1/care/calendar").await.status(),
            204
        );
        assert_eq!(
            anonymous.get(app.url(path)).send().await.unwrap().status(),
            404,
            "a revoked feed is gone"
        );
        assert_eq!(
            anonymous
                .get(app.url("/calendar/not-a-token.ics"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
}

#[test]
fn the_validator_rejects_a_calendar_without_required_properties() {
    let dir = std::env::temp_dir().join(format!("rapport-ics-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.ics");
    std::fs::write(&bad, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260303T180000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ics/validate_ics.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&bad)
        .output()
        .expect("python3");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("DTSTAMP missing") && err.contains("not a UTC date-time"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_see_the_outbox_and_never_the_bodies() {
    let app = common::spawn_app().await;
    let t = therapist_with_week(&app).await;
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
    let admin = app.admin().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_practice_waitlist_member_is_offered_a_slot_freed_at_any_of_its_therapists() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |c| c.waitlist_hold_hours = 24).await;
        let (t1, t2, outside) = (
            therapist_with_week(&app).await,
            therapist_with_week(&app).await,
            therapist_with_week(&app).await,
        );
        let practice = practice_with(&app, "Riverside Practice", &[&t1, &t2]).await;
        let (booker, waiting) = (app.signup("client").await, app.signup("client").await);

        let missing = waiting
            .post(
                &app,
                "/api/v1/care/waitlist",
                json!({"practice_id": "no-such-practice"}),
            )
            .await;
        assert_eq!(missing.status(), 422, "{backend:?}");
        let body: Value = missing.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "practice_id", "{body}");

        join_waitlist(&app, &waiting, json!({"practice_id": practice})).await;
        let again = waiting
            .post(
                &app,
                "/api/v1/care/waitlist",
                json!({"practice_id": practice}),
            )
            .await;
        assert_eq!(again.status(), 409, "{backend:?}: joining twice is refused");
        let listed: Value = waiting
            .get(&app, "/api/v1/care/waitlist")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["entries"][0]["practice_id"], practice.as_str());
        assert_eq!(listed["entries"][0]["practice_name"], "Riverside Practice");

        // A slot freed outside the practice is not theirs.
        let other = free_after_days(&app, &booker, &outside.id, 3).await;
        let booked: Vec<Value> = book(&app, &booker, &outside.id, &other, "consultation", 1)
            .await
            .json()
            .await
            .unwrap();
        cancel(&app, &booker, booked[0]["id"].as_str().unwrap()).await;
        assert!(
            offers(&app, &waiting).await.is_empty(),
            "{backend:?}: another practice's slot is not offered"
        );

        let slot = free_after_days(&app, &booker, &t2.id, 3).await;
        let booked: Vec<Value> = book(&app, &booker, &t2.id, &slot, "consultation", 1)
            .await
            .json()
            .await
            .unwrap();
        cancel(&app, &booker, booked[0]["id"].as_str().unwrap()).await;
        let held = offers(&app, &waiting).await;
        assert_eq!(held.len(), 1, "{backend:?}: {held:?}");
        assert_eq!(held[0]["starts_at"], slot.as_str());
        assert_eq!(held[0]["therapist_id"], t2.id.as_str());
        assert!(
            mail_for(&app, &waiting)
                .await
                .iter()
                .any(|(k, _, _)| k == "waitlist_offer")
        );
        let id = held[0]["id"].as_str().unwrap();
        let ok = waiting
            .post(&app, &format!("/api/v1/care/offers/{id}/accept"), json!({}))
            .await;
        assert_eq!(ok.status(), 200, "{backend:?}");
        assert!(
            appointments(&app, &waiting)
                .await
                .iter()
                .any(|a| a["starts_at"] == slot.as_str() && a["status"] == "booked")
        );
        let after: Value = waiting
            .get(&app, "/api/v1/care/waitlist")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            after["entries"].as_array().unwrap().is_empty(),
            "{backend:?}: a placed client leaves the practice's queue"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_therapists_own_waitlist_and_the_practice_waitlist_are_one_queue_first_come_first_served()
{
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |c| c.waitlist_hold_hours = 24).await;
        let t = therapist_with_week(&app).await;
        let practice = practice_with(&app, "Hillside Group", &[&t]).await;
        let (booker, by_practice, by_therapist, late) = (
            app.signup("client").await,
            app.signup("client").await,
            app.signup("client").await,
            app.signup("client").await,
        );
        let slot = free_after_days(&app, &booker, &t.id, 3).await;
        let booked: Vec<Value> = book(&app, &booker, &t.id, &slot, "consultation", 1)
            .await
            .json()
            .await
            .unwrap();
        join_waitlist(&app, &by_practice, json!({"practice_id": practice})).await;
        join_waitlist(&app, &by_therapist, json!({"therapist_id": t.id})).await;
        join_waitlist(&app, &late, json!({"practice_id": practice})).await;

        cancel(&app, &booker, booked[0]["id"].as_str().unwrap()).await;
        let first = offers(&app, &by_practice).await;
        assert_eq!(
            first.len(),
            1,
            "{backend:?}: the practice member joined first"
        );
        assert!(offers(&app, &by_therapist).await.is_empty());
        assert!(offers(&app, &late).await.is_empty());

        let id = first[0]["id"].as_str().unwrap();
        let resp = by_practice
            .post(
                &app,
                &format!("/api/v1/care/offers/{id}/decline"),
                json!({}),
            )
            .await;
        assert!(resp.status().is_success(), "{backend:?}: {}", resp.status());
        let second = offers(&app, &by_therapist).await;
        assert_eq!(
            second.len(),
            1,
            "{backend:?}: then the therapist's own waitlist member"
        );
        assert_eq!(second[0]["starts_at"], slot.as_str());
        assert!(offers(&app, &late).await.is_empty());

        let later = rapport_store::now_ms() + 25 * HOUR;
        let tick = worker::tick(&app.state, later).await.unwrap();
        assert_eq!(tick.offers, 1, "{backend:?}: the lapsed hold moves on");
        let id = second[0]["id"].as_str().unwrap();
        let expired = by_therapist
            .post(&app, &format!("/api/v1/care/offers/{id}/accept"), json!({}))
            .await;
        assert_eq!(expired.status(), 409, "{backend:?}");
        let held: Vec<Value> = appointments(&app, &t)
            .await
            .into_iter()
            .filter(|a| {
                a["starts_at"] == slot.as_str()
                    && (a["status"] == "held" || a["status"] == "booked")
            })
            .collect();
        assert_eq!(
            held.len(),
            1,
            "{backend:?}: never two clients on one slot: {held:?}"
        );
        let third = offers(&app, &late).await;
        assert_eq!(third.len(), 1, "{backend:?}: then the next practice member");
        assert_eq!(third[0]["id"], held[0]["id"]);
    }
}
