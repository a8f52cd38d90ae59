//! An expired session loses nothing (issue 19, item 3), on SQLite and PostgreSQL: a check-in
//! posted just after the session ended is kept sealed for its owner, the login page says so,
//! logging in offers to send it, sending it stores it once; a forged form is not kept and a
//! browser never sees raw JSON; a page asked for while logged out is where login returns.

mod common;

use common::{TestApp, User, backends, spawn_app_with};
use serde_json::{Value, json};

const PRIVATE: &str = "I would like more structure in sessions";

async fn expire_sessions(app: &TestApp, user: &User) {
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query("UPDATE sessions SET expires_at = 1 WHERE user_id = $1").bind(&user.id).execute(pool).await.map(|r| r.rows_affected())).unwrap();
}

async fn kept_rows(app: &TestApp) -> Vec<Vec<u8>> {
    rapport_store::with_pool!(&app.state.db, pool => sqlx::query_scalar("SELECT body FROM kept_forms").fetch_all(pool).await).unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Every `name="…" value="…"` pair of the page's hidden inputs, unescaped.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    page.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|rest| {
            let name = rest.split("name=\"").nth(1)?.split('"').next()?;
            let value = rest.split("value=\"").nth(1)?.split('"').next()?;
            Some((
                name.to_owned(),
                value.replace("&#39;", "'").replace("&amp;", "&"),
            ))
        })
        .collect()
}

fn checkin_form(csrf: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf", csrf),
        ("heard", "4"),
        ("open", "4"),
        ("attuned", "3"),
        ("trust", "4"),
        ("looking_forward", "4"),
        ("stirred", "1"),
        ("left_feeling", "better"),
        ("need", PRIVATE),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkin_sent_after_the_session_ended_is_kept_and_sent_once_after_logging_in() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let c = app.signup("client").await;
        let rel: Value = c
            .post(
                &app,
                "/api/v1/relationships",
                json!({"therapist_name": "Dr Kept"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let rel = rel["id"].as_str().expect("a relationship id").to_owned();
        let action = format!("/relationships/{rel}/checkin");
        expire_sessions(&app, &c).await;

        let r = c
            .client
            .post(app.url(&action))
            .header("origin", app.url("").trim_end_matches('/'))
            .form(&checkin_form(&c.csrf))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let to_login = location(&r);
        assert!(to_login.starts_with("/login?kept="), "{b:?}: {to_login}");
        let rows = kept_rows(&app).await;
        assert_eq!(rows.len(), 1, "{b:?}");
        assert!(
            !String::from_utf8_lossy(&rows[0]).contains("more structure"),
            "{b:?}: the kept form is sealed"
        );

        let login = c.get(&app, &to_login).await.text().await.unwrap();
        assert!(login.contains("id=\"kept-notice\""), "{b:?}");
        let mut form: Vec<(String, String)> = hidden_fields(&login);
        form.push(("email".into(), c.email.clone()));
        form.push(("password".into(), c.password.clone()));
        let r = c
            .client
            .post(app.url("/login"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let kept_page = location(&r);
        assert!(kept_page.starts_with("/kept/"), "{b:?}: {kept_page}");

        let stranger = app.signup("client").await;
        assert_eq!(
            stranger.get(&app, &kept_page).await.status(),
            404,
            "{b:?}: nobody else can open a kept form"
        );

        let page = c.get(&app, &kept_page).await.text().await.unwrap();
        assert!(page.contains("your check-in"), "{b:?}");
        let send_form = page
            .split("<form method=\"post\" action=\"")
            .find(|f| f.starts_with(&action))
            .and_then(|f| f.split("</form>").next())
            .expect("the form that sends it again")
            .to_owned();
        let send_to = send_form.split('"').next().unwrap().replace("&amp;", "&");
        assert!(send_to.starts_with(&format!("{action}?kept=")), "{send_to}");
        let fields = hidden_fields(&send_form);
        assert!(
            fields.iter().any(|(k, v)| k == "need" && v == PRIVATE),
            "{b:?}: what was typed is all there"
        );
        let r = c
            .client
            .post(app.url(&send_to))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}: {}", r.text().await.unwrap());

        let list: Value = c
            .get(&app, &format!("/api/v1/relationships/{rel}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            list["checkins"].as_array().map(Vec::len),
            Some(1),
            "{b:?}: {list}"
        );
        assert!(
            kept_rows(&app).await.is_empty(),
            "{b:?}: the kept copy is gone once sent"
        );
        assert_eq!(c.get(&app, &kept_page).await.status(), 404);
    }
}

#[tokio::test]
async fn a_forged_form_after_the_session_ended_is_not_kept_and_the_browser_sees_a_page_not_json() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let c = app.signup("client").await;
        expire_sessions(&app, &c).await;
        let forged = "0".repeat(64);
        let r = c
            .client
            .post(app.url("/relationships"))
            .form(&[("csrf", forged.as_str()), ("therapist_name", "Dr Forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b:?}");
        let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("text/html"), "{b:?}: {kind}");
        let body = r.text().await.unwrap();
        assert!(body.contains("reload the page"), "{b:?}");
        assert!(kept_rows(&app).await.is_empty(), "{b:?}: nothing kept");
    }
}

#[tokio::test]
async fn a_page_asked_for_while_logged_out_is_where_login_returns() {
    let app = spawn_app_with(common::Backend::Sqlite, |_| {}).await;
    let c = app.signup("client").await;
    let anon = common::client();
    let r = anon
        .get(app.url("/relationships?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert_eq!(to, "/login?next=%2Frelationships%3Fx%3D1");
    let page = anon
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form = hidden_fields(&page);
    assert!(
        form.iter()
            .any(|(k, v)| k == "next" && v == "/relationships?x=1")
    );
    form.push(("email".into(), c.email.clone()));
    form.push(("password".into(), c.password.clone()));
    let r = anon
        .post(app.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/relationships?x=1");

    let fresh = common::client();
    let page = fresh
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_fields(&page)
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .unwrap()
        .1;
    let evil = fresh
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("next", "//evil.example/"),
            ("email", c.email.as_str()),
            ("password", c.password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 303);
    assert_eq!(location(&evil), "/", "never to another site");
}
