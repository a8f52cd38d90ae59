//! A client's own data on every backend: the JSON export, the FHIR Bundle (validated by the
//! `fhir.resources` package; a missing python3 or package fails the test), and account deletion
//! (data gone, key gone, old ciphertext unreadable, pooled counts kept), with its confirmation.

mod common;
mod feedback_support;

use common::{Backend, TestApp, backends, spawn_app_with};
use feedback_support::*;
use rapport_store::crypto::Place;
use rapport_store::{DataKey, StoreError, user_keys, with_pool};
use serde_json::{Value, json};

async fn app(b: Backend) -> TestApp {
    spawn_app_with(b, |_| {}).await
}

/// Runs `tests/fhir/validate_fhir.py` on `value`; fails loudly when python3 or the package is
/// missing (the script exits 2 then).
fn validate_fhir(value: &Value, name: &str) {
    let dir = std::env::temp_dir().join(format!("rapport-fhir-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fhir/validate_fhir.py"
    );
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 for the FHIR validator: {e}"));
    assert!(
        out.status.success(),
        "{name} is not valid FHIR (exit {:?}):\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Bundle rules an importing system relies on, checked here on the JSON itself: every entry
/// has a `urn:uuid:` fullUrl, no two the same; every `reference` anywhere in the Bundle is one of
/// them; every date is a real one (checked again, independently, by `validate_fhir.py`).
fn assert_stands_on_its_own(bundle: &Value) {
    fn references<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                for (k, inner) in map {
                    match (k.as_str(), inner) {
                        ("reference", Value::String(r)) => out.push(r),
                        _ => references(inner, out),
                    }
                }
            }
            Value::Array(list) => list.iter().for_each(|inner| references(inner, out)),
            _ => {}
        }
    }
    let entries = bundle["entry"].as_array().expect("entries");
    let mut urls = std::collections::HashSet::new();
    for e in entries {
        let url = e["fullUrl"].as_str().expect("every entry has a fullUrl");
        let id = url.strip_prefix("urn:uuid:").expect("a urn:uuid: fullUrl");
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{url} is not a UUID");
        assert!(urls.insert(url), "fullUrl {url} is used twice");
    }
    let mut refs = Vec::new();
    references(bundle, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        assert!(urls.contains(r), "reference {r} resolves to no entry");
    }
    for e in entries {
        let r = &e["resource"];
        for field in ["authored", "effectiveDateTime"] {
            if let Some(when) = r[field].as_str() {
                let day = &when[..10];
                let (y, rest) = day.split_once('-').unwrap();
                let (m, d) = rest.split_once('-').unwrap();
                let (y, m, d): (i32, u32, u32) =
                    (y.parse().unwrap(), m.parse().unwrap(), d.parse().unwrap());
                let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
                let days_in = [
                    31,
                    if leap { 29 } else { 28 },
                    31,
                    30,
                    31,
                    30,
                    31,
                    31,
                    30,
                    31,
                    30,
                    31,
                ];
                assert!(
                    (1..=12).contains(&m) && d >= 1 && d <= days_in[m as usize - 1],
                    "{when}"
                );
                assert!(when.ends_with('Z'), "{when} has a zone");
            }
        }
    }
}

