//! A client's match request: what they need (filters) and what they would like (score).

use super::check::{Check, at, get};
use super::codes::{Currency, INSURER_RULE, Jurisdiction, Language, is_insurer};
use super::listing::{Slot, Style};
use super::vocab::{Concern, Ethnicity, Faith, Format, Gender, Modality, Population, Strength};
use crate::Invalid;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

/// A checked match request.
///
/// Required, because a hard filter cannot work without them: `formats` (non-empty), `languages`
/// (non-empty) and `population`; `location` and `max_distance_km` when `in_person` is among the
/// formats; `jurisdiction` when `video` or `phone` is (remote care is licensed per jurisdiction).
/// Everything else is optional and only narrows or scores when given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct Request {
    /// Where the client is; used only for in-person distance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
    /// How far the client will travel, in km (positive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_distance_km: Option<f64>,
    /// Where the client lives, for remote care.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<Jurisdiction>,
    /// Formats the client accepts.
    pub formats: Vec<Format>,
    /// Languages the client can have sessions in.
    pub languages: Vec<Language>,
    /// Who the sessions are for.
    pub population: Population,
    /// Concerns in the client's order of importance (the first three weigh 3, 2, 1).
    pub concerns: Vec<Concern>,
    /// Preferred ways of working.
    pub modalities: Vec<Modality>,
    /// Most the client can pay per session, in minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<Money>,
    /// The client's insurer key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insurance: Option<String>,
    /// Identity preferences, one per identity field.
    pub identity: IdentityPrefs,
    /// Weekly hours the client can make; empty means any time.
    pub slots: Vec<Slot>,
    /// The style the client would like; all zeros means no preference.
    pub style: Style,
    /// Therapist ids never to suggest (for example ones the client has ended with).
    pub exclude: BTreeSet<String>,
    /// How many results to return, 1-100.
    pub top: usize,
}

/// A point on Earth, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GeoPoint {
    /// Degrees north, −90 … 90.
    pub lat: f64,
    /// Degrees east, −180 … 180.
    pub lon: f64,
}

/// An amount of money in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Money {
    /// Minor units (pence, cents).
    pub amount: u64,
    /// Currency; fees in another currency never fit the budget.
    pub currency: Currency,
}

/// One identity wish: a value, and whether it filters (`must`) or scores (`prefer`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Preference<T> {
    /// The wished value; for the ethnicity list it is met when the list contains it.
    pub value: T,
    /// `must` or `prefer`.
    pub strength: Strength,
}

/// The client's identity wishes; at most one per field, each optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct IdentityPrefs {
    /// Therapist gender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Preference<Gender>>,
    /// Therapist is (or is not) LGBTQ+.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lgbtq: Option<Preference<bool>>,
    /// Therapist shares an ethnicity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<Preference<Ethnicity>>,
    /// Therapist's faith.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faith: Option<Preference<Faith>>,
}

impl Request {
    /// The default number of results.
    pub const DEFAULT_TOP: usize = 20;
    /// The most results one request may ask for, so one query cannot ask for the directory.
    pub const MAX_TOP: usize = 100;

    /// Whether the client accepts `format`.
    pub fn accepts(&self, format: Format) -> bool {
        self.formats.contains(&format)
    }
}

const FIELDS: &[&str] = &[
    "location",
    "max_distance_km",
    "jurisdiction",
    "formats",
    "languages",
    "population",
    "concerns",
    "modalities",
    "budget",
    "insurance",
    "identity",
    "slots",
    "style",
    "exclude",
    "top",
];

/// Reads a match request from JSON, reporting every problem with its field path.
pub fn parse_request(value: &Value) -> Result<Request, Invalid> {
    let mut c = Check::default();
    let request = read_request(&mut c, value);
    c.finish(request)
}

