//! The alliance engine: reads the Rapport Alliance Check-in and tells a client, session by
//! session, whether a working alliance is forming (`design/alliance-model.md`).
//!
//! Pure and deterministic, so the web app, the JSON API, the CLI's offline `rapport assess` and
//! research scripts all give the same answer. One job per file:
//!
//! - [`items`]: the instrument's texts, as data for forms;
//! - `checkin` / `parse`: the check-in types and their one parser;
//! - `indicators`: the per-session score and signs; `ruptures`: drops against the client's usual;
//! - `status`: the status rules and reasons; `words` / `explain`: the product's voice;
//! - `note`: the drafted speak-up note; `report`: the offline text report;
//! - `disclosure`: what a therapist may see, by the client's sharing choice.

mod checkin;
mod disclosure;
mod explain;
mod indicators;
pub mod items;
mod note;
mod parse;
mod report;
mod ruptures;
mod status;
mod words;

pub use checkin::{CheckIn, Flag, LeftFeeling, Sign};
pub use disclosure::{Disclosed, Disclosure, disclose};
pub use explain::explain;
pub use indicators::{
    alliance_score, dread_with_leaving_bad, is_dread_about_work, is_problem,
    is_productive_discomfort, is_transference, low_trust, problem_flags,
};
pub use items::{
    FLAGS, FLAGS_HEADING, LEFT_FEELING_TEXT, LEFT_FEELINGS, MISCONDUCT_TEXT, NEED_TEXT,
    RAISED_TEXT, REPAIR_ANCHORS, REPAIR_TEXT, SIGN_ANCHORS, SIGNS, STIRRED_ANCHORS, STIRRED_TEXT,
    TOWARD_THERAPIST_TEXT,
};
pub use note::draft_note;
pub use parse::{NEED_MAX_CHARS, parse_checkin, parse_history, parse_history_value};
pub use report::render_text;
pub use ruptures::{MIN_EARLIER, Rupture, SIGMA_FLOOR, Severity, find_ruptures, round1};
pub use status::{Assessment, Reason, ReasonCode, SessionScore, Status, assess};
pub use words::{next_step, status_title};
