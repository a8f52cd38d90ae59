//! Empirical-Bayes shrinkage of per-therapist rates toward the practice's rate.
//!
//! A therapist with three cases and three recoveries has a raw recovery rate of 100%, which says
//! more about chance than about the therapist (therapists explain only about 5% of outcome
//! variance). Each therapist's rate is therefore read against a beta prior centred on the
//! practice's pooled rate p̂ and worth m cases:
//!
//! shrunk rate = (k + m·p̂) / (n + m)
//!
//! so a therapist with few cases sits near the practice mean and one with many cases near their
//! own rate. The prior strength m is estimated from the practice's therapists by the method of
//! moments for the beta-binomial: with τ² the variance of the true rates between therapists,
//! a beta prior has τ² = p̂(1 − p̂)/(m + 1), and the weighted spread of the observed rates
//!
//! S = Σ nᵢ(pᵢ − p̂)² / Σ nᵢ has expectation τ² + N·p̂(1 − p̂)/Σ nᵢ
//!
//! (N therapists with cases; the second term is binomial noise). Hence τ̂² = S − N·p̂(1 − p̂)/Σ nᵢ
//! and m = p̂(1 − p̂)/τ̂² − 1, kept within [`PRIOR_FLOOR`, `PRIOR_CEILING`].

use serde::Serialize;

/// The weakest prior used, in cases: even when therapists' rates differ wildly, a therapist with
/// one or two cases is never shown as 0% or 100%.
pub const PRIOR_FLOOR: f64 = 5.0;

/// The strongest prior used, in cases: when the observed spread is no more than chance would
/// give (τ̂² ≤ 0), or cannot be estimated, every therapist is shown at (almost exactly) the
/// practice's rate rather than at an infinitely strong prior.
pub const PRIOR_CEILING: f64 = 1000.0;

/// One therapist's count: `k` of `n` cases had the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Count {
    /// Cases with the outcome (reliable improvement, recovery).
    pub k: u64,
    /// Cases that could have had it.
    pub n: u64,
}

impl Count {
    /// `k` of `n`; `k` above `n` is clamped to `n`, since it cannot happen in counted data.
    pub fn new(k: u64, n: u64) -> Count {
        Count { k: k.min(n), n }
    }

    /// The raw rate, `None` without cases.
    pub fn rate(self) -> Option<f64> {
        (self.n > 0).then(|| self.k as f64 / self.n as f64)
    }
}

/// The beta prior every therapist's rate is shrunk toward.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prior {
    /// p̂: the practice's pooled rate, Σk / Σn.
    pub mean: f64,
    /// m: how many cases the prior is worth.
    pub strength: f64,
    /// τ̂²: the estimated variance of true rates between therapists (may be ≤ 0: no spread seen).
    pub between_variance: f64,
    /// How the strength was set.
    pub basis: PriorBasis,
}

/// How the prior strength was set, so a page can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorBasis {
    /// By the method of moments, within the floor and ceiling.
    Estimated,
    /// Raised to [`PRIOR_FLOOR`]: the rates differ more than a weaker prior would allow.
    Floor,
    /// Set to [`PRIOR_CEILING`]: no between-therapist spread beyond chance (or too few
    /// therapists, or a pooled rate of exactly 0 or 1).
    Ceiling,
}

