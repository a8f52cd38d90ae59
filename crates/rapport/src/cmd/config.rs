//! Settings from flags and `RAPPORT_` environment variables, shared by every command that opens
//! the database.

use anyhow::{Context, bail};
use clap::Args;
use rapport_core::care::BookingCaps;
use rapport_core::matching::Weights;
use rapport_store::{Db, SqliteSync, Vault};
use rapport_web::{Config, ConnectionLimits};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Every environment variable Rapport reads; any other `RAPPORT_` variable is warned about.
const KNOWN_ENV: &[&str] = &[
    "RAPPORT_BIND",
    "RAPPORT_DATABASE_URL",
    "RAPPORT_DATA_DIR",
    "RAPPORT_KEY_FILE",
    "RAPPORT_SQLITE_FULL_SYNC",
    "RAPPORT_HELP_URL",
    "RAPPORT_CRISIS_LINES",
    "RAPPORT_REPORT_URL",
    "RAPPORT_SECURE_COOKIES",
    "RAPPORT_TRUST_FORWARDED_FOR",
    "RAPPORT_AUTH_ATTEMPTS_PER_MINUTE",
    "RAPPORT_SESSION_HOURS",
    "RAPPORT_WAITLIST_HOLD_HOURS",
    "RAPPORT_SMTP_URL",
    "RAPPORT_MAIL_FROM",
    "RAPPORT_PUBLIC_URL",
    "RAPPORT_MATCH_WEIGHTS",
    "RAPPORT_HEADER_READ_TIMEOUT_SECS",
    "RAPPORT_IDLE_TIMEOUT_SECS",
    "RAPPORT_MAX_CONNECTIONS",
    "RAPPORT_LOG",
    "RAPPORT_LOG_FORMAT",
    "RAPPORT_TEST_POSTGRES_URL",
    "RAPPORT_NEW_PASSWORD",
];

/// Where the data lives.
#[derive(Args, Clone, Debug)]
pub struct StorageArgs {
    /// PostgreSQL URL (postgres://…); without it, the embedded SQLite database in the data folder.
    #[arg(long, env = "RAPPORT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Folder for the embedded database and the key file (created on first run).
    #[arg(long, env = "RAPPORT_DATA_DIR", default_value = "rapport-data")]
    pub data_dir: PathBuf,
    /// Key file for encryption at rest (created with mode 0600 on first run).
    #[arg(long, env = "RAPPORT_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// SQLite: flush to disk on every commit (survives power loss; slower). Without it, commits
    /// survive a crash of the process and are flushed at checkpoints.
    #[arg(long, env = "RAPPORT_SQLITE_FULL_SYNC", default_value_t = false)]
    pub sqlite_full_sync: bool,
}

/// Server settings.
#[derive(Args, Clone, Debug)]
pub struct WebArgs {
    /// Address to listen on.
    #[arg(long, env = "RAPPORT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Target of the "Get help now" link on every page.
    #[arg(long, env = "RAPPORT_HELP_URL", default_value = "/help")]
    pub help_url: String,
    /// Crisis lines for the help page, separated by `|`.
    #[arg(long, env = "RAPPORT_CRISIS_LINES")]
    pub crisis_lines: Option<String>,
    /// Where clients can report professional misconduct.
    #[arg(long, env = "RAPPORT_REPORT_URL")]
    pub report_url: Option<String>,
    /// Mark cookies Secure (set when served over HTTPS).
    #[arg(long, env = "RAPPORT_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Trust X-Forwarded-For for rate limits (only behind a proxy you run).
    #[arg(long, env = "RAPPORT_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,
    /// Login and sign-up attempts allowed per minute, per IP address and per account.
    #[arg(long, env = "RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", default_value_t = 10)]
    pub auth_attempts_per_minute: u32,
    /// How long a login lasts, in hours.
    #[arg(long, env = "RAPPORT_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u32,
    /// Seconds a connection has to send a complete request head (when opened, and between
    /// requests on a kept-alive connection) before it is closed.
    #[arg(long, env = "RAPPORT_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Seconds a connection may wait with no byte moving (a stalled body, a client not reading).
    #[arg(long, env = "RAPPORT_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub idle_timeout_secs: u64,
    /// Connections open at once; beyond it new ones are answered 503 and closed.
    #[arg(long, env = "RAPPORT_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Hours a freed slot is held for a waitlisted client before it is offered to the next.
    #[arg(long, env = "RAPPORT_WAITLIST_HOLD_HOURS", default_value_t = 24)]
    pub waitlist_hold_hours: u32,
    /// Open intro consultations a client may hold with one therapist before they have met (or
    /// the therapist accepted them); sessions come after.
    #[arg(long, env = "RAPPORT_BOOKING_CAP_CONSULTATIONS", default_value_t = rapport_core::care::caps::DEFAULT_CONSULTATIONS)]
    pub booking_cap_consultations: u32,
    /// Open appointments a client may hold with one therapist once they have met, so one person
    /// cannot fill a calendar.
    #[arg(long, env = "RAPPORT_BOOKING_CAP_SESSIONS", default_value_t = rapport_core::care::caps::DEFAULT_SESSIONS)]
    pub booking_cap_sessions: u32,
    /// Outgoing mail server, e.g. smtp://127.0.0.1:2525; without it e-mail stays in the outbox.
    #[arg(long, env = "RAPPORT_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The From address of every e-mail.
    #[arg(
        long,
        env = "RAPPORT_MAIL_FROM",
        default_value = "Rapport <rapport@localhost>"
    )]
    pub mail_from: String,
    /// The address people reach Rapport at, for links in e-mails and calendar feeds.
    #[arg(long, env = "RAPPORT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Matching weights, e.g. `style=0.3,distance=0.2`; components left out keep the defaults
    /// (concerns=0.35, style=0.25, modality=0.15, identity=0.1, distance=0.1,
    /// effectiveness=0.05).
    #[arg(long, env = "RAPPORT_MATCH_WEIGHTS", value_parser = parse_weights)]
    pub match_weights: Option<Weights>,
}

