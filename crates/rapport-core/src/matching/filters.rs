//! The row fields a query would otherwise read row by row, kept as bitsets over slots: weekly
//! slots, identity, concerns (listed, and rated for effectiveness), modalities, currency, and
//! a ladder of fee thresholds.
//!
//! With them the hard filters the index's other sets leave (time, `must` identity wishes, cost)
//! are a few word-wide ANDs, so counting everyone who passes is a popcount and only candidates
//! that may make the results are ever read; and the score features (concerns, modalities,
//! identity) let a query visit its candidates in classes, best first (see [`super::search`]).

use super::bitset::{BitSet, ones};
use super::codes::Currency;
use super::fxhash::FxHashMap;
use super::index::Index;
use super::request::Request;
use super::row::{Hot, Row};
use super::vocab::{Concern, Ethnicity, Faith, Gender, Modality, Strength, Word};
use std::mem::size_of;

/// Where each field's sets start in [`FieldSets::sets`] (one set per value): first the weekly
/// slots, seven days of 24 hours.
const SLOTS_AT: usize = 0;
const GENDERS: usize = SLOTS_AT + 7 * 24;
const LGBTQ: usize = GENDERS + Gender::ALL.len();
const ETHNICITIES: usize = LGBTQ + 2;
const FAITHS: usize = ETHNICITIES + Ethnicity::ALL.len();
const CONCERNS: usize = FAITHS + Faith::ALL.len();
const RATED: usize = CONCERNS + Concern::ALL.len();
const MODALITIES: usize = RATED + Concern::ALL.len();
const SETS: usize = MODALITIES + Modality::ALL.len();

/// At most this many fee thresholds (each costs a bit per listing).
const MAX_THRESHOLDS: usize = 64;

/// Calls `f` with the sets of a row's values (positions in [`FieldSets::sets`]), weekly slots
/// apart.
fn each_set(hot: &Hot, mut f: impl FnMut(usize)) {
    // Set `at + b / per` for each one `b` of `mask`.
    let mut ones = |mut mask: u64, at: usize, per: usize| {
        while mask != 0 {
            f(at + mask.trailing_zeros() as usize / per);
            mask &= mask - 1;
        }
    };
    ones(u64::from(hot.ethnicity), ETHNICITIES, 1);
    ones(u64::from(hot.concerns), CONCERNS, 1);
    // A rated concern has one or both of its two effectiveness bits set.
    let rated = (hot.effectiveness | hot.effectiveness >> 1) & 0x5555_5555_5555_5555;
    ones(rated, RATED, 2);
    ones(u64::from(hot.modalities), MODALITIES, 1);
    let one = [
        hot.gender.map(|g| GENDERS + g.index()),
        hot.lgbtq.map(|v| LGBTQ + usize::from(v)),
        hot.faith.map(|f| FAITHS + f.index()),
    ];
    one.into_iter().flatten().for_each(f);
}

/// Calls `f` with the sets of a row's weekly slots.
fn each_slot(slots: &[u64; 3], mut f: impl FnMut(usize)) {
    for (k, &word) in slots.iter().enumerate() {
        let mut mask = word;
        while mask != 0 {
            f(SLOTS_AT + 64 * k + mask.trailing_zeros() as usize);
            mask &= mask - 1;
        }
    }
}

/// The bitsets of the row fields, kept current with the rows.
#[derive(Debug)]
pub(crate) struct FieldSets {
    /// One set per value of the closed fields, at the offsets above.
    sets: Vec<BitSet>,
    currencies: FxHashMap<Currency, BitSet>,
    fees: FeeLadder,
}

impl Default for FieldSets {
    fn default() -> Self {
        FieldSets::builder(std::iter::empty(), 0).finish()
    }
}

/// Gathers the sets of rows pushed in slot order a word (64 rows) at a time, for a bulk build.
pub(crate) struct Builder {
    fields: FieldSets,
    /// The rows pushed so far.
    len: usize,
    /// Per set, the bits of the word being gathered; per fee band, likewise.
    words: Vec<u64>,
    bands: Vec<u64>,
    /// The currencies met in the word being gathered, with their bits.
    currencies: Vec<(Currency, u64)>,
}

