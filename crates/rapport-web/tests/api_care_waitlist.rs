//! The waitlist through the API, on SQLite and PostgreSQL: a freed slot offered in turn, held,
//! passed on, an expired offer refused; a practice's waitlist across its therapists, one queue
//! with a therapist's own, first come first served.

mod care_support;
mod common;

use care_support::*;
use rapport_web::features::care::worker;
use serde_json::{Value, json};

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
