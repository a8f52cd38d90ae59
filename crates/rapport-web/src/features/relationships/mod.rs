//! Therapy relationships and the alliance check-in: the client's record of each therapist, the
//! one-minute check-in, the reading of it, sharing, the speak-up note, and the therapist's view
//! of what clients share.

mod api;
mod caseload;
pub mod chart;
mod form;
pub mod memo;
mod pages;
pub mod readings;
pub mod service;
pub mod view;

pub use api::router as api_router;

/// The client and therapist pages.
pub fn page_router() -> axum::Router<crate::state::AppState> {
    pages::router().merge(caseload::router())
}
