//! One course's measures over time, for its therapist (where the client shares measures) and for
//! the client: each measure's scores with its clinical cut-off and reliable-change amount, and
//! the NHS Talking Therapies category of the first and last paired scores, said to be "so far"
//! while the relationship has not ended.

use rapport_core::instrument::{Definition, Direction};
use rapport_core::outcome::{CourseSummary, NhsOutcome, nhs_headline};
use rapport_store::outcomes::{self, CourseRow, MeasureRow};
use rapport_store::{audit, relationships, users};
use serde::Serialize;
use std::collections::HashMap;

use super::courses;
use crate::auth::{ClientScope, TherapistScope};
use crate::error::AppError;
use crate::features::instruments::registry;
use crate::state::AppState;

/// The measures an outcome view charts, in order. ORS only appears where its licensed text is
/// installed or the client has answered it.
pub const CHARTED: [&str; 3] = ["phq9", "gad7", "ors"];

/// A clinical cut-off as drawn on a chart.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Cutoff {
    /// The threshold.
    pub value: f64,
    /// Whether scores below it (ORS) rather than at or above it (PHQ-9, GAD-7) are clinical.
    pub clinical_below: bool,
    /// What it means, as published.
    pub meaning: String,
}

/// One measure's scores in the course.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Series {
    /// The instrument's id.
    pub instrument: String,
    /// The instrument's title.
    pub title: String,
    /// The highest possible total.
    pub max: f64,
    /// The clinical cut-off, where published.
    pub cutoff: Option<Cutoff>,
    /// The smallest reliable change in points, where published.
    pub reliable_change: Option<f64>,
    /// Whether a fall is an improvement (symptom measures).
    pub lower_is_better: bool,
    /// `(when, total)`, oldest first: each a pair `[Unix ms, total]`.
    #[schema(value_type = Vec<Vec<f64>>)]
    pub points: Vec<(i64, f64)>,
}

/// A course's outcome view.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomeView {
    /// The relationship.
    pub relationship_id: String,
    /// The client's name (therapist view) or the therapist's (client view).
    pub with: String,
    /// When the course started (the relationship was recorded), Unix ms.
    pub started_at: i64,
    /// When it ended, if it has.
    pub ended_at: Option<i64>,
    /// One series per charted measure.
    pub series: Vec<Series>,
    /// First and last scores.
    #[schema(value_type = Object)]
    pub course: CourseSummary,
    /// The NHS Talking Therapies category, with two paired scores or more.
    #[schema(value_type = Option<Object>)]
    pub nhs: Option<NhsOutcome>,
    /// That category in words.
    pub nhs_headline: Option<&'static str>,
    /// What the category is of, honestly: the end of the course, or so far.
    pub nhs_label: String,
}

fn series(def: &Definition, row: &CourseRow, measures: &[&MeasureRow]) -> Series {
    let scale = def.scale("total");
    let cutoff = scale.and_then(|s| s.cutoffs.first()).map(|c| Cutoff {
        value: c.rule.value,
        clinical_below: matches!(c.rule.direction, Direction::Below | Direction::AtOrBelow),
        meaning: c.meaning.clone(),
    });
    Series {
        instrument: def.id().to_owned(),
        title: def.title().to_owned(),
        max: scale.map_or(0.0, |s| s.max),
        lower_is_better: def.id() != "ors",
        cutoff,
        reliable_change: scale.and_then(|s| s.reliable_change),
        points: measures
            .iter()
            .filter(|m| m.instrument_id == def.id() && courses::in_window(row, m))
            .filter_map(|m| Some((m.created_at, m.total()?)))
            .collect(),
    }
}

/// The words for what the NHS category is of.
pub fn nhs_label(course: &CourseSummary) -> String {
    match (course.paired.is_some(), course.finished) {
        (false, _) => "Not enough paired scores yet: the NHS Talking Therapies category needs a PHQ-9 and a GAD-7 on the same day at two contacts or more.".to_owned(),
        (true, true) => "At the end of this course: first and last paired PHQ-9 and GAD-7 scores.".to_owned(),
        (true, false) => "So far, not at the end: this course has not ended, so this compares the first paired scores with the latest.".to_owned(),
    }
}

