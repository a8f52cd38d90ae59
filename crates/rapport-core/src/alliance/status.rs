//! The status of a therapy relationship (section 3 of the alliance model) and the reasons for it.
//!
//! The first rule that holds gives the status; the reasons show the client *why*, each naming the
//! sessions it rests on. Choices where the model is silent or pulls two ways:
//!
//! - Rule 2b (`never_formed`) needs *no* problem among the last three; with a problem among them
//!   it does not hold and the later rules decide (a problem at the last session gives
//!   `speak_up`, an older one `forming`), since a flagged problem is something to raise, not yet
//!   proof of a bad fit. It comes before rule 3, so a persistently low alliance reads as a fit
//!   problem even when the client also noted a need or the last score dipped.
//! - Transference with a need noted, a problem or a rupture: rule 3 comes first, so `speak_up`
//!   wins; `transference` is then listed after the speak-up reasons, so the client still hears
//!   that their feelings are normal.
//! - Under `speak_up`, every rule-3 trigger that holds is listed (problem, then need, then
//!   rupture), the first being the primary reason; under `reconsider`, a noted need is listed too,
//!   so the drafted note can still be offered. Under `act_now` nothing else is added to the
//!   primary reason but the secondary ones.
//! - `rupture` is both a rule-3 reason (a rupture at the last session) and a secondary one (any
//!   rupture). A code never appears twice: the sessions of a repeat are merged into the first.
//! - `rupture_repaired` lists the sessions of the ruptures that were repaired; the `ruptures`
//!   list says when.

use super::checkin::CheckIn;
use super::indicators::{
    alliance_score, is_dread_about_work, is_problem, is_productive_discomfort, is_transference,
};
use super::ruptures::{Rupture, find_ruptures, one_decimal};
use serde::{Deserialize, Serialize};

/// Where a therapy relationship stands, from nothing yet to "you can stop now".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No check-ins yet.
    None,
    /// One or two sessions: too early to tell.
    Early,
    /// Going along, not (yet) strong.
    Forming,
    /// A high alliance with no problems in the last three sessions.
    Strong,
    /// Strong feelings toward the therapist, with trust intact.
    Transference,
    /// Something to raise with the therapist now: a problem, a need, or a rupture.
    SpeakUp,
    /// A fit problem: problems session after session, or an alliance that never formed.
    Reconsider,
    /// The therapist crossed a professional line.
    ActNow,
}

impl Status {
    /// The status's code, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::None => "none",
            Status::Early => "early",
            Status::Forming => "forming",
            Status::Strong => "strong",
            Status::Transference => "transference",
            Status::SpeakUp => "speak_up",
            Status::Reconsider => "reconsider",
            Status::ActNow => "act_now",
        }
    }
}

/// Why a status was given, or what else is worth knowing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// A check-in reports a professional line crossed.
    Misconduct,
    /// A problem at the last session and in at least 2 of the last 3.
    ConsistentProblem,
    /// The last three scores are all under 50 and not rising, without problem flags.
    NeverFormed,
    /// A problem at the last session.
    ProblemFlags,
    /// The last check-in notes something to ask for.
    NeedNoted,
    /// A drop against the client's usual.
    Rupture,
    /// Strong feelings toward the therapist, with trust intact.
    Transference,
    /// One or two sessions so far.
    EarlyDays,
    /// A high alliance in the last three sessions.
    StrongAlliance,
    /// Going along.
    Forming,
    /// The last session stirred a lot up, without harm.
    ProductiveDiscomfort,
    /// Dreading the next session, yet not leaving bad: dread of the work.
    DreadAboutWork,
    /// A rupture was repaired.
    RuptureRepaired,
    /// The client raised their need and things got better.
    RepairAfterSpeakingUp,
    /// The client has not raised their need (yet).
    NotRaised,
}

/// A reason, with the sessions it rests on (ascending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// What the reason is.
    pub code: ReasonCode,
    /// The sessions it rests on.
    pub sessions: Vec<u32>,
}

/// One session's alliance score, for the trend chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionScore {
    /// The session number.
    pub session: u32,
    /// The alliance score, 0-100 (rounded to one decimal in JSON).
    #[serde(serialize_with = "one_decimal")]
    pub score: f64,
}

/// The reading of a whole history: what the client page, the API and `rapport assess` show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Where the relationship stands.
    pub status: Status,
    /// How many check-ins were read.
    pub sessions: usize,
    /// The score of every session, in order.
    pub alliance: Vec<SessionScore>,
    /// Every rupture, oldest first.
    pub ruptures: Vec<Rupture>,
    /// The primary reason first, then the others in a fixed order.
    pub reasons: Vec<Reason>,
    /// What to do next, in the product's voice.
    pub next_step: String,
}

/// Reads a client's history with one therapist. Sorts by session first, so a caller's order
/// never changes the answer (session numbers are expected to be unique, as the parser ensures).
pub fn assess(checkins: &[CheckIn]) -> Assessment {
    let mut sorted = checkins.to_vec();
    sorted.sort_by_key(|checkin| checkin.session);
    let ruptures = find_ruptures(&sorted);
    let (status, mut reasons) = match sorted.last() {
        None => (Status::None, Vec::new()),
        Some(_) => decide(&sorted, &ruptures),
    };
    for reason in secondary_reasons(&sorted, &ruptures) {
        add(&mut reasons, reason);
    }
    let next_step = super::words::next_step(status, &reasons, &sorted);
    Assessment {
        status,
        sessions: sorted.len(),
        alliance: sorted
            .iter()
            .map(|checkin| SessionScore {
                session: checkin.session,
                score: alliance_score(checkin),
            })
            .collect(),
        ruptures,
        reasons,
        next_step,
    }
}

