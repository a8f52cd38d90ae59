//! One sentence or two per reason, quoting the client's own answers back to them, so the status
//! is never a verdict from nowhere: "You ticked 'I felt judged or looked down on' in session 3."

use super::checkin::{CheckIn, Flag, Sign};
use super::indicators::{alliance_score, dread_with_leaving_bad, low_trust, problem_flags};
use super::items::{REPAIR_ANCHORS, STIRRED_ANCHORS};
use super::ruptures::find_ruptures;
use super::status::{Reason, ReasonCode};
use super::words::{join, list, quote, sessions_phrase, sign_text, what_is_working};

/// Explains a reason from the client's check-ins (any order; the same history it was read from).
pub fn explain(reason: &Reason, checkins: &[CheckIn]) -> String {
    let mut sorted = checkins.to_vec();
    sorted.sort_by_key(|checkin| checkin.session);
    let picked: Vec<&CheckIn> = sorted
        .iter()
        .filter(|checkin| reason.sessions.contains(&checkin.session))
        .collect();
    let sessions = sessions_phrase(&reason.sessions);
    let last = picked.last().copied();
    match reason.code {
        ReasonCode::Misconduct => {
            format!("In {sessions} you told us your therapist crossed a professional line.")
        }
        ReasonCode::ConsistentProblem => join(&[
            &format!(
                "Something didn't feel right in {} of your last 3 sessions.",
                reason.sessions.len()
            ),
            &problem_details(&picked),
        ]),
        ReasonCode::NeverFormed => format!(
            "Your alliance score has stayed under 50 in {sessions} ({}), and it isn't rising.",
            list(
                picked
                    .iter()
                    .map(|checkin| format!("{:.0}", alliance_score(checkin)))
            )
        ),
        ReasonCode::ProblemFlags => problem_details(&picked),
        ReasonCode::NeedNoted => match last.and_then(|checkin| checkin.need.as_deref()) {
            Some(need) => {
                format!(
                    "In {} you noted something you'd like to ask for: “{}”",
                    sessions_phrase(&[last.map_or(0, |checkin| checkin.session)]),
                    need.trim_end_matches(['.', '!', '?', ' '])
                ) + "."
            }
            None => format!("In {sessions} you noted something you'd like to ask for."),
        },
        ReasonCode::Rupture => rupture_sentence(&sorted, &reason.sessions),
        ReasonCode::RuptureRepaired => repaired_sentence(&sorted, &reason.sessions),
        ReasonCode::Transference => format!(
            "In {sessions} some strong feelings were aimed at your therapist, and you still trust \
             them: you answered '{}' to {}.",
            last.map_or("Mostly", |checkin| checkin.trust.anchor()),
            quote(sign_text("trust"))
        ),
        ReasonCode::EarlyDays => match reason.sessions.len() {
            1 => "You've checked in after 1 session so far; it usually takes 2-3 sessions to tell."
                .to_owned(),
            count => format!(
                "You've checked in after {count} sessions so far; it usually takes 2-3 sessions \
                 to tell."
            ),
        },
        ReasonCode::StrongAlliance => join(&[
            &format!(
                "Your alliance score averaged {:.0} over {sessions}, with no sign of a problem.",
                mean_score(&picked)
            ),
            &last.and_then(what_is_working).unwrap_or_default(),
        ]),
        ReasonCode::Forming => join(&[
            &format!(
                "Your alliance score averaged {:.0} over {sessions}.",
                mean_score(&picked)
            ),
            &last.and_then(what_is_working).unwrap_or_default(),
        ]),
        ReasonCode::ProductiveDiscomfort => match last {
            Some(checkin) => format!(
                "Session {} stirred up strong feelings ('{}'), and you left feeling {}. That is \
                 often what real work in therapy feels like.",
                checkin.session,
                STIRRED_ANCHORS[usize::from(checkin.stirred.min(4))],
                checkin.left_feeling.label().to_lowercase()
            ),
            None => "A session stirred up strong feelings without leaving you feeling bad: often \
                     a sign of real work."
                .to_owned(),
        },
        ReasonCode::DreadAboutWork => format!(
            "In {sessions} you were dreading your next appointment, but you left feeling {}: \
             that sounds like dread of the work, not of your therapist.",
            last.map_or("okay".to_owned(), |checkin| checkin
                .left_feeling
                .label()
                .to_lowercase())
        ),
        ReasonCode::RepairAfterSpeakingUp => format!(
            "You brought up what you'd asked for{}, and in {sessions} you said things got better \
             ('{}'). Working through things like this often makes therapy stronger.",
            earlier_need(&sorted, last),
            REPAIR_ANCHORS
                [usize::from(last.and_then(|checkin| checkin.repair).unwrap_or(3).min(4))]
        ),
        ReasonCode::NotRaised => format!(
            "In {sessions} you hadn't brought up what you'd asked for{} yet. That's okay: you can \
             raise it whenever you're ready, and the drafted note can help.",
            earlier_need(&sorted, last)
        ),
    }
}