async fn build(
    state: &AppState,
    row: &CourseRow,
    measures: &[MeasureRow],
    with: String,
) -> Result<OutcomeView, AppError> {
    let registry = registry::current(state).await?;
    let refs: Vec<&MeasureRow> = measures.iter().collect();
    let series = CHARTED
        .iter()
        .filter_map(|id| registry.get(id))
        .map(|def| series(def, row, &refs))
        .filter(|s| {
            s.instrument != "ors"
                || !s.points.is_empty()
                || registry.get("ors").is_some_and(Definition::text_installed)
        })
        .collect();
    let course = courses::summary(row, &refs);
    let nhs = course.nhs();
    Ok(OutcomeView {
        relationship_id: row.relationship_id.clone(),
        with,
        started_at: row.created_at,
        ended_at: row.ended_at(),
        series,
        nhs_headline: nhs.as_ref().map(nhs_headline),
        nhs,
        nhs_label: nhs_label(&course),
        course,
    })
}

/// The therapist's view of a client's measures. Recorded in the client's audit log. A client of
/// theirs who keeps measures private is refused with that reason (and the attempt recorded);
/// anyone else's relationship is 404.
pub async fn for_therapist(
    state: &AppState,
    therapist: &TherapistScope,
    rel_id: &str,
) -> Result<OutcomeView, AppError> {
    let Some(row) = outcomes::shared_course(&state.db, &therapist.user.id, rel_id).await? else {
        let Some(rel) =
            relationships::get_shared_with(&state.db, &therapist.user.id, rel_id).await?
        else {
            return Err(AppError::NotFound);
        };
        audit::record(
            &state.db,
            &therapist.user.id,
            &rel.client_id,
            "refused_outcomes",
            &rel.id,
        )
        .await?;
        return Err(AppError::Refused(
            "This client shares their check-ins with you but keeps their measures private.".into(),
        ));
    };
    audit::record(
        &state.db,
        &therapist.user.id,
        &row.client_id,
        "view_outcomes",
        &row.relationship_id,
    )
    .await?;
    let measures = outcomes::shared_measures(&state.db, &therapist.user.id, rel_id).await?;
    let name = users::by_id(&state.db, &row.client_id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    build(state, &row, &measures, name).await
}

/// The client's own view of one of their courses; 404 for anyone else's.
pub async fn for_client(
    state: &AppState,
    client: &ClientScope,
    rel_id: &str,
) -> Result<OutcomeView, AppError> {
    let row = outcomes::own_course(&state.db, &client.user.id, rel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let measures = outcomes::own_measures(&state.db, &client.user.id).await?;
    let with = row.therapist_name.clone();
    build(state, &row, &measures, with).await
}

/// The latest score of one measure, for a caseload row.
#[derive(Clone, Debug, Serialize)]
pub struct Latest {
    /// The instrument's id.
    pub instrument: String,
    /// Its short name.
    pub name: &'static str,
    /// The latest total.
    pub total: f64,
    /// The first total of the course.
    pub first: f64,
    /// How many scores.
    pub count: usize,
}

/// The latest PHQ-9, GAD-7 and ORS of every course whose client shares measures with this
/// therapist, by relationship id (two queries for the whole caseload). A relationship missing
/// from the map keeps its measures private. The caseload view that shows these is recorded by
/// the caseload itself.
pub async fn latest_all(
    state: &AppState,
    therapist_id: &str,
) -> Result<HashMap<String, Vec<Latest>>, AppError> {
    let courses = outcomes::shared_courses(&state.db, therapist_id).await?;
    let measures = outcomes::therapist_measures(&state.db, therapist_id).await?;
    Ok(courses
        .iter()
        .map(|row| (row.relationship_id.clone(), latest_of(row, &measures)))
        .collect())
}

/// The latest of each caseload measure within one course's window.
fn latest_of(row: &CourseRow, measures: &[MeasureRow]) -> Vec<Latest> {
    let mut out = Vec::new();
    for (id, name) in [("phq9", "PHQ-9"), ("gad7", "GAD-7"), ("ors", "ORS")] {
        let scores: Vec<f64> = measures
            .iter()
            .filter(|m| {
                m.client_id == row.client_id && m.instrument_id == id && courses::in_window(row, m)
            })
            .filter_map(|m| m.total())
            .collect();
        if let (Some(first), Some(last)) = (scores.first(), scores.last()) {
            out.push(Latest {
                instrument: id.to_owned(),
                name,
                total: *last,
                first: *first,
                count: scores.len(),
            });
        }
    }
    out
}
