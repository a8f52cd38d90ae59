//! The in-memory directory the engine searches: columnar, compact, kept current by upserts.
//!
//! Each listing becomes one fixed-size [`Row`] in a slot (kept as its hot and cold halves in two
//! vectors, see [`super::row`], and its style as a two-byte code); set-valued fields become one
//! bitset per value over slots (languages, jurisdictions, insurers, formats, populations, and
//! in [`FieldSets`] slots, identity, concerns, modalities, currencies and fee thresholds), and
//! in-person listings go into a 0.05° grid. A query ANDs bitsets a word at a time, visits the
//! grid cells its circle touches, and scores only what can make its results. Display text
//! (ids, names) sits in separate vectors.

use super::bitset::BitSet;
use super::codes::{Jurisdiction, Language};
use super::filters::FieldSets;
use super::fxhash::FxHashMap;
use super::geo::{Grid, Spot, cell};
use super::listing::Listing;
use super::row::{Hot, IRREGULAR, Place, Row, style_code, style_of_code};
use super::slots::Slots;
use super::vocab::{Format, POPULATIONS, Word};
use std::mem::size_of;

/// The searchable directory. Search results equal [`super::naive::search`] on the same listings.
#[derive(Debug, Default)]
pub struct Index {
    pub(crate) hot: Vec<Hot>,
    pub(crate) cold: Vec<Place>,
    /// [`style_code`] of each row's style, so that a query can bound scores by style reading
    /// two bytes per candidate; it is also the style itself, except for [`IRREGULAR`].
    pub(crate) styles: Vec<u16>,
    /// The styles off the half-point grid ([`IRREGULAR`] code), by slot: a form never makes
    /// one, so keeping every style in full (32 bytes per listing) would hold the same numbers
    /// twice.
    odd_styles: FxHashMap<u32, [f64; 4]>,
    pub(crate) ids: Vec<Box<str>>,
    pub(crate) id_keys: Vec<u64>,
    pub(crate) names: Vec<Box<str>>,
    pub(crate) slot_of: Slots,
    free: Vec<u32>,
    pub(crate) open: BitSet,
    pub(crate) formats: [BitSet; 3],
    pub(crate) populations: [BitSet; POPULATIONS.len()],
    pub(crate) languages: FxHashMap<Language, BitSet>,
    pub(crate) jurisdictions: FxHashMap<Jurisdiction, BitSet>,
    pub(crate) insurers: FxHashMap<Box<str>, BitSet>,
    pub(crate) fields: FieldSets,
    pub(crate) grid: Grid,
}

fn postings<'a>(sets: impl Iterator<Item = &'a BitSet>) -> usize {
    sets.map(BitSet::bytes).sum()
}

