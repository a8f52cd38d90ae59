//! The therapist's views through the API on every backend: alerts (and none for private
//! relationships), the enriched caseload, the outcome view by sharing mode and role, pooled
//! feedback from five endings, and an audit entry for every read.

mod common;
mod feedback_support;

use common::{Backend, TestApp, backends, spawn_app_with};
use feedback_support::*;
use rapport_store::care::outbox;
use serde_json::{Value, json};

async fn app(b: Backend) -> TestApp {
    spawn_app_with(b, |_| {}).await
}

async fn alerts(app: &TestApp, t: &common::User) -> Vec<Value> {
    let r = t.get(app, "/api/v1/alerts").await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn kinds(list: &[Value]) -> Vec<&str> {
    list.iter().map(|a| a["kind"].as_str().unwrap()).collect()
}

async fn alert_mail(app: &TestApp, therapist_id: &str) -> Vec<outbox::OwnMail> {
    outbox::for_user(&app.state.db, &app.state.vault, therapist_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "alert")
        .collect()
}

#[tokio::test]
async fn a_dip_on_a_shared_relationship_raises_rupture_and_speak_up_alerts_and_an_email_but_a_private_one_raises_nothing()
 {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let private_client = app.signup("client").await;
        let private_rel = relationship(&app, &private_client, &t).await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        share(&app, &c, &rel, "trend", false).await;
        for (client, r) in [(&private_client, &private_rel), (&c, &rel)] {
            for s in 1..=3 {
                check_in(&app, client, r, checkin(s, 3, &[], "better")).await;
            }
            check_in(&app, client, r, checkin(4, 1, &["judged"], "bad")).await;
        }

        let list = alerts(&app, &t).await;
        assert_eq!(kinds(&list), ["rupture", "speak_up"], "{b:?}: {list:?}");
        assert!(
            list.iter().all(|a| a["relationship_id"] == rel.as_str()),
            "nothing from the private relationship"
        );
        assert_eq!(list[0]["evidence"], format!("/caseload/{rel}"));
        assert!(list[0]["detail"].as_str().unwrap().contains("Session 4"));
        let mail = alert_mail(&app, &t.id).await;
        assert_eq!(mail.len(), 1, "one e-mail for the check-in's alerts");
        assert!(mail[0].body.contains("2 new alerts") && mail[0].body.contains("/alerts"));
        assert!(
            !mail[0].body.contains("Test client") && !mail[0].subject.contains("Test client"),
            "the e-mail names nobody"
        );

        check_in(&app, &c, &rel, checkin(5, 1, &["judged"], "bad")).await;
        let list5 = alerts(&app, &t).await;
        assert_eq!(
            kinds(&list5),
            ["rupture", "reconsider", "rupture", "speak_up"],
            "a second dip is a new rupture, and a problem twice running moves the reading on"
        );
        check_in(&app, &c, &rel, checkin(6, 3, &[], "better")).await;
        assert_eq!(
            alerts(&app, &t).await.len(),
            4,
            "a good session raises nothing new"
        );

        let id = list[0]["id"].as_str().unwrap();
        let seen: Value = t
            .post(&app, &format!("/api/v1/alerts/{id}/seen"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(seen["evidence"], format!("/caseload/{rel}"));
        let now = alerts(&app, &t).await;
        let marked = now.iter().find(|a| a["id"] == id).unwrap();
        assert!(marked["seen_at"].is_i64(), "{marked}");
        assert!(
            now.iter()
                .filter(|a| a["id"] != id)
                .all(|a| a["seen_at"].is_null())
        );
        let stranger = app.signup("therapist").await;
        assert_eq!(
            stranger
                .post(&app, &format!("/api/v1/alerts/{id}/seen"), json!({}))
                .await
                .status(),
            404
        );
        assert!(alerts(&app, &stranger).await.is_empty());
        assert_eq!(c.get(&app, "/api/v1/alerts").await.status(), 403);
    }
}

#[tokio::test]
async fn measures_raise_crisis_and_srs_alerts_only_where_measures_are_shared() {
    for b in backends() {
        let app = app(b).await;
        let admin = app.admin().await;
        let srs_text = json!({"relationship": "Relationship line", "goals": "Goals line", "approach": "Approach line", "overall": "Overall line"});
        assert_eq!(
            admin
                .put(&app, "/api/v1/instruments/srs/text", srs_text)
                .await
                .status(),
            200
        );
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;

        answer(&app, &c, "phq9", phq9(12, 1)).await;
        share(&app, &c, &rel, "answers", false).await;
        answer(&app, &c, "phq9", phq9(12, 1)).await;
        assert!(
            alerts(&app, &t).await.is_empty(),
            "{b:?}: measures kept private raise nothing"
        );

        share(&app, &c, &rel, "answers", true).await;
        let crisis = answer(&app, &c, "phq9", phq9(12, 2)).await;
        assert_eq!(
            crisis["crisis"], true,
            "the client still gets the crisis resources"
        );
        answer(&app, &c, "phq9", phq9(12, 0)).await;
        answer(
            &app,
            &c,
            "srs",
            json!({"relationship": 9.0, "goals": 9.0, "approach": 9.5, "overall": 9.5}),
        )
        .await;
        answer(
            &app,
            &c,
            "srs",
            json!({"relationship": 9.0, "goals": 9.0, "approach": 9.0, "overall": 8.9}),
        )
        .await;
        let list = alerts(&app, &t).await;
        assert_eq!(
            kinds(&list),
            ["crisis", "srs_low", "srs_drop"],
            "a safety alert not yet acknowledged comes first: {list:?}"
        );
        assert_eq!(list[0]["evidence"], format!("/caseload/{rel}/outcomes"));
        assert_eq!(list[0]["response_id"], crisis["id"]);
        assert_eq!(alert_mail(&app, &t.id).await.len(), 2);

        share(&app, &c, &rel, "private", true).await;
        answer(&app, &c, "phq9", phq9(12, 3)).await;
        assert!(
            alerts(&app, &t).await.is_empty(),
            "a private relationship shows and raises nothing"
        );
    }
}

#[tokio::test]
async fn the_caseload_shows_latest_checkin_rupture_overdue_and_only_what_each_client_shares() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let trend = app.signup("client").await;
        let trend_rel = relationship(&app, &trend, &t).await;
        let answers = app.signup("client").await;
        let answers_rel = relationship(&app, &answers, &t).await;
        share(&app, &trend, &trend_rel, "trend", false).await;
        share(&app, &answers, &answers_rel, "answers", true).await;
        for (client, rel) in [(&trend, &trend_rel), (&answers, &answers_rel)] {
            for s in 1..=3 {
                check_in(&app, client, rel, checkin(s, 3, &[], "better")).await;
            }
            check_in(
                &app,
                client,
                rel,
                checkin(4, 1, &["judged", "unheard"], "bad"),
            )
            .await;
        }
        answer(&app, &answers, "phq9", phq9(15, 0)).await;
        answer(&app, &answers, "gad7", gad7(11)).await;

        let rows: Vec<Value> = t.get(&app, "/api/v1/caseload").await.json().await.unwrap();
        let row = |rel: &str| {
            rows.iter()
                .find(|r| r["relationship_id"] == rel)
                .unwrap()
                .clone()
        };
        let (tr, an) = (row(&trend_rel), row(&answers_rel));
        assert_eq!(tr["rupture_alert"], true, "{b:?}");
        assert!(tr["last_checkin_at"].as_i64().unwrap() > 0);
        assert_eq!(tr["overdue"], false);
        assert!(
            tr.get("red_flags").is_none() && tr.get("measures").is_none(),
            "trend only: no answers, no measures: {tr}"
        );
        assert_eq!(an["red_flags"], json!(["judged", "unheard"]));
        let measures = an["measures"].as_array().unwrap();
        assert_eq!(
            (measures[0]["name"].clone(), measures[0]["total"].clone()),
            (json!("PHQ-9"), json!(15.0))
        );
        assert_eq!(measures[1]["name"], "GAD-7");

        exec(
            &app,
            "UPDATE checkins SET created_at = $1 WHERE relationship_id = $2",
            rapport_store::now_ms() - 11 * DAY,
            &trend_rel,
        )
        .await;
        let rows: Vec<Value> = t.get(&app, "/api/v1/caseload").await.json().await.unwrap();
        let overdue: Vec<bool> = rows
            .iter()
            .map(|r| r["overdue"].as_bool().unwrap())
            .collect();
        assert_eq!(
            overdue,
            [true, false],
            "11 days since the last check-in is past the default 10"
        );
        let r = t
            .put(
                &app,
                "/api/v1/me/therapist-settings",
                json!({"overdue_days": 12}),
            )
            .await;
        assert_eq!(r.status(), 200);
        let rows: Vec<Value> = t.get(&app, "/api/v1/caseload").await.json().await.unwrap();
        assert!(
            rows.iter().all(|r| r["overdue"] == false),
            "the therapist's own number of days counts"
        );
        let bad = t
            .put(
                &app,
                "/api/v1/me/therapist-settings",
                json!({"overdue_days": 0}),
            )
            .await;
        assert_eq!(bad.status(), 422);
        assert_eq!(
            bad.json::<Value>().await.unwrap()["errors"][0]["field"],
            "overdue_days"
        );

        let html = t.get(&app, "/caseload").await.text().await.unwrap();
        assert!(
            html.contains("Rupture alert")
                && html.contains("Red flags")
                && html.contains("PHQ-9 15"),
            "{html}"
        );
    }
}

