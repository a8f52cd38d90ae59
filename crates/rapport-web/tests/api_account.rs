//! Accounts against a real server: sign-up, login, logout, sessions and password changes. Every
//! test runs on each backend in `common::backends()` (SQLite always, PostgreSQL when configured).

mod account_support;
mod common;

use account_support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

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
async fn the_session_cookie_is_secure_and_host_prefixed_with_hsts_when_the_deployment_serves_tls() {
    for app in apps_with(|c| c.secure_cookies = true).await {
        on(&app);
        let resp = post_signup(
            &app,
            &bare(),
            json!({"email": new_email("c"), "password": PASSWORD, "display_name": "Ana"}),
        )
        .await;
        assert_eq!(resp.status(), 201);
        assert_eq!(
            resp.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains"
        );
        let line = set_cookie(&resp, "__Host-rapport_session").unwrap();
        assert!(
            line.contains("; Secure") && line.contains("Path=/"),
            "{line}"
        );
        assert!(!line.contains("Domain"), "{line}");
        let sid = cookie_value(&resp, "__Host-rapport_session").unwrap();
        let me = bare()
            .get(app.url("/api/v1/me"))
            .header("cookie", format!("__Host-rapport_session={sid}"))
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200, "the prefixed cookie logs in");
        let plain = bare()
            .get(app.url("/api/v1/me"))
            .header("cookie", format!("rapport_session={sid}"))
            .send()
            .await
            .unwrap();
        assert_eq!(plain.status(), 401, "an unprefixed cookie is not read");
    }
}

#[tokio::test]
async fn a_deployment_without_tls_sends_no_hsts() {
    let app = common::spawn_app().await;
    let resp = bare().get(app.url("/healthz")).send().await.unwrap();
    assert!(resp.headers().get("strict-transport-security").is_none());
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
