//! What the relationship pages show, derived once from a loaded relationship so templates only
//! print fields.

use askama::Template;
use rapport_core::alliance::{self, Assessment, CheckIn, Status};
use rapport_core::care::Stage;
use rapport_store::relationships::{Phase, Relationship};

use super::chart;
use super::service::Loaded;
use crate::error::AppError;

/// One row of the data table under the chart.
pub struct Row {
    /// Session number.
    pub session: u32,
    /// Alliance score, one decimal.
    pub score: String,
    /// Red flags ticked, in words ("" when none).
    pub flags: String,
    /// Whether a rupture was found here.
    pub rupture: bool,
}

/// The reading of a relationship in words.
pub struct Reading {
    /// Status word (`speak_up`), for CSS and tests.
    pub status: &'static str,
    /// Status in plain words.
    pub title: &'static str,
    /// The next step.
    pub next_step: String,
    /// Each reason as a sentence quoting the client's answers.
    pub reasons: Vec<String>,
    /// Rows for the data table.
    pub rows: Vec<Row>,
    /// Whether to show the stop-and-report block.
    pub act_now: bool,
    /// Whether to offer the ending and re-matching.
    pub reconsider: bool,
    /// Whether to offer the speak-up note: the reading calls for one, the relationship runs, and
    /// no note was sent since the latest check-in.
    pub offer_note: bool,
    /// Whether a note was sent since the latest check-in (the page says so instead of offering
    /// another).
    pub note_sent: bool,
    /// Whether to offer a check-in: not once the relationship has ended.
    pub offer_checkin: bool,
    /// The stage word when the client is stopping or has stopped (`ending`, `ended`), else "".
    pub stopping: &'static str,
    /// Number of check-ins.
    pub count: usize,
}

impl Reading {
    /// Derives the reading of `a` from `checkins`, the answers it rests on (all of them for the
    /// client; for a therapist only the shared ones, none under trend sharing), and from where
    /// the relationship stands (`phase`, known for the client's own page).
    pub fn of(
        a: &Assessment,
        checkins: &[CheckIn],
        phase: Option<&Phase>,
        last_checkin_at: Option<i64>,
    ) -> Reading {
        let rows = a
            .alliance
            .iter()
            .map(|p| {
                let c = checkins.iter().find(|c| c.session == p.session);
                let flags = c
                    .map(|c| {
                        c.flags
                            .iter()
                            .map(|f| f.text().trim_end_matches('.').to_owned())
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                    .unwrap_or_default();
                Row {
                    session: p.session,
                    score: format!("{:.1}", alliance::round1(p.score)),
                    flags,
                    rupture: a.ruptures.iter().any(|r| r.session == p.session),
                }
            })
            .collect();
        let latest_need = checkins.last().and_then(|c| c.need.as_ref()).is_some();
        let stage = phase.map_or(Stage::Active, |p| p.stage);
        let stopping = match stage {
            Stage::Ending | Stage::Ended => stage.as_str(),
            Stage::Consultation | Stage::Active => "",
        };
        let note_sent = phase
            .and_then(|p| p.last_note_at)
            .is_some_and(|sent| last_checkin_at.is_none_or(|c| sent >= c));
        let calls_for_note =
            matches!(a.status, Status::SpeakUp | Status::Reconsider) || latest_need;
        Reading {
            status: a.status.as_str(),
            title: alliance::status_title(a.status),
            next_step: a.next_step.clone(),
            reasons: a
                .reasons
                .iter()
                .map(|r| alliance::explain(r, checkins))
                .collect(),
            rows,
            act_now: a.status == Status::ActNow,
            reconsider: a.status == Status::Reconsider && stopping.is_empty(),
            offer_note: calls_for_note && stopping.is_empty() && !note_sent,
            note_sent: calls_for_note && stopping.is_empty() && note_sent,
            offer_checkin: stage != Stage::Ended,
            stopping,
            count: a.sessions,
        }
    }
}

/// The reading part of the relationship page (`relationship_reading.html`).
#[derive(Template)]
#[template(path = "relationship_reading.html")]
struct ReadingPart<'a> {
    rel: &'a Relationship,
    v: Reading,
    chart: String,
    report_url: &'a str,
    help_url: &'a str,
}

/// The reading of a relationship as page HTML: status, reasons, next step, chart and table. It
/// depends on the relationship and the deployment's settings only, never on the request, so it
/// can be kept and reused while the relationship is unchanged.
pub fn reading_html(l: &Loaded, report_url: &str, help_url: &str) -> Result<String, AppError> {
    ReadingPart {
        rel: &l.rel,
        v: Reading::of(
            &l.assessment,
            &l.checkins,
            l.phase.as_ref(),
            l.last_checkin_at,
        ),
        chart: chart::trend_svg("trend", &l.assessment, &l.checkins),
        report_url,
        help_url,
    }
    .render()
    .map_err(|e| AppError::Internal(format!("template: {e}")))
}

pub use crate::pages::date_time;
