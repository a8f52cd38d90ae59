//! Standard codes (ISO 639-1 languages, ISO 3166 jurisdictions, ISO 4217 currencies) as types.
//!
//! These lists are open (new codes appear), so they are checked by shape rather than by a closed
//! vocabulary; once parsed, the engine can compare them without re-checking.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! code_serde {
    ($name:ident, $what:literal) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $name::parse(&text)
                    .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not {}", $what)))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// An ISO 639-1 language code (`en`): two lowercase letters, stored inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Language([u8; 2]);

impl Language {
    /// What a wrong value is told, so every reader says the same thing.
    pub const RULE: &'static str = "must be a language code of two lowercase letters, like `en`";

    /// The code if `text` has the shape of one.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        (b.len() == 2 && b.iter().all(u8::is_ascii_lowercase)).then(|| Self([b[0], b[1]]))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

code_serde!(Language, "a language code");

/// An ISO 4217 currency code (`GBP`): three uppercase letters, stored inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// What a wrong value is told.
    pub const RULE: &'static str = "must be a currency code of three uppercase letters, like `GBP`";

    /// The code if `text` has the shape of one.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        (b.len() == 3 && b.iter().all(u8::is_ascii_uppercase)).then(|| Self([b[0], b[1], b[2]]))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

code_serde!(Currency, "a currency code");

/// Where a therapist is licensed or a client lives: ISO 3166-1 alpha-2 (`GB`) or an ISO 3166-2
/// subdivision (`US-CA`), because licensing is national in some countries and per state in others.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Jurisdiction(Box<str>);

impl Jurisdiction {
    /// What a wrong value is told.
    pub const RULE: &'static str = "must be a country code like `GB` or a subdivision like `US-CA`";

    /// The code if `text` has the shape of one.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let country = b.len() >= 2 && b[..2].iter().all(u8::is_ascii_uppercase);
        let rest = &b[2.min(b.len())..];
        let subdivision = rest.is_empty()
            || (rest[0] == b'-'
                && (2..=4).contains(&rest.len())
                && rest[1..]
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        (country && subdivision).then(|| Self(text.into()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

code_serde!(Jurisdiction, "a jurisdiction code");

/// Whether `text` is a usable insurer key (`bupa`, `blue_shield`): lowercase letters, digits,
/// `_` or `-`, at most 40 characters, so it is safe inside a CSV list cell and in URLs.
pub fn is_insurer(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 40
        && text
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

/// What a wrong insurer key is told.
pub const INSURER_RULE: &str = "must be an insurer key of lowercase letters, digits, `_` or `-`";
