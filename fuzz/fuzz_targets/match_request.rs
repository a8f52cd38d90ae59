//! Match requests: refused naming the field, or answered by the engine exactly as the naive
//! oracle answers them.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport_core::matching::{Index, Weights, generate, naive, parse_request};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static DIR: OnceLock<(Vec<rapport_core::matching::Listing>, Index)> = OnceLock::new();
    let (listings, index) = DIR.get_or_init(|| {
        let l = generate(300, 7);
        (l.clone(), Index::build(l))
    });
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(req) = parse_request(&value) {
        let fast = index.search(&req);
        let slow = naive::search(listings, &req, &Weights::default());
        assert_eq!(fast.total_eligible, slow.total_eligible);
        let ids = |r: &rapport_core::matching::MatchResponse| r.results.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&fast), ids(&slow));
    }
});
