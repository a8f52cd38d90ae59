//! `rapport bench match`: the in-memory engine against the same rules in SQL, side by side, on
//! one generated directory. A benchmark to run by hand (release build), never a timed test.
//!
//! Every request is answered three ways (engine, SQLite, and PostgreSQL when a URL is given) and
//! the answers must agree: the same ids in the same order with the same scores, and the same
//! `total_eligible`. Timings are wall-clock per query on one thread, so the engine's figures are
//! one core's.

mod sql;
mod sqlite_fn;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use rapport_core::matching::{
    Index, Listing, MatchResponse, Request, Weights, generate, generate_requests,
};
use sqlx::Connection;
use sqlx::postgres::PgConnectOptions;
use std::time::{Duration, Instant};

use sql::Conn;

/// Benchmarks.
#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// The matching engine against an equivalent, indexed SQL query on SQLite (and PostgreSQL
    /// with --postgres): p50/p99 per query, the ratio, index build time and bytes per listing,
    /// and a check that all return the same top results.
    Match(MatchArgs),
    /// A bounded load run on 127.0.0.1: check-in submit, relationship page and caseload next to a
    /// bare axum "hello" endpoint (this machine's ceiling), with throughput, p50/p99 and memory.
    Load(super::load::LoadArgs),
}

/// Flags of `bench match`.
#[derive(Args, Debug)]
pub struct MatchArgs {
    /// Listings in the generated directory.
    #[arg(long, default_value_t = 10_000)]
    therapists: usize,
    /// Generated requests to answer.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Random seed for the directory and the requests.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Also run the SQL on this PostgreSQL server, in a scratch schema dropped afterwards.
    #[arg(long)]
    postgres: Option<String>,
}

/// Runs a benchmark; fails when the answers disagree.
pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Match(args) => bench_match(&args).await,
        BenchCommand::Load(args) => super::load::run(args).await,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// (p50, p99) in milliseconds, nearest-rank.
fn percentiles(times: &[Duration]) -> (f64, f64) {
    let mut sorted: Vec<f64> = times.iter().copied().map(ms).collect();
    sorted.sort_by(f64::total_cmp);
    let rank =
        |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    (rank(0.50), rank(0.99))
}

/// What one database made of the requests.
struct SqlRun {
    name: &'static str,
    load: Duration,
    times: Vec<Duration>,
    agree: usize,
    first_mismatch: Option<String>,
}

/// Compares one SQL answer with the engine's; `None` when they agree.
fn mismatch(engine: &MatchResponse, rows: &[sql::Row]) -> Option<String> {
    let total = rows.first().map_or(0, |r| r.2 as usize);
    if total != engine.total_eligible {
        return Some(format!(
            "total_eligible: engine {}, SQL {total}",
            engine.total_eligible
        ));
    }
    if rows.len() != engine.results.len() {
        return Some(format!(
            "results: engine {}, SQL {}",
            engine.results.len(),
            rows.len()
        ));
    }
    engine
        .results
        .iter()
        .zip(rows)
        .enumerate()
        .find_map(|(i, (e, (id, score, _)))| {
            (e.id != *id || (e.score - score).abs() > 1e-9).then(|| {
                format!(
                    "result {}: engine {} ({}), SQL {id} ({score})",
                    i + 1,
                    e.id,
                    e.score
                )
            })
        })
}

async fn run_sql(
    name: &'static str,
    mut conn: Conn,
    listings: &[Listing],
    requests: &[Request],
    engine: &[MatchResponse],
) -> anyhow::Result<(SqlRun, Conn)> {
    eprintln!("{name}: loading {} listings…", listings.len());
    let started = Instant::now();
    sql::load(&mut conn, listings)
        .await
        .with_context(|| format!("loading {name}"))?;
    let load = started.elapsed();
    eprintln!(
        "{name}: loaded in {:.1} s; running {} queries…",
        load.as_secs_f64(),
        requests.len()
    );
    let mut run = SqlRun {
        name,
        load,
        times: Vec::with_capacity(requests.len()),
        agree: 0,
        first_mismatch: None,
    };
    let weights = Weights::default();
    for (n, (req, expected)) in requests.iter().zip(engine).enumerate() {
        let started = Instant::now();
        let rows = sql::search(&mut conn, req, &weights)
            .await
            .with_context(|| format!("{name}: query {}", n + 1))?;
        run.times.push(started.elapsed());
        match mismatch(expected, &rows) {
            None => run.agree += 1,
            Some(m) if run.first_mismatch.is_none() => {
                run.first_mismatch = Some(format!("query {}: {m}", n + 1))
            }
            Some(_) => {}
        }
    }
    Ok((run, conn))
}

