//! Answering a request from the [`Index`]: prefilter by bitsets and grid, check the remaining
//! filters on compact rows, score, and keep the best `top` in a bounded heap.

use super::bitset::BitSet;
use super::explain::explain;
use super::geo::haversine_km;
use super::index::Index;
use super::request::{Preference, Request};
use super::row::{Row, mask};
use super::rules::{Components, MatchResponse, MatchResult, Weights};
use super::vocab::{Format, Strength, Word};
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

/// The request turned into masks once, so each row is checked with a few integer operations.
struct Query<'a> {
    req: &'a Request,
    concern_masks: [u32; 3],
    concern_total: u32,
    first_concerns: Vec<usize>,
    modalities: u32,
    slots: Option<[u64; 3]>,
    insurer: Option<&'a BitSet>,
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
            first_concerns: c.iter().take(3).map(|c| c.index()).collect(),
            modalities: mask(&req.modalities),
            slots,
            insurer: req.insurance.as_deref().and_then(|i| index.insurers.get(i)),
            style: wish.iter().any(|p| *p != 0.0).then_some(wish),
            reach: req
                .max_distance_km
                .filter(|_| req.accepts(Format::InPerson)),
        }
    }

    /// Identity wishes as (strength, met) in a fixed order.
    fn identity(&self, row: &Row) -> [Option<(Strength, bool)>; 4] {
        fn check<T>(p: Option<Preference<T>>, met: impl Fn(T) -> bool) -> Option<(Strength, bool)> {
            p.map(|p| (p.strength, met(p.value)))
        }
        let p = &self.req.identity;
        [
            check(p.gender, |g| row.gender == Some(g)),
            check(p.lgbtq, |v| row.lgbtq == Some(v)),
            check(p.ethnicity, |e| row.ethnicity & 1 << e.index() != 0),
            check(p.faith, |f| row.faith == Some(f)),
        ]
    }

    /// The filters the bitsets and the grid did not already settle.
    fn passes(&self, row: &Row, slot: usize) -> bool {
        if self.req.budget.is_some() || self.req.insurance.is_some() {
            let by_budget = self.req.budget.is_some_and(|b| {
                b.currency == row.currency
                    && (row.fee <= b.amount || row.sliding.is_some_and(|s| s <= b.amount))
            });
            if !by_budget && !self.insurer.is_some_and(|ins| ins.get(slot)) {
                return false;
            }
        }
        if let Some(bits) = self.slots
            && (0..3).all(|w| bits[w] & row.slots[w] == 0)
        {
            return false;
        }
        self.identity(row)
            .iter()
            .flatten()
            .all(|(s, met)| *s == Strength::Prefer || *met)
    }

    fn components(&self, row: &Row, near: Option<f64>) -> Components {
        let [first, second, rest] = self.concern_masks;
        let concerns = (self.concern_total > 0).then(|| {
            let listed = 3 * u32::from(row.concerns & first != 0)
                + 2 * u32::from(row.concerns & second != 0)
                + (row.concerns & rest).count_ones();
            f64::from(listed) / f64::from(self.concern_total)
        });
        let style = self.style.map(|wish| {
            let (mut num, mut den) = (0.0, 0.0);
            for (p, t) in wish.iter().zip(row.style) {
                num += p.abs() * (1.0 - (p - t).abs() / 6.0);
                den += p.abs();
            }
            num / den
        });
        let shared = row.modalities & self.modalities != 0;
        let modality = (self.modalities != 0).then_some(if shared { 1.0 } else { 0.0 });
        let (met, prefer) = self
            .identity(row)
            .iter()
            .flatten()
            .filter(|(s, _)| *s == Strength::Prefer)
            .fold((0u32, 0u32), |(m, n), (_, ok)| (m + u32::from(*ok), n + 1));
        let identity = (prefer > 0).then(|| f64::from(met) / f64::from(prefer));
        let distance = self
            .reach
            .map(|max| near.map_or(0.0, |d| (1.0 - d / max).max(0.0)));
        let effectiveness = if self.first_concerns.is_empty() {
            0.5
        } else {
            let sum: f64 = self
                .first_concerns
                .iter()
                .map(|c| match (row.effectiveness >> (2 * c)) & 3 {
                    1 => 1.0,
                    3 => 0.0,
                    _ => 0.5,
                })
                .sum();
            sum / self.first_concerns.len() as f64
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

impl Index {
    /// The best matches for a request under the default weights.
    pub fn search(&self, req: &Request) -> MatchResponse {
        self.search_with(req, &Weights::default())
    }

    /// The best matches for a request under the given weights.
    pub fn search_with(&self, req: &Request, w: &Weights) -> MatchResponse {
        let base = self.base(req);
        let mut eligible = self.remote(req, &base);
        let (near, distances) = self.near(req, &base);
        eligible.or_with(&near);
        let mut distances = distances.into_iter();
        let query = Query::new(req, self);
        let mut heap: BinaryHeap<Entry> = BinaryHeap::with_capacity(req.top + 1);
        let mut total_eligible = 0;
        for i in eligible.ones() {
            let d = if near.get(i) {
                distances.next().map(|(_, d)| d)
            } else {
                None
            };
            let row = &self.rows[i];
            if !query.passes(row, i) {
                continue;
            }
            total_eligible += 1;
            let score = query.components(row, d).score(w);
            if heap.len() >= req.top && heap.peek().is_none_or(|worst| score < worst.score) {
                continue;
            }
            let entry = Entry {
                score,
                key: self.id_keys[i],
                id: &self.ids[i],
                slot: i as u32,
                near: d,
            };
            if heap.len() < req.top {
                heap.push(entry);
            } else if let Some(mut worst) = heap.peek_mut()
                && entry < *worst
            {
                *worst = entry;
            }
        }
        let results = heap
            .into_sorted_vec()
            .into_iter()
            .map(|e| self.result(req, &query, w, e))
            .collect();
        MatchResponse {
            total_eligible,
            results,
        }
    }

    fn distance(&self, req: &Request, row: &Row) -> Option<f64> {
        let from = req.location.as_ref()?;
        (row.located && row.offers(Format::InPerson) && req.accepts(Format::InPerson))
            .then(|| haversine_km(from.lat, from.lon, row.lat, row.lon))
    }

    fn result(&self, req: &Request, query: &Query, w: &Weights, e: Entry) -> MatchResult {
        let i = e.slot as usize;
        let row = &self.rows[i];
        let components = query.components(row, e.near);
        let distance_km = self.distance(req, row);
        let (reasons, unmet) = explain(req, row, distance_km);
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

    /// Open listings that share a language and serve the population, minus exclusions.
    fn base(&self, req: &Request) -> BitSet {
        let mut base = BitSet::with_len(self.rows.len());
        for lang in &req.languages {
            if let Some(p) = self.languages.get(lang) {
                base.or_with(p);
            }
        }
        base.and_with(&self.open);
        base.and_with(&self.populations[req.population.index()]);
        for id in &req.exclude {
            if let Some(&slot) = self.slot_of.get(id.as_str()) {
                base.clear(slot as usize);
            }
        }
        base
    }

    /// Base listings reachable by video or phone in the client's jurisdiction.
    fn remote(&self, req: &Request, base: &BitSet) -> BitSet {
        let mut remote = BitSet::with_len(self.rows.len());
        let Some(j) = req
            .jurisdiction
            .as_ref()
            .and_then(|j| self.jurisdictions.get(j))
        else {
            return remote;
        };
        for f in [Format::Video, Format::Phone] {
            if req.accepts(f) {
                remote.or_with(&self.formats[f.index()]);
            }
        }
        remote.and_with(j);
        remote.and_with(base);
        remote
    }

    /// Base listings offering in person within the client's reach (exact haversine check), as a
    /// set and as (slot, km) pairs in slot order, so no distance is computed twice.
    fn near(&self, req: &Request, base: &BitSet) -> (BitSet, Vec<(u32, f64)>) {
        let mut near = BitSet::with_len(self.rows.len());
        let mut distances = Vec::new();
        let (Some(from), Some(max)) = (req.location, req.max_distance_km) else {
            return (near, distances);
        };
        if !req.accepts(Format::InPerson) {
            return (near, distances);
        }
        let mut visit = |slot: u32| {
            let i = slot as usize;
            let row = &self.rows[i];
            if base.get(i) && row.located && row.offers(Format::InPerson) {
                let d = haversine_km(from.lat, from.lon, row.lat, row.lon);
                if d <= max {
                    near.set(i);
                    distances.push((slot, d));
                }
            }
        };
        if !self.grid.within(from.lat, from.lon, max, &mut visit) {
            let mut all = self.formats[Format::InPerson.index()].clone();
            all.and_with(base);
            all.ones().for_each(|i| visit(i as u32));
        }
        distances.sort_unstable_by_key(|(slot, _)| *slot);
        (near, distances)
    }
}
