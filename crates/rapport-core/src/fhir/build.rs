//! Building FHIR resources from definitions, answers and scores.

use super::datetime::FhirDateTime;
use super::resources::{
    AnswerOption, AnswerValue, Bundle, BundleEntry, BundleKind, BundleType, CodeableConcept,
    Coding, Extension, ExtensionValue, HumanName, Identifier, ItemType, Observation,
    ObservationStatus, ObservationType, ObservationValue, Patient, PatientType, PublicationStatus,
    Quantity, Questionnaire, QuestionnaireItem, QuestionnaireResponse, QuestionnaireResponseType,
    QuestionnaireType, Reference, Resource, ResponseItem, ResponseStatus,
};
use crate::instrument::{Answer, Answers, ChoiceValue, Definition, Item, Loinc, Response, Scored};

/// The LOINC code system URI.
pub const LOINC: &str = "http://loinc.org";

/// Prefix of every instrument's canonical URL; `<canonical>:answers` names its answer codes.
pub const CANONICAL_PREFIX: &str = "urn:rapport:questionnaire:";

const PREAMBLE_LINK_ID: &str = "_preamble";
const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const UCUM: &str = "http://unitsofmeasure.org";

/// The canonical URL of an instrument's Questionnaire, stable across versions.
pub fn canonical(def: &Definition) -> String {
    format!("{CANONICAL_PREFIX}{}", def.id())
}

fn answer_system(def: &Definition) -> String {
    format!("{}:answers", canonical(def))
}

fn loinc_coding(loinc: &Loinc) -> Coding {
    Coding {
        system: Some(LOINC.to_owned()),
        code: loinc.code.clone(),
        display: Some(loinc.display.clone()),
    }
}

fn computable_name(id: &str) -> String {
    let name: String = id
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name
    } else {
        format!("Q{name}")
    }
}

/// The instrument as a FHIR Questionnaire; licensed items without installed text have no text.
pub fn questionnaire(def: &Definition) -> Questionnaire {
    let preamble = def.preamble().map(|text| QuestionnaireItem {
        extension: Vec::new(),
        link_id: PREAMBLE_LINK_ID.to_owned(),
        text: Some(text.to_owned()),
        kind: ItemType::Display,
        required: None,
        repeats: None,
        max_length: None,
        answer_option: Vec::new(),
    });
    let items = preamble
        .into_iter()
        .chain(def.items().iter().map(|item| question(def, item)))
        .collect();
    Questionnaire {
        resource_type: QuestionnaireType,
        id: Some(def.id().to_owned()),
        url: canonical(def),
        version: def.version().to_owned(),
        name: computable_name(def.id()),
        title: def.title().to_owned(),
        status: PublicationStatus::Active,
        copyright: Some(format!("{}\n\n{}", def.copyright(), def.licence())),
        code: def.loinc().map(loinc_coding).into_iter().collect(),
        item: items,
    }
}

fn question(def: &Definition, item: &Item) -> QuestionnaireItem {
    let mut q = QuestionnaireItem {
        extension: Vec::new(),
        link_id: item.id.clone(),
        text: item.text.clone(),
        kind: ItemType::Choice,
        required: Some(item.required),
        repeats: None,
        max_length: None,
        answer_option: Vec::new(),
    };
    match &item.response {
        Response::Options { options, multiple } => {
            q.repeats = multiple.then_some(true);
            q.answer_option = options
                .iter()
                .map(|c| AnswerOption {
                    value_coding: Coding {
                        system: Some(answer_system(def)),
                        code: c.value.to_string(),
                        display: Some(c.label.clone()),
                    },
                })
                .collect();
        }
        Response::Range { min, max, .. } if item.response.decimals() == 0 => {
            q.kind = ItemType::Integer;
            q.extension = vec![
                Extension {
                    url: MIN_VALUE.to_owned(),
                    value: ExtensionValue::Integer(*min as i64),
                },
                Extension {
                    url: MAX_VALUE.to_owned(),
                    value: ExtensionValue::Integer(*max as i64),
                },
            ];
        }
        Response::Range { min, max, .. } => {
            q.kind = ItemType::Decimal;
            q.extension = vec![
                Extension {
                    url: MIN_VALUE.to_owned(),
                    value: ExtensionValue::Decimal(*min),
                },
                Extension {
                    url: MAX_VALUE.to_owned(),
                    value: ExtensionValue::Decimal(*max),
                },
            ];
        }
        Response::Boolean => q.kind = ItemType::Boolean,
        Response::Text { max_length } => {
            q.kind = if *max_length > 255 {
                ItemType::Text
            } else {
                ItemType::String
            };
            q.max_length = Some(*max_length);
        }
    }
    q
}

/// Parsed answers as a completed QuestionnaireResponse about `subject` (`Patient/123`).
pub fn questionnaire_response(
    def: &Definition,
    answers: &Answers,
    subject: &str,
    authored: &FhirDateTime,
) -> QuestionnaireResponse {
    let item = def
        .items()
        .iter()
        .filter_map(|item| {
            let answer = values(def, item, answers.get(&item.id)?);
            (!answer.is_empty()).then(|| ResponseItem {
                link_id: item.id.clone(),
                text: item.text.clone(),
                answer,
            })
        })
        .collect();
    QuestionnaireResponse {
        resource_type: QuestionnaireResponseType,
        id: None,
        questionnaire: format!("{}|{}", canonical(def), def.version()),
        status: ResponseStatus::Completed,
        subject: Reference {
            reference: subject.to_owned(),
        },
        authored: authored.clone(),
        item,
    }
}

