//! A request turned into constants once, and the score of a row under it: the discrete terms
//! from the hot row, style from a style code (or the cold row), and the components, computed
//! exactly as [`super::naive`] computes them.

use super::geo::Origin;
use super::request::Request;
use super::row::{Hot, IRREGULAR, half_step, mask};
use super::rules::Components;
use super::vocab::{Faith, Format, Gender, Strength, Word};

/// The identity wishes as bits: bit 0 gender, 1 LGBTQ+, 2 ethnicity, 3 faith. A row's met
/// wishes are worked out once as one byte; `prefer` says which bits score, so the identity
/// component is one mask (`must` wishes are filters, answered by sets).
pub(super) struct Wishes {
    gender: Option<Gender>,
    lgbtq: Option<bool>,
    ethnicity: u8,
    faith: Option<Faith>,
    prefer: u8,
}

impl Wishes {
    fn new(req: &Request) -> Self {
        let p = &req.identity;
        let strengths = [
            p.gender.map(|g| g.strength),
            p.lgbtq.map(|l| l.strength),
            p.ethnicity.map(|e| e.strength),
            p.faith.map(|f| f.strength),
        ];
        Wishes {
            gender: p.gender.map(|g| g.value),
            lgbtq: p.lgbtq.map(|l| l.value),
            ethnicity: p.ethnicity.map_or(0, |e| 1 << e.value.index()),
            faith: p.faith.map(|f| f.value),
            prefer: strengths
                .iter()
                .enumerate()
                .filter(|(_, s)| **s == Some(Strength::Prefer))
                .fold(0u8, |m, (i, _)| m | 1 << i),
        }
    }

    /// Which wishes the row meets (bits of wishes not made are meaningless and masked off).
    pub fn met(&self, row: &Hot) -> u8 {
        u8::from(self.gender.is_some() && row.gender == self.gender)
            | u8::from(self.lgbtq.is_some() && row.lgbtq == self.lgbtq) << 1
            | u8::from(row.ethnicity & self.ethnicity != 0) << 2
            | u8::from(self.faith.is_some() && row.faith == self.faith) << 3
    }
}

/// The request turned into masks and constants once, so each row is scored with a few integer
/// operations and no allocation.
pub(super) struct Query<'a> {
    pub req: &'a Request,
    concern_masks: [u32; 3],
    pub concern_total: u32,
    /// Bit offsets into [`Hot::effectiveness`] of the first three concerns, `firsts` of them.
    first_concerns: [u32; 3],
    pub firsts: usize,
    modalities: u32,
    pub wishes: Wishes,
    pub style: Option<[f64; 4]>,
    /// Per dimension and half-point value (see [`half_step`]), that dimension's part of the
    /// style closeness numerator; and the denominator. Closeness from a style code adds these
    /// up exactly as [`Query::style`] does from the values, so it is the same to the bit.
    style_parts: [[f64; 13]; 4],
    pub style_den: f64,
    reach: Option<f64>,
    /// The client's location, to measure in-person candidates found without measuring.
    pub origin: Option<Origin>,
}

impl<'a> Query<'a> {
    pub fn new(req: &'a Request) -> Self {
        let c = &req.concerns;
        let concern_masks = [
            mask(&c[..c.len().min(1)]),
            mask(&c[c.len().min(1)..c.len().min(2)]),
            mask(&c[c.len().min(2)..]),
        ];
        let concern_total = (0..c.len())
            .map(|i| [3, 2].get(i).copied().unwrap_or(1))
            .sum();
        let mut first_concerns = [0; 3];
        for (to, c) in first_concerns.iter_mut().zip(c) {
            *to = 2 * c.index() as u32;
        }
        let wish = req.style.to_array();
        let style_parts = wish.map(|p| {
            std::array::from_fn(|n| p.abs() * (1.0 - (p - half_step(n as u16)).abs() / 6.0))
        });
        Query {
            req,
            concern_masks,
            concern_total,
            first_concerns,
            firsts: c.len().min(3),
            modalities: mask(&req.modalities),
            wishes: Wishes::new(req),
            style: wish.iter().any(|p| *p != 0.0).then_some(wish),
            style_parts,
            style_den: wish.iter().fold(0.0, |den, p| den + p.abs()),
            reach: req
                .max_distance_km
                .filter(|_| req.accepts(Format::InPerson)),
            origin: req.location.map(|p| Origin::new(p.lat, p.lon)),
        }
    }

