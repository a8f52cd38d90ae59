//! `rapport assess` input: any text must parse or be refused with named problems, never panic;
//! whatever parses must assess without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport_core::alliance;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match alliance::parse_history(text) {
            Ok(checkins) => {
                let a = alliance::assess(&checkins);
                let _ = alliance::render_text(&a, &checkins);
            }
            Err(invalid) => assert!(!invalid.0.is_empty()),
        }
    }
});