impl Builder {
    pub fn push(&mut self, row: &Row) {
        let bit = 1 << (self.len % 64);
        each_set(&row.hot, |id| self.words[id] |= bit);
        each_slot(&row.slots, |id| self.words[id] |= bit);
        self.bands[self.fields.fees.note(row.hot.lowest_fee)] |= bit;
        match self
            .currencies
            .iter_mut()
            .find(|(c, _)| *c == row.hot.currency)
        {
            Some((_, bits)) => *bits |= bit,
            None => self.currencies.push((row.hot.currency, bit)),
        }
        self.len += 1;
        if self.len.is_multiple_of(64) {
            self.flush();
        }
    }

    /// Moves the gathered word into the sets.
    fn flush(&mut self) {
        let w = (self.len - 1) / 64;
        let fields = &mut self.fields;
        for (set, bits) in fields.sets.iter_mut().zip(&mut self.words) {
            set.set_word(w, std::mem::take(bits));
        }
        for (c, bits) in self.currencies.drain(..) {
            fields.currencies.entry(c).or_default().set_word(w, bits);
        }
        fields.fees.set_bands(w, &self.bands);
        self.bands.fill(0);
    }

    pub fn finish(mut self) -> FieldSets {
        if !self.len.is_multiple_of(64) {
            self.flush();
        }
        let fields = &mut self.fields;
        fields.sets.iter_mut().for_each(BitSet::shrink_to_fit);
        fields
            .currencies
            .values_mut()
            .for_each(BitSet::shrink_to_fit);
        fields
            .fees
            .at_most
            .iter_mut()
            .for_each(BitSet::shrink_to_fit);
        self.fields
    }
}

impl FieldSets {
    /// A bulk build of the sets of `rows` rows, to be pushed in slot order; the fee ladder's
    /// thresholds are chosen from `fees` (the directory's lowest fees, in any order).
    pub fn builder(fees: impl Iterator<Item = u64>, rows: usize) -> Builder {
        let fees = FeeLadder::for_fees(fees);
        Builder {
            words: vec![0; SETS],
            bands: vec![0; fees.thresholds.len() + 1],
            currencies: Vec::new(),
            len: 0,
            fields: FieldSets {
                sets: (0..SETS).map(|_| BitSet::with_capacity(rows)).collect(),
                currencies: FxHashMap::default(),
                fees,
            },
        }
    }

    fn currency_mut(&mut self, c: Currency) -> &mut BitSet {
        self.currencies.entry(c).or_default()
    }

    /// Adds row `i` (whose slot holds nothing now).
    pub fn insert(&mut self, i: usize, row: &Row) {
        each_set(&row.hot, |id| self.sets[id].set(i));
        each_slot(&row.slots, |id| self.sets[id].set(i));
        self.currency_mut(row.hot.currency).set(i);
        self.fees.insert(i, row.hot.lowest_fee);
    }

    /// Takes out row `i`, whose hot half is `hot` (its slots are cleared from every slot set).
    pub fn remove(&mut self, i: usize, hot: &Hot) {
        each_set(hot, |id| self.sets[id].clear(i));
        self.sets[SLOTS_AT..GENDERS]
            .iter_mut()
            .for_each(|s| s.clear(i));
        if let Some(set) = self.currencies.get_mut(&hot.currency) {
            set.clear(i);
        }
        self.fees.remove(i, hot.lowest_fee);
    }

    /// The weekly slots of row `i`, as [`Row::slots`] holds them.
    pub fn slots(&self, i: usize) -> [u64; 3] {
        let mut slots = [0u64; 3];
        for (bit, set) in self.sets[SLOTS_AT..GENDERS].iter().enumerate() {
            if set.word(i / 64) & 1 << (i % 64) != 0 {
                slots[bit / 64] |= 1 << (bit % 64);
            }
        }
        slots
    }

    pub fn bytes(&self) -> usize {
        let sets = |s: &[BitSet]| s.iter().map(BitSet::bytes).sum::<usize>();
        self.sets.capacity() * size_of::<BitSet>()
            + sets(&self.sets)
            + self.currencies.values().map(BitSet::bytes).sum::<usize>()
            + self.currencies.capacity() * size_of::<(Currency, BitSet)>()
            + sets(&self.fees.at_most)
            + self.fees.at_most.capacity() * size_of::<BitSet>()
            + self.fees.thresholds.capacity() * 8
            + self.fees.between.capacity() * 4
    }

