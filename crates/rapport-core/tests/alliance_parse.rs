//! Reading check-ins and histories (`design/alliance-model.md`): every field, every refusal
//! naming its field, form text read like JSON, and histories sorted and checked.

mod alliance_support;

use alliance_support::*;
use rapport_core::FieldError;
use rapport_core::alliance::*;
use serde_json::json;
use std::collections::BTreeSet;

// ---------- parsing ----------

#[test]
fn the_spec_example_checkin_is_read_as_written() {
    let checkin = parse_checkin(&spec_example(), "").unwrap();
    assert_eq!(checkin.session, 1);
    assert_eq!(checkin.date.as_deref(), Some("2026-03-02"));
    assert_eq!(checkin.flags, BTreeSet::from([Flag::Dread]));
    assert_eq!(checkin.left_feeling, LeftFeeling::StirredOk);
    assert_eq!(checkin.need.as_deref(), Some("more structure"));
    assert_eq!((checkin.raised, checkin.repair), (None, None));
    assert_eq!(alliance_score(&checkin), 65.0);
}

#[test]
fn optional_fields_may_be_left_out_and_take_their_defaults() {
    let checkin = parse_checkin(&minimal(), "").unwrap();
    assert!(checkin.flags.is_empty());
    assert!(!checkin.misconduct && !checkin.toward_therapist);
    assert_eq!(
        (checkin.date, checkin.need, checkin.raised, checkin.repair),
        (None, None, None, None)
    );
}

#[test]
fn a_missing_sign_is_named_with_its_field_and_the_expected_answer() {
    let error = parse_checkin(&without(minimal(), "heard"), "").unwrap_err();
    assert_eq!(
        error.0,
        vec![FieldError::new(
            "heard",
            "is required (a whole number from 0 to 4)"
        )]
    );
}

#[test]
fn a_prefix_names_the_checkin_in_every_field() {
    let error = parse_checkin(&without(minimal(), "trust"), "checkins[0] (session 2)").unwrap_err();
    assert_eq!(fields(&error), ["checkins[0] (session 2).trust"]);
}

#[test]
fn an_out_of_range_sign_or_stirred_is_refused() {
    let value = with(with(minimal(), "open", json!(5)), "stirred", json!(-1));
    let error = parse_checkin(&value, "").unwrap_err();
    assert_eq!(
        error.0,
        vec![
            FieldError::new("open", "must be a whole number from 0 to 4"),
            FieldError::new("stirred", "must be a whole number from 0 to 4"),
        ]
    );
}

#[test]
fn an_unknown_flag_is_refused_with_the_allowed_ones_listed() {
    let error =
        parse_checkin(&with(minimal(), "flags", json!(["judged", "bored"])), "").unwrap_err();
    assert_eq!(
        error.0,
        vec![FieldError::new(
            "flags",
            "unknown flag \"bored\"; allowed: judged, boundaries, unheard, unsafe, misunderstood, dread"
        )]
    );
}

#[test]
fn wrong_types_are_refused_field_by_field() {
    let value = json!({"session": "first", "heard": true, "open": 2.5, "attuned": [3], "trust": 3,
        "looking_forward": 3, "stirred": 0, "left_feeling": 2, "flags": 3, "misconduct": "maybe",
        "need": 5, "date": "02/03/2026", "raised": 1});
    let error = parse_checkin(&value, "").unwrap_err();
    assert_eq!(
        fields(&error),
        [
            "session",
            "date",
            "heard",
            "open",
            "attuned",
            "flags",
            "misconduct",
            "left_feeling",
            "need",
            "raised"
        ]
    );
    assert!(error.0.iter().all(|problem| !problem.reason.is_empty()));
}

#[test]
fn every_problem_is_reported_at_once_including_unknown_fields() {
    let value = json!({"heard": 9, "colour": "blue"});
    let error = parse_checkin(&value, "").unwrap_err();
    assert_eq!(
        fields(&error),
        [
            "session",
            "heard",
            "open",
            "attuned",
            "trust",
            "looking_forward",
            "stirred",
            "left_feeling",
            "colour"
        ]
    );
    assert_eq!(error.0.last().unwrap().reason, "unknown field");
    assert_eq!(
        error.0[7].reason,
        "is required (one of better, stirred_ok, bad)"
    );
}

#[test]
fn a_checkin_that_is_not_an_object_is_refused() {
    let error = parse_checkin(&json!([1, 2]), "checkins[3]").unwrap_err();
    assert_eq!(fields(&error), ["checkins[3]"]);
}

#[test]
fn an_impossible_date_is_refused_and_a_leap_day_accepted() {
    assert!(parse_checkin(&with(minimal(), "date", json!("2026-02-30")), "").is_err());
    assert!(parse_checkin(&with(minimal(), "date", json!("2028-02-29")), "").is_ok());
}

