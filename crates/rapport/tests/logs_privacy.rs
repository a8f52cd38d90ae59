//! Privacy of the logs: a whole client session with debug logging on, then the log is searched
//! for everything the client typed, a calendar feed token and forged request ids. None of it
//! may appear.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_a_client_types_reaches_the_logs() {
    let dir = std::env::temp_dir().join(format!("rapport-logs-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = dir.join("server.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.join("data"))
        .env("RAPPORT_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    for _ in 0..100 {
        if http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .map(|r| r.status() == 200)
            .unwrap_or(false)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let secret = uuid::Uuid::new_v4().simple().to_string();
    let email = format!("private-{secret}@example.org");
    let password = format!("pw-{secret}");
    let name = format!("Name{secret}");
    let therapist = format!("Therapist{secret}");
    let need = format!("I need {secret} to change");
    let r = http
        .post(format!("{base}/api/v1/accounts"))
        .json(&json!({"email": email, "password": password, "display_name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = reqwest::Client::new()
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"email": email, "password": "wrong password here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    let rel: Value = http
        .post(format!("{base}/api/v1/relationships"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"therapist_name": therapist}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rel = rel["id"].as_str().unwrap();
    let c = json!({"session": 1, "heard": 1, "open": 2, "attuned": 1, "trust": 1, "looking_forward": 0, "stirred": 4,
                   "left_feeling": "bad", "flags": ["judged"], "need": need});
    let r = http
        .post(format!("{base}/api/v1/relationships/{rel}/checkins"))
        .header("x-csrf-token", &csrf)
        .json(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let bad = json!({"session": 2, "heard": 9, "need": need});
    assert_eq!(
        http.post(format!("{base}/api/v1/relationships/{rel}/checkins"))
            .header("x-csrf-token", &csrf)
            .json(&bad)
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    let page = http
        .get(format!("{base}/relationships/{rel}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&secret), "the client sees their own words");

    let feed = http
        .get(format!("{base}/calendar/{secret}.ics"))
        .send()
        .await
        .unwrap();
    assert!(feed.status().is_client_error(), "an unknown feed token");
    let bare = reqwest::Client::new();
    for forged in [
        format!("forged {secret}"),
        format!("{secret}{}", "x".repeat(60)),
    ] {
        let r = bare
            .get(format!("{base}/healthz"))
            .header("x-request-id", &forged)
            .send()
            .await
            .unwrap();
        let echoed = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(echoed, forged, "a forged request id is replaced");
    }
    let plain = bare
        .get(format!("{base}/healthz"))
        .header("x-request-id", "proxy-id-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        plain.headers()["x-request-id"],
        "proxy-id-42",
        "a plain one is kept"
    );

    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("request"),
        "debug logging was on and wrote request lines"
    );
    assert!(
        log.contains("/calendar/{file}"),
        "the route is logged, not the path"
    );
    assert!(
        !log.contains(&secret),
        "the log contains something the client typed:\n{}",
        log.lines()
            .filter(|l| l.contains(&secret))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
