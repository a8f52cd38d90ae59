//! The rules applied to every listing one by one: slow, plain, and the oracle the engine is
//! tested against. It shares only the score sum and the wording of explanations with the engine.

use super::explain::explain;
use super::geo::haversine_km;
use super::listing::Listing;
use super::request::{Preference, Request};
use super::row::Row;
use super::rules::{Components, MatchResponse, MatchResult, Weights};
use super::vocab::{Format, Rating, Strength};

/// Every listing checked against every hard filter and scored; sorted fully, then cut to `top`.
pub fn search(listings: &[Listing], req: &Request, w: &Weights) -> MatchResponse {
    let mut eligible = Vec::new();
    for listing in listings {
        if let Some(distance) = passes(listing, req) {
            let components = components(listing, req, distance);
            eligible.push((components.score(w), listing, components, distance));
        }
    }
    eligible.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let total_eligible = eligible.len();
    let results = eligible
        .into_iter()
        .take(req.top)
        .map(|(score, listing, components, distance_km)| {
            let (reasons, unmet) = explain(req, &Row::from_listing(listing), distance_km);
            MatchResult {
                id: listing.id.clone(),
                name: listing.name.clone(),
                score,
                components,
                distance_km,
                reasons,
                unmet,
            }
        })
        .collect();
    MatchResponse {
        total_eligible,
        results,
    }
}

fn both_offer(listing: &Listing, req: &Request, format: Format) -> bool {
    listing.formats.contains(&format) && req.formats.contains(&format)
}

/// The in-person distance when both offer in person.
fn distance(listing: &Listing, req: &Request) -> Option<f64> {
    if !both_offer(listing, req, Format::InPerson) {
        return None;
    }
    let (from, to) = (req.location.as_ref()?, listing.location.as_ref()?);
    Some(haversine_km(from.lat, from.lon, to.lat, to.lon))
}

fn within_reach(distance: Option<f64>, req: &Request) -> bool {
    match (distance, req.max_distance_km) {
        (Some(d), Some(max)) => d <= max,
        _ => false,
    }
}

/// `None` when a hard filter fails; otherwise the distance (if both offer in person).
fn passes(l: &Listing, req: &Request) -> Option<Option<f64>> {
    if !l.accepting || req.exclude.contains(&l.id) {
        return None;
    }
    let distance = distance(l, req);
    let in_person = within_reach(distance, req);
    let remote = (both_offer(l, req, Format::Video) || both_offer(l, req, Format::Phone))
        && req
            .jurisdiction
            .as_ref()
            .is_some_and(|j| l.jurisdictions.contains(j));
    if !in_person && !remote {
        return None;
    }
    if !req.languages.iter().any(|lang| l.languages.contains(lang)) {
        return None;
    }
    if !l.populations.contains(&req.population) {
        return None;
    }
    if req.budget.is_some() || req.insurance.is_some() {
        let by_budget = req.budget.is_some_and(|b| {
            b.currency == l.fee.currency
                && (l.fee.amount <= b.amount
                    || l.fee.sliding_scale_min.is_some_and(|s| s <= b.amount))
        });
        let by_insurance = req
            .insurance
            .as_ref()
            .is_some_and(|i| l.insurance.contains(i));
        if !by_budget && !by_insurance {
            return None;
        }
    }
    if identity_checks(l, req)
        .iter()
        .any(|(strength, met)| *strength == Strength::Must && !met)
    {
        return None;
    }
    if !req.slots.is_empty() && !req.slots.iter().any(|s| l.slots.contains(s)) {
        return None;
    }
    Some(distance)
}

fn check<T>(pref: Option<Preference<T>>, met: impl Fn(T) -> bool) -> Option<(Strength, bool)> {
    pref.map(|p| (p.strength, met(p.value)))
}

fn identity_checks(l: &Listing, req: &Request) -> Vec<(Strength, bool)> {
    let p = &req.identity;
    let id = &l.identity;
    [
        check(p.gender, |g| id.gender == Some(g)),
        check(p.lgbtq, |v| id.lgbtq == Some(v)),
        check(p.ethnicity, |e| id.ethnicity.contains(&e)),
        check(p.faith, |f| id.faith == Some(f)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn concern_weight(position: usize) -> f64 {
    match position {
        0 => 3.0,
        1 => 2.0,
        _ => 1.0,
    }
}

fn components(l: &Listing, req: &Request, distance: Option<f64>) -> Components {
    let concerns = (!req.concerns.is_empty()).then(|| {
        let mut listed = 0.0;
        let mut total = 0.0;
        for (i, c) in req.concerns.iter().enumerate() {
            total += concern_weight(i);
            if l.concerns.contains(c) {
                listed += concern_weight(i);
            }
        }
        listed / total
    });
    let wish = req.style.to_array();
    let style = wish.iter().any(|p| *p != 0.0).then(|| {
        let mut num = 0.0;
        let mut den = 0.0;
        for (p, t) in wish.iter().zip(l.style.to_array()) {
            num += p.abs() * (1.0 - (p - t).abs() / 6.0);
            den += p.abs();
        }
        num / den
    });
    let modality = (!req.modalities.is_empty()).then(|| {
        if req.modalities.iter().any(|m| l.modalities.contains(m)) {
            1.0
        } else {
            0.0
        }
    });
    let prefer: Vec<bool> = identity_checks(l, req)
        .into_iter()
        .filter(|(s, _)| *s == Strength::Prefer)
        .map(|(_, met)| met)
        .collect();
    let identity = (!prefer.is_empty())
        .then(|| prefer.iter().filter(|m| **m).count() as f64 / prefer.len() as f64);
    let distance_component = (req.formats.contains(&Format::InPerson)
        && req.max_distance_km.is_some())
    .then(|| match (distance, req.max_distance_km) {
        (Some(d), Some(max)) if d <= max => (1.0 - d / max).max(0.0),
        _ => 0.0,
    });
    let effectiveness = if req.concerns.is_empty() {
        0.5
    } else {
        let firsts = &req.concerns[..req.concerns.len().min(3)];
        let sum: f64 = firsts
            .iter()
            .map(|c| match l.effectiveness.get(c) {
                Some(Rating::Effective) => 1.0,
                Some(Rating::Ineffective) => 0.0,
                Some(Rating::Neutral) | None => 0.5,
            })
            .sum();
        sum / firsts.len() as f64
    };
    Components {
        concerns,
        style,
        modality,
        identity,
        distance: distance_component,
        effectiveness,
    }
}
