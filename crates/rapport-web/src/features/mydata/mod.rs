//! The client's own data: downloading all of it (JSON, and FHIR for other health services) and
//! deleting the account for good, with its encryption key.

mod api;
pub mod erase;
pub mod export;
mod pages;

pub use api::router as api_router;
pub use pages::router as page_router;
