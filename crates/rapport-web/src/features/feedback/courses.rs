//! Courses of therapy read from stored rows: which measures fall in a course's window, and the
//! core's summary of them, grouped per therapist for the aggregate views.

use std::collections::{BTreeMap, HashMap};

use rapport_core::outcome::{CourseSummary, Score, summarise};
use rapport_store::outcomes::{CourseRow, MeasureRow};

/// Whether a measure belongs to a course: the course's client answered it between the day the
/// relationship was recorded and the day it ended (or now, while it runs).
pub fn in_window(row: &CourseRow, m: &MeasureRow) -> bool {
    m.client_id == row.client_id
        && m.created_at >= row.created_at
        && row.ended_at().is_none_or(|end| m.created_at <= end)
}

/// The totals of one instrument in a course, as the core's whole-number scores.
pub fn scores(row: &CourseRow, measures: &[&MeasureRow], instrument: &str) -> Vec<Score> {
    measures
        .iter()
        .filter(|m| m.instrument_id == instrument && in_window(row, m))
        .filter_map(|m| {
            let total = m.total()?;
            Some(Score {
                at: m.created_at,
                total: total.round().clamp(0.0, 255.0) as u8,
            })
        })
        .collect()
}

/// The core's summary of one course from its client's measures.
pub fn summary(row: &CourseRow, measures: &[&MeasureRow]) -> CourseSummary {
    summarise(
        &scores(row, measures, "phq9"),
        &scores(row, measures, "gad7"),
        row.finished(),
    )
}

/// Every course's summary, grouped by therapist, with the pooled summaries of deleted clients
/// (stored as JSON) added to their therapist's list.
pub fn by_therapist(
    rows: &[CourseRow],
    measures: &[MeasureRow],
    pooled: &[(String, String)],
) -> BTreeMap<String, Vec<CourseSummary>> {
    let mut per_client: HashMap<&str, Vec<&MeasureRow>> = HashMap::new();
    for m in measures {
        per_client.entry(m.client_id.as_str()).or_default().push(m);
    }
    let mut out: BTreeMap<String, Vec<CourseSummary>> = BTreeMap::new();
    for row in rows {
        let Some(therapist) = &row.therapist_id else {
            continue;
        };
        let mine = per_client
            .get(row.client_id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        out.entry(therapist.clone())
            .or_default()
            .push(summary(row, mine));
    }
    for (therapist, json) in pooled {
        match serde_json::from_str::<CourseSummary>(json) {
            Ok(s) => out.entry(therapist.clone()).or_default().push(s),
            Err(e) => {
                tracing::warn!(error = %e, "a pooled course summary does not parse; left out")
            }
        }
    }
    out
}
