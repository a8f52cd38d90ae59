//! The therapist's reading of each shared relationship, kept in memory between caseload views.
//!
//! A caseload row needs the engine's reading of what the client shares: every check-in of the
//! relationship loaded, decrypted, parsed and assessed. Done on every view, that was nearly all
//! of a caseload's time (a therapist opens it many times a day, and it grows with every client
//! and every session). The reading only changes when the relationship or its check-ins change,
//! and database triggers move the client's `data_version` on every such change, whoever makes it
//! (this server, another replica, a command; see [`super::memo`], which does the same for the
//! client's own page). The caseload query reads each client's version with the relationship, so
//! a view re-reads only the relationships whose client's version moved since their reading was
//! made, in one query for all of them, and never shows less than the database held when the
//! view began.
//!
//! Kept here and not in a table: a reading is derived from check-ins that are encrypted at rest
//! with the client's key, so a stored copy would have to be sealed the same way, and a row
//! written by the check-in path would still go stale when a check-in is written elsewhere. The
//! cost is a first view after a start that reads every history once.
//!
//! Entries hold what the client shares and nothing more (the disclosed reading), are bounded,
//! and a client's entries are dropped when their account is deleted here.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rapport_core::alliance::{Assessment, Flag};
use rapport_store::relationships::Sharing;

/// How many relationships are kept; beyond that an arbitrary entry makes room.
const CAPACITY: usize = 20_000;

/// What a caseload row shows of one relationship's check-ins, as far as the client shares them.
#[derive(Debug)]
pub struct Reading {
    /// The reading of the shared part (status, trend, ruptures).
    pub assessment: Assessment,
    /// When the latest check-in was recorded, Unix ms.
    pub last_checkin_at: Option<i64>,
    /// Red flags ticked at the latest check-in (only when the client shares answers).
    pub red_flags: Option<Vec<Flag>>,
}

struct Entry {
    client_id: String,
    version: i64,
    sharing: Sharing,
    reading: Arc<Reading>,
}

/// Relationship id → the latest reading made for its therapist.
#[derive(Default)]
pub struct Readings {
    entries: Mutex<HashMap<String, Entry>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for Readings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readings").finish_non_exhaustive()
    }
}

impl Readings {
    /// The reading of `rel_id` made at this client data version under this sharing, if any.
    pub fn get(
        &self,
        rel_id: &str,
        client_id: &str,
        version: i64,
        sharing: Sharing,
    ) -> Option<Arc<Reading>> {
        let hit = self.entries.lock().ok().and_then(|entries| {
            entries
                .get(rel_id)
                .filter(|e| {
                    e.version == version && e.client_id == client_id && e.sharing == sharing
                })
                .map(|e| Arc::clone(&e.reading))
        });
        let counter = if hit.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        hit
    }

    /// Keeps a reading made from data read at or after `version`.
    pub fn put(
        &self,
        rel_id: &str,
        client_id: &str,
        version: i64,
        sharing: Sharing,
        reading: Arc<Reading>,
    ) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY
            && !entries.contains_key(rel_id)
            && let Some(victim) = entries.keys().next().cloned()
        {
            entries.remove(&victim);
        }
        entries.insert(
            rel_id.to_owned(),
            Entry {
                client_id: client_id.to_owned(),
                version,
                sharing,
                reading,
            },
        );
    }

    /// Drops everything kept for a client (their account is being deleted).
    pub fn forget_client(&self, client_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.client_id != client_id);
        }
    }

    /// Caseload rows answered from memory, and rows that had to be read, since start (for tests
    /// and benchmarks).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }
}
