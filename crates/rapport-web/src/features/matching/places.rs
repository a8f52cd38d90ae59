//! The places and codes the forms offer: cities with their coordinates, jurisdictions,
//! currencies, languages and insurers.
//!
//! The core keeps its table of real cities private to the generator, so the list is read off a
//! generated directory once (each city's centre is the mean of its listings, which the generator
//! scatters around the true centre): the forms then offer exactly the places the synthetic
//! directory covers, and a person never has to type coordinates.

use rapport_core::matching::{Listing, generate};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// How many generated listings the city table is read from: enough that the smallest city gets
/// dozens and its mean lands within a few hundred metres of the centre.
const SAMPLE: usize = 20_000;

/// A city a client can pick instead of typing coordinates.
#[derive(Clone, Debug)]
pub struct City {
    /// Display name, also the form value.
    pub name: String,
    /// Centre, degrees north.
    pub lat: f64,
    /// Centre, degrees east.
    pub lon: f64,
    /// Where remote care there is licensed.
    pub jurisdiction: String,
    /// Local currency.
    pub currency: String,
    /// The most common session language.
    pub language: String,
}

/// Everything the forms offer, derived once.
#[derive(Debug)]
pub struct Places {
    /// Cities, by name.
    pub cities: Vec<City>,
    /// Jurisdiction codes, sorted.
    pub jurisdictions: Vec<String>,
    /// Currency codes, sorted.
    pub currencies: Vec<String>,
    /// `(code, English name)`, by name.
    pub languages: Vec<(String, String)>,
    /// Insurer keys, sorted.
    pub insurers: Vec<String>,
}

/// The shared table.
pub static PLACES: LazyLock<Places> = LazyLock::new(|| Places::from_listings(&generate(SAMPLE, 1)));

const LANGUAGE_NAMES: &[(&str, &str)] = &[
    ("ar", "Arabic"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("ga", "Irish"),
    ("hi", "Hindi"),
    ("it", "Italian"),
    ("ko", "Korean"),
    ("pa", "Punjabi"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ru", "Russian"),
    ("tr", "Turkish"),
    ("ur", "Urdu"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
];

/// The English name of a language code, or the code itself when the table does not know it.
pub fn language_name(code: &str) -> String {
    LANGUAGE_NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, n)| (*n).to_owned())
}

#[derive(Default)]
struct Tally {
    n: f64,
    lat: f64,
    lon: f64,
    jurisdictions: BTreeMap<String, usize>,
    languages: BTreeMap<String, usize>,
    currency: String,
}

fn most_common(counts: &BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(k, _)| k.clone())
        .unwrap_or_default()
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

impl Places {
    /// Reads the places off a directory.
    pub fn from_listings(listings: &[Listing]) -> Places {
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        let mut jurisdictions = BTreeSet::new();
        let mut currencies = BTreeSet::new();
        let mut languages = BTreeSet::new();
        let mut insurers = BTreeSet::new();
        for l in listings {
            jurisdictions.extend(l.jurisdictions.iter().map(|j| j.as_str().to_owned()));
            currencies.insert(l.fee.currency.as_str().to_owned());
            languages.extend(l.languages.iter().map(|c| c.as_str().to_owned()));
            insurers.extend(l.insurance.iter().cloned());
            let Some(loc) = &l.location else { continue };
            let t = tallies.entry(loc.city.clone()).or_default();
            t.n += 1.0;
            t.lat += loc.lat;
            t.lon += loc.lon;
            if let Some(j) = l.jurisdictions.first() {
                *t.jurisdictions.entry(j.as_str().to_owned()).or_default() += 1;
            }
            if let Some(c) = l.languages.first() {
                *t.languages.entry(c.as_str().to_owned()).or_default() += 1;
            }
            t.currency = l.fee.currency.as_str().to_owned();
        }
        let cities = tallies
            .into_iter()
            .map(|(name, t)| City {
                name,
                lat: round4(t.lat / t.n),
                lon: round4(t.lon / t.n),
                jurisdiction: most_common(&t.jurisdictions),
                currency: t.currency,
                language: most_common(&t.languages),
            })
            .collect();
        let mut languages: Vec<(String, String)> = languages
            .into_iter()
            .map(|c| {
                let name = language_name(&c);
                (c, name)
            })
            .collect();
        languages.sort_by(|a, b| a.1.cmp(&b.1));
        Places {
            cities,
            jurisdictions: jurisdictions.into_iter().collect(),
            currencies: currencies.into_iter().collect(),
            languages,
            insurers: insurers.into_iter().collect(),
        }
    }

    /// The city with this name.
    pub fn city(&self, name: &str) -> Option<&City> {
        self.cities.iter().find(|c| c.name == name)
    }

    /// The city whose centre is exactly this point (to show a saved location as its city).
    pub fn city_at(&self, lat: f64, lon: f64) -> Option<&City> {
        self.cities.iter().find(|c| c.lat == lat && c.lon == lon)
    }
}
