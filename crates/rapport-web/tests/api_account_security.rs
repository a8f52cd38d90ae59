//! The defences around accounts, on each backend: rate limits (per address, per account, a forged
//! forwarding header), CSRF on API calls and forms, requests from other sites, personal access
//! tokens (hashed, revocable), role checks and the security headers.

mod account_support;
mod common;

use account_support::*;
use rapport_web::Config;
use serde_json::{Value, json};

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
async fn failing_from_elsewhere_slows_an_account_down_but_never_locks_its_owner_out() {
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
        for i in 0..5 {
            let resp = attempt(
                target.email.clone(),
                "wrong password!",
                format!("192.0.2.{i}"),
            )
            .await;
            assert_eq!(
                resp.status(),
                422,
                "attempt {i} from its own address is checked"
            );
        }
        let started = std::time::Instant::now();
        let owner = attempt(target.email.to_uppercase(), PASSWORD, "192.0.2.200".into()).await;
        assert_eq!(
            owner.status(),
            200,
            "the owner still gets in, from their own address"
        );
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(900),
            "after 5 failures (3 free) the attempt waits about a second: {:?}",
            started.elapsed()
        );
        for _ in 0..3 {
            attempt(target.email.clone(), "wrong password!", "192.0.2.77".into()).await;
        }
        let pair = attempt(target.email.clone(), PASSWORD, "192.0.2.77".into()).await;
        assert_eq!(pair.status(), 429, "one address is limited on one account");
        assert!((1..=60).contains(&retry_after(&pair)));
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
            403,
            "a token cannot mint tokens (it needs no CSRF token, so the refusal is the rule's)"
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
        assert_eq!(listed.as_array().unwrap().len(), 1);
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
