//! The client's side of matching through the API, on every database: a shortlist of at most
//! three, intro-consultation requests to shortlisted therapists only, and the fit profile that
//! endings move and the client can edit.

mod common;
mod matching_support;

use common::{TestApp, User, backends, spawn_app_with};
use matching_support::{fields, import, listing};
use rapport_core::matching::EndingReason;
use rapport_web::features::matching::apply_ending;
use serde_json::{Value, json};

async fn directory(app: &TestApp) {
    let admin = app.admin().await;
    let all: Vec<Value> = ["t-a", "t-b", "t-c", "t-d"]
        .iter()
        .map(|id| listing(id, json!({})))
        .collect();
    import(app, &admin, &all).await;
}

async fn shortlist(app: &TestApp, client: &User, id: &str) -> reqwest::Response {
    client
        .post(app, "/api/v1/shortlist", json!({"listing_id": id}))
        .await
}

#[tokio::test]
async fn a_shortlist_holds_at_most_three_therapists() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        directory(&app).await;
        let client = app.signup("client").await;
        for id in ["t-a", "t-b", "t-c"] {
            assert_eq!(
                shortlist(&app, &client, id).await.status(),
                201,
                "{b:?} {id}"
            );
        }
        let r = shortlist(&app, &client, "t-d").await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "listing_id");
        assert!(
            body["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("already has 3"),
            "{body}"
        );
        assert_eq!(
            shortlist(&app, &client, "t-a").await.status(),
            200,
            "adding again changes nothing"
        );
        assert_eq!(
            fields(shortlist(&app, &client, "t-nobody").await).await,
            ["listing_id"]
        );
        let list: Value = client
            .get(&app, "/api/v1/shortlist")
            .await
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Dr t-a", "Dr t-b", "Dr t-c"], "{b:?}");
        assert_eq!(
            client.delete(&app, "/api/v1/shortlist/t-c").await.status(),
            204
        );
        assert_eq!(
            client.delete(&app, "/api/v1/shortlist/t-c").await.status(),
            404
        );
        assert_eq!(
            shortlist(&app, &client, "t-d").await.status(),
            201,
            "{b:?}: a freed place can be used"
        );
        let therapist = app.signup("therapist").await;
        assert_eq!(shortlist(&app, &therapist, "t-a").await.status(), 403);
    }
}

#[tokio::test]
async fn a_consultation_request_reaches_the_chosen_shortlisted_therapists_only() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        directory(&app).await;
        let therapist = app.signup("therapist").await;
        let mut own = listing("x", json!({"name": "Dr Listed"}));
        own.as_object_mut().unwrap().remove("id");
        let own_id = therapist
            .put(&app, "/api/v1/me/listing", own)
            .await
            .json::<Value>()
            .await
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let client = app.signup("client").await;
        for id in [own_id.as_str(), "t-a"] {
            assert_eq!(shortlist(&app, &client, id).await.status(), 201);
        }
        let refused = [
            (json!({"listing_ids": ["t-b"]}), "listing_ids"),
            (json!({"listing_ids": []}), "listing_ids"),
            (
                json!({"listing_ids": ["t-a"], "message": "x".repeat(1001)}),
                "message",
            ),
        ];
        for (body, field) in refused {
            assert_eq!(
                fields(client.post(&app, "/api/v1/consultations", body).await).await,
                [field],
                "{b:?}"
            );
        }
        let r = client.post(&app, "/api/v1/consultations", json!({"listing_ids": [own_id, "t-a"], "message": "Hello, could we talk on Tuesday?"})).await;
        assert_eq!(r.status(), 201, "{b:?}");
        let sent: Value = r.json().await.unwrap();
        assert_eq!(sent.as_array().unwrap().len(), 2);

        let received: Value = therapist
            .get(&app, "/api/v1/me/listing/consultations")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            received.as_array().unwrap().len(),
            1,
            "{b:?}: only the request to their own listing"
        );
        assert_eq!(received[0]["message"], "Hello, could we talk on Tuesday?");
        assert_eq!(received[0]["client_name"], "Test client");

        let again = client
            .post(
                &app,
                "/api/v1/consultations",
                json!({"listing_ids": ["t-a"]}),
            )
            .await;
        assert_eq!(
            fields(again).await,
            ["listing_ids"],
            "asking the same therapist twice is refused"
        );
        let mine: Value = client
            .get(&app, "/api/v1/consultations")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine.as_array().unwrap().len(), 2);
        let list: Value = client
            .get(&app, "/api/v1/shortlist")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|e| e["requested_at"].is_i64()),
            "{list}"
        );
        assert_eq!(
            therapist.get(&app, "/api/v1/consultations").await.status(),
            403
        );
    }
}