#[test]
fn raised_accepts_booleans_and_yes_or_no_and_is_output_as_a_boolean() {
    for (input, expected) in [
        (json!(true), true),
        (json!("yes"), true),
        (json!(false), false),
        (json!("no"), false),
    ] {
        let checkin = parse_checkin(&with(minimal(), "raised", input), "").unwrap();
        assert_eq!(checkin.raised, Some(expected));
        assert_eq!(
            serde_json::to_value(&checkin).unwrap()["raised"],
            json!(expected)
        );
    }
}

#[test]
fn a_repair_is_refused_unless_the_need_was_raised() {
    let error = parse_checkin(
        &with(with(minimal(), "raised", json!("no")), "repair", json!(3)),
        "",
    )
    .unwrap_err();
    assert_eq!(
        error.0,
        vec![FieldError::new(
            "repair",
            "can only be given when raised is yes"
        )]
    );
    assert!(parse_checkin(&with(minimal(), "repair", json!(3)), "").is_err());
    let ok = parse_checkin(
        &with(with(minimal(), "raised", json!(true)), "repair", json!(3)),
        "",
    )
    .unwrap();
    assert_eq!(ok.repair, Some(3));
}

#[test]
fn a_need_is_trimmed_a_blank_one_is_none_and_a_long_one_is_refused() {
    let trimmed =
        parse_checkin(&with(minimal(), "need", json!("  more structure \n")), "").unwrap();
    assert_eq!(trimmed.need.as_deref(), Some("more structure"));
    assert_eq!(
        parse_checkin(&with(minimal(), "need", json!("   ")), "")
            .unwrap()
            .need,
        None
    );
    let long = "x".repeat(NEED_MAX_CHARS + 1);
    let error = parse_checkin(&with(minimal(), "need", json!(long)), "").unwrap_err();
    assert_eq!(fields(&error), ["need"]);
    let just_fits = "é".repeat(NEED_MAX_CHARS);
    assert!(parse_checkin(&with(minimal(), "need", json!(just_fits)), "").is_ok());
}

#[test]
fn form_text_is_read_like_json_so_one_parser_serves_both() {
    let form = json!({"session": "4", "heard": "3", "open": "3", "attuned": "2", "trust": "4",
        "looking_forward": "3", "stirred": "1", "left_feeling": "better", "flags": "judged",
        "misconduct": "", "toward_therapist": "on", "need": ""});
    let checkin = parse_checkin(&form, "").unwrap();
    assert_eq!(
        (checkin.session, checkin.trust.get(), checkin.stirred),
        (4, 4, 1)
    );
    assert!(checkin.toward_therapist && !checkin.misconduct);
    assert_eq!(checkin.flags, BTreeSet::from([Flag::Judged]));
}

#[test]
fn a_checkin_round_trips_through_serde_and_serde_uses_the_same_parser() {
    let checkin = parse_checkin(&spec_example(), "").unwrap();
    let text = serde_json::to_string(&checkin).unwrap();
    assert_eq!(serde_json::from_str::<CheckIn>(&text).unwrap(), checkin);
    assert_eq!(serde_json::to_value(&checkin).unwrap(), spec_example());
    let refused =
        serde_json::from_value::<CheckIn>(with(minimal(), "heard", json!(7))).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("heard: must be a whole number from 0 to 4")
    );
}

#[test]
fn invalid_json_is_one_problem_on_the_input() {
    let error = parse_history("{\"checkins\": [").unwrap_err();
    assert_eq!(fields(&error), ["input"]);
    assert!(error.0[0].reason.starts_with("is not valid JSON"));
}

#[test]
fn a_history_without_checkins_is_refused() {
    assert_eq!(fields(&parse_history("{}").unwrap_err()), ["checkins"]);
    assert_eq!(fields(&parse_history("[]").unwrap_err()), ["input"]);
    assert_eq!(parse_history("{\"checkins\": []}").unwrap(), vec![]);
}

#[test]
fn history_problems_name_the_checkin_by_index_and_session() {
    let bad = without(with(minimal(), "session", json!(7)), "open");
    let no_session = without(minimal(), "session");
    let input = json!({"checkins": [minimal(), bad, no_session]}).to_string();
    let error = parse_history(&input).unwrap_err();
    assert_eq!(
        fields(&error),
        ["checkins[1] (session 7).open", "checkins[2].session"]
    );
}

#[test]
fn a_repeated_session_is_refused_naming_both_checkins() {
    let input = json!({"checkins": [minimal(), spec_example(), minimal()]}).to_string();
    let error = parse_history(&input).unwrap_err();
    assert_eq!(
        error.0,
        vec![FieldError::new(
            "checkins[2] (session 2).session",
            "repeats session 2 (already in checkins[0])"
        )]
    );
}

#[test]
fn a_history_in_any_order_comes_back_sorted_by_session() {
    let late = with(minimal(), "session", json!(9));
    let input = json!({"checkins": [late, spec_example(), minimal()]}).to_string();
    let sessions: Vec<u32> = parse_history(&input)
        .unwrap()
        .iter()
        .map(|c| c.session)
        .collect();
    assert_eq!(sessions, [1, 2, 9]);
}
