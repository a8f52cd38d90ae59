//! The care lifecycle: a therapist's published week, booking and cancelling (never ghosting),
//! the waitlist that fills freed slots, leaving well with a referral, reminders and the e-mail
//! outbox, and calendars. The rules are the core's (`rapport_core::care`); the services here are
//! shared by the pages and the API.

mod api;
mod api_ending;
pub mod booking;
pub mod calendar;
pub mod ending;
pub mod mail;
pub mod outbox;
mod pages_client;
mod pages_end;
mod pages_offers;
mod pages_practice;
mod pages_referral;
mod view;
pub mod waitlist;
pub mod week;
pub mod worker;

pub use api::router as api_router;
pub use worker::spawn as spawn_worker;

/// The client, therapist, admin and calendar pages.
pub fn page_router() -> axum::Router<crate::state::AppState> {
    pages_client::router()
        .merge(pages_end::router())
        .merge(pages_offers::router())
        .merge(pages_practice::router())
        .merge(pages_referral::router())
}
