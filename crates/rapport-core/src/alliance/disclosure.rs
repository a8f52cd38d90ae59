//! What a therapist may see of a client's check-ins: the one rule every therapist-facing view,
//! alert and e-mail goes through.
//!
//! The client's reading and the therapist's are two different readings. The therapist's is made
//! by running the same engine over the check-ins *as far as they are shared*, so nothing the
//! client kept back can show through a status, a reason, a chart mark or an alert derived from
//! it. Two choices:
//!
//! - **Trend and status only** shares the five alliance signs (and the session dates). The
//!   therapist's reading is the engine's reading of those signs alone: scores, dips and their
//!   repair, and a status among `none`, `early`, `forming`, `strong`, `speak_up` (a dip or low
//!   trust at the last session) and `reconsider` (an alliance that never formed). Red flags, the
//!   professional-line answer, how stirred up the client was, how they left, the noted need and
//!   whether they raised it are not shared, and nothing derived from them is either.
//! - **Answers too** shares every answer except the professional-line answer. The status can then
//!   also rest on red flags and a noted need, and the therapist sees the answers themselves.
//!
//! The professional-line answer (and so `act_now`) never reaches the therapist through Rapport's
//! readings, whatever the sharing: telling the person who crossed the line could put the client
//! at risk. A client who wants their therapist to know says so in their own words, in a note they
//! preview and confirm before it is sent.

use super::checkin::{CheckIn, LeftFeeling};
use super::status::{Assessment, assess};

/// How much of the check-ins a client shares with their therapist (never the professional-line
/// answer, see the module's doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// The five alliance signs and the dates: a trend and a status read from them alone.
    Trend,
    /// Every answer but the professional-line answer.
    Answers,
}

/// What the therapist is shown: the reading of what is shared and, for [`Disclosure::Answers`],
/// the shared answers themselves.
#[derive(Debug, Clone)]
pub struct Disclosed {
    /// The engine's reading of the shared part only.
    pub assessment: Assessment,
    /// The shared answers, by session; `None` unless answers are shared.
    pub checkins: Option<Vec<CheckIn>>,
}

/// The therapist's view of a client's check-ins under `disclosure`.
pub fn disclose(checkins: &[CheckIn], disclosure: Disclosure) -> Disclosed {
    let shared: Vec<CheckIn> = checkins
        .iter()
        .map(|checkin| shared_part(checkin, disclosure))
        .collect();
    let assessment = assess(&shared);
    let checkins = match disclosure {
        Disclosure::Trend => None,
        Disclosure::Answers => {
            let mut sorted = shared;
            sorted.sort_by_key(|checkin| checkin.session);
            Some(sorted)
        }
    };
    Disclosed {
        assessment,
        checkins,
    }
}

/// One check-in with every answer that is not shared put back to "nothing to report", so the
/// engine cannot read it.
fn shared_part(checkin: &CheckIn, disclosure: Disclosure) -> CheckIn {
    let mut shared = checkin.clone();
    shared.misconduct = false;
    if disclosure == Disclosure::Trend {
        shared.flags.clear();
        shared.stirred = 0;
        shared.toward_therapist = false;
        shared.left_feeling = LeftFeeling::StirredOk;
        shared.need = None;
        shared.raised = None;
        shared.repair = None;
    }
    shared
}
