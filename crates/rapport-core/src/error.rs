//! The one shape of a validation failure in the core.
//!
//! Every parser in the core (check-ins, instrument answers, listings, match requests, instrument
//! files) reports *all* problems it finds, each naming the field and the reason, so that a form,
//! an API response and a CLI all show the person exactly what to fix.

use serde::Serialize;
use std::fmt;

/// One problem with one field of some input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where the problem is, as a path a person can follow: `heard`, `checkins[2].flags`, `row 7: fee.amount`.
    pub field: String,
    /// Why the value was refused, in plain words: `must be a whole number from 0 to 4`.
    pub reason: String,
}

impl FieldError {
    /// A problem with `field`, for `reason`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Input that was refused, with every problem found (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    /// A refusal with a single problem.
    pub fn one(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, reason)])
    }
}
