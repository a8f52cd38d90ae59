//! Instrument definition files: a bad file is refused with the file, item and reason, never a
//! panic; a good one scores an empty answer set without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport_core::instrument::Registry;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(reg) = Registry::from_sources(&[("fuzz.json", text)]) {
            for def in reg.list() {
                let _ = rapport_core::instrument::score(def, &serde_json::Map::new());
            }
        }
    }
});
