//! What the account tests share: a server per backend, a cookie-less client, sign-up and login
//! calls, and readers for cookies, error fields and the pages' hidden token.
#![allow(dead_code)]

use crate::common::{self, Backend, TestApp, spawn_app_with};
use rapport_web::Config;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub const PASSWORD: &str = "correct horse battery";

/// One server per backend, each configured by `tweak`.
pub async fn apps_with(tweak: impl Fn(&mut Config)) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for backend in common::backends() {
        apps.push(spawn_app_with(backend, &tweak).await);
    }
    apps
}

/// One server per backend with the test defaults.
pub async fn apps() -> Vec<TestApp> {
    apps_with(|_| {}).await
}

/// Names the backend in the test's output, so a failure says where it happened.
pub fn on(app: &TestApp) -> Backend {
    eprintln!("--- on {:?}", app.backend);
    app.backend
}

/// A client that keeps no cookies and follows no redirects: the test says exactly what is sent.
pub fn bare() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn new_email(tag: &str) -> String {
    format!("{tag}-{}@example.org", uuid::Uuid::new_v4().simple())
}

/// The `Set-Cookie` line for cookie `name`, if the response sets it.
pub fn set_cookie(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|l| l.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value cookie `name` is set to, if the response sets it.
pub fn cookie_value(resp: &Response, name: &str) -> Option<String> {
    let line = set_cookie(resp, name)?;
    let first = line.split(';').next()?;
    Some(first[name.len() + 1..].to_owned())
}

/// The `errors[].field` names of a 422 answer.
pub async fn error_fields(resp: Response) -> BTreeSet<String> {
    let body: Value = resp.json().await.unwrap();
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array in {body}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

pub fn fields(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

pub async fn count_users(app: &TestApp) -> i64 {
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await)
    .unwrap()
}

pub async fn post_signup(app: &TestApp, client: &reqwest::Client, body: Value) -> Response {
    client
        .post(app.url("/api/v1/accounts"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub async fn post_login(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> Response {
    client
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// A session made by hand: the cookie value and CSRF token, for tests that replay cookies.
pub struct Session {
    pub sid: String,
    pub csrf: String,
}

/// Signs up a client with a cookie-less client and returns its e-mail and session.
pub async fn signup_bare(app: &TestApp) -> (String, Session) {
    let email = new_email("client");
    let resp = post_signup(
        app,
        &bare(),
        json!({"email": email, "password": PASSWORD, "display_name": "Ana"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let sid = cookie_value(&resp, "rapport_session").expect("a session cookie");
    let body: Value = resp.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    (email, Session { sid, csrf })
}

/// `GET /api/v1/me` sending only the session cookie `sid`.
pub async fn me_with(app: &TestApp, sid: &str) -> StatusCode {
    bare()
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("rapport_session={sid}"))
        .send()
        .await
        .unwrap()
        .status()
}

/// `GET /api/v1/me` sending only `Authorization: Bearer token`.
pub async fn me_with_token(app: &TestApp, token: &str) -> Response {
    bare()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The value of the hidden `csrf` field in a page.
pub fn csrf_field(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("the page has a csrf field") + marker.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_owned()
}

pub fn retry_after(resp: &Response) -> u64 {
    resp.headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}
