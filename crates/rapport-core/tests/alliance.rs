//! The alliance engine against the model (`design/alliance-model.md`): indicators, ruptures
//! worked by hand, every status and reason, the output shape and properties. The words are in
//! `alliance_words.rs`, parsing in `alliance_parse.rs`.

mod alliance_support;

use alliance_support::*;
use proptest::prelude::*;
use rapport_core::alliance::*;

use serde_json::{Value, json};
use std::collections::BTreeSet;

// ---------- indicators ----------

#[test]
fn the_alliance_score_is_25_times_the_mean_sign() {
    assert_eq!(alliance_score(&signs(1, [4, 4, 4, 4, 4])), 100.0);
    assert_eq!(alliance_score(&signs(1, [0, 0, 0, 0, 0])), 0.0);
    assert_eq!(alliance_score(&signs(1, [3, 2, 3, 3, 2])), 65.0);
}

#[test]
fn dread_is_a_problem_only_when_the_client_left_feeling_bad() {
    let mut dread = flagged(scored(1, 70), &[Flag::Dread]);
    dread.left_feeling = LeftFeeling::StirredOk;
    assert!(!is_problem(&dread));
    dread.left_feeling = LeftFeeling::Bad;
    assert!(is_problem(&dread));
}

#[test]
fn low_trust_is_a_problem_only_with_a_score_under_50() {
    assert!(is_problem(&signs(1, [2, 2, 2, 1, 1])), "trust 1, score 40");
    assert!(
        !is_problem(&signs(1, [3, 3, 2, 1, 1])),
        "trust 1, score exactly 50"
    );
    assert!(!is_problem(&signs(1, [1, 1, 1, 2, 1])), "trust 2, score 30");
}

#[test]
fn transference_needs_trust_of_3_and_no_problem() {
    let mut angry = scored(1, 70);
    angry.toward_therapist = true;
    assert!(is_transference(&angry) && angry.trust.get() >= 3);
    angry.trust = Sign::new(2).unwrap();
    assert!(!is_transference(&angry));
    let judged = flagged(signs(1, [3, 3, 3, 4, 3]), &[Flag::Judged]);
    assert!(!is_transference(&CheckIn {
        toward_therapist: true,
        ..judged
    }));
}

#[test]
fn productive_discomfort_is_a_stirring_session_left_without_harm() {
    let stirring = CheckIn {
        stirred: 3,
        left_feeling: LeftFeeling::StirredOk,
        ..scored(1, 70)
    };
    assert!(is_productive_discomfort(&stirring));
    assert!(!is_productive_discomfort(&CheckIn {
        left_feeling: LeftFeeling::Bad,
        ..stirring.clone()
    }));
    assert!(!is_productive_discomfort(&CheckIn {
        stirred: 2,
        ..stirring
    }));
}

// ---------- ruptures, worked by hand ----------

#[test]
fn a_drop_from_a_flat_usual_uses_the_floor_of_5() {
    // 80, 80, 80 then 60: μ = 80, σ = 0 floored to 5; 60 ≤ 80 − 2·5 = 70 → major, drop 20.
    let ruptures = find_ruptures(&history(&[80, 80, 80, 60]));
    assert_eq!(ruptures.len(), 1);
    let rupture = &ruptures[0];
    assert_eq!(
        (rupture.session, rupture.severity, rupture.repaired_at),
        (4, Severity::Major, None)
    );
    assert_eq!(
        (rupture.drop, rupture.usual, rupture.spread),
        (20.0, 80.0, 5.0)
    );
}

#[test]
fn the_rupture_lines_are_inclusive() {
    // μ = 80, σ = 5: 75 is exactly μ − σ (minor), 70 exactly μ − 2σ (major), 80 is none.
    assert_eq!(
        find_ruptures(&history(&[80, 80, 80, 75]))[0].severity,
        Severity::Minor
    );
    assert_eq!(
        find_ruptures(&history(&[80, 80, 80, 70]))[0].severity,
        Severity::Major
    );
    assert!(find_ruptures(&history(&[80, 80, 80, 80])).is_empty());
}

#[test]
fn no_rupture_is_read_before_three_earlier_checkins() {
    assert!(find_ruptures(&history(&[80, 80, 20])).is_empty());
}

#[test]
fn a_spread_out_usual_uses_its_own_standard_deviation() {
    // 60, 70, 80: μ = 70, σ = √((100 + 0 + 100) / 3) = √66.67 ≈ 8.165.
    // 55 ≤ μ − σ ≈ 61.8 → rupture; 55 > μ − 2σ ≈ 53.7 → minor; drop 15.
    // Repaired at the first later score ≥ μ − σ/2 ≈ 65.9: 65 is not, 70 is (session 6).
    // (65 and 70 are not ruptures themselves: their thresholds are ≈ 56.6 and lower.)
    let ruptures = find_ruptures(&history(&[60, 70, 80, 55, 65, 70]));
    assert_eq!(ruptures.len(), 1);
    let rupture = &ruptures[0];
    assert_eq!(
        (rupture.session, rupture.severity, rupture.repaired_at),
        (4, Severity::Minor, Some(6))
    );
    assert!((rupture.spread - (200.0_f64 / 3.0).sqrt()).abs() < 1e-9);
    assert_eq!(rupture.drop, 15.0);
}

#[test]
fn a_repair_is_judged_against_that_ruptures_own_usual() {
    // 80, 80, 80, 60: μ = 80, σ = 5, so repaired at a score ≥ 77.5: 75 is not, 80 is.
    let ruptures = find_ruptures(&history(&[80, 80, 80, 60, 75, 80]));
    assert_eq!(ruptures.len(), 1);
    assert_eq!(ruptures[0].repaired_at, Some(6));
}