/// Runs the SQL on PostgreSQL in a scratch schema (never the app's tables), dropped afterwards
/// whatever happened.
async fn postgres(
    url: &str,
    schema: &str,
    listings: &[Listing],
    requests: &[Request],
    answers: &[MatchResponse],
) -> anyhow::Result<SqlRun> {
    let mut admin = sqlx::PgConnection::connect(url)
        .await
        .context("cannot connect to PostgreSQL")?;
    sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
        .execute(&mut admin)
        .await?;
    let outcome = async {
        let opts = url
            .parse::<PgConnectOptions>()?
            .options([("search_path", schema)]);
        let conn = sqlx::PgConnection::connect_with(&opts).await?;
        let (run, conn) = run_sql(
            "postgres",
            Conn::Postgres(conn),
            listings,
            requests,
            answers,
        )
        .await?;
        conn.close().await;
        anyhow::Ok(run)
    }
    .await;
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&mut admin)
        .await?;
    let _ = admin.close().await;
    outcome
}

async fn bench_match(args: &MatchArgs) -> anyhow::Result<()> {
    if args.therapists == 0 || args.queries == 0 {
        bail!("--therapists and --queries must be at least 1");
    }
    println!(
        "rapport bench match: {} therapists, {} queries, seed {}",
        args.therapists, args.queries, args.seed
    );
    let started = Instant::now();
    let listings = generate(args.therapists, args.seed);
    let requests = generate_requests(args.queries, args.seed, &listings);
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());

    let copy = listings.clone();
    let started = Instant::now();
    let index = Index::build(copy);
    let build = started.elapsed();
    let bytes = index.approx_bytes_per_listing();
    let mut engine_times = Vec::with_capacity(requests.len());
    let mut answers = Vec::with_capacity(requests.len());
    for req in &requests {
        let started = Instant::now();
        let answer = index.search(req);
        engine_times.push(started.elapsed());
        answers.push(answer);
    }
    let (e50, e99) = percentiles(&engine_times);
    let eligible: Vec<usize> = answers.iter().map(|a| a.total_eligible).collect();
    println!(
        "engine     index build {:.3} s, {bytes} bytes per listing (display text aside)",
        build.as_secs_f64()
    );
    println!(
        "engine     p50 {e50:.4} ms   p99 {e99:.4} ms   (median total_eligible {})",
        {
            let mut e = eligible.clone();
            e.sort_unstable();
            e[e.len() / 2]
        }
    );
    drop(index);

    let scratch = format!(
        "rapport_bench_{}_{}",
        std::process::id(),
        rapport_store::now_ms()
    );
    let dir = std::env::temp_dir().join(&scratch);
    std::fs::create_dir_all(&dir)?;
    let sqlite = async {
        let conn = sqlite_fn::open(&dir.join("bench.db"))
            .await
            .context("cannot open the scratch SQLite database")?;
        let (run, conn) =
            run_sql("sqlite", Conn::Sqlite(conn), &listings, &requests, &answers).await?;
        conn.close().await;
        anyhow::Ok(run)
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let mut runs = vec![sqlite?];
    if let Some(url) = &args.postgres {
        runs.push(postgres(url, &scratch, &listings, &requests, &answers).await?);
    }

    let mut agreed = true;
    for r in &runs {
        let (p50, p99) = percentiles(&r.times);
        println!(
            "{:<10} p50 {p50:.3} ms   p99 {p99:.3} ms   engine is {:.0}× faster at p50, {:.0}× at p99   (loaded in {:.1} s)",
            r.name,
            p50 / e50.max(1e-9),
            p99 / e99.max(1e-9),
            r.load.as_secs_f64()
        );
        println!(
            "{:<10} agreement: {}/{} queries give the same top results, scores and total_eligible as the engine",
            r.name,
            r.agree,
            requests.len()
        );
        if let Some(m) = &r.first_mismatch {
            println!("{:<10} first difference: {m}", r.name);
            agreed = false;
        }
    }
    if !agreed {
        bail!("the SQL baseline and the engine disagree");
    }
    Ok(())
}
