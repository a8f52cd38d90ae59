//! Practice administration: the therapists of a practice, their waitlists at a glance,
//! aggregate outcomes with empirical-Bayes shrinkage, per-concern effectiveness written back to
//! listings with each therapist's consent, and a CSV export of the aggregates.
//!
//! An administrator belongs to one practice and reaches only it: every route takes a
//! [`scope::PracticeScope`], which refuses (and records) any other.

mod api;
pub mod csv;
mod pages;
pub mod scope;
pub mod service;

pub use api::router as api_router;
pub use pages::router as page_router;
