//! Where a person is, and the codes the forms offer.
//!
//! A client or therapist types their town ("Where are you?") and the forms resolve it against
//! the core's gazetteer ([`GAZETTEER`]): a suggestion picked while typing (JavaScript) or a
//! choice among namesakes (without it) arrives as `place_id`; otherwise the text alone decides.
//! The jurisdictions, currencies, languages and insurers offered are those of the live directory
//! ([`super::Directory::offered`]), each with the name people read.

use rapport_core::FieldError;
use rapport_core::matching::Offered;
use rapport_core::places::{GAZETTEER, Place, PlaceQuery, Resolved, fold};
use rapport_core::vocabulary::{currency_label, insurer_name, jurisdiction_name, language_name};

use super::form::Values;
use crate::error::AppError;
use crate::state::AppState;

/// How many namesakes a form offers to choose from.
const CHOICES: usize = 8;

/// What the place field of a form came to.
#[derive(Debug, Clone)]
pub enum PlaceAnswer {
    /// Nothing typed.
    Empty,
    /// A place, picked or clearly meant.
    Chosen(&'static Place),
    /// Several places have that name: the person picks one.
    Choose(Vec<&'static Place>),
    /// No place of that name, or too little typed: the problem, for the field.
    Unknown(FieldError),
}

/// Reads the `place` text and `place_id` of a form. A picked id is kept while the text still
/// names that place (its label, or words that find it); once the text is changed, the text wins.
pub fn read_place(v: &Values) -> PlaceAnswer {
    let text = v.get("place");
    let picked = v
        .get("place_id")
        .parse()
        .ok()
        .and_then(|id| GAZETTEER.by_id(id));
    if let Some(p) = picked
        && (text.is_empty()
            || fold(&text) == fold(&p.label())
            || GAZETTEER.search(&text, 200).contains(&p))
    {
        return PlaceAnswer::Chosen(p);
    }
    if text.is_empty() {
        return PlaceAnswer::Empty;
    }
    let query = match PlaceQuery::parse("place", &text) {
        Ok(q) => q,
        Err(e) => return PlaceAnswer::Unknown(e),
    };
    match GAZETTEER.resolve(&query, CHOICES) {
        Resolved::One(p) => PlaceAnswer::Chosen(p),
        Resolved::Several(list) => PlaceAnswer::Choose(list),
        Resolved::Nothing => PlaceAnswer::Unknown(FieldError::new(
            "place",
            format!(
                "we could not find “{text}”. Try the nearest bigger town, the place's name in \
                 English, or give exact coordinates below"
            ),
        )),
    }
}

/// The problem to show for an answer that is not a place yet (none for an empty field).
pub fn place_problem(answer: &PlaceAnswer, text: &str) -> Option<FieldError> {
    match answer {
        PlaceAnswer::Choose(_) => Some(FieldError::new(
            "place",
            format!("there is more than one “{text}”: choose yours from the list"),
        )),
        PlaceAnswer::Unknown(e) => Some(e.clone()),
        PlaceAnswer::Empty | PlaceAnswer::Chosen(_) => None,
    }
}

/// The place field ready for a template: the text, the picked id, and namesakes to choose from.
pub struct PlaceField {
    /// What is in the text box.
    pub text: String,
    /// The chosen place's id, or "".
    pub id: String,
    /// `(id, label)` of each namesake when the person must choose.
    pub choices: Vec<(String, String)>,
    /// The problem with the field, shown beside it.
    pub error: Option<String>,
}

impl PlaceField {
    /// The field as a form's values, the answer they came to and any problem with it.
    pub fn of(v: &Values, errors: &[FieldError]) -> PlaceField {
        let answer = read_place(v);
        let (id, choices) = match &answer {
            PlaceAnswer::Chosen(p) => (p.id.to_string(), vec![]),
            PlaceAnswer::Choose(list) => (
                String::new(),
                list.iter().map(|p| (p.id.to_string(), p.label())).collect(),
            ),
            _ => (String::new(), vec![]),
        };
        PlaceField {
            text: v.get("place"),
            id,
            choices,
            error: errors
                .iter()
                .find(|e| e.field == "place")
                .map(|e| e.reason.clone()),
        }
    }
}

/// Shows a saved point as the place it was chosen as (its label and id), or as coordinates.
pub fn push_point(v: &mut Values, lat: f64, lon: f64) -> Option<&'static Place> {
    match GAZETTEER.at(lat, lon) {
        Some(p) => {
            v.push("place", p.label());
            v.push("place_id", p.id.to_string());
            Some(p)
        }
        None => {
            v.push("location.lat", super::form::show_number(lat));
            v.push("location.lon", super::form::show_number(lon));
            None
        }
    }
}

/// `(code, name)` lists of what the live directory offers, sorted by name.
pub struct Offer {
    /// Jurisdictions ("California, United States").
    pub jurisdictions: Vec<(String, String)>,
    /// Currencies ("Pound Sterling (£)").
    pub currencies: Vec<(String, String)>,
    /// Languages ("Polish").
    pub languages: Vec<(String, String)>,
    /// Insurers ("Blue Shield").
    pub insurers: Vec<(String, String)>,
}

fn by_name(mut list: Vec<(String, String)>) -> Vec<(String, String)> {
    list.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    list
}

impl Offer {
    /// Names the codes of an offer.
    pub fn of(o: &Offered) -> Offer {
        let named = |codes: Vec<String>, name: fn(&str) -> String| {
            by_name(
                codes
                    .into_iter()
                    .map(|c| {
                        let n = name(&c);
                        (c, n)
                    })
                    .collect(),
            )
        };
        Offer {
            jurisdictions: named(
                o.jurisdictions
                    .iter()
                    .map(|j| j.as_str().to_owned())
                    .collect(),
                jurisdiction_name,
            ),
            currencies: named(
                o.currencies.iter().map(|c| c.as_str().to_owned()).collect(),
                currency_label,
            ),
            languages: named(
                o.languages.iter().map(|l| l.as_str().to_owned()).collect(),
                language_name,
            ),
            insurers: named(o.insurers.clone(), insurer_name),
        }
    }
}

/// What the live directory offers, named.
pub async fn offer(state: &AppState) -> Result<Offer, AppError> {
    let offered = state.directory.offered(&state.db).await?;
    Ok(Offer::of(&offered))
}
