//! FHIR R4 resources from instruments, checked by an independent validator (fhir.resources).

use rapport_core::fhir::{
    AnswerValue, BundleEntry, FhirDateTime, ObservationValue, Resource, bundle_problems,
    collection, entry, observations, patient, questionnaire, questionnaire_response, urn_uuid,
};
use rapport_core::instrument::{Answers, Definition, Registry, Response, score_answers};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

const CLIENT_ID: &str = "0191a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b";
const SUBJECT: &str = "urn:uuid:0191a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b";

/// A made-up UUID for the `n`th resource of a test Bundle.
fn uuid(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn when() -> FhirDateTime {
    FhirDateTime::parse("2026-03-02T18:30:00+00:00").unwrap()
}

fn registry_with_licensed_text() -> Registry {
    let mut registry = Registry::builtin().unwrap();
    for id in ["wai-sr", "srs", "ors"] {
        let texts: Map<String, Value> = registry
            .get(id)
            .unwrap()
            .items()
            .iter()
            .map(|item| {
                (
                    item.id.clone(),
                    json!(format!("Licensed text for {}", item.id)),
                )
            })
            .collect();
        registry
            .install_licensed_text(id, &Value::Object(texts).to_string())
            .unwrap();
    }
    registry
}

/// A plausible answer to every item, derived from the definition alone.
fn sample_answers(def: &Definition) -> Answers {
    let raw: Map<String, Value> = def
        .items()
        .iter()
        .map(|item| {
            let value = match &item.response {
                Response::Options {
                    options,
                    multiple: false,
                } => json!(options[1].value),
                Response::Options {
                    options,
                    multiple: true,
                } => json!([options[0].value, options[2].value]),
                Response::Range { min, step, .. } => json!(min + step * 73.0),
                Response::Boolean => json!(true),
                Response::Text { .. } => json!("more structure, please"),
            };
            (item.id.clone(), value)
        })
        .collect();
    Answers::parse(def, &raw).unwrap_or_else(|e| panic!("{}: {e}", def.id()))
}

/// Every resource the instruments produce for one client, as JSON by file name, ending with
/// the Bundle that exports them together.
fn all_resources() -> Vec<(String, Value)> {
    let to_json = |r: &Resource| serde_json::to_value(r).unwrap();
    let mut out: Vec<(String, Value)> = Registry::builtin()
        .unwrap()
        .list()
        .iter()
        .map(|def| {
            (
                format!("questionnaire-{}-no-text", def.id()),
                to_json(&questionnaire(def).into()),
            )
        })
        .collect();
    let mut exported: Vec<BundleEntry> =
        vec![entry(SUBJECT.to_owned(), patient(CLIENT_ID, "Test Client"))];
    for def in registry_with_licensed_text().list() {
        let answers = sample_answers(def);
        let response_id = uuid(exported.len());
        let mut response = questionnaire_response(def, &answers, SUBJECT, &when());
        response.id = Some(response_id.clone());
        let derived = urn_uuid(&response_id);
        let scored = score_answers(def, &answers);
        let resources: Vec<Resource> = [questionnaire(def).into(), response.into()]
            .into_iter()
            .chain(
                observations(def, &scored, SUBJECT, &when(), Some(&derived))
                    .into_iter()
                    .map(Resource::from),
            )
            .collect();
        out.extend(
            resources
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("{}-{i}", def.id()), to_json(r))),
        );
        for r in resources {
            let url = match &r {
                Resource::QuestionnaireResponse(_) => derived.clone(),
                _ => urn_uuid(&uuid(exported.len() + 1000)),
            };
            exported.push(entry(url, r));
        }
    }
    let bundle = collection(exported, when());
    assert_eq!(bundle_problems(&bundle), Vec::<String>::new());
    out.push(("bundle".to_owned(), serde_json::to_value(bundle).unwrap()));
    out
}