#[tokio::test]
async fn a_client_downloads_all_their_data_as_json_and_as_a_valid_fhir_bundle() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        check_in(&app, &c, &rel, checkin(1, 3, &[], "better")).await;
        let mut second = checkin(2, 2, &["unheard"], "stirred_ok");
        second["need"] = json!("More structure, please");
        second["toward_therapist"] = json!(true);
        check_in(&app, &c, &rel, second).await;
        let mut third = checkin(3, 3, &[], "better");
        third["raised"] = json!("yes");
        third["repair"] = json!(3);
        check_in(&app, &c, &rel, third).await;
        let r = c
            .post(
                &app,
                &format!("/api/v1/relationships/{rel}/messages"),
                json!({"note": "A note I sent", "confirm": true}),
            )
            .await;
        assert_eq!(r.status(), 201);
        answer(&app, &c, "phq9", phq9(12, 1)).await;
        answer(&app, &c, "gad7", gad7(9)).await;

        let r = c.get(&app, "/api/v1/me/export").await;
        assert_eq!(r.status(), 200, "{b:?}");
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let all: Value = r.json().await.unwrap();
        assert_eq!(all["account"]["id"], c.id.as_str());
        let rels = all["relationships"].as_array().unwrap();
        assert_eq!(rels[0]["checkins"].as_array().unwrap().len(), 3);
        assert_eq!(rels[0]["checkins"][1]["need"], "More structure, please");
        assert_eq!(rels[0]["messages"][0]["body"], "A note I sent");
        assert_eq!(all["measures"].as_array().unwrap().len(), 2);
        assert!(all["who_saw_my_data"].is_array() && all["appointments"].is_array());

        let r = c.get(&app, "/api/v1/me/export/fhir").await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/fhir+json");
        let bundle: Value = r.json().await.unwrap();
        assert_eq!(bundle["resourceType"], "Bundle");
        assert_eq!(bundle["type"], "collection");
        let entries = bundle["entry"].as_array().unwrap();
        let of = |kind: &str| {
            entries
                .iter()
                .filter(|e| e["resource"]["resourceType"] == kind)
                .count()
        };
        assert_eq!(
            of("QuestionnaireResponse"),
            5,
            "two measures and three check-ins"
        );
        assert_eq!(of("Observation"), 2, "the PHQ-9 and GAD-7 totals");
        assert_eq!(of("Patient"), 1);
        assert_eq!(of("Questionnaire"), 3, "the PHQ-9, the GAD-7 and the RAC");
        let patient_url = format!("urn:uuid:{}", c.id);
        assert_eq!(entries[0]["fullUrl"], patient_url.as_str());
        assert_eq!(
            entries[0]["resource"]["identifier"][0]["value"],
            c.id.as_str()
        );
        assert!(
            entries
                .iter()
                .any(|e| e["resource"]["resourceType"] == "Questionnaire"
                    && e["resource"]["url"] == "urn:rapport:questionnaire:rac"),
            "the check-ins' Questionnaire is in the Bundle"
        );
        for o in entries
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == "Observation")
        {
            assert_eq!(o["subject"]["reference"], patient_url.as_str());
            assert_eq!(o["category"][0]["coding"][0]["code"], "survey");
            assert_eq!(o["code"]["coding"][0]["system"], "http://loinc.org");
            let from = o["derivedFrom"][0]["reference"].as_str().unwrap();
            let source = entries
                .iter()
                .find(|e| e["fullUrl"] == from)
                .expect("derivedFrom resolves");
            assert_eq!(source["resource"]["resourceType"], "QuestionnaireResponse");
            assert_eq!(o["effectiveDateTime"], source["resource"]["authored"]);
        }
        assert!(
            bundle["timestamp"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z'))
        );
        assert_stands_on_its_own(&bundle);
        let checkins: Vec<&Value> = entries
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| {
                r["questionnaire"]
                    .as_str()
                    .is_some_and(|q| q.contains("rac"))
            })
            .collect();
        assert_eq!(checkins.len(), 3);
        assert!(
            checkins
                .iter()
                .all(|r| r["subject"]["reference"] == patient_url.as_str())
        );
        assert!(
            serde_json::to_string(&checkins)
                .unwrap()
                .contains("More structure, please")
        );
        validate_fhir(&bundle, &format!("my-data-{b:?}"));

        let theirs = t.get(&app, "/api/v1/me/export").await.text().await.unwrap();
        assert!(
            !theirs.contains("More structure, please") && !theirs.contains(&c.email),
            "a therapist's export holds none of their clients' data: {theirs}"
        );
        assert_eq!(
            app.admin()
                .await
                .get(&app, "/api/v1/me/export/fhir")
                .await
                .status(),
            403
        );
        let page = c.get(&app, "/account/data").await.text().await.unwrap();
        assert!(page.contains("/api/v1/me/export/fhir") && page.contains("/account/delete"));
    }
}