/// The first eight bytes of an id, big-endian and zero-padded: comparing these orders ids exactly
/// like comparing the strings unless the prefixes are equal, so ties rarely touch the text.
pub(crate) fn id_key(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = id.len().min(8);
    bytes[..n].copy_from_slice(&id.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

fn set_posting<K, Q>(map: &mut FxHashMap<K, BitSet>, key: &Q, make: impl FnOnce() -> K, i: usize)
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    match map.get_mut(key) {
        Some(bits) => bits.set(i),
        None => map.entry(make()).or_default().set(i),
    }
}

/// The set fields of the listings, noted during a bulk build's one pass over them (before their
/// slots are known) so that their bits can be set afterwards without reading them again: per
/// listing, a mask of `accepting` and populations, and the codes of its languages,
/// jurisdictions and insurers, each code naming one bitset.
#[derive(Default)]
struct Postings {
    masks: Vec<u8>,
    codes: Vec<u32>,
    /// Where each listing's codes end in `codes`.
    ends: Vec<u32>,
    sets: Vec<BitSet>,
    languages: FxHashMap<Language, u32>,
    jurisdictions: FxHashMap<Jurisdiction, u32>,
    insurers: FxHashMap<Box<str>, u32>,
}

/// Bit of `accepting` in [`Postings::masks`]; populations take the bits below.
const ACCEPTING: u8 = 1 << 7;

impl Postings {
    fn with_capacity(n: usize) -> Self {
        Postings {
            masks: Vec::with_capacity(n),
            codes: Vec::with_capacity(4 * n),
            ends: Vec::with_capacity(n),
            ..Postings::default()
        }
    }

    /// The code of a key's set, making the set on first sight.
    fn code<K, Q>(
        map: &mut FxHashMap<K, u32>,
        sets: &mut Vec<BitSet>,
        key: &Q,
        make: impl FnOnce() -> K,
    ) -> u32
    where
        K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        if let Some(&code) = map.get(key) {
            return code;
        }
        sets.push(BitSet::default());
        let code = (sets.len() - 1) as u32;
        map.insert(make(), code);
        code
    }

    fn note(&mut self, l: &Listing) {
        let populations = l.populations.iter().fold(0u8, |m, p| m | 1 << p.index());
        self.masks
            .push(populations | if l.accepting { ACCEPTING } else { 0 });
        for lang in &l.languages {
            let code = Self::code(&mut self.languages, &mut self.sets, lang, || *lang);
            self.codes.push(code);
        }
        for j in &l.jurisdictions {
            let code = Self::code(&mut self.jurisdictions, &mut self.sets, j, || j.clone());
            self.codes.push(code);
        }
        for ins in &l.insurance {
            let code = Self::code(&mut self.insurers, &mut self.sets, ins.as_str(), || {
                ins.as_str().into()
            });
            self.codes.push(code);
        }
        self.ends.push(self.codes.len() as u32);
    }

    /// Moves the sets into the index under their keys, trimmed to size.
    fn into_index(self, index: &mut Index) {
        let mut sets: Vec<Option<BitSet>> = self
            .sets
            .into_iter()
            .map(|mut b| {
                b.shrink_to_fit();
                Some(b)
            })
            .collect();
        let mut take = |code: u32| sets[code as usize].take().unwrap_or_default();
        index.languages = self
            .languages
            .into_iter()
            .map(|(k, c)| (k, take(c)))
            .collect();
        index.jurisdictions = self
            .jurisdictions
            .into_iter()
            .map(|(k, c)| (k, take(c)))
            .collect();
        index.insurers = self
            .insurers
            .into_iter()
            .map(|(k, c)| (k, take(c)))
            .collect();
    }
}

