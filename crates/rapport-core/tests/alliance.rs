//! The alliance engine against the model (`design/alliance-model.md`): indicators, ruptures
//! worked by hand, every status and reason, the output shape and the words. Parsing is in
//! `alliance_parse.rs`.

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

fn need(mut checkin: CheckIn, text: &str) -> CheckIn {
    checkin.need = Some(text.to_owned());
    checkin
}

fn toward(mut checkin: CheckIn) -> CheckIn {
    checkin.toward_therapist = true;
    checkin
}

fn misconduct(mut checkin: CheckIn) -> CheckIn {
    checkin.misconduct = true;
    checkin
}

fn left(mut checkin: CheckIn, feeling: LeftFeeling, stirred: u8) -> CheckIn {
    checkin.left_feeling = feeling;
    checkin.stirred = stirred;
    checkin
}

fn raised(mut checkin: CheckIn, yes: bool, repair: Option<u8>) -> CheckIn {
    checkin.raised = Some(yes);
    checkin.repair = repair;
    checkin
}

fn low(session: u32, score: u8) -> CheckIn {
    let checkin = scored(session, score);
    assert!(checkin.trust.get() >= 2 && !is_problem(&checkin));
    checkin
}

#[allow(clippy::type_complexity)]
fn status_table() -> Vec<(
    &'static str,
    Vec<CheckIn>,
    Status,
    Vec<(ReasonCode, Vec<u32>)>,
)> {
    use ReasonCode as R;
    let judged = |c| flagged(c, &[Flag::Judged]);
    vec![
        ("no check-ins", vec![], Status::None, vec![]),
        (
            "one session",
            history(&[65]),
            Status::Early,
            vec![(R::EarlyDays, vec![1])],
        ),
        (
            "two sessions",
            history(&[65, 60]),
            Status::Early,
            vec![(R::EarlyDays, vec![1, 2])],
        ),
        (
            "three middling",
            history(&[65, 70, 70]),
            Status::Forming,
            vec![(R::Forming, vec![1, 2, 3])],
        ),
        (
            "mean exactly 75",
            history(&[70, 75, 80]),
            Status::Strong,
            vec![(R::StrongAlliance, vec![1, 2, 3])],
        ),
        (
            "mean just under 75",
            history(&[70, 75, 75]),
            Status::Forming,
            vec![(R::Forming, vec![1, 2, 3])],
        ),
        (
            "strong scores but a problem two sessions ago",
            vec![
                scored(1, 85),
                judged(scored(2, 85)),
                scored(3, 85),
                scored(4, 85),
            ],
            Status::Forming,
            vec![(R::Forming, vec![2, 3, 4])],
        ),
        (
            "transference",
            vec![scored(1, 70), toward(scored(2, 70))],
            Status::Transference,
            vec![(R::Transference, vec![2])],
        ),
        (
            "transference with a need noted: speak up wins",
            vec![scored(1, 70), need(toward(scored(2, 70)), "less homework")],
            Status::SpeakUp,
            vec![(R::NeedNoted, vec![2]), (R::Transference, vec![2])],
        ),
        (
            "a problem at once",
            vec![judged(scored(1, 70))],
            Status::SpeakUp,
            vec![(R::ProblemFlags, vec![1])],
        ),
        (
            "problems in both early sessions",
            vec![judged(scored(1, 70)), judged(scored(2, 70))],
            Status::SpeakUp,
            vec![(R::ProblemFlags, vec![1, 2])],
        ),
        (
            "a rupture at the last session",
            history(&[80, 80, 80, 60]),
            Status::SpeakUp,
            vec![(R::Rupture, vec![4])],
        ),
        (
            "a repaired rupture",
            history(&[80, 80, 80, 60, 80]),
            Status::Forming,
            vec![
                (R::Forming, vec![3, 4, 5]),
                (R::Rupture, vec![4]),
                (R::RuptureRepaired, vec![4]),
            ],
        ),
        (
            "a new rupture after an earlier one is merged into one rupture reason",
            history(&[80, 80, 80, 60, 80, 80, 55]),
            Status::SpeakUp,
            vec![(R::Rupture, vec![4, 7]), (R::RuptureRepaired, vec![4])],
        ),
        (
            "problems in 2 of the last 3",
            vec![
                scored(1, 70),
                judged(scored(2, 70)),
                scored(3, 70),
                judged(scored(4, 70)),
            ],
            Status::Reconsider,
            vec![(R::ConsistentProblem, vec![2, 4])],
        ),
        (
            "problems in 2 of the last 3 with a need: the note is still offered",
            vec![
                judged(scored(1, 70)),
                scored(2, 70),
                need(judged(scored(3, 70)), "slower pace"),
            ],
            Status::Reconsider,
            vec![(R::ConsistentProblem, vec![1, 3]), (R::NeedNoted, vec![3])],
        ),
        (
            "never formed",
            vec![low(1, 40), low(2, 45), low(3, 40), low(4, 45)],
            Status::Reconsider,
            vec![(R::NeverFormed, vec![2, 3, 4])],
        ),
        (
            "low but rising by 15 is not never formed",
            vec![low(1, 40), low(2, 30), low(3, 35), low(4, 45)],
            Status::Forming,
            vec![(R::Forming, vec![2, 3, 4])],
        ),
        (
            "low with three sessions only is not never formed",
            vec![low(1, 40), low(2, 45), low(3, 40)],
            Status::Forming,
            vec![(R::Forming, vec![1, 2, 3])],
        ),
        (
            "low with a problem among the last three is not never formed (rule 2b)",
            vec![low(1, 40), low(2, 45), judged(low(3, 40)), low(4, 45)],
            Status::Forming,
            vec![(R::Forming, vec![2, 3, 4])],
        ),
        (
            "misconduct beats everything",
            vec![
                misconduct(judged(scored(1, 90))),
                judged(scored(2, 30)),
                need(judged(scored(3, 30)), "x"),
            ],
            Status::ActNow,
            vec![(R::Misconduct, vec![1])],
        ),
        (
            "dread about the work, left stirred up but okay",
            vec![left(
                flagged(scored(1, 70), &[Flag::Dread]),
                LeftFeeling::StirredOk,
                2,
            )],
            Status::Early,
            vec![(R::EarlyDays, vec![1]), (R::DreadAboutWork, vec![1])],
        ),
        (
            "dread with leaving bad is a problem",
            vec![left(
                flagged(scored(1, 70), &[Flag::Dread]),
                LeftFeeling::Bad,
                2,
            )],
            Status::SpeakUp,
            vec![(R::ProblemFlags, vec![1])],
        ),
        (
            "productive discomfort",
            vec![
                scored(1, 75),
                scored(2, 75),
                left(scored(3, 75), LeftFeeling::StirredOk, 3),
            ],
            Status::Strong,
            vec![
                (R::StrongAlliance, vec![1, 2, 3]),
                (R::ProductiveDiscomfort, vec![3]),
            ],
        ),
        (
            "raised the need and things got better",
            vec![
                need(scored(1, 70), "more structure"),
                raised(scored(2, 75), true, Some(3)),
            ],
            Status::Early,
            vec![
                (R::EarlyDays, vec![1, 2]),
                (R::RepairAfterSpeakingUp, vec![2]),
            ],
        ),
        (
            "raised the need and little changed",
            vec![
                need(scored(1, 70), "more structure"),
                raised(scored(2, 75), true, Some(1)),
            ],
            Status::Early,
            vec![(R::EarlyDays, vec![1, 2])],
        ),
        (
            "not raised yet",
            vec![
                need(scored(1, 70), "more structure"),
                raised(scored(2, 70), false, None),
            ],
            Status::Early,
            vec![(R::EarlyDays, vec![1, 2]), (R::NotRaised, vec![2])],
        ),
    ]
}

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