// ---------- status and reasons ----------

#[test]
fn every_status_and_reason_follows_the_rules_in_order() {
    for (name, checkins, status, reasons) in status_table() {
        let assessment = assess(&checkins);
        assert_eq!(assessment.status, status, "{name}");
        let got: Vec<(ReasonCode, Vec<u32>)> = assessment
            .reasons
            .iter()
            .map(|r| (r.code, r.sessions.clone()))
            .collect();
        assert_eq!(got, reasons, "{name}");
    }
}

#[test]
fn the_table_covers_every_status_and_every_reason_code() {
    let table = status_table();
    let statuses: BTreeSet<&str> = table.iter().map(|row| row.2.as_str()).collect();
    assert_eq!(statuses.len(), 8);
    let reasons: BTreeSet<String> = table
        .iter()
        .flat_map(|row| {
            row.3
                .iter()
                .map(|(code, _)| serde_json::to_string(code).unwrap())
        })
        .collect();
    assert_eq!(reasons.len(), 15, "{reasons:?}");
}

#[test]
fn assess_sorts_defensively() {
    let mut checkins = history(&[80, 80, 80, 60]);
    checkins.reverse();
    let assessment = assess(&checkins);
    assert_eq!(assessment.status, Status::SpeakUp);
    assert_eq!(
        assessment
            .alliance
            .iter()
            .map(|s| s.session)
            .collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
}

#[test]
fn the_output_has_exactly_the_offline_engine_shape() {
    // 80, 85, 85: μ = 83.33, σ ≈ 2.36 floored to 5; 65 ≤ μ − 2σ = 73.33 → major, drop 18.33.
    let checkins = vec![
        scored(1, 80),
        scored(2, 85),
        scored(3, 85),
        need(scored(4, 65), "more structure"),
    ];
    let assessment = assess(&checkins);
    let text = serde_json::to_string(&assessment).unwrap();
    assert!(
        text.starts_with("{\"status\":\"speak_up\",\"sessions\":4,\"alliance\":["),
        "{text}"
    );
    let expected = json!({
        "status": "speak_up", "sessions": 4,
        "alliance": [{"session": 1, "score": 80.0}, {"session": 2, "score": 85.0},
                     {"session": 3, "score": 85.0}, {"session": 4, "score": 65.0}],
        "ruptures": [{"session": 4, "drop": 18.3, "severity": "major", "repaired_at": null}],
        "reasons": [{"code": "need_noted", "sessions": [4]}, {"code": "rupture", "sessions": [4]}],
        "next_step": assessment.next_step,
    });
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);
}

#[test]
fn no_checkins_give_status_none() {
    let value = serde_json::to_value(assess(&[])).unwrap();
    assert_eq!(value["status"], "none");
    assert_eq!(value["sessions"], 0);
    assert_eq!(value["reasons"], json!([]));
}

// ---------- properties ----------

fn any_checkin() -> impl Strategy<Value = CheckIn> {
    (
        prop::array::uniform5(0u8..=4),
        prop::collection::btree_set(prop::sample::select(Flag::ALL.to_vec()), 0..4),
        (
            any::<bool>(),
            0u8..=4,
            any::<bool>(),
            prop::sample::select(LeftFeeling::ALL.to_vec()),
        ),
        (
            prop::option::of("[a-z ]{1,20}"),
            prop::option::of(any::<bool>()),
            prop::option::of(0u8..=4),
        ),
    )
        .prop_map(
            |(
                values,
                flags,
                (misconduct, stirred, toward_therapist, left_feeling),
                (need, raised, repair),
            )| {
                let need = need.map(|text| format!("ask {text}").trim().to_owned());
                let repair = repair.filter(|_| raised == Some(true));
                CheckIn {
                    flags,
                    misconduct,
                    stirred,
                    toward_therapist,
                    left_feeling,
                    need,
                    raised,
                    repair,
                    ..signs(0, values)
                }
            },
        )
}

fn any_history() -> impl Strategy<Value = Vec<CheckIn>> {
    prop::collection::vec(any_checkin(), 0..12)
        .prop_shuffle()
        .prop_map(|checkins| {
            checkins
                .into_iter()
                .zip(1..)
                .map(|(checkin, session)| CheckIn {
                    session: session * 2,
                    ..checkin
                })
                .collect()
        })
}

proptest! {
    #[test]
    fn the_alliance_score_is_always_between_0_and_100(checkin in any_checkin()) {
        let score = alliance_score(&checkin);
        prop_assert!((0.0..=100.0).contains(&score));
    }

    #[test]
    fn assess_never_panics_and_leads_with_its_status_reason(checkins in any_history()) {
        let assessment = assess(&checkins);
        prop_assert_eq!(assessment.sessions, checkins.len());
        prop_assert_eq!(assessment.reasons.is_empty(), checkins.is_empty());
        let codes = codes(&assessment);
        let unique: BTreeSet<String> = codes.iter().map(|c| format!("{c:?}")).collect();
        prop_assert_eq!(unique.len(), codes.len());
        for reason in &assessment.reasons {
            prop_assert!(!explain(reason, &checkins).is_empty());
        }
        prop_assert!(!render_text(&assessment, &checkins).is_empty());
        prop_assert!(serde_json::to_string(&assessment).is_ok());
    }

    #[test]
    fn a_checkin_always_survives_a_round_trip(mut checkin in any_checkin()) {
        checkin.session = 3;
        let value = serde_json::to_value(&checkin).unwrap();
        prop_assert_eq!(parse_checkin(&value, "").unwrap(), checkin);
    }
}