#[tokio::test]
async fn the_outcome_view_follows_the_sharing_mode_and_the_role() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        answer(&app, &c, "phq9", phq9(15, 0)).await;
        answer(&app, &c, "gad7", gad7(11)).await;
        answer(&app, &c, "phq9", phq9(6, 0)).await;
        answer(&app, &c, "gad7", gad7(5)).await;
        let path = format!("/api/v1/caseload/{rel}/outcomes");

        assert_eq!(t.get(&app, &path).await.status(), 404, "{b:?}: private");
        share(&app, &c, &rel, "private", true).await;
        assert_eq!(
            t.get(&app, &path).await.status(),
            404,
            "measures shared on a private relationship: still nothing"
        );
        share(&app, &c, &rel, "trend", false).await;
        let refused = t.get(&app, &path).await;
        assert_eq!(refused.status(), 403);
        assert!(
            refused.json::<Value>().await.unwrap()["message"]
                .as_str()
                .unwrap()
                .contains("keeps their measures private")
        );
        assert_eq!(
            audit_actions(&app, &c).await[0],
            "refused_outcomes",
            "the refused attempt is recorded"
        );

        share(&app, &c, &rel, "trend", true).await;
        let v: Value = t.get(&app, &path).await.json().await.unwrap();
        assert_eq!(v["series"][0]["instrument"], "phq9");
        assert_eq!(v["series"][0]["points"].as_array().unwrap().len(), 2);
        assert_eq!(v["series"][0]["cutoff"]["value"], 10.0);
        assert_eq!(v["series"][0]["reliable_change"], 6.0);
        assert_eq!(v["series"][1]["cutoff"]["value"], 8.0);
        assert_eq!(v["nhs_headline"], "Reliable recovery");
        assert!(
            v["nhs_label"].as_str().unwrap().starts_with("So far"),
            "{v}"
        );
        assert_eq!(audit_actions(&app, &c).await[0], "view_outcomes");
        assert_eq!(
            v.get("series").unwrap().as_array().unwrap().len(),
            2,
            "no ORS without its licensed text"
        );

        let html = t
            .get(&app, &format!("/caseload/{rel}/outcomes"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("class=\"cutoff\"")
                && html.contains("class=\"rc-band\"")
                && html.contains("<desc")
        );
        assert!(html.contains("So far, not at the end"));
        assert!(
            html.contains("Clinical range") && html.contains("caseness"),
            "therapists read the clinical terms"
        );

        end(&app, &rel, "other", rapport_store::now_ms()).await;
        let v: Value = t.get(&app, &path).await.json().await.unwrap();
        assert!(
            v["nhs_label"]
                .as_str()
                .unwrap()
                .starts_with("At the end of this course"),
            "{v}"
        );

        let own: Value = c
            .get(&app, &format!("/api/v1/relationships/{rel}/outcomes"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(own["nhs_headline"], "Reliable recovery");
        let own_page = c.get(&app, &format!("/relationships/{rel}/outcomes")).await;
        assert_eq!(own_page.status(), 200);
        let own_html = own_page.text().await.unwrap();
        for clinical in ["caseness", "Clinical range", "Clinical cut-off"] {
            assert!(
                !own_html.contains(clinical),
                "the client's page speaks plainly, without {clinical:?}"
            );
        }
        assert!(own_html.contains("extra support can help"));
        let other_client = app.signup("client").await;
        assert_eq!(
            other_client
                .get(&app, &format!("/api/v1/relationships/{rel}/outcomes"))
                .await
                .status(),
            404
        );
        let other_therapist = app.signup("therapist").await;
        assert_eq!(other_therapist.get(&app, &path).await.status(), 404);
        let admin = app.admin().await;
        assert_eq!(admin.get(&app, &path).await.status(), 403);
        assert_eq!(c.get(&app, &path).await.status(), 403);
    }
}

#[tokio::test]
async fn pooled_feedback_appears_at_five_endings_and_moves_in_groups_of_five() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let reasons = [
            "too_intense",
            "too_intense",
            "wanted_more_structure",
            "other",
            "too_intense",
            "pushed_too_hard",
        ];
        let mut clients = Vec::new();
        for (i, reason) in reasons.iter().enumerate() {
            let c = app.signup("client").await;
            let rel = relationship(&app, &c, &t).await;
            end(&app, &rel, reason, 1_000 + i as i64).await;
            clients.push(c);
            let body: Value = t.get(&app, "/api/v1/feedback").await.json().await.unwrap();
            assert_eq!(body["endings"], i + 1);
            if i < 4 {
                assert!(
                    body["pooled"].is_null(),
                    "{b:?}: {} endings are too few",
                    i + 1
                );
                let html = t.get(&app, "/feedback").await.text().await.unwrap();
                assert!(html.contains("once at least 5 clients have ended"));
            } else {
                let p = &body["pooled"];
                assert_eq!(p["counted"], 5);
                assert_eq!(
                    p["counts"],
                    json!([
                        ["too_intense", 3],
                        ["wanted_more_structure", 1],
                        ["other", 1]
                    ]),
                    "the sixth is not counted until there are ten: {p}"
                );
            }
        }
        let html = t.get(&app, "/feedback").await.text().await.unwrap();
        assert!(
            html.contains("It felt too intense") && html.contains("from 5 of 6 endings"),
            "{html}"
        );
        assert_eq!(
            audit_actions(&app, &clients[0]).await[0],
            "view_pooled",
            "a counted reason is recorded for its client"
        );
        assert!(
            !audit_actions(&app, &clients[5])
                .await
                .contains(&"view_pooled".to_owned()),
            "an uncounted one is not"
        );
    }
}

