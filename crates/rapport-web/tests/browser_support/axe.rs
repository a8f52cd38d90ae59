//! axe-core in the page: loaded from `tests/browser` (installed by `npm ci`) and run on every
//! page a test checks, failing on serious or critical WCAG 2.1 A/AA violations.

use super::{INSTALL_HINT, repo_root};
use fantoccini::Client;
use serde_json::{Value, json};
use std::path::PathBuf;

/// axe rule tags run on every page: WCAG 2.0 and 2.1, levels A and AA.
const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Where axe-core is installed by `npm ci` in `tests/browser`.
pub(super) fn axe_path() -> PathBuf {
    repo_root().join("tests/browser/node_modules/axe-core/axe.min.js")
}

pub(super) fn axe_source() -> String {
    let path = axe_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "browser test: axe-core not found at {} ({e}); {INSTALL_HINT}",
            path.display()
        )
    })
}

/// Runs axe-core (WCAG 2 A/AA) on the current page and panics, listing each problem, if any
/// violation is serious or critical. Minor and moderate ones are printed as warnings.
pub async fn axe_check(client: &Client) {
    let loaded = client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .expect("browser test: cannot run a script in the page");
    if loaded != Value::Bool(true) {
        client
            .execute(&axe_source(), vec![])
            .await
            .expect("browser test: injecting axe-core failed");
    }
    let script = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: arguments[0], resultTypes: ['violations'] })
          .then(r => done({ violations: r.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
              nodes: v.nodes.map(n => ({ target: n.target, html: n.html, summary: n.failureSummary })),
          })) }))
          .catch(e => done({ error: String(e) }));
    "#;
    let result = client
        .execute_async(script, vec![json!(AXE_TAGS)])
        .await
        .expect("browser test: axe.run did not finish");
    if let Some(err) = result.get("error") {
        panic!("browser test: axe.run failed: {err}");
    }
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    let violations = result["violations"].as_array().cloned().unwrap_or_default();
    let mut blocking = Vec::new();
    for v in &violations {
        let impact = v["impact"].as_str().unwrap_or("unknown");
        let mut report = format!(
            "[{impact}] {}: {} ({})",
            v["id"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            v["helpUrl"].as_str().unwrap_or("")
        );
        for n in v["nodes"].as_array().into_iter().flatten() {
            report.push_str(&format!(
                "\n    at {}: {}\n      {}",
                n["target"],
                n["html"].as_str().unwrap_or(""),
                n["summary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', "\n      ")
            ));
        }
        if matches!(impact, "serious" | "critical") {
            blocking.push(report);
        } else {
            eprintln!("axe warning on {url}: {report}");
        }
    }
    assert!(
        blocking.is_empty(),
        "axe found {} serious or critical accessibility violation(s) on {url}:\n{}",
        blocking.len(),
        blocking.join("\n")
    );
}
