//! The in-memory directory every match is answered from, and how it stays equal to the
//! `listings` table without a restart.
//!
//! Matching never touches the database: the core's [`Index`] is loaded once (at start by
//! [`keep_current`], or on first use when a server was started without it, as in tests), and
//! every listing write made through this server goes through [`Directory::update`], which writes
//! the database first and then the index, one writer at a time so the two cannot disagree.
//! Writes made elsewhere (another replica, `rapport directory import`) are picked up by
//! [`Directory::refresh`], which [`keep_current`] runs every few seconds.

use rapport_core::matching::{
    Index, Listing, MatchResponse, Offered, Request, Weights, parse_listing,
};
use rapport_store::{Db, listings};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{Mutex, OnceCell};

use crate::error::AppError;
use crate::state::AppState;

/// Listings are put into the index this many at a time, so searches wait at most for one batch.
const BATCH: usize = 1_000;

/// How far back a refresh looks past the newest change it has seen: a row is stamped before its
/// transaction commits (a long import) or by a replica whose clock runs a little behind, so it can
/// appear with an older time than rows already seen. Rows in this window are compared by version,
/// so looking back costs one small query, not re-reading listings.
const CLOCK_SLACK_MS: i64 = 60_000;

/// How often [`keep_current`] looks for listings changed elsewhere.
const REFRESH_EVERY: Duration = Duration::from_secs(5);

/// The searchable directory of a running server.
#[derive(Default)]
pub struct Directory {
    index: OnceCell<RwLock<Index>>,
    /// Held for the whole of a write (database, then index) and of a refresh.
    writes: Mutex<Seen>,
    /// What the forms offer, read off the index on first need after each change (reading it
    /// walks every posting list, too much to do for every page).
    offered: RwLock<Option<Arc<Offered>>>,
}

/// Which stored versions the index already holds, so a refresh reads only what changed.
#[derive(Default)]
struct Seen {
    /// The newest `updated_at` seen.
    newest: i64,
    /// `updated_at` per id, for the rows inside the look-back window.
    applied: HashMap<String, i64>,
}

impl Seen {
    fn record(&mut self, versions: impl IntoIterator<Item = (String, i64)>) {
        for (id, at) in versions {
            self.newest = self.newest.max(at);
            self.applied.insert(id, at);
        }
        let horizon = self.newest - CLOCK_SLACK_MS;
        self.applied.retain(|_, at| *at >= horizon);
    }
}

impl fmt::Debug for Directory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self
            .index
            .get()
            .and_then(|i| i.read().ok().map(|i| i.len()));
        f.debug_struct("Directory").field("listings", &len).finish()
    }
}

fn poisoned<T>(_: T) -> AppError {
    AppError::Internal("the directory lock was poisoned by a panic".into())
}

/// Reads stored rows into listings. A row that no longer parses (written by an older version or
/// by hand) is left out of matching and logged by id; it never stops the directory loading.
fn parse_rows(rows: Vec<(String, String, i64)>) -> (Vec<Listing>, Vec<(String, i64)>) {
    let versions = rows.iter().map(|(id, _, at)| (id.clone(), *at)).collect();
    let listings = rows
        .into_iter()
        .filter_map(|(id, data, _)| {
            let parsed = serde_json::from_str(&data)
                .map_err(|e| e.to_string())
                .and_then(|v| parse_listing(&v).map_err(|e| e.to_string()));
            match parsed {
                Ok(l) => Some(l),
                Err(e) => {
                    tracing::warn!(listing = %id, error = %e, "stored listing left out of matching");
                    None
                }
            }
        })
        .collect();
    (listings, versions)
}

impl Directory {
    async fn index(&self, db: &Db) -> Result<&RwLock<Index>, AppError> {
        self.index
            .get_or_try_init(|| async {
                let mut seen = self.writes.lock().await;
                let rows = listings::all_rows(db).await?;
                let (index, versions) = tokio::task::spawn_blocking(move || {
                    let (listings, versions) = parse_rows(rows);
                    (Index::build(listings), versions)
                })
                .await
                .map_err(|e| AppError::Internal(format!("building the directory: {e}")))?;
                seen.record(versions);
                tracing::info!(listings = index.len(), "directory loaded");
                Ok(RwLock::new(index))
            })
            .await
    }

    /// Loads the directory now if it is not loaded yet.
    pub async fn load(&self, db: &Db) -> Result<(), AppError> {
        self.index(db).await.map(|_| ())
    }