/// What the client ticked or answered that made these sessions a problem, flag by flag.
fn problem_details(checkins: &[&CheckIn]) -> String {
    let sessions_with = |holds: &dyn Fn(&CheckIn) -> bool| -> Vec<u32> {
        checkins
            .iter()
            .filter(|checkin| holds(checkin))
            .map(|checkin| checkin.session)
            .collect()
    };
    let mut ticked: Vec<(Vec<u32>, Vec<String>)> = Vec::new();
    for flag in Flag::ALL
        .into_iter()
        .filter(|flag| flag.is_problem_on_its_own())
    {
        let sessions = sessions_with(&|checkin| problem_flags(checkin).contains(&flag));
        if sessions.is_empty() {
            continue;
        }
        match ticked.iter_mut().find(|(same, _)| *same == sessions) {
            Some((_, items)) => items.push(quote(flag.text())),
            None => ticked.push((sessions, vec![quote(flag.text())])),
        }
    }
    let mut sentences: Vec<String> = ticked
        .into_iter()
        .map(|(sessions, items)| {
            format!(
                "You ticked {} in {}.",
                list(items),
                sessions_phrase(&sessions)
            )
        })
        .collect();
    let dread = sessions_with(&dread_with_leaving_bad);
    if !dread.is_empty() {
        sentences.push(format!(
            "You were dreading your next appointment and left feeling genuinely bad in {}.",
            sessions_phrase(&dread)
        ));
    }
    let low: Vec<&&CheckIn> = checkins
        .iter()
        .filter(|checkin| low_trust(checkin))
        .collect();
    if !low.is_empty() {
        let mut answers: Vec<_> = low.iter().map(|checkin| checkin.trust).collect();
        answers.sort_unstable();
        answers.dedup();
        let anchors: Vec<&str> = answers.into_iter().map(Sign::anchor).collect();
        let sessions: Vec<u32> = low.iter().map(|checkin| checkin.session).collect();
        sentences.push(format!(
            "In {} you answered {} to {}, and your score was under 50.",
            sessions_phrase(&sessions),
            anchors
                .iter()
                .map(|anchor| format!("'{anchor}'"))
                .collect::<Vec<_>>()
                .join(" or "),
            quote(sign_text("trust"))
        ));
    }
    sentences.join(" ")
}

fn rupture_sentence(sorted: &[CheckIn], sessions: &[u32]) -> String {
    let ruptures: Vec<_> = find_ruptures(sorted)
        .into_iter()
        .filter(|rupture| sessions.contains(&rupture.session))
        .collect();
    let drops = list(
        ruptures
            .iter()
            .map(|rupture| format!("{:.0}", rupture.drop)),
    );
    let found: Vec<u32> = ruptures.iter().map(|rupture| rupture.session).collect();
    let what = match ruptures.as_slice() {
        [] => format!(
            "Your score dipped below your usual in {}.",
            sessions_phrase(sessions)
        ),
        [one] => format!(
            "Your score dropped by {drops} points in session {}, compared with your usual.",
            one.session
        ),
        _ => format!(
            "Your score dropped below your usual in {} (by {drops} points).",
            sessions_phrase(&found)
        ),
    };
    join(&[
        &what,
        "Dips like this are common, and working through them often makes therapy stronger.",
    ])
}

fn repaired_sentence(sorted: &[CheckIn], sessions: &[u32]) -> String {
    let repaired: Vec<(u32, u32)> = find_ruptures(sorted)
        .into_iter()
        .filter(|rupture| sessions.contains(&rupture.session))
        .filter_map(|rupture| rupture.repaired_at.map(|at| (rupture.session, at)))
        .collect();
    let what = match repaired.as_slice() {
        [] => "Your score came back up after a dip.".to_owned(),
        [(dip, back)] => {
            format!("Your score came back up after the dip in session {dip} (by session {back}).")
        }
        _ => format!(
            "Your score came back up after each dip: {}.",
            list(
                repaired
                    .iter()
                    .map(|(dip, back)| format!("session {dip} by session {back}"))
            )
        ),
    };
    join(&[
        &what,
        "Ruptures that are repaired go with better outcomes in therapy.",
    ])
}

/// The need noted in the check-in before `checkin`, as " ('…')", for quoting what was raised.
fn earlier_need(sorted: &[CheckIn], checkin: Option<&CheckIn>) -> String {
    let Some(checkin) = checkin else {
        return String::new();
    };
    sorted
        .iter()
        .rfind(|earlier| earlier.session < checkin.session)
        .and_then(|earlier| earlier.need.as_deref())
        .map(|need| format!(" ('{need}')"))
        .unwrap_or_default()
}

fn mean_score(checkins: &[&CheckIn]) -> f64 {
    if checkins.is_empty() {
        return 0.0;
    }
    checkins
        .iter()
        .map(|checkin| alliance_score(checkin))
        .sum::<f64>()
        / checkins.len() as f64
}
