//! Reasons and unmet preferences in plain words, so a client sees why a therapist was suggested.
//!
//! Works on the compact [`Row`] so the engine and the oracle explain with the same code; only the
//! numbers are checked against each other.

use super::listing::{Slot, Style};
use super::request::Request;
use super::row::Row;
use super::vocab::{Concern, Format, Gender, Word};

const MAX_REASONS: usize = 3;

fn join(items: &[&str], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., end] => format!("{} {last} {end}", init.join(", ")),
    }
}

fn gender_phrase(g: Gender) -> &'static str {
    match g {
        Gender::Woman => "A woman",
        Gender::Man => "A man",
        Gender::NonBinary => "Non-binary",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Reasons (at most three) and unmet preferences for one therapist; `distance_km` is set when
/// both sides offer in person.
pub(crate) fn explain(
    req: &Request,
    row: &Row,
    distance_km: Option<f64>,
) -> (Vec<String>, Vec<String>) {
    let mut reasons = Vec::new();
    let mut unmet = Vec::new();

    let (listed, missing): (Vec<&Concern>, Vec<&Concern>) =
        req.concerns.iter().partition(|c| row.lists(**c));
    if !listed.is_empty() {
        let labels: Vec<_> = listed.iter().take(3).map(|c| c.label()).collect();
        reasons.push(format!("Works with {}", join(&labels, "and")));
    }
    if !missing.is_empty() {
        let labels: Vec<_> = missing.iter().take(3).map(|c| c.label()).collect();
        unmet.push(format!("Does not list {}", join(&labels, "or")));
    }

    let shared: Vec<_> = req
        .modalities
        .iter()
        .filter(|m| row.hot.modalities & 1 << m.index() != 0)
        .collect();
    if !shared.is_empty() {
        let labels: Vec<_> = shared.iter().take(2).map(|m| m.label()).collect();
        reasons.push(format!("Offers {}", join(&labels, "and")));
    } else if !req.modalities.is_empty() {
        let labels: Vec<_> = req.modalities.iter().take(3).map(|m| m.label()).collect();
        unmet.push(format!("Does not offer {}", join(&labels, "or")));
    }

    if let Some(slot) = req.slots.iter().find(|s| row.has_slot(s.bit())) {
        reasons.push(format!("{} is free", Slot::label(*slot)));
    }

    let reach = req
        .max_distance_km
        .filter(|_| req.accepts(Format::InPerson));
    match (distance_km, reach) {
        (Some(d), Some(max)) if d <= max => reasons.push(format!("In person, {d:.1} km away")),
        (_, Some(max)) => {
            let remote: Vec<_> = [Format::Video, Format::Phone]
                .into_iter()
                .filter(|f| req.accepts(*f) && row.offers(*f))
                .map(Format::label)
                .collect();
            let only = format!("{} only", join(&remote, "or"));
            if row.offers(Format::InPerson) {
                unmet.push(format!("Not within {max} km: {only}"));
            } else {
                unmet.push(format!("No in-person sessions: {only}"));
            }
        }
        _ => {}
    }

    identity(req, row, &mut reasons, &mut unmet);
    style(req.style, row.cold.style, &mut unmet);
    reasons.truncate(MAX_REASONS);
    (reasons, unmet)
}

fn identity(req: &Request, row: &Row, reasons: &mut Vec<String>, unmet: &mut Vec<String>) {
    let p = &req.identity;
    let mut check = |met: bool, said: String, field: &str, value: &str| {
        if met {
            reasons.push(format!("{said}, as you asked"));
        } else {
            unmet.push(format!("{field} preference not met ({value})"));
        }
    };
    if let Some(g) = p.gender {
        check(
            row.hot.gender == Some(g.value),
            gender_phrase(g.value).into(),
            "Gender",
            g.value.label(),
        );
    }
    if let Some(l) = p.lgbtq {
        let said = if l.value { "LGBTQ+" } else { "Not LGBTQ+" };
        check(
            row.hot.lgbtq == Some(l.value),
            said.into(),
            "LGBTQ+",
            if l.value { "yes" } else { "no" },
        );
    }
    if let Some(e) = p.ethnicity {
        let met = row.hot.ethnicity & 1 << e.value.index() != 0;
        check(
            met,
            capitalised(e.value.label()),
            "Ethnicity",
            e.value.label(),
        );
    }
    if let Some(f) = p.faith {
        check(
            row.hot.faith == Some(f.value),
            capitalised(f.value.label()),
            "Faith",
            f.value.label(),
        );
    }
}

fn style(wish: Style, therapist: [f64; 4], unmet: &mut Vec<String>) {
    const WORDS: [&str; 4] = [
        "structured",
        "intense",
        "focused on the past",
        "challenging",
    ];
    for ((p, t), word) in wish.to_array().into_iter().zip(therapist).zip(WORDS) {
        if p != 0.0 && (p - t).abs() >= 3.0 {
            let more = if t < p { "Less" } else { "More" };
            unmet.push(format!("{more} {word} than you asked for"));
        }
    }
}
