//! One check-in object (the form and API parser): refused with named fields or accepted.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport_core::alliance;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(c) = alliance::parse_checkin(&value, "") {
            let _ = alliance::draft_note(&c);
            let _ = alliance::assess(std::slice::from_ref(&c));
        }
    }
});
