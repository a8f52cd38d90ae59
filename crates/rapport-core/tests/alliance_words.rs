//! The alliance engine's words against the model (`design/alliance-model.md`): titles, never
//! alarmist or blaming, flags and ruptures explained, the client's note, the text report and the
//! instruments' own form texts. The rules are tested in `alliance.rs`.

mod alliance_support;

use alliance_support::*;
use rapport_core::alliance::*;

use serde_json::json;

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
