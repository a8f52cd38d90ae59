//! Feedback-informed treatment for therapists: alerts on shared relationships, each client's
//! measures over the course (and the client's own view of them), pooled feedback from endings,
//! their own outcome rates and per-concern effectiveness, and the settings that go with them
//! (when a check-in is overdue; consent to publishing effectiveness for matching).
//!
//! The rules (what raises an alert, the 5-ending pool, the 15-case rating, the NHS category) are
//! the core's; the sharing checks are the store's `WHERE` clauses; this module loads, records
//! every view in the client's audit log, and shows.

pub mod alerts;
mod api;
pub mod chart;
pub mod courses;
pub mod effectiveness;
pub mod outcomes;
mod pages;
pub mod pooled;
pub mod settings;
pub mod view;

pub use api::router as api_router;
pub use pages::router as page_router;
