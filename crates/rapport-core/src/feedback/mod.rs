//! Feedback for therapists: which events on a shared relationship raise an alert, and what
//! clients said when they ended, pooled so that no one can be identified.
//!
//! Both are rules about what a therapist may be told, so they live here, pure, where tests can
//! hold them to the letter; the web layer only decides *whether* a relationship is shared.

mod alerts;
mod caseload;
mod pooled;

pub use alerts::{
    AckNote, AlertDraft, AlertKind, PHQ9_FREQUENCY, SRS_CONCERN_BELOW, checkin_alerts,
    measure_alerts,
};
pub use caseload::{DAY_MS, is_overdue};
pub use pooled::{MIN_ENDINGS, PooledEndings, pool_endings};
