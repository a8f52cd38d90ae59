//! Accounts against a real server: sign-up, login, logout, password changes, rate limits, CSRF,
//! personal access tokens, role checks, security headers and the pages' forms. Every test runs on
//! each backend in `common::backends()` (SQLite always, PostgreSQL when configured).

mod common;

use common::{Backend, TestApp, spawn_app_with};
use rapport_web::Config;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const PASSWORD: &str = "correct horse battery";

/// One server per backend, each configured by `tweak`.
async fn apps_with(tweak: impl Fn(&mut Config)) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for backend in common::backends() {
        apps.push(spawn_app_with(backend, &tweak).await);
    }
    apps
}

/// One server per backend with the test defaults.
async fn apps() -> Vec<TestApp> {
    apps_with(|_| {}).await
}

/// Names the backend in the test's output, so a failure says where it happened.
fn on(app: &TestApp) -> Backend {
    eprintln!("--- on {:?}", app.backend);
    app.backend
}

/// A client that keeps no cookies and follows no redirects: the test says exactly what is sent.
fn bare() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn new_email(tag: &str) -> String {
    format!("{tag}-{}@example.org", uuid::Uuid::new_v4().simple())
}

/// The `Set-Cookie` line for cookie `name`, if the response sets it.
fn set_cookie(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|l| l.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value cookie `name` is set to, if the response sets it.
fn cookie_value(resp: &Response, name: &str) -> Option<String> {
    let line = set_cookie(resp, name)?;
    let first = line.split(';').next()?;
    Some(first[name.len() + 1..].to_owned())
}

/// The `errors[].field` names of a 422 answer.
async fn error_fields(resp: Response) -> BTreeSet<String> {
    let body: Value = resp.json().await.unwrap();
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array in {body}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

fn fields(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

async fn count_users(app: &TestApp) -> i64 {
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await)
    .unwrap()
}

async fn post_signup(app: &TestApp, client: &reqwest::Client, body: Value) -> Response {
    client
        .post(app.url("/api/v1/accounts"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn post_login(
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
struct Session {
    sid: String,
    csrf: String,
}

/// Signs up a client with a cookie-less client and returns its e-mail and session.
async fn signup_bare(app: &TestApp) -> (String, Session) {
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
async fn me_with(app: &TestApp, sid: &str) -> StatusCode {
    bare()
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("rapport_session={sid}"))
        .send()
        .await
        .unwrap()
        .status()
}

/// `GET /api/v1/me` sending only `Authorization: Bearer token`.
async fn me_with_token(app: &TestApp, token: &str) -> Response {
    bare()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The value of the hidden `csrf` field in a page.
fn csrf_field(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("the page has a csrf field") + marker.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_owned()
}

fn retry_after(resp: &Response) -> u64 {
    resp.headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn signing_up_creates_an_account_and_sets_an_http_only_lax_session_cookie() {
    for app in apps().await {
        on(&app);
        let client = common::client();
        let resp = post_signup(
            &app,
            &client,
            json!({"email": "  Ana.Client@Example.ORG ", "password": PASSWORD, "display_name": "Ana", "role": "client"}),
        )
        .await;
        assert_eq!(resp.status(), 201);
        let line = set_cookie(&resp, "rapport_session").expect("a session cookie is set");
        for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(line.contains(part), "{part} missing from {line}");
        }
        assert!(
            !line.contains("Secure"),
            "not Secure unless configured: {line}"
        );
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["account"]["email"], "ana.client@example.org");
        assert_eq!(body["account"]["role"], "client");
        assert_eq!(body["csrf_token"].as_str().unwrap().len(), 64);

        let me = client.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(me.status(), 200);
        let me: Value = me.json().await.unwrap();
        assert_eq!(me["email"], "ana.client@example.org");
        assert_eq!(me["display_name"], "Ana");
    }
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_deployment_serves_tls() {
    for app in apps_with(|c| c.secure_cookies = true).await {
        on(&app);
        let resp = post_signup(
            &app,
            &bare(),
            json!({"email": new_email("c"), "password": PASSWORD, "display_name": "Ana"}),
        )
        .await;
        assert_eq!(resp.status(), 201);
        let line = set_cookie(&resp, "rapport_session").unwrap();
        assert!(line.contains("; Secure"), "{line}");
    }
}

#[tokio::test]
async fn sign_up_errors_name_every_field_and_create_nothing() {
    for app in apps().await {
        on(&app);
        let resp = post_signup(&app, &bare(), json!({})).await;
        assert_eq!(resp.status(), 422);
        assert_eq!(
            error_fields(resp).await,
            fields(&["display_name", "email", "password"])
        );

        let resp = post_signup(
            &app,
            &bare(),
            json!({"email": "not-an-address", "password": "short", "display_name": "  ", "role": "superuser"}),
        )
        .await;
        assert_eq!(resp.status(), 422);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "invalid");
        let named: BTreeSet<String> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert!(
                    !e["reason"].as_str().unwrap().is_empty(),
                    "each error says why: {e}"
                );
                e["field"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(
            named,
            fields(&["display_name", "email", "password", "role"])
        );
        assert_eq!(
            count_users(&app).await,
            0,
            "a refused sign-up stores nothing"
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_the_expected_json_is_refused_in_the_usual_json_shape() {
    for app in apps().await {
        on(&app);
        for (body, names) in [
            (
                r#"{"email": 5, "password": "correct horse battery", "display_name": "N"}"#,
                "email",
            ),
            (r#"{"email": "x@example.org""#, "EOF"),
            ("not json at all", "line 1"),
        ] {
            let resp = bare()
                .post(app.url("/api/v1/accounts"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 422, "{body}");
            assert!(
                resp.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/json"),
                "{body}"
            );
            let answer: Value = resp.json().await.unwrap();
            assert_eq!(answer["errors"][0]["field"], "body", "{answer}");
            let reason = answer["errors"][0]["reason"].as_str().unwrap();
            assert!(
                reason.contains(names),
                "the reason says what is wrong: {reason}"
            );
        }
        let user = app.signup("client").await;
        let resp = user
            .client
            .post(app.url("/api/v1/me/password"))
            .header("x-csrf-token", &user.csrf)
            .header("content-type", "application/json")
            .body(r#"{"current_password": ["a"], "new_password": "whatever you like"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422);
        let answer: Value = resp.json().await.unwrap();
        assert!(
            answer["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("current_password")
        );
        assert_eq!(count_users(&app).await, 1);
    }
}

#[tokio::test]
async fn a_second_sign_up_with_the_same_email_is_refused_naming_the_email() {
    for app in apps().await {
        on(&app);
        let email = new_email("dup");
        let first = post_signup(
            &app,
            &bare(),
            json!({"email": email, "password": PASSWORD, "display_name": "First"}),
        )
        .await;
        assert_eq!(first.status(), 201);
        let again = post_signup(
            &app,
            &bare(),
            json!({"email": email.to_uppercase(), "password": "another password!", "display_name": "Second"}),
        )
        .await;
        assert_eq!(again.status(), 422);
        assert!(set_cookie(&again, "rapport_session").is_none());
        assert_eq!(error_fields(again).await, fields(&["email"]));
        assert_eq!(count_users(&app).await, 1);
        assert_eq!(
            post_login(&app, &bare(), &email, PASSWORD).await.status(),
            200,
            "the first account keeps its password"
        );
    }
}

#[tokio::test]
async fn logging_in_returns_the_account_and_a_working_session() {
    for app in apps().await {
        on(&app);
        let signed_up = app.signup("therapist").await;
        let client = common::client();
        let resp = post_login(&app, &client, &signed_up.email.to_uppercase(), PASSWORD).await;
        assert_eq!(resp.status(), 200);
        let line = set_cookie(&resp, "rapport_session").expect("a session cookie");
        assert!(line.contains("HttpOnly") && line.contains("SameSite=Lax"));
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["account"]["id"], signed_up.id.as_str());
        assert_eq!(body["account"]["role"], "therapist");
        let me: Value = client
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["id"], signed_up.id.as_str());
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_identical_answer() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        let mut answers = Vec::new();
        for (email, password) in [
            (user.email.as_str(), "wrong password here"),
            ("nobody-at-all@example.org", "wrong password here"),
            ("nobody-at-all@example.org", PASSWORD),
        ] {
            let resp = post_login(&app, &bare(), email, password).await;
            assert!(
                set_cookie(&resp, "rapport_session").is_none(),
                "no session for a failed login"
            );
            let status = resp.status();
            let content_type = resp.headers()["content-type"].clone();
            answers.push((status, content_type, resp.text().await.unwrap()));
        }
        assert!(answers[0].0.is_client_error(), "{:?}", answers[0]);
        assert_ne!(answers[0].0, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            answers[0], answers[1],
            "the answer must not reveal which accounts exist"
        );
        assert_eq!(answers[0], answers[2]);
        assert!(!answers[0].2.contains(&user.email));
    }
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    for app in apps().await {
        on(&app);
        let (_, s) = signup_bare(&app).await;
        assert_eq!(me_with(&app, &s.sid).await, 200);
        let resp = bare()
            .delete(app.url("/api/v1/session"))
            .header("cookie", format!("rapport_session={}", s.sid))
            .header("x-csrf-token", &s.csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204);
        let line = set_cookie(&resp, "rapport_session").expect("the cookie is cleared");
        assert!(line.contains("Max-Age=0"), "{line}");
        assert_eq!(
            me_with(&app, &s.sid).await,
            401,
            "a copy of the old cookie must not work"
        );

        let user = app.signup("client").await;
        assert_eq!(user.delete(&app, "/api/v1/session").await.status(), 204);
        assert_eq!(user.get(&app, "/api/v1/me").await.status(), 401);
    }
}

#[tokio::test]
async fn logging_in_issues_a_new_session_id_and_ends_the_one_sent_with_the_request() {
    for app in apps().await {
        on(&app);
        let (email, before) = signup_bare(&app).await;
        let resp = bare()
            .post(app.url("/api/v1/session"))
            .header("cookie", format!("rapport_session={}", before.sid))
            .header("x-csrf-token", &before.csrf)
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let after = cookie_value(&resp, "rapport_session").unwrap();
        assert_ne!(after, before.sid, "the session id must change at login");
        assert_eq!(me_with(&app, &before.sid).await, 401);
        assert_eq!(me_with(&app, &after).await, 200);
    }
}

#[tokio::test]
async fn a_session_id_planted_before_login_is_not_the_one_after() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        let planted = "ab".repeat(32);
        let resp = bare()
            .post(app.url("/api/v1/session"))
            .header("cookie", format!("rapport_session={planted}"))
            .json(&json!({"email": user.email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let issued = cookie_value(&resp, "rapport_session").unwrap();
        assert_ne!(issued, planted);
        assert_eq!(
            me_with(&app, &planted).await,
            401,
            "the planted id must not become a login"
        );
        assert_eq!(me_with(&app, &issued).await, 200);
    }
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_every_other_session() {
    for app in apps().await {
        on(&app);
        let here = app.signup("client").await;
        let elsewhere = app.login(&here.email, PASSWORD).await;
        let new_password = "a much better passphrase";

        let wrong = here
            .post(
                &app,
                "/api/v1/me/password",
                json!({"current_password": "not my password", "new_password": new_password}),
            )
            .await;
        assert_eq!(wrong.status(), 422);
        assert_eq!(error_fields(wrong).await, fields(&["current_password"]));
        let short = here
            .post(
                &app,
                "/api/v1/me/password",
                json!({"current_password": PASSWORD, "new_password": "short"}),
            )
            .await;
        assert_eq!(short.status(), 422);
        assert_eq!(error_fields(short).await, fields(&["new_password"]));
        assert_eq!(
            elsewhere.get(&app, "/api/v1/me").await.status(),
            200,
            "a refused change ends nothing"
        );
        assert_eq!(
            post_login(&app, &bare(), &here.email, PASSWORD)
                .await
                .status(),
            200
        );

        let done = here
            .post(
                &app,
                "/api/v1/me/password",
                json!({"current_password": PASSWORD, "new_password": new_password}),
            )
            .await;
        assert_eq!(done.status(), 204);
        assert_eq!(
            here.get(&app, "/api/v1/me").await.status(),
            200,
            "this session stays"
        );
        assert_eq!(
            elsewhere.get(&app, "/api/v1/me").await.status(),
            401,
            "other sessions end"
        );
        assert_ne!(
            post_login(&app, &bare(), &here.email, PASSWORD)
                .await
                .status(),
            200,
            "the old password no longer works"
        );
        assert_eq!(
            post_login(&app, &bare(), &here.email, new_password)
                .await
                .status(),
            200
        );
    }
}

#[tokio::test]
async fn login_is_rate_limited_per_ip_address() {
    for app in apps_with(|c| c.auth_attempts_per_minute = 3).await {
        on(&app);
        let user = {
            let email = new_email("limited");
            let resp = post_signup(
                &app,
                &bare(),
                json!({"email": email, "password": PASSWORD, "display_name": "L"}),
            )
            .await;
            assert_eq!(resp.status(), 201);
            email
        };
        for i in 0..3 {
            let resp = post_login(
                &app,
                &bare(),
                &new_email(&format!("guess{i}")),
                "guess guess guess",
            )
            .await;
            assert_ne!(resp.status(), 429, "attempt {i} is within the limit");
        }
        let resp = post_login(&app, &bare(), &user, PASSWORD).await;
        assert_eq!(
            resp.status(),
            429,
            "the 4th attempt from one address is refused, even with the right password"
        );
        let wait = retry_after(&resp);
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
        assert!(set_cookie(&resp, "rapport_session").is_none());
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "rate_limited");
    }
}

#[tokio::test]
async fn sign_up_is_rate_limited_per_ip_address() {
    for app in apps_with(|c| c.auth_attempts_per_minute = 3).await {
        on(&app);
        for _ in 0..3 {
            let resp = post_signup(
                &app,
                &bare(),
                json!({"email": new_email("s"), "password": PASSWORD, "display_name": "S"}),
            )
            .await;
            assert_eq!(resp.status(), 201);
        }
        let resp = post_signup(
            &app,
            &bare(),
            json!({"email": new_email("s"), "password": PASSWORD, "display_name": "S"}),
        )
        .await;
        assert_eq!(resp.status(), 429);
        assert!(retry_after(&resp) >= 1);
        assert_eq!(count_users(&app).await, 3);
    }
}

#[tokio::test]
async fn login_is_rate_limited_per_account_whatever_the_address() {
    let tweak = |c: &mut Config| {
        c.auth_attempts_per_minute = 3;
        c.trust_forwarded_for = true;
    };
    for app in apps_with(tweak).await {
        on(&app);
        let target = app.signup("client").await;
        let bystander = app.signup("client").await;
        let attempt = |email: String, password: &'static str, ip: String| {
            let app = &app;
            async move {
                bare()
                    .post(app.url("/api/v1/session"))
                    .header("x-forwarded-for", ip)
                    .json(&json!({"email": email, "password": password}))
                    .send()
                    .await
                    .unwrap()
            }
        };
        for i in 0..3 {
            let resp = attempt(
                target.email.clone(),
                "wrong password!",
                format!("192.0.2.{i}"),
            )
            .await;
            assert_ne!(resp.status(), 429, "attempt {i} is within the limit");
        }
        let resp = attempt(target.email.to_uppercase(), PASSWORD, "192.0.2.200".into()).await;
        assert_eq!(
            resp.status(),
            429,
            "the account is limited even from a new address and with its e-mail in capitals"
        );
        assert!((1..=60).contains(&retry_after(&resp)));
        let other = attempt(bystander.email.clone(), PASSWORD, "192.0.2.201".into()).await;
        assert_eq!(other.status(), 200, "other accounts are not affected");
    }
}

#[tokio::test]
async fn a_forged_x_forwarded_for_entry_does_not_dodge_the_ip_limit() {
    let tweak = |c: &mut Config| {
        c.auth_attempts_per_minute = 3;
        c.trust_forwarded_for = true;
    };
    for app in apps_with(tweak).await {
        on(&app);
        let mut statuses = Vec::new();
        for i in 0..4 {
            // The client wrote the first entry; the trusted proxy appended the address it saw.
            let resp = bare()
                .post(app.url("/api/v1/session"))
                .header("x-forwarded-for", format!("203.0.113.{i}, 198.51.100.7"))
                .json(
                    &json!({"email": new_email(&format!("g{i}")), "password": "guess guess guess"}),
                )
                .send()
                .await
                .unwrap();
            statuses.push(resp.status().as_u16());
        }
        assert_eq!(
            statuses.last(),
            Some(&429),
            "attempts from one proxy-seen address must be limited: {statuses:?}"
        );
    }
}

#[tokio::test]
async fn a_cookie_authenticated_api_call_without_the_csrf_header_is_refused_and_changes_nothing() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        let no_header = user
            .client
            .post(app.url("/api/v1/tokens"))
            .json(&json!({"name": "sneaky"}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_header.status(), 403);
        let body: Value = no_header.json().await.unwrap();
        assert_eq!(body["error"], "csrf");
        let wrong_header = user
            .client
            .post(app.url("/api/v1/tokens"))
            .header("x-csrf-token", "0".repeat(64))
            .json(&json!({"name": "sneaky"}))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_header.status(), 403);
        let listed: Value = user.get(&app, "/api/v1/tokens").await.json().await.unwrap();
        assert_eq!(listed, json!([]), "no token was created");

        let password = user
            .client
            .post(app.url("/api/v1/me/password"))
            .json(&json!({"current_password": PASSWORD, "new_password": "attacker's choice!"}))
            .send()
            .await
            .unwrap();
        assert_eq!(password.status(), 403);
        assert_eq!(
            post_login(&app, &bare(), &user.email, PASSWORD)
                .await
                .status(),
            200,
            "the password is unchanged"
        );

        let logout = user
            .client
            .delete(app.url("/api/v1/session"))
            .send()
            .await
            .unwrap();
        assert_eq!(logout.status(), 403);
        assert_eq!(user.get(&app, "/api/v1/me").await.status(), 200);
    }
}

#[tokio::test]
async fn a_form_post_without_the_csrf_field_is_refused() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        let resp = user
            .client
            .post(app.url("/account/tokens"))
            .form(&[("name", "sneaky")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403);
        let resp = user
            .client
            .post(app.url("/account/tokens"))
            .form(&[("name", "sneaky"), ("csrf", &"0".repeat(64))])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "a wrong token is refused too");
        let listed: Value = user.get(&app, "/api/v1/tokens").await.json().await.unwrap();
        assert_eq!(listed, json!([]));

        let visitor = common::client();
        let page = visitor.get(app.url("/login")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let resp = visitor
            .post(app.url("/login"))
            .form(&[("email", user.email.as_str()), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "an anonymous form needs its token too");
        assert!(set_cookie(&resp, "rapport_session").is_none());
    }
}

#[tokio::test]
async fn a_request_from_another_site_is_refused_even_with_a_valid_token() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        for (header, value) in [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let resp = user
                .client
                .post(app.url("/api/v1/tokens"))
                .header("x-csrf-token", &user.csrf)
                .header(header, value)
                .json(&json!({"name": "from elsewhere"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 403, "{header}: {value}");
            let resp = bare()
                .post(app.url("/api/v1/accounts"))
                .header(header, value)
                .json(&json!({"email": new_email("x"), "password": PASSWORD, "display_name": "X"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 403, "anonymous, {header}: {value}");
        }
        let listed: Value = user.get(&app, "/api/v1/tokens").await.json().await.unwrap();
        assert_eq!(listed, json!([]));
        assert_eq!(count_users(&app).await, 1);

        let same_site = user
            .client
            .post(app.url("/api/v1/tokens"))
            .header("x-csrf-token", &user.csrf)
            .header("origin", &app.base)
            .header("sec-fetch-site", "same-origin")
            .json(&json!({"name": "from here"}))
            .send()
            .await
            .unwrap();
        assert_eq!(same_site.status(), 201, "our own origin is fine");
    }
}

#[tokio::test]
async fn a_personal_access_token_works_without_cookies_or_csrf_until_revoked() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        let created = user
            .post(&app, "/api/v1/tokens", json!({"name": "my script"}))
            .await;
        assert_eq!(created.status(), 201);
        let created: Value = created.json().await.unwrap();
        let token = created["token"].as_str().unwrap().to_owned();
        let token_id = created["id"].as_str().unwrap().to_owned();

        let me = me_with_token(&app, &token).await;
        assert_eq!(me.status(), 200);
        let me: Value = me.json().await.unwrap();
        assert_eq!(me["id"], user.id.as_str());

        let second = bare()
            .post(app.url("/api/v1/tokens"))
            .bearer_auth(&token)
            .json(&json!({"name": "made with a token"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            second.status(),
            201,
            "no CSRF token is needed with a bearer token"
        );

        let stranger = app.signup("client").await;
        let steal = stranger
            .delete(&app, &format!("/api/v1/tokens/{token_id}"))
            .await;
        assert_eq!(steal.status(), 404, "only the owner can revoke");
        assert_eq!(me_with_token(&app, &token).await.status(), 200);

        let revoked = user
            .delete(&app, &format!("/api/v1/tokens/{token_id}"))
            .await;
        assert_eq!(revoked.status(), 204);
        assert_eq!(me_with_token(&app, &token).await.status(), 401);
        assert_eq!(
            me_with_token(&app, &format!("rpt_{}", "0".repeat(64)))
                .await
                .status(),
            401
        );
        let listed: Value = user.get(&app, "/api/v1/tokens").await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 2);
        assert!(
            listed.to_string().find(&token).is_none(),
            "the list never shows secrets"
        );
    }
}

#[tokio::test]
async fn only_a_hash_of_a_token_is_stored() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        let created: Value = user
            .post(&app, "/api/v1/tokens", json!({"name": "stored"}))
            .await
            .json()
            .await
            .unwrap();
        let token = created["token"].as_str().unwrap();
        let random_part = token.trim_start_matches("rpt_");
        assert_eq!(random_part.len(), 64);

        let rows: Vec<(String, String, String, String)> = rapport_store::with_pool!(&app.state.db, pool => sqlx::query_as("SELECT id, user_id, name, token_hash FROM api_tokens")
            .fetch_all(pool)
            .await)
        .unwrap();
        assert_eq!(rows.len(), 1);
        let (_, owner, _, hash) = &rows[0];
        assert_eq!(owner, &user.id);
        assert_eq!(hash, &rapport_web::security::secret::hash(token));
        let everything = format!("{rows:?}");
        assert!(
            !everything.contains(random_part),
            "the secret must not be stored"
        );
        assert!(!everything.contains(&random_part[..16]));
    }
}

#[tokio::test]
async fn an_administrator_account_cannot_be_made_by_sign_up() {
    for app in apps().await {
        on(&app);
        let resp = post_signup(
            &app,
            &bare(),
            json!({"email": new_email("admin"), "password": PASSWORD, "display_name": "Root", "role": "admin"}),
        )
        .await;
        assert_eq!(resp.status(), 422);
        assert!(set_cookie(&resp, "rapport_session").is_none());
        assert_eq!(error_fields(resp).await, fields(&["role"]));
        assert_eq!(count_users(&app).await, 0);

        let admin = app.admin().await;
        let me: Value = admin.get(&app, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "admin");
    }
}

#[tokio::test]
async fn each_role_is_refused_the_routes_of_the_others() {
    for app in apps().await {
        on(&app);
        let client = app.signup("client").await;
        let therapist = app.signup("therapist").await;
        let admin = app.admin().await;

        assert_eq!(
            client.get(&app, "/api/v1/relationships").await.status(),
            200
        );
        assert_eq!(therapist.get(&app, "/api/v1/caseload").await.status(), 200);
        for (who, user, path) in [
            ("therapist", &therapist, "/api/v1/relationships"),
            ("admin", &admin, "/api/v1/relationships"),
            ("client", &client, "/api/v1/caseload"),
            ("admin", &admin, "/api/v1/caseload"),
        ] {
            assert_eq!(user.get(&app, path).await.status(), 403, "{who} on {path}");
        }
        let created = therapist
            .post(
                &app,
                "/api/v1/relationships",
                json!({"therapist_name": "Dr X"}),
            )
            .await;
        assert_eq!(created.status(), 403, "a therapist cannot act as a client");
        let anonymous = bare()
            .get(app.url("/api/v1/relationships"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    for app in apps().await {
        on(&app);
        for path in [
            "/",
            "/login",
            "/api/v1/me",
            "/no-such-page",
            "/api/openapi.json",
        ] {
            let resp = bare().get(app.url(path)).send().await.unwrap();
            let h = resp.headers();
            let csp = h
                .get("content-security-policy")
                .unwrap_or_else(|| panic!("no CSP on {path}"))
                .to_str()
                .unwrap();
            let directive = |name: &str| {
                csp.split(';')
                    .map(str::trim)
                    .find(|d| d.split_whitespace().next() == Some(name))
                    .map(str::to_owned)
            };
            let scripts = directive("script-src")
                .or_else(|| directive("default-src"))
                .unwrap_or_else(|| panic!("CSP on {path} does not restrict scripts: {csp}"));
            assert!(!scripts.contains("'unsafe-inline'"), "{path}: {scripts}");
            assert!(!scripts.contains("'unsafe-eval'"), "{path}: {scripts}");
            assert_eq!(
                directive("frame-ancestors").as_deref(),
                Some("frame-ancestors 'none'"),
                "{path}"
            );
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        }
    }
}

#[tokio::test]
async fn the_health_checks_answer_200_when_the_database_is_reachable() {
    for app in apps().await {
        on(&app);
        for path in ["/healthz", "/readyz"] {
            let resp = bare().get(app.url(path)).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{path}");
        }
    }
}

#[tokio::test]
async fn the_openapi_document_is_version_3_1_and_lists_the_account_routes() {
    for app in apps().await {
        on(&app);
        let resp = bare()
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let doc: Value = resp.json().await.unwrap();
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1"),
            "{}",
            doc["openapi"]
        );
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/api/v1/accounts",
            "/api/v1/session",
            "/api/v1/me",
            "/api/v1/me/password",
            "/api/v1/tokens",
            "/api/v1/tokens/{id}",
        ] {
            assert!(
                paths.contains_key(path),
                "{path} missing from the OpenAPI document"
            );
        }
        assert!(paths["/api/v1/accounts"]["post"].is_object());
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_404_html_page_with_the_get_help_now_link() {
    for app in apps().await {
        on(&app);
        let resp = bare().get(app.url("/no/such/page")).send().await.unwrap();
        assert_eq!(resp.status(), 404);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = resp.text().await.unwrap();
        assert!(html.contains(">Get help now</a>"), "{html}");
        assert!(html.contains("href=\"/help\""), "{html}");

        let api = bare()
            .get(app.url("/api/v1/no-such-thing"))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 404);
        let body: Value = api.json().await.unwrap();
        assert_eq!(body["error"], "not_found", "the API answers JSON");
    }
}

#[tokio::test]
async fn the_error_page_links_to_the_configured_help_url() {
    let help = "https://help.example.org/now";
    for app in apps_with(|c| c.help_url = help.into()).await {
        on(&app);
        let home = bare().get(app.url("/")).send().await.unwrap();
        assert!(home.text().await.unwrap().contains(help));
        let missing = bare().get(app.url("/no/such/page")).send().await.unwrap();
        assert_eq!(missing.status(), 404);
        assert!(missing.text().await.unwrap().contains(help));
    }
}

#[tokio::test]
async fn signing_up_and_logging_in_through_the_html_forms_redirects_with_a_session() {
    for app in apps().await {
        on(&app);
        let browser = common::client();
        let page = browser.get(app.url("/signup")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            set_cookie(&page, "rapport_csrf").is_some(),
            "a visitor gets a form token cookie"
        );
        let csrf = csrf_field(&page.text().await.unwrap());
        let email = new_email("form");

        let refused = browser
            .post(app.url("/signup"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "nope"),
                ("password", "short"),
                ("display_name", ""),
                ("role", "client"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        for field in [
            "href=\"#email\"",
            "href=\"#password\"",
            "href=\"#display_name\"",
        ] {
            assert!(html.contains(field), "the form names {field}");
        }

        let resp = browser
            .post(app.url("/signup"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email.as_str()),
                ("password", PASSWORD),
                ("display_name", "Form User"),
                ("role", "client"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        assert_eq!(resp.headers()["location"], "/");
        let line = set_cookie(&resp, "rapport_session").expect("a session cookie");
        assert!(line.contains("HttpOnly") && line.contains("SameSite=Lax"));
        let me: Value = browser
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"], email.as_str());

        let home = browser.get(app.url("/")).send().await.unwrap();
        let logout_csrf = csrf_field(&home.text().await.unwrap());
        let out = browser
            .post(app.url("/logout"))
            .form(&[("csrf", logout_csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 303);
        assert_eq!(
            browser
                .get(app.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );

        let other = common::client();
        let page = other.get(app.url("/login")).send().await.unwrap();
        let csrf = csrf_field(&page.text().await.unwrap());
        let wrong = other
            .post(app.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email.as_str()),
                ("password", "not the password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        assert!(set_cookie(&wrong, "rapport_session").is_none());
        let resp = other
            .post(app.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email.as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        assert_eq!(resp.headers()["location"], "/");
        assert!(set_cookie(&resp, "rapport_session").is_some());
        let me = other.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(me.status(), 200);
    }
}
