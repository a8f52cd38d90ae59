//! Therapists and administrators take their own data away and delete their own account, like
//! clients: the export holds their account and listing (never a client's data); deletion takes
//! their listing with it, leaves their clients' data with the clients, and waits until no session
//! with a client is still booked.

mod account_support;
mod common;

use account_support::{PASSWORD, bare};
use common::{TestApp, User, backends, spawn_app_with};
use serde_json::{Value, json};

async fn delete(app: &TestApp, user: &User, password: &str) -> reqwest::Response {
    user.client
        .delete(app.url("/api/v1/me/account"))
        .header("x-csrf-token", &user.csrf)
        .json(&json!({"password": password, "confirm": true}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_therapist_exports_and_deletes_their_account_and_their_listing_goes_with_it() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let t = app.signup("therapist").await;
        let listing = json!({"name": "Dr Leaving", "credentials": ["BACP"], "accepting": true, "formats": ["video"],
            "jurisdictions": ["GB"], "languages": ["en"], "populations": ["adults"], "concerns": ["anxiety"],
            "modalities": ["cbt"], "identity": {}, "fee": {"amount": 8000, "currency": "GBP"}, "insurance": [],
            "slots": [{"day": "tue", "hour": 18}], "style": {"directiveness": 0.0, "intensity": 0.0, "past": 0.0, "challenge": 0.0}});
        let r = t.put(&app, "/api/v1/me/listing", listing).await;
        assert_eq!(r.status(), 200, "{b:?}: {}", r.text().await.unwrap());
        let c = app.signup("client").await;
        let rel: Value = c
            .post(
                &app,
                "/api/v1/relationships",
                json!({"therapist_name": "Dr Leaving"}),
            )
            .await
            .json()
            .await
            .unwrap();

        let listed = |app: &TestApp| {
            let db = app.state.db.clone();
            let directory = app.state.directory.clone();
            let id = t.id.clone();
            async move {
                let own = rapport_store::listings::by_user(&db, &id).await.unwrap();
                match own {
                    Some(l) => directory
                        .contains(&db, &l.id)
                        .await
                        .unwrap()
                        .then_some(l.id),
                    None => None,
                }
            }
        };
        let listing_id = listed(&app).await.expect("the listing is matched");

        let export = t.get(&app, "/api/v1/me/export").await;
        assert_eq!(export.status(), 200, "{b:?}");
        let export: Value = export.json().await.unwrap();
        assert_eq!(export["account"]["email"], t.email.as_str());
        assert_eq!(export["listing"]["name"], "Dr Leaving");
        assert!(
            export.get("relationships").is_none(),
            "no client data in a therapist's export"
        );

        assert_eq!(delete(&app, &t, "not my password").await.status(), 422);
        let gone = delete(&app, &t, PASSWORD).await;
        assert_eq!(gone.status(), 200, "{b:?}: {}", gone.text().await.unwrap());
        assert!(
            rapport_store::listings::by_user(&app.state.db, &t.id)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            !app.state
                .directory
                .contains(&app.state.db, &listing_id)
                .await
                .unwrap(),
            "{b:?}: a deleted therapist is no longer matched"
        );
        let login = bare()
            .post(app.url("/api/v1/session"))
            .json(&json!({"email": t.email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 422, "{b:?}: the account is gone");
        let own = c
            .get(
                &app,
                &format!("/api/v1/relationships/{}", rel["id"].as_str().unwrap()),
            )
            .await;
        assert_eq!(
            own.status(),
            200,
            "{b:?}: the client's own record stays theirs"
        );
    }
}

#[tokio::test]
async fn a_therapist_with_sessions_still_booked_is_asked_to_cancel_them_first() {
    for b in backends() {
        let app = spawn_app_with(b, |_| {}).await;
        let t = app.signup("therapist").await;
        let c = app.signup("client").await;
        let soon = rapport_store::now_ms() + 7 * 86_400_000;
        rapport_store::with_pool!(&app.state.db, pool => sqlx::query("INSERT INTO appointments (id, therapist_id, client_id, kind, starts_at, ends_at, status, created_at) VALUES ($1, $2, $3, 'session', $4, $5, 'booked', $6)")
            .bind(uuid::Uuid::new_v4().to_string()).bind(&t.id).bind(&c.id).bind(soon).bind(soon + 3_000_000).bind(rapport_store::now_ms())
            .execute(pool).await.map(|r| r.rows_affected())).unwrap();
        let r = delete(&app, &t, PASSWORD).await;
        assert_eq!(r.status(), 403, "{b:?}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("1 upcoming session"),
            "{body}"
        );
        assert_eq!(
            t.get(&app, "/api/v1/me").await.status(),
            200,
            "nothing was deleted"
        );
    }
}

#[tokio::test]
async fn an_administrator_deletes_their_own_account_from_the_page() {
    let app = spawn_app_with(common::Backend::Sqlite, |_| {}).await;
    let admin = app.admin().await;
    let page = admin.get(&app, "/account/data").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Your account's data as JSON")
    );
    let r = admin
        .client
        .post(app.url("/account/delete"))
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("password", PASSWORD),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(admin.get(&app, "/api/v1/me").await.status(), 401);
}
