//! FHIR R4 (4.0.1) resources, as far as Rapport uses them, in their JSON shape.
//!
//! Our own small structs rather than a FHIR crate: Rapport writes four resource types, and plain
//! serde keeps the core free of a large dependency. Tests check the output with an independent
//! validator (`tests/fhir/validate_fhir.py`).

use super::FhirDateTime;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! resource_type {
    ($name:ident, $text:literal) => {
        #[doc = concat!("The fixed `resourceType` \"", $text, "\"; refuses any other on reading.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name;

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($text)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                if text == $text {
                    Ok($name)
                } else {
                    Err(D::Error::custom(format!(
                        "expected resourceType {}, found {text}",
                        $text
                    )))
                }
            }
        }
    };
}

resource_type!(QuestionnaireType, "Questionnaire");
resource_type!(QuestionnaireResponseType, "QuestionnaireResponse");
resource_type!(ObservationType, "Observation");
resource_type!(BundleType, "Bundle");
resource_type!(PatientType, "Patient");

/// A code from a code system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    /// The code system's URI (`http://loinc.org`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub system: Option<String>,
    /// The code within the system.
    pub code: String,
    /// The code's meaning in words, for systems that do not know it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub display: Option<String>,
}

/// A concept given as codes and/or text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeableConcept {
    /// The codes, possibly from several systems.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub coding: Vec<Coding>,
    /// The concept in words.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
}

/// A link to another resource (`Patient/123`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// A relative or absolute reference.
    pub reference: String,
}

/// A measured amount with a UCUM unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// The amount.
    pub value: f64,
    /// The unit for people.
    pub unit: String,
    /// The unit system (UCUM).
    pub system: String,
    /// The unit code (`{score}`).
    pub code: String,
}

/// A standard FHIR extension with a numeric value (minValue, maxValue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extension {
    /// The extension's definition URL.
    pub url: String,
    /// The extension's value.
    #[serde(flatten)]
    pub value: ExtensionValue,
}

/// The value of an [`Extension`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExtensionValue {
    /// A whole number.
    #[serde(rename = "valueInteger")]
    Integer(i64),
    /// A decimal number.
    #[serde(rename = "valueDecimal")]
    Decimal(f64),
}

/// Whether a Questionnaire may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PublicationStatus {
    /// Not yet for use.
    Draft,
    /// In use.
    Active,
    /// No longer for use.
    Retired,
}

/// An instrument as a FHIR form definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Questionnaire {
    /// Always "Questionnaire".
    pub resource_type: QuestionnaireType,
    /// The logical id (the instrument id).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// The canonical URL responses point at.
    pub url: String,
    /// The definition's version.
    pub version: String,
    /// A computer-friendly name (`Phq9`).
    pub name: String,
    /// The human title.
    pub title: String,
    /// Always active for loaded definitions.
    pub status: PublicationStatus,
    /// Copyright and licence, shown with the form.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub copyright: Option<String>,
    /// The LOINC panel code, when there is one.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub code: Vec<Coding>,
    /// The questions (and the preamble as a display item).
    pub item: Vec<QuestionnaireItem>,
}

/// The kind of a Questionnaire item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemType {
    /// Text shown, not answered.
    Display,
    /// Yes/no.
    Boolean,
    /// A decimal number.
    Decimal,
    /// A whole number.
    Integer,
    /// A short text.
    String,
    /// A long text.
    Text,
    /// One (or, with `repeats`, several) of the answer options.
    Choice,
}

/// One question of a Questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireItem {
    /// Standard extensions (minValue, maxValue for ranges).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub extension: Vec<Extension>,
    /// The item id.
    pub link_id: String,
    /// The question; absent when licensed text is not installed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
    /// The kind of answer.
    #[serde(rename = "type")]
    pub kind: ItemType,
    /// Whether an answer is needed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub required: Option<bool>,
    /// Whether several answers are allowed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub repeats: Option<bool>,
    /// The longest text answer allowed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_length: Option<usize>,
    /// The options of a choice item.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub answer_option: Vec<AnswerOption>,
}

/// One option of a choice item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerOption {
    /// The option's code and label.
    pub value_coding: Coding,
}

/// Whether a response is finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseStatus {
    /// Still being filled in.
    InProgress,
    /// Finished.
    Completed,
}

/// A person's answers to a Questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponse {
    /// Always "QuestionnaireResponse".
    pub resource_type: QuestionnaireResponseType,
    /// The logical id, set by whoever stores it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// The Questionnaire's canonical URL with `|version`.
    pub questionnaire: String,
    /// Completed for scored responses.
    pub status: ResponseStatus,
    /// Whom the answers are about (`Patient/123`).
    pub subject: Reference,
    /// When the answers were given; a resource read from outside is refused when this is not a
    /// real date-time (`2026-02-31` is not).
    pub authored: FhirDateTime,
    /// One entry per answered item.
    pub item: Vec<ResponseItem>,
}

