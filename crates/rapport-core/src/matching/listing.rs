//! A therapist's listing: what the directory knows about one therapist, checked on the way in.

use super::check::{Check, at, get};
use super::codes::{Currency, INSURER_RULE, Jurisdiction, Language, is_insurer};
use super::vocab::{
    Concern, Day, Ethnicity, Faith, Format, Gender, Modality, Population, Rating, Word,
};
use crate::Invalid;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One therapist's listing, exactly the JSON of the matching design; every value in it has been
/// checked, so the engine never has to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct Listing {
    /// Stable public id (1 to 64 characters), the tie-breaker of the ordering.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Professional letters (`LCSW`, `BACP`); free text without `;` so CSV lists stay readable.
    pub credentials: Vec<String>,
    /// Whether the therapist takes new clients; closed listings are never returned.
    pub accepting: bool,
    /// How sessions can happen (never empty).
    pub formats: Vec<Format>,
    /// Where in-person sessions happen; required when `in_person` is offered.
    pub location: Option<Location>,
    /// Where the therapist may practise remotely (never empty).
    pub jurisdictions: Vec<Jurisdiction>,
    /// Session languages (never empty).
    pub languages: Vec<Language>,
    /// Who the therapist sees (never empty).
    pub populations: Vec<Population>,
    /// Concerns the therapist works with.
    pub concerns: Vec<Concern>,
    /// Ways of working.
    pub modalities: Vec<Modality>,
    /// Self-described identity; every part may be left unsaid.
    pub identity: Identity,
    /// Fee per session in minor units of the currency.
    pub fee: Fee,
    /// Insurer keys accepted (`bupa`).
    pub insurance: Vec<String>,
    /// Free weekly hours in the listing's local time.
    pub slots: Vec<Slot>,
    /// The therapist's own rating on the four C-NIP dimensions.
    pub style: Style,
    /// Measured results per concern, only from at least 15 past cases.
    pub effectiveness: BTreeMap<Concern, Rating>,
}

/// Where a therapist sees people in person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    /// Degrees north, −90 … 90.
    pub lat: f64,
    /// Degrees east, −180 … 180.
    pub lon: f64,
    /// City name for display.
    pub city: String,
}

/// A therapist's identity as they choose to describe it; `None` means not said, which never meets
/// a client's preference.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Identity {
    /// Gender, if said.
    pub gender: Option<Gender>,
    /// Whether LGBTQ+, if said.
    pub lgbtq: Option<bool>,
    /// Ethnicities identified with (may be several, may be none).
    pub ethnicity: Vec<Ethnicity>,
    /// Faith or worldview, if said.
    pub faith: Option<Faith>,
}

/// Price of a session, in minor units (pence, cents) so sums stay exact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fee {
    /// The standard fee.
    pub amount: u64,
    /// Fee currency; a budget in another currency never matches.
    pub currency: Currency,
    /// Lowest sliding-scale fee, when offered (never above `amount`).
    pub sliding_scale_min: Option<u64>,
}

/// One weekly hour; built only through [`Slot::new`], so the hour is always 0-23.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Slot {
    day: Day,
    hour: u8,
}

impl Slot {
    /// A slot, if `hour` is 0-23.
    pub fn new(day: Day, hour: u8) -> Option<Self> {
        (hour < 24).then_some(Self { day, hour })
    }

    /// The day.
    pub fn day(self) -> Day {
        self.day
    }

    /// The hour, 0-23.
    pub fn hour(self) -> u8 {
        self.hour
    }

    /// Position in a week of 168 hours, the slot's bit in the engine.
    pub fn bit(self) -> usize {
        self.day.index() * 24 + usize::from(self.hour)
    }

    /// Plain words: `Tuesday 18:00`.
    pub fn label(self) -> String {
        format!("{} {:02}:00", self.day.label(), self.hour)
    }

    pub(crate) fn read(check: &mut Check, value: &Value, path: &str) -> Option<Slot> {
        let map = check.object(value, path, &["day", "hour"])?;
        let day = check
            .required(get(map, "day"), &at(path, "day"))
            .and_then(|v| check.word::<Day>(v, &at(path, "day")));
        let hour = check
            .required(get(map, "hour"), &at(path, "hour"))
            .and_then(|v| check.whole(v, &at(path, "hour"), 23));
        Slot::new(day?, u8::try_from(hour?).ok()?)
    }
}

