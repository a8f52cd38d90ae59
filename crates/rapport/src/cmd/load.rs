//! `rapport bench load`: a bounded load benchmark of the main read and write paths, next to a bare
//! axum "hello" endpoint measured in the same run as this machine's ceiling. Everything runs on
//! 127.0.0.1 inside this process (the server on its own runtime threads, the load generator on
//! others), for a fixed number of seconds per path. Run it by hand on a release build; it is never
//! a timed test.

use anyhow::{Context, bail};
use clap::Args;
use rapport_core::matching::{generate, generate_requests};
use rapport_store::relationships::Sharing;
use rapport_store::users::{self, Role};
use rapport_store::{Db, Vault, listings, relationships};
use rapport_web::features::matching::service::write_directory;
use rapport_web::{AppState, Config};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Flags of `bench load`.
#[derive(Args, Debug)]
pub struct LoadArgs {
    /// Seconds of load per path.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Run the app on this PostgreSQL server (a scratch schema, dropped afterwards) instead of a
    /// temporary SQLite file.
    #[arg(long)]
    postgres: Option<String>,
    /// Generated listings in the directory the match requests search.
    #[arg(long, default_value_t = 10_000)]
    listings: usize,
}

struct Phase {
    name: &'static str,
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i =
            ((p * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len()) - 1;
        self.latencies[i].as_secs_f64() * 1e3
    }
}

/// What one request of a phase is: method, path and body chosen per worker and per iteration.
type MakeRequest =
    Arc<dyn Fn(&reqwest::Client, usize, u32) -> reqwest::RequestBuilder + Send + Sync>;

async fn phase(
    name: &'static str,
    seconds: u64,
    concurrency: usize,
    clients: &[reqwest::Client],
    make: MakeRequest,
) -> Phase {
    prepared_phase(name, seconds, concurrency, clients, None, make).await
}

/// A phase in which each timed request follows its own untimed `prep` request on the same
/// connection (a check-in before a page view, so that every view reads a changed relationship).
/// The rate counts the timed requests over the whole phase, their preparation included.
async fn prepared_phase(
    name: &'static str,
    seconds: u64,
    concurrency: usize,
    clients: &[reqwest::Client],
    prep: Option<MakeRequest>,
    make: MakeRequest,
) -> Phase {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let client = clients[w % clients.len()].clone();
        let make = make.clone();
        let prep = prep.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut i = 0u32;
            while Instant::now() < deadline {
                i += 1;
                if let Some(prep) = &prep {
                    match prep(&client, w, i).send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                        }
                        _ => {
                            errors += 1;
                            continue;
                        }
                    }
                }
                let t = Instant::now();
                match make(&client, w, i).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap_or_default();
        latencies.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed();
    latencies.sort();
    Phase {
        name,
        requests: latencies.len(),
        errors,
        elapsed,
        latencies,
    }
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn open_db(
    args: &LoadArgs,
    dir: &std::path::Path,
) -> anyhow::Result<(Db, Option<(String, String)>)> {
    match &args.postgres {
        None => Ok((Db::open_sqlite_file(&dir.join("rapport.db")).await?, None)),
        Some(url) => {
            let schema = format!("bench_load_{}", std::process::id());
            Ok((
                Db::connect_postgres_schema(url, &schema).await?,
                Some((url.clone(), schema)),
            ))
        }
    }
}

