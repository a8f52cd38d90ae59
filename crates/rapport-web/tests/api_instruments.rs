//! Measures through the API and the pages: listing with text status, licensed text installed by
//! an administrator (and seen by every replica), scoring with bands and the crisis flag, refusals
//! that store nothing, who may read which results, and FHIR that validates.

mod common;

use common::{Backend, TestApp, User, backends, spawn_app_with};
use rapport_store::Vault;
use rapport_web::{AppState, Config};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const LICENSED: [&str; 3] = ["wai-sr", "srs", "ors"];

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// A second server on the same database, as another replica behind a load balancer would be.
async fn replica(app: &TestApp) -> TestApp {
    let config = Config {
        data_dir: app.dir.clone(),
        auth_attempts_per_minute: 1000,
        ..Config::default()
    };
    let state = AppState::new(config, app.state.db.clone(), Vault::generate());
    state.set_ready();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let s = state.clone();
    tokio::spawn(async move {
        rapport_web::serve(listener, s, std::future::pending())
            .await
            .unwrap()
    });
    TestApp {
        base,
        state,
        backend: app.backend,
        dir: app.dir.clone(),
    }
}

fn phq9(values: [i64; 9]) -> Value {
    let map: serde_json::Map<String, Value> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("q{}", i + 1), json!(v)))
        .collect();
    Value::Object(map)
}

fn srs(values: [f64; 4]) -> Value {
    json!({"relationship": values[0], "goals": values[1], "approach": values[2], "overall": values[3]})
}

fn srs_text() -> Value {
    json!({
        "relationship": "Licensed wording of the relationship line",
        "goals": "Licensed wording of the goals and topics line",
        "approach": "Licensed wording of the approach or method line",
        "overall": "Licensed wording of the overall line",
    })
}

async fn listing(app: &TestApp, user: &User) -> BTreeMap<String, Value> {
    let r = user.get(app, "/api/v1/instruments").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    body.as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_owned(), i.clone()))
        .collect()
}

async fn respond(app: &TestApp, user: &User, id: &str, answers: Value) -> reqwest::Response {
    user.post(app, &format!("/api/v1/instruments/{id}/responses"), answers)
        .await
}

async fn stored_rows(app: &TestApp) -> i64 {
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM instrument_responses").fetch_one(pool).await).unwrap()
}

