//! The compact, fixed-size record the engine keeps per listing (about 120 bytes).
//!
//! Everything a filter, a score or an explanation needs is here as bits and numbers; display text
//! and open-ended codes (languages, jurisdictions, insurers) live elsewhere.

use super::codes::Currency;
use super::listing::Listing;
use super::vocab::{Concern, Faith, Format, Gender, Rating, Word};

/// Bit of a format in [`Row::formats`].
pub(crate) fn format_bit(f: Format) -> u8 {
    1 << f.index()
}

/// Effectiveness code per concern, two bits each: 0 unrated, 1 effective, 2 neutral, 3 ineffective.
pub(crate) fn rating_code(r: Rating) -> u64 {
    r.index() as u64 + 1
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    pub lat: f64,
    pub lon: f64,
    pub style: [f64; 4],
    pub fee: u64,
    pub sliding: Option<u64>,
    pub slots: [u64; 3],
    pub effectiveness: u64,
    pub concerns: u32,
    pub modalities: u32,
    pub currency: Currency,
    pub formats: u8,
    pub populations: u8,
    pub ethnicity: u8,
    pub gender: Option<Gender>,
    pub faith: Option<Faith>,
    pub lgbtq: Option<bool>,
    pub located: bool,
    pub accepting: bool,
}

pub(crate) fn mask<W: Word>(words: &[W]) -> u32 {
    words.iter().fold(0, |m, w| m | 1 << w.index())
}

impl Row {
    pub fn from_listing(l: &Listing) -> Self {
        let mut slots = [0u64; 3];
        for s in &l.slots {
            slots[s.bit() / 64] |= 1 << (s.bit() % 64);
        }
        let effectiveness = l
            .effectiveness
            .iter()
            .fold(0u64, |e, (c, r)| e | rating_code(*r) << (2 * c.index()));
        Self {
            lat: l.location.as_ref().map_or(0.0, |p| p.lat),
            lon: l.location.as_ref().map_or(0.0, |p| p.lon),
            style: l.style.to_array(),
            fee: l.fee.amount,
            sliding: l.fee.sliding_scale_min,
            slots,
            effectiveness,
            concerns: mask(&l.concerns),
            modalities: mask(&l.modalities),
            currency: l.fee.currency,
            formats: l.formats.iter().fold(0, |m, f| m | format_bit(*f)),
            populations: mask(&l.populations) as u8,
            ethnicity: mask(&l.identity.ethnicity) as u8,
            gender: l.identity.gender,
            faith: l.identity.faith,
            lgbtq: l.identity.lgbtq,
            located: l.location.is_some(),
            accepting: l.accepting,
        }
    }

    pub fn offers(&self, f: Format) -> bool {
        self.formats & format_bit(f) != 0
    }

    pub fn lists(&self, c: Concern) -> bool {
        self.concerns & 1 << c.index() != 0
    }

    pub fn has_slot(&self, bit: usize) -> bool {
        self.slots[bit / 64] & 1 << (bit % 64) != 0
    }
}
