//! The compact, fixed-size record the engine keeps per listing (32 bytes and 56 bytes).
//!
//! Everything a filter, a score or an explanation needs is here as bits and numbers; display text
//! and open-ended codes (languages, jurisdictions, insurers) live elsewhere.
//!
//! The record is split by how often a query reads it. The filters are answered by bitsets
//! (see [`super::filters`]), so rows are read to score. [`Hot`] is what the discrete part of a
//! score reads (and a fee, for the one band of fees the bitsets cannot settle), two to a cache
//! line; [`Cold`] (location, exact style) is read only for candidates in reach of the grid, to
//! explain a result, or when a style is off the half-point grid that [`style_code`] holds. The
//! index keeps the parts in two vectors, so a scan over tens of thousands of candidates streams
//! half a cache line per candidate instead of two or three. Weekly slots, which only the
//! filters and explanations need, are kept only as the filters' bitsets.

use super::codes::Currency;
use super::listing::Listing;
use super::vocab::{Concern, Faith, Format, Gender, Rating, Word};
use std::mem::size_of;

/// Bit of a format in [`Cold::formats`].
pub(crate) fn format_bit(f: Format) -> u8 {
    1 << f.index()
}

/// Effectiveness code per concern, two bits each: 0 unrated, 1 effective, 2 neutral, 3 ineffective.
pub(crate) fn rating_code(r: Rating) -> u64 {
    r.index() as u64 + 1
}

/// The fee and discrete-score fields: half a cache line.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(align(32))]
pub(crate) struct Hot {
    /// The least the therapist charges: the fee, or the sliding-scale minimum when lower. A
    /// budget fits when `fee <= budget || sliding <= budget`, which is `lowest_fee <= budget`.
    pub lowest_fee: u64,
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
    pub style: [f64; 4],
    pub lat: f64,
    pub lon: f64,
    pub formats: u8,
    pub located: bool,
}

/// The part of [`Cold`] the index keeps per slot: the style is kept as its [`style_code`]
/// (exact for every style on the half-point grid, which is nearly all), and only a style off
/// the grid in full, beside it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Place {
    pub lat: f64,
    pub lon: f64,
    pub formats: u8,
    pub located: bool,
}

impl Place {
    pub fn offers(&self, f: Format) -> bool {
        self.formats & format_bit(f) != 0
    }

    /// The whole cold row again, with the style kept elsewhere.
    pub fn with_style(self, style: [f64; 4]) -> Cold {
        Cold {
            style,
            lat: self.lat,
            lon: self.lon,
            formats: self.formats,
            located: self.located,
        }
    }
}

// The sizes the module's layout is about.
const _: () =
    assert!(size_of::<Hot>() == 32 && size_of::<Cold>() == 56 && size_of::<Place>() == 24);

/// [`style_code`] of a style off the half-point grid.
pub(crate) const IRREGULAR: u16 = u16::MAX;

/// The value of a style nibble: `n / 2 - 3` (−3, −2.5, … 3 for 0 … 12).
pub(crate) fn half_step(n: u16) -> f64 {
    f64::from(n) * 0.5 - 3.0
}

/// A therapist's style in 16 bits, a nibble per dimension, when every value is on the
/// half-point grid the listing form offers ([`half_step`] gives each back, the same number),
/// else [`IRREGULAR`]. A query can then bound or score style from two bytes per listing
/// instead of its cold row, to the bit. (A −0 comes back as 0, which the closeness cannot
/// tell apart: it only uses `|p − t|`.)
pub(crate) fn style_code(style: &[f64; 4]) -> u16 {
    let mut code = 0;
    for (d, &t) in style.iter().enumerate() {
        let n = (t + 3.0) * 2.0;
        if !(0.0..=12.0).contains(&n) || half_step(n as u16) != t {
            return IRREGULAR;
        }
        code |= (n as u16) << (4 * d);
    }
    code
}

impl Cold {
    pub fn offers(&self, f: Format) -> bool {
        self.formats & format_bit(f) != 0
    }

    /// What the index keeps of this row per slot.
    pub fn place(&self) -> Place {
        Place {
            lat: self.lat,
            lon: self.lon,
            formats: self.formats,
            located: self.located,
        }
    }
}

/// The style a [`style_code`] on the grid stands for.
pub(crate) fn style_of_code(code: u16) -> [f64; 4] {
    std::array::from_fn(|d| half_step(code >> (4 * d) & 15))
}

/// A whole record: the two halves the index keeps, and the weekly slots (bit `s.bit()` of
/// the three words), which it keeps as bitsets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    pub hot: Hot,
    pub cold: Cold,
    pub slots: [u64; 3],
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
            style: l.style.to_array(),
            lat: l.location.as_ref().map_or(0.0, |p| p.lat),
            lon: l.location.as_ref().map_or(0.0, |p| p.lon),
            formats: l.formats.iter().fold(0, |m, f| m | format_bit(*f)),
            located: l.location.is_some(),
        };
        Self { hot, cold, slots }
    }

    pub fn offers(&self, f: Format) -> bool {
        self.cold.offers(f)
    }

    pub fn lists(&self, c: Concern) -> bool {
        self.hot.concerns & 1 << c.index() != 0
    }

    pub fn has_slot(&self, bit: usize) -> bool {
        self.slots[bit / 64] & 1 << (bit % 64) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_style_on_the_half_point_grid_codes_back_to_the_same_numbers() {
        for n in 0..13u16 {
            let t = half_step(n);
            let style = [t, -t, 0.5 * (n % 7) as f64, 3.0];
            let code = style_code(&style);
            assert_ne!(code, IRREGULAR, "{style:?}");
            for (d, v) in style.iter().enumerate() {
                assert_eq!(half_step(code >> (4 * d) & 15), *v, "{style:?}");
            }
        }
    }

    #[test]
    fn a_style_off_the_grid_has_no_code_and_minus_zero_codes_as_zero() {
        for off in [0.3, -2.75, 3.5, -3.5, f64::NAN, 1e-9] {
            assert_eq!(style_code(&[0.0, off, 0.0, 0.0]), IRREGULAR, "{off}");
        }
        let code = style_code(&[-0.0, 0.0, -0.0, 1.0]);
        assert_eq!(code & 0xFFF, 6 | 6 << 4 | 6 << 8);
    }
}
