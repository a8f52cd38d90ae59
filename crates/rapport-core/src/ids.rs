//! Typed ids for what names a row at the boundary (a path segment, a form field): parsed once,
//! so a handler holds a `RelationshipId`, never a string that might be anything, and a function
//! taking one cannot be handed an alert's id by mistake.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not an id: ids are 1 to 64 letters, digits, `-` or `_` (UUIDs, listing ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnId;

impl fmt::Display for NotAnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("is not an id: 1 to 64 letters, digits, '-' or '_'")
    }
}

fn is_id(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

macro_rules! id {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The id as stored.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = NotAnId;
            fn try_from(text: String) -> Result<Self, NotAnId> {
                if is_id(&text) {
                    Ok($name(text))
                } else {
                    Err(NotAnId)
                }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id!(
    RelationshipId,
    "A client's relationship with one therapist."
);
id!(AlertId, "One alert of a therapist's.");
id!(
    ConsultationId,
    "One intro-consultation request a client sent to a listing."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_plain_words() {
        assert!(
            RelationshipId::try_from("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".to_owned()).is_ok()
        );
        assert!(RelationshipId::try_from(String::new()).is_err());
        assert!(AlertId::try_from("a/../b".to_owned()).is_err());
        assert!(AlertId::try_from("x".repeat(65)).is_err());
    }
}