/// `(field, reason)` of each problem in a 422 answer.
async fn problems(resp: reqwest::Response) -> BTreeMap<String, String> {
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn licensed_measures_are_listed_without_text_and_refused_until_an_admin_installs_it() {
    for b in backends() {
        let app = app(b).await;
        let client = app.signup("client").await;
        let list = listing(&app, &client).await;
        for id in LICENSED {
            assert_eq!(list[id]["text_status"], "not_installed", "{b:?} {id}");
            assert_eq!(list[id]["text_status_label"], "text not installed");
            assert_eq!(list[id]["offerable"], false);
        }
        for id in ["phq9", "gad7", "cnip"] {
            assert_eq!(list[id]["text_status"], "shipped", "{b:?} {id}");
            assert_eq!(list[id]["offerable"], true);
        }
        assert_eq!(
            list["rac"]["offerable"], false,
            "the check-in is asked within a relationship"
        );

        let answers = srs([9.0, 9.5, 8.7, 9.1]);
        assert_eq!(
            respond(&app, &client, "srs", answers.clone())
                .await
                .status(),
            409
        );
        assert_eq!(
            client
                .put(&app, "/api/v1/instruments/srs/text", srs_text())
                .await
                .status(),
            403,
            "only an administrator installs text"
        );

        let admin = app.admin().await;
        let mut partial = srs_text();
        partial.as_object_mut().unwrap().remove("overall");
        let refused = problems(
            admin
                .put(&app, "/api/v1/instruments/srs/text", partial)
                .await,
        )
        .await;
        assert!(refused["overall"].contains("no text"), "{refused:?}");
        assert_eq!(
            admin
                .put(&app, "/api/v1/instruments/phq9/text", json!({"q1": "x"}))
                .await
                .status(),
            422,
            "PHQ-9 ships its own text"
        );
        assert_eq!(
            listing(&app, &client).await["srs"]["text_status"],
            "not_installed"
        );

        let other = replica(&app).await;
        assert_eq!(
            listing(&other, &client).await["srs"]["offerable"],
            false,
            "the replica has loaded its registry before the install"
        );

        let r = admin
            .put(&app, "/api/v1/instruments/srs/text", srs_text())
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["text_status"], "installed");
        for server in [&app, &other] {
            let list = listing(server, &client).await;
            assert_eq!(list["srs"]["text_status"], "installed", "{b:?}");
            assert_eq!(list["srs"]["offerable"], true);
            assert_eq!(list["wai-sr"]["text_status"], "not_installed");
        }
        let def: Value = client
            .get(&other, "/api/v1/instruments/srs")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            def["items"][3]["text"],
            "Licensed wording of the overall line"
        );

        let r = respond(&other, &client, "srs", answers).await;
        assert_eq!(r.status(), 201, "{b:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["scores"][0]["value"], 36.3);
        assert_eq!(body["scores"][0]["cutoffs"]["concern"], false);
        assert_eq!(body["flags"], json!([]));

        let r = respond(&app, &client, "srs", srs([9.0, 9.0, 8.0, 9.0])).await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["scores"][0]["value"], 35.0);
        assert_eq!(body["scores"][0]["cutoffs"]["concern"], true);
        assert_eq!(
            body["flags"],
            json!(["srs_drop"]),
            "a fall of 1.3 points since last session is flagged"
        );
        assert_eq!(
            respond(&app, &client, "wai-sr", json!({})).await.status(),
            409,
            "other licensed measures stay refused"
        );
    }
}

#[tokio::test]
async fn a_phq9_response_is_scored_with_its_band_and_item_9_above_0_brings_the_crisis_lines() {
    for b in backends() {
        let app = spawn_app_with(b, |c| {
            c.crisis_lines = vec!["Test line: call 000 000".into()];
            c.help_url = "https://help.example.org/".into();
        })
        .await;
        let client = app.signup("client").await;

        let r = respond(&app, &client, "phq9", phq9([1, 1, 1, 1, 1, 1, 1, 1, 0])).await;
        assert_eq!(r.status(), 201, "{b:?}");
        let calm: Value = r.json().await.unwrap();
        assert_eq!(calm["scores"][0]["id"], "total");
        assert_eq!(calm["scores"][0]["value"], 8.0);
        assert_eq!(calm["scores"][0]["band"], "mild");
        assert_eq!(calm["scores"][0]["cutoffs"]["caseness"], false);
        assert_eq!(calm["crisis"], false);
        assert!(calm.get("crisis_lines").is_none());

        let r = respond(&app, &client, "phq9", phq9([2, 2, 2, 2, 2, 2, 2, 2, 1])).await;
        assert_eq!(r.status(), 201);
        let urgent: Value = r.json().await.unwrap();
        assert_eq!(urgent["scores"][0]["value"], 17.0);
        assert_eq!(urgent["scores"][0]["band"], "moderately severe");
        assert_eq!(urgent["scores"][0]["cutoffs"]["caseness"], true);
        assert_eq!(urgent["flags"], json!(["crisis"]));
        assert_eq!(urgent["crisis"], true);
        assert_eq!(urgent["crisis_lines"], json!(["Test line: call 000 000"]));
        assert_eq!(urgent["help_url"], "https://help.example.org/");

        let mine: Value = client
            .get(&app, "/api/v1/me/responses")
            .await
            .json()
            .await
            .unwrap();
        let mine = mine.as_array().unwrap();
        assert_eq!(mine.len(), 2);
        assert_eq!(mine[0]["id"], urgent["id"], "newest first");
        assert_eq!(mine[0]["crisis"], true);
        assert_eq!(mine[0]["answers"]["q9"], 1);
        assert_eq!(mine[1]["scores"][0]["band"], "mild");
    }
}