    /// Rows listing the concern.
    pub fn concern(&self, c: Concern) -> &BitSet {
        self.set(CONCERNS + c.index())
    }

    /// Rows with an effectiveness rating for the concern.
    pub fn rated(&self, c: Concern) -> &BitSet {
        self.set(RATED + c.index())
    }

    /// Rows offering the modality.
    pub fn modality(&self, m: Modality) -> &BitSet {
        self.set(MODALITIES + m.index())
    }

    /// The sets of rows meeting each of the client's identity wishes of this strength.
    pub fn wishes(&self, req: &Request, strength: Strength) -> Vec<&BitSet> {
        let p = &req.identity;
        let of = |s: Strength| s == strength;
        [
            p.gender
                .filter(|g| of(g.strength))
                .map(|g| GENDERS + g.value.index()),
            p.lgbtq
                .filter(|l| of(l.strength))
                .map(|l| LGBTQ + usize::from(l.value)),
            p.ethnicity
                .filter(|e| of(e.strength))
                .map(|e| ETHNICITIES + e.value.index()),
            p.faith
                .filter(|f| of(f.strength))
                .map(|f| FAITHS + f.value.index()),
        ]
        .into_iter()
        .flatten()
        .map(|id| self.set(id))
        .collect()
    }

    fn set(&self, id: usize) -> &BitSet {
        &self.sets[id]
    }
}

/// Cost by fee without reading rows: the rows whose lowest fee is at most each of a few
/// thresholds, so that a budget splits the rows into those certainly within it (the set of the
/// highest threshold not above it), those certainly over it (outside the next threshold's set),
/// and one band in between that only the rows themselves can tell apart.
///
/// The thresholds are the directory's own fees at build time (all of them when there are few,
/// as fees are mostly round numbers, else evenly spaced quantiles), and the ladder counts the
/// rows whose fee lies strictly between two thresholds: when a band holds none, every row in it
/// charges exactly the upper threshold, which is over the budget, so the band needs no reading.
/// Listings added later with new fees only make their band read again.
#[derive(Debug, Default)]
struct FeeLadder {
    /// Ascending, distinct.
    thresholds: Vec<u64>,
    /// `at_most[k]`: the rows whose fee is at most `thresholds[k]`.
    at_most: Vec<BitSet>,
    /// `between[k]`: how many rows have a fee above `thresholds[k - 1]` and below
    /// `thresholds[k]` (below the first for `k = 0`, above the last for the last entry).
    between: Vec<u32>,
}

impl FeeLadder {
    fn for_fees(fees: impl Iterator<Item = u64>) -> Self {
        let mut counts: FxHashMap<u64, u32> = FxHashMap::default();
        let mut n = 0u64;
        for fee in fees {
            *counts.entry(fee).or_default() += 1;
            n += 1;
        }
        let mut distinct: Vec<(u64, u32)> = counts.into_iter().collect();
        distinct.sort_unstable();
        let thresholds: Vec<u64> = if distinct.len() <= MAX_THRESHOLDS {
            distinct.iter().map(|&(fee, _)| fee).collect()
        } else {
            let mut out = Vec::with_capacity(MAX_THRESHOLDS);
            let (mut seen, mut next) = (0u64, 1u64);
            for &(fee, count) in &distinct {
                seen += u64::from(count);
                if seen * MAX_THRESHOLDS as u64 >= next * n {
                    out.push(fee);
                    next = seen * MAX_THRESHOLDS as u64 / n + 1;
                }
            }
            out
        };
        FeeLadder {
            at_most: thresholds.iter().map(|_| BitSet::default()).collect(),
            between: vec![0; thresholds.len() + 1],
            thresholds,
        }
    }

    /// The band of a fee: the first threshold at or above it (or one past the last), counting
    /// it in `between` when it is not a threshold itself.
    fn note(&mut self, fee: u64) -> usize {
        let k = self.thresholds.partition_point(|&t| t < fee);
        if self.thresholds.get(k) != Some(&fee) {
            self.between[k] += 1;
        }
        k
    }

