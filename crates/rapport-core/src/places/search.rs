//! Finding places from what a person types: a name, optionally narrowed by a region or country
//! after a comma ("Portland, Maine", "Portland, US", "Springfield, IL").
//!
//! Ranking: the name exactly, then names that start with the words, then alternate names
//! (local spellings such as München) exactly, then alternates that start with them; within each,
//! the more populous place first, since that is the one most people mean.

use super::fold::fold;
use super::{Gazetteer, Place};
use crate::FieldError;
use crate::vocabulary::country_name;

/// Fewest letters a search needs: one letter would match thousands of places and help nobody.
pub const MIN_QUERY: usize = 2;

/// How much more populous the biggest of several same-named places must be for it to be the
/// clear meaning: London, England over London, Ontario, and San Francisco, California over its
/// namesakes in the Philippines; but not Portland, Oregon over Portland, Maine, nor Birmingham,
/// England over Birmingham, Alabama, where the person is asked.
const CLEAR_LEAD: u64 = 10;

/// A parsed search: the folded name and the folded words after each comma.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceQuery {
    name: String,
    within: Vec<String>,
}

impl PlaceQuery {
    /// Reads what a person typed into `field`; refuses a query with fewer than [`MIN_QUERY`]
    /// letters of a name, saying so, rather than answering with an arbitrary handful of places.
    pub fn parse(field: &str, text: &str) -> Result<PlaceQuery, FieldError> {
        let mut parts = text.split(',');
        let name = fold(parts.next().unwrap_or_default());
        if name.chars().count() < MIN_QUERY {
            return Err(FieldError::new(
                field,
                format!("needs at least {MIN_QUERY} letters of a town or city"),
            ));
        }
        let within = parts.map(fold).filter(|w| !w.is_empty()).collect();
        Ok(PlaceQuery { name, within })
    }
}

/// What a typed place came to when a form was sent without a choice being made.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a> {
    /// One place is clearly meant.
    One(&'a Place),
    /// Several could be meant; the person chooses.
    Several(Vec<&'a Place>),
    /// Nothing of that name is known.
    Nothing,
}

/// How well a place's names fit a query: lower is better.
fn tier(place: &Place, q: &str) -> Option<u8> {
    let name = place.folded_name();
    if name == q {
        return Some(0);
    }
    if name.starts_with(q) {
        return Some(1);
    }
    let alts = place.folded_alternates();
    if alts.iter().any(|a| a == q) {
        return Some(2);
    }
    alts.iter().any(|a| a.starts_with(q)).then_some(3)
}

/// Whether a word after a comma names the place's country or region: a code (`us`, `il`,
/// `us il`), a name or the start of one (`united st`, `maine`), or a common short form (`uk`).
fn within(place: &Place, word: &str) -> bool {
    let country = place.country.to_ascii_lowercase();
    if word == country {
        return true;
    }
    let alias = match word {
        "uk" | "britain" | "great britain" => "gb",
        "usa" | "america" | "united states of america" => "us",
        _ => "",
    };
    if alias == country {
        return true;
    }
    if country_name(&place.country).is_some_and(|n| fold(n).starts_with(word)) {
        return true;
    }
    if let Some(code) = &place.region_code {
        let folded = fold(code);
        if folded == word || folded.split_once(' ').is_some_and(|(_, r)| r == word) {
            return true;
        }
    }
    place
        .region
        .as_deref()
        .is_some_and(|r| fold(r).starts_with(word))
}

impl Gazetteer {
    fn ranked(&self, q: &PlaceQuery) -> Vec<(u8, &Place)> {
        let mut found: Vec<(u8, usize)> = self
            .all()
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let t = tier(p, &q.name)?;
                q.within.iter().all(|w| within(p, w)).then_some((t, i))
            })
            .collect();
        found.sort_unstable();
        found
            .into_iter()
            .map(|(t, i)| (t, &self.all()[i]))
            .collect()
    }

    /// The places a query finds, best first, at most `limit`.
    pub fn find(&self, q: &PlaceQuery, limit: usize) -> Vec<&Place> {
        self.ranked(q)
            .into_iter()
            .take(limit)
            .map(|(_, p)| p)
            .collect()
    }

    /// The places typed text finds, best first, at most `limit`; nothing for text shorter than
    /// [`MIN_QUERY`] letters (the same answer as for a place that does not exist).
    pub fn search(&self, text: &str, limit: usize) -> Vec<&Place> {
        PlaceQuery::parse("q", text).map_or_else(|_| vec![], |q| self.find(&q, limit))
    }

    /// What typed text means when no suggestion was picked: one place if exactly one has that
    /// name (or one far outweighs the rest), else the `limit` best to choose from, else nothing.
    pub fn resolve(&self, q: &PlaceQuery, limit: usize) -> Resolved<'_> {
        let ranked = self.ranked(q);
        let Some(&(best, first)) = ranked.first() else {
            return Resolved::Nothing;
        };
        let same: Vec<&Place> = ranked
            .iter()
            .take_while(|(t, _)| *t == best)
            .map(|(_, p)| *p)
            .collect();
        let exact = best == 0 || best == 2;
        let clear = match (ranked.len(), same.get(1)) {
            (1, _) => true,
            (_, None) => exact,
            (_, Some(second)) => {
                exact && first.population >= second.population.saturating_mul(CLEAR_LEAD)
            }
        };
        if clear {
            Resolved::One(first)
        } else {
            let pool = if exact {
                same
            } else {
                ranked.into_iter().map(|(_, p)| p).collect()
            };
            Resolved::Several(pool.into_iter().take(limit).collect())
        }
    }
}
