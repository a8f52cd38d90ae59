//! Practice administration through the API on every backend: one practice per administrator
//! (another is refused and the attempt recorded), shrinkage against hand-computed rates, the
//! 15-case rating written to a consenting therapist's listing and the matching index, the CSV.

mod common;
mod feedback_support;
mod matching_support;

use common::{Backend, TestApp, User, backends, spawn_app_with};
use feedback_support::*;
use serde_json::{Value, json};

async fn app(b: Backend) -> TestApp {
    spawn_app_with(b, |_| {}).await
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

async fn actions_of(app: &TestApp, client_id: &str) -> Vec<String> {
    rapport_store::audit::for_client(&app.state.db, client_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn an_administrator_reaches_only_their_own_practice_and_other_attempts_are_refused_and_recorded()
 {
    for b in backends() {
        let app = app(b).await;
        let (admin_a, admin_b, homeless) =
            (app.admin().await, app.admin().await, app.admin().await);
        let (t_a, t_b) = (app.signup("therapist").await, app.signup("therapist").await);
        let a = practice(&app, &[admin_a.id.as_str(), t_a.id.as_str()]).await;
        let pb = practice(&app, &[admin_b.id.as_str(), t_b.id.as_str()]).await;
        seed_course(&app, &t_b.id, (15, 6), (11, 5)).await;

        let own: Value = admin_a
            .get(&app, &format!("/api/v1/practices/{a}/outcomes"))
            .await
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = own["therapists"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [t_a.id.as_str()],
            "{b:?}: only practice A's therapists"
        );

        for path in ["", "/outcomes", "/waitlist", "/export.csv"] {
            let r = admin_a
                .get(&app, &format!("/api/v1/practices/{pb}{path}"))
                .await;
            assert_eq!(r.status(), 403, "{b:?} {path}");
            let body: Value = r.json().await.unwrap();
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains("only see your own practice"),
                "{body}"
            );
        }
        let r = admin_a
            .delete(
                &app,
                &format!("/api/v1/practices/{pb}/therapists/{}", t_b.id),
            )
            .await;
        assert_eq!(r.status(), 403);
        assert_eq!(
            admin_a
                .delete(
                    &app,
                    &format!("/api/v1/practices/{a}/therapists/{}", t_b.id)
                )
                .await
                .status(),
            404,
            "B's therapist is not A's to remove"
        );
        let page = admin_a.get(&app, &format!("/admin/practices/{pb}")).await;
        assert_eq!(page.status(), 403);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("only see your own practice")
        );
        let r = homeless.get(&app, &format!("/api/v1/practices/{pb}")).await;
        assert_eq!(r.status(), 403);
        assert!(
            r.json::<Value>().await.unwrap()["message"]
                .as_str()
                .unwrap()
                .contains("does not belong to a practice")
        );
        assert_eq!(
            t_b.get(&app, &format!("/api/v1/practices/{pb}"))
                .await
                .status(),
            403
        );
        let client = app.signup("client").await;
        assert_eq!(
            client
                .get(&app, &format!("/api/v1/practices/{pb}/outcomes"))
                .await
                .status(),
            403
        );

        let seen_by_b: Value = admin_b
            .get(&app, &format!("/api/v1/practices/{pb}"))
            .await
            .json()
            .await
            .unwrap();
        let refused = seen_by_b["refused_attempts"].as_array().unwrap();
        assert_eq!(
            refused.len(),
            7,
            "{b:?}: every refused read by A and by the admin without a practice: {refused:?}"
        );
        assert!(refused.iter().all(|e| e["action"] == "refused_practice"));
        assert!(
            refused.iter().any(|e| e["actor_id"] == admin_a.id.as_str())
                && refused
                    .iter()
                    .any(|e| e["actor_id"] == homeless.id.as_str())
        );
        let seen_by_a: Value = admin_a
            .get(&app, &format!("/api/v1/practices/{a}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(seen_by_a["refused_attempts"].as_array().unwrap().is_empty());

        let r = admin_a.get(&app, "/admin").await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], format!("/admin/practices/{a}"));
        let mine: Value = t_a
            .get(&app, "/api/v1/me/practice")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine["id"], a.as_str());
    }
}