/// The answers to one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseItem {
    /// The item id.
    pub link_id: String,
    /// The question as it was asked, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
    /// At least one answer.
    pub answer: Vec<AnswerValue>,
}

/// One answer value, written as FHIR's `value[x]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AnswerValue {
    /// A yes/no answer.
    #[serde(rename = "valueBoolean")]
    Boolean(bool),
    /// A decimal answer.
    #[serde(rename = "valueDecimal")]
    Decimal(f64),
    /// A whole-number answer.
    #[serde(rename = "valueInteger")]
    Integer(i64),
    /// A text answer.
    #[serde(rename = "valueString")]
    String(String),
    /// A chosen option.
    #[serde(rename = "valueCoding")]
    Coding(Coding),
}

/// Whether an Observation is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObservationStatus {
    /// Not yet final.
    Preliminary,
    /// Complete and verified.
    Final,
}

/// A scored total, as a coded measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    /// Always "Observation".
    pub resource_type: ObservationType,
    /// The logical id, set by whoever stores it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// Final for scores computed from completed responses.
    pub status: ObservationStatus,
    /// `survey`.
    pub category: Vec<CodeableConcept>,
    /// The LOINC code of the score.
    pub code: CodeableConcept,
    /// Whom the score is about.
    pub subject: Reference,
    /// When the answers were given, checked like `authored`.
    pub effective_date_time: FhirDateTime,
    /// The score.
    #[serde(flatten)]
    pub value: ObservationValue,
    /// The band label, as text.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub interpretation: Vec<CodeableConcept>,
    /// The QuestionnaireResponse the score was computed from.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub derived_from: Vec<Reference>,
}

/// The value of an Observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ObservationValue {
    /// A whole-number score.
    #[serde(rename = "valueInteger")]
    Integer(i64),
    /// A score with decimals.
    #[serde(rename = "valueQuantity")]
    Quantity(Quantity),
}

/// An identifier of a person in a system (`urn:rapport:client` and the account id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    /// The namespace of the value.
    pub system: String,
    /// The identifier itself.
    pub value: String,
}

/// A name of a person, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HumanName {
    /// The whole name as the person gave it (Rapport keeps one display name, never parts).
    pub text: String,
}

/// The client, as the subject every exported response and score points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    /// Always "Patient".
    pub resource_type: PatientType,
    /// The logical id (the account id).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// The account id in Rapport's namespace, so an importing system can match the person again.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub identifier: Vec<Identifier>,
    /// The display name, when there is one.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub name: Vec<HumanName>,
}

/// Any resource Rapport writes, for bundling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Resource {
    /// The person the data is about.
    Patient(Patient),
    /// A form definition.
    Questionnaire(Questionnaire),
    /// A set of answers.
    QuestionnaireResponse(QuestionnaireResponse),
    /// A scored total.
    Observation(Observation),
}

/// The kind of a Bundle; Rapport only writes collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BundleKind {
    /// A set of resources with no processing rules (an export).
    Collection,
}

/// Several resources in one document, such as a client's export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    /// Always "Bundle".
    pub resource_type: BundleType,
    /// Always collection.
    #[serde(rename = "type")]
    pub kind: BundleKind,
    /// When the Bundle was assembled (an instant: date, time and zone).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timestamp: Option<FhirDateTime>,
    /// The resources.
    pub entry: Vec<BundleEntry>,
}

/// One resource in a Bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntry {
    /// The entry's absolute URL (`urn:uuid:…`), unique in the Bundle; references to the
    /// resource from other entries use exactly this text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub full_url: Option<String>,
    /// The resource.
    pub resource: Resource,
}

impl From<Patient> for Resource {
    fn from(r: Patient) -> Self {
        Resource::Patient(r)
    }
}

impl From<Questionnaire> for Resource {
    fn from(r: Questionnaire) -> Self {
        Resource::Questionnaire(r)
    }
}

impl From<QuestionnaireResponse> for Resource {
    fn from(r: QuestionnaireResponse) -> Self {
        Resource::QuestionnaireResponse(r)
    }
}

impl From<Observation> for Resource {
    fn from(r: Observation) -> Self {
        Resource::Observation(r)
    }
}

impl Resource {
    /// Every reference the resource makes to another resource (subjects, `derivedFrom`).
    pub fn references(&self) -> Vec<&Reference> {
        match self {
            Resource::Patient(_) | Resource::Questionnaire(_) => Vec::new(),
            Resource::QuestionnaireResponse(r) => vec![&r.subject],
            Resource::Observation(o) => std::iter::once(&o.subject)
                .chain(o.derived_from.iter())
                .collect(),
        }
    }
}
