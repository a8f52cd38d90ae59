//! Reliable change, clinical cut-off and NHS Talking Therapies outcome categories.

use proptest::prelude::*;
use rapport_core::instrument::Registry;
use rapport_core::outcome::{
    Better, ChangeVerdict, GAD7_CASENESS, GAD7_RELIABLE, MeasureChange, NhsOutcome, PHQ9_CASENESS,
    PHQ9_RELIABLE, Recovery, ReliableChange, clinical_cutoff_c, nhs_category,
};
use rapport_core::{FieldError, Invalid};

fn round(x: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (x * factor).round() / factor
}

#[test]
fn the_published_example_gives_se_1_699_s_diff_2_403_and_a_threshold_of_4_71_points() {
    let rc = ReliableChange::new(7.6, 0.95).unwrap();
    assert_eq!(round(rc.se(), 3), 1.699);
    assert_eq!(round(rc.s_diff(), 3), 2.403);
    assert_eq!(round(rc.threshold(), 2), 4.71);
}

#[test]
fn the_rci_is_the_change_over_s_diff() {
    let rc = ReliableChange::new(7.6, 0.95).unwrap();
    assert_eq!(round(rc.rci(20.0, 10.0), 3), round(-10.0 / rc.s_diff(), 3));
    assert_eq!(rc.rci(12.0, 12.0), 0.0);
}

#[test]
fn a_change_beyond_the_threshold_is_reliable_in_the_direction_that_counts_as_better() {
    let rc = ReliableChange::new(7.6, 0.95).unwrap();
    assert_eq!(
        rc.verdict(20.0, 15.0, Better::Lower),
        ChangeVerdict::ReliableImprovement
    );
    assert_eq!(
        rc.verdict(15.0, 20.0, Better::Lower),
        ChangeVerdict::ReliableDeterioration
    );
    assert_eq!(
        rc.verdict(20.0, 15.0, Better::Higher),
        ChangeVerdict::ReliableDeterioration
    );
    assert_eq!(
        rc.verdict(15.0, 20.0, Better::Higher),
        ChangeVerdict::ReliableImprovement
    );
}

#[test]
fn a_change_within_the_threshold_is_no_reliable_change() {
    let rc = ReliableChange::new(7.6, 0.95).unwrap();
    assert_eq!(
        rc.verdict(20.0, 15.3, Better::Lower),
        ChangeVerdict::NoReliableChange
    );
    assert_eq!(
        rc.verdict(15.3, 20.0, Better::Higher),
        ChangeVerdict::NoReliableChange
    );
}

#[test]
fn reliability_outside_zero_to_one_and_a_non_positive_sd_are_refused_by_name() {
    let reliability = FieldError::new("reliability", "must be a number above 0 and below 1");
    let sd = FieldError::new("sd", "must be a number above 0");
    for r in [0.0, 1.0, -0.2, 1.5, f64::NAN] {
        assert_eq!(
            ReliableChange::new(7.6, r),
            Err(Invalid(vec![reliability.clone()])),
            "r = {r}"
        );
    }
    for s in [0.0, -1.0, f64::INFINITY] {
        assert_eq!(
            ReliableChange::new(s, 0.9),
            Err(Invalid(vec![sd.clone()])),
            "sd = {s}"
        );
    }
    assert_eq!(
        ReliableChange::new(0.0, 1.0),
        Err(Invalid(vec![sd, reliability]))
    );
}

#[test]
fn the_clinical_cut_off_weights_each_mean_by_the_other_populations_sd() {
    assert_eq!(
        clinical_cutoff_c(5.0, 4.0, 15.0, 6.0).unwrap(),
        (4.0 * 15.0 + 6.0 * 5.0) / 10.0
    );
    assert_eq!(clinical_cutoff_c(10.0, 5.0, 20.0, 5.0).unwrap(), 15.0);
    let refused = clinical_cutoff_c(5.0, 0.0, f64::NAN, 6.0).unwrap_err();
    let fields: Vec<&str> = refused.0.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["m1", "s0"]);
}

proptest! {
    #[test]
    fn the_threshold_grows_with_the_sd(sd in 0.1f64..50.0, extra in 0.01f64..50.0, r in 0.01f64..0.99) {
        let narrow = ReliableChange::new(sd, r).unwrap();
        let wide = ReliableChange::new(sd + extra, r).unwrap();
        prop_assert!(wide.threshold() > narrow.threshold());
    }

    #[test]
    fn the_threshold_shrinks_as_reliability_rises(sd in 0.1f64..50.0, r in 0.01f64..0.9, more in 0.001f64..0.09) {
        let less_reliable = ReliableChange::new(sd, r).unwrap();
        let more_reliable = ReliableChange::new(sd, r + more).unwrap();
        prop_assert!(more_reliable.threshold() < less_reliable.threshold());
    }

    #[test]
    fn a_change_is_reliable_exactly_when_it_exceeds_the_threshold(
        sd in 1.0f64..20.0, r in 0.5f64..0.99, before in 0.0f64..40.0, after in 0.0f64..40.0
    ) {
        let rc = ReliableChange::new(sd, r).unwrap();
        let reliable = rc.verdict(before, after, Better::Lower) != ChangeVerdict::NoReliableChange;
        let margin = ((after - before).abs() - rc.threshold()).abs();
        prop_assume!(margin > 1e-9);
        prop_assert_eq!(reliable, (after - before).abs() > rc.threshold());
    }
}