    /// Sets word `w` of every threshold's set from the word's rows by band.
    fn set_bands(&mut self, w: usize, bands: &[u64]) {
        let mut below = 0;
        for (set, band) in self.at_most.iter_mut().zip(bands) {
            below |= band;
            set.set_word(w, below);
        }
    }

    fn insert(&mut self, i: usize, fee: u64) {
        let k = self.note(fee);
        self.at_most[k..].iter_mut().for_each(|s| s.set(i));
    }

    fn remove(&mut self, i: usize, fee: u64) {
        let k = self.thresholds.partition_point(|&t| t < fee);
        if self.thresholds.get(k) != Some(&fee) {
            self.between[k] -= 1;
        }
        self.at_most[k..].iter_mut().for_each(|s| s.clear(i));
    }
}

/// The hard filters a request leaves after the index's set filters (time, `must` identity
/// wishes, cost), answered for a word of 64 rows at a time.
pub(crate) struct Filters<'a> {
    /// The sets of the client's slots (any one will do), when the client gave slots.
    slots: Option<Vec<&'a BitSet>>,
    must: Vec<&'a BitSet>,
    money: Option<Money<'a>>,
    hot: &'a [Hot],
}

/// The cost filter: the client's insurer, or a fee within the budget in its currency.
struct Money<'a> {
    insurer: Option<&'a BitSet>,
    budget: Option<Budget<'a>>,
}

struct Budget<'a> {
    amount: u64,
    currency: &'a BitSet,
    /// Rows certainly within the budget (whatever their currency): the highest threshold's set
    /// not above it.
    within: Option<&'a BitSet>,
    /// The next threshold's set; `None` past the last threshold (the band is then everyone
    /// not `within`).
    upper: Option<&'a BitSet>,
    /// Whether the band between the two may hold a row within the budget (see [`FeeLadder`]),
    /// so that its rows must be read.
    read_band: bool,
}

impl<'a> Filters<'a> {
    pub fn new(index: &'a Index, req: &Request) -> Self {
        let fields = &index.fields;
        let slots = (!req.slots.is_empty()).then(|| {
            req.slots
                .iter()
                .map(|s| fields.set(SLOTS_AT + s.bit()))
                .collect()
        });
        let money = (req.budget.is_some() || req.insurance.is_some()).then(|| Money {
            insurer: req.insurance.as_deref().and_then(|i| index.insurers.get(i)),
            budget: req.budget.and_then(|b| {
                let ladder = &fields.fees;
                let k = ladder.thresholds.partition_point(|&t| t <= b.amount);
                let on_threshold = k > 0 && ladder.thresholds[k - 1] == b.amount;
                Some(Budget {
                    amount: b.amount,
                    currency: fields.currencies.get(&b.currency)?,
                    within: k.checked_sub(1).map(|k| &ladder.at_most[k]),
                    upper: ladder.at_most.get(k),
                    read_band: ladder.between[k] > 0 && !on_threshold,
                })
            }),
        });
        Filters {
            slots,
            must: fields.wishes(req, Strength::Must),
            money,
            hot: &index.hot,
        }
    }

    /// The candidates among `bits` (word `w`) that pass these filters.
    pub fn word(&self, w: usize, mut bits: u64) -> u64 {
        if let Some(slots) = &self.slots {
            bits &= slots.iter().fold(0, |any, s| any | s.word(w));
        }
        for set in &self.must {
            bits &= set.word(w);
        }
        match &self.money {
            Some(money) if bits != 0 => bits & money.word(w, bits, self.hot),
            _ => bits,
        }
    }
}

impl Money<'_> {
    /// The rows of `bits` the cost filter lets through, reading only band rows.
    fn word(&self, w: usize, bits: u64, hot: &[Hot]) -> u64 {
        let mut ok = self.insurer.map_or(0, |s| s.word(w));
        if let Some(b) = &self.budget {
            let candidates = bits & !ok & b.currency.word(w);
            let within = candidates & b.within.map_or(0, |s| s.word(w));
            ok |= within;
            if b.read_band {
                let band = candidates & !within & b.upper.map_or(!0, |s| s.word(w));
                ok |= ones(band, w)
                    .filter(|&i| hot[i].lowest_fee <= b.amount)
                    .fold(0, |m, i| m | 1 << (i % 64));
            }
        }
        ok
    }
}