/// The status rules in order; `checkins` is sorted and not empty.
fn decide(checkins: &[CheckIn], ruptures: &[Rupture]) -> (Status, Vec<Reason>) {
    let n = checkins.len();
    let last = &checkins[n - 1];
    let last_three = &checkins[n.saturating_sub(3)..];
    let scores: Vec<f64> = last_three.iter().map(alliance_score).collect();
    let problems_in_last_three = sessions_where(last_three, is_problem);

    let misconduct = sessions_where(checkins, |checkin| checkin.misconduct);
    if !misconduct.is_empty() {
        return (
            Status::ActNow,
            vec![reason(ReasonCode::Misconduct, misconduct)],
        );
    }

    let need = last
        .need
        .is_some()
        .then(|| reason(ReasonCode::NeedNoted, vec![last.session]));
    if n >= 3 && is_problem(last) && problems_in_last_three.len() >= 2 {
        let mut reasons = vec![reason(
            ReasonCode::ConsistentProblem,
            problems_in_last_three.clone(),
        )];
        reasons.extend(need);
        return (Status::Reconsider, reasons);
    }
    let not_rising = scores[scores.len() - 1] - scores[0] < 15.0;
    if n >= 4
        && scores.iter().all(|score| *score < 50.0)
        && problems_in_last_three.is_empty()
        && not_rising
    {
        let mut reasons = vec![reason(
            ReasonCode::NeverFormed,
            sessions_where(last_three, |_| true),
        )];
        reasons.extend(need);
        return (Status::Reconsider, reasons);
    }

    let mut speak_up = Vec::new();
    if is_problem(last) {
        speak_up.push(reason(
            ReasonCode::ProblemFlags,
            problems_in_last_three.clone(),
        ));
    }
    speak_up.extend(need);
    if ruptures
        .last()
        .is_some_and(|rupture| rupture.session == last.session)
    {
        speak_up.push(reason(ReasonCode::Rupture, vec![last.session]));
    }
    let transference =
        is_transference(last).then(|| reason(ReasonCode::Transference, vec![last.session]));
    if !speak_up.is_empty() {
        speak_up.extend(transference);
        return (Status::SpeakUp, speak_up);
    }
    if let Some(transference) = transference {
        return (Status::Transference, vec![transference]);
    }

    let recent = sessions_where(last_three, |_| true);
    if n <= 2 {
        return (Status::Early, vec![reason(ReasonCode::EarlyDays, recent)]);
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    if mean >= 75.0 - 1e-9 && problems_in_last_three.is_empty() {
        return (
            Status::Strong,
            vec![reason(ReasonCode::StrongAlliance, recent)],
        );
    }
    (Status::Forming, vec![reason(ReasonCode::Forming, recent)])
}

/// The reasons added whatever the status, in the model's order.
fn secondary_reasons(checkins: &[CheckIn], ruptures: &[Rupture]) -> Vec<Reason> {
    let Some(last) = checkins.last() else {
        return Vec::new();
    };
    let only_last = |holds: bool, code| holds.then(|| reason(code, vec![last.session]));
    let repaired: Vec<u32> = ruptures
        .iter()
        .filter(|rupture| rupture.repaired_at.is_some())
        .map(|rupture| rupture.session)
        .collect();
    [
        only_last(
            is_productive_discomfort(last),
            ReasonCode::ProductiveDiscomfort,
        ),
        only_last(is_dread_about_work(last), ReasonCode::DreadAboutWork),
        (!ruptures.is_empty()).then(|| {
            reason(
                ReasonCode::Rupture,
                ruptures.iter().map(|rupture| rupture.session).collect(),
            )
        }),
        (!repaired.is_empty()).then(|| reason(ReasonCode::RuptureRepaired, repaired)),
        only_last(
            last.raised == Some(true) && last.repair.is_some_and(|repair| repair >= 3),
            ReasonCode::RepairAfterSpeakingUp,
        ),
        only_last(last.raised == Some(false), ReasonCode::NotRaised),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Adds a reason, merging its sessions into an earlier one with the same code.
fn add(reasons: &mut Vec<Reason>, new: Reason) {
    match reasons
        .iter_mut()
        .find(|existing| existing.code == new.code)
    {
        Some(existing) => {
            existing.sessions.extend(new.sessions);
            existing.sessions.sort_unstable();
            existing.sessions.dedup();
        }
        None => reasons.push(new),
    }
}

fn reason(code: ReasonCode, sessions: Vec<u32>) -> Reason {
    Reason { code, sessions }
}

fn sessions_where(checkins: &[CheckIn], holds: impl Fn(&CheckIn) -> bool) -> Vec<u32> {
    checkins
        .iter()
        .filter(|checkin| holds(checkin))
        .map(|checkin| checkin.session)
        .collect()
}