fn nhs(phq9_first: u8, phq9_last: u8, gad7_first: u8, gad7_last: u8) -> NhsOutcome {
    nhs_category(phq9_first, phq9_last, gad7_first, gad7_last).unwrap()
}

#[test]
fn the_nhs_thresholds_agree_with_the_definition_files() {
    let registry = Registry::builtin().unwrap();
    for (id, caseness, reliable) in [
        ("phq9", PHQ9_CASENESS, PHQ9_RELIABLE),
        ("gad7", GAD7_CASENESS, GAD7_RELIABLE),
    ] {
        let total = registry.get(id).unwrap().scale("total").unwrap();
        assert_eq!(total.cutoffs[0].rule.value, f64::from(caseness), "{id}");
        assert_eq!(total.reliable_change, Some(f64::from(reliable)), "{id}");
    }
}

#[test]
fn caseness_starts_at_phq9_10_or_gad7_8() {
    assert!(!nhs(9, 9, 7, 7).caseness_at_start);
    assert!(nhs(10, 10, 7, 7).caseness_at_start);
    assert!(nhs(9, 9, 8, 8).caseness_at_start);
    assert!(nhs(9, 9, 8, 8).caseness_at_end);
}

#[test]
fn reliable_change_needs_6_phq9_points_or_4_gad7_points() {
    assert_eq!(nhs(15, 9, 5, 5).phq9, MeasureChange::ReliableDecrease);
    assert_eq!(nhs(15, 10, 5, 5).phq9, MeasureChange::NoReliableChange);
    assert_eq!(nhs(9, 15, 5, 5).phq9, MeasureChange::ReliableIncrease);
    assert_eq!(nhs(5, 5, 12, 8).gad7, MeasureChange::ReliableDecrease);
    assert_eq!(nhs(5, 5, 12, 9).gad7, MeasureChange::NoReliableChange);
    assert_eq!(nhs(5, 5, 8, 12).gad7, MeasureChange::ReliableIncrease);
}

#[test]
fn reliable_recovery_is_recovery_with_reliable_improvement() {
    let outcome = nhs(16, 4, 12, 5);
    assert_eq!(outcome.recovery, Recovery::Recovered);
    assert!(outcome.reliable_improvement && !outcome.reliable_deterioration);
    assert_eq!(outcome.reliable_recovery, Recovery::Recovered);
}

#[test]
fn recovery_without_reliable_improvement_is_not_reliable_recovery() {
    let outcome = nhs(11, 9, 7, 6);
    assert_eq!(outcome.recovery, Recovery::Recovered);
    assert!(!outcome.reliable_improvement);
    assert_eq!(outcome.reliable_recovery, Recovery::NotRecovered);
}

#[test]
fn ending_at_caseness_on_either_measure_is_not_recovery() {
    let still_anxious = nhs(18, 4, 12, 8);
    assert!(still_anxious.reliable_improvement);
    assert_eq!(still_anxious.recovery, Recovery::NotRecovered);
    assert_eq!(still_anxious.reliable_recovery, Recovery::NotRecovered);
    assert_eq!(nhs(18, 10, 5, 2).recovery, Recovery::NotRecovered);
}

#[test]
fn reliable_improvement_on_one_measure_counts_unless_the_other_reliably_worsened() {
    assert!(nhs(16, 10, 10, 10).reliable_improvement);
    let mixed = nhs(16, 10, 4, 8);
    assert!(!mixed.reliable_improvement && !mixed.reliable_deterioration);
}

#[test]
fn reliable_deterioration_on_one_measure_counts_unless_the_other_reliably_improved() {
    let worse = nhs(10, 16, 9, 9);
    assert!(worse.reliable_deterioration && !worse.reliable_improvement);
    assert_eq!(worse.recovery, Recovery::NotRecovered);
    assert!(nhs(4, 10, 3, 7).reliable_deterioration);
}

#[test]
fn no_reliable_change_on_either_measure_is_neither_improvement_nor_deterioration() {
    let flat = nhs(14, 10, 10, 7);
    assert!(!flat.reliable_improvement && !flat.reliable_deterioration);
    assert_eq!(flat.recovery, Recovery::NotRecovered);
}

#[test]
fn people_below_caseness_at_the_start_are_not_at_caseness_for_recovery() {
    let outcome = nhs(9, 2, 7, 0);
    assert!(!outcome.caseness_at_start);
    assert!(outcome.reliable_improvement);
    assert_eq!(outcome.recovery, Recovery::NotAtCaseness);
    assert_eq!(outcome.reliable_recovery, Recovery::NotAtCaseness);
    let json = serde_json::to_value(outcome).unwrap();
    assert_eq!(json["recovery"], "not_at_caseness");
    assert_eq!(json["phq9"], "reliable_decrease");
}

#[test]
fn scores_out_of_range_are_refused_naming_the_field() {
    assert_eq!(
        nhs_category(28, 10, 22, 3),
        Err(Invalid(vec![
            FieldError::new("phq9_first", "must be a whole number from 0 to 27"),
            FieldError::new("gad7_first", "must be a whole number from 0 to 21"),
        ]))
    );
    assert!(nhs_category(27, 0, 21, 0).is_ok());
}
