//! NHS Talking Therapies (formerly IAPT) outcome categories for a finished course.
//!
//! These are the categories services report nationally, so Rapport computes them exactly as the
//! programme defines them from the first and last paired PHQ-9 and GAD-7 scores, letting a
//! practice compare itself with published figures.

use crate::{FieldError, Invalid};
use serde::Serialize;

/// PHQ-9 at or above this is at caseness for depression.
pub const PHQ9_CASENESS: u8 = 10;
/// GAD-7 at or above this is at caseness for anxiety.
pub const GAD7_CASENESS: u8 = 8;
/// A PHQ-9 change of this many points or more is reliable.
pub const PHQ9_RELIABLE: u8 = 6;
/// A GAD-7 change of this many points or more is reliable.
pub const GAD7_RELIABLE: u8 = 4;

/// How one symptom measure moved between the first and last scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureChange {
    /// Fell by at least the reliable-change amount (an improvement).
    ReliableDecrease,
    /// Rose by at least the reliable-change amount (a deterioration).
    ReliableIncrease,
    /// Moved less than the reliable-change amount.
    NoReliableChange,
}

/// Recovery, which only applies to people who started at caseness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recovery {
    /// Started at caseness and (with the rule's other conditions) ended below it on both.
    Recovered,
    /// Started at caseness and did not meet the rule.
    NotRecovered,
    /// Started below caseness on both measures, so recovery does not apply.
    NotAtCaseness,
}

/// The NHS Talking Therapies reading of one finished course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NhsOutcome {
    /// PHQ-9 ≥ 10 or GAD-7 ≥ 8 at the first paired score.
    pub caseness_at_start: bool,
    /// PHQ-9 ≥ 10 or GAD-7 ≥ 8 at the last paired score.
    pub caseness_at_end: bool,
    /// How the PHQ-9 moved (reliable at 6 points).
    pub phq9: MeasureChange,
    /// How the GAD-7 moved (reliable at 4 points).
    pub gad7: MeasureChange,
    /// A reliable decrease on at least one measure and no reliable increase on the other.
    pub reliable_improvement: bool,
    /// A reliable increase on at least one measure and no reliable decrease on the other.
    pub reliable_deterioration: bool,
    /// At caseness at the start, below caseness on both measures at the end.
    pub recovery: Recovery,
    /// Recovery and reliable improvement together.
    pub reliable_recovery: Recovery,
}

/// Categorises a course from its first and last paired scores (PHQ-9 0-27, GAD-7 0-21); a score
/// out of range is refused naming its field, since a typo would otherwise change the category.
pub fn nhs_category(
    phq9_first: u8,
    phq9_last: u8,
    gad7_first: u8,
    gad7_last: u8,
) -> Result<NhsOutcome, Invalid> {
    let checks = [
        ("phq9_first", phq9_first, 27),
        ("phq9_last", phq9_last, 27),
        ("gad7_first", gad7_first, 21),
        ("gad7_last", gad7_last, 21),
    ];
    let problems: Vec<FieldError> = checks
        .iter()
        .filter(|(_, value, max)| value > max)
        .map(|(field, _, max)| {
            FieldError::new(*field, format!("must be a whole number from 0 to {max}"))
        })
        .collect();
    if !problems.is_empty() {
        return Err(Invalid(problems));
    }
    let at_caseness = |phq9: u8, gad7: u8| phq9 >= PHQ9_CASENESS || gad7 >= GAD7_CASENESS;
    let caseness_at_start = at_caseness(phq9_first, gad7_first);
    let caseness_at_end = at_caseness(phq9_last, gad7_last);
    let phq9 = change(phq9_first, phq9_last, PHQ9_RELIABLE);
    let gad7 = change(gad7_first, gad7_last, GAD7_RELIABLE);
    let any = |wanted: MeasureChange| phq9 == wanted || gad7 == wanted;
    let reliable_improvement =
        any(MeasureChange::ReliableDecrease) && !any(MeasureChange::ReliableIncrease);
    let reliable_deterioration =
        any(MeasureChange::ReliableIncrease) && !any(MeasureChange::ReliableDecrease);
    let recovered = caseness_at_start && !caseness_at_end;
    let applies = |holds: bool| match (caseness_at_start, holds) {
        (false, _) => Recovery::NotAtCaseness,
        (true, true) => Recovery::Recovered,
        (true, false) => Recovery::NotRecovered,
    };
    Ok(NhsOutcome {
        caseness_at_start,
        caseness_at_end,
        phq9,
        gad7,
        reliable_improvement,
        reliable_deterioration,
        recovery: applies(recovered),
        reliable_recovery: applies(recovered && reliable_improvement),
    })
}

fn change(first: u8, last: u8, reliable: u8) -> MeasureChange {
    if first >= last.saturating_add(reliable) {
        MeasureChange::ReliableDecrease
    } else if last >= first.saturating_add(reliable) {
        MeasureChange::ReliableIncrease
    } else {
        MeasureChange::NoReliableChange
    }
}
