//! The closed vocabularies of matching, defined once here and published in the API.
//!
//! Each list is an enum so that the engine works on small integers (bit positions) and a typo in
//! a directory file is refused at the door instead of silently matching nothing. Every word has a
//! human label because reasons and unmet preferences are shown to clients in plain words.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

/// A word of a closed vocabulary: lets the JSON readers and the CSV import treat every list alike.
pub trait Word: Sized + Copy + 'static {
    /// What the list is called in error messages (`concern`, `modality`).
    const WHAT: &'static str;
    /// Every word, in published order; the position is the word's bit in the engine.
    const ALL: &'static [Self];
    /// The word for a wire string, if it is in the list.
    fn parse(word: &str) -> Option<Self>;
    /// The wire string.
    fn as_str(self) -> &'static str;
    /// The plain-language label shown to people.
    fn label(self) -> &'static str;
    /// The position in [`Word::ALL`], used as a bit index.
    fn index(self) -> usize;
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $list:ident, $what:literal,
     { $($variant:ident = $word:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(#[doc = $label] $variant),+
        }

        #[doc = concat!("Every ", $what, " word, as published in the API.")]
        pub const $list: &[&str] = &[$($word),+];

        impl Word for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn parse(word: &str) -> Option<Self> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            fn index(self) -> usize {
                self as usize
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = String::deserialize(d)?;
                <$name as Word>::parse(&word).ok_or_else(|| {
                    serde::de::Error::custom(format!("`{word}` is not a known {}", $what))
                })
            }
        }
    };
}

vocabulary!(
    /// What a client wants help with; the heart of the concerns score.
    Concern, CONCERNS, "concern", {
    Anxiety = "anxiety" => "anxiety",
    Depression = "depression" => "depression",
    Trauma = "trauma" => "trauma",
    Grief = "grief" => "grief",
    Relationships = "relationships" => "relationships",
    Family = "family" => "family",
    Parenting = "parenting" => "parenting",
    Addiction = "addiction" => "addiction",
    Eating = "eating" => "eating disorders",
    Ocd = "ocd" => "OCD",
    Adhd = "adhd" => "ADHD",
    Autism = "autism" => "autism",
    Bipolar = "bipolar" => "bipolar disorder",
    Psychosis = "psychosis" => "psychosis",
    Personality = "personality" => "personality disorders",
    SelfEsteem = "self_esteem" => "self-esteem",
    Stress = "stress" => "stress",
    Work = "work" => "work",
    Identity = "identity" => "identity",
    Lgbtq = "lgbtq" => "LGBTQ+ issues",
    Perinatal = "perinatal" => "perinatal mental health",
    ChronicIllness = "chronic_illness" => "chronic illness",
    Anger = "anger" => "anger",
    Sleep = "sleep" => "sleep",
    LifeTransitions = "life_transitions" => "life transitions",
    Spirituality = "spirituality" => "spirituality",
    RacialTrauma = "racial_trauma" => "racial trauma",
    Sexuality = "sexuality" => "sexuality",
    Suicidality = "suicidality" => "suicidal thoughts",
    Loneliness = "loneliness" => "loneliness",
});

vocabulary!(
    /// A way of working; a shared one is a preference, never a filter.
    Modality, MODALITIES, "modality", {
    Cbt = "cbt" => "CBT",
    Dbt = "dbt" => "DBT",
    Act = "act" => "ACT",
    Emdr = "emdr" => "EMDR",
    Psychodynamic = "psychodynamic" => "psychodynamic therapy",
    Psychoanalytic = "psychoanalytic" => "psychoanalysis",
    PersonCentred = "person_centred" => "person-centred therapy",
    Ifs = "ifs" => "IFS",
    Schema = "schema" => "schema therapy",
    Cft = "cft" => "compassion-focused therapy",
    Mbct = "mbct" => "MBCT",
    Gottman = "gottman" => "the Gottman method",
    Eft = "eft" => "emotionally focused therapy",
    Narrative = "narrative" => "narrative therapy",
    SolutionFocused = "solution_focused" => "solution-focused therapy",
    Somatic = "somatic" => "somatic therapy",
    FamilySystems = "family_systems" => "family systems therapy",
    Integrative = "integrative" => "integrative therapy",
});

