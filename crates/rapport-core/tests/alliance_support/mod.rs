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
