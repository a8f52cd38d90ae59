//! `rapport assess` on files: the offline engine's contract (alliance-model.md section 6).

use serde_json::Value;
use std::process::Command;

fn assess(input: &str, extra: &[&str]) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!(
        "rapport-assess-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("history.json");
    std::fs::write(&file, input).unwrap();
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("assess")
        .arg(&file)
        .args(extra)
        .output()
        .unwrap()
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

const SPEC_EXAMPLE: &str = r#"{"checkins": [
  {"session": 1, "date": "2026-03-02",
   "heard": 3, "open": 2, "attuned": 3, "trust": 3, "looking_forward": 2,
   "flags": ["dread"], "misconduct": false,
   "stirred": 3, "toward_therapist": false, "left_feeling": "stirred_ok",
   "need": "more structure", "raised": null, "repair": null}
]}"#;

#[test]
fn the_spec_example_reads_as_speak_up_with_the_need_and_dread_about_the_work() {
    let out = assess(SPEC_EXAMPLE, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "speak_up");
    assert_eq!(v["sessions"], 1);
    assert_eq!(v["alliance"][0]["score"], 65.0);
    let codes: Vec<&str> = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes[0], "need_noted");
    assert!(
        codes.contains(&"dread_about_work") && codes.contains(&"productive_discomfort"),
        "{codes:?}"
    );
    assert!(!v["next_step"].as_str().unwrap().is_empty());
}

#[test]
fn sessions_in_any_order_are_sorted_and_ruptures_reported() {
    let mut checkins = Vec::new();
    for (s, sign) in [(4, 1), (1, 4), (3, 4), (2, 4), (5, 4)] {
        checkins.push(format!(
            r#"{{"session": {s}, "heard": {sign}, "open": {sign}, "attuned": {sign}, "trust": {t}, "looking_forward": {sign}, "stirred": 1, "left_feeling": "better"}}"#,
            t = if sign == 1 { 3 } else { 4 }
        ));
    }
    let out = assess(&format!(r#"{{"checkins": [{}]}}"#, checkins.join(",")), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sessions: Vec<u64> = v["alliance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["session"].as_u64().unwrap())
        .collect();
    assert_eq!(sessions, vec![1, 2, 3, 4, 5]);
    assert_eq!(v["ruptures"][0]["session"], 4);
    assert_eq!(v["ruptures"][0]["severity"], "major");
    assert_eq!(v["ruptures"][0]["repaired_at"], 5);
}

#[test]
fn text_format_prints_a_readable_report() {
    let out = assess(SPEC_EXAMPLE, &["--format", "text"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("more structure") || text.to_lowercase().contains("speak"),
        "{text}"
    );
}

#[test]
fn bad_files_print_one_line_per_problem_on_stderr_and_nothing_on_stdout() {
    let bad = r#"{"checkins": [
      {"session": 1, "open": 2, "attuned": 9, "trust": 3, "looking_forward": 2, "stirred": 1, "left_feeling": "better", "flags": ["nope"]},
      {"session": 1, "heard": 3, "open": 2, "attuned": 3, "trust": 3, "looking_forward": 2, "stirred": 1, "left_feeling": "better"}
    ]}"#;
    let out = assess(bad, &[]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "stdout must stay empty on bad input");
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() >= 4, "one line per problem: {err}");
    assert!(lines.iter().any(|l| l.contains("heard")), "{err}");
    assert!(lines.iter().any(|l| l.contains("attuned")), "{err}");
    assert!(lines.iter().any(|l| l.contains("flags")), "{err}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("session") && l.to_lowercase().contains("repeat")),
        "{err}"
    );
}

#[test]
fn invalid_json_is_refused_cleanly() {
    let out = assess("{not json", &[]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(!out.stderr.is_empty());
}

#[test]
fn a_checkin_dated_a_day_the_calendar_does_not_have_is_refused_naming_its_date_field() {
    let input = SPEC_EXAMPLE.replace("2026-03-02", "2026-02-31");
    let out = assess(&input, &[]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("date") && err.contains("real calendar date"),
        "{err}"
    );
}
