//! Answering a request from the [`Index`]: filter by bitsets and grid, count, score only the
//! candidates that may make the best `top`, and keep those in a bounded heap.
//!
//! No directory-sized memory is touched per query: every hard filter is a set (the index's own,
//! and [`Filters`] for the rest), ANDed one 64-bit word at a time, only over the words of the
//! client's jurisdiction (listings are laid out by jurisdiction, so that is a narrow band), and
//! in-person candidates come from the grid cells around the client. So how many pass is a
//! popcount, and rows are read only to score.
//!
//! Scoring goes best first, so that the worst kept score rises early and bounds drop the rest
//! unread: in-person candidates come nearest cell first, and remote ones in classes by the
//! score features sets can tell ([`Classes`]): once the heap is full and a class cannot beat
//! its worst, neither can any class after it. Within a class, a two-byte style code bounds each
//! candidate before its row is read.

use super::bitset::{BitSet, ones};
use super::classes::Classes;
use super::explain::explain;
use super::filters::Filters;
use super::geo::haversine_km;
use super::index::Index;
use super::query::Query;
use super::request::Request;
use super::row::{IRREGULAR, Row};
use super::rules::{Components, MatchResponse, MatchResult, Weights};
use super::vocab::{Format, Word};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

mod near;
use near::Near;

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
                .filter_map(|id| index.slot_of.get(&index.ids, id.as_str()))
                .map(|s| (s as usize / 64, 1 << (s % 64)))
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

/// Remote candidates that passed every filter, as words over the jurisdiction's span.
struct Words {
    start: usize,
    words: Vec<u64>,
}

impl Words {
    /// Takes the ones of `bits` out of word `w`.
    fn clear(&mut self, w: usize, bits: u64) {
        if let Some(word) = self.words.get_mut(w.wrapping_sub(self.start)) {
            *word &= !bits;
        }
    }

    fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// How many classes of remote candidates are taken one pass each, at most.
const MAX_PASSES: usize = 16;

/// One request being answered: the request's constants, the best `top` candidates so far and
/// how many passed every filter.
struct Search<'a> {
    index: &'a Index,
    q: Query<'a>,
    w: &'a Weights,
    classes: Classes<'a>,
    heap: BinaryHeap<Entry<'a>>,
    total: usize,
    /// Per class, its [`StyleCut`] (for the last worst kept score that needed one).
    cuts: Vec<StyleCut>,
}

/// For remote candidates of one class, the least style closeness numerator (see
/// [`Query::style_num`]) at which their bound reaches a given worst kept score (0 until one is
/// needed). The bound only grows with the numerator, so a candidate below the cut cannot beat
/// that score, nor any later (higher) worst: most candidates of a class are then dropped on
/// four table look-ups, without working out a score. The cut is found by bisection over the
/// floating-point numbers themselves, with the bound code itself, so it is exact.
#[derive(Clone, Copy)]
struct StyleCut {
    worst: f64,
    num: f64,
}

impl StyleCut {
    const NONE: StyleCut = StyleCut {
        worst: f64::NAN,
        num: 0.0,
    };

    fn new(search: &Search, class: usize, worst: f64) -> Self {
        let best = search.classes.remote[class];
        let den = search.q.style_den;
        let reaches = |bits: u64| {
            let style = Some(f64::from_bits(bits) / den);
            (Components { style, ..best }).score(search.w) >= worst
        };
        // Non-negative floating-point numbers are ordered as their bits; a numerator is at most
        // the denominator (each of its terms is at most its |p|).
        let (mut below, mut at) = (0u64, den.to_bits());
        let num = if reaches(below) {
            0.0
        } else if !reaches(at) {
            f64::INFINITY
        } else {
            while at - below > 1 {
                let mid = below + (at - below) / 2;
                if reaches(mid) {
                    at = mid;
                } else {
                    below = mid;
                }
            }
            f64::from_bits(at)
        };
        StyleCut { worst, num }
    }
}

impl<'a> Search<'a> {
    /// The score to beat once `top` are kept: the worst of them.
    fn worst(&self) -> Option<f64> {
        if self.heap.len() >= self.q.req.top {
            self.heap.peek().map(|e| e.score)
        } else {
            None
        }
    }

    /// The remote candidates, class by class, best first, until a class cannot beat the
    /// worst kept score (then neither can any after it). Each class is a pass over the words
    /// with candidates, cheap while few classes are needed, as is usual; past
    /// [`MAX_PASSES`], one last pass takes every candidate left by its class instead.
    fn remote(&mut self, remote: &Words) {
        let m = self.classes.features.len();
        // Each word with candidates: its number, its candidates and its feature words.
        let stride = m + 2;
        let mut table = Vec::new();
        for (k, &bits) in remote.words.iter().enumerate() {
            if bits != 0 {
                let word = remote.start + k;
                table.extend([word as u64, bits]);
                table.resize(table.len() + m, 0);
                let at = table.len() - m;
                self.classes.words(word, &mut table[at..]);
            }
        }
        let mut passed = vec![false; self.classes.terms.len()];
        for k in 0..self.classes.order.len() {
            let class = self.classes.order[k];
            let hopeless = |search: &Self, class: usize| {
                (search.worst()).is_some_and(|worst| search.classes.bounds[class] < worst)
            };
            if hopeless(self, class) {
                return;
            }
            if k == MAX_PASSES {
                for row in table.chunks_exact(stride) {
                    let word = row[0] as usize;
                    for i in ones(row[1], word) {
                        let class = Classes::of(i % 64, &row[2..]);
                        if !passed[class] && !hopeless(self, class) {
                            self.take(i, class);
                        }
                    }
                }
                return;
            }
            passed[class] = true;
            for row in table.chunks_exact(stride) {
                let word = row[0] as usize;
                for i in ones(Classes::members(class, row[1], &row[2..]), word) {
                    self.take(i, class);
                }
            }
        }
    }

