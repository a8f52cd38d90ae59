//! The OpenAPI document as outside tools read it: `openapi-spec-validator` (Python) accepts it
//! with no error (a missing python3 or package fails the test, it never skips), every operation
//! has a unique id, every response a description, and every 2xx answer with a body a schema.

mod common;

use serde_json::Value;
use std::collections::BTreeMap;

async fn document() -> Value {
    let app = common::spawn_app().await;
    let r = common::client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Every operation as `(METHOD path, operation)`.
fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                out.push((format!("{} {path}", method.to_uppercase()), op));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_openapi_document_passes_openapi_spec_validator_with_no_error() {
    let doc = document().await;
    let dir =
        std::env::temp_dir().join(format!("rapport-openapi-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let script = r#"
import sys
try:
    from openapi_spec_validator import OpenAPIV31SpecValidator
    from openapi_spec_validator.readers import read_from_filename
except ImportError as error:
    print(f"cannot import openapi_spec_validator ({error}); pip install openapi-spec-validator", file=sys.stderr)
    sys.exit(2)
spec, _ = read_from_filename(sys.argv[1])
errors = list(OpenAPIV31SpecValidator(spec).iter_errors())
for e in errors:
    print(f"{'/'.join(str(p) for p in e.path)}: {e.message}", file=sys.stderr)
if errors:
    print(f"{len(errors)} error(s)", file=sys.stderr)
    sys.exit(1)
print("valid OpenAPI", spec.get("openapi"))
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 for openapi-spec-validator: {e}"));
    assert!(
        out.status.success(),
        "openapi-spec-validator refuses /api/openapi.json (exit {:?}):\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn every_operation_has_a_unique_id_and_every_response_a_description() {
    let doc = document().await;
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut undescribed = Vec::new();
    for (name, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        assert!(!id.is_empty(), "{name} has no operationId");
        ids.entry(id).or_default().push(name.clone());
        for (status, resp) in op["responses"].as_object().expect("responses") {
            if resp["description"].as_str().is_none_or(str::is_empty) {
                undescribed.push(format!("{name} {status}"));
            }
        }
    }
    let twice: Vec<_> = ids.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(twice.is_empty(), "operation ids used twice: {twice:?}");
    assert!(
        undescribed.is_empty(),
        "responses without a description: {undescribed:?}"
    );
}

#[tokio::test]
async fn every_successful_answer_with_a_body_declares_its_schema() {
    let doc = document().await;
    let mut untyped = Vec::new();
    let mut typed = 0;
    for (name, op) in operations(&doc) {
        for (status, resp) in op["responses"].as_object().expect("responses") {
            if !status.starts_with('2') || status == "204" {
                continue;
            }
            let content = resp["content"].as_object();
            let has_schema = content.is_some_and(|c| {
                !c.is_empty() && c.values().all(|media| media["schema"].is_object())
            });
            if has_schema {
                typed += 1;
            } else {
                untyped.push(format!("{name} {status}"));
            }
        }
    }
    assert!(
        untyped.is_empty(),
        "2xx answers without a body schema: {untyped:?}"
    );
    assert!(typed >= 60, "only {typed} typed 2xx answers");
}
