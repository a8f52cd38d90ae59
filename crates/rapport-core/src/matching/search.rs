//! Answering a request from the [`Index`]: prefilter by bitsets and grid, check the remaining
//! filters on compact rows, score, and keep the best `top` in a bounded heap.
//!
//! No directory-sized memory is touched per query: the set filters are ANDed one 64-bit word
//! at a time, only over the words of the client's jurisdiction (listings are laid out by
//! jurisdiction, so that is a narrow band), and in-person candidates come from the grid cells
//! around the client. Each candidate is visited once, in slot order.

use super::bitset::{BitSet, ones};
use super::explain::explain;
use super::geo::{Origin, haversine_km};
use super::index::Index;
use super::request::Request;
use super::row::{Hot, Row, mask};
use super::rules::{Components, MatchResponse, MatchResult, Weights};
use super::vocab::{Faith, Format, Gender, Strength, Word};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A candidate in the top-k heap, ordered so the *worst* kept candidate is on top; ties on
/// score compare the ids' first bytes and only then the text.
struct Entry<'a> {
    score: f64,
    key: u64,
    id: &'a str,
    slot: u32,
    near: Option<f64>,
}

impl Ord for Entry<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.key.cmp(&other.key))
            .then_with(|| self.id.cmp(other.id))
    }
}

impl PartialOrd for Entry<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry<'_> {}

/// The identity wishes as bits: bit 0 gender, 1 LGBTQ+, 2 ethnicity, 3 faith. A row's met
/// wishes are worked out once as one byte; `must` and `prefer` say which bits filter and which
/// score, so the filter and the identity component are each one mask.
struct Wishes {
    gender: Option<Gender>,
    lgbtq: Option<bool>,
    ethnicity: u8,
    faith: Option<Faith>,
    must: u8,
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
        let bits = |wanted: Strength| {
            strengths
                .iter()
                .enumerate()
                .filter(|(_, s)| **s == Some(wanted))
                .fold(0u8, |m, (i, _)| m | 1 << i)
        };
        Wishes {
            gender: p.gender.map(|g| g.value),
            lgbtq: p.lgbtq.map(|l| l.value),
            ethnicity: p.ethnicity.map_or(0, |e| 1 << e.value.index()),
            faith: p.faith.map(|f| f.value),
            must: bits(Strength::Must),
            prefer: bits(Strength::Prefer),
        }
    }

    /// Which wishes the row meets (bits of wishes not made are meaningless and masked off).
    fn met(&self, row: &Hot) -> u8 {
        u8::from(self.gender.is_some() && row.gender == self.gender)
            | u8::from(self.lgbtq.is_some() && row.lgbtq == self.lgbtq) << 1
            | u8::from(row.ethnicity & self.ethnicity != 0) << 2
            | u8::from(self.faith.is_some() && row.faith == self.faith) << 3
    }
}

/// The request turned into masks and constants once, so each row is checked and scored with a
/// few integer operations and no allocation.
struct Query<'a> {
    req: &'a Request,
    concern_masks: [u32; 3],
    concern_total: u32,
    /// Bit offsets into [`Row::effectiveness`] of the first three concerns, `firsts` of them.
    first_concerns: [u32; 3],
    firsts: usize,
    modalities: u32,
    slots: Option<[u64; 3]>,
    insurer: Option<&'a BitSet>,
    wishes: Wishes,
    style: Option<[f64; 4]>,
    reach: Option<f64>,
}

impl<'a> Query<'a> {
    fn new(req: &'a Request, index: &'a Index) -> Self {
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
        let slots = (!req.slots.is_empty()).then(|| {
            let mut bits = [0u64; 3];
            req.slots
                .iter()
                .for_each(|s| bits[s.bit() / 64] |= 1 << (s.bit() % 64));
            bits
        });
        let wish = req.style.to_array();
        Query {
            req,
            concern_masks,
            concern_total,
            first_concerns,
            firsts: c.len().min(3),
            modalities: mask(&req.modalities),
            slots,
            insurer: req.insurance.as_deref().and_then(|i| index.insurers.get(i)),
            wishes: Wishes::new(req),
            style: wish.iter().any(|p| *p != 0.0).then_some(wish),
            reach: req
                .max_distance_km
                .filter(|_| req.accepts(Format::InPerson)),
        }
    }