fn values(def: &Definition, item: &Item, answer: &Answer) -> Vec<AnswerValue> {
    let coding = |value: &ChoiceValue| {
        let label = match &item.response {
            Response::Options { options, .. } => options
                .iter()
                .find(|c| &c.value == value)
                .map(|c| c.label.clone()),
            _ => None,
        };
        AnswerValue::Coding(Coding {
            system: Some(answer_system(def)),
            code: value.to_string(),
            display: label,
        })
    };
    match answer {
        Answer::Number(x) if item.response.decimals() == 0 => {
            vec![AnswerValue::Integer(x.round() as i64)]
        }
        Answer::Number(x) => vec![AnswerValue::Decimal(*x)],
        Answer::Choice(value) => vec![coding(value)],
        Answer::Choices(list) => list.iter().map(coding).collect(),
        Answer::Boolean(b) => vec![AnswerValue::Boolean(*b)],
        Answer::Text(text) => vec![AnswerValue::String(text.clone())],
    }
}

/// One Observation per scored scale that has a LOINC code (others have no standard meaning
/// outside Rapport), optionally pointing at the QuestionnaireResponse it came from.
pub fn observations(
    def: &Definition,
    scored: &Scored,
    subject: &str,
    effective: &FhirDateTime,
    derived_from: Option<&str>,
) -> Vec<Observation> {
    def.scales()
        .iter()
        .filter_map(|scale| {
            let loinc = scale.loinc.as_ref()?;
            let score = scored.scale(&scale.id)?;
            let value = if scale.decimals == 0 {
                ObservationValue::Integer(score.value.round() as i64)
            } else {
                ObservationValue::Quantity(Quantity {
                    value: score.value,
                    unit: "score".to_owned(),
                    system: UCUM.to_owned(),
                    code: "{score}".to_owned(),
                })
            };
            Some(Observation {
                resource_type: ObservationType,
                id: None,
                status: ObservationStatus::Final,
                category: vec![CodeableConcept {
                    coding: vec![Coding {
                        system: Some(OBSERVATION_CATEGORY.to_owned()),
                        code: "survey".to_owned(),
                        display: Some("Survey".to_owned()),
                    }],
                    text: None,
                }],
                code: CodeableConcept {
                    coding: vec![loinc_coding(loinc)],
                    text: Some(scale.title.clone()),
                },
                subject: Reference {
                    reference: subject.to_owned(),
                },
                effective_date_time: effective.clone(),
                value,
                interpretation: score
                    .band
                    .iter()
                    .map(|band| CodeableConcept {
                        coding: Vec::new(),
                        text: Some(band.clone()),
                    })
                    .collect(),
                derived_from: derived_from
                    .map(|r| Reference {
                        reference: r.to_owned(),
                    })
                    .into_iter()
                    .collect(),
            })
        })
        .collect()
}

/// The system of a Patient identifier that holds a Rapport account id.
pub const CLIENT_IDENTIFIER: &str = "urn:rapport:client";

/// The `urn:uuid:` URL of a resource whose identity is `uuid`: its entry's `fullUrl`, and the
/// exact text every other entry of the Bundle references it by.
pub fn urn_uuid(uuid: &str) -> String {
    format!("urn:uuid:{uuid}")
}

/// The client as a Patient: the account id (as id and identifier) and their display name.
pub fn patient(account_id: &str, display_name: &str) -> Patient {
    Patient {
        resource_type: PatientType,
        id: Some(account_id.to_owned()),
        identifier: vec![Identifier {
            system: CLIENT_IDENTIFIER.to_owned(),
            value: account_id.to_owned(),
        }],
        name: (!display_name.trim().is_empty())
            .then(|| HumanName {
                text: display_name.trim().to_owned(),
            })
            .into_iter()
            .collect(),
    }
}

/// A Bundle entry: the resource with its `fullUrl`.
pub fn entry(full_url: String, resource: impl Into<Resource>) -> BundleEntry {
    BundleEntry {
        full_url: Some(full_url),
        resource: resource.into(),
    }
}

/// A collection Bundle of `entries`, assembled at `timestamp`, for a client's export. Check it
/// with [`bundle_problems`].
pub fn collection(
    entries: impl IntoIterator<Item = BundleEntry>,
    timestamp: FhirDateTime,
) -> Bundle {
    Bundle {
        resource_type: BundleType,
        kind: BundleKind::Collection,
        timestamp: Some(timestamp),
        entry: entries.into_iter().collect(),
    }
}

/// What keeps `bundle` from being imported as it is: an entry without a `fullUrl`, a `fullUrl`
/// used twice, or a reference that resolves to no entry (references are the `fullUrl` of the
/// entry they point at). Empty when the Bundle stands on its own.
pub fn bundle_problems(bundle: &Bundle) -> Vec<String> {
    let mut problems = Vec::new();
    let mut urls = std::collections::HashSet::new();
    for (i, e) in bundle.entry.iter().enumerate() {
        match &e.full_url {
            None => problems.push(format!("entry {i} has no fullUrl")),
            Some(url) if !urls.insert(url.as_str()) => {
                problems.push(format!("entry {i}: fullUrl {url} is used twice"))
            }
            Some(_) => {}
        }
    }
    for (i, e) in bundle.entry.iter().enumerate() {
        for r in e.resource.references() {
            if !urls.contains(r.reference.as_str()) {
                problems.push(format!(
                    "entry {i}: reference {} resolves to no entry",
                    r.reference
                ));
            }
        }
    }
    problems
}
