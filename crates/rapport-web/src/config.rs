//! Deployment settings. The binary fills this from flags and `RAPPORT_` environment variables
//! (see the README's configuration table); the web crate only reads it.

use crate::server::ConnectionLimits;
use rapport_core::care::BookingCaps;
use rapport_core::matching::Weights;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything a deployment can set.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// `postgres://…` to use PostgreSQL; `None` means the embedded SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Folder for the embedded database and the key file.
    pub data_dir: PathBuf,
    /// Key file for encryption at rest; defaults to `data_dir/rapport.key`.
    pub key_file: Option<PathBuf>,
    /// Where "Get help now" points. The built-in `/help` page lists `crisis_lines`.
    pub help_url: String,
    /// Crisis lines shown on the help page and whenever a crisis answer is given.
    pub crisis_lines: Vec<String>,
    /// Where to report professional misconduct (shown with the `act_now` status).
    pub report_url: String,
    /// Mark cookies `Secure` (set when serving over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Trust the last `X-Forwarded-For` address (the one our own proxy added) for rate limits (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Login and sign-up attempts allowed per minute, per IP address and per account.
    pub auth_attempts_per_minute: u32,
    /// Password hashings and checks run at once (each holds 19 MiB and a core); beyond it a
    /// request waits up to `password_wait_ms` for a turn, then is answered 503.
    pub password_concurrency: usize,
    /// How long a password check waits for its turn, in ms.
    pub password_wait_ms: u64,
    /// How long a login lasts, in hours.
    pub session_hours: u32,
    /// How long a freed slot is held for a waitlisted client before it moves on, in hours.
    pub waitlist_hold_hours: u32,
    /// Open appointments one client may hold with one therapist (before and after they have
    /// met), so nobody fills a calendar others need too.
    pub booking_caps: BookingCaps,
    /// Outgoing mail server (`smtp://127.0.0.1:2525`, `smtps://user:pass@host`); without it,
    /// e-mail stays in the outbox (visible to admins) and nothing is sent.
    pub smtp_url: Option<String>,
    /// The `From` of every e-mail.
    pub mail_from: String,
    /// The address people reach Rapport at, for links in e-mails and calendar feeds; defaults to
    /// `http://<bind>`.
    pub public_url: Option<String>,
    /// How much each matching score component counts (the rules themselves are fixed).
    pub match_weights: Weights,
    /// How long connections may wait and how many may be open (see [`ConnectionLimits`]).
    pub connections: ConnectionLimits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from("rapport-data"),
            key_file: None,
            help_url: "/help".into(),
            crisis_lines: rapport_core::crisis::DEFAULT_LINES
                .iter()
                .map(|l| (*l).to_owned())
                .collect(),
            report_url: "https://www.hcpc-uk.org/concerns/".into(),
            secure_cookies: false,
            trust_forwarded_for: false,
            auth_attempts_per_minute: 10,
            password_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
            password_wait_ms: 10_000,
            session_hours: 12,
            waitlist_hold_hours: 24,
            booking_caps: BookingCaps::default(),
            smtp_url: None,
            mail_from: "Rapport <rapport@localhost>".into(),
            public_url: None,
            match_weights: Weights::default(),
            connections: ConnectionLimits::default(),
        }
    }
}

impl Config {
    /// The base of links in e-mails and feeds, without a trailing slash.
    pub fn base_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    /// The key file actually used.
    pub fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("rapport.key"))
    }
}
