//! Checking the scales of a definition file: items, declared range, bands and cut-offs.
//!
//! A scale's range is computed from its items and must equal the declared one, so a wrong
//! range in a file is caught rather than silently believed; bands must then tile that range
//! at the scale's precision, so every possible score has exactly one band.

use super::definition::{EPSILON, Item, decimals_of};
use super::scale::{Band, Cutoff, Method, Rule, Scale};
use super::schema::{RawBand, RawCutoff, RawScale};
use super::validate::{Problems, is_slug, loinc_code};
use std::collections::BTreeSet;

pub(super) fn scales(p: &mut Problems, raw: Vec<RawScale>, items: &[Item]) -> Vec<Scale> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for scale in raw {
        let at = format!("scales[{}]", scale.id);
        if !is_slug(&scale.id, '_') {
            p.add(&at, "id must be lowercase letters, digits and '_'");
        } else if !seen.insert(scale.id.clone()) {
            p.add(&at, "duplicate scale id");
        }
        p.text(&format!("{at}.title"), &scale.title);
        if let Some(built) = scale_body(p, &at, scale, items) {
            out.push(built);
        }
    }
    out
}

fn scale_body(p: &mut Problems, at: &str, raw: RawScale, items: &[Item]) -> Option<Scale> {
    if raw.items.is_empty() {
        p.add(format!("{at}.items"), "must list at least one item");
    }
    let mut bounds = Vec::new();
    let mut decimals = 0;
    let mut listed = BTreeSet::new();
    for id in &raw.items {
        let field = format!("{at}.items[{id}]");
        if !listed.insert(id) {
            p.add(field, "is listed twice");
            continue;
        }
        let Some(item) = items.iter().find(|item| &item.id == id) else {
            p.add(field, "is not an item of this instrument");
            continue;
        };
        match item.response.numeric_bounds() {
            None => p.add(field, "is not numeric, so cannot be scored"),
            Some(_) if !item.required => {
                p.add(field, "is optional, but scored items must be required")
            }
            Some(b) => bounds.push(b),
        }
        decimals = decimals.max(item.response.decimals());
    }
    let multiplier = raw.multiplier.unwrap_or(1.0);
    if !(multiplier.is_finite() && multiplier > 0.0) {
        p.add(format!("{at}.multiplier"), "must be above 0");
    }
    if bounds.len() != raw.items.len() || raw.items.is_empty() {
        return None;
    }
    let (lo, hi) = bounds
        .iter()
        .fold((0.0, 0.0), |(lo, hi), (a, b)| (lo + a, hi + b));
    let n = bounds.len() as f64;
    let (min, max, decimals) = match raw.method {
        Method::Sum => (
            lo * multiplier,
            hi * multiplier,
            decimals + decimals_of(multiplier),
        ),
        Method::Mean => (lo / n * multiplier, hi / n * multiplier, decimals + 2),
    };
    if (raw.range.min - min).abs() > EPSILON || (raw.range.max - max).abs() > EPSILON {
        p.add(
            format!("{at}.range"),
            format!(
                "{} to {} does not match its items, which give {min} to {max}",
                raw.range.min, raw.range.max
            ),
        );
        return None;
    }
    let mut scale = Scale {
        id: raw.id,
        title: raw.title,
        items: raw.items,
        method: raw.method,
        multiplier,
        min,
        max,
        decimals,
        bands: Vec::new(),
        cutoffs: Vec::new(),
        reliable_change: raw.reliable_change,
        loinc: raw.loinc.map(|l| loinc_code(p, &format!("{at}.loinc"), l)),
    };
    scale.bands = bands(p, at, &raw.bands, &scale);
    scale.cutoffs = cutoffs(p, at, raw.cutoffs, &scale);
    if let Some(rc) = scale.reliable_change
        && !(rc > 0.0 && rc <= max - min)
    {
        p.add(
            format!("{at}.reliable_change"),
            format!("must be above 0 and at most {}", max - min),
        );
    }
    Some(scale)
}

fn bands(p: &mut Problems, at: &str, raw: &[RawBand], scale: &Scale) -> Vec<Band> {
    let step = scale.resolution();
    let mut out: Vec<Band> = Vec::new();
    for (i, band) in raw.iter().enumerate() {
        let field = format!("{at}.bands[{i}]");
        p.text(&format!("{field}.label"), &band.label);
        if band.from > band.to {
            p.add(
                &field,
                format!("from ({}) is above to ({})", band.from, band.to),
            );
        } else if band.from < scale.min - EPSILON || band.to > scale.max + EPSILON {
            p.add(
                &field,
                format!(
                    "{} to {} is outside the scale's range {} to {}",
                    band.from, band.to, scale.min, scale.max
                ),
            );
        } else if let Some(prev) = out.last() {
            let expected = prev.to + step;
            if band.from < expected - EPSILON {
                p.add(
                    &field,
                    format!("overlaps the band before it (which ends at {})", prev.to),
                );
            } else if band.from > expected + EPSILON {
                p.add(
                    &field,
                    format!(
                        "leaves a gap after the band before it (which ends at {})",
                        prev.to
                    ),
                );
            }
        } else if (band.from - scale.min).abs() > EPSILON {
            p.add(
                &field,
                format!(
                    "leaves a gap: the first band must start at the scale's minimum, {}",
                    scale.min
                ),
            );
        }
        out.push(Band {
            from: band.from,
            to: band.to,
            label: band.label.clone(),
        });
    }
    if let Some(last) = out.last()
        && last.to < scale.max - EPSILON
    {
        p.add(
            format!("{at}.bands[{}]", out.len() - 1),
            format!(
                "leaves a gap: the last band must end at the scale's maximum, {}",
                scale.max
            ),
        );
    }
    out
}

fn cutoffs(p: &mut Problems, at: &str, raw: Vec<RawCutoff>, scale: &Scale) -> Vec<Cutoff> {
    let mut seen = BTreeSet::new();
    raw.into_iter()
        .map(|c| {
            let field = format!("{at}.cutoffs[{}]", c.id);
            if !is_slug(&c.id, '_') {
                p.add(&field, "id must be lowercase letters, digits and '_'");
            } else if !seen.insert(c.id.clone()) {
                p.add(&field, "duplicate cut-off id");
            }
            if c.value < scale.min || c.value > scale.max {
                p.add(
                    format!("{field}.value"),
                    format!(
                        "{} is outside the scale's range {} to {}",
                        c.value, scale.min, scale.max
                    ),
                );
            }
            p.text(&format!("{field}.meaning"), &c.meaning);
            Cutoff {
                id: c.id,
                rule: Rule {
                    direction: c.direction,
                    value: c.value,
                },
                meaning: c.meaning,
            }
        })
        .collect()
}
