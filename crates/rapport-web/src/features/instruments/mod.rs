//! Measures: the instruments this site offers (PHQ-9, GAD-7, C-NIP, and licensed WAI-SR, SRS and
//! ORS once a site installs their text), scored exactly as published, stored per client, and
//! exported as FHIR.

mod api;
pub mod fhir;
mod form;
mod pages;
pub mod registry;
pub mod service;
mod view;

pub use api::router as api_router;
pub use pages::router as page_router;
pub use registry::Instruments;
