//! Change statistics: was a change in scores real, and where does a course of therapy end up?
//!
//! Pure arithmetic on published formulas (Jacobson & Truax 1991; NHS Talking Therapies), kept
//! apart from instruments so that any measure with a published SD and reliability can use it;
//! and what a practice builds on them: a course's summary, per-concern effectiveness
//! (Constantino et al. 2021) and empirical-Bayes shrinkage of per-therapist rates.

mod course;
mod effectiveness;
mod nhs;
mod reliable;
mod shrinkage;

pub use nhs::{
    GAD7_CASENESS, GAD7_RELIABLE, MeasureChange, NhsOutcome, PHQ9_CASENESS, PHQ9_RELIABLE,
    Recovery, nhs_category,
};
pub use reliable::{Better, ChangeVerdict, RELIABLE_Z, ReliableChange, clinical_cutoff_c};

pub use course::{
    CourseSummary, PAIR_WINDOW_MS, Pair, Score, Tally, nhs_headline, pair_scores, summarise, tally,
};
pub use effectiveness::{Domain, DomainResult, MIN_CASES, rate};
pub use shrinkage::{
    Count, PRIOR_CEILING, PRIOR_FLOOR, Prior, PriorBasis, estimate_prior, shrink, shrink_all,
};
