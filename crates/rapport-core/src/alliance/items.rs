//! The words of the Rapport Alliance Check-in (RAC), as data.
//!
//! The web form, the CLI and the FHIR Questionnaire all show these texts, so they live in one
//! place and nobody retypes an item (a changed word changes what the instrument measures).

/// The five alliance signs, `(id, item)`, in the order the form asks them.
///
/// Each is answered on [`SIGN_ANCHORS`]; together they make the alliance score.
pub const SIGNS: &[(&str, &str)] = &[
    ("heard", "I felt heard, without being judged."),
    (
        "open",
        "I could share what I needed to, even things that embarrass or upset me.",
    ),
    (
        "attuned",
        "My therapist adapted to my needs and respected my boundaries.",
    ),
    (
        "trust",
        "I trust my therapist and believe they can help me.",
    ),
    ("looking_forward", "I'm looking forward to my next session."),
];

/// The answer labels for a sign, index = value (0 Not at all … 4 Completely).
pub const SIGN_ANCHORS: [&str; 5] = ["Not at all", "A little", "Somewhat", "Mostly", "Completely"];

/// The heading above the red flags, so the client knows they refer to this session only.
pub const FLAGS_HEADING: &str = "Red flags this session";

/// The red flags a client can tick, `(id, item)`, in the order the form shows them.
///
/// The order matches [`super::Flag`]'s variants, which read their text from here.
pub const FLAGS: &[(&str, &str)] = &[
    ("judged", "I felt judged or looked down on."),
    ("boundaries", "My boundaries were not respected."),
    ("unheard", "My needs were not heard."),
    ("unsafe", "I felt unsafe."),
    ("misunderstood", "I felt completely misunderstood."),
    ("dread", "I'm dreading my next appointment."),
];

/// The professional-line question: a yes here is never met with "give it time".
pub const MISCONDUCT_TEXT: &str = "My therapist crossed a professional line (for example romantic or sexual behaviour, asking for favours or money beyond fees, sharing my information without my consent).";

/// How much the session stirred things up: part of the work, not a problem in itself.
pub const STIRRED_TEXT: &str = "The session stirred up strong or difficult feelings.";

/// The answer labels for [`STIRRED_TEXT`], index = value.
pub const STIRRED_ANCHORS: [&str; 5] = [
    "Not at all",
    "A little",
    "Somewhat",
    "Quite a lot",
    "Very much",
];

/// Whether the strong feelings were aimed at the therapist: the mark of possible transference.
pub const TOWARD_THERAPIST_TEXT: &str =
    "Some of those feelings were aimed at my therapist (anger, frustration, even hate).";

/// The prompt for how the client left (our wording; the model names only the answers).
pub const LEFT_FEELING_TEXT: &str = "I left the session feeling…";

/// The ways a client can leave a session, `(id, label)`: "stirred up, but okay" is the work,
/// "genuinely bad" is what separates a problem from it.
pub const LEFT_FEELINGS: &[(&str, &str)] = &[
    ("better", "Better"),
    ("stirred_ok", "Stirred up, but okay"),
    ("bad", "Genuinely bad"),
];

/// The free-text need, which becomes the drafted speak-up note.
pub const NEED_TEXT: &str = "Something I'd like to ask for or change.";

/// Asked only when the previous check-in noted a need, to track speaking up.
pub const RAISED_TEXT: &str = "Did you bring it up?";

/// Asked only when the need was raised, to track whether speaking up repaired things.
pub const REPAIR_TEXT: &str = "Did things get better after you raised it?";

/// The answer labels for [`REPAIR_TEXT`], index = value (the sign scale, read as "how much").
pub const REPAIR_ANCHORS: [&str; 5] = SIGN_ANCHORS;
