//! What the matching test files share: hand-built listings and requests, running a request
//! through the engine and the naive oracle and holding one to the other.
#![allow(dead_code)]

// Each test file uses a part of these.
#[allow(unused_imports)]
pub use rapport_core::matching::{
    EndingReason, FitProfile, Index, Listing, MatchResponse, Request, Style, Weights, generate,
    generate_requests, haversine_km, naive, parse_csv, parse_jsonl, parse_listing, parse_request,
    to_csv, to_jsonl, vocabularies_json,
};
pub use serde_json::{Value, json};

pub fn therapist(id: &str, patch: Value) -> Value {
    let mut v = json!({
        "id": id, "name": format!("Therapist {id}"), "credentials": ["BACP"], "accepting": true,
        "formats": ["in_person", "video"],
        "location": {"lat": 51.5072, "lon": -0.1276, "city": "London"},
        "jurisdictions": ["GB"], "languages": ["en"], "populations": ["adults"],
        "concerns": [], "modalities": [],
        "identity": {"gender": null, "lgbtq": null, "ethnicity": [], "faith": null},
        "fee": {"amount": 5000, "currency": "GBP", "sliding_scale_min": null},
        "insurance": [], "slots": [],
        "style": {"directiveness": 0.0, "intensity": 0.0, "past": 0.0, "challenge": 0.0},
        "effectiveness": {}
    });
    merge(&mut v, patch);
    v
}

pub fn request(patch: Value) -> Value {
    let mut v = json!({
        "location": {"lat": 51.5072, "lon": -0.1276}, "max_distance_km": 10, "jurisdiction": "GB",
        "formats": ["video"], "languages": ["en"], "population": "adults"
    });
    merge(&mut v, patch);
    v
}

pub fn merge(v: &mut Value, patch: Value) {
    for (k, p) in patch.as_object().expect("patch is an object") {
        v[k] = p.clone();
    }
}

pub fn listings(values: &[Value]) -> Vec<Listing> {
    values
        .iter()
        .map(|v| parse_listing(v).unwrap_or_else(|e| panic!("{v}: {e}")))
        .collect()
}

pub fn assert_same(engine: &MatchResponse, oracle: &MatchResponse) {
    assert_eq!(
        engine.total_eligible, oracle.total_eligible,
        "total_eligible"
    );
    let ids = |r: &MatchResponse| r.results.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(engine), ids(oracle), "ids and order");
    for (a, b) in engine.results.iter().zip(&oracle.results) {
        assert!(
            (a.score - b.score).abs() <= 1e-9,
            "{}: {} vs {}",
            a.id,
            a.score,
            b.score
        );
        assert_eq!(a.distance_km, b.distance_km, "{}", a.id);
        assert_eq!((&a.reasons, &a.unmet), (&b.reasons, &b.unmet), "{}", a.id);
    }
}

/// Runs the request through the engine and the oracle, checks they agree, returns the answer.
pub fn run_with(values: &[Value], req: Value, w: &Weights) -> MatchResponse {
    let dir = listings(values);
    let req = parse_request(&req).unwrap_or_else(|e| panic!("{e}"));
    let engine = Index::build(dir.clone()).search_with(&req, w);
    assert_same(&engine, &naive::search(&dir, &req, w));
    engine
}

/// Makes `edits` changes to the directory and the index alike, a third each: removing a listing,
/// replacing one under its id (generated from `seed + k`), and adding one as `<prefix>-k`.
pub fn edit_alike(
    dir: &mut Vec<Listing>,
    index: &mut Index,
    edits: usize,
    seed: u64,
    prefix: &str,
) {
    for k in 0..edits {
        let at = (k * 7919) % dir.len();
        match k % 3 {
            0 => {
                let gone = dir.swap_remove(at);
                assert!(index.remove(&gone.id));
            }
            1 => {
                let mut fresh = generate(1, seed + k as u64).remove(0);
                fresh.id = dir[at].id.clone();
                dir[at] = fresh.clone();
                index.upsert(fresh);
            }
            _ => {
                let mut fresh = generate(1, seed + 11_000 + k as u64).remove(0);
                fresh.id = format!("{prefix}-{k:04}");
                dir.push(fresh.clone());
                index.upsert(fresh);
            }
        }
    }
}

pub fn run(values: &[Value], req: Value) -> MatchResponse {
    run_with(values, req, &Weights::default())
}

pub fn ids(r: &MatchResponse) -> Vec<&str> {
    r.results.iter().map(|m| m.id.as_str()).collect()
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