// ---------- words ----------

const ALARMING: [&str; 12] = [
    "danger",
    "alarm",
    "urgent",
    "warning",
    "emergency",
    "immediately",
    "fail",
    "abuse",
    "blame",
    "fault",
    "toxic",
    "!",
];

#[test]
fn every_status_has_a_title() {
    assert_eq!(status_title(Status::Early), "Too early to tell");
    assert_eq!(status_title(Status::SpeakUp), "Worth speaking up");
    assert_eq!(status_title(Status::Reconsider), "Time to reconsider");
    assert_eq!(status_title(Status::ActNow), "You can stop now");
}

#[test]
fn words_are_never_alarmist_or_blaming() {
    for (name, checkins, _, _) in status_table() {
        let assessment = assess(&checkins);
        let mut words = vec![
            assessment.next_step.clone(),
            render_text(&assessment, &checkins),
        ];
        words.extend(
            assessment
                .reasons
                .iter()
                .map(|reason| explain(reason, &checkins)),
        );
        if let Some(last) = checkins.last() {
            words.push(draft_note(last));
        }
        for text in words {
            assert!(!text.trim().is_empty(), "{name}");
            let lower = text.to_lowercase();
            for word in ALARMING {
                assert!(!lower.contains(word), "{name}: {word:?} in {text:?}");
            }
        }
    }
}

