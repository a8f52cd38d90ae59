//! Per-concern effectiveness, as in Constantino et al. 2021 (JAMA Psychiatry) after Kraus et al.
//! 2011: in each problem domain a therapist is *effective* when their average client there
//! improved reliably, *ineffective* when their average client got reliably worse, and *neutral*
//! otherwise, and is rated only from at least [`MIN_CASES`] past cases in that domain.
//!
//! Rapport measures two domains: depression (PHQ-9) and anxiety (GAD-7). A course is a case in
//! a domain when its first score there was at caseness (a client who started without depression
//! cannot show a therapist's skill with depression); its change is first − last, so a positive
//! number is an improvement, and "reliably" means by the measure's reliable-change amount.

use super::course::CourseSummary;
use super::nhs::{GAD7_CASENESS, GAD7_RELIABLE, PHQ9_CASENESS, PHQ9_RELIABLE};
use crate::matching::{Concern, Rating};
use serde::Serialize;

/// The fewest cases in a domain that give a rating (Constantino et al. 2021).
pub const MIN_CASES: usize = 15;

/// A problem domain Rapport has a measure for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// Measured by the PHQ-9.
    Depression,
    /// Measured by the GAD-7.
    Anxiety,
}

impl Domain {
    /// Both domains, in the order pages list them.
    pub const ALL: [Domain; 2] = [Domain::Depression, Domain::Anxiety];

    /// The directory concern this domain rates.
    pub fn concern(self) -> Concern {
        match self {
            Domain::Depression => Concern::Depression,
            Domain::Anxiety => Concern::Anxiety,
        }
    }

    /// The measure's id.
    pub fn instrument(self) -> &'static str {
        match self {
            Domain::Depression => "phq9",
            Domain::Anxiety => "gad7",
        }
    }

    /// Caseness on the domain's measure.
    pub fn caseness(self) -> u8 {
        match self {
            Domain::Depression => PHQ9_CASENESS,
            Domain::Anxiety => GAD7_CASENESS,
        }
    }

    /// The reliable-change amount on the domain's measure.
    pub fn reliable(self) -> u8 {
        match self {
            Domain::Depression => PHQ9_RELIABLE,
            Domain::Anxiety => GAD7_RELIABLE,
        }
    }

    /// The change (first − last) of a course that is a case in this domain.
    pub fn case_change(self, course: &CourseSummary) -> Option<f64> {
        let (first, last) = match self {
            Domain::Depression => course.phq9,
            Domain::Anxiety => course.gad7,
        }?;
        (first >= self.caseness()).then_some(f64::from(first) - f64::from(last))
    }
}

/// A therapist's standing in one domain.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DomainResult {
    /// The domain.
    pub domain: Domain,
    /// Cases in it.
    pub cases: usize,
    /// The average change (first − last) over those cases, when there are any.
    pub mean_change: Option<f64>,
    /// The rating, only from [`MIN_CASES`] cases.
    pub rating: Option<Rating>,
}

/// Rates a therapist in `domain` from all their courses.
pub fn rate(domain: Domain, courses: &[CourseSummary]) -> DomainResult {
    let changes: Vec<f64> = courses
        .iter()
        .filter_map(|c| domain.case_change(c))
        .collect();
    let cases = changes.len();
    let mean_change = (cases > 0).then(|| changes.iter().sum::<f64>() / cases as f64);
    let reliable = f64::from(domain.reliable());
    let rating = match mean_change {
        Some(_) if cases < MIN_CASES => None,
        Some(m) if m >= reliable => Some(Rating::Effective),
        Some(m) if m <= -reliable => Some(Rating::Ineffective),
        Some(_) => Some(Rating::Neutral),
        None => None,
    };
    DomainResult {
        domain,
        cases,
        mean_change,
        rating,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(first: u8, last: u8) -> CourseSummary {
        CourseSummary {
            phq9: Some((first, last)),
            ..CourseSummary::default()
        }
    }

    #[test]
    fn fourteen_cases_give_no_rating_and_the_fifteenth_does() {
        let mut courses = vec![dep(18, 8); 14];
        let r = rate(Domain::Depression, &courses);
        assert_eq!((r.cases, r.rating), (14, None));
        assert_eq!(r.mean_change, Some(10.0));
        courses.push(dep(18, 8));
        assert_eq!(
            rate(Domain::Depression, &courses).rating,
            Some(Rating::Effective)
        );
    }

    #[test]
    fn the_average_change_against_the_reliable_amount_decides_the_rating() {
        let neutral: Vec<_> = (0..15)
            .map(|i| dep(15, if i < 5 { 5 } else { 13 }))
            .collect();
        let r = rate(Domain::Depression, &neutral);
        assert_eq!(r.mean_change, Some((5.0 * 10.0 + 10.0 * 2.0) / 15.0));
        assert_eq!(r.rating, Some(Rating::Neutral));
        let worse = vec![dep(12, 19); 15];
        assert_eq!(
            rate(Domain::Depression, &worse).rating,
            Some(Rating::Ineffective)
        );
        let exactly = vec![dep(16, 10); 15];
        assert_eq!(
            rate(Domain::Depression, &exactly).rating,
            Some(Rating::Effective)
        );
    }

    #[test]
    fn only_courses_that_started_at_caseness_are_cases() {
        let mut courses = vec![dep(9, 2); 20];
        courses.push(CourseSummary {
            gad7: Some((8, 3)),
            ..CourseSummary::default()
        });
        assert_eq!(rate(Domain::Depression, &courses).cases, 0);
        assert_eq!(rate(Domain::Anxiety, &courses).cases, 1);
        assert_eq!(Domain::Anxiety.concern(), Concern::Anxiety);
    }
}
