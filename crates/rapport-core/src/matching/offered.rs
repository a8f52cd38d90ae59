//! What the live directory offers a client to choose from: the jurisdictions, languages,
//! currencies and insurers its listings actually carry, read off the index so that a form never
//! offers a choice that can only match nobody, and changes when the directory does.

use super::bitset::{BitSet, ones};
use super::{Currency, Index, Jurisdiction, Language};
use std::collections::{BTreeMap, BTreeSet};

/// The codes present in a directory, each list sorted by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offered {
    /// Where some listing may practise.
    pub jurisdictions: Vec<Jurisdiction>,
    /// Languages some listing works in.
    pub languages: Vec<Language>,
    /// Currencies some listing charges in.
    pub currencies: Vec<Currency>,
    /// Insurer keys some listing accepts.
    pub insurers: Vec<String>,
    /// The currency most listings licensed in a country charge in, by country code.
    currency_by_country: BTreeMap<String, Currency>,
    /// Countries where some listing is licensed per subdivision (`US-CA`), not nationally.
    subdivided: BTreeSet<String>,
}

impl Offered {
    /// The currency a client in `country` most likely pays in, when the directory shows one.
    pub fn currency_in(&self, country: &str) -> Option<Currency> {
        self.currency_by_country.get(country).copied()
    }

    /// The jurisdiction a client in a place belongs to for remote care: its subdivision where
    /// the directory licenses by subdivision in that country (`US-OR`), else the country.
    pub fn jurisdiction_for(&self, country: &str, region_code: Option<&str>) -> String {
        match region_code {
            Some(r) if self.subdivided.contains(country) => r.to_owned(),
            _ => country.to_owned(),
        }
    }
}

fn members(set: &BitSet) -> impl Iterator<Item = usize> + '_ {
    set.span().flat_map(|w| ones(set.word(w), w))
}

impl Index {
    /// The codes the listings now in the index carry (a removed listing's codes go with it).
    pub fn offered(&self) -> Offered {
        let live = |set: &BitSet| members(set).next().is_some();
        let mut jurisdictions: Vec<Jurisdiction> = Vec::new();
        let mut tallies: BTreeMap<String, BTreeMap<Currency, usize>> = BTreeMap::new();
        let mut subdivided = BTreeSet::new();
        for (j, set) in &self.jurisdictions {
            if !live(set) {
                continue;
            }
            jurisdictions.push(j.clone());
            let country = j.as_str().get(..2).unwrap_or_default().to_owned();
            if j.as_str().contains('-') {
                subdivided.insert(country.clone());
            }
            let tally = tallies.entry(country).or_default();
            for i in members(set) {
                *tally.entry(self.hot[i].currency).or_default() += 1;
            }
        }
        jurisdictions.sort();
        let mut languages: Vec<Language> = self
            .languages
            .iter()
            .filter(|(_, s)| live(s))
            .map(|(l, _)| *l)
            .collect();
        languages.sort();
        let mut insurers: Vec<String> = self
            .insurers
            .iter()
            .filter(|(_, s)| live(s))
            .map(|(i, _)| i.to_string())
            .collect();
        insurers.sort();
        let currencies: BTreeSet<Currency> = self
            .slot_of
            .iter()
            .map(|slot| self.hot[slot as usize].currency)
            .collect();
        let currency_by_country = tallies
            .into_iter()
            .filter_map(|(country, t)| {
                let best = t
                    .into_iter()
                    .max_by_key(|(c, n)| (*n, std::cmp::Reverse(*c)))?;
                Some((country, best.0))
            })
            .collect();
        Offered {
            jurisdictions,
            languages,
            currencies: currencies.into_iter().collect(),
            insurers,
            currency_by_country,
            subdivided,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::generate;
    use super::*;

    #[test]
    fn the_offer_is_what_the_listings_carry_and_shrinks_when_they_leave() {
        let listings = generate(2_000, 3);
        let mut index = Index::build(listings.clone());
        let offered = index.offered();
        assert!(offered.jurisdictions.iter().any(|j| j.as_str() == "GB"));
        assert!(offered.currencies.iter().any(|c| c.as_str() == "GBP"));
        assert_eq!(
            offered.currency_in("GB").map(|c| c.as_str().to_owned()),
            Some("GBP".into())
        );
        assert_eq!(offered.jurisdiction_for("US", Some("US-OR")), "US-OR");
        assert_eq!(offered.jurisdiction_for("GB", Some("GB-ENG")), "GB");
        for l in &listings {
            index.remove(l.id.as_str());
        }
        assert_eq!(index.offered(), Offered::default());
    }
}
