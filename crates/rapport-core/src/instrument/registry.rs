//! The set of instruments a deployment knows, and the licensed-text overlay.
//!
//! The built-in files are compiled into the binary, so every Rapport scores the same way without
//! finding files at run time; a site with a licence for the WAI-SR, SRS or ORS then installs the
//! item text it holds (the CamCOPS pattern) from a file its own code reads.

use super::definition::Definition;
use super::schema::RawDefinition;
use super::validate;
use crate::{FieldError, Invalid};
use std::collections::BTreeMap;

/// The definition files that ship with Rapport, by file name.
pub const BUILTIN: [(&str, &str); 7] = [
    ("rac.json", include_str!("../../../../instruments/rac.json")),
    (
        "phq9.json",
        include_str!("../../../../instruments/phq9.json"),
    ),
    (
        "gad7.json",
        include_str!("../../../../instruments/gad7.json"),
    ),
    (
        "cnip.json",
        include_str!("../../../../instruments/cnip.json"),
    ),
    (
        "wai-sr.json",
        include_str!("../../../../instruments/wai-sr.json"),
    ),
    ("srs.json", include_str!("../../../../instruments/srs.json")),
    ("ors.json", include_str!("../../../../instruments/ors.json")),
];

/// A definition file (or licensed-text file) that was refused, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problems}")]
pub struct LoadError {
    /// The file name, or `licensed text for <id>` for an overlay.
    pub file: String,
    /// Each problem, naming the item (or other part) and the reason.
    pub problems: Invalid,
}

impl LoadError {
    fn new(file: impl Into<String>, problems: Vec<FieldError>) -> Self {
        Self {
            file: file.into(),
            problems: Invalid(problems),
        }
    }
}

/// The loaded instruments, in the order their files were given.
#[derive(Debug, Clone, PartialEq)]
pub struct Registry {
    definitions: Vec<Definition>,
}

impl Registry {
    /// The instruments that ship with Rapport; an error here is a bug in a shipped file.
    pub fn builtin() -> Result<Registry, LoadError> {
        Self::from_sources(&BUILTIN)
    }

    /// Loads `(file name, contents)` pairs, refusing the first bad file with all its problems.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Registry, LoadError> {
        let mut definitions: Vec<Definition> = Vec::new();
        let mut files: BTreeMap<String, &str> = BTreeMap::new();
        for (file, contents) in sources {
            let definition = load_one(file, contents)?;
            if let Some(other) = files.insert(definition.id.clone(), file) {
                return Err(LoadError::new(
                    *file,
                    vec![FieldError::new(
                        "id",
                        format!("{} is already defined by {other}", definition.id),
                    )],
                ));
            }
            definitions.push(definition);
        }
        Ok(Registry { definitions })
    }

    /// Every instrument, offerable or not; check [`Definition::text_status`] before offering.
    pub fn list(&self) -> &[Definition] {
        &self.definitions
    }

    /// One instrument by id.
    pub fn get(&self, id: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.id == id)
    }

    /// Installs licensed item text for instrument `id` from a JSON object `{"item id": "text"}`.
    ///
    /// All or nothing: every item needs a non-empty text and unknown ids are refused, so a
    /// partly translated or mismatched file never reaches a client.
    pub fn install_licensed_text(&mut self, id: &str, contents: &str) -> Result<(), LoadError> {
        let file = format!("licensed text for {id}");
        let refuse = |field: &str, reason: String| {
            LoadError::new(&file, vec![FieldError::new(field, reason)])
        };
        let Some(definition) = self.definitions.iter_mut().find(|d| d.id == id) else {
            return Err(refuse("id", format!("no instrument is called {id}")));
        };
        if !definition.text_licensed {
            return Err(refuse(
                "id",
                format!("{id} ships its own text; only licensed instruments take installed text"),
            ));
        }
        let texts: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(contents).map_err(|e| {
                refuse(
                    "file",
                    format!("must be a JSON object of item id to text: {e}"),
                )
            })?;
        let mut problems = Vec::new();
        for (item, text) in &texts {
            if definition.item(item).is_none() {
                problems.push(FieldError::new(item, format!("is not an item of {id}")));
            } else if text.as_str().is_none_or(|t| t.trim().is_empty()) {
                problems.push(FieldError::new(item, "must be non-empty text"));
            }
        }
        for item in &definition.items {
            if !texts.contains_key(&item.id) {
                problems.push(FieldError::new(
                    &item.id,
                    "has no text; every item needs one",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(LoadError::new(file, problems));
        }
        for item in &mut definition.items {
            item.text = texts[&item.id].as_str().map(str::to_owned);
        }
        Ok(())
    }
}

fn load_one(file: &str, contents: &str) -> Result<Definition, LoadError> {
    let stem = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = stem.strip_suffix(".json").unwrap_or(stem);
    let raw: RawDefinition = serde_json::from_str(contents).map_err(|e| {
        LoadError::new(
            file,
            vec![FieldError::new(
                "file",
                format!("is not a valid definition: {e}"),
            )],
        )
    })?;
    validate::definition(raw, stem).map_err(|problems| LoadError::new(file, problems))
}