#[tokio::test]
async fn every_read_of_shared_data_is_recorded_for_the_client() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        share(&app, &c, &rel, "answers", true).await;
        for s in 1..=3 {
            check_in(&app, &c, &rel, checkin(s, 3, &[], "better")).await;
        }
        check_in(&app, &c, &rel, checkin(4, 1, &["judged"], "bad")).await;
        answer(&app, &c, "phq9", phq9(15, 0)).await;

        let reads: Vec<(String, &str)> = vec![
            ("/api/v1/caseload".into(), "view_caseload"),
            ("/caseload".into(), "view_caseload"),
            (format!("/api/v1/caseload/{rel}"), "view_answers"),
            (format!("/caseload/{rel}"), "view_answers"),
            ("/api/v1/alerts".into(), "view_alerts"),
            ("/alerts".into(), "view_alerts"),
            (format!("/api/v1/caseload/{rel}/outcomes"), "view_outcomes"),
            (format!("/caseload/{rel}/outcomes"), "view_outcomes"),
            ("/api/v1/feedback".into(), "view_aggregate"),
            ("/feedback".into(), "view_aggregate"),
        ];
        for (path, action) in &reads {
            let (path, action) = (path.as_str(), *action);
            let before = audit_actions(&app, &c).await.len();
            assert_eq!(t.get(&app, path).await.status(), 200, "{b:?} {path}");
            let after = audit_actions(&app, &c).await;
            assert!(
                after.len() > before && after[..after.len() - before].contains(&action.to_owned()),
                "{b:?}: reading {path} records {action}: {after:?}"
            );
        }
        let list: Vec<Value> = c.get(&app, "/api/v1/me/audit").await.json().await.unwrap();
        assert!(
            list.iter()
                .all(|e| e["actor_id"] == t.id.as_str() && e["at"].as_i64().unwrap() > 0),
            "who and when: {list:?}"
        );
        let page = c.get(&app, "/privacy").await.text().await.unwrap();
        assert!(
            page.contains("Your measures over time")
                && page.contains("An alert raised by something you shared")
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_new_route() {
    let app = app(Backend::Sqlite).await;
    let doc: Value = common::client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/alerts",
        "/api/v1/alerts/{id}/seen",
        "/api/v1/caseload/{id}/outcomes",
        "/api/v1/relationships/{id}/outcomes",
        "/api/v1/feedback",
        "/api/v1/me/therapist-settings",
        "/api/v1/me/practice",
        "/api/v1/practices/{id}",
        "/api/v1/practices/{id}/therapists",
        "/api/v1/practices/{id}/therapists/{user_id}",
        "/api/v1/practices/{id}/waitlist",
        "/api/v1/practices/{id}/outcomes",
        "/api/v1/practices/{id}/effectiveness",
        "/api/v1/practices/{id}/export.csv",
        "/api/v1/me/export",
        "/api/v1/me/export/fhir",
        "/api/v1/me/account",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} is missing from the OpenAPI document"
        );
    }
    assert!(
        paths["/api/v1/me/therapist-settings"].get("put").is_some()
            && paths["/api/v1/me/therapist-settings"].get("get").is_some()
    );
}

#[tokio::test]
async fn a_client_who_ended_is_never_shown_as_overdue_for_a_check_in() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        share(&app, &c, &rel, "trend", false).await;
        check_in(&app, &c, &rel, checkin(1, 3, &[], "better")).await;
        let ended = c
            .post(
                &app,
                &format!("/api/v1/care/relationships/{rel}/ending"),
                json!({"reason": "too_intense", "message": "not_continuing", "confirm": true}),
            )
            .await;
        assert_eq!(ended.status(), 201, "{}", ended.text().await.unwrap());
        exec(
            &app,
            "UPDATE checkins SET created_at = $1 WHERE relationship_id = $2",
            rapport_store::now_ms() - 30 * DAY,
            &rel,
        )
        .await;
        let rows: Vec<Value> = t.get(&app, "/api/v1/caseload").await.json().await.unwrap();
        let row = rows
            .iter()
            .find(|r| r["relationship_id"] == rel.as_str())
            .expect("an ended client stays on the caseload as history");
        assert_eq!(row["overdue"], false, "{b:?}: {row}");
    }
}