    /// Considers remote candidate `i` of `class` unless its class's bound with its own style
    /// cannot beat the worst kept score; in an exact class, its score is the class's.
    fn take(&mut self, i: usize, class: usize) {
        let best = self.classes.remote[class];
        if self.classes.exact[class] {
            let score = best.score(self.w);
            if self.worst().is_none_or(|worst| score >= worst) {
                self.keep(i, score, None);
            }
            return;
        }
        if let Some(worst) = self.worst()
            && let Some(num) = self.q.style_num(self.index.styles[i])
        {
            if num < self.cuts[class].num {
                return;
            }
            let style = Some(num / self.q.style_den);
            if (Components { style, ..best }).score(self.w) < worst {
                if self.cuts[class].worst != worst {
                    self.cuts[class] = StyleCut::new(self, class, worst);
                }
                return;
            }
        }
        self.consider(i, None);
    }

    /// Keeps a listing that passed every filter if it scores among the best so far.
    ///
    /// Once the heap is full, an in-person candidate not yet measured, or one whose style is
    /// off the grid of style codes, is first held to a bound (its distance's lower bound,
    /// style closeness 1): the score only grows with each component (each step of
    /// [`Components::score`] is monotonic, in floating point too), so when even the bound is
    /// below the worst kept score, the exact score is too, and the candidate is dropped
    /// without reading its cold row.
    fn consider(&mut self, i: usize, near: Option<Near>) {
        let (index, q) = (self.index, &self.q);
        let hot = &index.hot[i];
        let terms = q.terms(hot, q.wishes.met(hot));
        let code = index.styles[i];
        let worst = self.worst();
        let rough = near.is_some_and(|n| !n.measured) || (code == IRREGULAR && q.style.is_some());
        if rough
            && let Some(worst) = worst
            && q.components(terms, q.style_bound(code), near.map(|n| n.km))
                .score(self.w)
                < worst
        {
            return;
        }
        let cold = &index.cold[i];
        let km = near.map(|n| match q.origin {
            Some(origin) if !n.measured => origin.km(cold.lat, cold.lon),
            _ => n.km,
        });
        let score = q
            .components(terms, q.exact_style(code, || index.style_of(i)), km)
            .score(self.w);
        if worst.is_none_or(|worst| score >= worst) {
            self.keep(i, score, km);
        }
    }

    /// Keeps listing `i`, scoring `score` (at least the worst kept), if it ranks among the
    /// best `top` so far: on a tie, the smaller id wins.
    fn keep(&mut self, i: usize, score: f64, km: Option<f64>) {
        let index = self.index;
        let key = index.id_keys[i];
        if self.heap.len() >= self.q.req.top {
            // Most lose on score or on their id's first bytes, without their id's text.
            let Some(worst) = self.heap.peek() else {
                return;
            };
            match score.total_cmp(&worst.score) {
                Ordering::Less => return,
                Ordering::Equal if key > worst.key => return,
                _ => {}
            }
        }
        let entry = Entry {
            score,
            key,
            id: &index.ids[i],
            slot: i as u32,
            near: km,
        };
        if self.heap.len() < self.q.req.top {
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
    /// Candidates are the in-person ones within reach (from the grid, with their distances)
    /// and the remote ones (a word-by-word AND over the jurisdiction's span); a listing that is
    /// both is taken once, from the in-person side, so its distance is known. In-person
    /// candidates are considered first, nearest first; then the remote ones class by class.
    pub fn search_with(&self, req: &Request, w: &Weights) -> MatchResponse {
        let base = Base::new(self, req);
        let filters = Filters::new(self, req);
        let mut remote = self.remote_eligible(req, &base, &filters);
        let q = Query::new(req);
        let classes = Classes::new(self, &q, w);
        let mut search = Search {
            index: self,
            cuts: vec![StyleCut::NONE; classes.terms.len()],
            classes,
            q,
            w,
            heap: BinaryHeap::with_capacity(req.top + 1),
            total: 0,
        };
        search.near(&base, &filters, &mut remote);
        search.total += remote.count();
        search.remote(&remote);
        let results = (search.heap.into_sorted_vec().into_iter())
            .map(|e| self.result(req, &search.q, w, e))
            .collect();
        MatchResponse {
            total_eligible: search.total,
            results,
        }
    }

    /// The remote candidates that pass every filter, over the jurisdiction's span (none when
    /// remote care cannot connect anyone).
    fn remote_eligible(&self, req: &Request, base: &Base, filters: &Filters) -> Words {
        let Some(remote) = self.remote(req) else {
            return Words {
                start: 0,
                words: Vec::new(),
            };
        };
        let span = remote.jurisdiction.span();
        Words {
            start: span.start,
            words: span
                .map(|w| {
                    let bits = remote.word(w);
                    if bits == 0 {
                        return 0;
                    }
                    filters.word(w, bits & base.word(w))
                })
                .collect(),
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
            cold: self.cold[i].with_style(self.style_of(i)),
            slots: self.fields.slots(i),
        };
        let terms = query.terms(&row.hot, query.wishes.met(&row.hot));
        let style = query.exact_style(self.styles[i], || row.cold.style);
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
}
