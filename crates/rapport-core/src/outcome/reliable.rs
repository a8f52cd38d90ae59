//! The Jacobson–Truax reliable change index and clinical cut-off.
//!
//! A difference between two scores only means something once it is larger than what measurement
//! error alone would produce; these formulas say how large that is for a given measure.

use crate::{FieldError, Invalid};
use serde::Serialize;

/// The two-sided 95% point of the normal distribution: |RC| above this is reliable change.
pub const RELIABLE_Z: f64 = 1.96;

/// Which way a measure improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Symptom measures (PHQ-9, GAD-7): a fall is an improvement.
    Lower,
    /// Wellbeing and alliance measures (ORS, SRS, WAI-SR): a rise is an improvement.
    Higher,
}

/// Whether a change is reliable, and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeVerdict {
    /// A change larger than measurement error, in the better direction.
    ReliableImprovement,
    /// A change larger than measurement error, in the worse direction.
    ReliableDeterioration,
    /// A change within measurement error.
    NoReliableChange,
}

/// The reliable-change calculation for one measure, from its SD and reliability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReliableChange {
    sd: f64,
    reliability: f64,
}

impl ReliableChange {
    /// Accepts a positive, finite standard deviation (`sd`) and a reliability strictly between
    /// 0 and 1 (`reliability`); anything else would give a meaningless or infinite threshold.
    pub fn new(sd: f64, reliability: f64) -> Result<Self, Invalid> {
        let mut problems = Vec::new();
        if !(sd.is_finite() && sd > 0.0) {
            problems.push(FieldError::new("sd", "must be a number above 0"));
        }
        if !(reliability.is_finite() && reliability > 0.0 && reliability < 1.0) {
            problems.push(FieldError::new(
                "reliability",
                "must be a number above 0 and below 1",
            ));
        }
        if problems.is_empty() {
            Ok(Self { sd, reliability })
        } else {
            Err(Invalid(problems))
        }
    }

    /// The standard deviation of the reference sample (s₁).
    pub fn sd(&self) -> f64 {
        self.sd
    }

    /// The test-retest or internal-consistency reliability (r).
    pub fn reliability(&self) -> f64 {
        self.reliability
    }

    /// The standard error of measurement, SE = s₁·√(1 − r).
    pub fn se(&self) -> f64 {
        self.sd * (1.0 - self.reliability).sqrt()
    }

    /// The standard error of a difference between two scores, S_diff = √(2·SE²).
    pub fn s_diff(&self) -> f64 {
        (2.0 * self.se().powi(2)).sqrt()
    }

    /// The smallest change in raw points that is reliable, 1.96·S_diff.
    pub fn threshold(&self) -> f64 {
        RELIABLE_Z * self.s_diff()
    }

    /// The reliable change index, RC = (after − before)/S_diff.
    pub fn rci(&self, before: f64, after: f64) -> f64 {
        (after - before) / self.s_diff()
    }

    /// Reads a change as improvement, deterioration or neither; reliable only when |RC| > 1.96
    /// (so a non-number score is never read as a reliable change).
    pub fn verdict(&self, before: f64, after: f64, better: Better) -> ChangeVerdict {
        let rc = self.rci(before, after);
        if rc.is_nan() || rc.abs() <= RELIABLE_Z {
            return ChangeVerdict::NoReliableChange;
        }
        match (rc < 0.0, better) {
            (true, Better::Lower) | (false, Better::Higher) => ChangeVerdict::ReliableImprovement,
            _ => ChangeVerdict::ReliableDeterioration,
        }
    }
}

/// Jacobson–Truax cut-off c = (s₀·M₁ + s₁·M₀)/(s₀ + s₁), the point between the functional (0)
/// and dysfunctional (1) populations weighted by their spread; SDs must be above 0.
pub fn clinical_cutoff_c(m0: f64, s0: f64, m1: f64, s1: f64) -> Result<f64, Invalid> {
    let mut problems = Vec::new();
    for (field, value) in [("m0", m0), ("m1", m1)] {
        if !value.is_finite() {
            problems.push(FieldError::new(field, "must be a number"));
        }
    }
    for (field, value) in [("s0", s0), ("s1", s1)] {
        if !(value.is_finite() && value > 0.0) {
            problems.push(FieldError::new(field, "must be a number above 0"));
        }
    }
    if problems.is_empty() {
        Ok((s0 * m1 + s1 * m0) / (s0 + s1))
    } else {
        Err(Invalid(problems))
    }
}
