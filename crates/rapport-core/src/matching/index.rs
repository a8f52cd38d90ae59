//! The in-memory directory the engine searches: columnar, compact, kept current by upserts.
//!
//! Each listing becomes one fixed-size [`Row`] in a slot (kept as its hot and cold halves in two
//! vectors, see [`super::row`]); set-valued fields become one bitset per
//! value over slots (languages, jurisdictions, insurers, formats, populations), and in-person
//! listings go into a 0.1° grid. A query ANDs a few bitsets, visits the grid cells its circle
//! touches, and scores only what is left. Display text (ids, names) sits in separate vectors.

use super::bitset::BitSet;
use super::codes::{Jurisdiction, Language};
use super::fxhash::FxHashMap;
use super::geo::{Grid, cell};
use super::listing::Listing;
use super::row::{Cold, Hot, Row};
use super::vocab::{Format, POPULATIONS, Word};
use std::collections::HashMap;
use std::mem::size_of;

/// The searchable directory. Search results equal [`super::naive::search`] on the same listings.
#[derive(Debug, Default)]
pub struct Index {
    pub(crate) hot: Vec<Hot>,
    pub(crate) cold: Vec<Cold>,
    pub(crate) ids: Vec<Box<str>>,
    pub(crate) id_keys: Vec<u64>,
    pub(crate) names: Vec<Box<str>>,
    pub(crate) slot_of: HashMap<Box<str>, u32>,
    free: Vec<u32>,
    pub(crate) open: BitSet,
    pub(crate) formats: [BitSet; 3],
    pub(crate) populations: [BitSet; POPULATIONS.len()],
    pub(crate) languages: FxHashMap<Language, BitSet>,
    pub(crate) jurisdictions: FxHashMap<Jurisdiction, BitSet>,
    pub(crate) insurers: FxHashMap<Box<str>, BitSet>,
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

impl Index {
    /// Builds the index; a later listing with an id already seen replaces it. Listings are laid
    /// out by jurisdiction and grid cell, so one query's candidates sit close together in memory.
    ///
    /// This is the bulk path, equal in result to upserting the kept listings in slot order but
    /// several times faster on a large directory: each id is hashed once (into `slot_of`, which
    /// also finds the duplicates), each row is computed once, and the listings are read in the
    /// order they were given, where their many small heap blocks lie one after another, rather
    /// than in slot order. The rows are then gathered into slot order, and the listings' set
    /// fields are scattered as bits, which touches only the bitsets.
    pub fn build(listings: Vec<Listing>) -> Index {
        let n = listings.len();
        // Values are positions in `listings` until the slots are known.
        let mut slot_of: HashMap<Box<str>, u32> = HashMap::with_capacity(n);
        let mut kept = vec![true; n];
        let mut rows = Vec::with_capacity(n);
        let mut id_keys = Vec::with_capacity(n);
        let mut order = Vec::with_capacity(n);
        for (i, l) in listings.iter().enumerate() {
            // `insert` keeps the key already there and hands back the earlier listing's place.
            if let Some(earlier) = slot_of.insert(l.id.as_str().into(), i as u32) {
                kept[earlier as usize] = false;
            }
            rows.push(Row::from_listing(l));
            id_keys.push(id_key(&l.id));
            let place = l.jurisdictions.first().map_or(0, |j| {
                j.as_str().bytes().fold(0u64, |k, b| k << 8 | u64::from(b))
            });
            order.push((
                place,
                l.location.as_ref().map(|p| cell(p.lat, p.lon)),
                i as u32,
            ));
        }
        order.retain(|&(_, _, i)| kept[i as usize]);
        order.sort_unstable();
        let mut slot_for = vec![u32::MAX; n];
        for (slot, &(_, _, i)) in order.iter().enumerate() {
            slot_for[i as usize] = slot as u32;
        }
        for at in slot_of.values_mut() {
            *at = slot_for[*at as usize];
        }
        let m = order.len();
        let mut index = Index {
            hot: order
                .iter()
                .map(|&(_, _, i)| rows[i as usize].hot)
                .collect(),
            cold: order
                .iter()
                .map(|&(_, _, i)| rows[i as usize].cold)
                .collect(),
            id_keys: order.iter().map(|&(_, _, i)| id_keys[i as usize]).collect(),
            ids: vec![Box::default(); m],
            names: vec![Box::default(); m],
            slot_of,
            open: BitSet::with_capacity(m),
            formats: std::array::from_fn(|_| BitSet::with_capacity(m)),
            populations: std::array::from_fn(|_| BitSet::with_capacity(m)),
            ..Index::default()
        };
        drop((rows, id_keys, order));
        for (l, slot) in listings.into_iter().zip(slot_for) {
            if slot == u32::MAX {
                continue;
            }
            let i = slot as usize;
            index.post(i, &l);
            index.ids[i] = l.id.into_boxed_str();
            index.names[i] = l.name.into_boxed_str();
        }
        // In slot order the in-person listings come grouped by cell (within a jurisdiction).
        let mut run: Vec<u32> = Vec::new();
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
            run.push(slot as u32);
        }
        if let Some(at) = run_cell {
            index.grid.insert_all(at, &run);
        }
        index
            .languages
            .values_mut()
            .chain(index.jurisdictions.values_mut())
            .chain(index.insurers.values_mut())
            .for_each(BitSet::shrink_to_fit);
        index
    }

    /// Adds a listing, or replaces the one with the same id, without rebuilding anything else.
    pub fn upsert(&mut self, listing: Listing) {
        let slot = match self.slot_of.get(listing.id.as_str()) {
            Some(&slot) => {
                self.unlink(slot);
                slot
            }
            None => {
                let slot = self.free.pop().unwrap_or_else(|| {
                    let row = Row::from_listing(&listing);
                    self.hot.push(row.hot);
                    self.cold.push(row.cold);
                    self.ids.push("".into());
                    self.id_keys.push(0);
                    self.names.push("".into());
                    (self.hot.len() - 1) as u32
                });
                self.slot_of.insert(listing.id.as_str().into(), slot);
                slot
            }
        };
        self.link(slot, listing);
    }

    /// Removes a listing by id; returns whether it was there.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.slot_of.remove(id) else {
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
        self.slot_of.contains_key(id)
    }

    /// Approximate memory of the searchable structures per listing (rows, bitsets, grid, id map
    /// and the pointers to display strings; the text bytes of ids and names are left out), for
    /// the benchmark to print against its budget of 256 bytes.
    pub fn approx_bytes_per_listing(&self) -> usize {
        if self.is_empty() {
            return 0;
        }
        let bitsets = self.open.bytes()
            + self.formats.iter().map(BitSet::bytes).sum::<usize>()
            + self.populations.iter().map(BitSet::bytes).sum::<usize>()
            + postings(self.languages.values())
            + postings(self.jurisdictions.values())
            + postings(self.insurers.values());
        let rows = self.hot.capacity() * size_of::<Hot>()
            + self.cold.capacity() * size_of::<Cold>()
            + self.id_keys.capacity() * 8;
        let display = (self.ids.capacity() + self.names.capacity()) * size_of::<Box<str>>();
        let id_map =
            self.slot_of.capacity() * (size_of::<(Box<str>, u32)>() + 1) + self.free.capacity() * 4;
        (rows + bitsets + display + id_map + self.grid.bytes()) / self.len()
    }

    fn link(&mut self, slot: u32, l: Listing) {
        let i = slot as usize;
        let row = Row::from_listing(&l);
        self.hot[i] = row.hot;
        self.cold[i] = row.cold;
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