impl Index {
    /// Builds the index; a later listing with an id already seen replaces it. Listings are laid
    /// out by jurisdiction and grid cell, so one query's candidates sit close together in memory.
    ///
    /// This is the bulk path, equal in result to upserting the kept listings in slot order but
    /// several times faster on a large directory. Reading a listing costs cache misses (it is a
    /// struct and a dozen small heap blocks), so each is read once, in the order given, where
    /// its blocks lie one after another: its id is hashed once (into `slot_of`, which also finds
    /// the duplicates), its row is computed once, its id and name are moved out and its set
    /// fields noted compactly ([`Postings`]). Only then are the slots known: the rows are
    /// gathered into slot order and the set bits placed.
    pub fn build(mut listings: Vec<Listing>) -> Index {
        let n = listings.len();
        // Values are positions in `listings` (and in `ids`) until the slots are known.
        let mut slot_of = Slots::with_capacity(n);
        let mut kept = vec![true; n];
        let mut rows = Vec::with_capacity(n);
        let mut ids = Vec::with_capacity(n);
        let mut names = Vec::with_capacity(n);
        let mut order = Vec::with_capacity(n);
        let mut postings = Postings::with_capacity(n);
        for (i, l) in listings.iter_mut().enumerate() {
            ids.push(std::mem::take(&mut l.id).into_boxed_str());
            // `insert` hands back the earlier listing's place.
            if let Some(earlier) = slot_of.insert(&ids, &ids[i], i as u32) {
                kept[earlier as usize] = false;
            }
            rows.push(Row::from_listing(l));
            postings.note(l);
            let place = l.jurisdictions.first().map_or(0, |j| {
                j.as_str().bytes().fold(0u64, |k, b| k << 8 | u64::from(b))
            });
            order.push((
                place,
                l.location.as_ref().map(|p| cell(p.lat, p.lon)),
                i as u32,
            ));
            names.push(std::mem::take(&mut l.name).into_boxed_str());
        }
        order.retain(|&(_, _, i)| kept[i as usize]);
        order.sort_unstable();
        let mut slot_for = vec![u32::MAX; n];
        for (slot, &(_, _, i)) in order.iter().enumerate() {
            slot_for[i as usize] = slot as u32;
        }
        slot_of.renumber(|at| slot_for[at as usize]);
        let m = order.len();
        let at = |&(_, _, i): &(u64, Option<(i32, i32)>, u32)| i as usize;
        // The rows in slot order, in one pass: their halves, style codes and field sets.
        let mut hot = Vec::with_capacity(m);
        let mut cold = Vec::with_capacity(m);
        let mut styles = Vec::with_capacity(m);
        let mut odd_styles = FxHashMap::default();
        let mut fields = FieldSets::builder(rows.iter().map(|r| r.hot.lowest_fee), m);
        for (slot, o) in order.iter().enumerate() {
            let row = &rows[at(o)];
            hot.push(row.hot);
            cold.push(row.cold.place());
            let code = style_code(&row.cold.style);
            if code == IRREGULAR {
                odd_styles.insert(slot as u32, row.cold.style);
            }
            styles.push(code);
            fields.push(row);
        }
        let mut index = Index {
            hot,
            cold,
            styles,
            odd_styles,
            fields: fields.finish(),
            id_keys: order.iter().map(|o| id_key(&ids[at(o)])).collect(),
            ids: order
                .iter()
                .map(|o| std::mem::take(&mut ids[at(o)]))
                .collect(),
            names: order
                .iter()
                .map(|o| std::mem::take(&mut names[at(o)]))
                .collect(),
            slot_of,
            open: BitSet::with_capacity(m),
            formats: std::array::from_fn(|_| BitSet::with_capacity(m)),
            populations: std::array::from_fn(|_| BitSet::with_capacity(m)),
            ..Index::default()
        };
        drop((ids, names, order));
        let mut start = 0;
        for (i, &slot) in slot_for.iter().enumerate() {
            let end = postings.ends[i] as usize;
            if slot != u32::MAX {
                let s = slot as usize;
                let mask = postings.masks[i];
                if mask & ACCEPTING != 0 {
                    index.open.set(s);
                }
                for (p, set) in index.populations.iter_mut().enumerate() {
                    if mask & 1 << p != 0 {
                        set.set(s);
                    }
                }
                for (f, set) in index.formats.iter_mut().enumerate() {
                    if rows[i].cold.formats & 1 << f != 0 {
                        set.set(s);
                    }
                }
                for &code in &postings.codes[start..end] {
                    postings.sets[code as usize].set(s);
                }
            }
            start = end;
        }
        drop(rows);
        // What is left of the listings is a dozen small blocks each. The allocator only queues
        // them when freed and sorts them out at the next large allocation; freeing them here,
        // before the build's last allocations, settles that inside the build instead of in the
        // first searches.
        drop(listings);
        postings.into_index(&mut index);
        // In slot order the in-person listings come grouped by cell (within a jurisdiction).
        let mut run: Vec<Spot> = Vec::new();
        let mut run_cell = None;
        for (slot, c) in index.cold.iter().enumerate() {
            if !(c.located && c.offers(Format::InPerson)) {
                continue;
            }
            let here = cell(c.lat, c.lon);
            if run_cell != Some(here) {
                if let Some(at) = run_cell {
                    index.grid.insert_all(at, &run);
                }
                run.clear();
                run_cell = Some(here);
            }
            run.push(Spot::new(c.lat, c.lon, slot as u32));
        }
        if let Some(at) = run_cell {
            index.grid.insert_all(at, &run);
        }
        index
    }

    /// Adds a listing, or replaces the one with the same id, without rebuilding anything else.
    pub fn upsert(&mut self, listing: Listing) {
        let slot = match self.slot_of.get(&self.ids, listing.id.as_str()) {
            Some(slot) => {
                self.unlink(slot);
                slot
            }
            None => {
                let slot = self.free.pop().unwrap_or_else(|| {
                    let row = Row::from_listing(&listing);
                    self.hot.push(row.hot);
                    self.cold.push(row.cold.place());
                    self.styles.push(0);
                    self.ids.push("".into());
                    self.id_keys.push(0);
                    self.names.push("".into());
                    (self.hot.len() - 1) as u32
                });
                self.ids[slot as usize] = listing.id.as_str().into();
                self.slot_of.insert(&self.ids, listing.id.as_str(), slot);
                slot
            }
        };
        self.link(slot, listing);
    }

