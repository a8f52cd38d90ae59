//! What a therapist may see of a client's check-ins (`alliance::disclose`): under "trend and
//! status only" nothing that rests on red flags, the professional-line answer or the other
//! answers shows through; under "answers too" everything but the professional-line answer does.

mod alliance_support;

use alliance_support::*;
use proptest::prelude::*;
use rapport_core::alliance::*;

fn calm_history() -> Vec<CheckIn> {
    vec![scored(1, 80), scored(2, 80), scored(3, 80)]
}

#[test]
fn a_misconduct_report_never_reaches_the_therapist_under_trend_sharing() {
    let mut history = calm_history();
    history[2] = misconduct(history[2].clone());
    assert_eq!(assess(&history).status, Status::ActNow);
    let seen = disclose(&history, Disclosure::Trend);
    assert_eq!(seen.assessment.status, Status::Strong);
    assert!(seen.checkins.is_none());
    assert!(
        !codes(&seen.assessment).contains(&ReasonCode::Misconduct),
        "{:?}",
        seen.assessment.reasons
    );
}

#[test]
fn a_misconduct_report_never_reaches_the_therapist_under_answers_sharing() {
    let mut history = calm_history();
    history[1] = misconduct(history[1].clone());
    let seen = disclose(&history, Disclosure::Answers);
    assert_ne!(seen.assessment.status, Status::ActNow);
    let answers = seen.checkins.expect("answers are shared");
    assert!(answers.iter().all(|c| !c.misconduct));
}

#[test]
fn red_flags_do_not_shape_the_trend_reading() {
    let mut history = calm_history();
    history[2] = flagged(history[2].clone(), &[Flag::Judged, Flag::Unsafe]);
    assert_eq!(assess(&history).status, Status::SpeakUp);
    let seen = disclose(&history, Disclosure::Trend);
    assert_eq!(seen.assessment.status, Status::Strong);
    assert!(!codes(&seen.assessment).contains(&ReasonCode::ProblemFlags));
}

#[test]
fn repeated_red_flags_do_not_show_as_reconsider_under_trend_sharing() {
    let history: Vec<CheckIn> = (1..=4)
        .map(|s| flagged(scored(s, 80), &[Flag::Boundaries]))
        .collect();
    assert_eq!(assess(&history).status, Status::Reconsider);
    assert_eq!(
        disclose(&history, Disclosure::Trend).assessment.status,
        Status::Strong
    );
}

#[test]
fn a_noted_need_and_transference_stay_private_under_trend_sharing() {
    let mut history = calm_history();
    history[2] = toward(need(history[2].clone(), "Slower, please"));
    let seen = disclose(&history, Disclosure::Trend);
    let codes = codes(&seen.assessment);
    assert!(!codes.contains(&ReasonCode::NeedNoted), "{codes:?}");
    assert!(!codes.contains(&ReasonCode::Transference), "{codes:?}");
}

#[test]
fn red_flags_and_a_noted_need_shape_the_reading_under_answers_sharing() {
    let mut history = calm_history();
    history[2] = need(flagged(history[2].clone(), &[Flag::Judged]), "Slower");
    let seen = disclose(&history, Disclosure::Answers);
    assert_eq!(seen.assessment.status, Status::SpeakUp);
    let answers = seen.checkins.expect("answers are shared");
    assert!(answers[2].flags.contains(&Flag::Judged));
    assert_eq!(answers[2].need.as_deref(), Some("Slower"));
}

#[test]
fn a_dip_in_the_signs_is_still_shared_under_trend_sharing() {
    let history = history(&[80, 80, 80, 80, 30]);
    let seen = disclose(&history, Disclosure::Trend);
    assert_eq!(seen.assessment.ruptures, assess(&history).ruptures);
    assert_eq!(seen.assessment.alliance, assess(&history).alliance);
    assert_eq!(seen.assessment.status, Status::SpeakUp);
}

proptest! {
    #[test]
    fn no_sharing_ever_shows_act_now_or_a_misconduct_reason(
        scores in proptest::collection::vec(0u8..=20, 1..8),
        flagged_at in proptest::collection::vec(any::<bool>(), 8),
        reported_at in 0usize..8,
    ) {
        let mut history: Vec<CheckIn> = scores
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let c = scored(i as u32 + 1, s * 5);
                if flagged_at[i] { flagged(c, &[Flag::Unsafe]) } else { c }
            })
            .collect();
        let at = reported_at % history.len();
        history[at] = misconduct(history[at].clone());
        for disclosure in [Disclosure::Trend, Disclosure::Answers] {
            let seen = disclose(&history, disclosure);
            prop_assert_ne!(seen.assessment.status, Status::ActNow);
            prop_assert!(!codes(&seen.assessment).contains(&ReasonCode::Misconduct));
        }
        let signs_only: Vec<CheckIn> = scores
            .iter()
            .enumerate()
            .map(|(i, s)| scored(i as u32 + 1, s * 5))
            .collect();
        prop_assert_eq!(
            disclose(&history, Disclosure::Trend).assessment,
            disclose(&signs_only, Disclosure::Trend).assessment
        );
    }
}
