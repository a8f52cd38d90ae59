//! How the demo clients' check-ins go, session by session: one pattern per alliance status (see
//! `alliance-model.md`), written as plain scores so a reader can check each against the rules.

use serde_json::{Map, Value, json};

/// How a client's check-ins went: each pattern ends in a different alliance status (see
/// `alliance-model.md`), so the caseload shows every one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// One or two check-ins: too early to tell.
    Early,
    /// Steady, middling: forming.
    Forming,
    /// High and rising: strong.
    Strong,
    /// Strong feelings toward the therapist with trust intact: normal discomfort.
    Transference,
    /// A need written in the last check-in: speak up.
    NeedNoted,
    /// A sharp drop after good sessions: a rupture, not yet repaired (speak up).
    Rupture,
    /// A rupture, raised in the next session and repaired; strong again.
    Repaired,
    /// Problems session after session: reconsider.
    ConsistentProblem,
    /// An alliance that never formed: reconsider.
    NeverFormed,
    /// The therapist crossed a professional line: act now.
    Misconduct,
}

/// Every pattern, in the order the demo therapist's clients get them.
pub const PATTERNS: [Pattern; 10] = [
    Pattern::Early,
    Pattern::Forming,
    Pattern::Strong,
    Pattern::Transference,
    Pattern::NeedNoted,
    Pattern::Rupture,
    Pattern::Repaired,
    Pattern::ConsistentProblem,
    Pattern::NeverFormed,
    Pattern::Misconduct,
];

/// Five signs (heard, open, attuned, trust, looking forward) for an alliance score of `score`
/// (a multiple of 5 from 40 to 100); trust stays at 2 or more so a low score is not a problem.
fn signs(score: u32) -> [u32; 5] {
    let total = score / 5;
    let mut s = [total / 5; 5];
    for sign in s.iter_mut().take((total % 5) as usize) {
        *sign += 1;
    }
    if s[3] < 2 {
        s.swap(3, 0);
    }
    s
}

fn checkin(session: u32, score: u32, stirred: u32, left: &str) -> Map<String, Value> {
    let [heard, open, attuned, trust, looking_forward] = signs(score);
    let Value::Object(map) = json!({
        "session": session, "heard": heard, "open": open, "attuned": attuned, "trust": trust,
        "looking_forward": looking_forward, "stirred": stirred, "left_feeling": left,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

fn with(mut c: Map<String, Value>, key: &str, value: Value) -> Map<String, Value> {
    c.insert(key.into(), value);
    c
}

fn plain(scores: &[u32]) -> Vec<Map<String, Value>> {
    scores
        .iter()
        .enumerate()
        .map(|(i, s)| checkin(i as u32 + 1, *s, 1 + (i as u32 % 2), "better"))
        .collect()
}

/// The check-ins of `pattern`, in session order.
pub fn checkins(pattern: Pattern) -> Vec<Map<String, Value>> {
    match pattern {
        Pattern::Early => vec![with(
            checkin(1, 60, 2, "stirred_ok"),
            "flags",
            json!(["dread"]),
        )],
        Pattern::Forming => plain(&[60, 65, 65, 70, 65]),
        Pattern::Strong => plain(&[75, 80, 80, 85, 85, 90]),
        Pattern::Transference => {
            let mut list = plain(&[75, 80, 80, 85]);
            list.push(with(
                checkin(5, 80, 3, "stirred_ok"),
                "toward_therapist",
                json!("yes"),
            ));
            list
        }
        Pattern::NeedNoted => {
            let mut list = plain(&[70, 75, 75]);
            list.push(with(
                checkin(4, 70, 2, "stirred_ok"),
                "need",
                json!("Could we agree on a plan for what we work on each week?"),
            ));
            list
        }
        Pattern::Rupture => {
            let mut list = plain(&[80, 85, 85, 85]);
            list.push(checkin(5, 55, 2, "stirred_ok"));
            list
        }
        Pattern::Repaired => {
            let mut list = plain(&[80, 85, 85, 85]);
            list.push(with(
                checkin(5, 55, 3, "stirred_ok"),
                "need",
                json!("I felt rushed at the end today; can we leave time to close?"),
            ));
            let raised = with(checkin(6, 85, 2, "better"), "raised", json!("yes"));
            list.push(with(raised, "repair", json!(3)));
            list.push(checkin(7, 85, 1, "better"));
            list.push(checkin(8, 90, 1, "better"));
            list
        }
        Pattern::ConsistentProblem => vec![
            checkin(1, 70, 1, "better"),
            with(checkin(2, 60, 2, "stirred_ok"), "flags", json!(["unheard"])),
            with(checkin(3, 55, 2, "bad"), "flags", json!(["judged"])),
            with(
                checkin(4, 50, 2, "bad"),
                "flags",
                json!(["unheard", "misunderstood"]),
            ),
        ],
        Pattern::NeverFormed => plain(&[45, 45, 40, 45, 45]),
        Pattern::Misconduct => vec![
            checkin(1, 70, 1, "better"),
            checkin(2, 65, 2, "stirred_ok"),
            with(checkin(3, 50, 2, "bad"), "misconduct", json!("yes")),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_add_up_to_the_score_and_keep_trust() {
        for score in (40..=100).step_by(5) {
            let s = signs(score);
            assert_eq!(s.iter().sum::<u32>() * 5, score, "{score}");
            assert!(s.iter().all(|v| *v <= 4));
            assert!(s[3] >= 2, "{score}: {s:?}");
        }
    }
}
