//! The instruments this deployment offers: the built-in definitions with the licensed item text
//! installed in the database.
//!
//! Text is installed into the database (not a local file) so that every replica offers the same
//! instruments. Each replica keeps the merged registry in memory together with the install
//! stamps it was built from, and compares those stamps with the database (one small query)
//! before use: text installed through any replica, or from the command line, is offered
//! everywhere at once without a restart.

use rapport_core::instrument::{Definition, LoadError, Registry};
use rapport_store::{Db, StoreError, instruments};
use std::sync::{Arc, OnceLock, PoisonError};

use crate::error::AppError;
use crate::state::AppState;

/// The merged registry as this server last built it, and the install stamps it reflects.
#[derive(Debug)]
pub struct Instruments {
    registry: Arc<Registry>,
    stamps: Vec<(String, i64)>,
}

impl Instruments {
    /// The built-in definitions with no installed text: what a new server starts from.
    pub fn builtin() -> Self {
        Instruments {
            registry: Arc::new(builtin()),
            stamps: Vec::new(),
        }
    }
}

/// The registry built from the database, and any installed text that no longer fits its
/// definition (refused, so that instrument stays "text not installed").
pub struct Loaded {
    /// Built-in definitions with every installed text that fits.
    pub registry: Registry,
    /// Install stamps of the texts read, for [`current`]'s freshness check.
    pub stamps: Vec<(String, i64)>,
    /// Installed texts that were refused, each naming the item and the reason.
    pub refused: Vec<LoadError>,
}

/// The shipped definitions, parsed once. They are compiled into the binary and checked by the
/// core's tests, so a failure here is a bug in a shipped file, not something a deployment can
/// cause.
pub fn builtin() -> Registry {
    static BUILTIN: OnceLock<Registry> = OnceLock::new();
    BUILTIN
        .get_or_init(|| match Registry::builtin() {
            Ok(registry) => registry,
            Err(e) => panic!("a shipped instrument definition is invalid: {e}"),
        })
        .clone()
}

/// Reads every installed text and overlays it on the built-in definitions.
pub async fn load(db: &Db) -> Result<Loaded, StoreError> {
    let texts = instruments::texts(db).await?;
    let mut registry = builtin();
    let mut refused = Vec::new();
    for text in &texts {
        if let Err(e) = registry.install_licensed_text(&text.instrument_id, &text.contents) {
            refused.push(e);
        }
    }
    Ok(Loaded {
        registry,
        stamps: texts
            .into_iter()
            .map(|t| (t.instrument_id, t.installed_at))
            .collect(),
        refused,
    })
}

/// The registry to use for this request, rebuilt only when installed text changed.
pub async fn current(state: &AppState) -> Result<Arc<Registry>, AppError> {
    let stamps = instruments::text_stamps(&state.db).await?;
    {
        let cached = state
            .instruments
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        if cached.stamps == stamps {
            return Ok(cached.registry.clone());
        }
    }
    let loaded = load(&state.db).await?;
    for e in &loaded.refused {
        tracing::warn!(problem = %e, "installed instrument text no longer fits its definition; not offered");
    }
    let registry = Arc::new(loaded.registry);
    *state
        .instruments
        .write()
        .unwrap_or_else(PoisonError::into_inner) = Instruments {
        registry: registry.clone(),
        stamps: loaded.stamps,
    };
    Ok(registry)
}

/// Builds the registry once the schema is ready, so a server starts offering installed text at
/// once and says at start-up, in the log, which stored text no longer fits its definition.
pub async fn load_at_start(state: &AppState) {
    if let Err(e) = current(state).await {
        tracing::warn!(error = %e, "instruments: installed text not loaded yet; retried on first use");
    }
}

/// Checks `contents` (a JSON object of item id to text) against instrument `id` and stores it
/// for every replica. All or nothing: a file with a missing, empty or unknown item is refused
/// with each problem named, and nothing is stored. Returns the definition with its text.
pub async fn install_text(db: &Db, id: &str, contents: &str) -> Result<Definition, AppError> {
    let mut registry = builtin();
    if registry.get(id).is_none() {
        return Err(AppError::NotFound);
    }
    registry
        .install_licensed_text(id, contents)
        .map_err(|e| AppError::Invalid(e.problems.0))?;
    instruments::put_text(db, id, contents).await?;
    registry.get(id).cloned().ok_or(AppError::NotFound)
}
