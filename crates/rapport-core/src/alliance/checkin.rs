//! What one check-in *is*, once read: the types every rule works on.
//!
//! Values here are built by [`super::parse_checkin`] (or by deserialising, which calls it), so a
//! rule never has to wonder whether a sign is 7 or a flag is misspelt.

use super::items::{FLAGS, LEFT_FEELINGS, SIGN_ANCHORS};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;

/// One answer on the 0-4 sign scale; the type makes an out-of-range sign impossible, so the
/// alliance score is always between 0 and 100. The default is 0 ("Not at all").
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub struct Sign(u8);

impl Sign {
    /// The highest answer ("Completely").
    pub const MAX: u8 = 4;

    /// A sign from a number, or `None` when it is off the scale.
    pub fn new(value: u8) -> Option<Self> {
        (value <= Self::MAX).then_some(Self(value))
    }

    /// The answer as a number, for scoring.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The answer in the words the client chose it by, for quoting it back to them.
    pub fn anchor(self) -> &'static str {
        SIGN_ANCHORS[usize::from(self.0)]
    }
}

impl TryFrom<u8> for Sign {
    type Error = String;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::new(value).ok_or_else(|| "must be a whole number from 0 to 4".to_owned())
    }
}

impl From<Sign> for u8 {
    fn from(sign: Sign) -> Self {
        sign.0
    }
}

/// A red flag the client ticked; the order of the variants is the order of [`FLAGS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Felt judged or looked down on.
    Judged,
    /// Boundaries not respected.
    Boundaries,
    /// Needs not heard.
    Unheard,
    /// Felt unsafe.
    Unsafe,
    /// Felt completely misunderstood.
    Misunderstood,
    /// Dreading the next appointment: a problem only when the client also left feeling bad.
    Dread,
}

impl Flag {
    /// Every flag, in form order, so callers can list them without repeating the enum.
    pub const ALL: [Flag; 6] = [
        Flag::Judged,
        Flag::Boundaries,
        Flag::Unheard,
        Flag::Unsafe,
        Flag::Misunderstood,
        Flag::Dread,
    ];

    /// The flag's id as it appears in JSON and forms.
    pub fn id(self) -> &'static str {
        FLAGS[self as usize].0
    }

    /// The item the client ticked, word for word.
    pub fn text(self) -> &'static str {
        FLAGS[self as usize].1
    }

    /// The flag named by `id`, if it is one.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|flag| flag.id() == id)
    }

    /// Whether the flag alone makes a session a problem (dread needs leaving bad as well).
    pub fn is_problem_on_its_own(self) -> bool {
        self != Flag::Dread
    }
}

/// How the client left the session: the line between the work stirring things up and harm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftFeeling {
    /// Left feeling better.
    Better,
    /// Stirred up, but okay: the normal discomfort of therapy.
    StirredOk,
    /// Genuinely bad.
    Bad,
}

impl LeftFeeling {
    /// Every answer, in form order.
    pub const ALL: [LeftFeeling; 3] = [
        LeftFeeling::Better,
        LeftFeeling::StirredOk,
        LeftFeeling::Bad,
    ];

    /// The answer's id as it appears in JSON and forms.
    pub fn id(self) -> &'static str {
        LEFT_FEELINGS[self as usize].0
    }

    /// The answer's label, as the client saw it.
    pub fn label(self) -> &'static str {
        LEFT_FEELINGS[self as usize].1
    }

    /// The answer named by `id`, if it is one.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|feeling| feeling.id() == id)
    }
}

/// One client's answers after one session: the unit every alliance rule reads.
///
/// Build it with [`super::parse_checkin`] (or serde, which uses the same parser) so that the
/// ranges below hold; the fields are public so rules and templates can read them plainly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckIn {
    /// The session number, from 1; orders a client's history and names it in messages.
    pub session: u32,
    /// The session date, `YYYY-MM-DD`, when known.
    pub date: Option<String>,
    /// "I felt heard, without being judged."
    pub heard: Sign,
    /// "I could share what I needed to, even things that embarrass or upset me."
    pub open: Sign,
    /// "My therapist adapted to my needs and respected my boundaries."
    pub attuned: Sign,
    /// "I trust my therapist and believe they can help me."
    pub trust: Sign,
    /// "I'm looking forward to my next session."
    pub looking_forward: Sign,
    /// The red flags ticked this session.
    pub flags: BTreeSet<Flag>,
    /// The therapist crossed a professional line: overrides every other reading.
    pub misconduct: bool,
    /// How much the session stirred things up, 0-4.
    pub stirred: u8,
    /// Some of the strong feelings were aimed at the therapist.
    pub toward_therapist: bool,
    /// How the client left the session.
    pub left_feeling: LeftFeeling,
    /// Something the client would like to ask for or change (trimmed, never empty, ≤ 1000
    /// characters). Sensitive: the store encrypts it and nothing logs it.
    pub need: Option<String>,
    /// Whether the client brought up the previous check-in's need.
    pub raised: Option<bool>,
    /// How much better things got after raising it, 0-4; only present when `raised` is yes.
    pub repair: Option<u8>,
}

impl CheckIn {
    /// The five signs with their ids, in form order, for rules and words that go through all.
    pub fn signs(&self) -> [(&'static str, Sign); 5] {
        [
            ("heard", self.heard),
            ("open", self.open),
            ("attuned", self.attuned),
            ("trust", self.trust),
            ("looking_forward", self.looking_forward),
        ]
    }
}

impl<'de> Deserialize<'de> for CheckIn {
    /// Reads through [`super::parse_checkin`], so serde and the form can never disagree.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        super::parse_checkin(&value, "").map_err(serde::de::Error::custom)
    }
}