/// Reads `--match-weights`, naming every component that is wrong and why.
pub fn parse_weights(text: &str) -> Result<Weights, String> {
    text.parse::<Weights>().map_err(|e| e.to_string())
}

/// Warns about `RAPPORT_` variables that nothing reads (usually a typo).
pub fn warn_unknown_env() {
    for (k, _) in std::env::vars() {
        if k.starts_with("RAPPORT_") && !KNOWN_ENV.contains(&k.as_str()) {
            eprintln!(
                "rapport: warning: unknown setting {k} is ignored (see the README's configuration table)"
            );
        }
    }
}

impl StorageArgs {
    /// The key file actually used.
    pub fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("rapport.key"))
    }

    /// The key file, checked against what `db` (migrated) holds; created only for a database
    /// with no encrypted value yet. One clear line if it cannot (see `key_guard`).
    pub async fn vault_for(&self, db: &Db) -> anyhow::Result<Vault> {
        Ok(rapport_store::key_guard::open_vault(db, &self.key_path()).await?)
    }

    /// Creates the data folder, readable by its owner only (0700), if it is missing.
    pub fn create_data_dir(&self) -> anyhow::Result<()> {
        rapport_store::files::create_private_dir(&self.data_dir)
            .with_context(|| format!("cannot create the data folder {}", self.data_dir.display()))
    }

    /// Opens the database without waiting for it (a bad URL is refused here).
    pub fn open(&self) -> anyhow::Result<Db> {
        let url = match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite:{}", self.data_dir.join("rapport.db").display()),
        };
        let sync = if self.sqlite_full_sync {
            SqliteSync::Full
        } else {
            SqliteSync::Normal
        };
        match Db::open_with(&url, sync) {
            Ok(db) => Ok(db),
            Err(e) => bail!("bad database URL: {e}"),
        }
    }

    /// Opens the database and applies migrations now (for one-shot commands).
    pub async fn connect(&self) -> anyhow::Result<Db> {
        self.create_data_dir()?;
        let db = self.open()?;
        rapport_store::migrate::run(&db)
            .await
            .context("cannot reach or migrate the database")?;
        Ok(db)
    }
}

/// The web crate's settings from flags and environment.
pub fn web_config(storage: &StorageArgs, web: &WebArgs) -> Config {
    let mut c = Config {
        bind: web.bind,
        database_url: storage.database_url.clone(),
        data_dir: storage.data_dir.clone(),
        key_file: storage.key_file.clone(),
        help_url: web.help_url.clone(),
        secure_cookies: web.secure_cookies,
        trust_forwarded_for: web.trust_forwarded_for,
        auth_attempts_per_minute: web.auth_attempts_per_minute,
        session_hours: web.session_hours.max(1),
        waitlist_hold_hours: web.waitlist_hold_hours.max(1),
        booking_caps: BookingCaps {
            consultations: web.booking_cap_consultations.max(1),
            sessions: web.booking_cap_sessions.max(1),
        },
        smtp_url: web.smtp_url.clone().filter(|u| !u.trim().is_empty()),
        mail_from: web.mail_from.clone(),
        public_url: web.public_url.clone().filter(|u| !u.trim().is_empty()),
        match_weights: web.match_weights.unwrap_or_default(),
        connections: ConnectionLimits {
            header_read: Duration::from_secs(web.header_read_timeout_secs.max(1)),
            idle: Duration::from_secs(web.idle_timeout_secs.max(31)),
            max_connections: web.max_connections.max(1),
        },
        ..Config::default()
    };
    if let Some(lines) = &web.crisis_lines {
        c.crisis_lines = lines
            .split('|')
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
    }
    if let Some(url) = &web.report_url {
        c.report_url = url.clone();
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        storage: StorageArgs,
        #[command(flatten)]
        web: WebArgs,
    }

    fn config(args: &[&str]) -> Config {
        let cli =
            Cli::try_parse_from(std::iter::once("rapport").chain(args.iter().copied())).unwrap();
        web_config(&cli.storage, &cli.web)
    }

    #[test]
    fn booking_caps_default_to_one_consultation_and_four_appointments_and_follow_the_flags() {
        assert_eq!(config(&[]).booking_caps, BookingCaps::default());
        let set = config(&[
            "--booking-cap-consultations",
            "2",
            "--booking-cap-sessions",
            "8",
        ]);
        assert_eq!(
            set.booking_caps,
            BookingCaps {
                consultations: 2,
                sessions: 8
            }
        );
        let zero = config(&[
            "--booking-cap-consultations",
            "0",
            "--booking-cap-sessions",
            "0",
        ]);
        assert_eq!(
            zero.booking_caps,
            BookingCaps {
                consultations: 1,
                sessions: 1
            },
            "a cap of nought would close every calendar"
        );
    }
}
