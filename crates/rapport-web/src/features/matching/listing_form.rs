//! The therapist's profile form: turned into listing JSON for the core to read, and a stored
//! listing turned back into form values.
//!
//! Lists a therapist types (languages, jurisdictions, insurers, free hours) are written the way
//! the CSV import writes them (`en, pl`; `tue 18, wed 9`), so one explanation fits both.

use rapport_core::{FieldError, vocabulary};
use serde_json::{Map, Value, json};

use super::form::{Values, major_units, minor_units, number, show_number};
use super::places::{PlaceAnswer, place_problem, push_point, read_place};

/// Jurisdictions as typed (codes, or names of one country or region) as codes; anything else
/// is kept as typed for the core to refuse, naming the field.
fn jurisdiction_codes(text: &str) -> Vec<String> {
    items(text)
        .into_iter()
        .map(|t| vocabulary::jurisdiction_code(&t).unwrap_or(t))
        .collect()
}

/// Languages as typed (codes or English names) as codes.
fn language_codes(text: &str) -> Vec<String> {
    items(text)
        .into_iter()
        .map(|t| vocabulary::language_code(&t).map_or(t, str::to_owned))
        .collect()
}

/// What the typed lists read as, in names, for the line under each field: the therapist sees
/// "United Kingdom; California, United States" under `GB, US-CA` before saving.
pub fn readings(v: &Values) -> [(&'static str, String); 3] {
    let join = |names: Vec<String>| names.join("; ");
    [
        (
            "jurisdictions",
            join(
                jurisdiction_codes(&v.get("jurisdictions"))
                    .iter()
                    .map(|c| vocabulary::jurisdiction_name(c))
                    .collect(),
            ),
        ),
        (
            "languages",
            join(
                language_codes(&v.get("languages"))
                    .iter()
                    .map(|c| vocabulary::language_name(c))
                    .collect(),
            ),
        ),
        (
            "insurance",
            join(
                items(&v.get("insurance"))
                    .iter()
                    .map(|k| vocabulary::insurer_name(k))
                    .collect(),
            ),
        ),
    ]
}

/// Items of a typed list: separated by commas or semicolons, blanks dropped.
fn items(text: &str) -> Vec<String> {
    text.split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Free hours written `tue 18, wed 9` (an hour may be written `18:00`).
fn slots(text: &str) -> Result<Value, FieldError> {
    items(text)
        .iter()
        .map(|item| {
            let mut parts = item.split_whitespace();
            match (parts.next(), parts.next(), parts.next()) {
                (Some(day), Some(hour), None) => {
                    let hour = hour.strip_suffix(":00").unwrap_or(hour);
                    let hour = hour
                        .parse::<u64>()
                        .map_or_else(|_| json!(hour), |h| json!(h));
                    Ok(json!({"day": day.to_ascii_lowercase(), "hour": hour}))
                }
                _ => Err(FieldError::new(
                    "slots",
                    format!("`{item}` should be a day and an hour, like `tue 18`"),
                )),
            }
        })
        .collect()
}

fn money(v: &Values, field: &str, errors: &mut Vec<FieldError>) -> Option<Value> {
    match v.get(field) {
        t if t.is_empty() => None,
        t => match minor_units(field, &t) {
            Ok(n) => Some(json!(n)),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    }
}

/// The listing the form describes, as JSON for the core's parser (the id is added by the
/// service), and the problems only the form can see.
pub fn listing_json(v: &Values) -> (Value, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut l = Map::new();
    l.insert("name".into(), json!(v.get("name")));
    l.insert("credentials".into(), json!(items(&v.get("credentials"))));
    l.insert("accepting".into(), json!(v.is("accepting", "yes")));
    l.insert("formats".into(), json!(v.all("formats")));
    let (text, lat, lon) = (v.get("place"), v.get("location.lat"), v.get("location.lon"));
    let answer = read_place(v);
    if !lat.is_empty() || !lon.is_empty() {
        let city = match &answer {
            PlaceAnswer::Chosen(p) => p.name.clone(),
            _ => text,
        };
        l.insert(
            "location".into(),
            json!({"city": city, "lat": number(&lat), "lon": number(&lon)}),
        );
    } else if let PlaceAnswer::Chosen(p) = answer {
        l.insert(
            "location".into(),
            json!({"city": p.name, "lat": p.lat, "lon": p.lon}),
        );
    } else if let Some(problem) = place_problem(&answer, &text) {
        errors.push(problem);
    }
    l.insert(
        "jurisdictions".into(),
        json!(jurisdiction_codes(&v.get("jurisdictions"))),
    );
    l.insert(
        "languages".into(),
        json!(language_codes(&v.get("languages"))),
    );
    l.insert("populations".into(), json!(v.all("populations")));
    l.insert("concerns".into(), json!(v.all("concerns")));
    l.insert("modalities".into(), json!(v.all("modalities")));
    let mut identity = Map::new();
    match v.get("identity.gender") {
        g if g.is_empty() => {}
        g => {
            identity.insert("gender".into(), json!(g));
        }
    }
    match v.get("identity.lgbtq").as_str() {
        "true" => {
            identity.insert("lgbtq".into(), json!(true));
        }
        "false" => {
            identity.insert("lgbtq".into(), json!(false));
        }
        _ => {}
    }
    identity.insert("ethnicity".into(), json!(v.all("identity.ethnicity")));
    match v.get("identity.faith") {
        f if f.is_empty() => {}
        f => {
            identity.insert("faith".into(), json!(f));
        }
    }
    l.insert("identity".into(), Value::Object(identity));
    let mut fee = Map::new();
    if let Some(a) = money(v, "fee.amount", &mut errors) {
        fee.insert("amount".into(), a);
    }
    fee.insert("currency".into(), json!(v.get("fee.currency")));
    if let Some(s) = money(v, "fee.sliding_scale_min", &mut errors) {
        fee.insert("sliding_scale_min".into(), s);
    }
    l.insert("fee".into(), Value::Object(fee));
    l.insert("insurance".into(), json!(items(&v.get("insurance"))));
    match slots(&v.get("slots")) {
        Ok(s) => {
            l.insert("slots".into(), s);
        }
        Err(e) => errors.push(e),
    }
    let style: Map<String, Value> = ["directiveness", "intensity", "past", "challenge"]
        .iter()
        .map(|d| {
            let text = v.get(&format!("style.{d}"));
            (
                (*d).to_owned(),
                if text.is_empty() {
                    json!(0.0)
                } else {
                    number(&text)
                },
            )
        })
        .collect();
    l.insert("style".into(), Value::Object(style));
    (Value::Object(l), errors)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The values that show a stored listing in the form.
pub fn values_of(listing: &Value) -> Values {
    let mut v = Values::default();
    let text = |key: &str| {
        listing
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    v.push("name", text("name"));
    v.push("credentials", strings(&listing["credentials"]).join(", "));
    if listing["accepting"].as_bool() == Some(true) {
        v.push("accepting", "yes");
    }
    for key in ["formats", "populations", "concerns", "modalities"] {
        for word in strings(&listing[key]) {
            v.push(key, word);
        }
    }
    if let Some(loc) = listing.get("location").filter(|l| l.is_object())
        && let (Some(lat), Some(lon)) = (loc["lat"].as_f64(), loc["lon"].as_f64())
        && push_point(&mut v, lat, lon).is_none()
    {
        v.push("place", loc["city"].as_str().unwrap_or_default());
    }
    for key in ["jurisdictions", "languages", "insurance"] {
        v.push(key, strings(&listing[key]).join(", "));
    }
    let identity = &listing["identity"];
    if let Some(g) = identity["gender"].as_str() {
        v.push("identity.gender", g);
    }
    if let Some(b) = identity["lgbtq"].as_bool() {
        v.push("identity.lgbtq", b.to_string());
    }
    for e in strings(&identity["ethnicity"]) {
        v.push("identity.ethnicity", e);
    }
    if let Some(f) = identity["faith"].as_str() {
        v.push("identity.faith", f);
    }
    let fee = &listing["fee"];
    if let Some(a) = fee["amount"].as_u64() {
        v.push("fee.amount", major_units(a));
    }
    v.push("fee.currency", fee["currency"].as_str().unwrap_or_default());
    if let Some(s) = fee["sliding_scale_min"].as_u64() {
        v.push("fee.sliding_scale_min", major_units(s));
    }
    let slots: Vec<String> = listing["slots"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| Some(format!("{} {}", s["day"].as_str()?, s["hour"].as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    v.push("slots", slots.join(", "));
    for d in ["directiveness", "intensity", "past", "challenge"] {
        if let Some(n) = listing["style"][d].as_f64() {
            v.push(&format!("style.{d}"), show_number(n));
        }
    }
    v
}

/// What a therapist without a listing starts from.
pub fn starting_values(name: &str) -> Values {
    let mut v = Values::default();
    for (k, val) in [
        ("name", name),
        ("accepting", "yes"),
        ("formats", "video"),
        ("languages", "en"),
        ("populations", "adults"),
        ("fee.currency", "GBP"),
        ("jurisdictions", "GB"),
    ] {
        v.push(k, val);
    }
    v
}