    /// The filters the bitsets and the grid did not already settle; when the row passes, the
    /// identity wishes it meets (for the identity component).
    fn admits(&self, row: &Hot, slot: usize) -> Option<u8> {
        let req = self.req;
        if req.budget.is_some() || req.insurance.is_some() {
            let by_budget = req
                .budget
                .is_some_and(|b| b.currency == row.currency && row.lowest_fee <= b.amount);
            if !by_budget && !self.insurer.is_some_and(|ins| ins.get(slot)) {
                return None;
            }
        }
        if let Some(bits) = self.slots
            && (0..3).all(|w| bits[w] & row.slots[w] == 0)
        {
            return None;
        }
        let met = self.wishes.met(row);
        (met & self.wishes.must == self.wishes.must).then_some(met)
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

    /// The score components, computed exactly as [`super::naive`] does (same operations, same
    /// order) so that scores, and therefore ties, agree to the bit. `style` is the style
    /// component ([`Query::style`]), passed in because it is the one that needs the cold half
    /// of the row.
    fn components(&self, row: &Hot, met: u8, style: Option<f64>, near: Option<f64>) -> Components {
        let [first, second, rest] = self.concern_masks;
        let concerns = (self.concern_total > 0).then(|| {
            let listed = 3 * u32::from(row.concerns & first != 0)
                + 2 * u32::from(row.concerns & second != 0)
                + (row.concerns & rest).count_ones();
            f64::from(listed) / f64::from(self.concern_total)
        });
        let shared = row.modalities & self.modalities != 0;
        let modality = (self.modalities != 0).then_some(if shared { 1.0 } else { 0.0 });
        let prefer = self.wishes.prefer;
        let identity = (prefer != 0)
            .then(|| f64::from((met & prefer).count_ones()) / f64::from(prefer.count_ones()));
        let distance = self
            .reach
            .map(|max| near.map_or(0.0, |d| (1.0 - d / max).max(0.0)));
        let effectiveness = if self.firsts == 0 {
            0.5
        } else {
            let sum: f64 = self.first_concerns[..self.firsts]
                .iter()
                .map(|at| match (row.effectiveness >> at) & 3 {
                    1 => 1.0,
                    3 => 0.0,
                    _ => 0.5,
                })
                .sum();
            sum / self.firsts as f64
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

/// The set filters every candidate must pass (open, a shared language, the population, not
/// excluded), read a word at a time straight from the index's bitsets.
struct Base<'a> {
    open: &'a BitSet,
    population: &'a BitSet,
    languages: Vec<&'a BitSet>,
    /// Slots of excluded listings, as (word, bit mask).
    excluded: Vec<(usize, u64)>,
}

impl<'a> Base<'a> {
    fn new(index: &'a Index, req: &Request) -> Self {
        Base {
            open: &index.open,
            population: &index.populations[req.population.index()],
            languages: req
                .languages
                .iter()
                .filter_map(|l| index.languages.get(l))
                .collect(),
            excluded: req
                .exclude
                .iter()
                .filter_map(|id| index.slot_of.get(id.as_str()))
                .map(|&s| (s as usize / 64, 1 << (s % 64)))
                .collect(),
        }
    }

    /// Word `w` of the base set.
    fn word(&self, w: usize) -> u64 {
        let mut bits = self.open.word(w) & self.population.word(w);
        if bits == 0 {
            return 0;
        }
        bits &= self.languages.iter().fold(0, |any, l| any | l.word(w));
        for &(at, bit) in &self.excluded {
            if at == w {
                bits &= !bit;
            }
        }
        bits
    }

    fn get(&self, i: usize) -> bool {
        self.word(i / 64) & 1 << (i % 64) != 0
    }
}

/// Listings licensed in the client's jurisdiction offering a remote format the client accepts.
struct Remote<'a> {
    jurisdiction: &'a BitSet,
    formats: Vec<&'a BitSet>,
}

impl Remote<'_> {
    fn word(&self, w: usize) -> u64 {
        let bits = self.jurisdiction.word(w);
        if bits == 0 {
            return 0;
        }
        bits & self.formats.iter().fold(0, |any, f| any | f.word(w))
    }
}

/// The best `top` candidates seen so far, and how many passed every filter.
struct Best<'a> {
    heap: BinaryHeap<Entry<'a>>,
    top: usize,
    total: usize,
}

impl<'a> Best<'a> {
    /// Counts the listing if it passes the filters the sets left, and keeps it if it scores
    /// among the best so far.
    ///
    /// Once the heap is full, a candidate is first scored with its style closeness taken as 1,
    /// the most it can be: the score only grows with each component (each step of
    /// [`Components::score`] is monotonic, in floating point too), so when even that bound is
    /// below the worst kept score the exact score is too, and the candidate is dropped without
    /// reading the cold half of its row.
    fn offer(&mut self, index: &'a Index, q: &Query, w: &Weights, i: usize, near: Option<f64>) {
        crate::matching::STATS.with(|c| c.borrow_mut()[2] += 1);
        let hot = &index.hot[i];
        let Some(met) = q.admits(hot, i) else {
            return;
        };
        self.total += 1;
        let worst = if self.heap.len() >= self.top {
            self.heap.peek().map(|e| e.score)
        } else {
            None
        };
        if let Some(worst) = worst
            && q.style.is_some()
            && q.components(hot, met, Some(1.0), near).score(w) < worst
        {
            return;
        }
        crate::matching::STATS.with(|c| c.borrow_mut()[3] += 1);
        let style = q.style(&index.cold[i].style);
        let score = q.components(hot, met, style, near).score(w);
        if worst.is_some_and(|worst| score < worst) {
            return;
        }
        let entry = Entry {
            score,
            key: index.id_keys[i],
            id: &index.ids[i],
            slot: i as u32,
            near,
        };
        if worst.is_none() {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry < *worst
        {
            *worst = entry;
        }
    }
}

impl Index {
    /// The best matches for a request under the default weights.
    pub fn search(&self, req: &Request) -> MatchResponse {
        self.search_with(req, &Weights::default())
    }

