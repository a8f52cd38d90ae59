//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane, as OWASP
//! recommends), run on the blocking pool so a login never stalls other requests.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;

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
    Ok(())
}

/// Hashes a password into a PHC string.
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

/// Verifies `password` against `stored`; with `None` (no such account) it verifies against a
/// dummy hash, so the answer takes as long and reveals nothing about which accounts exist. The
/// dummy is made on the first verify of any kind, so that one extra hashing does not mark the
/// first unknown account either.
pub async fn verify(stored: Option<String>, password: &str) -> bool {
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
