//! The client's preferences form: turned into a match request for the core to read, and a saved
//! request turned back into form values.
//!
//! The form asks in a person's terms (a town, days and a range of hours, a budget in pounds) and
//! this module does the translation into the request of `matching.md` (coordinates, weekly slots,
//! minor units). Field names follow the request's field paths, so the core's errors point at
//! the right field.

use rapport_core::FieldError;
use rapport_core::matching::{Day, FitProfile, Offered, Request, Word};
use serde_json::{Map, Value, json};

use super::form::{Values, major_units, minor_units, number, show_number};
use super::places::{PlaceAnswer, place_problem, push_point, read_place};

/// How many results the pages show.
pub const RESULTS: usize = 20;
/// The identity fields a client may state a preference on.
pub const IDENTITY_FIELDS: [&str; 4] = ["gender", "lgbtq", "ethnicity", "faith"];

/// The request the form describes (as JSON, for the core's parser) and the problems only the
/// form can see (a place not found or not yet chosen among namesakes, an amount that is not
/// money, hours the wrong way round). Exact coordinates, when given, are used instead of the
/// place's centre and make an unresolved place no problem; the place still suggests the
/// jurisdiction and currency, from what the directory `offered` there.
pub fn request_json(v: &Values, offered: &Offered) -> (Value, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut req = Map::new();
    let formats = v.all("formats");
    req.insert("formats".into(), json!(formats));
    let answer = read_place(v);
    let place = match &answer {
        PlaceAnswer::Chosen(p) => Some(*p),
        _ => None,
    };
    let (lat, lon) = (v.get("location.lat"), v.get("location.lon"));
    if !lat.is_empty() || !lon.is_empty() {
        req.insert(
            "location".into(),
            json!({"lat": number(&lat), "lon": number(&lon)}),
        );
    } else if let Some(p) = place {
        req.insert("location".into(), json!({"lat": p.lat, "lon": p.lon}));
    } else if let Some(problem) = place_problem(&answer, &v.get("place")) {
        errors.push(problem);
    }
    let home = place.map(|p| {
        (
            offered.jurisdiction_for(&p.country, p.region_code.as_deref()),
            offered.currency_in(&p.country),
        )
    });
    if !v.get("max_distance_km").is_empty() {
        req.insert("max_distance_km".into(), number(&v.get("max_distance_km")));
    }
    match (v.get("jurisdiction"), &home) {
        (j, _) if !j.is_empty() => {
            req.insert("jurisdiction".into(), json!(j));
        }
        (_, Some((j, _))) => {
            req.insert("jurisdiction".into(), json!(j));
        }
        _ => {}
    }
    let languages = v.all("languages");
    if !languages.is_empty() {
        req.insert("languages".into(), json!(languages));
    }
    if !v.get("population").is_empty() {
        req.insert("population".into(), json!(v.get("population")));
    }
    req.insert("concerns".into(), json!(v.all("concerns")));
    let amount = v.get("budget.amount");
    if !amount.is_empty() {
        let currency = match v.get("budget.currency") {
            c if c.is_empty() => home
                .as_ref()
                .and_then(|(_, c)| c.map(|c| c.as_str().to_owned()))
                .unwrap_or_default(),
            c => c,
        };
        if currency.is_empty() {
            errors.push(FieldError::new(
                "budget.currency",
                "is needed with a budget: choose the currency you pay in",
            ));
        }
        match minor_units("budget.amount", &amount) {
            Ok(minor) if !currency.is_empty() => {
                req.insert(
                    "budget".into(),
                    json!({"amount": minor, "currency": currency}),
                );
            }
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    if !v.get("insurance").is_empty() {
        req.insert("insurance".into(), json!(v.get("insurance")));
    }
    let mut identity = Map::new();
    for field in IDENTITY_FIELDS {
        let value = v.get(&format!("identity.{field}.value"));
        if value.is_empty() {
            continue;
        }
        let value = match (field, value.as_str()) {
            ("lgbtq", "true") => json!(true),
            ("lgbtq", "false") => json!(false),
            _ => json!(value),
        };
        let strength = match v.get(&format!("identity.{field}.strength")) {
            s if s.is_empty() => "prefer".to_owned(),
            s => s,
        };
        identity.insert(field.into(), json!({"value": value, "strength": strength}));
    }
    req.insert("identity".into(), Value::Object(identity));
    match slots(v) {
        Ok(s) => {
            req.insert("slots".into(), s);
        }
        Err(e) => errors.push(e),
    }
    let style: Map<String, Value> = ["directiveness", "intensity", "past", "challenge"]
        .iter()
        .filter_map(|d| {
            let text = v.get(&format!("style.{d}"));
            (!text.is_empty()).then(|| ((*d).to_owned(), number(&text)))
        })
        .collect();
    req.insert("style".into(), Value::Object(style));
    req.insert("top".into(), json!(RESULTS));
    (Value::Object(req), errors)
}

/// Days ticked times the range of hours: every hour in the range on every day.
fn slots(v: &Values) -> Result<Value, FieldError> {
    let days = v.all("days");
    if days.is_empty() {
        return Ok(json!([]));
    }
    let hour = |field: &str, default: u8| match v.get(field) {
        t if t.is_empty() => Ok(default),
        t => t
            .parse::<u8>()
            .ok()
            .filter(|h| *h < 24)
            .ok_or_else(|| FieldError::new(field, "must be an hour from 0 to 23")),
    };
    let (from, to) = (hour("hour_from", 0)?, hour("hour_to", 23)?);
    if from > to {
        return Err(FieldError::new(
            "hour_to",
            "must not be before the earliest hour",
        ));
    }
    Ok(days
        .iter()
        .flat_map(|d| (from..=to).map(move |h| json!({"day": d, "hour": h})))
        .collect())
}

/// The values that show a saved request (and the fit profile's style) in the form again: a
/// point saved from a place is shown as that place, and the jurisdiction and currency only when
/// they differ from what the place suggests.
pub fn values_of(req: &Request, fit: &FitProfile, offered: &Offered) -> Values {
    let mut v = Values::default();
    for f in &req.formats {
        v.push("formats", f.as_str());
    }
    let place = req.location.and_then(|p| push_point(&mut v, p.lat, p.lon));
    let home = place.map(|p| {
        (
            offered.jurisdiction_for(&p.country, p.region_code.as_deref()),
            offered.currency_in(&p.country),
        )
    });
    if let Some(d) = req.max_distance_km {
        v.push("max_distance_km", show_number(d));
    }
    if let Some(j) = &req.jurisdiction
        && home.as_ref().is_none_or(|(h, _)| h != j.as_str())
    {
        v.push("jurisdiction", j.as_str());
    }
    for l in &req.languages {
        v.push("languages", l.as_str());
    }
    v.push("population", req.population.as_str());
    for c in &req.concerns {
        v.push("concerns", c.as_str());
    }
    if let Some(b) = req.budget {
        v.push("budget.amount", major_units(b.amount));
        if home.as_ref().is_none_or(|(_, c)| *c != Some(b.currency)) {
            v.push("budget.currency", b.currency.as_str());
        }
    }
    if let Some(i) = &req.insurance {
        v.push("insurance", i.as_str());
    }
    let id = &req.identity;
    let prefs = [
        (
            "gender",
            id.gender.map(|p| (p.value.as_str().to_owned(), p.strength)),
        ),
        ("lgbtq", id.lgbtq.map(|p| (p.value.to_string(), p.strength))),
        (
            "ethnicity",
            id.ethnicity
                .map(|p| (p.value.as_str().to_owned(), p.strength)),
        ),
        (
            "faith",
            id.faith.map(|p| (p.value.as_str().to_owned(), p.strength)),
        ),
    ];
    for (field, pref) in prefs {
        if let Some((value, strength)) = pref {
            v.push(&format!("identity.{field}.value"), value);
            v.push(&format!("identity.{field}.strength"), strength.as_str());
        }
    }
    for day in Day::ALL {
        if req.slots.iter().any(|s| s.day() == *day) {
            v.push("days", day.as_str());
        }
    }
    if let (Some(min), Some(max)) = (
        req.slots.iter().map(|s| s.hour()).min(),
        req.slots.iter().map(|s| s.hour()).max(),
    ) {
        v.push("hour_from", min.to_string());
        v.push("hour_to", max.to_string());
    }
    push_style(&mut v, fit);
    v
}

fn push_style(v: &mut Values, fit: &FitProfile) {
    for (name, value) in ["directiveness", "intensity", "past", "challenge"]
        .iter()
        .zip(fit.style.to_array())
    {
        v.push(&format!("style.{name}"), show_number(value));
    }
}

/// What a new client sees first: in person or by video, in English, for an adult, with the
/// style their fit profile holds (neutral unless an ending already moved it).
pub fn starting_values(fit: &FitProfile) -> Values {
    let mut v = Values::default();
    for (k, val) in [
        ("formats", "in_person"),
        ("formats", "video"),
        ("max_distance_km", "10"),
        ("languages", "en"),
        ("population", "adults"),
    ] {
        v.push(k, val);
    }
    push_style(&mut v, fit);
    v
}
