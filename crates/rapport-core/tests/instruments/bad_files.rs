//! Definition files that must be refused, each naming the file, the part and the reason.

use rapport_core::FieldError;
use rapport_core::instrument::{LoadError, Registry, score};
use serde_json::{Value, json};

fn good() -> Value {
    json!({
        "id": "mini", "version": "1", "title": "Mini", "copyright": "Us", "licence": "Open",
        "responses": {"frequency": {"type": "options", "options": [
            {"value": 0, "label": "Never"}, {"value": 1, "label": "Sometimes"}, {"value": 2, "label": "Often"}
        ]}},
        "items": [
            {"id": "a", "text": "A?", "response": "frequency"},
            {"id": "b", "text": "B?", "response": "frequency"},
            {"id": "c", "text": "C?", "response": "frequency", "reverse": true}
        ],
        "scales": [{
            "id": "total", "title": "Total", "items": ["a", "b", "c"], "method": "sum",
            "range": {"min": 0, "max": 6},
            "bands": [{"from": 0, "to": 2, "label": "low"}, {"from": 3, "to": 6, "label": "high"}],
            "cutoffs": [{"id": "high", "direction": "at_or_above", "value": 3, "meaning": "High."}]
        }],
        "flags": [{"id": "worry", "item": "a", "direction": "at_or_above", "value": 2, "meaning": "Ask."}]
    })
}

fn load(file: &str, definition: &Value) -> Result<Registry, LoadError> {
    Registry::from_sources(&[(file, &definition.to_string())])
}

fn refusal(definition: Value) -> LoadError {
    load("mini.json", &definition).expect_err("the file is refused")
}

fn assert_refused(definition: Value, field: &str, reason_part: &str) {
    let error = refusal(definition);
    assert_eq!(error.file, "mini.json");
    assert!(
        error
            .problems
            .0
            .iter()
            .any(|p| p.field == field && p.reason.contains(reason_part)),
        "expected {field}: …{reason_part}…, got {error}"
    );
}

#[test]
fn the_good_file_loads_and_scores_its_reverse_keyed_item_from_the_other_end() {
    let registry = load("mini.json", &good()).expect("loads");
    let mini = registry.get("mini").unwrap();
    let answers = json!({"a": 2, "b": 0, "c": 0}).as_object().unwrap().clone();
    let scored = score(mini, &answers).unwrap();
    assert_eq!(scored.scale("total").unwrap().value, 4.0);
    assert_eq!(scored.scale("total").unwrap().band.as_deref(), Some("high"));
    assert!(scored.has_flag("worry"));
}

#[test]
fn a_duplicate_item_id_is_refused() {
    let mut file = good();
    file["items"][1]["id"] = json!("a");
    assert_refused(file, "items[a]", "duplicate item id");
}

#[test]
fn a_scale_naming_an_unknown_item_is_refused() {
    let mut file = good();
    file["scales"][0]["items"] = json!(["a", "b", "z"]);
    assert_refused(
        file,
        "scales[total].items[z]",
        "is not an item of this instrument",
    );
}

#[test]
fn bands_with_a_gap_are_refused() {
    let mut file = good();
    file["scales"][0]["bands"][1]["from"] = json!(4);
    assert_refused(file, "scales[total].bands[1]", "leaves a gap");
}

#[test]
fn overlapping_bands_are_refused() {
    let mut file = good();
    file["scales"][0]["bands"][1]["from"] = json!(2);
    assert_refused(
        file,
        "scales[total].bands[1]",
        "overlaps the band before it",
    );
}

#[test]
fn bands_outside_the_range_or_short_of_its_ends_are_refused() {
    let mut file = good();
    file["scales"][0]["bands"][1]["to"] = json!(7);
    assert_refused(
        file,
        "scales[total].bands[1]",
        "outside the scale's range 0 to 6",
    );
    let mut file = good();
    file["scales"][0]["bands"][1]["to"] = json!(5);
    assert_refused(
        file,
        "scales[total].bands[1]",
        "must end at the scale's maximum, 6",
    );
    let mut file = good();
    file["scales"][0]["bands"][0]["from"] = json!(1);
    assert_refused(
        file,
        "scales[total].bands[0]",
        "must start at the scale's minimum, 0",
    );
}