fn temp_dir(label: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "rapport-fhir-{label}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

fn validator() -> Command {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut command = Command::new("python3");
    command.arg(repo.join("tests/fhir/validate_fhir.py"));
    command
}

fn run_validator(paths: &[PathBuf]) -> std::process::Output {
    validator().args(paths).output().unwrap_or_else(|e| {
        panic!("could not start python3 to validate FHIR (is Python 3 installed?): {e}")
    })
}

#[test]
fn every_questionnaire_response_observation_and_bundle_passes_the_fhir_validator() {
    let dir = temp_dir("all");
    let resources = all_resources();
    let (_, bundle) = resources.last().unwrap();
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 1 + 7 * 2 + 2);
    let paths: Vec<PathBuf> = resources
        .iter()
        .map(|(name, json)| write(&dir, name, json))
        .collect();
    let output = run_validator(&paths);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "FHIR validation failed:\n{report}");
    assert!(
        report.contains(&format!("{} file(s) valid", paths.len())),
        "{report}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_validator_rejects_an_observation_without_a_loinc_code() {
    let dir = temp_dir("bad");
    let registry = Registry::builtin().unwrap();
    let phq9 = registry.get("phq9").unwrap();
    let scored = score_answers(phq9, &sample_answers(phq9));
    let mut observation =
        serde_json::to_value(&observations(phq9, &scored, SUBJECT, &when(), None)[0]).unwrap();
    observation["code"] = json!({"text": "PHQ-9 total"});
    let output = run_validator(&[write(&dir, "no-loinc", &observation)]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("Observation has no LOINC code"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_phq9_questionnaire_carries_loinc_its_canonical_url_and_coded_options() {
    let registry = Registry::builtin().unwrap();
    let q = serde_json::to_value(questionnaire(registry.get("phq9").unwrap())).unwrap();
    assert_eq!(q["resourceType"], "Questionnaire");
    assert_eq!(q["url"], "urn:rapport:questionnaire:phq9");
    assert_eq!(
        (
            q["status"].as_str(),
            q["version"].as_str(),
            q["name"].as_str()
        ),
        (Some("active"), Some("1.0"), Some("Phq9"))
    );
    assert_eq!(
        q["code"][0],
        json!({"system": "http://loinc.org", "code": "44249-1", "display": "PHQ-9 quick depression assessment panel [Reported.PHQ]"})
    );
    assert_eq!(q["item"][0]["type"], "display");
    let item9 = &q["item"][9];
    assert_eq!(
        (item9["linkId"].as_str(), item9["type"].as_str()),
        (Some("q9"), Some("choice"))
    );
    assert_eq!(item9["answerOption"][3]["valueCoding"]["code"], "3");
    assert_eq!(
        item9["answerOption"][3]["valueCoding"]["display"],
        "Nearly every day"
    );
}

#[test]
fn licensed_questionnaires_have_no_item_text_until_it_is_installed() {
    let bare = serde_json::to_value(questionnaire(
        Registry::builtin().unwrap().get("srs").unwrap(),
    ))
    .unwrap();
    assert!(
        bare["item"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item.get("text").is_none())
    );
    assert_eq!(bare["item"][0]["type"], "decimal");
    let installed = serde_json::to_value(questionnaire(
        registry_with_licensed_text().get("srs").unwrap(),
    ))
    .unwrap();
    assert_eq!(
        installed["item"][0]["text"],
        "Licensed text for relationship"
    );
}

#[test]
fn responses_use_codings_for_options_and_decimals_for_lines() {
    let registry = registry_with_licensed_text();
    let rac = registry.get("rac").unwrap();
    let response = questionnaire_response(rac, &sample_answers(rac), SUBJECT, &when());
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json["questionnaire"], "urn:rapport:questionnaire:rac|1.0");
    assert_eq!(json["status"], "completed");
    assert_eq!(json["subject"]["reference"], SUBJECT);
    let flags = response.item.iter().find(|i| i.link_id == "flags").unwrap();
    assert_eq!(flags.answer.len(), 2);
    let srs = registry.get("srs").unwrap();
    let srs_response = questionnaire_response(srs, &sample_answers(srs), SUBJECT, &when());
    assert_eq!(srs_response.item[0].answer, [AnswerValue::Decimal(7.3)]);
}

#[test]
fn observations_exist_only_for_scales_with_a_loinc_code() {
    let registry = registry_with_licensed_text();
    let count = |id: &str| {
        let def = registry.get(id).unwrap();
        observations(
            def,
            &score_answers(def, &sample_answers(def)),
            SUBJECT,
            &when(),
            None,
        )
        .len()
    };
    assert_eq!((count("phq9"), count("gad7")), (1, 1));
    for id in ["rac", "cnip", "wai-sr", "srs", "ors"] {
        assert_eq!(count(id), 0, "{id}");
    }
    let phq9 = registry.get("phq9").unwrap();
    let scored = score_answers(phq9, &sample_answers(phq9));
    let obs = &observations(
        phq9,
        &scored,
        SUBJECT,
        &when(),
        Some("QuestionnaireResponse/r1"),
    )[0];
    assert_eq!(obs.value, ObservationValue::Integer(9));
    let json = serde_json::to_value(obs).unwrap();
    assert_eq!(json["code"]["coding"][0]["code"], "44261-6");
    assert_eq!(json["valueInteger"], 9);
    assert_eq!(json["status"], "final");
    assert_eq!(json["effectiveDateTime"], "2026-03-02T18:30:00+00:00");
    assert_eq!(json["interpretation"][0]["text"], "mild");
    assert_eq!(
        json["derivedFrom"][0]["reference"],
        "QuestionnaireResponse/r1"
    );
}

#[test]
fn fhir_date_times_need_a_zone_when_they_have_a_time() {
    for good in [
        "2026",
        "2026-03",
        "2026-03-02",
        "2026-03-02T18:30:00Z",
        "2026-03-02T18:30:00.123+01:00",
    ] {
        assert!(FhirDateTime::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "2026-3-2",
        "2026-13-01",
        "2026-03-02T18:30:00",
        "2026-03-02T25:00:00Z",
        "02/03/2026",
    ] {
        assert!(FhirDateTime::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn fhir_dates_must_be_days_the_calendar_has() {
    for bad in [
        "2026-02-31",
        "2026-02-29T10:00:00Z",
        "2026-04-31",
        "1900-02-29",
    ] {
        let e = FhirDateTime::parse(bad).unwrap_err();
        assert_eq!(e.0[0].field, "date_time", "{bad}");
    }
    assert!(
        FhirDateTime::parse("2028-02-29T10:00:00Z").is_ok(),
        "leap day"
    );
}

#[test]
fn a_questionnaire_response_read_from_outside_is_refused_when_authored_is_not_a_real_day() {
    let registry = registry_with_licensed_text();
    let def = registry.get("phq9").unwrap();
    let response = rapport_core::fhir::questionnaire_response(
        def,
        &sample_answers(def),
        "Patient/p-1",
        &when(),
    );
    let mut json = serde_json::to_value(&response).unwrap();
    let back: rapport_core::fhir::QuestionnaireResponse =
        serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, response, "a real date-time reads back");
    json["authored"] = serde_json::json!("2026-02-31T18:30:00Z");
    let err = serde_json::from_value::<rapport_core::fhir::QuestionnaireResponse>(json)
        .unwrap_err()
        .to_string();
    assert!(err.contains("real calendar date"), "{err}");
}

#[test]
fn a_bundle_names_each_entry_without_a_full_url_each_url_used_twice_and_each_dangling_reference() {
    let registry = Registry::builtin().unwrap();
    let phq9 = registry.get("phq9").unwrap();
    let answers = sample_answers(phq9);
    let response = questionnaire_response(phq9, &answers, SUBJECT, &when());
    let scored = score_answers(phq9, &answers);
    let observation = observations(
        phq9,
        &scored,
        "Patient/elsewhere",
        &when(),
        Some("urn:uuid:gone"),
    )
    .remove(0);
    let mut bundle = collection(
        [
            entry(SUBJECT.to_owned(), patient(CLIENT_ID, "")),
            entry(urn_uuid(&uuid(1)), response.clone()),
            entry(urn_uuid(&uuid(1)), response),
            entry(urn_uuid(&uuid(2)), observation),
        ],
        when(),
    );
    bundle.entry[0].full_url = None;
    let problems = bundle_problems(&bundle);
    assert_eq!(
        problems,
        vec![
            "entry 0 has no fullUrl".to_owned(),
            format!("entry 2: fullUrl urn:uuid:{} is used twice", uuid(1)),
            format!("entry 1: reference {SUBJECT} resolves to no entry"),
            format!("entry 2: reference {SUBJECT} resolves to no entry"),
            "entry 3: reference Patient/elsewhere resolves to no entry".to_owned(),
            "entry 3: reference urn:uuid:gone resolves to no entry".to_owned(),
        ]
    );
}

#[test]
fn a_patient_carries_the_account_id_as_identifier_and_a_blank_name_is_left_out() {
    let p = serde_json::to_value(patient(CLIENT_ID, "  ")).unwrap();
    assert_eq!(
        p,
        json!({"resourceType": "Patient", "id": CLIENT_ID, "identifier": [{"system": "urn:rapport:client", "value": CLIENT_ID}]})
    );
    let named = serde_json::to_value(patient(CLIENT_ID, " Ada ")).unwrap();
    assert_eq!(named["name"], json!([{"text": "Ada"}]));
}
