//! FHIR R4 shapes for instruments: Questionnaire, QuestionnaireResponse, Observation, Bundle.
//!
//! Clients own their data and may take it to another service; FHIR is the format health
//! systems read. Each instrument definition becomes a `Questionnaire`, each set of answers a
//! `QuestionnaireResponse`, each score with a LOINC code an `Observation`, and an export a
//! `Bundle` of type collection.

mod build;
mod datetime;
mod resources;

pub use build::{
    CANONICAL_PREFIX, CLIENT_IDENTIFIER, LOINC, bundle_problems, canonical, collection, entry,
    observations, patient, questionnaire, questionnaire_response, urn_uuid,
};
pub use datetime::FhirDateTime;
pub use resources::{
    AnswerOption, AnswerValue, Bundle, BundleEntry, BundleKind, BundleType, CodeableConcept,
    Coding, Extension, ExtensionValue, HumanName, Identifier, ItemType, Observation,
    ObservationStatus, ObservationType, ObservationValue, Patient, PatientType, PublicationStatus,
    Quantity, Questionnaire, QuestionnaireItem, QuestionnaireResponse, QuestionnaireResponseType,
    QuestionnaireType, Reference, Resource, ResponseItem, ResponseStatus,
};
