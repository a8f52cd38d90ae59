//! From a request to a first session: a client's intro-consultation request reaches the
//! therapist's inbox and e-mail; the therapist offers one of their free times (the client books
//! it) or declines kindly; the client sees each request's state. Refusals name the field and
//! change nothing. On SQLite and PostgreSQL.

mod care_support;
mod common;
mod matching_support;

use care_support::{book, free_after_days, mail_for, therapist_with_week};
use common::{TestApp, User};
use matching_support::{import, listing};
use serde_json::{Value, json};

async fn own_listing(app: &TestApp, t: &User, name: &str) -> String {
    let mut own = listing("x", json!({"name": name}));
    own.as_object_mut().unwrap().remove("id");
    let r = t.put(app, "/api/v1/me/listing", own).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn ask(app: &TestApp, client: &User, ids: &[&str]) {
    for id in ids {
        let r = client
            .post(app, "/api/v1/shortlist", json!({"listing_id": id}))
            .await;
        assert_eq!(r.status(), 201);
    }
    let r = client
        .post(
            app,
            "/api/v1/consultations",
            json!({"listing_ids": ids, "message": "Could we meet?"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

async fn mine(app: &TestApp, client: &User) -> Vec<Value> {
    client
        .get(app, "/api/v1/consultations")
        .await
        .json()
        .await
        .unwrap()
}

async fn inbox(app: &TestApp, t: &User) -> Vec<Value> {
    t.get(app, "/api/v1/me/listing/consultations")
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_answered_with_a_time_the_client_books_or_with_a_kind_no() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |c| c.booking_caps.consultations = 3).await;
        let admin = app.admin().await;
        import(
            &app,
            &admin,
            &[listing("t-listed", json!({"name": "Dr Only Listed"}))],
        )
        .await;
        let t = therapist_with_week(&app).await;
        let own = own_listing(&app, &t, "Dr On Rapport").await;
        let client = app.signup("client").await;
        ask(&app, &client, &[&own, "t-listed"]).await;

        // The therapist is told; the listed-only therapist cannot be, and the client is told so.
        assert!(
            mail_for(&app, &t)
                .await
                .iter()
                .any(|(k, _, b)| k == "consultation_request" && b.contains("/requests")),
        );
        let sent = mine(&app, &client).await;
        let to = |id: &str| sent.iter().find(|c| c["listing_id"] == id).unwrap().clone();
        assert_eq!(to(&own)["state"], "sent", "{backend:?}");
        assert_eq!(to(&own)["therapist_id"], t.id.as_str());
        assert!(to("t-listed")["therapist_id"].is_null());
        assert!(
            to("t-listed")["next_step"]
                .as_str()
                .unwrap()
                .contains("isn't on Rapport yet")
        );

        let req = inbox(&app, &t).await[0]["id"].as_str().unwrap().to_owned();
        let offer = |body: Value| {
            let (app, t, req) = (&app, &t, req.clone());
            async move {
                t.post(
                    app,
                    &format!("/api/v1/me/listing/consultations/{req}/offer"),
                    body,
                )
                .await
            }
        };
        // A time that is not one of theirs is refused, naming the field; nothing changes.
        let r = offer(json!({"starts_at": "2020-01-07T09:00:00Z"})).await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "starts_at");
        let r = offer(json!({"starts_at": "soon", "note": "x".repeat(1001)})).await;
        let body: Value = r.json().await.unwrap();
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["note", "starts_at"]);
        assert_eq!(to(&own)["state"], "sent");
        // Another therapist cannot answer it.
        let other = app.signup("therapist").await;
        let r = other
            .post(
                &app,
                &format!("/api/v1/me/listing/consultations/{req}/offer"),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), 404);

        let slot = free_after_days(&app, &client, &t.id, 2).await;
        let r = offer(json!({"starts_at": slot, "note": "Looking forward to it."})).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let answered: Value = r.json().await.unwrap();
        assert_eq!(answered["state"], "offered");
        assert_eq!(answered["offered_start"], slot.as_str());
        assert_eq!(
            offer(json!({"starts_at": slot})).await.status(),
            409,
            "answered once"
        );
        let told = mail_for(&app, &client).await;
        assert!(
            told.iter().any(|(k, _, b)| k == "consultation_answer"
                && b.contains("offered you an intro consultation")
                && b.contains("(UTC)")
                && b.contains("Looking forward to it.")),
            "{told:?}"
        );
        let page = client.get(&app, "/shortlist").await.text().await.unwrap();
        assert!(page.contains("Your requests") && page.contains("Book this time"));

        // The client books the offered time: the request reads booked on both sides.
        let r = book(&app, &client, &t.id, &slot, "consultation", 1).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let sent = mine(&app, &client).await;
        assert_eq!(
            sent.iter()
                .find(|c| c["listing_id"] == own.as_str())
                .unwrap()["state"],
            "booked"
        );
        assert_eq!(inbox(&app, &t).await[0]["state"], "booked");

        // Another client is declined with the kind standard words.
        let second = app.signup("client").await;
        ask(&app, &second, &[&own]).await;
        let req2 = inbox(&app, &t)
            .await
            .into_iter()
            .find(|c| c["state"] == "sent")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = t
            .post(
                &app,
                &format!("/api/v1/me/listing/consultations/{req2}/decline"),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), 200);
        let theirs = mine(&app, &second).await;
        assert_eq!(theirs[0]["state"], "declined");
        assert!(
            theirs[0]["reply"]
                .as_str()
                .unwrap()
                .contains("didn't want to leave you waiting")
        );
        assert!(
            theirs[0]["next_step"]
                .as_str()
                .unwrap()
                .contains("says nothing about you")
        );
        assert!(
            mail_for(&app, &second)
                .await
                .iter()
                .any(|(k, _, _)| k == "consultation_answer")
        );
        let page = second.get(&app, "/shortlist").await.text().await.unwrap();
        assert!(page.contains("See your other matches"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_therapist_answers_from_the_inbox_page() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let own = own_listing(&app, &t, "Dr Inbox").await;
        let client = app.signup("client").await;
        ask(&app, &client, &[&own]).await;
        let page = t.get(&app, "/requests").await.text().await.unwrap();
        assert!(page.contains("Test client") && page.contains("Offer this time"));
        assert!(page.contains("Decline kindly"));
        let req = inbox(&app, &t).await[0]["id"].as_str().unwrap().to_owned();
        let slot = free_after_days(&app, &client, &t.id, 2).await;
        let r = matching_support::post_form(
            &app,
            &t,
            &format!("/requests/{req}/offer"),
            &[("starts_at", slot.as_str()), ("note", "")],
        )
        .await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/requests?done=offered");
        let page = t
            .get(&app, "/requests?done=offered")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Sent. They&#39;ll see the time"), "{page}");
        assert_eq!(inbox(&app, &t).await[0]["state"], "offered");
        let r = matching_support::post_form(
            &app,
            &t,
            &format!("/requests/{req}/decline"),
            &[("note", "")],
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("already answered"));
    }
}
