//! Questionnaires as data: definitions, loading and validation, scoring, licensed-text overlay.
//!
//! Each instrument is one JSON file in `instruments/` (format in [`schema`](self::schema)),
//! compiled into the binary and checked when loaded, so scoring rules live in reviewable data
//! rather than code. Instruments whose item text is licensed ship with scoring only; a site that
//! holds a licence installs the text with [`Registry::install_licensed_text`], and until then the
//! instrument reports [`TextStatus::NotInstalled`] and is not offered to clients.

mod answers;
mod definition;
mod registry;
mod scale;
pub mod schema;
mod score;
mod validate;
mod validate_scale;

pub use answers::{Answer, Answers};
pub use definition::{Choice, ChoiceValue, Definition, Item, Loinc, Poles, Response, TextStatus};
pub use registry::{BUILTIN, LoadError, Registry};
pub use scale::{Band, Cutoff, Direction, Flag, Method, Rule, Scale};
pub use score::{SRS_DROP_POINTS, ScaleScore, Scored, score, score_answers, srs_drop};
