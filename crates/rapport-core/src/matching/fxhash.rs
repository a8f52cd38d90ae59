//! A small, fast, unkeyed hasher (the "Fx" multiply-rotate hash of rustc) for the index's maps
//! whose keys come from small closed domains: language and jurisdiction codes, insurer keys,
//! grid cells. The standard SipHash is built to resist crafted collisions, which these keys
//! cannot usefully produce (there are only a few hundred distinct ones), and it costs several
//! times more per lookup; building a directory of a million listings does millions of lookups.
//!
//! Maps keyed by listing ids keep the standard hasher: ids are open-ended input, and a million
//! of them crafted to collide under an unkeyed hash would make every build quadratic.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The odd multiplier of rustc's FxHasher (from the golden ratio).
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The product's best-mixed bits are its high ones, while the map picks buckets with the
    /// low ones: rotating brings them down (as rustc-hash 2 does).
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
