//! Change statistics: was a change in scores real, and where does a course of therapy end up?
//!
//! Pure arithmetic on published formulas (Jacobson & Truax 1991; NHS Talking Therapies), kept
//! apart from instruments so that any measure with a published SD and reliability can use it.

mod nhs;
mod reliable;

pub use nhs::{
    GAD7_CASENESS, GAD7_RELIABLE, MeasureChange, NhsOutcome, PHQ9_CASENESS, PHQ9_RELIABLE,
    Recovery, nhs_category,
};
pub use reliable::{Better, ChangeVerdict, RELIABLE_Z, ReliableChange, clinical_cutoff_c};
