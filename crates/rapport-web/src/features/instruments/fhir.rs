//! A stored result as FHIR R4: its QuestionnaireResponse and an Observation per scored total
//! with a LOINC code, in one collection Bundle the client can take to another service.

use rapport_core::Invalid;
use rapport_core::care::clock::civil_from_days;
use rapport_core::fhir::{self, Bundle, FhirDateTime, Resource};
use rapport_core::instrument::{Answers, Definition, score_answers};
use rapport_store::instruments::StoredResponse;

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

/// The FHIR reference of a client, the subject of everything they answered.
pub fn subject(client_id: &str) -> String {
    format!("Patient/{client_id}")
}

/// The stored answers re-read against `def`, scored again, and written as a Bundle: the
/// QuestionnaireResponse (with the stored id) and its Observations pointing back at it.
pub fn bundle(def: &Definition, stored: &StoredResponse) -> Result<Bundle, AppError> {
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
    let subject = subject(&stored.client_id);
    let authored = date_time(stored.created_at).map_err(|e| {
        AppError::Internal(format!("stored response {} has a bad time: {e}", stored.id))
    })?;
    let mut response = fhir::questionnaire_response(def, &answers, &subject, &authored);
    response.id = Some(stored.id.clone());
    let derived_from = format!("QuestionnaireResponse/{}", stored.id);
    let observations = fhir::observations(def, &scored, &subject, &authored, Some(&derived_from));
    Ok(fhir::bundle(
        std::iter::once(Resource::from(response))
            .chain(observations.into_iter().map(Resource::from)),
    ))
}
