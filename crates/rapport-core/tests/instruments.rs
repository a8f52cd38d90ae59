//! Instrument definitions, loading, scoring and the licensed-text overlay.

use rapport_core::instrument::{Definition, Registry, Scored, score, srs_drop};
use rapport_core::{FieldError, Invalid};
use serde_json::{Map, Value, json};

fn registry() -> Registry {
    Registry::builtin().expect("the built-in definitions load")
}

fn def(id: &str) -> Definition {
    registry()
        .get(id)
        .unwrap_or_else(|| panic!("{id} is built in"))
        .clone()
}

fn map(value: Value) -> Map<String, Value> {
    value.as_object().expect("an object").clone()
}

fn score_ok(def: &Definition, answers: Value) -> Scored {
    score(def, &map(answers)).unwrap_or_else(|e| panic!("answers refused: {e}"))
}

fn refused(def: &Definition, answers: Value) -> Vec<FieldError> {
    match score(def, &map(answers)) {
        Ok(scored) => panic!("answers accepted: {scored:?}"),
        Err(Invalid(problems)) => problems,
    }
}

/// Answers to `items` whole-number items `q1..` adding up to `total`, each at most `max`.
fn spread(items: usize, max: i64, total: i64, last: Option<i64>) -> Value {
    let mut left = total - last.unwrap_or(0);
    let mut answers = Map::new();
    for i in 1..=items {
        let value = if i == items && last.is_some() {
            last.unwrap_or(0)
        } else {
            left.min(max)
        };
        if !(i == items && last.is_some()) {
            left -= value;
        }
        answers.insert(format!("q{i}"), json!(value));
    }
    assert_eq!(left, 0, "{total} does not fit");
    Value::Object(answers)
}

fn band(scored: &Scored) -> &str {
    scored
        .scale("total")
        .and_then(|s| s.band.as_deref())
        .expect("a band")
}

#[test]
fn every_built_in_instrument_loads() {
    let registry = registry();
    let ids: Vec<&str> = registry.list().iter().map(Definition::id).collect();
    assert_eq!(ids, ["rac", "phq9", "gad7", "cnip", "wai-sr", "srs", "ors"]);
}

#[test]
fn phq9_bands_change_exactly_at_the_published_edges() {
    let phq9 = def("phq9");
    let expected = [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ];
    for (total, label) in expected {
        let scored = score_ok(&phq9, spread(9, 3, total, None));
        assert_eq!(scored.scale("total").unwrap().value, total as f64);
        assert_eq!(band(&scored), label, "PHQ-9 total {total}");
    }
}

#[test]
fn gad7_bands_change_exactly_at_the_published_edges() {
    let gad7 = def("gad7");
    let expected = [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ];
    for (total, label) in expected {
        assert_eq!(
            band(&score_ok(&gad7, spread(7, 3, total, None))),
            label,
            "GAD-7 total {total}"
        );
    }
}

#[test]
fn phq9_and_gad7_zero_anchor_is_not_at_all() {
    for id in ["phq9", "gad7"] {
        let definition = def(id);
        let description = serde_json::to_value(&definition.items()[0].response).unwrap();
        assert_eq!(description["options"][0]["label"], "Not at all", "{id}");
    }
}

#[test]
fn caseness_cut_offs_follow_nhs_talking_therapies() {
    let phq9 = def("phq9");
    let at = |total| {
        score_ok(&phq9, spread(9, 3, total, None))
            .scale("total")
            .unwrap()
            .cutoff("caseness")
    };
    assert_eq!((at(9), at(10)), (Some(false), Some(true)));
    let gad7 = def("gad7");
    let at = |total| {
        score_ok(&gad7, spread(7, 3, total, None))
            .scale("total")
            .unwrap()
            .cutoff("caseness")
    };
    assert_eq!((at(7), at(8)), (Some(false), Some(true)));
}

