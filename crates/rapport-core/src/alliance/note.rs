//! The speak-up note: the client's own need and flags, turned into a few kind, first-person
//! sentences they can edit and bring or send to their therapist.
//!
//! It asks rather than accuses, because the point is to be heard and to repair, and it never
//! mentions a professional line crossed: nobody should have to raise that with the therapist who
//! crossed it.

use super::checkin::{CheckIn, Flag};

const OPENING: &str = "I'd like to talk about how our sessions are going.";
const CLOSING: &str = "Could we make some time for this in our next session?";

/// Drafts the note from the latest check-in's `need` and flags.
pub fn draft_note(latest: &CheckIn) -> String {
    let mut sentences = vec![OPENING.to_owned()];
    sentences.extend(
        latest
            .flags
            .iter()
            .map(|flag| flag_sentence(*flag).to_owned()),
    );
    if let Some(need) = latest.need.as_deref() {
        let need = need.trim();
        let end = if need.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        sentences.push(format!("Something I'd like to ask for: {need}{end}"));
    }
    sentences.push(CLOSING.to_owned());
    sentences.join(" ")
}

/// A flag said in the first person, about how it felt rather than what the therapist did.
fn flag_sentence(flag: Flag) -> &'static str {
    match flag {
        Flag::Judged => {
            "At times I've felt judged, and I'd like to be able to share things without worrying about that."
        }
        Flag::Boundaries => {
            "Some of my boundaries haven't felt respected, and I'd like us to agree on them together."
        }
        Flag::Unheard => "I've felt that some of my needs weren't heard.",
        Flag::Unsafe => {
            "I haven't felt safe in our sessions lately, and I'd like to talk about what would help."
        }
        Flag::Misunderstood => {
            "I've felt misunderstood, and I'd like to try explaining myself again."
        }
        Flag::Dread => {
            "I've noticed some dread before our sessions, and I'd like to understand it together."
        }
    }
}