    /// Removes a listing by id; returns whether it was there.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.slot_of.remove(&self.ids, id) else {
            return false;
        };
        self.unlink(slot);
        self.ids[slot as usize] = "".into();
        self.id_keys[slot as usize] = 0;
        self.names[slot as usize] = "".into();
        self.free.push(slot);
        true
    }

    /// How many listings are in the directory.
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    /// Whether the directory is empty.
    pub fn is_empty(&self) -> bool {
        self.slot_of.is_empty()
    }

    /// Whether a listing with this id is in the directory.
    pub fn contains(&self, id: &str) -> bool {
        self.slot_of.get(&self.ids, id).is_some()
    }

    /// The style of the listing in slot `i`: from its code, or kept in full when off the grid.
    pub(crate) fn style_of(&self, i: usize) -> [f64; 4] {
        match self.styles[i] {
            IRREGULAR => self
                .odd_styles
                .get(&(i as u32))
                .copied()
                .unwrap_or_default(),
            code => style_of_code(code),
        }
    }

    /// Approximate memory of the searchable structures per listing (rows, style codes, every
    /// bitset, grid, id map and the pointers to display strings; the text bytes of ids and
    /// names are left out), for the benchmark to print against its budget of 128 bytes.
    pub fn approx_bytes_per_listing(&self) -> usize {
        if self.is_empty() {
            return 0;
        }
        let bitsets = self.open.bytes()
            + self.formats.iter().map(BitSet::bytes).sum::<usize>()
            + self.populations.iter().map(BitSet::bytes).sum::<usize>()
            + postings(self.languages.values())
            + postings(self.jurisdictions.values())
            + postings(self.insurers.values())
            + self.fields.bytes();
        let rows = self.hot.capacity() * size_of::<Hot>()
            + self.cold.capacity() * size_of::<Place>()
            + self.odd_styles.capacity() * (size_of::<(u32, [f64; 4])>() + 1)
            + self.styles.capacity() * size_of::<u16>()
            + self.id_keys.capacity() * 8;
        let display = (self.ids.capacity() + self.names.capacity()) * size_of::<Box<str>>();
        let id_map = self.slot_of.bytes() + self.free.capacity() * 4;
        (rows + bitsets + display + id_map + self.grid.bytes()) / self.len()
    }

    fn link(&mut self, slot: u32, l: Listing) {
        let i = slot as usize;
        let row = Row::from_listing(&l);
        self.hot[i] = row.hot;
        self.cold[i] = row.cold.place();
        self.styles[i] = style_code(&row.cold.style);
        if self.styles[i] == IRREGULAR {
            self.odd_styles.insert(slot, row.cold.style);
        }
        self.fields.insert(i, &row);
        self.post(i, &l);
        if row.cold.located && row.offers(Format::InPerson) {
            self.grid.insert(row.cold.lat, row.cold.lon, slot);
        }
        self.id_keys[i] = id_key(&l.id);
        self.ids[i] = l.id.into_boxed_str();
        self.names[i] = l.name.into_boxed_str();
    }

    /// Sets the listing's bits in the set filters (everything but the grid).
    fn post(&mut self, i: usize, l: &Listing) {
        if l.accepting {
            self.open.set(i);
        }
        for f in &l.formats {
            self.formats[f.index()].set(i);
        }
        for p in &l.populations {
            self.populations[p.index()].set(i);
        }
        for lang in &l.languages {
            set_posting(&mut self.languages, lang, || *lang, i);
        }
        for j in &l.jurisdictions {
            set_posting(&mut self.jurisdictions, j, || j.clone(), i);
        }
        for ins in &l.insurance {
            set_posting(&mut self.insurers, ins.as_str(), || ins.as_str().into(), i);
        }
    }

    fn unlink(&mut self, slot: u32) {
        let i = slot as usize;
        let row = &self.cold[i];
        if row.located && row.offers(Format::InPerson) {
            self.grid.remove(row.lat, row.lon, slot);
        }
        self.fields.remove(i, &self.hot[i]);
        self.odd_styles.remove(&slot);
        self.open.clear(i);
        self.formats
            .iter_mut()
            .chain(self.populations.iter_mut())
            .for_each(|b| b.clear(i));
        self.languages.values_mut().for_each(|b| b.clear(i));
        self.jurisdictions.values_mut().for_each(|b| b.clear(i));
        self.insurers.values_mut().for_each(|b| b.clear(i));
    }
}
