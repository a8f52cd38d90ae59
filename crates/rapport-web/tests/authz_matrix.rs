//! The authorization matrix: every operation in the OpenAPI document, called as anonymous,
//! client A (the owner), client B, an unrelated therapist, A's therapist, and an administrator
//! of another practice. Nobody gets a 5xx; anonymous gets 401 everywhere but the public routes;
//! nobody but A (and, as shared, A's therapist) ever gets a 2xx on A's relationship.

mod common;

use common::{Backend, TestApp, User, spawn_app_with};
use serde_json::{Value, json};

/// Routes anyone may call without logging in.
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("post", "/api/v1/accounts"),
    ("post", "/api/v1/session"),
    ("get", "/api/v1/vocabularies"),
    ("get", "/api/v1/places"),
    ("post", "/api/v1/match"),
];

struct Caller {
    name: &'static str,
    token: Option<String>,
}

async fn token_for(app: &TestApp, u: &User) -> String {
    let r = u
        .post(app, "/api/v1/tokens", json!({"name": "matrix"}))
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn call(app: &TestApp, c: &Caller, method: &str, path: &str) -> u16 {
    let http = reqwest::Client::new();
    let url = app.url(path);
    let mut req = match method {
        "get" => http.get(url),
        "post" => http.post(url).json(&json!({})),
        "put" => http.put(url).json(&json!({})),
        "delete" => http.delete(url),
        "patch" => http.patch(url).json(&json!({})),
        other => panic!("unexpected method {other}"),
    };
    if let Some(t) = &c.token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_role_as_expected() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let a = app.signup("client").await;
    let b = app.signup("client").await;
    let stranger = app.signup("therapist").await;
    let theirs = app.signup("therapist").await;
    let admin = app.admin().await;
    let listing = format!("t-{}", &theirs.id[..8]);
    rapport_store::listings::upsert_many(
        &app.state.db,
        &[(
            listing.clone(),
            Some(theirs.id.clone()),
            json!({"id": listing, "name": "Dr Theirs"}).to_string(),
        )],
    )
    .await
    .unwrap();
    let rel = a
        .post(
            &app,
            "/api/v1/relationships",
            json!({"therapist_name": "Dr Theirs", "listing_id": listing}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        theirs
            .post(
                &app,
                &format!("/api/v1/relationships/{rel}/accept"),
                json!({})
            )
            .await
            .status(),
        200,
        "A's therapist accepts A"
    );
    let checkin = json!({"session": 1, "heard": 3, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3, "stirred": 1, "left_feeling": "better", "need": "private words"});
    assert_eq!(
        a.post(
            &app,
            &format!("/api/v1/relationships/{rel}/checkins"),
            checkin
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        a.put(
            &app,
            &format!("/api/v1/relationships/{rel}/sharing"),
            json!({"sharing": "trend"})
        )
        .await
        .status(),
        200
    );

    let callers = [
        Caller {
            name: "anonymous",
            token: None,
        },
        Caller {
            name: "client A",
            token: Some(token_for(&app, &a).await),
        },
        Caller {
            name: "client B",
            token: Some(token_for(&app, &b).await),
        },
        Caller {
            name: "unrelated therapist",
            token: Some(token_for(&app, &stranger).await),
        },
        Caller {
            name: "A's therapist",
            token: Some(token_for(&app, &theirs).await),
        },
        Caller {
            name: "admin of another practice",
            token: Some(token_for(&app, &admin).await),
        },
    ];
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.push((method.clone(), path.clone()));
        }
    }
    assert!(
        operations.len() > 40,
        "the OpenAPI document lists {} operations",
        operations.len()
    );

    let mut problems = Vec::new();
    for (method, template) in &operations {
        let path = fill(template, &rel);
        let touches_a = template.contains('{');
        for c in &callers {
            if method == "delete"
                && (template == "/api/v1/me/account" || template == "/api/v1/session")
            {
                continue;
            }
            let status = call(&app, c, method, &path).await;
            let public = PUBLIC.contains(&(method.as_str(), template.as_str()));
            if status >= 500 {
                problems.push(format!(
                    "{} {method} {path}: {status} (a server error)",
                    c.name
                ));
            }
            if c.token.is_none() && !public && status != 401 {
                problems.push(format!("anonymous {method} {path}: {status}, expected 401"));
            }
            let may_see_a = matches!(c.name, "client A" | "A's therapist");
            if touches_a && path.contains(&rel) && !may_see_a && (200..300).contains(&status) {
                problems.push(format!(
                    "{} {method} {path}: {status}: reached client A's relationship",
                    c.name
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "authorization matrix problems:\n{}",
        problems.join("\n")
    );

    let shared = call(&app, &callers[4], "get", &format!("/api/v1/caseload/{rel}")).await;
    assert_eq!(shared, 200, "A's therapist sees the trend A shares");
    let page: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/caseload/{rel}")))
        .bearer_auth(callers[4].token.as_ref().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !page.to_string().contains("private words"),
        "trend sharing never shows the need text"
    );
    for c in [&callers[2], &callers[3], &callers[5]] {
        assert_eq!(
            call(&app, c, "get", &format!("/api/v1/caseload/{rel}")).await / 100,
            4,
            "{} must not see A's caseload entry",
            c.name
        );
        assert_eq!(
            call(&app, c, "get", &format!("/api/v1/relationships/{rel}")).await / 100,
            4,
            "{} must not see A's relationship",
            c.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_unsafe_route_refuses_a_cookie_request_without_the_csrf_token() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for role in ["client", "therapist"] {
        let u = app.signup(role).await;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if method == "get" || PUBLIC.contains(&(method.as_str(), path.as_str())) {
                    continue;
                }
                let url = app.url(&fill(path, "00000000-0000-0000-0000-000000000000"));
                let req = match method.as_str() {
                    "post" => u.client.post(url),
                    "put" => u.client.put(url),
                    "delete" => u.client.delete(url),
                    "patch" => u.client.patch(url),
                    other => panic!("unexpected method {other}"),
                };
                let status = req.json(&json!({})).send().await.unwrap().status().as_u16();
                checked += 1;
                if status != 403 {
                    problems.push(format!("{role} {method} {path} with its session cookie but no token: {status}, expected 403"));
                }
            }
        }
        assert_eq!(
            u.get(&app, "/api/v1/me").await.status(),
            200,
            "the session still works"
        );
    }
    assert!(
        checked > 40,
        "only {checked} unsafe operations were checked"
    );
    assert!(
        problems.is_empty(),
        "CSRF problems:\n{}",
        problems.join("\n")
    );
}

/// Fills every path parameter with client A's relationship id, so each `{…}` route is tried on
/// something that exists and belongs to A.
fn fill(template: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(id);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
