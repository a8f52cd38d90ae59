//! Random secrets (session ids, CSRF tokens, API tokens) and their stored hashes.

use sha2::{Digest, Sha256};

/// 256 random bits as 64 hex characters.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    rapport_store::crypto::encode_hex(&bytes)
}

/// The SHA-256 of a secret, as stored: a leaked table gives nobody a working secret. A fast hash
/// is right here (unlike passwords) because the secrets are long and random.
pub fn hash(secret: &str) -> String {
    rapport_store::crypto::encode_hex(&Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
