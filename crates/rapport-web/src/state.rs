//! What every handler can reach: the database, the key vault, the settings and the counters.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rapport_store::{Db, Vault};

use crate::config::Config;
use crate::features::instruments::Instruments;
use crate::features::matching::Directory;
use crate::features::relationships::memo::Memo;
use crate::features::relationships::readings::Readings;
use crate::security::password::PasswordGate;
use crate::security::ratelimit::{Backoff, RateLimiter};

/// Shared application state, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Keys for encryption at rest.
    pub vault: Arc<Vault>,
    /// Deployment settings.
    pub config: Arc<Config>,
    /// Login and sign-up attempts per IP address.
    pub auth_by_ip: Arc<RateLimiter>,
    /// Login attempts per account and address pair (e-mail address and IP).
    pub auth_by_account: Arc<RateLimiter>,
    /// Failed logins per account from every address: a growing delay, never a lock-out.
    pub login_backoff: Arc<Backoff>,
    /// Every password hashing and check of the web: bounded at once, re-checks per account.
    pub passwords: Arc<PasswordGate>,
    /// The instruments offered: built-in definitions with the licensed text installed in the
    /// database, refreshed whenever that text changes (see `features::instruments::registry`).
    pub instruments: Arc<RwLock<Instruments>>,
    /// The therapist directory in memory, which every match is answered from; loaded from the
    /// `listings` table and kept current by every listing write (see `features::matching`).
    pub directory: Arc<Directory>,
    /// Clients' assessed relationships, reused while their data version stands (see
    /// `features::relationships::memo`).
    pub memo: Arc<Memo>,
    /// Therapists' readings of shared relationships, reused by caseload views while the client's
    /// data version stands (see `features::relationships::readings`).
    pub readings: Arc<Readings>,
    ready: Arc<AtomicBool>,
}

impl AppState {
    /// State for a server on `db`, with migrations not yet known to be applied.
    pub fn new(config: Config, db: Db, vault: Vault) -> Self {
        let per_minute = config.auth_attempts_per_minute.max(1);
        AppState {
            db,
            vault: Arc::new(vault),
            auth_by_ip: Arc::new(RateLimiter::new(per_minute, Duration::from_secs(60))),
            auth_by_account: Arc::new(RateLimiter::new(per_minute, Duration::from_secs(60))),
            login_backoff: Arc::new(Backoff::new(
                per_minute,
                Duration::from_secs(900),
                Duration::from_millis(500),
                Duration::from_secs(5),
            )),
            passwords: Arc::new(PasswordGate::new(
                config.password_concurrency,
                Duration::from_millis(config.password_wait_ms),
                per_minute,
            )),
            config: Arc::new(config),
            instruments: Arc::new(RwLock::new(Instruments::builtin())),
            directory: Arc::new(Directory::default()),
            memo: Arc::new(Memo::default()),
            readings: Arc::new(Readings::default()),
            ready: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Marks the schema as migrated (until then `/readyz` answers 503).
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::SeqCst);
    }

    /// Whether the schema has been migrated.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}
