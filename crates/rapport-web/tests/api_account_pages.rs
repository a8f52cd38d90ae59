//! What every visitor meets, on each backend: health checks, the OpenAPI document, the 404 and
//! error pages with the get-help link, and signing up and logging in through the HTML forms.

mod account_support;
mod common;

use account_support::*;
use serde_json::Value;

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
