//! `rapport instrument` and `rapport change` as a clinician or researcher runs them: the built
//! binary on real files, checked for its output, its refusals and its exit status.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh folder for one test's files and data.
fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir =
        std::env::temp_dir().join(format!("rapport-cli-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary with `args`, with no `RAPPORT_` settings from the environment.
fn rapport(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rapport"));
    for (key, _) in std::env::vars() {
        if key.starts_with("RAPPORT_") {
            cmd.env_remove(key);
        }
    }
    cmd.args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "failed: {}", stderr(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

fn write(dir: &Path, name: &str, contents: &str) -> String {
    let file = dir.join(name);
    std::fs::write(&file, contents).unwrap();
    file.to_str().unwrap().to_owned()
}

/// Runs the Python FHIR validator on `value`; fails loudly if python3 or its package is missing.
fn validate_fhir(value: &Value, dir: &Path, name: &str) {
    let file = write(dir, name, &serde_json::to_string_pretty(value).unwrap());
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fhir/validate_fhir.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 for the FHIR validator: {e}"));
    assert!(
        out.status.success(),
        "{name} is not valid FHIR (exit {:?}):\n{}{}",
        out.status.code(),
        stdout(&out),
        stderr(&out)
    );
}

/// The text status column of each instrument in `instrument list`.
fn statuses(listing: &str) -> Vec<(String, String)> {
    listing
        .lines()
        .skip(1)
        .map(|line| {
            let id = line.split_whitespace().next().unwrap().to_owned();
            let status = if line.ends_with("text not installed") {
                "text not installed"
            } else {
                line.split_whitespace().last().unwrap()
            };
            (id, status.to_owned())
        })
        .collect()
}

#[test]
fn list_shows_every_instrument_with_its_version_and_text_status_and_creates_nothing() {
    let dir = temp_dir("list");
    let data = dir.join("data");
    let out = rapport(&["instrument", "list", "--data-dir", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("id "), "{text}");
    assert!(text.contains("Patient Health Questionnaire (PHQ-9)"));
    let found = statuses(&text);
    let expected: Vec<(String, String)> = [
        ("rac", "shipped"),
        ("phq9", "shipped"),
        ("gad7", "shipped"),
        ("cnip", "shipped"),
        ("wai-sr", "text not installed"),
        ("srs", "text not installed"),
        ("ors", "text not installed"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(found, expected);
    assert!(text.lines().skip(1).all(|l| l.contains(" 1.0 ")), "{text}");
    assert!(!data.exists(), "listing needs no database and makes none");
}

#[test]
fn show_prints_the_definition_and_with_fhir_a_questionnaire_that_validates() {
    let dir = temp_dir("show");
    let def = json(&rapport(&["instrument", "show", "gad7"]));
    assert_eq!(def["id"], "gad7");
    assert_eq!(def["items"].as_array().unwrap().len(), 7);
    assert_eq!(
        def["items"][0]["response"]["options"][0]["label"], "Not at all",
        "the zero anchor, not the common misprint"
    );
    assert_eq!(def["text_status"], "shipped");

    let questionnaire = json(&rapport(&["instrument", "show", "phq9", "--fhir"]));
    assert_eq!(questionnaire["resourceType"], "Questionnaire");
    assert_eq!(questionnaire["code"][0]["code"], "44249-1");
    validate_fhir(&questionnaire, &dir, "phq9-questionnaire.json");

    let out = rapport(&["instrument", "show", "phq10"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("phq10: no instrument has this id"));
}

#[test]
fn score_prints_scores_bands_and_flags_and_with_fhir_a_response_that_validates() {
    let dir = temp_dir("score");
    let answers = write(
        &dir,
        "answers.json",
        r#"{"q1": 3, "q2": 3, "q3": 2, "q4": 2, "q5": 2, "q6": 1, "q7": 1, "q8": 1, "q9": 1}"#,
    );
    let scored = json(&rapport(&["instrument", "score", "phq9", &answers]));
    assert_eq!(scored["instrument"], "phq9");
    assert_eq!(scored["scores"][0]["id"], "total");
    assert_eq!(scored["scores"][0]["value"], 16.0);
    assert_eq!(scored["scores"][0]["band"], "moderately severe");
    assert_eq!(scored["scores"][0]["cutoffs"]["caseness"], true);
    assert_eq!(scored["flags"], serde_json::json!(["crisis"]));
    assert_eq!(scored["crisis"], true);

    let response = json(&rapport(&[
        "instrument",
        "score",
        "phq9",
        &answers,
        "--fhir",
        "--subject",
        "Patient/p-1",
        "--authored",
        "2026-03-02T18:30:00Z",
    ]));
    assert_eq!(response["resourceType"], "QuestionnaireResponse");
    assert_eq!(response["authored"], "2026-03-02T18:30:00Z");
    assert_eq!(response["subject"]["reference"], "Patient/p-1");
    assert_eq!(response["item"].as_array().unwrap().len(), 9);
    validate_fhir(&response, &dir, "phq9-response.json");

    let now = json(&rapport(&[
        "instrument",
        "score",
        "phq9",
        &answers,
        "--fhir",
    ]));
    validate_fhir(&now, &dir, "phq9-response-now.json");

    let srs = write(
        &dir,
        "srs.json",
        r#"{"relationship": 8.5, "goals": 9.0, "approach": 8.8, "overall": 9.1}"#,
    );
    let scored = json(&rapport(&["instrument", "score", "srs", &srs]));
    assert_eq!(scored["scores"][0]["value"], 35.4);
    assert_eq!(
        scored["scores"][0]["cutoffs"]["concern"], true,
        "licensed measures score without their text"
    );
}

#[test]
fn score_refuses_bad_answers_with_one_line_per_problem_and_nothing_on_stdout() {
    let dir = temp_dir("score-bad");
    let answers = write(
        &dir,
        "answers.json",
        r#"{"q1": 4, "q2": "often", "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q10": 1}"#,
    );
    let out = rapport(&["instrument", "score", "phq9", &answers]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let lines: Vec<String> = stderr(&out).lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            "q1: must be a whole number from 0 to 3",
            "q2: must be a whole number from 0 to 3",
            "q9: is required: must be a whole number from 0 to 3",
            "q10: is not an item of Patient Health Questionnaire (PHQ-9)",
        ],
        "in the order of the items, then the unknown ones"
    );

    let not_an_object = write(&dir, "list.json", "[1, 2, 3]");
    let out = rapport(&["instrument", "score", "gad7", &not_an_object]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("must be a JSON object"),
        "{}",
        stderr(&out)
    );

    let not_json = write(&dir, "broken.json", "{\"q1\": ");
    let out = rapport(&["instrument", "score", "gad7", &not_json]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not JSON"));

    let out = rapport(&[
        "instrument",
        "score",
        "gad7",
        dir.join("missing.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read"));
}

#[test]
fn change_reproduces_the_published_reliable_change_example() {
    let out = rapport(&["change", "--sd", "7.6", "--reliability", "0.95"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("SE         1.699"), "{text}");
    assert!(text.contains("S_diff     2.403"), "{text}");
    assert!(text.contains("threshold  4.71 "), "{text}");
    assert!(!text.contains("RC"), "no scores, no RC: {text}");

    let out = rapport(&[
        "change",
        "--sd",
        "7.6",
        "--reliability",
        "0.95",
        "--before",
        "20",
        "--after",
        "13",
        "--lower-is-better",
    ]);
    let text = stdout(&out);
    assert!(text.contains("RC         -2.91"), "{text}");
    assert!(text.contains("verdict    reliable improvement"), "{text}");

    let within = rapport(&[
        "change",
        "--sd",
        "7.6",
        "--reliability",
        "0.95",
        "--before",
        "20",
        "--after",
        "16",
    ]);
    assert!(stdout(&within).contains("verdict    no reliable change"));
    let up = rapport(&[
        "change",
        "--sd",
        "7.6",
        "--reliability",
        "0.95",
        "--before",
        "13",
        "--after",
        "20",
    ]);
    assert!(stdout(&up).contains("verdict    reliable increase"));

    let v = json(&rapport(&[
        "change",
        "--sd",
        "7.6",
        "--reliability",
        "0.95",
        "--before",
        "13",
        "--after",
        "20",
        "--lower-is-better",
        "--format",
        "json",
    ]));
    assert!((v["se"].as_f64().unwrap() - 1.699).abs() < 0.0005);
    assert!((v["s_diff"].as_f64().unwrap() - 2.403).abs() < 0.0005);
    assert!((v["threshold"].as_f64().unwrap() - 4.71).abs() < 0.005);
    assert_eq!(v["verdict"], "reliable deterioration");
}

#[test]
fn change_refuses_a_reliability_outside_0_to_1_or_a_non_positive_sd() {
    for (sd, r, field) in [
        ("7.6", "1", "--reliability"),
        ("7.6", "0", "--reliability"),
        ("7.6", "1.5", "--reliability"),
        ("7.6", "-0.2", "--reliability"),
        ("0", "0.9", "--sd"),
        ("-3", "0.9", "--sd"),
        ("NaN", "0.9", "--sd"),
    ] {
        let out = rapport(&["change", "--sd", sd, "--reliability", r]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "sd {sd}, r {r}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty());
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with(field), "sd {sd}, r {r}: {err}");
        assert!(err.contains("must be a number above 0"), "{err}");
    }
    let out = rapport(&["change", "--sd", "0", "--reliability", "2"]);
    assert_eq!(stderr(&out).lines().count(), 2, "both problems named");
    let out = rapport(&[
        "change",
        "--sd",
        "7.6",
        "--reliability",
        "0.9",
        "--before",
        "3",
    ]);
    assert!(!out.status.success(), "--before needs --after");
    assert!(stderr(&out).contains("--after"));
}

const SRS_TEXT: &str = r#"{
  "relationship": "Licensed wording of the relationship line",
  "goals": "Licensed wording of the goals and topics line",
  "approach": "Licensed wording of the approach or method line",
  "overall": "Licensed wording of the overall line"
}"#;

/// Installs text with the CLI against `storage` (database flags), then lists and shows.
fn install_text_then_list(storage: &[&str], dir: &Path) {
    let with = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(storage);
        rapport(&all)
    };
    let partial = write(
        dir,
        "partial.json",
        r#"{"relationship": "a", "goals": "", "approach": "c", "mood": "d"}"#,
    );
    let out = with(&["instrument", "install-text", "srs", &partial]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for item in [
        "goals: must be non-empty text",
        "mood: is not an item of srs",
        "overall: has no text",
    ] {
        assert!(err.contains(item), "{item} in {err}");
    }
    assert!(err.lines().all(|l| l.starts_with(&partial)), "{err}");

    let shipped = write(dir, "phq9-text.json", r#"{"q1": "x"}"#);
    let out = with(&["instrument", "install-text", "phq9", &shipped]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("ships its own text"));

    let before = with(&["instrument", "list"]);
    assert!(statuses(&stdout(&before)).contains(&("srs".into(), "text not installed".into())));

    let good = write(dir, "srs-text.json", SRS_TEXT);
    let out = with(&["instrument", "install-text", "srs", &good]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("installed licensed text for Session Rating Scale"));

    let after = stdout(&with(&["instrument", "list"]));
    let found = statuses(&after);
    assert!(
        found.contains(&("srs".into(), "installed".into())),
        "{after}"
    );
    assert!(
        found.contains(&("ors".into(), "text not installed".into())),
        "{after}"
    );
    let def = json(&with(&["instrument", "show", "srs"]));
    assert_eq!(
        def["items"][3]["text"],
        "Licensed wording of the overall line"
    );
    assert_eq!(def["offerable"], true);
}

#[test]
fn install_text_stores_licensed_text_for_the_site_on_sqlite() {
    let dir = temp_dir("install");
    let data = dir.join("data");
    install_text_then_list(&["--data-dir", data.to_str().unwrap()], &dir);
}

#[test]
fn install_text_stores_licensed_text_for_the_site_on_postgres() {
    let Some(url) = std::env::var("RAPPORT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but RAPPORT_TEST_POSTGRES_URL is not set"
        );
        eprintln!("skipped: RAPPORT_TEST_POSTGRES_URL is not set");
        return;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = temp_dir("install-pg");
    let schema = format!(
        "cli_{}",
        dir.file_name().unwrap().to_str().unwrap().replace('-', "_")
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime
        .block_on(rapport_store::Db::connect_postgres_schema(&url, &schema))
        .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{separator}options=-c%20search_path%3D{schema}");
    install_text_then_list(
        &[
            "--database-url",
            &scoped,
            "--data-dir",
            dir.join("data").to_str().unwrap(),
        ],
        &dir,
    );
    let installed: Vec<String> = runtime
        .block_on(rapport_store::instruments::texts(&db))
        .unwrap()
        .into_iter()
        .map(|t| t.instrument_id)
        .collect();
    assert_eq!(installed, ["srs"], "stored in the test's own schema");
    runtime.block_on(db.close());
}

#[test]
fn score_refuses_an_authored_day_the_calendar_does_not_have_naming_the_flag() {
    let dir = temp_dir("score-authored");
    let answers = write(
        &dir,
        "answers.json",
        r#"{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 1, "q9": 0}"#,
    );
    for authored in [
        "2026-02-31",
        "2026-02-31T18:30:00Z",
        "2026-04-31T09:00:00+01:00",
    ] {
        let out = rapport(&[
            "instrument",
            "score",
            "phq9",
            &answers,
            "--fhir",
            "--authored",
            authored,
        ]);
        assert!(!out.status.success(), "{authored} was accepted");
        assert!(stdout(&out).is_empty(), "{authored}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("--authored") && err.contains("real calendar date"),
            "{authored}: {err}"
        );
    }
}
