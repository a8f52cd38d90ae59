//! Realistic synthetic directories and requests, deterministic for a seed: for demos, the
//! benchmark, and the property tests that hold the engine to the oracle.

use super::cities::{CITIES, City, FIRST_NAMES, SURNAMES};
use super::codes::{Currency, Jurisdiction, Language};
use super::listing::{Fee, Identity, Listing, Location, Slot, Style};
use super::request::{GeoPoint, IdentityPrefs, Money, Preference, Request};
use super::rng::Rng;
use super::vocab::{
    Concern, Day, Ethnicity, Faith, Format, Gender, Modality, Population, Rating, Strength, Word,
};
use std::collections::BTreeMap;

const CONCERN_SHARE: [f64; 30] = [
    0.85, 0.8, 0.55, 0.4, 0.5, 0.3, 0.15, 0.15, 0.1, 0.15, 0.15, 0.1, 0.08, 0.04, 0.08, 0.5, 0.6,
    0.35, 0.25, 0.2, 0.07, 0.1, 0.15, 0.12, 0.35, 0.08, 0.07, 0.1, 0.12, 0.2,
];
const MODALITY_SHARE: [f64; 18] = [
    0.5, 0.1, 0.15, 0.12, 0.2, 0.05, 0.3, 0.07, 0.05, 0.08, 0.08, 0.05, 0.06, 0.05, 0.1, 0.06,
    0.06, 0.4,
];
const POPULATION_SHARE: [f64; 6] = [0.12, 0.25, 0.92, 0.4, 0.25, 0.15];
const ETHNICITY_SHARE: [f64; 7] = [0.1, 0.1, 0.09, 0.04, 0.01, 0.6, 0.06];
const FAITH_SHARE: [f64; 8] = [0.4, 0.1, 0.08, 0.05, 0.06, 0.03, 0.25, 0.03];

fn city(rng: &mut Rng) -> &'static City {
    let weights: Vec<f64> = CITIES.iter().map(|c| c.millions).collect();
    &CITIES[rng.weighted(&weights)]
}

fn near(rng: &mut Rng, lat: f64, lon: f64, spread_km: f64) -> (f64, f64) {
    let dlat = rng.normal() * spread_km / 111.2;
    let dlon = rng.normal() * spread_km / (111.2 * lat.to_radians().cos());
    let round = |v: f64| (v * 1e5).round() / 1e5;
    (
        round((lat + dlat).clamp(-90.0, 90.0)),
        round((lon + dlon).clamp(-180.0, 180.0)),
    )
}

fn each<W: Word>(rng: &mut Rng, shares: &[f64], scale: f64) -> Vec<W> {
    W::ALL
        .iter()
        .zip(shares)
        .filter(|(_, p)| rng.chance(**p * scale))
        .map(|(w, _)| *w)
        .collect()
}

fn half_steps(rng: &mut Rng, sd: f64) -> f64 {
    ((rng.normal() * sd * 2.0).round() / 2.0).clamp(-3.0, 3.0)
}

fn slots(rng: &mut Rng) -> Vec<Slot> {
    let mut out = Vec::new();
    let days = rng.range(2, 5);
    let weekend = rng.chance(0.1);
    for d in 0..days {
        let day = if weekend && d == 0 {
            5 + rng.below(2)
        } else {
            rng.below(5)
        };
        let start = if rng.chance(0.2) {
            rng.range(16, 19)
        } else {
            rng.range(8, 15)
        };
        for h in start..(start + rng.range(1, 5)).min(22) {
            if let Some(s) = Slot::new(Day::ALL[day], h as u8)
                && !out.contains(&s)
            {
                out.push(s);
            }
        }
    }
    out.sort();
    out
}

