//! What the alliance test files share: builders of check-ins and histories, and readers of the
//! engine's answers.
#![allow(dead_code)]

use rapport_core::Invalid;
use rapport_core::alliance::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

// ---------- builders ----------

/// A calm check-in with the five signs given and nothing else ticked.
pub fn signs(session: u32, [heard, open, attuned, trust, looking_forward]: [u8; 5]) -> CheckIn {
    let sign = |value| Sign::new(value).expect("test signs are 0-4");
    CheckIn {
        session,
        date: None,
        heard: sign(heard),
        open: sign(open),
        attuned: sign(attuned),
        trust: sign(trust),
        looking_forward: sign(looking_forward),
        flags: BTreeSet::new(),
        misconduct: false,
        stirred: 0,
        toward_therapist: false,
        left_feeling: LeftFeeling::Better,
        need: None,
        raised: None,
        repair: None,
    }
}

/// A calm check-in scoring `score` (a multiple of 5); extra points go to trust first, so low
/// scores keep trust at 2 or more where they can (trust ≤ 1 under 50 is a problem).
pub fn scored(session: u32, score: u8) -> CheckIn {
    let total = score / 5;
    let mut values = [total / 5; 5];
    for index in [3, 4, 0, 1, 2].into_iter().take(usize::from(total % 5)) {
        values[index] += 1;
    }
    let checkin = signs(session, values);
    assert_eq!(alliance_score(&checkin), f64::from(score));
    checkin
}

pub fn history(scores: &[u8]) -> Vec<CheckIn> {
    scores
        .iter()
        .zip(1..)
        .map(|(score, session)| scored(session, *score))
        .collect()
}

pub fn flagged(mut checkin: CheckIn, flags: &[Flag]) -> CheckIn {
    checkin.flags.extend(flags.iter().copied());
    checkin
}

pub fn codes(assessment: &Assessment) -> Vec<ReasonCode> {
    assessment
        .reasons
        .iter()
        .map(|reason| reason.code)
        .collect()
}

pub fn fields(invalid: &Invalid) -> Vec<&str> {
    invalid.0.iter().map(|error| error.field.as_str()).collect()
}

pub fn spec_example() -> Value {
    json!({"session": 1, "date": "2026-03-02",
       "heard": 3, "open": 2, "attuned": 3, "trust": 3, "looking_forward": 2,
       "flags": ["dread"], "misconduct": false,
       "stirred": 3, "toward_therapist": false, "left_feeling": "stirred_ok",
       "need": "more structure", "raised": null, "repair": null})
}

pub fn minimal() -> Value {
    json!({"session": 2, "heard": 3, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3,
           "stirred": 0, "left_feeling": "better"})
}

pub fn with(mut value: Value, key: &str, field: Value) -> Value {
    value[key] = field;
    value
}

pub fn without(mut value: Value, key: &str) -> Value {
    value.as_object_mut().unwrap().remove(key);
    value
}

// ---------- the status table: one row per rule, shared by the status and the words tests ----------

pub fn need(mut checkin: CheckIn, text: &str) -> CheckIn {
    checkin.need = Some(text.to_owned());
    checkin
}

pub fn toward(mut checkin: CheckIn) -> CheckIn {
    checkin.toward_therapist = true;
    checkin
}

pub fn misconduct(mut checkin: CheckIn) -> CheckIn {
    checkin.misconduct = true;
    checkin
}

pub fn left(mut checkin: CheckIn, feeling: LeftFeeling, stirred: u8) -> CheckIn {
    checkin.left_feeling = feeling;
    checkin.stirred = stirred;
    checkin
}

pub fn raised(mut checkin: CheckIn, yes: bool, repair: Option<u8>) -> CheckIn {
    checkin.raised = Some(yes);
    checkin.repair = repair;
    checkin
}

pub fn low(session: u32, score: u8) -> CheckIn {
    let checkin = scored(session, score);
    assert!(checkin.trust.get() >= 2 && !is_problem(&checkin));
    checkin
}

#[allow(clippy::type_complexity)]
pub fn status_table() -> Vec<(
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
