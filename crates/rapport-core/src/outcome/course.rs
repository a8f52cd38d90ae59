//! One course of therapy read from its PHQ-9 and GAD-7 scores: the pairs, the first and last
//! score of each measure, and the NHS Talking Therapies category.
//!
//! NHS Talking Therapies compare the first and last *paired* scores (a PHQ-9 and a GAD-7 taken at
//! the same contact). Clients fill measures in one at a time here, so a PHQ-9 and a GAD-7 count
//! as a pair when they were completed within [`PAIR_WINDOW_MS`] of each other. A course that has
//! not ended is read all the same, and marked as "so far" so that no page passes a running course
//! off as a finished one.

use super::nhs::{NhsOutcome, Recovery, nhs_category};
use super::shrinkage::Count;
use serde::{Deserialize, Serialize};

/// A PHQ-9 and a GAD-7 this close in time (24 hours) belong to one contact.
pub const PAIR_WINDOW_MS: i64 = 24 * 3_600_000;

/// One score: when (Unix ms) and the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    /// When it was completed, Unix ms.
    pub at: i64,
    /// The total (PHQ-9 0-27, GAD-7 0-21).
    pub total: u8,
}

/// A PHQ-9 and a GAD-7 from one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pair {
    /// When the PHQ-9 of the pair was completed.
    pub at: i64,
    /// PHQ-9 total.
    pub phq9: u8,
    /// GAD-7 total.
    pub gad7: u8,
}

/// What an aggregate needs of one course, and all that is kept of it once its client deletes
/// their account (no id, no dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CourseSummary {
    /// First and last paired scores `[phq9 first, phq9 last, gad7 first, gad7 last]`, when the
    /// course has at least two pairs.
    pub paired: Option<[u8; 4]>,
    /// First and last PHQ-9, when there are at least two.
    pub phq9: Option<(u8, u8)>,
    /// First and last GAD-7, when there are at least two.
    pub gad7: Option<(u8, u8)>,
    /// Whether the relationship has ended (otherwise these are the scores so far).
    pub finished: bool,
}

impl CourseSummary {
    /// The NHS Talking Therapies reading of the first and last pairs, if there are two.
    pub fn nhs(&self) -> Option<NhsOutcome> {
        let [p1, p2, g1, g2] = self.paired?;
        nhs_category(p1, p2, g1, g2).ok()
    }
}

/// Pairs each PHQ-9 (oldest first) with the closest GAD-7 within [`PAIR_WINDOW_MS`] not already
/// used; scores without a partner are left out of the pairs (they still count per measure).
pub fn pair_scores(phq9: &[Score], gad7: &[Score]) -> Vec<Pair> {
    let mut phq9: Vec<Score> = phq9.to_vec();
    phq9.sort_by_key(|s| s.at);
    let mut used = vec![false; gad7.len()];
    let mut pairs = Vec::new();
    for p in phq9 {
        let best = gad7
            .iter()
            .enumerate()
            .filter(|(i, g)| !used[*i] && (g.at - p.at).abs() <= PAIR_WINDOW_MS)
            .min_by_key(|(i, g)| ((g.at - p.at).abs(), *i));
        if let Some((i, g)) = best {
            used[i] = true;
            pairs.push(Pair {
                at: p.at,
                phq9: p.total,
                gad7: g.total,
            });
        }
    }
    pairs
}

fn first_last(scores: &[Score]) -> Option<(u8, u8)> {
    if scores.len() < 2 {
        return None;
    }
    let first = scores.iter().min_by_key(|s| s.at)?;
    let last = scores.iter().max_by_key(|s| s.at)?;
    Some((first.total, last.total))
}

/// Summarises a course from all its PHQ-9 and GAD-7 scores.
pub fn summarise(phq9: &[Score], gad7: &[Score], finished: bool) -> CourseSummary {
    let pairs = pair_scores(phq9, gad7);
    let paired = match (pairs.first(), pairs.last()) {
        (Some(a), Some(b)) if pairs.len() >= 2 => Some([a.phq9, b.phq9, a.gad7, b.gad7]),
        _ => None,
    };
    CourseSummary {
        paired,
        phq9: first_last(phq9),
        gad7: first_last(gad7),
        finished,
    }
}

