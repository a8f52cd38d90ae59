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
    /// Bit offsets into [`Hot::effectiveness`] of the first three concerns, `firsts` of them.
    first_concerns: [u32; 3],
    firsts: usize,
    modalities: u32,
    slots: Option<[u64; 3]>,
    insurer: Option<&'a BitSet>,
    wishes: Wishes,
    style: Option<[f64; 4]>,
    reach: Option<f64>,
    /// The client's location, to measure in-person candidates found without measuring.
    origin: Option<Origin>,
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
            origin: req.location.map(|p| Origin::new(p.lat, p.lon)),
        }
    }

    /// Whether the row passes the filters the bitsets and the grid did not already settle.
    ///
    /// Written without short-circuits (`&`, `|` on bools): whether a candidate passes is close
    /// to a coin toss, and without a branch to mispredict the processor can fetch the rows of
    /// several candidates at once, which is what a scan over many candidates waits on.
    fn admits(&self, row: &Hot, slot: usize) -> bool {
        let req = self.req;
        let free = req.budget.is_none() && req.insurance.is_none();
        let budget = req
            .budget
            .is_some_and(|b| (b.currency == row.currency) & (row.lowest_fee <= b.amount));
        let insured = self.insurer.is_some_and(|ins| ins.get(slot));
        let money = free | budget | insured;
        let time = self.slots.is_none_or(|bits| {
            (bits[0] & row.slots[0]) | (bits[1] & row.slots[1]) | (bits[2] & row.slots[2]) != 0
        });
        let must = self.wishes.must;
        money & time & (self.wishes.met(row) & must == must)
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

    /// The discrete score terms of a row (everything but style and distance).
    fn terms(&self, row: &Hot, met: u8) -> Terms {
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

    /// Where a row's terms sit in [`Best::bounds`]: a number below [`Query::keys`].
    fn key(&self, t: Terms) -> usize {
        let key = ((t.listed as usize * 2 + usize::from(t.shared)) * 5 + t.met as usize) * 7;
        key + t.halves as usize
    }

    /// How many different [`Query::key`]s the request's rows can have.
    fn keys(&self) -> usize {
        (self.concern_total as usize + 1) * 2 * 5 * 7
    }

    /// The score components, computed exactly as [`super::naive`] does (same operations, same
    /// order) so that scores, and therefore ties, agree to the bit. `style` is the style
    /// component ([`Query::style`]), passed in because it is the one that needs the cold half
    /// of the row.
    fn components(&self, t: Terms, style: Option<f64>, near: Option<f64>) -> Components {
        let concerns =
            (self.concern_total > 0).then(|| f64::from(t.listed) / f64::from(self.concern_total));
        let modality = (self.modalities != 0).then_some(if t.shared { 1.0 } else { 0.0 });
        let prefer = self.wishes.prefer;
        let identity = (prefer != 0).then(|| f64::from(t.met) / f64::from(prefer.count_ones()));
        let distance = self
            .reach
            .map(|max| near.map_or(0.0, |d| (1.0 - d / max).max(0.0)));
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
struct Terms {
    listed: u32,
    shared: bool,
    met: u32,
    halves: u32,
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
    /// Per [`Query::key`], the most a listing with those terms can score when it is not in
    /// reach in person (its distance component is then 0): its score with style closeness 1.
    /// Filled in as keys are met (NaN until then), once the heap is full.
    bounds: Vec<f64>,
}

impl<'a> Best<'a> {
    /// Counts an in-person candidate if it passes the filters the sets left, and considers it.
    fn offer(&mut self, index: &'a Index, q: &Query, w: &Weights, near: Near) {
        let i = near.slot as usize;
        if q.admits(&index.hot[i], i) {
            self.total += 1;
            self.consider(index, q, w, i, Some(near));
        }
    }

    /// Counts the candidates of word `word` (its ones in `bits`) that pass the filters, and
    /// considers those. The filters are run over the whole word first, with no branch per
    /// candidate (see [`Query::admits`]), then the ones that pass are considered.
    fn offer_word(&mut self, index: &'a Index, q: &Query, w: &Weights, word: usize, bits: u64) {
        let pass = ones(bits, word).fold(0u64, |pass, i| {
            pass | u64::from(q.admits(&index.hot[i], i)) << (i % 64)
        });
        self.total += pass.count_ones() as usize;
        for i in ones(pass, word) {
            self.consider(index, q, w, i, None);
        }
    }

    /// Keeps a listing that passed every filter if it scores among the best so far.
    ///
    /// Once the heap is full, a candidate is first held to an upper bound of its score, with
    /// style closeness taken as 1, the most it can be. The score only grows with each
    /// component (each step of [`Components::score`] is monotonic, in floating point too), so
    /// when even the bound is below the worst kept score, the exact score is too, and the
    /// candidate is dropped without reading the cold half of its row. Most candidates are
    /// remote ones, whose bound depends only on their discrete terms and is looked up.
    fn consider(&mut self, index: &'a Index, q: &Query, w: &Weights, i: usize, near: Option<Near>) {
        let hot = &index.hot[i];
        let met = q.wishes.met(hot);
        let terms = q.terms(hot, met);
        let worst = if self.heap.len() >= self.top {
            self.heap.peek().map(|e| e.score)
        } else {
            None
        };
        if let Some(worst) = worst {
            let most = q.style.map(|_| 1.0);
            let bound = if let Some(n) = near {
                q.components(terms, most, Some(n.km)).score(w)
            } else {
                if self.bounds.is_empty() {
                    self.bounds = vec![f64::NAN; q.keys()];
                }
                let bound = &mut self.bounds[q.key(terms)];
                if bound.is_nan() {
                    *bound = q.components(terms, most, None).score(w);
                }
                *bound
            };
            if bound < worst {
                return;
            }
        }
        let cold = &index.cold[i];
        let near = near.map(|n| match q.origin {
            Some(origin) if !n.measured => origin.km(cold.lat, cold.lon),
            _ => n.km,
        });
        let style = q.style(&cold.style);
        let score = q.components(terms, style, near).score(w);
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
            bounds: Vec::new(),
        };
        let mut near = near.into_iter().peekable();
        if let Some(remote) = self.remote(req) {
            for word in remote.jurisdiction.span() {
                while let Some(n) = near.next_if(|n| (n.slot as usize) / 64 < word) {
                    best.offer(self, &query, w, n);
                }
                let mut bits = remote.word(word) & base.word(word);
                while let Some(n) = near.next_if(|n| (n.slot as usize) / 64 == word) {
                    bits &= !(1 << (n.slot % 64));
                    best.offer(self, &query, w, n);
                }
                best.offer_word(self, &query, w, word, bits);
            }
        }
        for n in near {
            best.offer(self, &query, w, n);
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
        let terms = query.terms(&row.hot, query.wishes.met(&row.hot));
        let style = query.style(&row.cold.style);
        let components = query.components(terms, style, e.near);
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

    /// Base listings offering in person within the client's reach, in slot order, each with
    /// its distance or, when its whole grid cell is certainly in reach, a lower bound on it
    /// (see [`Grid::within`](super::geo::Grid::within)): most of those never need measuring.
    fn near(&self, req: &Request, base: &Base) -> Vec<Near> {
        let mut near = Vec::new();
        let (Some(from), Some(max)) = (req.location, req.max_distance_km) else {
            return near;
        };
        if !req.accepts(Format::InPerson) {
            return near;
        }
        let origin = Origin::new(from.lat, from.lon);
        // The grid holds exactly the located in-person listings, so a slot found there in a
        // cell certainly in reach is a candidate without reading its row.
        let mut visit = |slot: u32, inside: Option<f64>| {
            let i = slot as usize;
            if !base.get(i) {
                return;
            }
            if let Some(km) = inside {
                near.push(Near {
                    slot,
                    km,
                    measured: false,
                });
                return;
            }
            let row = &self.cold[i];
            if row.located && row.offers(Format::InPerson) {
                let km = origin.km(row.lat, row.lon);
                if km <= max {
                    near.push(Near {
                        slot,
                        km,
                        measured: true,
                    });
                }
            }
        };
        if !self.grid.within(from.lat, from.lon, max, &mut visit) {
            let in_person = &self.formats[Format::InPerson.index()];
            for word in in_person.span() {
                let bits = in_person.word(word) & base.word(word);
                ones(bits, word).for_each(|i| visit(i as u32, None));
            }
        }
        near.sort_unstable_by_key(|n| n.slot);
        near
    }
}

/// An in-person candidate within reach: its distance in km when `measured`, otherwise a lower
/// bound on it (the listing is certainly within reach; the exact distance is computed only if
/// the listing may make the results).
#[derive(Clone, Copy)]
struct Near {
    slot: u32,
    km: f64,
    measured: bool,
}
