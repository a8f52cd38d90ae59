//! Small hand-built directories and requests for the matching tests, and helpers to import them
//! and ask for matches the way an API client would.
#![allow(dead_code)]

use crate::common::{TestApp, User};
use serde_json::{Value, json};

/// An open London listing seeing adults in person and by video, in English, for anxiety with
/// CBT, £80, free on Tuesdays at 18:00, neutral style; `patch` replaces top-level fields.
pub fn listing(id: &str, patch: Value) -> Value {
    let mut l = json!({
        "id": id, "name": format!("Dr {id}"), "credentials": ["BACP"], "accepting": true,
        "formats": ["in_person", "video"],
        "location": {"lat": 51.5072, "lon": -0.1276, "city": "London"},
        "jurisdictions": ["GB"], "languages": ["en"], "populations": ["adults"],
        "concerns": ["anxiety"], "modalities": ["cbt"], "identity": {},
        "fee": {"amount": 8000, "currency": "GBP"}, "insurance": [],
        "slots": [{"day": "tue", "hour": 18}],
        "style": {"directiveness": 0.0, "intensity": 0.0, "past": 0.0, "challenge": 0.0}
    });
    if let (Some(base), Some(changes)) = (l.as_object_mut(), patch.as_object()) {
        for (k, v) in changes {
            base.insert(k.clone(), v.clone());
        }
    }
    l
}

/// A client in central London: in person within 10 km or by video, English, an adult.
pub fn request(patch: Value) -> Value {
    let mut r = json!({
        "location": {"lat": 51.52, "lon": -0.10}, "max_distance_km": 10, "jurisdiction": "GB",
        "formats": ["in_person", "video"], "languages": ["en"], "population": "adults"
    });
    if let (Some(base), Some(changes)) = (r.as_object_mut(), patch.as_object()) {
        for (k, v) in changes {
            base.insert(k.clone(), v.clone());
        }
    }
    r
}

/// Listings as a JSON Lines file.
pub fn jsonl(listings: &[Value]) -> String {
    listings.iter().map(|l| format!("{l}\n")).collect()
}

/// Posts a directory file to the import endpoint with this content type.
pub async fn import_as(
    app: &TestApp,
    user: &User,
    body: &str,
    content_type: &str,
) -> reqwest::Response {
    user.client
        .post(app.url("/api/v1/directory/import"))
        .header("x-csrf-token", &user.csrf)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// Imports listings as JSON Lines and returns the report (the import must succeed).
pub async fn import(app: &TestApp, admin: &User, listings: &[Value]) -> Value {
    let r = import_as(app, admin, &jsonl(listings), "application/jsonl").await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Asks for matches anonymously and returns the whole answer.
pub async fn find(app: &TestApp, req: &Value) -> Value {
    let r = crate::common::client()
        .post(app.url("/api/v1/match"))
        .json(req)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The ids of the results, best first.
pub fn ids(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The field names of a 422 answer.
pub async fn fields(r: reqwest::Response) -> Vec<String> {
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// Posts a page form as a browser does, with the user's token.
pub async fn post_form(
    app: &TestApp,
    user: &User,
    path: &str,
    pairs: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = vec![("csrf", user.csrf.as_str())];
    form.extend_from_slice(pairs);
    user.client
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// A page as `user` sees it: status and HTML.
pub async fn page(app: &TestApp, user: &User, path: &str) -> (u16, String) {
    let r = user.get(app, path).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// How many listings the database holds.
pub async fn listings_stored(app: &TestApp) -> usize {
    rapport_store::listings::all(&app.state.db)
        .await
        .unwrap()
        .len()
}