/// A position on the four C-NIP dimensions, each −3 … +3 (positive = therapist-directive,
/// emotionally intense, past-oriented, challenging); used for therapists and for client wishes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Style {
    /// Who leads: + the therapist, − the client.
    pub directiveness: f64,
    /// Emotional intensity: + intense, − gentle.
    pub intensity: f64,
    /// Time focus: + the past, − the present.
    pub past: f64,
    /// Challenge: + challenging, − supportive.
    pub challenge: f64,
}

impl Style {
    /// The dimension names, in the order of [`Style::to_array`].
    pub const DIMENSIONS: [&'static str; 4] = ["directiveness", "intensity", "past", "challenge"];

    /// The four values in a fixed order, so every score sums them the same way.
    pub fn to_array(self) -> [f64; 4] {
        [
            self.directiveness,
            self.intensity,
            self.past,
            self.challenge,
        ]
    }

    /// A style from values in [`Style::DIMENSIONS`] order.
    pub fn from_array(v: [f64; 4]) -> Self {
        Self {
            directiveness: v[0],
            intensity: v[1],
            past: v[2],
            challenge: v[3],
        }
    }

    pub(crate) fn read(
        check: &mut Check,
        value: &Value,
        path: &str,
        required: bool,
    ) -> Option<Style> {
        let map = check.object(value, path, &Self::DIMENSIONS)?;
        let mut out = [0.0; 4];
        let mut ok = true;
        for (slot, key) in out.iter_mut().zip(Self::DIMENSIONS) {
            let p = at(path, key);
            match get(map, key) {
                None if !required => {}
                v => match check
                    .required(v, &p)
                    .and_then(|v| check.number(v, &p, -3.0, 3.0))
                {
                    Some(n) => *slot = n,
                    None => ok = false,
                },
            }
        }
        ok.then(|| Self::from_array(out))
    }
}

const FIELDS: &[&str] = &[
    "id",
    "name",
    "credentials",
    "accepting",
    "formats",
    "location",
    "jurisdictions",
    "languages",
    "populations",
    "concerns",
    "modalities",
    "identity",
    "fee",
    "insurance",
    "slots",
    "style",
    "effectiveness",
];

/// Reads a listing from JSON, reporting every problem with its field path (`fee.amount`,
/// `slots[0].hour`), so a directory import can tell a therapist exactly what to fix.
pub fn parse_listing(value: &Value) -> Result<Listing, Invalid> {
    let mut c = Check::default();
    let listing = read_listing(&mut c, value);
    c.finish(listing)
}

fn read_listing(c: &mut Check, value: &Value) -> Option<Listing> {
    let m = c.object(value, "", FIELDS)?;
    let id = c
        .required(get(m, "id"), "id")
        .and_then(|v| c.text(v, "id", 64))
        .map(str::to_string);
    let name = c
        .required(get(m, "name"), "name")
        .and_then(|v| c.text(v, "name", 200))
        .map(str::to_string);
    let credentials = c.list(
        get(m, "credentials"),
        "credentials",
        false,
        |c, v, p| match c.text(v, p, 40)? {
            t if t.contains(';') => c.fail(p, "must not contain `;`"),
            t => Some(t.to_string()),
        },
    );
    let accepting = c
        .required(get(m, "accepting"), "accepting")
        .and_then(|v| c.boolean(v, "accepting"));
    let formats = c.words::<Format>(get(m, "formats"), "formats", true);
    let location = get(m, "location").map(|v| read_location(c, v));
    if location.is_none()
        && formats
            .as_ref()
            .is_some_and(|f| f.contains(&Format::InPerson))
    {
        c.fail::<()>("location", "is required when in_person is offered");
    }
    let jurisdictions = c.list(get(m, "jurisdictions"), "jurisdictions", true, |c, v, p| {
        c.coded(v, p, Jurisdiction::parse, Jurisdiction::RULE)
    });
    let languages = c.list(get(m, "languages"), "languages", true, |c, v, p| {
        c.coded(v, p, Language::parse, Language::RULE)
    });
    let populations = c.words::<Population>(get(m, "populations"), "populations", true);
    let concerns = c.words::<Concern>(get(m, "concerns"), "concerns", false);
    let modalities = c.words::<Modality>(get(m, "modalities"), "modalities", false);
    let identity = get(m, "identity").map_or(Some(Identity::default()), |v| read_identity(c, v));
    let fee = c
        .required(get(m, "fee"), "fee")
        .and_then(|v| read_fee(c, v));
    let insurance = c.list(get(m, "insurance"), "insurance", false, |c, v, p| {
        match v.as_str() {
            Some(s) if is_insurer(s) => Some(s.to_string()),
            _ => c.fail(p, INSURER_RULE),
        }
    });
    let slots = c.list(get(m, "slots"), "slots", false, Slot::read);
    let style = c
        .required(get(m, "style"), "style")
        .and_then(|v| Style::read(c, v, "style", true));
    let effectiveness = read_effectiveness(c, get(m, "effectiveness"));
    Some(Listing {
        id: id?,
        name: name?,
        credentials: credentials?,
        accepting: accepting?,
        formats: formats?,
        location: location.flatten(),
        jurisdictions: jurisdictions?,
        languages: languages?,
        populations: populations?,
        concerns: concerns?,
        modalities: modalities?,
        identity: identity?,
        fee: fee?,
        insurance: insurance?,
        slots: slots?,
        style: style?,
        effectiveness: effectiveness?,
    })
}

fn read_location(c: &mut Check, value: &Value) -> Option<Location> {
    let m = c.object(value, "location", &["lat", "lon", "city"])?;
    let lat = c
        .required(get(m, "lat"), "location.lat")
        .and_then(|v| c.number(v, "location.lat", -90.0, 90.0));
    let lon = c
        .required(get(m, "lon"), "location.lon")
        .and_then(|v| c.number(v, "location.lon", -180.0, 180.0));
    let city = c
        .required(get(m, "city"), "location.city")
        .and_then(|v| c.text(v, "location.city", 100));
    Some(Location {
        lat: lat?,
        lon: lon?,
        city: city?.to_string(),
    })
}

fn read_identity(c: &mut Check, value: &Value) -> Option<Identity> {
    let m = c.object(
        value,
        "identity",
        &["gender", "lgbtq", "ethnicity", "faith"],
    )?;
    let gender = get(m, "gender").map(|v| c.word::<Gender>(v, "identity.gender"));
    let lgbtq = get(m, "lgbtq").map(|v| c.boolean(v, "identity.lgbtq"));
    let ethnicity = c.words::<Ethnicity>(get(m, "ethnicity"), "identity.ethnicity", false);
    let faith = get(m, "faith").map(|v| c.word::<Faith>(v, "identity.faith"));
    Some(Identity {
        gender: gender.map_or(Some(None), |g| g.map(Some))?,
        lgbtq: lgbtq.map_or(Some(None), |g| g.map(Some))?,
        ethnicity: ethnicity?,
        faith: faith.map_or(Some(None), |g| g.map(Some))?,
    })
}

const MAX_FEE: u64 = 100_000_000_000;

fn read_fee(c: &mut Check, value: &Value) -> Option<Fee> {
    let m = c.object(value, "fee", &["amount", "currency", "sliding_scale_min"])?;
    let amount = c
        .required(get(m, "amount"), "fee.amount")
        .and_then(|v| c.whole(v, "fee.amount", MAX_FEE));
    let currency = c
        .required(get(m, "currency"), "fee.currency")
        .and_then(|v| c.coded(v, "fee.currency", Currency::parse, Currency::RULE));
    let sliding = get(m, "sliding_scale_min").map(|v| c.whole(v, "fee.sliding_scale_min", MAX_FEE));
    if let (Some(a), Some(Some(s))) = (amount, sliding)
        && s > a
    {
        c.fail::<()>("fee.sliding_scale_min", "must not be above fee.amount");
        return None;
    }
    Some(Fee {
        amount: amount?,
        currency: currency?,
        sliding_scale_min: sliding.map_or(Some(None), |s| s.map(Some))?,
    })
}

fn read_effectiveness(c: &mut Check, value: Option<&Value>) -> Option<BTreeMap<Concern, Rating>> {
    let Some(value) = value else {
        return Some(BTreeMap::new());
    };
    let Some(m) = value.as_object() else {
        return c.fail("effectiveness", "must be an object of concern: rating");
    };
    let mut out = BTreeMap::new();
    for (key, v) in m {
        let path = at("effectiveness", key);
        let concern = Concern::parse(key);
        if concern.is_none() {
            c.fail::<()>(path.clone(), format!("`{key}` is not a known concern"));
        }
        if let (Some(k), Some(r)) = (concern, c.word::<Rating>(v, &path)) {
            out.insert(k, r);
        }
    }
    Some(out)
}

impl TryFrom<Value> for Listing {
    type Error = Invalid;

    fn try_from(value: Value) -> Result<Self, Invalid> {
        parse_listing(&value)
    }
}