fn read_request(c: &mut Check, value: &Value) -> Option<Request> {
    let m = c.object(value, "", FIELDS)?;
    let formats = c.words::<Format>(get(m, "formats"), "formats", true);
    let wants = |f: Format| formats.as_ref().is_some_and(|fs| fs.contains(&f));
    let in_person = wants(Format::InPerson);
    let remote = wants(Format::Video) || wants(Format::Phone);
    let location = match get(m, "location") {
        None if in_person => c.fail("location", "is required when in_person is chosen"),
        None => Some(None),
        Some(v) => read_point(c, v).map(Some),
    };
    let max_distance_km = match get(m, "max_distance_km") {
        None if in_person => c.fail("max_distance_km", "is required when in_person is chosen"),
        None => Some(None),
        Some(v) => match v.as_f64() {
            Some(d) if d > 0.0 && d <= 20_000.0 => Some(Some(d)),
            _ => c.fail(
                "max_distance_km",
                "must be a number of km above 0 and at most 20000",
            ),
        },
    };
    let jurisdiction = match get(m, "jurisdiction") {
        None if remote => c.fail("jurisdiction", "is required when video or phone is chosen"),
        None => Some(None),
        Some(v) => c
            .coded(v, "jurisdiction", Jurisdiction::parse, Jurisdiction::RULE)
            .map(Some),
    };
    let languages = c.list(get(m, "languages"), "languages", true, |c, v, p| {
        c.coded(v, p, Language::parse, Language::RULE)
    });
    let population = c
        .required(get(m, "population"), "population")
        .and_then(|v| c.word::<Population>(v, "population"));
    let concerns = c.words::<Concern>(get(m, "concerns"), "concerns", false);
    let modalities = c.words::<Modality>(get(m, "modalities"), "modalities", false);
    let budget = get(m, "budget").map(|v| read_money(c, v));
    let insurance = get(m, "insurance").map(|v| match v.as_str() {
        Some(s) if is_insurer(s) => Some(s.to_string()),
        _ => c.fail("insurance", INSURER_RULE),
    });
    let identity = get(m, "identity").map_or(Some(IdentityPrefs::default()), |v| read_prefs(c, v));
    let slots = c.list(get(m, "slots"), "slots", false, Slot::read);
    let style = get(m, "style").map_or(Some(Style::default()), |v| {
        Style::read(c, v, "style", false)
    });
    let exclude = c.list(get(m, "exclude"), "exclude", false, |c, v, p| {
        c.text(v, p, 64).map(str::to_string)
    });
    let top = match get(m, "top") {
        None => Some(Request::DEFAULT_TOP),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=Request::MAX_TOP as u64).contains(&n) => Some(n as usize),
            _ => c.fail(
                "top",
                format!("must be a whole number from 1 to {}", Request::MAX_TOP),
            ),
        },
    };
    Some(Request {
        location: location?,
        max_distance_km: max_distance_km?,
        jurisdiction: jurisdiction?,
        formats: formats?,
        languages: languages?,
        population: population?,
        concerns: concerns?,
        modalities: modalities?,
        budget: budget.map_or(Some(None), |b| b.map(Some))?,
        insurance: insurance.map_or(Some(None), |i| i.map(Some))?,
        identity: identity?,
        slots: slots?,
        style: style?,
        exclude: exclude?.into_iter().collect(),
        top: top?,
    })
}

fn read_point(c: &mut Check, value: &Value) -> Option<GeoPoint> {
    let m = c.object(value, "location", &["lat", "lon"])?;
    let lat = c
        .required(get(m, "lat"), "location.lat")
        .and_then(|v| c.number(v, "location.lat", -90.0, 90.0));
    let lon = c
        .required(get(m, "lon"), "location.lon")
        .and_then(|v| c.number(v, "location.lon", -180.0, 180.0));
    Some(GeoPoint {
        lat: lat?,
        lon: lon?,
    })
}

fn read_money(c: &mut Check, value: &Value) -> Option<Money> {
    let m = c.object(value, "budget", &["amount", "currency"])?;
    let amount = c
        .required(get(m, "amount"), "budget.amount")
        .and_then(|v| c.whole(v, "budget.amount", u64::MAX));
    let currency = c
        .required(get(m, "currency"), "budget.currency")
        .and_then(|v| c.coded(v, "budget.currency", Currency::parse, Currency::RULE));
    Some(Money {
        amount: amount?,
        currency: currency?,
    })
}

fn read_pref<T>(
    c: &mut Check,
    m: &serde_json::Map<String, Value>,
    key: &str,
    value: impl Fn(&mut Check, &Value, &str) -> Option<T>,
) -> Option<Option<Preference<T>>> {
    let Some(v) = get(m, key) else {
        return Some(None);
    };
    let path = at("identity", key);
    let pm = c.object(v, &path, &["value", "strength"])?;
    let vp = at(&path, "value");
    let sp = at(&path, "strength");
    let val = c
        .required(get(pm, "value"), &vp)
        .and_then(|v| value(c, v, &vp));
    let strength = c
        .required(get(pm, "strength"), &sp)
        .and_then(|v| c.word::<Strength>(v, &sp));
    Some(Some(Preference {
        value: val?,
        strength: strength?,
    }))
}

fn read_prefs(c: &mut Check, value: &Value) -> Option<IdentityPrefs> {
    let m = c.object(
        value,
        "identity",
        &["gender", "lgbtq", "ethnicity", "faith"],
    )?;
    let gender = read_pref(c, m, "gender", |c, v, p| c.word::<Gender>(v, p));
    let lgbtq = read_pref(c, m, "lgbtq", |c, v, p| c.boolean(v, p));
    let ethnicity = read_pref(c, m, "ethnicity", |c, v, p| c.word::<Ethnicity>(v, p));
    let faith = read_pref(c, m, "faith", |c, v, p| c.word::<Faith>(v, p));
    Some(IdentityPrefs {
        gender: gender?,
        lgbtq: lgbtq?,
        ethnicity: ethnicity?,
        faith: faith?,
    })
}

impl TryFrom<Value> for Request {
    type Error = Invalid;

    fn try_from(value: Value) -> Result<Self, Invalid> {
        parse_request(&value)
    }
}
