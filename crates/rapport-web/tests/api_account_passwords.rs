//! Password checks after login and API tokens, on each backend: re-checks are rate-limited per
//! account, argon2 work is bounded (503 beyond it, never a pile-up), a password change ends every
//! token, tokens expire, and a token cannot mint tokens.

mod account_support;
mod common;

use account_support::*;
use serde_json::{Value, json};

async fn token(app: &common::TestApp, user: &common::User, body: Value) -> Value {
    let r = user.post(app, "/api/v1/tokens", body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

#[tokio::test]
async fn password_checks_after_login_are_rate_limited_per_account() {
    for app in apps_with(|c| c.auth_attempts_per_minute = 3).await {
        on(&app);
        let user = app.signup("client").await;
        for _ in 0..3 {
            let r = user
                .post(
                    &app,
                    "/api/v1/me/password",
                    json!({"current_password": "a wrong guess!", "new_password": "something else 1"}),
                )
                .await;
            assert_eq!(r.status(), 422);
        }
        let r = user
            .post(
                &app,
                "/api/v1/me/password",
                json!({"current_password": PASSWORD, "new_password": "something else 1"}),
            )
            .await;
        assert_eq!(r.status(), 429, "the 4th check is refused, even when right");
        assert!(retry_after(&r) >= 1);
        let r = user
            .client
            .delete(app.url("/api/v1/me/account"))
            .header("x-csrf-token", &user.csrf)
            .json(&json!({"password": PASSWORD, "confirm": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            429,
            "deleting the account counts as a check too"
        );
        assert_eq!(
            user.get(&app, "/api/v1/me").await.status(),
            200,
            "nothing changed"
        );
    }
}

#[tokio::test]
async fn concurrent_password_work_is_bounded_and_answers_503_beyond_it() {
    let app = common::spawn_app_with(common::Backend::Sqlite, |c| {
        c.password_concurrency = 1;
        c.password_wait_ms = 0;
        c.auth_attempts_per_minute = 1000;
    })
    .await;
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..12 {
        let url = app.url("/api/v1/session");
        attempts.spawn(async move {
            let r = bare()
                .post(url)
                .json(
                    &json!({"email": new_email(&format!("p{i}")), "password": "not the password"}),
                )
                .send()
                .await
                .unwrap();
            let wait = if r.status() == 503 {
                retry_after(&r)
            } else {
                0
            };
            (r.status().as_u16(), wait)
        });
    }
    let answers = attempts.join_all().await;
    let codes: Vec<u16> = answers.iter().map(|(c, _)| *c).collect();
    assert!(codes.iter().all(|c| *c == 422 || *c == 503), "{codes:?}");
    assert!(
        codes.contains(&503),
        "no attempt waited beyond the bound: {codes:?}"
    );
    assert!(answers.iter().all(|(c, wait)| *c != 503 || *wait >= 1));
}

#[tokio::test]
async fn a_password_change_ends_every_api_token() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        let t = token(&app, &user, json!({"name": "script"})).await;
        let secret = t["token"].as_str().unwrap();
        assert_eq!(me_with_token(&app, secret).await.status(), 200);
        let r = user
            .post(
                &app,
                "/api/v1/me/password",
                json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        assert_eq!(me_with_token(&app, secret).await.status(), 401);
        assert_eq!(
            user.get(&app, "/api/v1/me").await.status(),
            200,
            "this session stays"
        );
    }
}

#[tokio::test]
async fn an_api_token_cannot_create_tokens() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        let t = token(&app, &user, json!({"name": "script"})).await;
        let secret = t["token"].as_str().unwrap();
        for path in ["/api/v1/tokens", "/account/tokens"] {
            let r = bare()
                .post(app.url(path))
                .bearer_auth(secret)
                .json(&json!({"name": "another"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{path}");
        }
        let listed: Value = user.get(&app, "/api/v1/tokens").await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn tokens_expire_and_their_lifetime_is_bounded() {
    for app in apps().await {
        on(&app);
        let user = app.signup("client").await;
        let r = user
            .post(&app, "/api/v1/tokens", json!({"name": "long", "days": 400}))
            .await;
        assert_eq!(r.status(), 422);
        assert!(error_fields(r).await.contains("days"));
        let t = token(&app, &user, json!({"name": "short", "days": 1})).await;
        let day = 86_400_000i64;
        let left = t["expires_at"].as_i64().unwrap() - rapport_store::now_ms();
        assert!(left > day - 60_000 && left <= day, "{left}");
        let default = token(&app, &user, json!({"name": "default"})).await;
        let left = default["expires_at"].as_i64().unwrap() - rapport_store::now_ms();
        assert!(left > 89 * day && left <= 90 * day, "{left}");

        let secret = t["token"].as_str().unwrap();
        assert_eq!(me_with_token(&app, secret).await.status(), 200);
        let id = t["id"].as_str().unwrap().to_owned();
        rapport_store::with_pool!(&app.state.db, pool => sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2").bind(rapport_store::now_ms() - 1).bind(&id).execute(pool).await.map(|r| r.rows_affected())).unwrap();
        assert_eq!(me_with_token(&app, secret).await.status(), 401);
    }
}

#[tokio::test]
async fn sign_up_refuses_passwords_guessers_try_first_and_addresses_mail_cannot_reach() {
    for app in apps().await {
        on(&app);
        for weak in [
            "aaaaaaaaaa",
            "1234567890",
            "Password123",
            "qwertyuiop",
            "abababababab",
        ] {
            let r = post_signup(
                &app,
                &bare(),
                json!({"email": new_email("w"), "password": weak, "display_name": "W"}),
            )
            .await;
            assert_eq!(r.status(), 422, "{weak}");
            assert!(error_fields(r).await.contains("password"), "{weak}");
        }
        for bad in [
            "nul\u{0}@example.org",
            "a@b@example.org",
            "tab\t@example.org",
        ] {
            let r = post_signup(
                &app,
                &bare(),
                json!({"email": bad, "password": PASSWORD, "display_name": "E"}),
            )
            .await;
            assert_eq!(r.status(), 422, "{bad:?}");
            assert!(error_fields(r).await.contains("email"), "{bad:?}");
        }
        let r = post_signup(
            &app,
            &bare(),
            json!({"email": new_email("ok"), "password": "four unrelated words here", "display_name": "Ok"}),
        )
        .await;
        assert_eq!(r.status(), 201);
    }
}
