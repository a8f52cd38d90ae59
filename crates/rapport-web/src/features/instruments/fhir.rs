//! A stored result as FHIR R4: its QuestionnaireResponse and an Observation per scored total
//! with a LOINC code, in a collection Bundle that stands on its own: the client is in it as a
//! Patient and the instrument as a Questionnaire, every entry has a `urn:uuid:` fullUrl, and
//! every reference is the fullUrl of another entry, so a clinical system can import it as it is.

use rapport_core::Invalid;
use rapport_core::care::clock::civil_from_days;
use rapport_core::fhir::{self, Bundle, BundleEntry, FhirDateTime};
use rapport_core::instrument::{Answers, Definition, score_answers};
use rapport_store::instruments::StoredResponse;
use rapport_store::now_ms;
use rapport_store::users::User;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Unix milliseconds as a FHIR `dateTime` in UTC, to the second (`2026-03-02T18:30:00Z`); only
/// times outside the years 1 to 9999 are refused.
pub fn date_time(ms: i64) -> Result<FhirDateTime, Invalid> {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let text = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    );
    FhirDateTime::parse(&text)
}

/// A UUID named by `name`: the same name gives the same UUID in every export (so re-importing
/// an export updates rather than duplicates), different names different ones. Version 8
/// (RFC 9562, custom) over the first 16 bytes of SHA-256; for resources that have no stored id
/// of their own (scores, definitions).
pub fn named_uuid(name: &str) -> String {
    let digest = Sha256::digest(format!("rapport-fhir:{name}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// The client as the Bundle's Patient entry; its fullUrl is what every subject points at.
pub fn patient_entry(user: &User) -> BundleEntry {
    fhir::entry(
        fhir::urn_uuid(&user.id),
        fhir::patient(&user.id, &user.display_name),
    )
}

/// An instrument's Questionnaire as a Bundle entry (one per instrument and version).
pub fn questionnaire_entry(def: &Definition) -> BundleEntry {
    let name = format!("questionnaire:{}|{}", fhir::canonical(def), def.version());
    fhir::entry(fhir::urn_uuid(&named_uuid(&name)), fhir::questionnaire(def))
}

/// The stored answers re-read against `def`, scored again, and written as Bundle entries about
/// the Patient at `patient_url`: the QuestionnaireResponse (with the stored id) and its
/// Observations, each `derivedFrom` the response.
pub fn response_entries(
    def: &Definition,
    stored: &StoredResponse,
    patient_url: &str,
) -> Result<Vec<BundleEntry>, AppError> {
    let raw = stored.answers.as_object().ok_or_else(|| {
        AppError::Internal(format!(
            "stored response {} has no answer object",
            stored.id
        ))
    })?;
    let answers = Answers::parse(def, raw).map_err(|e| {
        AppError::Internal(format!(
            "stored response {} no longer parses: {e}",
            stored.id
        ))
    })?;
    let scored = score_answers(def, &answers);
    let authored = date_time(stored.created_at).map_err(|e| {
        AppError::Internal(format!("stored response {} has a bad time: {e}", stored.id))
    })?;
    let mut response = fhir::questionnaire_response(def, &answers, patient_url, &authored);
    response.id = Some(stored.id.clone());
    let response_url = fhir::urn_uuid(&stored.id);
    let observations =
        fhir::observations(def, &scored, patient_url, &authored, Some(&response_url));
    let mut out = vec![fhir::entry(response_url, response)];
    for (i, mut o) in observations.into_iter().enumerate() {
        let code = o.code.coding.first().map_or("", |c| c.code.as_str());
        let id = named_uuid(&format!("observation:{}:{i}:{code}", stored.id));
        o.id = Some(id.clone());
        out.push(fhir::entry(fhir::urn_uuid(&id), o));
    }
    Ok(out)
}

/// One stored result as a Bundle that stands on its own: the Patient, the Questionnaire, the
/// QuestionnaireResponse and its Observations.
pub fn bundle(
    def: &Definition,
    stored: &StoredResponse,
    client: &User,
) -> Result<Bundle, AppError> {
    let patient = patient_entry(client);
    let patient_url = patient.full_url.clone().unwrap_or_default();
    let mut entries = vec![patient, questionnaire_entry(def)];
    entries.extend(response_entries(def, stored, &patient_url)?);
    Ok(fhir::collection(entries, now()?))
}

/// Now, as the Bundle's timestamp.
pub fn now() -> Result<FhirDateTime, AppError> {
    date_time(now_ms()).map_err(|e| AppError::Internal(format!("the clock reads badly: {e}")))
}
