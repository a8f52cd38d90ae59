//! The licensed-text overlay: scoring-only instruments become offerable once a site installs
//! the item text it holds a licence for, and not before.

use rapport_core::FieldError;
use rapport_core::instrument::{Definition, LoadError, Registry, TextStatus};

fn registry() -> Registry {
    Registry::builtin().expect("the built-in definitions load")
}

#[test]
fn licensed_instruments_are_not_offerable_until_their_text_is_installed() {
    let mut registry = registry();
    for id in ["wai-sr", "srs", "ors"] {
        let definition = registry.get(id).unwrap();
        assert!(
            definition.text_licensed() && !definition.offerable(),
            "{id}"
        );
        assert_eq!(definition.text_status(), TextStatus::NotInstalled);
        assert!(
            definition.items().iter().all(|item| item.text.is_none()),
            "{id} ships no text"
        );
    }
    for id in ["rac", "phq9", "gad7", "cnip"] {
        assert_eq!(
            registry.get(id).unwrap().text_status(),
            TextStatus::Shipped,
            "{id}"
        );
    }
    let text = r#"{"relationship": "R", "goals": "G", "approach": "A", "overall": "O"}"#;
    registry.install_licensed_text("srs", text).unwrap();
    let srs = registry.get("srs").unwrap();
    assert!(srs.offerable() && srs.text_installed());
    assert_eq!(srs.text_status(), TextStatus::Installed);
    assert_eq!(srs.item("goals").unwrap().text.as_deref(), Some("G"));
}

fn overlay_problems(id: &str, contents: &str) -> LoadError {
    let mut registry = registry();
    let error = registry
        .install_licensed_text(id, contents)
        .expect_err("refused");
    assert!(
        !registry.get(id).is_some_and(Definition::offerable),
        "nothing installed after a refusal"
    );
    error
}

#[test]
fn licensed_text_needs_every_item_and_refuses_unknown_ones() {
    let error = overlay_problems(
        "srs",
        r#"{"relationship": "R", "goals": "G", "approach": "A", "bogus": "B"}"#,
    );
    assert_eq!(error.file, "licensed text for srs");
    let fields: Vec<&str> = error.problems.0.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["bogus", "overall"]);
    assert!(
        error.to_string().contains("bogus: is not an item of srs"),
        "{error}"
    );
    assert!(
        error.to_string().contains("overall: has no text"),
        "{error}"
    );
    let empty = overlay_problems(
        "ors",
        r#"{"individually": "", "interpersonally": "I", "socially": "S", "overall": "O"}"#,
    );
    assert_eq!(
        empty.problems.0[0],
        FieldError::new("individually", "must be non-empty text")
    );
    assert!(
        overlay_problems("srs", "[not json")
            .to_string()
            .contains("must be a JSON object")
    );
}

#[test]
fn licensed_text_is_refused_for_unknown_and_unlicensed_instruments() {
    assert!(
        overlay_problems("nope", "{}")
            .to_string()
            .contains("no instrument is called nope")
    );
    let mut registry = registry();
    let error = registry
        .install_licensed_text("phq9", r#"{"q1": "x"}"#)
        .unwrap_err();
    assert!(error.to_string().contains("ships its own text"), "{error}");
}
