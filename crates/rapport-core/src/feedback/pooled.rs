//! What clients said when they ended, pooled for their therapist so that nobody can be singled
//! out.
//!
//! Counts only, and only from [`MIN_ENDINGS`] endings. Counts also move only in whole groups of
//! five (the oldest endings first): a therapist who looks before and after one more client ends
//! would otherwise learn that client's reason from the difference.

use crate::matching::EndingReason;
use serde::Serialize;

/// The fewest endings shown, and the size of the groups the counts move in.
pub const MIN_ENDINGS: usize = 5;

/// The pooled reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PooledEndings {
    /// How many endings the counts are made of (a multiple of five).
    pub counted: usize,
    /// How many endings there are in all.
    pub total: usize,
    /// Each reason with how many said it, most said first (ties in the form's order); reasons
    /// nobody gave are left out.
    pub counts: Vec<(EndingReason, usize)>,
}

/// Pools `endings` (when, reason); `None` below [`MIN_ENDINGS`].
pub fn pool_endings(endings: &[(i64, EndingReason)]) -> Option<PooledEndings> {
    let total = endings.len();
    if total < MIN_ENDINGS {
        return None;
    }
    let counted = total - total % MIN_ENDINGS;
    let mut oldest: Vec<(i64, usize)> = endings
        .iter()
        .map(|(at, r)| {
            (
                *at,
                EndingReason::ALL.iter().position(|x| x == r).unwrap_or(0),
            )
        })
        .collect();
    oldest.sort_unstable();
    let mut per = [0usize; EndingReason::ALL.len()];
    for (_, i) in oldest.iter().take(counted) {
        per[*i] += 1;
    }
    let mut counts: Vec<(EndingReason, usize)> = EndingReason::ALL
        .iter()
        .zip(per)
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| (*r, n))
        .collect();
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    Some(PooledEndings {
        counted,
        total,
        counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use EndingReason::{Other, TooIntense, WantedMoreStructure};

    #[test]
    fn four_endings_show_nothing_and_five_show_their_counts() {
        let four = [
            (1, TooIntense),
            (2, Other),
            (3, TooIntense),
            (4, WantedMoreStructure),
        ];
        assert_eq!(pool_endings(&four), None);
        let mut five = four.to_vec();
        five.push((5, TooIntense));
        let p = pool_endings(&five).unwrap();
        assert_eq!((p.counted, p.total), (5, 5));
        assert_eq!(
            p.counts,
            vec![(TooIntense, 3), (WantedMoreStructure, 1), (Other, 1)]
        );
    }

    #[test]
    fn a_sixth_ending_does_not_change_the_counts_until_there_are_ten() {
        let mut endings: Vec<(i64, EndingReason)> = (0..5).map(|i| (i, Other)).collect();
        endings.push((99, TooIntense));
        let p = pool_endings(&endings).unwrap();
        assert_eq!((p.counted, p.total), (5, 6));
        assert_eq!(p.counts, vec![(Other, 5)]);
        endings.extend((100..104).map(|i| (i, TooIntense)));
        let p = pool_endings(&endings).unwrap();
        assert_eq!(p.counted, 10);
        assert_eq!(
            p.counts,
            vec![(TooIntense, 5), (Other, 5)],
            "ties keep the form's order"
        );
    }
}