#[test]
fn problem_flags_are_explained_by_quoting_what_was_ticked() {
    let judged = |c| flagged(c, &[Flag::Judged]);
    let checkins = vec![
        scored(1, 70),
        scored(2, 70),
        judged(scored(3, 70)),
        scored(4, 70),
        judged(scored(5, 70)),
    ];
    let reason = Reason {
        code: ReasonCode::ProblemFlags,
        sessions: vec![3, 5],
    };
    assert_eq!(
        explain(&reason, &checkins),
        "You ticked 'I felt judged or looked down on' in sessions 3 and 5."
    );
}

#[test]
fn a_rupture_is_explained_against_the_clients_usual() {
    let checkins = history(&[80, 80, 80, 60]);
    let assessment = assess(&checkins);
    let text = explain(&assessment.reasons[0], &checkins);
    assert!(
        text.starts_with("Your score dropped by 20 points in session 4, compared with your usual."),
        "{text}"
    );
    assert!(
        assessment
            .next_step
            .contains("working through them together often makes therapy stronger")
    );
}

#[test]
fn a_repaired_rupture_is_said_to_go_with_better_outcomes() {
    let checkins = history(&[80, 80, 80, 60, 80]);
    let reason = Reason {
        code: ReasonCode::RuptureRepaired,
        sessions: vec![4],
    };
    let text = explain(&reason, &checkins);
    assert!(
        text.contains("session 4 (by session 5)") && text.contains("better outcomes"),
        "{text}"
    );
}

#[test]
fn an_early_strong_start_is_named_as_such() {
    assert!(
        assess(&history(&[80, 85]))
            .next_step
            .contains("strong start")
    );
    assert!(
        assess(&history(&[60]))
            .next_step
            .contains("rarely clicks at once")
    );
}

#[test]
fn misconduct_is_never_met_with_give_it_time() {
    let step = assess(&[misconduct(scored(1, 90))]).next_step;
    assert!(step.contains("you can stop"), "{step}");
    assert!(!step.contains("2-3 sessions") && !step.contains("keep going"));
}

#[test]
fn the_note_is_first_person_and_built_from_the_need_and_flags() {
    let latest = need(
        flagged(misconduct(scored(3, 60)), &[Flag::Unheard]),
        "more structure",
    );
    let note = draft_note(&latest);
    assert!(
        note.starts_with("I'd like to talk about how our sessions are going."),
        "{note}"
    );
    assert!(
        note.contains("Something I'd like to ask for: more structure."),
        "{note}"
    );
    assert!(note.contains("needs weren't heard"), "{note}");
    assert!(
        !note.to_lowercase().contains("line") && !note.contains("You "),
        "{note}"
    );
}

#[test]
fn the_text_report_shows_title_scores_reasons_ruptures_and_next_step() {
    let checkins = history(&[80, 80, 80, 60, 80]);
    let assessment = assess(&checkins);
    let text = render_text(&assessment, &checkins);
    for part in [
        "Forming",
        "session   4   60.0",
        "better outcomes",
        "back up by session 5",
        &assessment.next_step,
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
}

#[test]
fn the_form_texts_are_the_instruments_own() {
    let ids: Vec<&str> = SIGNS.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids,
        ["heard", "open", "attuned", "trust", "looking_forward"]
    );
    assert_eq!(
        SIGN_ANCHORS,
        ["Not at all", "A little", "Somewhat", "Mostly", "Completely"]
    );
    assert_eq!(STIRRED_ANCHORS[3], "Quite a lot");
    for flag in Flag::ALL {
        assert_eq!(serde_json::to_value(flag).unwrap(), json!(flag.id()));
        assert_eq!(Flag::from_id(flag.id()), Some(flag));
    }
    assert_eq!(Flag::Judged.text(), "I felt judged or looked down on.");
    assert_eq!(LeftFeeling::StirredOk.label(), "Stirred up, but okay");
    assert!(MISCONDUCT_TEXT.starts_with("My therapist crossed a professional line"));
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
