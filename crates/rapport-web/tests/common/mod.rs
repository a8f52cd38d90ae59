//! The test harness: a real Rapport server on port 0, on SQLite and (when
//! `RAPPORT_TEST_POSTGRES_URL` is set) on PostgreSQL, with helpers per role.
#![allow(dead_code)]

use rapport_store::{Db, Vault};
use rapport_web::{AppState, Config};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Which database a test app runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends every store-touching test must pass on: SQLite always; PostgreSQL when
/// `RAPPORT_TEST_POSTGRES_URL` is set (an empty value counts as unset, so
/// `RAPPORT_TEST_POSTGRES_URL= cargo test` runs SQLite only). In CI (`CI=true`) a missing URL
/// fails loudly.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if std::env::var("RAPPORT_TEST_POSTGRES_URL").is_ok_and(|u| !u.trim().is_empty()) {
        out.push(Backend::Postgres);
    } else if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true but RAPPORT_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite would be skipped"
        );
    }
    out
}

/// A fresh, empty database on `backend` (its own SQLite file, or its own PostgreSQL schema).
pub async fn fresh_db(backend: Backend) -> (Db, PathBuf) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = std::env::temp_dir().join(format!("rapport-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = match backend {
        Backend::Sqlite => Db::open_sqlite_file(&dir.join("rapport.db")).await.unwrap(),
        Backend::Postgres => {
            let url = std::env::var("RAPPORT_TEST_POSTGRES_URL").unwrap();
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            Db::connect_postgres_schema(&url, &schema).await.unwrap()
        }
    };
    (db, dir)
}

/// A running server and a cookie-keeping HTTP client.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub backend: Backend,
    pub dir: PathBuf,
}

/// Starts a server on SQLite with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Backend::Sqlite, |_| {}).await
}

/// Starts a server on `backend`, letting the test adjust the configuration first.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let (db, dir) = fresh_db(backend).await;
    let mut config = Config {
        data_dir: dir.clone(),
        auth_attempts_per_minute: 1000,
        ..Config::default()
    };
    tweak(&mut config);
    let state = AppState::new(config, db, Vault::generate());
    state.set_ready();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let s = state.clone();
    tokio::spawn(async move {
        rapport_web::serve(listener, s, std::future::pending())
            .await
            .unwrap()
    });
    TestApp {
        base,
        state,
        backend,
        dir,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A logged-in API user: their client (with the session cookie), CSRF token and account.
pub struct User {
    pub client: reqwest::Client,
    pub csrf: String,
    pub id: String,
    pub email: String,
    pub password: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Signs up a new account with `role` through the API and returns it logged in.
    pub async fn signup(&self, role: &str) -> User {
        let client = client();
        let email = format!("{}-{}@example.org", role, uuid::Uuid::new_v4().simple());
        let password = "correct horse battery".to_owned();
        let resp = client
            .post(self.url("/api/v1/accounts"))
            .json(&json!({"email": email, "password": password, "display_name": format!("Test {role}"), "role": role}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            201,
            "signup failed: {}",
            resp.text().await.unwrap()
        );
        let body: Value = resp.json().await.unwrap();
        User {
            client,
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
            id: body["account"]["id"].as_str().unwrap().to_owned(),
            email,
            password,
        }
    }

    /// Creates an admin account directly in the store (admins cannot sign up) and logs in.
    pub async fn admin(&self) -> User {
        let email = format!("admin-{}@example.org", uuid::Uuid::new_v4().simple());
        let password = "correct horse battery".to_owned();
        let hash = rapport_web::security::password::hash(&password)
            .await
            .unwrap();
        rapport_store::users::create(
            &self.state.db,
            &email,
            "Test admin",
            rapport_store::users::Role::Admin,
            &hash,
        )
        .await
        .unwrap();
        self.login(&email, &password).await
    }

    /// Logs in through the API.
    pub async fn login(&self, email: &str, password: &str) -> User {
        let client = client();
        let resp = client
            .post(self.url("/api/v1/session"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            200,
            "login failed: {}",
            resp.text().await.unwrap()
        );
        let body: Value = resp.json().await.unwrap();
        User {
            client,
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
            id: body["account"]["id"].as_str().unwrap().to_owned(),
            email: email.to_owned(),
            password: password.to_owned(),
        }
    }
}

impl User {
    /// GET with the session cookie.
    pub async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        self.client.get(app.url(path)).send().await.unwrap()
    }

    /// POST JSON with the session cookie and CSRF header.
    pub async fn post(&self, app: &TestApp, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(app.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// PUT JSON with the session cookie and CSRF header.
    pub async fn put(&self, app: &TestApp, path: &str, body: Value) -> reqwest::Response {
        self.client
            .put(app.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// DELETE with the session cookie and CSRF header.
    pub async fn delete(&self, app: &TestApp, path: &str) -> reqwest::Response {
        self.client
            .delete(app.url(path))
            .header("x-csrf-token", &self.csrf)
            .send()
            .await
            .unwrap()
    }
}