#[test]
fn any_answer_above_zero_on_phq9_item_9_raises_the_crisis_flag_whatever_the_total() {
    let phq9 = def("phq9");
    for item9 in 1..=3 {
        let scored = score_ok(&phq9, spread(9, 3, item9, Some(item9)));
        assert!(scored.has_flag("crisis"), "item 9 = {item9}");
        assert_eq!(band(&scored), "minimal");
    }
    let severe_without_item9 = score_ok(&phq9, spread(9, 3, 24, Some(0)));
    assert!(!severe_without_item9.has_flag("crisis"));
    assert_eq!(band(&severe_without_item9), "severe");
}

#[test]
fn wai_sr_subscales_are_keyed_task_1_2_10_12_goal_4_6_8_11_bond_3_5_7_9() {
    let wai = def("wai-sr");
    let answers: Value = json!({
        "q1": 1, "q2": 2, "q10": 3, "q12": 4,
        "q4": 5, "q6": 5, "q8": 5, "q11": 4,
        "q3": 1, "q5": 1, "q7": 1, "q9": 2
    });
    let scored = score_ok(&wai, answers);
    let value = |id| scored.scale(id).unwrap().value;
    assert_eq!(
        (value("task"), value("goal"), value("bond"), value("total")),
        (10.0, 19.0, 5.0, 34.0)
    );
}

#[test]
fn srs_below_36_is_an_alliance_concern_and_36_is_not() {
    let srs = def("srs");
    let concern = |a: f64, b: f64, c: f64, d: f64| {
        let scored = score_ok(
            &srs,
            json!({"relationship": a, "goals": b, "approach": c, "overall": d}),
        );
        (
            scored.scale("total").unwrap().value,
            scored.scale("total").unwrap().cutoff("concern").unwrap(),
        )
    };
    assert_eq!(concern(9.9, 9.9, 9.9, 6.2), (35.9, true));
    assert_eq!(concern(9.0, 9.0, 9.0, 9.0), (36.0, false));
    assert_eq!(concern(10.0, 10.0, 10.0, 10.0), (40.0, false));
}

#[test]
fn ors_below_25_is_in_the_clinical_range_and_its_reliable_change_is_5_points() {
    let ors = def("ors");
    let clinical = |last: f64| {
        let answers =
            json!({"individually": 6.0, "interpersonally": 6.0, "socially": 6.0, "overall": last});
        let scored = score_ok(&ors, answers);
        (
            scored.scale("total").unwrap().value,
            scored.scale("total").unwrap().cutoff("clinical").unwrap(),
        )
    };
    assert_eq!(clinical(6.9), (24.9, true));
    assert_eq!(clinical(7.0), (25.0, false));
    assert_eq!(clinical(7.1), (25.1, false));
    assert_eq!(ors.scale("total").unwrap().reliable_change, Some(5.0));
}

#[test]
fn an_srs_drop_of_one_point_or_more_is_flagged() {
    assert!(srs_drop(38.0, 37.0));
    assert!(srs_drop(36.3, 35.3));
    assert!(srs_drop(39.5, 30.0));
    assert!(!srs_drop(38.0, 37.1));
    assert!(!srs_drop(37.0, 38.0));
    assert!(!srs_drop(37.0, 37.0));
}

#[test]
fn cnip_scores_each_dimension_as_the_mean_from_minus_3_to_plus_3() {
    let cnip = def("cnip");
    let mut answers = Map::new();
    let values = [3, 3, 3, 3, 3, -3, -3, -3, -3, -3, 1, 0, 0, 2, -1, 0, 0, 0];
    for (i, v) in values.iter().enumerate() {
        answers.insert(format!("q{}", i + 1), json!(v));
    }
    let scored = score_ok(&cnip, Value::Object(answers));
    let value = |id| scored.scale(id).unwrap().value;
    assert_eq!(value("directiveness"), 3.0);
    assert_eq!(value("intensity"), -3.0);
    assert_eq!(value("past"), 0.33);
    assert_eq!(value("challenge"), 0.2);
}

