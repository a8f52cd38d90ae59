//! Directory import (JSON Lines and CSV): every row is kept or reported with its number, never a
//! panic; what is kept round-trips through CSV.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport_core::matching::{parse_csv, parse_jsonl, to_csv};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (good, _) = parse_jsonl(text);
        let (again, errors) = parse_csv(&to_csv(&good));
        assert!(errors.is_empty(), "a kept listing must export to valid CSV: {errors:?}");
        assert_eq!(again.len(), good.len());
        let _ = parse_csv(text);
    }
});