async fn profile(app: &TestApp, client: &User) -> Value {
    client
        .get(app, "/api/v1/me/fit-profile")
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn endings_move_the_fit_profile_and_the_client_can_edit_it() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let client = app.signup("client").await;
        let start = profile(&app, &client).await;
        assert_eq!(start["style"]["directiveness"], 0.0);
        assert_eq!(
            start["description"],
            "We'll look for someone who fits what you asked for."
        );

        apply_ending(
            &app.state,
            &client.id,
            "t-a",
            EndingReason::WantedMoreStructure,
        )
        .await
        .unwrap();
        let moved = profile(&app, &client).await;
        assert_eq!(moved["style"]["directiveness"], 1.0, "{b:?}");
        assert_eq!(moved["exclude"], json!(["t-a"]));
        let words = moved["description"].as_str().unwrap();
        assert!(
            words.contains("more structured") && words.contains("won't suggest"),
            "{words}"
        );

        for id in ["t-b", "t-c", "t-d"] {
            apply_ending(
                &app.state,
                &client.id,
                id,
                EndingReason::WantedMoreStructure,
            )
            .await
            .unwrap();
        }
        apply_ending(&app.state, &client.id, "t-e", EndingReason::TooIntense)
            .await
            .unwrap();
        apply_ending(&app.state, &client.id, "t-f", EndingReason::Other)
            .await
            .unwrap();
        let p = profile(&app, &client).await;
        assert_eq!(
            (
                p["style"]["directiveness"].as_f64(),
                p["style"]["intensity"].as_f64()
            ),
            (Some(3.0), Some(-1.0)),
            "{b:?}: clamped at 3"
        );
        assert_eq!(p["exclude"].as_array().unwrap().len(), 6);

        let edited = client.put(&app, "/api/v1/me/fit-profile", json!({"style": {"directiveness": -2}, "exclude": ["t-a"], "description": "ignored"})).await;
        assert_eq!(edited.status(), 200);
        let p = profile(&app, &client).await;
        assert_eq!(
            (
                p["style"]["directiveness"].as_f64(),
                p["style"]["intensity"].as_f64()
            ),
            (Some(-2.0), Some(0.0))
        );
        assert!(
            p["description"]
                .as_str()
                .unwrap()
                .contains("lets you lead more"),
            "{p}"
        );
        assert_eq!(
            fields(
                client
                    .put(
                        &app,
                        "/api/v1/me/fit-profile",
                        json!({"style": {"past": 4}})
                    )
                    .await
            )
            .await,
            ["style.past"]
        );
        assert_eq!(
            fields(
                client
                    .put(&app, "/api/v1/me/fit-profile", json!({"colour": "blue"}))
                    .await
            )
            .await,
            ["colour"]
        );
        assert_eq!(
            profile(&app, &client).await,
            p,
            "{b:?}: refused edits change nothing"
        );
        let therapist = app.signup("therapist").await;
        assert_eq!(
            therapist.get(&app, "/api/v1/me/fit-profile").await.status(),
            403
        );
    }
}