/// The NHS Talking Therapies category of a course in a few words, most specific first.
pub fn nhs_headline(o: &NhsOutcome) -> &'static str {
    match (o.reliable_recovery, o.recovery) {
        (Recovery::Recovered, _) => "Reliable recovery",
        (_, Recovery::Recovered) => "Recovery (without reliable improvement)",
        _ if o.reliable_improvement => "Reliable improvement",
        _ if o.reliable_deterioration => "Reliable deterioration",
        _ => "No reliable change",
    }
}

/// One therapist's courses counted for the practice's rates: only courses with an NHS category
/// (two pairs) count, finished or so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Tally {
    /// Courses with a category.
    pub courses: u64,
    /// Of those, how many have ended.
    pub finished: u64,
    /// Reliable improvement, out of every course with a category.
    pub improvement: Count,
    /// Recovery, out of the courses that started at caseness.
    pub recovery: Count,
    /// Reliable deterioration, out of every course with a category.
    pub deterioration: u64,
}

/// Counts a therapist's courses into the practice's rates.
pub fn tally(courses: &[CourseSummary]) -> Tally {
    let mut t = Tally::default();
    let (mut improved, mut at_caseness, mut recovered) = (0, 0, 0);
    for (course, nhs) in courses.iter().filter_map(|c| Some((c, c.nhs()?))) {
        t.courses += 1;
        t.finished += u64::from(course.finished);
        improved += u64::from(nhs.reliable_improvement);
        t.deterioration += u64::from(nhs.reliable_deterioration);
        at_caseness += u64::from(nhs.caseness_at_start);
        recovered += u64::from(nhs.recovery == Recovery::Recovered);
    }
    t.improvement = Count::new(improved, t.courses);
    t.recovery = Count::new(recovered, at_caseness);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn s(at: i64, total: u8) -> Score {
        Score { at, total }
    }

    #[test]
    fn scores_on_the_same_day_pair_and_a_lonely_one_does_not() {
        let phq9 = [s(0, 15), s(7 * DAY, 12), s(14 * DAY, 6)];
        let gad7 = [s(60_000, 11), s(14 * DAY + 3_600_000, 5), s(30 * DAY, 2)];
        let pairs = pair_scores(&phq9, &gad7);
        assert_eq!(
            pairs,
            vec![
                Pair {
                    at: 0,
                    phq9: 15,
                    gad7: 11
                },
                Pair {
                    at: 14 * DAY,
                    phq9: 6,
                    gad7: 5
                },
            ]
        );
    }

    #[test]
    fn a_course_reads_its_first_and_last_pairs_into_the_nhs_category() {
        let phq9 = [s(0, 15), s(7 * DAY, 12), s(14 * DAY, 6)];
        let gad7 = [s(0, 11), s(14 * DAY, 5)];
        let c = summarise(&phq9, &gad7, true);
        assert_eq!(c.paired, Some([15, 6, 11, 5]));
        assert_eq!(c.phq9, Some((15, 6)));
        assert_eq!(c.gad7, Some((11, 5)));
        let nhs = c.nhs().unwrap();
        assert!(nhs.reliable_improvement);
        assert_eq!(nhs.recovery, Recovery::Recovered);
        assert_eq!(nhs_headline(&nhs), "Reliable recovery");
        let worse = summarise(&[s(0, 8), s(DAY, 16)], &[s(0, 5), s(DAY, 6)], false);
        assert_eq!(
            nhs_headline(&worse.nhs().unwrap()),
            "Reliable deterioration"
        );
    }

    #[test]
    fn one_pair_gives_no_category_but_a_measure_with_two_scores_still_counts() {
        let c = summarise(&[s(0, 15), s(DAY * 3, 9)], &[s(0, 9)], false);
        assert_eq!(c.paired, None);
        assert_eq!(c.nhs(), None);
        assert_eq!(c.phq9, Some((15, 9)));
        assert_eq!(c.gad7, None);
        assert!(!c.finished);
    }

    #[test]
    fn a_tally_counts_improvement_over_all_courses_and_recovery_over_those_at_caseness() {
        let course = |paired: [u8; 4], finished| CourseSummary {
            paired: Some(paired),
            finished,
            ..CourseSummary::default()
        };
        let courses = [
            course([15, 6, 11, 5], true),
            course([8, 9, 5, 4], false),
            course([12, 20, 9, 9], true),
            CourseSummary::default(),
        ];
        let t = tally(&courses);
        assert_eq!(t.courses, 3);
        assert_eq!(t.finished, 2);
        assert_eq!(t.improvement, Count::new(1, 3));
        assert_eq!(t.recovery, Count::new(1, 2));
        assert_eq!(t.deterioration, 1);
    }
}
