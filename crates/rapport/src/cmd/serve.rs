//! `rapport serve` and `rapport demo`.

use anyhow::Context;
use clap::Args;
use rapport_web::AppState;
use rapport_web::features::instruments::registry as instruments;
use std::time::Duration;

use super::config::{StorageArgs, WebArgs, warn_unknown_env, web_config};

/// Flags of `serve` and `demo`.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    storage: StorageArgs,
    #[command(flatten)]
    web: WebArgs,
}

/// Starts the server; with `demo`, fills the database with demo data first.
pub async fn run(args: ServeArgs, demo: bool) -> anyhow::Result<()> {
    init_logs()?;
    warn_unknown_env();
    let (db, vault) = open_with_keys(&args.storage, demo).await?;
    let config = web_config(&args.storage, &args.web);
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let state = AppState::new(config, db.clone(), vault);
    if demo {
        super::demo::seed(&state).await?;
        state.set_ready();
        instruments::load_at_start(&state).await;
    } else {
        tokio::spawn(migrate_until_ready(state.clone(), args.storage.key_path()));
    }
    tokio::spawn(purge_sessions(state.clone()));
    tokio::spawn(rapport_web::features::matching::keep_current(state.clone()));
    rapport_web::features::care::spawn_worker(state.clone());
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = ?db.backend(), "Rapport is listening");
    println!("Rapport is running at http://{addr}/  (Ctrl-C to stop)");
    rapport_web::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// The database and the key file that opens it. An existing key file is loaded at once (the
/// database may still be down; its fit is checked once it is up, see [`migrate_until_ready`]).
/// A missing one needs the database now: it is created only when the database holds no
/// encrypted value, else start-up stops naming the missing key.
async fn open_with_keys(
    storage: &StorageArgs,
    demo: bool,
) -> anyhow::Result<(rapport_store::Db, rapport_store::Vault)> {
    let key_path = storage.key_path();
    storage.create_data_dir()?;
    if demo {
        let db = storage.connect().await?;
        let vault = storage.vault_for(&db).await?;
        return Ok((db, vault));
    }
    if !key_path.exists() {
        let db = storage.open()?;
        let mut wait = Duration::from_millis(200);
        while let Err(e) = rapport_store::migrate::run(&db).await {
            tracing::warn!(error = %e, "database not ready; a key file is made only once it is known to hold no encrypted data; retrying");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(10));
        }
        let vault = storage.vault_for(&db).await?;
        return Ok((db, vault));
    }
    let vault = rapport_store::Vault::load(&key_path)?;
    Ok((storage.open()?, vault))
}

/// Applies migrations, retrying while the database is unreachable, checks that the key file
/// opens what the database holds (stopping the process if not: serving would answer errors for
/// old data and seal new data under a key nobody backed up), then marks the server ready.
async fn migrate_until_ready(state: AppState, key_path: std::path::PathBuf) {
    let mut wait = Duration::from_millis(200);
    loop {
        match rapport_store::migrate::run(&state.db).await {
            Ok(()) => {
                if let Err(e) =
                    rapport_store::key_guard::check(&state.db, &state.vault, &key_path).await
                {
                    tracing::error!(error = %e, "stopping: the key file does not fit the database");
                    eprintln!("rapport: {e}");
                    std::process::exit(1);
                }
                state.set_ready();
                instruments::load_at_start(&state).await;
                reseal_legacy(&state).await;
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "database not ready; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// Moves client free text sealed with the deployment key (before per-client keys existed) to
/// each client's own key, so that deleting an account makes it unreadable too.
async fn reseal_legacy(state: &AppState) {
    match rapport_store::user_keys::reseal_legacy(&state.db, &state.vault).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(values = n, "client free text moved to per-client keys"),
        Err(e) => {
            tracing::warn!(error = %e, "could not move client free text to per-client keys; will retry at next start")
        }
    }
}

/// Removes expired sessions every hour, so the table does not grow without bound.
async fn purge_sessions(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match rapport_store::sessions::purge_expired(&state.db).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

fn init_logs() -> anyhow::Result<()> {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("RAPPORT_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("RAPPORT_LOG_FORMAT")
        .map(|v| v == "json")
        .unwrap_or(false);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let done = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    done.map_err(|e| anyhow::anyhow!("cannot start logging: {e}"))
}
