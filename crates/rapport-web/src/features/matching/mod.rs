//! Matching in the app: the directory in memory, the match API, the client's preferences,
//! results, shortlist and consultation requests, the therapist's listing, the administrator's
//! import, and the fit profile that re-matching after an ending uses.
//!
//! The rules and the engine are the core's (`rapport_core::matching`); this module only loads
//! and saves, keeps the in-memory [`Directory`] equal to the database, and shows the results.

mod api;
pub mod demo;
mod directory;
pub mod fit;
mod form;
mod import_page;
mod listing_form;
mod pages;
pub mod places;
mod prefs_form;
mod profile;
mod requests;
pub mod service;
pub mod shortlist;
mod shortlist_pages;

pub use api::router as api_router;
pub use directory::{Directory, keep_current};
pub use fit::apply_ending;

/// The client, therapist and administrator pages.
pub fn page_router() -> axum::Router<crate::state::AppState> {
    pages::router()
        .merge(profile::router())
        .merge(import_page::router())
        .merge(requests::router())
}
