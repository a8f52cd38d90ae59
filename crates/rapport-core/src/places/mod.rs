//! Real places: the GeoNames gazetteer of towns and cities of 15,000 people or more, embedded in
//! the binary, and how a person's words ("zurich", "Portland, Maine") find one.
//!
//! A client says where they are in their own words rather than picking from the cities the
//! synthetic directory happens to cover; the chosen place's coordinates are what matching uses.
//! The data is written by `scripts/gazetteer.py` (GeoNames, CC BY 4.0) and parsed once, on first
//! use, so a process that never asks for a place never pays for it.

mod fold;
mod fold_table;
mod search;

pub use fold::fold;
pub use search::{MIN_QUERY, PlaceQuery, Resolved};

use crate::vocabulary::{country_name, region_name};
use std::collections::HashMap;
use std::sync::LazyLock;

/// A GeoNames id: stable across GeoNames releases, so a saved choice keeps meaning the same town.
pub type PlaceId = u32;

/// One town or city.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// GeoNames id.
    pub id: PlaceId,
    /// The name GeoNames gives it (usually its English name).
    pub name: String,
    /// Name of its top-level region (state, province, nation), when the data knows it.
    pub region: Option<String>,
    /// ISO 3166-2 code of that region (`US-IL`), when the data knows it.
    pub region_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Centre, degrees north.
    pub lat: f64,
    /// Centre, degrees east.
    pub lon: f64,
    /// IANA time zone name (`Europe/London`).
    pub time_zone: String,
    /// Inhabitants, as GeoNames counts them.
    pub population: u64,
    /// The folded name and alternate names, the name first.
    keys: Vec<String>,
}

impl Place {
    /// How the place is shown to people: "Springfield, Illinois, United States"; the region is
    /// left out when unknown, and a country without a name is shown by its code.
    pub fn label(&self) -> String {
        let country = country_name(&self.country).unwrap_or(&self.country);
        match &self.region {
            Some(r) if *r != self.name => format!("{}, {r}, {country}", self.name),
            _ => format!("{}, {country}", self.name),
        }
    }

    pub(crate) fn folded_name(&self) -> &str {
        &self.keys[0]
    }

    pub(crate) fn folded_alternates(&self) -> &[String] {
        &self.keys[1..]
    }
}

/// Every place, most populous first, with look-ups by id and by exact coordinates.
#[derive(Debug)]
pub struct Gazetteer {
    places: Vec<Place>,
    by_id: HashMap<PlaceId, usize>,
    by_point: HashMap<(i64, i64), usize>,
}

/// The embedded gazetteer, parsed on first use (about 34,000 places).
pub static GAZETTEER: LazyLock<Gazetteer> =
    LazyLock::new(|| Gazetteer::parse(include_str!("../../data/places.tsv")));

/// Coordinates as the data file writes them (four decimals, about 10 m), as integers for keys.
fn point_key(lat: f64, lon: f64) -> (i64, i64) {
    ((lat * 1e4).round() as i64, (lon * 1e4).round() as i64)
}

impl Gazetteer {
    /// Reads the `places.tsv` format (see `scripts/gazetteer.py`); a malformed line is skipped,
    /// since the file is generated and checked by the tests.
    pub fn parse(text: &str) -> Gazetteer {
        let mut places: Vec<Place> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(parse_line)
            .collect();
        places.sort_by(|a, b| b.population.cmp(&a.population).then(a.id.cmp(&b.id)));
        let by_id = places.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        let mut by_point = HashMap::new();
        for (i, p) in places.iter().enumerate() {
            by_point.entry(point_key(p.lat, p.lon)).or_insert(i);
        }
        Gazetteer {
            places,
            by_id,
            by_point,
        }
    }

    /// How many places there are.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// The place with this GeoNames id.
    pub fn by_id(&self, id: PlaceId) -> Option<&Place> {
        self.by_id.get(&id).map(|&i| &self.places[i])
    }

    /// The place whose centre is exactly this point (to the data's four decimals): a saved
    /// location that was chosen as a place is shown as that place again.
    pub fn at(&self, lat: f64, lon: f64) -> Option<&Place> {
        self.by_point
            .get(&point_key(lat, lon))
            .map(|&i| &self.places[i])
    }

    pub(crate) fn all(&self) -> &[Place] {
        &self.places
    }
}

fn parse_line(line: &str) -> Option<Place> {
    let f: Vec<&str> = line.split('\t').collect();
    let [
        id,
        name,
        _ascii,
        alternates,
        country,
        region,
        lat,
        lon,
        population,
        tz,
    ] = f[..]
    else {
        return None;
    };
    let region_code = (!region.is_empty()).then(|| region.to_owned());
    let mut keys = vec![fold(name)];
    for a in alternates.split('|').filter(|a| !a.is_empty()) {
        let k = fold(a);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    Some(Place {
        id: id.parse().ok()?,
        name: name.to_owned(),
        region: region_code
            .as_deref()
            .and_then(region_name)
            .map(str::to_owned),
        region_code,
        country: country.to_owned(),
        lat: lat.parse().ok()?,
        lon: lon.parse().ok()?,
        time_zone: tz.to_owned(),
        population: population.parse().ok()?,
        keys,
    })
}

#[cfg(test)]
mod tests;