fn listing(rng: &mut Rng, n: usize) -> Listing {
    let c = city(rng);
    let (lat, lon) = near(rng, c.lat, c.lon, c.spread_km);
    let mut formats: Vec<Format> = [
        (Format::InPerson, 0.72),
        (Format::Video, 0.85),
        (Format::Phone, 0.35),
    ]
    .into_iter()
    .filter(|(_, p)| rng.chance(*p))
    .map(|(f, _)| f)
    .collect();
    if formats.is_empty() {
        formats.push(Format::Video);
    }
    let mut jurisdictions = vec![Jurisdiction::parse(c.jurisdiction).expect("city table")];
    if c.neighbour != c.jurisdiction && rng.chance(0.15) {
        jurisdictions.push(Jurisdiction::parse(c.neighbour).expect("city table"));
    }
    let languages: Vec<Language> = c
        .languages
        .iter()
        .filter(|(_, p)| rng.chance(*p))
        .filter_map(|(code, _)| Language::parse(code))
        .collect();
    let mut populations = each::<Population>(rng, &POPULATION_SHARE, 1.0);
    if populations.is_empty() {
        populations.push(Population::Adults);
    }
    let concerns = each::<Concern>(rng, &CONCERN_SHARE, 0.8);
    let mut modalities = each::<Modality>(rng, &MODALITY_SHARE, 0.8);
    if modalities.is_empty() {
        modalities.push(Modality::Integrative);
    }
    let gender = [
        (Some(Gender::Woman), 0.7),
        (Some(Gender::Man), 0.25),
        (Some(Gender::NonBinary), 0.03),
        (None, 0.02),
    ];
    let identity = Identity {
        gender: gender[rng.weighted(&gender.map(|g| g.1))].0,
        lgbtq: [Some(true), Some(false), None][rng.weighted(&[0.15, 0.7, 0.15])],
        ethnicity: if rng.chance(0.85) {
            let k = 1 + usize::from(rng.chance(0.08));
            rng.weighted_distinct(
                &Ethnicity::ALL
                    .iter()
                    .copied()
                    .zip(ETHNICITY_SHARE)
                    .collect::<Vec<_>>(),
                k,
            )
        } else {
            Vec::new()
        },
        faith: rng
            .chance(0.5)
            .then(|| Faith::ALL[rng.weighted(&FAITH_SHARE)]),
    };
    let amount = ((c.fee as f64 * (0.7 + 0.6 * rng.unit()) / 5.0).round() * 500.0) as u64;
    let fee = Fee {
        amount,
        currency: Currency::parse(c.currency).expect("city table"),
        sliding_scale_min: rng.chance(0.3).then(|| amount / 2 / 500 * 500),
    };
    let insured = if c.currency == "USD" || c.jurisdiction == "DE" {
        0.6
    } else {
        0.3
    };
    let insurance = if rng.chance(insured) {
        let k = rng.range(1, c.insurers.len().min(3));
        rng.weighted_distinct(&c.insurers.iter().map(|i| (*i, 1.0)).collect::<Vec<_>>(), k)
            .into_iter()
            .map(String::from)
            .collect()
    } else {
        Vec::new()
    };
    let style = Style::from_array([
        half_steps(rng, 1.2),
        half_steps(rng, 1.0),
        half_steps(rng, 1.1),
        half_steps(rng, 1.0),
    ]);
    let mut effectiveness = BTreeMap::new();
    if rng.chance(0.25) {
        for concern in concerns.iter().take(rng.range(1, 3)) {
            effectiveness.insert(*concern, Rating::ALL[rng.weighted(&[0.5, 0.35, 0.15])]);
        }
    }
    Listing {
        id: format!("t-{n:07}"),
        name: format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(SURNAMES)),
        credentials: vec![rng.pick(c.credentials).to_string()],
        accepting: rng.chance(0.9),
        formats,
        location: Some(Location {
            lat,
            lon,
            city: c.name.to_string(),
        }),
        jurisdictions,
        languages,
        populations,
        concerns,
        modalities,
        identity,
        fee,
        insurance,
        slots: slots(rng),
        style,
        effectiveness,
    }
}

/// `count` listings clustered around real cities; the same `seed` always gives the same directory
/// (ids `t-0000000`, `t-0000001`, …).
pub fn generate(count: usize, seed: u64) -> Vec<Listing> {
    let mut rng = Rng::new(seed);
    (0..count).map(|n| listing(&mut rng, n)).collect()
}

fn pref<T: Copy>(
    rng: &mut Rng,
    p: f64,
    value: impl FnOnce(&mut Rng) -> T,
) -> Option<Preference<T>> {
    if !rng.chance(p) {
        return None;
    }
    let strength = if rng.chance(0.25) {
        Strength::Must
    } else {
        Strength::Prefer
    };
    Some(Preference {
        value: value(rng),
        strength,
    })
}

