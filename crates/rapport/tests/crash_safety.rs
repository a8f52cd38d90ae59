//! Crash safety: concurrent check-ins against a real `rapport serve`, SIGKILL in the middle,
//! restart, and every check-in that was acknowledged with a 2xx must be there, intact; the
//! database must pass its integrity check. Several rounds, on SQLite and on PostgreSQL.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROUNDS: usize = 3;
const WRITERS: usize = 8;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

fn start(data_dir: &std::path::Path, database_url: Option<&str>) -> Server {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rapport"));
    cmd.arg("serve")
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"));
    cmd.arg("--auth-attempts-per-minute").arg("10000");
    if let Some(url) = database_url {
        cmd.arg("--database-url").arg(url);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("Rapport is running"), "{line}");
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server at {base} never became ready");
}

fn checkin(session: u32, writer: usize) -> Value {
    let s = (session % 5) as u8;
    json!({"session": session, "heard": s, "open": 4 - s, "attuned": (writer % 5), "trust": 3, "looking_forward": 2,
           "stirred": 1, "left_feeling": "stirred_ok", "need": format!("writer {writer} session {session}")})
}

async fn login(base: &str, email: &str) -> (reqwest::Client, String) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"email": email, "password": "crash test password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    (http, csrf)
}

async fn round(data_dir: &std::path::Path, url: Option<&str>, round: usize) {
    let server = start(data_dir, url);
    let probe = reqwest::Client::new();
    wait_ready(&probe, &server.base).await;
    let email = format!(
        "crash-{round}-{}@example.org",
        uuid::Uuid::new_v4().simple()
    );
    let signup = probe
        .post(format!("{}/api/v1/accounts", server.base))
        .json(&json!({"email": email, "password": "crash test password", "display_name": "Crash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 201);
    let (http, csrf) = login(&server.base, &email).await;
    let mut rels = Vec::new();
    for w in 0..WRITERS {
        let r = http
            .post(format!("{}/api/v1/relationships", server.base))
            .header("x-csrf-token", &csrf)
            .json(&json!({"therapist_name": format!("Writer {w}")}))
            .send()
            .await
            .unwrap();
        rels.push(
            r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let acked: Arc<Mutex<Vec<(usize, u32)>>> = Arc::default();
    let mut tasks = Vec::new();
    for (w, rel) in rels.iter().enumerate() {
        let (http, csrf, base, rel, acked) = (
            http.clone(),
            csrf.clone(),
            server.base.clone(),
            rel.clone(),
            acked.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for session in 1.. {
                let sent = http
                    .post(format!("{base}/api/v1/relationships/{rel}/checkins"))
                    .header("x-csrf-token", &csrf)
                    .json(&checkin(session, w))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => acked.lock().unwrap().push((w, session)),
                    _ => return,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700 + 150 * round as u64)).await;
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > WRITERS,
        "the load was too light to mean anything: {} acknowledged",
        acked.len()
    );

    let again = start(data_dir, url);
    wait_ready(&probe, &again.base).await;
    let (http, _) = login(&again.base, &email).await;
    for (w, rel) in rels.iter().enumerate() {
        let body: Value = http
            .get(format!("{}/api/v1/relationships/{rel}", again.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let stored: Vec<&Value> = body["checkins"].as_array().unwrap().iter().collect();
        for (_, session) in acked.iter().filter(|(aw, _)| *aw == w) {
            let found = stored
                .iter()
                .find(|c| c["session"] == *session)
                .unwrap_or_else(|| {
                    panic!("round {round}: acknowledged check-in {w}/{session} is missing")
                });
            let expected = checkin(*session, w);
            for key in [
                "heard",
                "open",
                "attuned",
                "trust",
                "looking_forward",
                "stirred",
                "left_feeling",
                "need",
            ] {
                assert_eq!(
                    found[key], expected[key],
                    "round {round}: check-in {w}/{session} field {key} changed"
                );
            }
        }
    }
    let mut again = again;
    again.child.kill().unwrap();
    again.child.wait().unwrap();
    println!(
        "round {round}: {} check-ins acknowledged before SIGKILL, all present after restart",
        acked.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_checkins_survive_sigkill_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("rapport-crash-{}", uuid::Uuid::new_v4().simple()));
    for r in 0..ROUNDS {
        round(&dir, None, r).await;
    }
    let url = format!("sqlite:{}", dir.join("rapport.db").display());
    let db = rapport_store::Db::connect(&url).await.unwrap();
    rapport_store::backup::integrity_check(&db).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_checkins_survive_sigkill_on_postgres() {
    let Ok(base_url) = std::env::var("RAPPORT_TEST_POSTGRES_URL") else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but RAPPORT_TEST_POSTGRES_URL is not set"
        );
        return;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let schema = format!("crash_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&base_url).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
        .execute(&admin)
        .await
        .unwrap();
    let sep = if base_url.contains('?') { '&' } else { '?' };
    let url = format!("{base_url}{sep}options=-c%20search_path%3D{schema}");
    let dir = std::env::temp_dir().join(format!(
        "rapport-crash-pg-{}",
        uuid::Uuid::new_v4().simple()
    ));
    for r in 0..ROUNDS {
        round(&dir, Some(&url), r).await;
    }
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&admin)
        .await
        .unwrap();
}