#[tokio::test]
async fn bad_answers_are_refused_naming_the_item_and_its_range_and_nothing_is_stored() {
    for b in backends() {
        let app = app(b).await;
        let client = app.signup("client").await;
        let mut answers = phq9([0, 0, 4, 0, 0, 0, 0, 0, 0]);
        let obj = answers.as_object_mut().unwrap();
        obj.insert("q1".into(), json!("often"));
        obj.remove("q9");
        obj.insert("q10".into(), json!(1));
        let found = problems(respond(&app, &client, "phq9", answers).await).await;
        assert_eq!(
            found.keys().map(String::as_str).collect::<Vec<_>>(),
            ["q1", "q10", "q3", "q9"],
            "{b:?}"
        );
        assert!(
            found["q3"].contains("a whole number from 0 to 3"),
            "{found:?}"
        );
        assert!(found["q1"].contains("0 to 3"), "wrong type: {found:?}");
        assert!(found["q9"].contains("required") && found["q9"].contains("0 to 3"));
        assert!(found["q10"].contains("not an item"));

        let found = problems(respond(&app, &client, "gad7", json!([1, 2, 3])).await).await;
        assert!(found.contains_key("answers"), "{found:?}");
        let r = client
            .client
            .post(app.url("/api/v1/instruments/gad7/responses"))
            .header("x-csrf-token", &client.csrf)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "a body that is not JSON");
        assert_eq!(
            respond(&app, &client, "nope", json!({})).await.status(),
            404
        );

        assert_eq!(stored_rows(&app).await, 0, "{b:?}: nothing stored");
        let mine: Value = client
            .get(&app, "/api/v1/me/responses")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine, json!([]));
    }
}

