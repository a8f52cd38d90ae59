//! The product's voice for a status: its title and the next step.
//!
//! Warm, plain and short; never alarmist and never blaming either side. Where the client's own
//! answers show something, we quote them rather than interpret them.

use super::checkin::CheckIn;
use super::indicators::{alliance_score, is_problem};
use super::status::{Reason, ReasonCode, Status};

/// The score from which an early start counts as strong (the same line as a strong alliance).
const STRONG_SCORE: f64 = 75.0;

/// The heading shown above a status, in a few plain words.
pub fn status_title(status: Status) -> &'static str {
    match status {
        Status::None => "No check-ins yet",
        Status::Early => "Too early to tell",
        Status::Forming => "Forming",
        Status::Strong => "Strong",
        Status::Transference => "Normal discomfort or transference",
        Status::SpeakUp => "Worth speaking up",
        Status::Reconsider => "Time to reconsider",
        Status::ActNow => "You can stop now",
    }
}

/// What to do next, for a status (section 5 of the alliance model).
///
/// `checkins` are sorted by session; `reasons` are the assessment's. The `act_now` words point to
/// reporting without a link, because the link is set per deployment: the web app adds it.
pub fn next_step(status: Status, reasons: &[Reason], checkins: &[CheckIn]) -> String {
    let last = checkins.last();
    match status {
        Status::None => "After your next session or consultation, take a minute to check in. \
            Rapport will then start showing you how things are going."
            .to_owned(),
        Status::Early if is_strong_start(checkins) => "This is a strong start. It usually takes \
            2-3 sessions to be sure, so keep going and keep checking in."
            .to_owned(),
        Status::Early => "It rarely clicks at once, especially if trust is hard for you or you've \
            been through trauma. Give it 2-3 sessions before you decide. Feeling uncomfortable \
            early on doesn't mean an alliance isn't forming."
            .to_owned(),
        Status::Forming => join(&[
            "Keep going: this seems to be forming.",
            &last.and_then(what_is_working).unwrap_or_default(),
            "Keep checking in after each session, so you'll notice if anything changes.",
        ]),
        Status::Strong => join(&[
            "Keep going: this looks like a strong working alliance.",
            &last.and_then(what_is_working).unwrap_or_default(),
        ]),
        Status::Transference => "Strong feelings toward a therapist, even anger, are common in \
            therapy and can be useful to work with, and you still trust them. If you feel \
            ready, consider bringing these feelings into a session."
            .to_owned(),
        Status::SpeakUp => speak_up_step(reasons, last),
        Status::Reconsider => "This looks like a question of fit rather than the normal \
            discomfort of therapy. Sometimes two people simply don't fit, and that's okay. You \
            can raise it once more, or end respectfully and look for someone who suits you \
            better; Rapport can help with either."
            .to_owned(),
        Status::ActNow => "You don't need to wait or explain yourself: you can stop seeing this \
            therapist now. If you want to, you can report what happened to the body that \
            registers or licenses them. When you're ready, Rapport can help you find another \
            therapist."
            .to_owned(),
    }
}

fn speak_up_step(reasons: &[Reason], last: Option<&CheckIn>) -> String {
    let rupture_now = last.is_some_and(|last| {
        reasons.iter().any(|reason| {
            reason.code == ReasonCode::Rupture && reason.sessions.contains(&last.session)
        })
    });
    let mut parts = vec![
        "It's worth saying something early, while it's easier to talk about.",
        "You have every right to ask for what you need.",
        "Rapport has drafted a short note you can edit and bring or send.",
    ];
    if rupture_now {
        parts.push(
            "Strains like this are common, and working through them together often makes \
             therapy stronger. Consider mentioning what changed for you in this last session.",
        );
    }
    join(&parts)
}

/// A start is strong when every session so far scored 75 or more with nothing wrong.
fn is_strong_start(checkins: &[CheckIn]) -> bool {
    !checkins.is_empty()
        && checkins
            .iter()
            .all(|checkin| alliance_score(checkin) >= STRONG_SCORE && !is_problem(checkin))
}

/// What is working, in the client's own answer: their highest sign (3 or more) at `checkin`.
pub(super) fn what_is_working(checkin: &CheckIn) -> Option<String> {
    let (id, sign) = checkin
        .signs()
        .into_iter()
        .rev()
        .max_by_key(|(_, sign)| *sign)
        .filter(|(_, sign)| sign.get() >= 3)?;
    Some(format!(
        "What's working: in session {} you answered '{}' to {}.",
        checkin.session,
        sign.anchor(),
        quote(sign_text(id))
    ))
}

/// The item text of a sign, by id.
pub(super) fn sign_text(id: &str) -> &'static str {
    super::items::SIGNS
        .iter()
        .find(|(sign, _)| *sign == id)
        .map_or("", |(_, text)| text)
}

/// An item in single quotes, without its full stop, so it reads inside a sentence.
pub(super) fn quote(item: &str) -> String {
    format!("'{}'", item.trim_end_matches('.'))
}

/// "session 3", "sessions 3 and 5", "sessions 3, 4 and 5".
pub(super) fn sessions_phrase(sessions: &[u32]) -> String {
    match sessions {
        [one] => format!("session {one}"),
        _ => format!(
            "sessions {}",
            list(sessions.iter().map(ToString::to_string))
        ),
    }
}

/// Items joined as "a", "a and b", "a, b and c".
pub(super) fn list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Sentences joined by spaces, skipping empty ones.
pub(super) fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}
