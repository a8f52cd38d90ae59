//! Pages reflect what just happened (issue 19, item 6), on SQLite and PostgreSQL: after a note is
//! sent the relationship page no longer offers to draft one; after an ending the relationship
//! reads as ended, offers no check-in, no note and no booking, and the list says "Ended".

mod care_support;
mod common;

use care_support::*;
use serde_json::{Value, json};

fn checkin_with_need(session: u32) -> Value {
    json!({"session": session, "heard": 4, "open": 4, "attuned": 4, "trust": 4, "looking_forward": 4,
           "stirred": 1, "left_feeling": "better", "flags": [], "need": "more structure"})
}

async fn page(app: &common::TestApp, user: &common::User, path: &str) -> String {
    let r = user.get(app, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_note_and_after_an_ending_the_pages_say_so_and_offer_only_what_still_makes_sense() {
    for backend in common::backends() {
        let app = common::spawn_app_with(backend, |_| {}).await;
        let t = therapist_with_week(&app).await;
        let client = app.signup("client").await;
        let first = free_after_days(&app, &client, &t.id, 2).await;
        assert_eq!(
            book(&app, &client, &t.id, &first, "consultation", 1)
                .await
                .status(),
            201
        );
        let rel = relationship_with(&app, &client, &t.id).await;
        accept(&app, &t, &rel).await;
        let r = client
            .post(
                &app,
                &format!("/api/v1/relationships/{rel}/checkins"),
                checkin_with_need(1),
            )
            .await;
        assert_eq!(r.status(), 201, "{backend:?}");
        let path = format!("/relationships/{rel}");
        let note_link = format!("/relationships/{rel}/note\"");
        let checkin_link = format!("/relationships/{rel}/checkin\"");

        let before = page(&app, &client, &path).await;
        assert!(
            before.contains(&note_link),
            "{backend:?}: a noted need offers a note"
        );
        assert!(before.contains(&checkin_link));

        let sent = client
            .post(
                &app,
                &format!("/api/v1/relationships/{rel}/messages"),
                json!({"note": "Could we add more structure?", "confirm": true}),
            )
            .await;
        assert_eq!(sent.status(), 201);
        let after_note = page(&app, &client, &path).await;
        assert!(
            !after_note.contains(&note_link),
            "{backend:?}: no second draft offered right after a note was sent"
        );
        assert!(after_note.contains("id=\"note-sent\""), "{backend:?}");
        assert!(after_note.contains(&checkin_link));

        let r = client
            .post(
                &app,
                &format!("/api/v1/relationships/{rel}/checkins"),
                checkin_with_need(2),
            )
            .await;
        assert_eq!(r.status(), 201);
        let next_session = page(&app, &client, &path).await;
        assert!(
            next_session.contains(&note_link),
            "{backend:?}: a new check-in noting a need offers a note again"
        );

        let ended = client
            .post(
                &app,
                &format!("/api/v1/care/relationships/{rel}/ending"),
                json!({"reason": "wanted_more_structure", "message": "different_approach",
                       "closing_session": false, "referral": false, "addition": "", "confirm": true}),
            )
            .await;
        assert_eq!(ended.status(), 201, "{}", ended.text().await.unwrap());
        let after_end = page(&app, &client, &path).await;
        assert!(after_end.contains("This has ended"), "{backend:?}");
        assert!(after_end.contains("You ended this on"), "{backend:?}");
        assert!(
            !after_end.contains(&checkin_link),
            "{backend:?}: no check-in offered"
        );
        assert!(
            !after_end.contains(&note_link),
            "{backend:?}: no note offered"
        );
        assert!(
            !after_end.contains("Worth speaking up")
                && !after_end.contains("Next step:</strong> Bring"),
            "{backend:?}: the running reading's advice is gone"
        );

        let list = page(&app, &client, "/relationships").await;
        assert!(list.contains("Ended"), "{backend:?}: the list says Ended");
        let hub = page(&app, &client, "/care").await;
        assert!(
            !hub.contains(&format!("href=\"/care/therapists/{}\">Book a time", t.id)),
            "{backend:?}: booking with them is not offered after the ending"
        );
    }
}