fn request(rng: &mut Rng, listings: &[Listing]) -> Request {
    let anchor = (!listings.is_empty()).then(|| &listings[rng.below(listings.len())]);
    let c = city(rng);
    let (base_lat, base_lon) = anchor
        .and_then(|l| l.location.as_ref())
        .map_or((c.lat, c.lon), |p| (p.lat, p.lon));
    let (lat, lon) = near(rng, base_lat, base_lon, 5.0);
    let jurisdiction = anchor.map_or_else(
        || Jurisdiction::parse(c.jurisdiction),
        |l| l.jurisdictions.first().cloned(),
    );
    let currency = anchor.map_or_else(
        || Currency::parse(c.currency).expect("city table"),
        |l| l.fee.currency,
    );
    let fee = anchor.map_or(c.fee * 100, |l| l.fee.amount);
    let language = anchor
        .and_then(|l| l.languages.first().copied())
        .or_else(|| Language::parse(c.languages[0].0));
    let formats = match rng.weighted(&[0.4, 0.25, 0.15, 0.2]) {
        0 => vec![Format::InPerson, Format::Video],
        1 => vec![Format::Video],
        2 => vec![Format::InPerson],
        _ => vec![Format::InPerson, Format::Video, Format::Phone],
    };
    let (concern_count, modality_count) = (rng.range(0, 4), rng.range(0, 2));
    let concerns = rng.weighted_distinct(
        &Concern::ALL
            .iter()
            .copied()
            .zip(CONCERN_SHARE)
            .collect::<Vec<_>>(),
        concern_count,
    );
    let modalities = rng.weighted_distinct(
        &Modality::ALL
            .iter()
            .copied()
            .zip(MODALITY_SHARE)
            .collect::<Vec<_>>(),
        modality_count,
    );
    let mut slots: Vec<Slot> = Vec::new();
    if rng.chance(0.4) {
        for _ in 0..rng.range(1, 4) {
            let s =
                Slot::new(Day::ALL[rng.below(7)], rng.range(8, 20) as u8).expect("hour below 24");
            if !slots.contains(&s) {
                slots.push(s);
            }
        }
    }
    let identity = IdentityPrefs {
        gender: pref(rng, 0.25, |r| {
            [Gender::Woman, Gender::Man, Gender::NonBinary][r.weighted(&[0.75, 0.2, 0.05])]
        }),
        lgbtq: pref(rng, 0.08, |_| true),
        ethnicity: pref(rng, 0.1, |r| Ethnicity::ALL[r.weighted(&ETHNICITY_SHARE)]),
        faith: pref(rng, 0.05, |r| Faith::ALL[r.weighted(&FAITH_SHARE)]),
    };
    let style = if rng.chance(0.5) {
        Style::from_array([
            half_steps(rng, 1.5),
            half_steps(rng, 1.0),
            half_steps(rng, 1.0),
            half_steps(rng, 1.0),
        ])
    } else {
        Style::default()
    };
    let exclude = (0..usize::from(rng.chance(0.1)) * rng.range(1, 3))
        .filter_map(|_| {
            listings
                .get(rng.below(listings.len()))
                .map(|l| l.id.clone())
        })
        .collect();
    let insurers = anchor.map_or(c.insurers.iter().map(|s| s.to_string()).collect(), |l| {
        l.insurance.clone()
    });
    Request {
        location: Some(GeoPoint { lat, lon }),
        max_distance_km: Some([3.0, 5.0, 10.0, 15.0, 25.0, 50.0][rng.below(6)]),
        jurisdiction,
        formats,
        languages: language.into_iter().collect(),
        population: [
            Population::Adults,
            Population::Couples,
            Population::Adolescents,
            Population::OlderAdults,
            Population::Children,
            Population::Families,
        ][rng.weighted(&[0.75, 0.08, 0.07, 0.05, 0.03, 0.02])],
        concerns,
        modalities,
        budget: rng.chance(0.4).then(|| Money {
            amount: fee * (60 + rng.below(80) as u64) / 100,
            currency,
        }),
        insurance: (rng.chance(0.15) && !insurers.is_empty())
            .then(|| insurers[rng.below(insurers.len())].clone()),
        identity,
        slots,
        style,
        exclude,
        top: [5, 10, 20, 20, 50][rng.below(5)],
    }
}

/// `count` realistic requests near the listings of a directory (or near the table's cities when
/// it is empty), deterministic for a seed; each names the local jurisdiction, currency and
/// language so most find someone.
pub fn generate_requests(count: usize, seed: u64, listings: &[Listing]) -> Vec<Request> {
    let mut rng = Rng::new(seed.rotate_left(17) ^ 0xA5A5_A5A5);
    (0..count).map(|_| request(&mut rng, listings)).collect()
}
