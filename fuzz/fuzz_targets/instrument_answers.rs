//! Answers to the shipped instruments: scored or refused naming the item, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport_core::instrument::{Registry, score};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(serde_json::Value::Object(answers)) = serde_json::from_slice(rest) else { return };
    let reg = Registry::builtin().expect("built-in instruments load");
    let defs = reg.list();
    let def = &defs[pick as usize % defs.len()];
    let _ = score(def, &answers);
});