    /// How many listings can be matched.
    pub async fn len(&self, db: &Db) -> Result<usize, AppError> {
        Ok(self.index(db).await?.read().map_err(poisoned)?.len())
    }

    /// Whether a listing with this id can be matched.
    pub async fn contains(&self, db: &Db, id: &str) -> Result<bool, AppError> {
        Ok(self.index(db).await?.read().map_err(poisoned)?.contains(id))
    }

    /// Answers a request from memory under the deployment's weights (the read lock is held only
    /// while the engine runs).
    pub async fn search(
        &self,
        db: &Db,
        req: &Request,
        weights: &Weights,
    ) -> Result<MatchResponse, AppError> {
        Ok(self
            .index(db)
            .await?
            .read()
            .map_err(poisoned)?
            .search_with(req, weights))
    }

    /// The jurisdictions, languages, currencies and insurers of the listings now in the
    /// directory: what the forms offer, so every choice can match someone.
    pub async fn offered(&self, db: &Db) -> Result<Arc<Offered>, AppError> {
        let index = self.index(db).await?;
        if let Some(o) = self.offered.read().map_err(poisoned)?.as_ref() {
            return Ok(o.clone());
        }
        let held = index.read().map_err(poisoned)?;
        let fresh = Arc::new(held.offered());
        *self.offered.write().map_err(poisoned)? = Some(fresh.clone());
        drop(held);
        Ok(fresh)
    }

    /// Forgets the offer after the index changed. The offer is stored while the index is held
    /// for reading, so an offer read before a change can never be stored after it is forgotten.
    fn stale_offer(&self) -> Result<(), AppError> {
        *self.offered.write().map_err(poisoned)? = None;
        Ok(())
    }

    /// Runs `save` (the database write) and then puts `changed` into the index, with no other
    /// write in between. When `save` fails, the index is left untouched.
    pub async fn update<T>(
        &self,
        db: &Db,
        changed: Vec<Listing>,
        save: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let index = self.index(db).await?;
        let _one_writer = self.writes.lock().await;
        let out = save.await?;
        upsert(index, changed)?;
        self.stale_offer()?;
        Ok(out)
    }

    /// Takes a listing already deleted from the database out of matching (a refresh only sees
    /// rows that still exist, so a deletion must say so itself).
    pub async fn forget(&self, db: &Db, id: &str) -> Result<(), AppError> {
        let index = self.index(db).await?;
        let _one_writer = self.writes.lock().await;
        index.write().map_err(poisoned)?.remove(id);
        self.stale_offer()
    }

    /// Brings a loaded directory up to date with listings written by anyone else: asks which
    /// rows changed recently (ids and times only) and reads just the ones not yet applied.
    pub async fn refresh(&self, db: &Db) -> Result<usize, AppError> {
        let Some(index) = self.index.get() else {
            return Ok(0);
        };
        let mut seen = self.writes.lock().await;
        let versions = listings::versions_since(db, seen.newest - CLOCK_SLACK_MS).await?;
        let stale: Vec<String> = versions
            .into_iter()
            .filter(|(id, at)| seen.applied.get(id) != Some(at))
            .map(|(id, _)| id)
            .collect();
        if stale.is_empty() {
            return Ok(0);
        }
        let (changed, versions) = parse_rows(listings::rows_by_ids(db, &stale).await?);
        let n = changed.len();
        upsert(index, changed)?;
        seen.record(versions);
        self.stale_offer()?;
        Ok(n)
    }
}

fn upsert(index: &RwLock<Index>, mut changed: Vec<Listing>) -> Result<(), AppError> {
    while !changed.is_empty() {
        let rest = changed.split_off(changed.len().min(BATCH));
        let mut guard = index.write().map_err(poisoned)?;
        for listing in changed {
            guard.upsert(listing);
        }
        drop(guard);
        changed = rest;
    }
    Ok(())
}

/// Loads the directory as soon as the database answers, then keeps it current with writes made
/// by other servers or the command line. Runs until the process ends; `rapport serve` spawns it.
pub async fn keep_current(state: AppState) {
    let mut wait = Duration::from_millis(200);
    while let Err(e) = state.directory.load(&state.db).await {
        tracing::warn!(error = %e, "directory not loaded yet; retrying");
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(10));
    }
    loop {
        tokio::time::sleep(REFRESH_EVERY).await;
        match state.directory.refresh(&state.db).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(listings = n, "directory refreshed"),
            Err(e) => tracing::warn!(error = %e, "directory refresh failed"),
        }
    }
}