#[test]
fn a_declared_range_that_does_not_match_the_items_is_refused() {
    let mut file = good();
    file["scales"][0]["range"] = json!({"min": 0, "max": 9});
    assert_refused(file, "scales[total].range", "which give 0 to 6");
}

#[test]
fn a_bad_response_range_is_refused() {
    let mut file = good();
    file["responses"]["line"] = json!({"type": "range", "min": 10, "max": 0, "step": 1});
    assert_refused(file, "responses.line", "must be below max");
    let mut file = good();
    file["responses"]["line"] = json!({"type": "range", "min": 0, "max": 10, "step": 3});
    assert_refused(
        file,
        "responses.line.step",
        "does not divide 0 to 10 evenly",
    );
}

#[test]
fn missing_item_text_is_refused_unless_the_text_is_licensed() {
    let mut file = good();
    file["items"][2].as_object_mut().unwrap().remove("text");
    assert_refused(file, "items[c].text", "is missing");
    let mut licensed = good();
    licensed["text_licensed"] = json!(true);
    assert_refused(
        licensed,
        "items[a].text",
        "must be absent: the item text is licensed",
    );
}

#[test]
fn an_unknown_response_name_is_refused() {
    let mut file = good();
    file["items"][0]["response"] = json!("freq");
    assert_refused(
        file,
        "items[a].response",
        "'freq' is not one of the responses",
    );
}

#[test]
fn a_loinc_code_with_a_wrong_check_digit_is_refused() {
    let mut file = good();
    file["loinc"] = json!({"code": "44249-2", "display": "Panel"});
    assert_refused(file, "loinc.code", "44249-2 is not a LOINC code");
}

#[test]
fn a_flag_on_an_unknown_item_or_outside_its_range_is_refused() {
    let mut file = good();
    file["flags"][0]["item"] = json!("q9");
    assert_refused(file, "flags[worry].item", "'q9' is not an item");
    let mut file = good();
    file["flags"][0]["value"] = json!(5);
    assert_refused(
        file,
        "flags[worry].value",
        "outside the item's range 0 to 2",
    );
}

#[test]
fn a_cut_off_outside_the_scale_is_refused() {
    let mut file = good();
    file["scales"][0]["cutoffs"][0]["value"] = json!(36);
    assert_refused(
        file,
        "scales[total].cutoffs[high].value",
        "outside the scale's range",
    );
}

#[test]
fn duplicate_option_values_are_refused() {
    let mut file = good();
    file["responses"]["frequency"]["options"][2]["value"] = json!(1);
    assert_refused(
        file,
        "responses.frequency.options[2].value",
        "1 is listed twice",
    );
}

#[test]
fn a_misspelt_field_is_refused_rather_than_ignored() {
    let mut file = good();
    file["scales"][0]["bandz"] = file["scales"][0]["bands"].clone();
    assert_refused(file, "file", "unknown field `bandz`");
}

#[test]
fn an_id_that_does_not_match_the_file_name_is_refused() {
    let error = load("other.json", &good()).unwrap_err();
    assert_eq!(error.file, "other.json");
    assert_eq!(
        error.problems.0,
        [FieldError::new("id", "must match the file name (other)")]
    );
}

#[test]
fn the_same_instrument_twice_is_refused() {
    let text = good().to_string();
    let error =
        Registry::from_sources(&[("mini.json", &text), ("x/mini.json", &text)]).unwrap_err();
    assert_eq!(error.file, "x/mini.json");
    assert!(
        error
            .to_string()
            .contains("mini is already defined by mini.json"),
        "{error}"
    );
}

#[test]
fn every_problem_in_a_file_is_reported_together() {
    let mut file = good();
    file["items"][1]["text"] = json!("");
    file["scales"][0]["range"] = json!({"min": 0, "max": 9});
    file["title"] = json!(" ");
    let error = refusal(file);
    let fields: Vec<&str> = error.problems.0.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["title", "items[b].text", "scales[total].range"]);
    assert!(
        error
            .to_string()
            .starts_with("mini.json: title: must not be empty; items[b].text: must not be empty")
    );
}
