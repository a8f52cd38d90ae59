//! Leaving well through the API, on SQLite and PostgreSQL: nothing sent or cancelled until the
//! client confirms, then everything once; a closing session kept before the ending.

mod care_support;
mod common;

use care_support::*;
use rapport_store::care::endings;
use rapport_web::features::care::worker;
use serde_json::{Value, json};

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
    let rel = relationship_with(app, &client, &t.id).await;
    accept(app, &t, &rel).await;
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