#[tokio::test]
async fn a_client_cannot_read_another_clients_responses() {
    for b in backends() {
        let app = app(b).await;
        let alice = app.signup("client").await;
        let bob = app.signup("client").await;
        let r = respond(
            &app,
            &alice,
            "gad7",
            json!({"q1": 3, "q2": 3, "q3": 3, "q4": 3, "q5": 3, "q6": 3, "q7": 3}),
        )
        .await;
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();

        let theirs: Value = bob
            .get(&app, "/api/v1/me/responses")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(theirs, json!([]), "{b:?}");
        assert_eq!(
            bob.get(&app, &format!("/api/v1/me/responses/{id}/fhir"))
                .await
                .status(),
            404
        );
        assert_eq!(
            bob.get(&app, &format!("/measures/results/{id}"))
                .await
                .status(),
            404
        );
        assert_eq!(
            alice
                .get(&app, &format!("/api/v1/me/responses/{id}/fhir"))
                .await
                .status(),
            200
        );

        let therapist = app.signup("therapist").await;
        assert_eq!(
            therapist.get(&app, "/api/v1/me/responses").await.status(),
            403
        );
        assert_eq!(
            respond(&app, &therapist, "gad7", json!({})).await.status(),
            403
        );
        let anonymous = common::client();
        assert_eq!(
            anonymous
                .get(app.url("/api/v1/me/responses"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        assert_eq!(
            anonymous
                .get(app.url("/api/v1/instruments"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
    }
}

/// Writes `value` to a temporary file and runs the Python validator on it; fails loudly if
/// python3 or the `fhir.resources` package is missing.
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

#[tokio::test]
async fn the_fhir_from_the_api_validates() {
    for b in backends() {
        let app = app(b).await;
        let client = app.signup("client").await;
        let r = respond(&app, &client, "phq9", phq9([3, 2, 2, 1, 1, 1, 0, 0, 1])).await;
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();

        let r = client
            .get(&app, &format!("/api/v1/me/responses/{id}/fhir"))
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/fhir+json");
        let bundle: Value = r.json().await.unwrap();
        assert_eq!(bundle["resourceType"], "Bundle");
        assert_eq!(bundle["type"], "collection");
        let kinds: Vec<&str> = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"]["resourceType"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "Patient",
                "Questionnaire",
                "QuestionnaireResponse",
                "Observation"
            ]
        );
        let patient = &bundle["entry"][0];
        assert_eq!(patient["fullUrl"], format!("urn:uuid:{}", client.id));
        assert_eq!(patient["resource"]["id"], client.id.as_str());
        let response = &bundle["entry"][2]["resource"];
        assert_eq!(bundle["entry"][2]["fullUrl"], format!("urn:uuid:{id}"));
        assert_eq!(response["id"], id.as_str());
        assert_eq!(
            response["subject"]["reference"],
            format!("urn:uuid:{}", client.id)
        );
        assert_eq!(response["item"].as_array().unwrap().len(), 9);
        let total = &bundle["entry"][3]["resource"];
        assert_eq!(total["code"]["coding"][0]["code"], "44261-6");
        assert_eq!(total["valueInteger"], 11);
        assert_eq!(total["category"][0]["coding"][0]["code"], "survey");
        assert_eq!(total["effectiveDateTime"], response["authored"]);
        assert_eq!(
            total["derivedFrom"][0]["reference"],
            format!("urn:uuid:{id}")
        );
        validate_fhir(&bundle, &format!("bundle-{b:?}"));

        for instrument in ["phq9", "gad7", "cnip", "srs"] {
            let r = client
                .get(&app, &format!("/api/v1/instruments/{instrument}/fhir"))
                .await;
            assert_eq!(r.status(), 200);
            let questionnaire: Value = r.json().await.unwrap();
            assert_eq!(questionnaire["resourceType"], "Questionnaire");
            validate_fhir(&questionnaire, &format!("questionnaire-{instrument}-{b:?}"));
        }
    }
}

#[tokio::test]
async fn the_measure_pages_offer_shipped_measures_and_show_crisis_resources_at_once() {
    for b in backends() {
        let app = spawn_app_with(b, |c| {
            c.crisis_lines = vec!["Test line: call 000 000".into()]
        })
        .await;
        let client = app.signup("client").await;
        let page = client.get(&app, "/measures").await.text().await.unwrap();
        assert!(page.contains("href=\"/measures/phq9\""), "{b:?}");
        assert!(!page.contains("/measures/wai-sr") && !page.contains("/measures/rac"));
        assert_eq!(client.get(&app, "/measures/srs").await.status(), 409);

        let form = client
            .get(&app, "/measures/phq9")
            .await
            .text()
            .await
            .unwrap();
        assert!(form.contains("name=\"q9\" value=\"3\"") && form.contains("Nearly every day"));

        let mut pairs: Vec<(String, String)> = vec![("csrf".into(), client.csrf.clone())];
        pairs.extend((1..=8).map(|i| (format!("q{i}"), "1".to_owned())));
        let r = client
            .client
            .post(app.url("/measures/phq9"))
            .form(&pairs)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "q9 is missing");
        let again = r.text().await.unwrap();
        assert!(again.contains("href=\"#q9\"") && again.contains("0 to 3"));
        assert!(
            again.contains("name=\"q1\" value=\"1\" required checked"),
            "answers kept"
        );
        assert_eq!(stored_rows(&app).await, 0);

        pairs.push(("q9".into(), "2".into()));
        let r = client
            .client
            .post(app.url("/measures/phq9"))
            .form(&pairs)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/measures/results/"));
        let result = client.get(&app, &location).await.text().await.unwrap();
        let support = result
            .find("class=\"urgent\"")
            .expect("crisis resources are shown");
        let score = result.find("10 out of 27").expect("the score in words");
        assert!(
            support < score,
            "the crisis resources come before the score"
        );
        assert!(
            result.contains("Test line: call <a href=\"tel:000000\">000 000</a>"),
            "the crisis number can be tapped"
        );
        assert!(result.contains("“moderate”"));
        let list = client.get(&app, "/measures").await.text().await.unwrap();
        assert!(list.contains(&location));
    }
}