/// Runs the benchmark and prints one line per path.
pub async fn run(args: LoadArgs) -> anyhow::Result<()> {
    if args.concurrency == 0 || args.seconds == 0 || args.listings == 0 {
        bail!("--concurrency, --seconds and --listings must be at least 1");
    }
    let dir = std::env::temp_dir().join(format!("rapport-bench-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (db, pg) = open_db(&args, &dir).await?;
    let config = Config {
        data_dir: dir.clone(),
        auth_attempts_per_minute: 1_000_000,
        ..Config::default()
    };
    let state = AppState::new(config, db.clone(), Vault::generate());
    state.set_ready();

    let hello = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hello_base = format!("http://{}", hello.local_addr()?);
    tokio::spawn(async move {
        let app = axum::Router::new().route("/hello", axum::routing::get(|| async { "hello" }));
        let _ = axum::serve(hello, app).await;
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let served = state.clone();
    tokio::spawn(async move {
        let _ = rapport_web::serve(listener, served, std::future::pending()).await;
    });

    // A directory for the match requests, written before the app first reads it.
    let directory = generate(args.listings, 42);
    let match_bodies: Arc<Vec<String>> = Arc::new(
        generate_requests(200, 42, &directory)
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?,
    );
    write_directory(&db, &directory)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    drop(directory);

    let hash = rapport_web::security::password::hash("bench password 1")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let therapist = users::create(
        &db,
        "therapist@bench.local",
        "Bench therapist",
        Role::Therapist,
        &hash,
    )
    .await?;
    listings::upsert_many(
        &db,
        &[(
            "t-bench".into(),
            Some(therapist.id.clone()),
            json!({"id": "t-bench", "name": "Bench therapist"}).to_string(),
        )],
    )
    .await?;
    // Realistic shapes: each client has REL_PER_CLIENT relationships (so a history grows to a
    // few dozen check-ins, not thousands), and the therapist's caseload is SHARED_PER_CLIENT of
    // each client's, about 30 clients.
    const REL_PER_CLIENT: usize = 40;
    const SHARED_PER_CLIENT: usize = 2;
    let mut clients = Vec::new();
    let mut rels = Vec::new();
    let workers = args.concurrency;
    let client_count = workers.min(16);
    for i in 0..client_count {
        let email = format!("client{i}@bench.local");
        users::create(&db, &email, &format!("Client {i}"), Role::Client, &hash).await?;
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(workers)
            .build()?;
        let r: Value = http
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"email": email, "password": "bench password 1"}))
            .send()
            .await?
            .json()
            .await?;
        let csrf = r["csrf_token"]
            .as_str()
            .context("login failed during setup")?
            .to_owned();
        let user_id = r["account"]["id"]
            .as_str()
            .context("login failed during setup")?
            .to_owned();
        let mut mine = Vec::new();
        for k in 0..REL_PER_CLIENT {
            let rel = relationships::create(
                &db,
                &user_id,
                "Bench therapist",
                Some(&therapist.id),
                Some("t-bench"),
            )
            .await?;
            relationships::answer(
                &db,
                &therapist.id,
                &rel.id,
                relationships::Answer::Accepted,
                rapport_store::now_ms(),
            )
            .await?;
            if k < SHARED_PER_CLIENT {
                relationships::set_sharing(&db, &user_id, &rel.id, Sharing::Trend).await?;
            }
            mine.push(rel.id);
        }
        clients.push((http, csrf));
        rels.push(mine);
    }
    let therapist_http = reqwest::Client::builder().cookie_store(true).build()?;
    therapist_http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"email": "therapist@bench.local", "password": "bench password 1"}))
        .send()
        .await?;

    let plain: Vec<reqwest::Client> = (0..4)
        .map(|_| {
            reqwest::Client::builder()
                .pool_max_idle_per_host(workers)
                .build()
        })
        .collect::<Result<_, _>>()?;
    let hello_url = format!("{hello_base}/hello");
    let mut results = vec![
        phase(
            "hello (bare axum, the ceiling)",
            args.seconds,
            workers,
            &plain,
            Arc::new(move |c, _, _| c.get(&hello_url)),
        )
        .await,
    ];

    let sessions: Arc<Vec<Vec<AtomicU32>>> = Arc::new(
        rels.iter()
            .map(|m| m.iter().map(|_| AtomicU32::new(0)).collect())
            .collect(),
    );
    let http_clients: Vec<reqwest::Client> = clients.iter().map(|(h, _)| h.clone()).collect();
    let csrfs: Arc<Vec<String>> = Arc::new(clients.iter().map(|(_, c)| c.clone()).collect());
    let rels = Arc::new(rels);
    let (b, r, s, c) = (base.clone(), rels.clone(), sessions.clone(), csrfs.clone());
    results.push(
        phase("check-in submit (POST)", args.seconds, workers, &http_clients, Arc::new(move |client, w, i| {
            let k = w % client_count;
            let j = (i as usize + w / client_count) % REL_PER_CLIENT;
            let session = s[k][j].fetch_add(1, Ordering::Relaxed) + 1;
            client.post(format!("{b}/api/v1/relationships/{}/checkins", r[k][j])).header("x-csrf-token", &c[k]).json(&json!({
                "session": session, "heard": (session % 5), "open": 3, "attuned": 3, "trust": 3, "looking_forward": 2,
                "stirred": 1, "left_feeling": "better", "need": "a little more structure"
            }))
        }))
        .await,
    );
    let hits_before = state.memo.hits();
    let (b, r) = (base.clone(), rels.clone());
    results.push(
        phase(
            "relationship page (GET, HTML)",
            args.seconds,
            workers,
            &http_clients,
            Arc::new(move |client, w, i| {
                client.get(format!(
                    "{b}/relationships/{}",
                    r[w % client_count][i as usize % REL_PER_CLIENT]
                ))
            }),
        )
        .await,
    );
    let page_hits = state.memo.hits() - hits_before;
    let page_views = results.last().map_or(0, |p| p.requests);
    // Each worker keeps to relationships of its own (worker w, relationship w / clients + k ×
    // workers / clients), so that no other worker's check-in lands between its check-in and
    // its view, and every view must read and assess the relationship afresh.
    let per_client = workers.div_ceil(client_count).max(1);
    let own = move |w: usize, i: u32| {
        let k = w % client_count;
        let j = (w / client_count
            + per_client * (i as usize % (REL_PER_CLIENT / per_client).max(1)))
            % REL_PER_CLIENT;
        (k, j)
    };
    let hits_before = state.memo.hits();
    let (b, r, s, c) = (base.clone(), rels.clone(), sessions.clone(), csrfs.clone());
    let (b2, r2) = (base.clone(), rels.clone());
    results.push(
        prepared_phase(
            "relationship page after a check-in",
            args.seconds,
            workers,
            &http_clients,
            Some(Arc::new(move |client, w, i| {
                let (k, j) = own(w, i);
                let session = s[k][j].fetch_add(1, Ordering::Relaxed) + 1;
                client.post(format!("{b}/api/v1/relationships/{}/checkins", r[k][j])).header("x-csrf-token", &c[k]).json(&json!({
                    "session": session, "heard": (session % 5), "open": 3, "attuned": 3, "trust": 3, "looking_forward": 2,
                    "stirred": 1, "left_feeling": "better", "need": "a little more structure"
                }))
            })),
            Arc::new(move |client, w, i| {
                let (k, j) = own(w, i);
                client.get(format!("{b2}/relationships/{}", r2[k][j]))
            }),
        )
        .await,
    );
    let changed_hits = state.memo.hits() - hits_before;
    let changed_views = results.last().map_or(0, |p| p.requests);
    let (b, c, bodies) = (base.clone(), csrfs.clone(), match_bodies.clone());
    results.push(
        phase(
            "match request (POST, API)",
            args.seconds,
            workers,
            &http_clients,
            Arc::new(move |client, w, i| {
                client
                    .post(format!("{b}/api/v1/match"))
                    .header("x-csrf-token", &c[w % client_count])
                    .header("content-type", "application/json")
                    .body(bodies[(w * 7 + i as usize) % bodies.len()].clone())
            }),
        )
        .await,
    );
    let b = base.clone();
    results.push(
        phase(
            "caseload (GET, API)",
            args.seconds,
            workers,
            &[therapist_http],
            Arc::new(move |client, _, _| client.get(format!("{b}/api/v1/caseload"))),
        )
        .await,
    );
    let stored: i64 = rapport_store::with_pool!(&db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM checkins").fetch_one(pool).await)?;
    let shared = client_count * SHARED_PER_CLIENT;

    let ceiling = results[0].rate();
    println!(
        "rapport bench load: {} s per path, {workers} connections, {} database, 127.0.0.1",
        args.seconds,
        if pg.is_some() { "PostgreSQL" } else { "SQLite" }
    );
    println!(
        "{:<34} {:>9} {:>7} {:>10} {:>9} {:>9} {:>9}",
        "path", "requests", "errors", "req/s", "p50 ms", "p99 ms", "% hello"
    );
    for p in &results {
        println!(
            "{:<34} {:>9} {:>7} {:>10.0} {:>9.2} {:>9.2} {:>8.0}%",
            p.name,
            p.requests,
            p.errors,
            p.rate(),
            p.pct(0.50),
            p.pct(0.99),
            100.0 * p.rate() / ceiling
        );
    }
    println!(
        "match requests searched a directory of {} generated listings (seed 42)",
        args.listings
    );
    println!(
        "{stored} check-ins stored over {} relationships (about {} each); caseload of {shared} shared clients",
        client_count * REL_PER_CLIENT,
        stored as usize / (client_count * REL_PER_CLIENT).max(1)
    );
    println!(
        "relationship pages answered from memory (data version unchanged): {page_hits} of {page_views} plain views, {changed_hits} of {changed_views} views after a check-in"
    );
    let (kept, read) = state.readings.counts();
    println!(
        "caseload rows whose reading was kept from an earlier view: {kept}; read afresh: {read}"
    );
    if let rapport_store::Db::Sqlite(s) = &db
        && let Some(reads) = &s.reads
    {
        println!(
            "session lookups answered on the request's own thread: {}",
            reads.served()
        );
    }
    println!(
        "process memory (server and load generator together) after the run: {:.1} MiB RSS",
        rss_mib()
    );
    if let Some((url, schema)) = pg {
        let admin = sqlx::PgPool::connect(&url).await?;
        sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .execute(&admin)
            .await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
