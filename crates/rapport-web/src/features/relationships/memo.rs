//! A client's assessed relationships, kept in memory between their page views.
//!
//! Reading a relationship means loading and decrypting its history, parsing every check-in and
//! running the alliance engine; the answer only changes when the relationship or its check-ins
//! change. Database triggers move the client's `data_version` on every such change, whoever makes
//! it (this server, another replica, a command), and the session lookup reads that number with
//! the login. An entry here is used only when it was made for the same client at the same
//! version, so a page never shows less than what the database held when the request began, and
//! a hit costs no query beyond the session lookup every request already makes.
//!
//! Entries hold decrypted text, so the map is bounded and a client's entries are dropped the
//! moment their account is deleted here; elsewhere they can no longer be reached (no session)
//! and age out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rapport_store::relationships::Relationship;

/// How many relationships are kept; beyond that an arbitrary entry makes room.
const CAPACITY: usize = 2048;

/// A relationship as its page shows it: the relationship row and its reading, already rendered.
/// The decrypted check-ins it was drawn from are not kept.
pub struct Assessed {
    /// The relationship.
    pub rel: Relationship,
    /// Where it stands (stage, ending, latest note); dates in it are shown in the reader's zone
    /// by the page, never kept rendered.
    pub phase: Option<rapport_store::relationships::Phase>,
    /// The reading part of the page (see [`super::view::reading_html`]), rendered once per
    /// version.
    pub reading_html: String,
}

struct Entry {
    client_id: String,
    version: i64,
    assessed: Arc<Assessed>,
}

/// The memo: relationship id → the latest reading made for its client.
#[derive(Default)]
pub struct Memo {
    entries: Mutex<HashMap<String, Entry>>,
    hits: AtomicU64,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo").finish_non_exhaustive()
    }
}

impl Memo {
    /// The reading of `rel_id` made for this client at this data version, if there is one.
    pub fn get(&self, client_id: &str, rel_id: &str, version: i64) -> Option<Arc<Assessed>> {
        let entries = self.entries.lock().ok()?;
        let hit = entries
            .get(rel_id)
            .filter(|e| e.version == version && e.client_id == client_id)
            .map(|e| Arc::clone(&e.assessed));
        if hit.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        hit
    }

    /// How many pages were answered from memory since start (for tests and benchmarks).
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Keeps a reading made for this client from data read at or after `version`.
    pub fn put(&self, client_id: &str, rel_id: &str, version: i64, assessed: Arc<Assessed>) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY && !entries.contains_key(rel_id) {
            if let Some(victim) = entries.keys().next().cloned() {
                entries.remove(&victim);
            }
        }
        entries.insert(
            rel_id.to_owned(),
            Entry {
                client_id: client_id.to_owned(),
                version,
                assessed,
            },
        );
    }

    /// Drops everything kept for a client (their account is being deleted).
    pub fn forget_client(&self, client_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.client_id != client_id);
        }
    }

    /// How many relationships are kept (for tests).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
