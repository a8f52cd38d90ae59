//! The offline engine's human-readable report (`rapport assess --format text`): the same
//! assessment as the JSON, in words a person can read in a terminal or print.

use super::checkin::CheckIn;
use super::explain::explain;
use super::ruptures::{Severity, round1};
use super::status::Assessment;
use super::words::status_title;
use std::fmt::Write;

/// Renders an assessment of `checkins` as plain text: title, scores, reasons, ruptures, next step.
pub fn render_text(assessment: &Assessment, checkins: &[CheckIn]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", status_title(assessment.status));
    let _ = writeln!(out, "Check-ins read: {}", assessment.sessions);
    if !assessment.alliance.is_empty() {
        let _ = writeln!(out, "\nAlliance score by session (0-100)");
        for score in &assessment.alliance {
            let _ = writeln!(
                out,
                "  session {:>3}  {:>5.1}",
                score.session,
                round1(score.score)
            );
        }
    }
    if !assessment.reasons.is_empty() {
        let _ = writeln!(out, "\nWhy");
        for reason in &assessment.reasons {
            let _ = writeln!(out, "  - {}", explain(reason, checkins));
        }
    }
    if !assessment.ruptures.is_empty() {
        let _ = writeln!(out, "\nDips against your usual");
        for rupture in &assessment.ruptures {
            let size = match rupture.severity {
                Severity::Minor => "smaller",
                Severity::Major => "larger",
            };
            let back = match rupture.repaired_at {
                Some(session) => format!("back up by session {session}"),
                None => "not back up yet".to_owned(),
            };
            let _ = writeln!(
                out,
                "  - session {}: down {:.1} points ({size} dip), {back}",
                rupture.session,
                round1(rupture.drop)
            );
        }
    }
    let _ = writeln!(out, "\nNext step\n  {}", assessment.next_step);
    out
}
