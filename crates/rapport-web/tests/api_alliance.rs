//! The alliance check-in through the API: recording, reading, sharing and who may see what.

mod common;

use common::{Backend, TestApp, User, backends, spawn_app_with};
use serde_json::{Value, json};

fn good(session: u32) -> Value {
    json!({"session": session, "heard": 3, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3,
           "stirred": 1, "left_feeling": "better"})
}

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// A therapist with a directory listing linked to their account, so clients can pick them.
async fn listed_therapist(app: &TestApp) -> (User, String) {
    let t = app.signup("therapist").await;
    let listing_id = format!("t-{}", &t.id[..8]);
    let data = json!({"id": listing_id, "name": "Dr Test"}).to_string();
    rapport_store::listings::upsert_many(
        &app.state.db,
        &[(listing_id.clone(), Some(t.id.clone()), data)],
    )
    .await
    .unwrap();
    (t, listing_id)
}

async fn relationship(app: &TestApp, client: &User, listing: Option<&str>) -> String {
    let r = client
        .post(
            app,
            "/api/v1/relationships",
            json!({"therapist_name": "Dr Test", "listing_id": listing}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The therapist accepts the client's relationship, so it reaches them.
async fn accepted(app: &TestApp, therapist: &User, rel: &str) {
    let r = therapist
        .post(
            app,
            &format!("/api/v1/relationships/{rel}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_client_records_checkins_and_reads_the_assessment() {
    for b in backends() {
        let app = app(b).await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, None).await;
        for s in 1..=3 {
            let r = c
                .post(
                    &app,
                    &format!("/api/v1/relationships/{rel}/checkins"),
                    good(s),
                )
                .await;
            assert_eq!(r.status(), 201, "{b:?}");
        }
        let body: Value = c
            .get(&app, &format!("/api/v1/relationships/{rel}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["assessment"]["sessions"], 3);
        assert_eq!(body["assessment"]["status"], "strong", "{body}");
        assert_eq!(body["assessment"]["alliance"][2]["score"], 75.0);
        assert!(!body["assessment"]["next_step"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_session_number_is_filled_in_when_left_out() {
    let app = app(Backend::Sqlite).await;
    let c = app.signup("client").await;
    let rel = relationship(&app, &c, None).await;
    let mut first = good(1);
    first.as_object_mut().unwrap().remove("session");
    assert_eq!(
        c.post(
            &app,
            &format!("/api/v1/relationships/{rel}/checkins"),
            first.clone()
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        c.post(
            &app,
            &format!("/api/v1/relationships/{rel}/checkins"),
            first
        )
        .await
        .status(),
        201
    );
    let body: Value = c
        .get(&app, &format!("/api/v1/relationships/{rel}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["checkins"][1]["session"], 2);
}

#[tokio::test]
async fn bad_checkins_name_the_field_and_store_nothing() {
    for b in backends() {
        let app = app(b).await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, None).await;
        let path = format!("/api/v1/relationships/{rel}/checkins");
        let cases = [
            (
                json!({"session": 1, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3, "stirred": 1, "left_feeling": "better"}),
                "heard",
            ),
            (
                json!({"session": 1, "heard": 7, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3, "stirred": 1, "left_feeling": "better"}),
                "heard",
            ),
            (
                json!({"session": 1, "heard": 3, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3, "stirred": 1, "left_feeling": "better", "flags": ["grumpy"]}),
                "flags",
            ),
            (
                json!({"session": 1, "heard": 3, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3, "stirred": 1, "left_feeling": "meh"}),
                "left_feeling",
            ),
        ];
        for (body, field) in cases {
            let r = c.post(&app, &path, body).await;
            assert_eq!(r.status(), 422);
            let e: Value = r.json().await.unwrap();
            let fields: Vec<&str> = e["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["field"].as_str().unwrap())
                .collect();
            assert!(
                fields.iter().any(|f| f.contains(field)),
                "{field} not named in {e}"
            );
        }
        assert_eq!(c.post(&app, &path, good(1)).await.status(), 201);
        let dup = c.post(&app, &path, good(1)).await;
        assert_eq!(dup.status(), 422);
        assert_eq!(
            dup.json::<Value>().await.unwrap()["errors"][0]["field"],
            "session"
        );
        let body: Value = c
            .get(&app, &format!("/api/v1/relationships/{rel}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            body["checkins"].as_array().unwrap().len(),
            1,
            "{b:?}: only the good check-in is stored"
        );
    }
}

#[tokio::test]
async fn a_client_cannot_read_or_write_another_clients_checkins() {
    for b in backends() {
        let app = app(b).await;
        let a = app.signup("client").await;
        let other = app.signup("client").await;
        let rel = relationship(&app, &a, None).await;
        assert_eq!(
            a.post(
                &app,
                &format!("/api/v1/relationships/{rel}/checkins"),
                good(1)
            )
            .await
            .status(),
            201
        );
        assert_eq!(
            other
                .get(&app, &format!("/api/v1/relationships/{rel}"))
                .await
                .status(),
            404
        );
        assert_eq!(
            other
                .post(
                    &app,
                    &format!("/api/v1/relationships/{rel}/checkins"),
                    good(2)
                )
                .await
                .status(),
            404
        );
        assert_eq!(
            other
                .put(
                    &app,
                    &format!("/api/v1/relationships/{rel}/sharing"),
                    json!({"sharing": "answers"})
                )
                .await
                .status(),
            404
        );
        let body: Value = a
            .get(&app, &format!("/api/v1/relationships/{rel}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["checkins"].as_array().unwrap().len(), 1);
        assert_eq!(body["relationship"]["sharing"], "private");
    }
}

#[tokio::test]
async fn a_therapist_sees_nothing_private_only_the_trend_when_trend_shared_and_answers_when_shared()
{
    for b in backends() {
        let app = app(b).await;
        let (t, listing) = listed_therapist(&app).await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, Some(&listing)).await;
        accepted(&app, &t, &rel).await;
        let mut with_need = good(1);
        with_need["need"] = json!("slower pace please");
        with_need["flags"] = json!(["unheard"]);
        assert_eq!(
            c.post(
                &app,
                &format!("/api/v1/relationships/{rel}/checkins"),
                with_need
            )
            .await
            .status(),
            201
        );

        let caseload: Value = t.get(&app, "/api/v1/caseload").await.json().await.unwrap();
        assert_eq!(
            caseload.as_array().unwrap().len(),
            0,
            "private relationships are invisible"
        );
        assert_eq!(
            t.get(&app, &format!("/api/v1/caseload/{rel}"))
                .await
                .status(),
            404
        );

        c.put(
            &app,
            &format!("/api/v1/relationships/{rel}/sharing"),
            json!({"sharing": "trend"}),
        )
        .await;
        let trend = t.get(&app, &format!("/api/v1/caseload/{rel}")).await;
        assert_eq!(trend.status(), 200);
        let text = trend.text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status"], "early", "read from the five signs alone");
        assert!(v.get("checkins").is_none() && v.get("reasons").is_none());
        assert!(
            !text.contains("slower pace") && !text.contains("unheard"),
            "trend sharing leaks answers: {text}"
        );

        c.put(
            &app,
            &format!("/api/v1/relationships/{rel}/sharing"),
            json!({"sharing": "answers"}),
        )
        .await;
        let v: Value = t
            .get(&app, &format!("/api/v1/caseload/{rel}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["checkins"][0]["need"], "slower pace please");

        c.put(
            &app,
            &format!("/api/v1/relationships/{rel}/sharing"),
            json!({"sharing": "private"}),
        )
        .await;
        assert_eq!(
            t.get(&app, &format!("/api/v1/caseload/{rel}"))
                .await
                .status(),
            404,
            "revoking is immediate"
        );

        let audit: Value = c.get(&app, "/api/v1/me/audit").await.json().await.unwrap();
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"view_trend") && actions.contains(&"view_answers"),
            "{actions:?}"
        );
        assert!(
            audit
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["actor_id"] == t.id.as_str())
        );
    }
}

#[tokio::test]
async fn another_therapist_cannot_see_a_shared_relationship() {
    let app = app(Backend::Sqlite).await;
    let (t, listing) = listed_therapist(&app).await;
    let stranger = app.signup("therapist").await;
    let c = app.signup("client").await;
    let rel = relationship(&app, &c, Some(&listing)).await;
    accepted(&app, &t, &rel).await;
    c.put(
        &app,
        &format!("/api/v1/relationships/{rel}/sharing"),
        json!({"sharing": "answers"}),
    )
    .await;
    assert_eq!(
        stranger
            .get(&app, &format!("/api/v1/caseload/{rel}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        stranger
            .get(&app, "/api/v1/caseload")
            .await
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn roles_are_enforced_on_alliance_routes() {
    let app = app(Backend::Sqlite).await;
    let t = app.signup("therapist").await;
    let c = app.signup("client").await;
    assert_eq!(
        t.post(
            &app,
            "/api/v1/relationships",
            json!({"therapist_name": "x"})
        )
        .await
        .status(),
        403
    );
    assert_eq!(c.get(&app, "/api/v1/caseload").await.status(), 403);
    assert_eq!(
        common::client()
            .get(app.url("/api/v1/relationships"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn a_speak_up_note_is_sent_only_with_confirmation_and_only_to_a_therapist_on_rapport() {
    let app = app(Backend::Sqlite).await;
    let (t, listing) = listed_therapist(&app).await;
    let c = app.signup("client").await;
    let rel = relationship(&app, &c, Some(&listing)).await;
    accepted(&app, &t, &rel).await;
    let mut need = good(1);
    need["need"] = json!("more structure");
    c.post(&app, &format!("/api/v1/relationships/{rel}/checkins"), need)
        .await;
    let draft: Value = c
        .get(&app, &format!("/api/v1/relationships/{rel}/note"))
        .await
        .json()
        .await
        .unwrap();
    assert!(draft["draft"].as_str().unwrap().contains("more structure"));
    let unconfirmed = c
        .post(
            &app,
            &format!("/api/v1/relationships/{rel}/messages"),
            json!({"note": "hello"}),
        )
        .await;
    assert_eq!(unconfirmed.status(), 422);
    c.put(
        &app,
        &format!("/api/v1/relationships/{rel}/sharing"),
        json!({"sharing": "trend"}),
    )
    .await;
    let v: Value = t
        .get(&app, &format!("/api/v1/caseload/{rel}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["messages"].as_array().unwrap().len(),
        0,
        "nothing sent without confirmation"
    );
    let sent = c
        .post(
            &app,
            &format!("/api/v1/relationships/{rel}/messages"),
            json!({"note": "Could we add more structure?", "confirm": true}),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let v: Value = t
        .get(&app, &format!("/api/v1/caseload/{rel}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["messages"][0]["body"], "Could we add more structure?");
    let told = rapport_store::care::outbox::for_user(&app.state.db, &app.state.vault, &t.id)
        .await
        .unwrap();
    let notice = told
        .iter()
        .find(|m| m.kind == "speak_up")
        .expect("the therapist is told a note is waiting");
    assert!(
        notice.body.contains(&format!("/caseload/{rel}"))
            && !notice.body.contains("more structure"),
        "the e-mail points to the note, never quotes it: {}",
        notice.body
    );

    let unlisted = relationship(&app, &c, None).await;
    let r = c
        .post(
            &app,
            &format!("/api/v1/relationships/{unlisted}/messages"),
            json!({"note": "hi", "confirm": true}),
        )
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn misconduct_means_act_now_with_a_way_to_report() {
    let app = app(Backend::Sqlite).await;
    let c = app.signup("client").await;
    let rel = relationship(&app, &c, None).await;
    let mut m = good(1);
    m["misconduct"] = json!(true);
    c.post(&app, &format!("/api/v1/relationships/{rel}/checkins"), m)
        .await;
    let body: Value = c
        .get(&app, &format!("/api/v1/relationships/{rel}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["assessment"]["status"], "act_now");
    let page = c
        .get(&app, &format!("/relationships/{rel}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("You can stop now") && page.contains(&app.state.config.report_url),
        "act_now page lacks the report link"
    );
}

#[tokio::test]
async fn the_need_text_is_encrypted_at_rest() {
    for b in backends() {
        let app = app(b).await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, None).await;
        let mut n = good(1);
        n["need"] = json!("a very private sentence");
        c.post(&app, &format!("/api/v1/relationships/{rel}/checkins"), n)
            .await;
        let raw: Vec<Option<Vec<u8>>> = rapport_store::with_pool!(&app.state.db, pool =>
            sqlx::query_scalar("SELECT need FROM checkins").fetch_all(pool).await)
        .unwrap();
        let bytes = raw[0].clone().unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("very private"));
        let answers: Vec<String> = rapport_store::with_pool!(&app.state.db, pool =>
            sqlx::query_scalar("SELECT answers FROM checkins").fetch_all(pool).await)
        .unwrap();
        assert!(!answers[0].contains("very private"));
    }
}