#[tokio::test]
async fn an_administrator_adds_and_removes_therapists_who_belong_to_no_other_practice() {
    for b in backends() {
        let app = app(b).await;
        let admin = app.admin().await;
        let a = practice(&app, &[admin.id.as_str()]).await;
        let t = app.signup("therapist").await;
        let elsewhere = app.signup("therapist").await;
        practice(&app, &[elsewhere.id.as_str()]).await;
        let client = app.signup("client").await;
        let path = format!("/api/v1/practices/{a}/therapists");
        let r = admin.post(&app, &path, json!({"email": t.email})).await;
        assert_eq!(r.status(), 201, "{b:?}");
        assert_eq!(
            admin
                .post(&app, &path, json!({"email": elsewhere.email}))
                .await
                .status(),
            409
        );
        let r = admin
            .post(&app, &path, json!({"email": client.email}))
            .await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            r.json::<Value>().await.unwrap()["errors"][0]["field"],
            "email"
        );
        assert_eq!(
            admin
                .delete(&app, &format!("{path}/{}", admin.id))
                .await
                .status(),
            404,
            "administrators are not removed this way"
        );
        assert_eq!(
            admin
                .delete(&app, &format!("{path}/{}", t.id))
                .await
                .status(),
            204
        );
        let members: Value = admin
            .get(&app, &format!("/api/v1/practices/{a}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(members["members"].as_array().unwrap().len(), 1);
    }
}

/// Three therapists with 8, 2 and 5 of 10 courses reliably improved and recovered. By hand
/// (see `outcome::shrinkage`): p̂ = 1/2, τ̂² = 0.035, m = 43/7, shrunk rates 155/226, 71/226, 1/2.
async fn three_therapists(app: &TestApp) -> (User, String, Vec<User>) {
    let admin = app.admin().await;
    let mut therapists = Vec::new();
    for _ in 0..3 {
        therapists.push(app.signup("therapist").await);
    }
    let ids: Vec<&str> = therapists
        .iter()
        .map(|t| t.id.as_str())
        .chain([admin.id.as_str()])
        .collect();
    let p = practice(app, &ids).await;
    for (t, improved) in therapists.iter().zip([8, 2, 5]) {
        for i in 0..10 {
            if i < improved {
                seed_course(app, &t.id, (15, 6), (11, 5)).await;
            } else {
                seed_course(app, &t.id, (15, 14), (11, 10)).await;
            }
        }
    }
    (admin, p, therapists)
}

#[tokio::test]
async fn per_therapist_rates_shrink_toward_the_practice_rate_as_computed_by_hand() {
    for b in backends() {
        let app = app(b).await;
        let (admin, p, therapists) = three_therapists(&app).await;
        let o: Value = admin
            .get(&app, &format!("/api/v1/practices/{p}/outcomes"))
            .await
            .json()
            .await
            .unwrap();
        let prior = &o["improvement_prior"];
        assert!(
            close(&prior["mean"], 0.5) && close(&prior["strength"], 43.0 / 7.0),
            "{b:?}: {prior}"
        );
        assert_eq!(prior["basis"], "estimated");
        let lines = o["therapists"].as_array().unwrap();
        let line = |t: &User| lines.iter().find(|l| l["id"] == t.id.as_str()).unwrap();
        for (t, want) in therapists.iter().zip([155.0 / 226.0, 71.0 / 226.0, 0.5]) {
            assert!(close(&line(t)["improvement_shrunk"], want), "{}", line(t));
            assert!(close(&line(t)["recovery_shrunk"], want), "{}", line(t));
            assert_eq!(line(t)["tally"]["courses"], 10);
        }
        assert_eq!(
            line(&therapists[0])["tally"]["improvement"],
            json!({"k": 8, "n": 10})
        );
        assert_eq!(o["practice"]["improvement"], json!({"k": 15, "n": 30}));

        let csv = admin
            .get(&app, &format!("/api/v1/practices/{p}/export.csv"))
            .await;
        assert_eq!(csv.status(), 200);
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = csv.text().await.unwrap();
        let mut rows = text.lines();
        assert!(rows.next().unwrap().starts_with(
            "therapist,courses,finished,improved,improvement_rate,improvement_rate_shrunk"
        ));
        let body: Vec<&str> = rows.collect();
        assert_eq!(body.len(), 3);
        assert!(
            body.iter().any(|r| r.contains(",8,0.8000,0.6858,")),
            "{text}"
        );
        assert!(!text.contains("Seeded client"), "no client in the export");

        let page = admin
            .get(&app, &format!("/admin/practices/{p}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("8 of 10 (80%); shrunk 69%"), "{page}");
        let clients = rapport_store::outcomes::practice_courses(&app.state.db, &p)
            .await
            .unwrap();
        let actions = actions_of(&app, &clients[0].client_id).await;
        assert!(
            actions.contains(&"view_aggregate".to_owned())
                && actions.contains(&"export_aggregate".to_owned()),
            "{actions:?}"
        );
    }
}

#[tokio::test]
async fn effectiveness_needs_15_cases_and_consent_and_reaches_the_matching_index() {
    for b in backends() {
        let app = app(b).await;
        let admin = app.admin().await;
        let t = app.signup("therapist").await;
        let p = practice(&app, &[admin.id.as_str(), t.id.as_str()]).await;
        let mut mine = matching_support::listing(
            "ignored",
            json!({"name": "Dr Measured", "concerns": ["depression", "anxiety"]}),
        );
        mine.as_object_mut().unwrap().remove("id");
        assert_eq!(t.put(&app, "/api/v1/me/listing", mine).await.status(), 200);
        let wish = matching_support::request(json!({"concerns": ["depression"]}));
        let component = || async {
            let found: Value = app
                .state
                .directory
                .search(
                    &app.state.db,
                    &rapport_core::matching::parse_request(&wish).unwrap(),
                    &app.state.config.match_weights,
                )
                .await
                .map(|r| json!(r))
                .unwrap();
            found["results"][0]["components"]["effectiveness"]
                .as_f64()
                .unwrap()
        };
        for _ in 0..14 {
            seed_course(&app, &t.id, (18, 8), (5, 5)).await;
        }
        let publish = format!("/api/v1/practices/{p}/effectiveness");

        let set: Value = t
            .put(
                &app,
                "/api/v1/me/therapist-settings",
                json!({"publish_effectiveness": true}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            set["effectiveness"]["published"],
            json!([]),
            "{b:?}: 14 cases rate nothing: {set}"
        );
        let feedback: Value = t.get(&app, "/api/v1/feedback").await.json().await.unwrap();
        assert_eq!(feedback["outcomes"]["domains"][0]["cases"], 14);
        assert!(feedback["outcomes"]["domains"][0]["rating"].is_null());

        seed_course(&app, &t.id, (18, 8), (5, 5)).await;
        let written: Value = admin
            .post(&app, &publish, json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            written[0]["result"]["published"],
            json!([["depression", "effective"]]),
            "{written}"
        );
        let listing: Value = t
            .get(&app, "/api/v1/me/listing")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listing["effectiveness"], json!({"depression": "effective"}));
        assert_eq!(component().await, 1.0, "the matching index has the rating");

        t.put(
            &app,
            "/api/v1/me/therapist-settings",
            json!({"publish_effectiveness": false}),
        )
        .await;
        let listing: Value = t
            .get(&app, "/api/v1/me/listing")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            listing["effectiveness"],
            json!({}),
            "withdrawing consent takes it off"
        );
        assert_eq!(component().await, 0.5);
        let again: Value = admin
            .post(&app, &publish, json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            again[0]["result"]["published"],
            json!([]),
            "an administrator cannot publish without consent"
        );
    }
}
