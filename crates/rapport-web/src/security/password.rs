//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane, as OWASP
//! recommends), run on the blocking pool so a login never stalls other requests.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::ratelimit::RateLimiter;

use crate::error::AppError;

/// The shortest password accepted.
pub const MIN_LEN: usize = 10;
/// The longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_LEN: usize = 256;

/// Checks the password rules, naming `field` on refusal.
pub fn check_rules(field: &str, password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(AppError::field(
            field,
            &format!("must be at least {MIN_LEN} characters"),
        ));
    }
    if n > MAX_LEN {
        return Err(AppError::field(
            field,
            &format!("must be at most {MAX_LEN} characters"),
        ));
    }
    if is_easy_to_guess(password) {
        return Err(AppError::field(
            field,
            "is one of the first passwords people guess; a few unrelated words together work well",
        ));
    }
    Ok(())
}

/// Passwords of 10 or more characters that guessing lists start with (from the published
/// breached-password rankings), compared lower-cased.
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "abcdefghij",
    "aaaaaaaaaa",
    "iloveyou12",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "qwertyuiop1",
    "asdfghjkl1",
    "zxcvbnm123",
    "0987654321",
    "1111111111",
    "0000000000",
    "football123",
    "baseball123",
    "welcome123",
    "letmein123",
    "sunshine12",
    "princess12",
    "charlie123",
    "superman123",
    "trustno1234",
    "michael123",
    "computer12",
    "changeme123",
    "administrator",
    "therapist1",
    "therapy123",
];

/// Few different characters, a run of neighbouring keys or digits, or a password on the
/// common list: what a guesser tries first, whatever its length.
fn is_easy_to_guess(password: &str) -> bool {
    let lower = password.to_lowercase();
    let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return true;
    }
    let bytes = lower.as_bytes();
    let run = bytes.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
        || bytes.windows(2).all(|w| w[0] == w[1].wrapping_add(1));
    run || COMMON.contains(&lower.as_str())
}

/// Hashes a password into a PHC string (for the command line and seeding; the web goes
/// through [`PasswordGate::hash`]).
pub async fn hash(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Every password check the web answers goes through here: at most `concurrent` argon2 runs at
/// once (each holds 19 MiB and a core, so an unbounded number of concurrent guesses could
/// exhaust memory), a bounded wait for a turn (503 beyond it), and a per-account limit on
/// checks made after login (changing the password, deleting the account), which an attacker
/// holding a stolen session could otherwise use to guess the password at full speed.
#[derive(Debug)]
pub struct PasswordGate {
    work: Semaphore,
    wait: Duration,
    rechecks: RateLimiter,
}

impl PasswordGate {
    /// A gate allowing `concurrent` hashings at once, each waiting at most `wait` for its turn,
    /// and `rechecks_per_minute` checks per account after login.
    pub fn new(concurrent: usize, wait: Duration, rechecks_per_minute: u32) -> Self {
        PasswordGate {
            work: Semaphore::new(concurrent.max(1)),
            wait,
            rechecks: RateLimiter::new(rechecks_per_minute.max(1), Duration::from_secs(60)),
        }
    }

    /// Hashes a new password in its turn.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let _turn = self.turn().await?;
        hash(password).await
    }

    /// Verifies `password` against `stored` in its turn; with `None` (no such account) against
    /// a dummy hash, so the answer takes as long and reveals nothing about which accounts exist.
    pub async fn verify(&self, stored: Option<String>, password: &str) -> Result<bool, AppError> {
        let _turn = self.turn().await?;
        Ok(verify_now(stored, password).await)
    }

    /// Checks the password of a logged-in account before a sensitive change, counting the check
    /// against the account; a wrong password is refused naming `field`.
    pub async fn confirm(
        &self,
        user_id: &str,
        stored: String,
        password: &str,
        field: &str,
    ) -> Result<(), AppError> {
        self.rechecks.hit(user_id).map_err(AppError::TooMany)?;
        if self.verify(Some(stored), password).await? {
            Ok(())
        } else {
            Err(AppError::field(field, "is not right"))
        }
    }

    async fn turn(&self) -> Result<SemaphorePermit<'_>, AppError> {
        match tokio::time::timeout(self.wait, self.work.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::Busy(5)),
        }
    }
}

/// The argon2 check itself, on the blocking pool. The dummy is made on the first verify of any
/// kind, so that one extra hashing does not mark the first unknown account either.
async fn verify_now(stored: Option<String>, password: &str) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let exists = stored.is_some();
        let dummy = dummy_hash();
        let phc = stored.unwrap_or_else(|| dummy.to_owned());
        let ok = PasswordHash::new(&phc)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && exists
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now(&super::secret::random_token()).unwrap_or_default())
}