/// Estimates the prior from every therapist's count; `None` when the practice has no cases.
pub fn estimate_prior(counts: &[Count]) -> Option<Prior> {
    let with_cases: Vec<Count> = counts.iter().copied().filter(|c| c.n > 0).collect();
    let total_n: u64 = with_cases.iter().map(|c| c.n).sum();
    if total_n == 0 {
        return None;
    }
    let total_k: u64 = with_cases.iter().map(|c| c.k).sum();
    let n = total_n as f64;
    let mean = total_k as f64 / n;
    let binomial = mean * (1.0 - mean);
    let spread = with_cases
        .iter()
        .map(|c| c.n as f64 * (c.k as f64 / c.n as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    let between_variance = spread - with_cases.len() as f64 * binomial / n;
    let ceiling = Prior {
        mean,
        strength: PRIOR_CEILING,
        between_variance,
        basis: PriorBasis::Ceiling,
    };
    if with_cases.len() < 2 || binomial <= 0.0 || between_variance <= 0.0 {
        return Some(ceiling);
    }
    let m = binomial / between_variance - 1.0;
    Some(if m < PRIOR_FLOOR {
        Prior {
            strength: PRIOR_FLOOR,
            basis: PriorBasis::Floor,
            ..ceiling
        }
    } else if m > PRIOR_CEILING {
        ceiling
    } else {
        Prior {
            strength: m,
            basis: PriorBasis::Estimated,
            ..ceiling
        }
    })
}

/// One therapist's rate shrunk toward the prior: (k + m·p̂) / (n + m).
pub fn shrink(count: Count, prior: &Prior) -> f64 {
    (count.k as f64 + prior.strength * prior.mean) / (count.n as f64 + prior.strength)
}

/// Every therapist's shrunk rate, in the order given, with the prior used; `None` when the
/// practice has no cases at all.
pub fn shrink_all(counts: &[Count]) -> Option<(Prior, Vec<f64>)> {
    let prior = estimate_prior(counts)?;
    Some((prior, counts.iter().map(|c| shrink(*c, &prior)).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// 8/10, 2/10 and 5/10: p̂ = 15/30 = 1/2; S = (10·0.09 + 10·0.09 + 0)/30 = 0.06;
    /// noise = 3·0.25/30 = 0.025; τ̂² = 0.035; m = 0.25/0.035 − 1 = 50/7 − 1 = 43/7.
    /// A: (8 + 43/14)/(10 + 43/7) = (155/14)/(113/7) = 155/226; B: 71/226; C: exactly 1/2.
    #[test]
    fn three_therapists_of_ten_cases_shrink_to_the_hand_computed_rates() {
        let counts = [Count::new(8, 10), Count::new(2, 10), Count::new(5, 10)];
        let (prior, rates) = shrink_all(&counts).unwrap();
        assert!(close(prior.mean, 0.5));
        assert!(close(prior.between_variance, 0.035));
        assert!(close(prior.strength, 43.0 / 7.0), "m = {}", prior.strength);
        assert_eq!(prior.basis, PriorBasis::Estimated);
        assert!(close(rates[0], 155.0 / 226.0), "{}", rates[0]);
        assert!(close(rates[1], 71.0 / 226.0), "{}", rates[1]);
        assert!(close(rates[2], 0.5));
    }

    /// 10/10 and 0/10: p̂ = 1/2; S = 0.25; noise = 2·0.25/20 = 0.025; τ̂² = 0.225;
    /// m = 0.25/0.225 − 1 = 1/9, below the floor, so m = 5: A = (10 + 2.5)/15 = 5/6, B = 1/6.
    #[test]
    fn a_spread_too_wide_for_a_sensible_prior_is_held_at_the_floor() {
        let (prior, rates) = shrink_all(&[Count::new(10, 10), Count::new(0, 10)]).unwrap();
        assert!(close(prior.between_variance, 0.225));
        assert_eq!(prior.basis, PriorBasis::Floor);
        assert!(close(prior.strength, PRIOR_FLOOR));
        assert!(close(rates[0], 5.0 / 6.0));
        assert!(close(rates[1], 1.0 / 6.0));
    }

    /// 6/20, 1/2 and 9/18: p̂ = 16/40 = 0.4; rates 0.3, 0.5, 0.5;
    /// S = (20·0.01 + 2·0.01 + 18·0.01)/40 = 0.01; noise = 3·0.24/40 = 0.018; τ̂² = −0.008 ≤ 0,
    /// so no spread beyond chance: m = 1000 and everyone sits near 0.4
    /// (A = (6 + 400)/1020 = 406/1020).
    #[test]
    fn no_spread_beyond_chance_puts_everyone_at_the_practice_rate() {
        let counts = [Count::new(6, 20), Count::new(1, 2), Count::new(9, 18)];
        let (prior, rates) = shrink_all(&counts).unwrap();
        assert!(close(prior.mean, 0.4));
        assert!(close(prior.between_variance, -0.008));
        assert_eq!(prior.basis, PriorBasis::Ceiling);
        assert!(close(rates[0], 406.0 / 1020.0));
        assert!(close(rates[1], 401.0 / 1002.0));
    }

    /// 9/10, 1/10, 5/10 and 0 cases: the empty therapist does not count towards N and gets p̂.
    /// p̂ = 15/30; S = (10·0.16·2)/30 = 3.2/30; τ̂² = 3.2/30 − 0.75/30 = 2.45/30;
    /// m = 0.25·30/2.45 − 1 = 7.5/2.45 − 1 = 5.05/2.45 = 101/49.  That is below the floor of 5.
    #[test]
    fn a_therapist_without_cases_is_shown_at_the_practice_rate() {
        let counts = [
            Count::new(9, 10),
            Count::new(1, 10),
            Count::new(5, 10),
            Count::new(0, 0),
        ];
        let (prior, rates) = shrink_all(&counts).unwrap();
        assert!(close(prior.between_variance, 2.45 / 30.0));
        assert_eq!(prior.basis, PriorBasis::Floor);
        assert!(close(rates[3], 0.5));
        assert!(close(rates[0], (9.0 + 2.5) / 15.0));
    }

    #[test]
    fn a_practice_without_cases_has_no_prior_and_one_therapist_keeps_their_own_rate() {
        assert_eq!(shrink_all(&[Count::new(0, 0)]), None);
        assert_eq!(shrink_all(&[]), None);
        let (prior, rates) = shrink_all(&[Count::new(3, 4)]).unwrap();
        assert_eq!(prior.basis, PriorBasis::Ceiling);
        assert!(close(rates[0], 0.75));
        assert_eq!(Count::new(5, 3), Count { k: 3, n: 3 });
        assert_eq!(Count::new(0, 0).rate(), None);
    }
}
