//! The matching commands through the real binary: `directory generate` piped into `match` (the
//! engine's JSON), `directory import` with bad rows (on SQLite, and on PostgreSQL when
//! RAPPORT_TEST_POSTGRES_URL is set), and the benchmark's agreement check at a small size.

use rapport_core::matching::{Index, parse_jsonl, parse_request, to_csv};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rapport(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .current_dir(dir)
        .env_remove("RAPPORT_DATABASE_URL")
        .output()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rapport-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn generated(dir: &Path, count: &str, seed: &str) -> String {
    let out = rapport(
        &["directory", "generate", "--count", count, "--seed", seed],
        dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn generate_is_deterministic_and_match_prints_what_the_engine_answers() {
    let dir = scratch("match");
    let directory = generated(&dir, "300", "5");
    assert_eq!(
        directory,
        generated(&dir, "300", "5"),
        "the same seed gives the same directory"
    );
    assert_ne!(directory, generated(&dir, "300", "6"));
    let (listings, errors) = parse_jsonl(&directory);
    assert_eq!((listings.len(), errors.len()), (300, 0));
    std::fs::write(dir.join("directory.jsonl"), &directory).unwrap();
    std::fs::write(dir.join("directory.csv"), to_csv(&listings)).unwrap();

    let request = json!({"location": {"lat": 51.52, "lon": -0.10}, "max_distance_km": 25, "jurisdiction": "GB",
        "formats": ["in_person", "video"], "languages": ["en"], "population": "adults",
        "concerns": ["anxiety", "depression"], "style": {"directiveness": 1.5}, "top": 10});
    std::fs::write(dir.join("request.json"), request.to_string()).unwrap();
    let engine = Index::build(listings).search(&parse_request(&request).unwrap());
    let expected: Value = serde_json::from_str(&serde_json::to_string(&engine).unwrap()).unwrap();
    assert!(engine.total_eligible > 0, "the request finds someone");
    for file in ["directory.jsonl", "directory.csv"] {
        let out = rapport(
            &["match", "--directory", file, "--request", "request.json"],
            &dir,
        );
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            printed, expected,
            "{file}: the command prints the engine's answer"
        );
    }

    let weights = "concerns=0,style=1";
    let weighted = Index::build(parse_jsonl(&directory).0)
        .search_with(&parse_request(&request).unwrap(), &weights.parse().unwrap());
    let weighted_run = |w: &str| {
        rapport(
            &[
                "match",
                "--directory",
                "directory.jsonl",
                "--request",
                "request.json",
                "--weights",
                w,
            ],
            &dir,
        )
    };
    let out = weighted_run(weights);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed,
        serde_json::to_value(&weighted).unwrap(),
        "--weights changes the ranking exactly as the engine does"
    );
    let out = weighted_run("stlye=1");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("match_weights.stlye: is not a score component"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(dir.join("bad.json"), json!({"formats": ["video"], "jurisdiction": "GB", "languages": ["en"], "population": "adults", "top": 0, "concerns": ["sadness"]}).to_string()).unwrap();
    let out = rapport(
        &[
            "match",
            "--directory",
            "directory.jsonl",
            "--request",
            "bad.json",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.json: top: must be a whole number from 1 to 100")
            && err.contains("concerns[0]"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Three good listings, then a row with an unknown concern and a row that is not JSON.
fn file_with_bad_rows(dir: &Path) -> String {
    let good = generated(dir, "3", "9");
    let mut bad: Value = serde_json::from_str(good.lines().next().unwrap()).unwrap();
    bad["id"] = json!("t-bad");
    bad["concerns"] = json!(["sadness"]);
    format!("{good}{bad}\n{{not json\n")
}

fn check_import(dir: &Path, storage: &[&str]) {
    std::fs::write(dir.join("import.jsonl"), file_with_bad_rows(dir)).unwrap();
    let mut args = vec!["directory", "import", "import.jsonl"];
    args.extend_from_slice(storage);
    let out = rapport(&args, dir);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused row makes the exit status non-zero: {stderr}"
    );
    assert!(
        stderr.contains(
            "import.jsonl: row 4 (line 4): concerns[0]: `sadness` is not a known concern"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("import.jsonl: row 5 (line 5): json: is not valid JSON"),
        "{stderr}"
    );
    assert!(
        stdout.contains("Imported 3 listings (3 new, 0 updated); 2 rows refused"),
        "{stdout}"
    );

    let renamed = generated(dir, "3", "9").replace("\"name\":\"", "\"name\":\"Renamed ");
    std::fs::write(dir.join("again.jsonl"), renamed).unwrap();
    let mut args = vec!["directory", "import", "again.jsonl"];
    args.extend_from_slice(storage);
    let out = rapport(&args, dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Imported 3 listings (0 new, 3 updated); 0 rows refused"));
}

async fn stored_names(db: &rapport_store::Db) -> Vec<String> {
    rapport_store::listings::all(db)
        .await
        .unwrap()
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(&l.data).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn import_reports_each_bad_row_keeps_the_good_ones_and_updates_by_id_on_sqlite() {
    let dir = scratch("import");
    check_import(&dir, &["--data-dir", "data"]);
    let db = rapport_store::Db::open_sqlite_file(&dir.join("data/rapport.db"))
        .await
        .unwrap();
    let names = stored_names(&db).await;
    assert_eq!(names.len(), 3);
    assert!(names.iter().all(|n| n.starts_with("Renamed ")), "{names:?}");
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn import_reports_each_bad_row_keeps_the_good_ones_and_updates_by_id_on_postgres() {
    let Ok(url) = std::env::var("RAPPORT_TEST_POSTGRES_URL") else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI must set RAPPORT_TEST_POSTGRES_URL"
        );
        eprintln!("skipped: RAPPORT_TEST_POSTGRES_URL is not set");
        return;
    };
    let schema = format!("cli_import_{}", std::process::id());
    let db = rapport_store::Db::connect_postgres_schema(&url, &schema)
        .await
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    let dir = scratch("import-pg");
    check_import(&dir, &["--database-url", &scoped, "--data-dir", "data"]);
    let names = stored_names(&db).await;
    assert_eq!(names.len(), 3);
    assert!(names.iter().all(|n| n.starts_with("Renamed ")), "{names:?}");
    if let rapport_store::Db::Postgres(pool) = &db {
        sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .execute(pool)
            .await
            .unwrap();
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_benchmark_checks_that_engine_and_sql_agree() {
    let dir = scratch("bench");
    let mut args = vec![
        "bench",
        "match",
        "--therapists",
        "2000",
        "--queries",
        "50",
        "--seed",
        "3",
    ];
    let url = std::env::var("RAPPORT_TEST_POSTGRES_URL").ok();
    if let Some(url) = &url {
        args.extend(["--postgres", url.as_str()]);
    }
    let out = rapport(&args, &dir);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains("sqlite     agreement: 50/50 queries"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bytes per listing") && stdout.contains("engine     p50"),
        "{stdout}"
    );
    if url.is_some() {
        assert!(
            stdout.contains("postgres   agreement: 50/50 queries"),
            "{stdout}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn total_eligible(http: &reqwest::Client, port: u16, request: &Value) -> Option<u64> {
    let r = http
        .post(format!("http://127.0.0.1:{port}/api/v1/match"))
        .json(request)
        .send()
        .await
        .ok()?;
    r.json::<Value>().await.ok()?["total_eligible"].as_u64()
}

#[tokio::test]
async fn a_running_server_matches_listings_imported_from_the_command_line_without_a_restart() {
    let dir = scratch("serve-import");
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args([
            "serve",
            "--data-dir",
            "data",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .current_dir(&dir)
        .env_remove("RAPPORT_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let request = json!({"formats": ["video"], "jurisdiction": "GB", "languages": ["en"], "population": "adults"});
    let started = std::time::Instant::now();
    let before = loop {
        if let Some(n) = total_eligible(&http, port, &request).await {
            break n;
        }
        assert!(
            started.elapsed().as_secs() < 20,
            "the server never answered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(before, 0, "an empty directory");

    std::fs::write(dir.join("gb.jsonl"), generated(&dir, "400", "11")).unwrap();
    let out = rapport(
        &["directory", "import", "gb.jsonl", "--data-dir", "data"],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let imported = std::time::Instant::now();
    loop {
        if total_eligible(&http, port, &request).await.unwrap_or(0) > 0 {
            break;
        }
        assert!(
            imported.elapsed().as_secs() < 20,
            "the running server never picked up the import"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let stopped = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert!(server.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&dir);
}
