//! Rapport's pure domain core.
//!
//! Nothing here does I/O, async or knows about HTTP or SQL: every rule of the product (how a
//! check-in is read, how an instrument is scored, how therapists are matched) lives here so that
//! the web app, the CLI and the offline engine all give the same answer.

pub mod alliance;
pub mod care;
pub mod crisis;
pub mod dates;
pub mod error;
pub mod feedback;
pub mod fhir;
pub mod ids;
pub mod instrument;
pub mod matching;
pub mod outcome;
pub mod places;
pub mod vocabulary;
pub mod zone;

pub use error::{FieldError, Invalid};