    /// The best matches for a request under the given weights.
    ///
    /// Candidates are the in-person ones within reach (from the grid, with their distances,
    /// sorted by slot) merged with the remote ones (a word-by-word AND over the jurisdiction's
    /// span); a listing that is both is taken once, from the in-person side, so its distance is
    /// known.
    pub fn search_with(&self, req: &Request, w: &Weights) -> MatchResponse {
        let base = Base::new(self, req);
        let query = Query::new(req, self);
        let near = self.near(req, &base);
        let mut best = Best {
            heap: BinaryHeap::with_capacity(req.top + 1),
            top: req.top,
            total: 0,
        };
        let mut near = near.into_iter().peekable();
        if let Some(remote) = self.remote(req) {
            for word in remote.jurisdiction.span() {
                while let Some((slot, d)) = near.next_if(|(s, _)| (*s as usize) / 64 < word) {
                    best.offer(self, &query, w, slot as usize, Some(d));
                }
                let mut bits = remote.word(word) & base.word(word);
                while let Some((slot, d)) = near.next_if(|(s, _)| (*s as usize) / 64 == word) {
                    bits &= !(1 << (slot % 64));
                    best.offer(self, &query, w, slot as usize, Some(d));
                }
                for i in ones(bits, word) {
                    best.offer(self, &query, w, i, None);
                }
            }
        }
        for (slot, d) in near {
            best.offer(self, &query, w, slot as usize, Some(d));
        }
        let results = best
            .heap
            .into_sorted_vec()
            .into_iter()
            .map(|e| self.result(req, &query, w, e))
            .collect();
        MatchResponse {
            total_eligible: best.total,
            results,
        }
    }

    /// The sets that make a listing reachable remotely, or `None` when remote care cannot
    /// connect anyone.
    fn remote(&self, req: &Request) -> Option<Remote<'_>> {
        let jurisdiction = self.jurisdictions.get(req.jurisdiction.as_ref()?)?;
        let formats: Vec<&BitSet> = [Format::Video, Format::Phone]
            .into_iter()
            .filter(|f| req.accepts(*f))
            .map(|f| &self.formats[f.index()])
            .collect();
        (!formats.is_empty()).then_some(Remote {
            jurisdiction,
            formats,
        })
    }

    fn distance(&self, req: &Request, row: &Row) -> Option<f64> {
        let from = req.location.as_ref()?;
        let c = &row.cold;
        (c.located && c.offers(Format::InPerson) && req.accepts(Format::InPerson))
            .then(|| haversine_km(from.lat, from.lon, c.lat, c.lon))
    }

    fn result(&self, req: &Request, query: &Query, w: &Weights, e: Entry) -> MatchResult {
        let i = e.slot as usize;
        let row = Row {
            hot: self.hot[i],
            cold: self.cold[i],
        };
        let met = query.wishes.met(&row.hot);
        let style = query.style(&row.cold.style);
        let components = query.components(&row.hot, met, style, e.near);
        let distance_km = self.distance(req, &row);
        let (reasons, unmet) = explain(req, &row, distance_km);
        MatchResult {
            id: e.id.to_string(),
            name: self.names[i].to_string(),
            score: components.score(w),
            components,
            distance_km,
            reasons,
            unmet,
        }
    }

    /// Base listings offering in person within the client's reach (exact haversine check), as
    /// (slot, km) pairs in slot order, so no distance is computed twice.
    fn near(&self, req: &Request, base: &Base) -> Vec<(u32, f64)> {
        let mut near = Vec::new();
        let (Some(from), Some(max)) = (req.location, req.max_distance_km) else {
            return near;
        };
        if !req.accepts(Format::InPerson) {
            return near;
        }
        let origin = Origin::new(from.lat, from.lon);
        let mut visit = |slot: u32| {
            let i = slot as usize;
            crate::matching::STATS.with(|c| c.borrow_mut()[0] += 1);
            let row = &self.cold[i];
            if row.located && row.offers(Format::InPerson) && base.get(i) {
                let d = origin.km(row.lat, row.lon);
                crate::matching::STATS.with(|c| c.borrow_mut()[1] += 1);
                if d <= max {
                    near.push((slot, d));
                }
            }
        };
        if !self.grid.within(from.lat, from.lon, max, &mut visit) {
            let in_person = &self.formats[Format::InPerson.index()];
            for word in in_person.span() {
                let bits = in_person.word(word) & base.word(word);
                ones(bits, word).for_each(|i| visit(i as u32));
            }
        }
        near.sort_unstable_by_key(|(slot, _)| *slot);
        near
    }
}
