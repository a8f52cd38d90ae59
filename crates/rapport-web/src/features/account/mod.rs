//! Accounts: sign-up, login, logout, password changes and API tokens, as pages and as API.

mod api;
pub mod kept;
mod pages;
pub mod service;

pub use api::router as api_router;
pub use pages::router as page_router;