    /// Closeness to the wished style, when the client wished one.
    fn style(&self, therapist: &[f64; 4]) -> Option<f64> {
        self.style.map(|wish| {
            let (mut num, mut den) = (0.0, 0.0);
            for (p, t) in wish.iter().zip(therapist) {
                num += p.abs() * (1.0 - (p - t).abs() / 6.0);
                den += p.abs();
            }
            num / den
        })
    }

    /// The numerator of the closeness to the wished style from a
    /// [`style_code`](super::row::style_code), when the client wished a style and the code is
    /// on the grid.
    pub fn style_num(&self, code: u16) -> Option<f64> {
        if self.style.is_none() || code == IRREGULAR {
            return None;
        }
        let mut num = 0.0;
        for (d, parts) in self.style_parts.iter().enumerate() {
            num += parts[usize::from(code >> (4 * d) & 15)];
        }
        Some(num)
    }

    /// Closeness to the wished style from a style code: exact, or 1 (the most it can be) for
    /// a style off the half-point grid.
    pub fn style_bound(&self, code: u16) -> Option<f64> {
        self.style?;
        Some(self.style_num(code).map_or(1.0, |num| num / self.style_den))
    }

    /// The exact closeness, from the code or, off the grid, from the full style (asked for only
    /// then).
    pub fn exact_style(&self, code: u16, style: impl FnOnce() -> [f64; 4]) -> Option<f64> {
        if code == IRREGULAR {
            self.style?;
            self.style(&style())
        } else {
            self.style_bound(code)
        }
    }

    /// The discrete score terms of a row (everything but style and distance).
    pub fn terms(&self, row: &Hot, met: u8) -> Terms {
        let [first, second, rest] = self.concern_masks;
        let halves = self.first_concerns[..self.firsts]
            .iter()
            .map(|at| match (row.effectiveness >> at) & 3 {
                1 => 2,
                3 => 0,
                _ => 1,
            })
            .sum();
        Terms {
            listed: 3 * u32::from(row.concerns & first != 0)
                + 2 * u32::from(row.concerns & second != 0)
                + (row.concerns & rest).count_ones(),
            shared: row.modalities & self.modalities != 0,
            met: (met & self.wishes.prefer).count_ones(),
            halves,
        }
    }

    /// The distance component for a listing `near` km away in person (`None`: not in reach).
    pub fn distance(&self, near: Option<f64>) -> Option<f64> {
        self.reach
            .map(|max| near.map_or(0.0, |d| (1.0 - d / max).max(0.0)))
    }

    /// The score components, computed exactly as [`super::naive`] does (same operations, same
    /// order) so that scores, and therefore ties, agree to the bit. `style` is the style
    /// component ([`Query::style`]), passed in because it is the one that needs the cold half
    /// of the row.
    pub fn components(&self, t: Terms, style: Option<f64>, near: Option<f64>) -> Components {
        let concerns =
            (self.concern_total > 0).then(|| f64::from(t.listed) / f64::from(self.concern_total));
        let modality = (self.modalities != 0).then_some(if t.shared { 1.0 } else { 0.0 });
        let prefer = self.wishes.prefer;
        let identity = (prefer != 0).then(|| f64::from(t.met) / f64::from(prefer.count_ones()));
        let distance = self.distance(near);
        // Each of the first concerns adds 1, 0.5 or 0: sums of halves are exact in floating
        // point, so this equals summing the values one by one.
        let effectiveness = if self.firsts == 0 {
            0.5
        } else {
            f64::from(t.halves) * 0.5 / self.firsts as f64
        };
        Components {
            concerns,
            style,
            modality,
            identity,
            distance,
            effectiveness,
        }
    }
}

/// A row's discrete score terms: concern weight listed, a shared modality, `prefer` identity
/// wishes met, and effectiveness with the first concerns in halves (effective 2, unrated or
/// neutral 1, ineffective 0).
#[derive(Clone, Copy)]
pub(super) struct Terms {
    pub listed: u32,
    pub shared: bool,
    pub met: u32,
    pub halves: u32,
}