vocabulary!(
    /// Who the therapist sees; serving the client's population is a hard filter.
    Population, POPULATIONS, "population", {
    Children = "children" => "children",
    Adolescents = "adolescents" => "adolescents",
    Adults = "adults" => "adults",
    OlderAdults = "older_adults" => "older adults",
    Couples = "couples" => "couples",
    Families = "families" => "families",
});

vocabulary!(
    /// How sessions happen; decides whether distance or jurisdiction matters.
    Format, FORMATS, "format", {
    InPerson = "in_person" => "in person",
    Video = "video" => "video",
    Phone = "phone" => "phone",
});

vocabulary!(
    /// A day of the week for weekly slots (the listing's local time).
    Day, DAYS, "day", {
    Mon = "mon" => "Monday",
    Tue = "tue" => "Tuesday",
    Wed = "wed" => "Wednesday",
    Thu = "thu" => "Thursday",
    Fri = "fri" => "Friday",
    Sat = "sat" => "Saturday",
    Sun = "sun" => "Sunday",
});

vocabulary!(
    /// A therapist's gender, as they describe it; only used when a client asks.
    Gender, GENDERS, "gender", {
    Woman = "woman" => "woman",
    Man = "man" => "man",
    NonBinary = "non_binary" => "non-binary",
});

vocabulary!(
    /// An ethnicity a therapist identifies with; a listing may name several.
    Ethnicity, ETHNICITIES, "ethnicity", {
    Asian = "asian" => "Asian",
    Black = "black" => "Black",
    HispanicLatino = "hispanic_latino" => "Hispanic or Latino",
    MiddleEastern = "middle_eastern" => "Middle Eastern",
    Indigenous = "indigenous" => "Indigenous",
    White = "white" => "White",
    Mixed = "mixed" => "mixed",
});

vocabulary!(
    /// A therapist's faith or worldview; only used when a client asks.
    Faith, FAITHS, "faith", {
    Christian = "christian" => "Christian",
    Muslim = "muslim" => "Muslim",
    Jewish = "jewish" => "Jewish",
    Hindu = "hindu" => "Hindu",
    Buddhist = "buddhist" => "Buddhist",
    Sikh = "sikh" => "Sikh",
    Secular = "secular" => "secular",
    Other = "other" => "another faith",
});

vocabulary!(
    /// A therapist's measured record with a concern (set from at least 15 past cases).
    Rating, RATINGS, "rating", {
    Effective = "effective" => "effective",
    Neutral = "neutral" => "neutral",
    Ineffective = "ineffective" => "ineffective",
});

vocabulary!(
    /// How much an identity preference matters: `must` filters, `prefer` scores.
    Strength, STRENGTHS, "strength", {
    Must = "must" => "must",
    Prefer = "prefer" => "prefer",
});

fn words<W: Word>() -> Value {
    W::ALL
        .iter()
        .map(|w| json!({"word": w.as_str(), "label": w.label()}))
        .collect()
}

/// Every closed list with its labels, so forms and API clients never hard-code a word.
pub fn vocabularies_json() -> Value {
    json!({
        "concerns": words::<Concern>(),
        "modalities": words::<Modality>(),
        "populations": words::<Population>(),
        "formats": words::<Format>(),
        "days": words::<Day>(),
        "hours": {"min": 0, "max": 23},
        "genders": words::<Gender>(),
        "ethnicities": words::<Ethnicity>(),
        "faiths": words::<Faith>(),
        "ratings": words::<Rating>(),
        "strengths": words::<Strength>(),
        "ending_reasons": super::fit::ending_reasons_json(),
    })
}

/// The plain label for any word, for callers that hold only the wire string (`"ocd"` → `OCD`).
pub fn label_of(word: &str) -> Option<&'static str> {
    fn find<W: Word>(word: &str) -> Option<&'static str> {
        W::parse(word).map(W::label)
    }
    find::<Concern>(word)
        .or_else(|| find::<Modality>(word))
        .or_else(|| find::<Population>(word))
        .or_else(|| find::<Format>(word))
        .or_else(|| find::<Day>(word))
        .or_else(|| find::<Gender>(word))
        .or_else(|| find::<Ethnicity>(word))
        .or_else(|| find::<Faith>(word))
}
