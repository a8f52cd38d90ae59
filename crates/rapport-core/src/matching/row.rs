//! The compact, fixed-size record the engine keeps per listing (one 64-byte line and 56 bytes).
//!
//! Everything a filter, a score or an explanation needs is here as bits and numbers; display text
//! and open-ended codes (languages, jurisdictions, insurers) live elsewhere.
//!
//! The record is split by how often a query reads it. [`Hot`] is what every candidate's filters
//! and the discrete part of its score read, packed into one cache line; [`Cold`] (location and
//! style) is read only for candidates in reach of the grid or good enough to need an exact score.
//! The index keeps the parts in two vectors, so a scan over tens of thousands of candidates
//! streams one cache line per candidate instead of two or three.

use super::codes::Currency;
use super::listing::Listing;
use super::vocab::{Concern, Faith, Format, Gender, Rating, Word};

/// Bit of a format in [`Cold::formats`].
pub(crate) fn format_bit(f: Format) -> u8 {
    1 << f.index()
}

/// Effectiveness code per concern, two bits each: 0 unrated, 1 effective, 2 neutral, 3 ineffective.
pub(crate) fn rating_code(r: Rating) -> u64 {
    r.index() as u64 + 1
}

/// The filter and discrete-score fields: one 64-byte line.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(align(64))]
pub(crate) struct Hot {
    /// The least the therapist charges: the fee, or the sliding-scale minimum when lower. A
    /// budget fits when `fee <= budget || sliding <= budget`, which is `lowest_fee <= budget`.
    pub lowest_fee: u64,
    pub slots: [u64; 3],
    pub effectiveness: u64,
    pub concerns: u32,
    pub modalities: u32,
    pub currency: Currency,
    pub ethnicity: u8,
    pub gender: Option<Gender>,
    pub faith: Option<Faith>,
    pub lgbtq: Option<bool>,
}

/// Where and how the therapist works: read for in-person distance, exact style and display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cold {
    pub lat: f64,
    pub lon: f64,
    pub style: [f64; 4],
    pub formats: u8,
    pub located: bool,
}

impl Cold {
    pub fn offers(&self, f: Format) -> bool {
        self.formats & format_bit(f) != 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    pub hot: Hot,
    pub cold: Cold,
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
        let hot = Hot {
            lowest_fee: l
                .fee
                .sliding_scale_min
                .map_or(l.fee.amount, |s| s.min(l.fee.amount)),
            slots,
            effectiveness,
            concerns: mask(&l.concerns),
            modalities: mask(&l.modalities),
            currency: l.fee.currency,
            ethnicity: mask(&l.identity.ethnicity) as u8,
            gender: l.identity.gender,
            faith: l.identity.faith,
            lgbtq: l.identity.lgbtq,
        };
        let cold = Cold {
            lat: l.location.as_ref().map_or(0.0, |p| p.lat),
            lon: l.location.as_ref().map_or(0.0, |p| p.lon),
            style: l.style.to_array(),
            formats: l.formats.iter().fold(0, |m, f| m | format_bit(*f)),
            located: l.location.is_some(),
        };
        Self { hot, cold }
    }

    pub fn offers(&self, f: Format) -> bool {
        self.cold.offers(f)
    }

    pub fn lists(&self, c: Concern) -> bool {
        self.hot.concerns & 1 << c.index() != 0
    }

    pub fn has_slot(&self, bit: usize) -> bool {
        self.hot.slots[bit / 64] & 1 << (bit % 64) != 0
    }
}