#[test]
fn the_rac_alliance_score_is_25_times_the_mean_of_the_five_signs() {
    let rac = def("rac");
    let answers = json!({
        "heard": 3, "open": 2, "attuned": 3, "trust": 3, "looking_forward": 2,
        "flags": ["dread"], "misconduct": false, "stirred": 3, "toward_therapist": false,
        "left_feeling": "stirred_ok", "need": "more structure", "raised": null, "repair": null
    });
    assert_eq!(
        score_ok(&rac, answers).scale("alliance").unwrap().value,
        65.0
    );
    let need = rac.item("need").unwrap();
    assert!(need.sensitive && !need.required);
}

#[test]
fn scored_results_serialise_with_values_bands_cut_offs_and_flags() {
    let phq9 = def("phq9");
    let scored = score_ok(&phq9, spread(9, 3, 12, Some(1)));
    let json = serde_json::to_value(&scored).unwrap();
    assert_eq!(
        json,
        json!({
            "instrument": "phq9", "version": "1.0",
            "scales": [{"id": "total", "value": 12.0, "band": "moderate", "cutoffs": {"caseness": true}}],
            "flags": ["crisis"]
        })
    );
}

#[test]
fn a_string_where_a_number_belongs_is_refused_naming_the_item_and_range() {
    let phq9 = def("phq9");
    let mut answers = spread(9, 3, 5, None);
    answers["q1"] = json!("2");
    assert_eq!(
        refused(&phq9, answers),
        [FieldError::new("q1", "must be a whole number from 0 to 3")]
    );
}

#[test]
fn out_of_range_missing_and_unknown_answers_are_all_reported_at_once() {
    let phq9 = def("phq9");
    let mut answers = spread(9, 3, 5, None);
    answers["q3"] = json!(4);
    answers["q4"] = json!(1.5);
    answers.as_object_mut().unwrap().remove("q9");
    answers["q10"] = json!(1);
    assert_eq!(
        refused(&phq9, answers),
        [
            FieldError::new("q3", "must be a whole number from 0 to 3"),
            FieldError::new("q4", "must be a whole number from 0 to 3"),
            FieldError::new("q9", "is required: must be a whole number from 0 to 3"),
            FieldError::new(
                "q10",
                "is not an item of Patient Health Questionnaire (PHQ-9)"
            ),
        ]
    );
}

#[test]
fn srs_answers_off_the_one_decimal_step_or_range_are_refused() {
    let srs = def("srs");
    let problems = refused(
        &srs,
        json!({"relationship": 7.25, "goals": 10.1, "approach": -0.1, "overall": "9"}),
    );
    let reason = "must be a number from 0 to 10 in steps of 0.1";
    let expected: Vec<FieldError> = ["relationship", "goals", "approach", "overall"]
        .iter()
        .map(|f| FieldError::new(*f, reason))
        .collect();
    assert_eq!(problems, expected);
}

#[test]
fn rac_answers_are_checked_against_their_own_kinds() {
    let rac = def("rac");
    let problems = refused(
        &rac,
        json!({
            "heard": 3, "open": 2, "attuned": 3, "trust": 3, "looking_forward": 2,
            "flags": ["dread", "dread"], "misconduct": "no", "stirred": 3,
            "left_feeling": "awful"
        }),
    );
    let fields: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.field.as_str(), p.reason.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (
                "flags",
                "lists dread twice; must be a list of values, each one of judged, boundaries, unheard, unsafe, misunderstood, dread"
            ),
            ("misconduct", "must be true or false"),
            ("left_feeling", "must be one of better, stirred_ok, bad"),
        ]
    );
}

#[path = "instruments/bad_files.rs"]
mod bad_files;

#[path = "instruments/licensed_text.rs"]
mod licensed_text;