#[tokio::test]
async fn deleting_an_account_removes_the_data_destroys_the_key_and_keeps_pooled_counts() {
    for b in backends() {
        let app = app(b).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let rel = relationship(&app, &c, &t).await;
        share(&app, &c, &rel, "trend", true).await;
        let mut with_need = checkin(1, 3, &[], "better");
        with_need["need"] = json!("something only I should read");
        check_in(&app, &c, &rel, with_need).await;
        answer(&app, &c, "phq9", phq9(15, 0)).await;
        answer(&app, &c, "gad7", gad7(11)).await;
        answer(&app, &c, "phq9", phq9(6, 0)).await;
        answer(&app, &c, "gad7", gad7(5)).await;
        end(&app, &rel, "too_intense", rapport_store::now_ms()).await;
        for i in 0..4 {
            let other = app.signup("client").await;
            let r = relationship(&app, &other, &t).await;
            end(&app, &r, "other", 1_000 + i).await;
        }
        let before: Value = t.get(&app, "/api/v1/feedback").await.json().await.unwrap();
        assert_eq!(
            before["pooled"]["counts"],
            json!([["other", 4], ["too_intense", 1]]),
            "{b:?}"
        );
        assert_eq!(before["outcomes"]["tally"]["courses"], 1);
        let old_need: Vec<u8> = with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT c.need FROM checkins c WHERE c.relationship_id = $1").bind(&rel).fetch_one(pool).await).unwrap();
        let checkin_id: String = with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT id FROM checkins WHERE relationship_id = $1").bind(&rel).fetch_one(pool).await).unwrap();
        assert!(DataKey::sealed_with_client_key(&old_need));

        let path = "/api/v1/me/account";
        let wrong = c
            .client
            .delete(app.url(path))
            .header("x-csrf-token", &c.csrf)
            .json(&json!({"password": "not it", "confirm": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 422);
        let unconfirmed = c
            .client
            .delete(app.url(path))
            .header("x-csrf-token", &c.csrf)
            .json(&json!({"password": c.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(unconfirmed.status(), 422);
        assert_eq!(
            unconfirmed.json::<Value>().await.unwrap()["errors"][0]["field"],
            "confirm"
        );
        assert_eq!(
            t.client
                .delete(app.url(path))
                .header("x-csrf-token", &t.csrf)
                .json(&json!({"password": "not the therapist's password", "confirm": true}))
                .send()
                .await
                .unwrap()
                .status(),
            422,
            "a therapist deletes only their own account, with their own password"
        );

        let r = c
            .client
            .delete(app.url(path))
            .header("x-csrf-token", &c.csrf)
            .json(&json!({"password": c.password, "confirm": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let done: Value = r.json().await.unwrap();
        assert_eq!(
            done,
            json!({"deleted": true, "key_destroyed": true, "pooled_endings": 1, "pooled_courses": 1})
        );

        let count = |sql: &'static str, id: String| {
            let db = app.state.db.clone();
            async move {
                with_pool!(&db, pool => sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(pool).await).unwrap()
            }
        };
        for sql in [
            "SELECT COUNT(*) FROM users WHERE id = $1",
            "SELECT COUNT(*) FROM relationships WHERE client_id = $1",
            "SELECT COUNT(*) FROM instrument_responses WHERE client_id = $1",
            "SELECT COUNT(*) FROM user_keys WHERE user_id = $1",
            "SELECT COUNT(*) FROM sessions WHERE user_id = $1",
        ] {
            assert_eq!(count(sql, c.id.clone()).await, 0, "{b:?}: {sql}");
        }
        assert!(
            user_keys::get(&app.state.db, &app.state.vault, &c.id)
                .await
                .unwrap()
                .is_none()
        );
        let place = Place {
            table: "checkins",
            column: "need",
            row: &checkin_id,
        };
        assert!(
            matches!(
                app.state.vault.open(place, &old_need),
                Err(StoreError::Crypto)
            ),
            "the old ciphertext cannot be opened"
        );
        assert_eq!(
            c.get(&app, "/api/v1/me").await.status(),
            401,
            "the session ended with the account"
        );

        let after: Value = t.get(&app, "/api/v1/feedback").await.json().await.unwrap();
        assert_eq!(
            after["pooled"]["counts"], before["pooled"]["counts"],
            "pooled counts stay pooled"
        );
        assert_eq!(after["endings"], 5);
        assert_eq!(
            after["outcomes"]["tally"], before["outcomes"]["tally"],
            "the course stays in the rates"
        );
        assert!(
            t.get(&app, "/api/v1/caseload")
                .await
                .json::<Value>()
                .await
                .unwrap()
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn the_delete_page_asks_for_confirmation_before_anything_is_deleted() {
    let app = app(Backend::Sqlite).await;
    let c = app.signup("client").await;
    let page = c.get(&app, "/account/delete").await.text().await.unwrap();
    assert!(page.contains("This cannot be undone") && page.contains("key your private notes"));
    let form = |pairs: Vec<(&'static str, String)>| {
        let mut pairs = pairs;
        pairs.push(("csrf", c.csrf.clone()));
        c.client
            .post(app.url("/account/delete"))
            .header("origin", app.base.clone())
            .form(&pairs)
            .send()
    };
    let r = form(vec![("password", c.password.clone())]).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("cannot be undone"));
    assert_eq!(
        c.get(&app, "/api/v1/me").await.status(),
        200,
        "nothing was deleted"
    );
    let r = form(vec![
        ("password", c.password.clone()),
        ("confirm", "yes".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()
            .get_all("set-cookie")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Max-Age=0"))
    );
    assert!(r.text().await.unwrap().contains("Your account is deleted"));
    let again = common::client()
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": c.email, "password": c.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 422, "the account no longer logs in");
}
