//! The per-session readings of section 2 of the alliance model: one score, three yes/no signs.
//!
//! They separate the normal discomfort of therapy (stirred up, angry at the therapist, yet
//! trusting) from an alliance problem (judged, unsafe, dreading it and leaving bad).

use super::checkin::{CheckIn, Flag, LeftFeeling};

/// The alliance score, 25 × the mean of the five signs: 0 to 100, so a session can be read at a
/// glance and compared with the client's own usual.
pub fn alliance_score(checkin: &CheckIn) -> f64 {
    let total: u32 = checkin
        .signs()
        .iter()
        .map(|(_, sign)| u32::from(sign.get()))
        .sum();
    25.0 * f64::from(total) / 5.0
}

/// Whether the session shows an alliance problem rather than the work being hard: a problem
/// flag, dread together with leaving genuinely bad, or low trust in a low-scoring session.
pub fn is_problem(checkin: &CheckIn) -> bool {
    !problem_flags(checkin).is_empty() || dread_with_leaving_bad(checkin) || low_trust(checkin)
}

/// Whether strong feelings aimed at the therapist came with trust intact: the article's mark of
/// transference, which is useful material rather than a reason to leave.
pub fn is_transference(checkin: &CheckIn) -> bool {
    checkin.toward_therapist && checkin.trust.get() >= 3 && !is_problem(checkin)
}

/// Whether the session stirred a lot up without harm: the discomfort of real work.
pub fn is_productive_discomfort(checkin: &CheckIn) -> bool {
    checkin.stirred >= 3 && checkin.left_feeling != LeftFeeling::Bad && !is_problem(checkin)
}

/// The flags that make a session a problem on their own (all but `dread`), so words can quote
/// exactly what the client ticked.
pub fn problem_flags(checkin: &CheckIn) -> Vec<Flag> {
    checkin
        .flags
        .iter()
        .copied()
        .filter(|flag| flag.is_problem_on_its_own())
        .collect()
}

/// Dread of the therapist: dreading the next appointment and leaving genuinely bad.
pub fn dread_with_leaving_bad(checkin: &CheckIn) -> bool {
    checkin.flags.contains(&Flag::Dread) && checkin.left_feeling == LeftFeeling::Bad
}

/// Dread of the work: dreading the next appointment, yet not leaving bad.
pub fn is_dread_about_work(checkin: &CheckIn) -> bool {
    checkin.flags.contains(&Flag::Dread) && checkin.left_feeling != LeftFeeling::Bad
}

/// Trust at "A little" or below in a session scoring under 50.
pub fn low_trust(checkin: &CheckIn) -> bool {
    checkin.trust.get() <= 1 && alliance_score(checkin) < 50.0
}
