//! The in-person side of a search: candidates from the grid cells around the client, nearest
//! first, counted and scored with bounds per cell so that most are never measured or read.

use super::{Base, Search, Words};
use crate::matching::bitset::ones;
use crate::matching::classes::Classes;
use crate::matching::filters::Filters;
use crate::matching::geo::{Origin, Reach};
use crate::matching::rules::Components;
use crate::matching::vocab::{Format, Word};

impl Search<'_> {
    /// Considers in-person candidate `i` (of a word whose feature words are `features`)
    /// unless a bound cannot beat the worst kept score: first its class's at the least
    /// distance of its cell (`cell` caches those per class), then with its own style and,
    /// once measured, distance.
    fn offer(&mut self, i: usize, near: Near, features: &[u64], cell: &mut CellBounds) {
        if let Some(worst) = self.worst() {
            let (bound, mut best) = cell.get(self, Classes::of(i % 64, features));
            if bound < worst {
                return;
            }
            if self.q.style.is_some() || near.measured {
                best.style = self.q.style_bound(self.index.styles[i]);
                best.distance = self.q.distance(Some(near.km));
                if best.score(self.w) < worst {
                    return;
                }
            }
        }
        self.consider(i, Some(near));
    }

    /// The in-person candidates within the client's reach, nearest grid cells first: each that
    /// passes every filter is counted, cleared from `remote` (it is taken from this side,
    /// where its distance is known) and considered. A grid cell comes with a lower bound on
    /// its listings' distances, so most of them are never measured, and when even its best
    /// class cannot beat the worst kept score none of them is scored. Only listings of cells
    /// across the circle's edge that [`Reach`] cannot place are measured, to count them right.
    pub(super) fn near(&mut self, base: &Base, filters: &Filters, remote: &mut Words) {
        let req = self.q.req;
        let (Some(from), Some(max)) = (req.location, req.max_distance_km) else {
            return;
        };
        if !req.accepts(Format::InPerson) {
            return;
        }
        let index = self.index;
        let origin = Origin::new(from.lat, from.lon);
        let reach = Reach::new(from.lat, from.lon, max);
        let in_person = &index.formats[Format::InPerson.index()];
        let passing = |word: usize, mask: u64| {
            let bits = mask & base.word(word) & in_person.word(word);
            if bits == 0 {
                0
            } else {
                filters.word(word, bits)
            }
        };
        // The exact distance of listing `i`, when it is within reach.
        let measure = |i: usize| {
            let row = &index.cold[i];
            let km = origin.km(row.lat, row.lon);
            (row.located && km <= max).then_some(km)
        };
        let mut features = vec![0u64; self.classes.features.len()];
        let mut cell = CellBounds::new(self.classes.terms.len());
        let within = index
            .grid
            .within(from.lat, from.lon, max, |spots, km, inside| {
                cell.reset(km);
                // A cell's slots mostly lie in runs: take them a word at a time.
                for group in spots.chunk_by(|a, b| a.slot / 64 == b.slot / 64) {
                    let word = group[0].slot as usize / 64;
                    let mask = group.iter().fold(0u64, |m, s| m | 1 << (s.slot % 64));
                    let passing = passing(word, mask);
                    if passing == 0 {
                        continue;
                    }
                    if inside {
                        // The grid holds exactly the located in-person listings, so a slot found
                        // in a cell certainly in reach is a candidate without reading its row.
                        self.reached(word, passing, remote);
                        let best = self.classes.best();
                        if self
                            .worst()
                            .is_some_and(|worst| cell.get(self, best).0 < worst)
                        {
                            continue;
                        }
                        self.classes.words(word, &mut features);
                        for i in ones(passing, word) {
                            self.offer(
                                i,
                                Near {
                                    km,
                                    measured: false,
                                },
                                &features,
                                &mut cell,
                            );
                        }
                        continue;
                    }
                    self.classes.words(word, &mut features);
                    for spot in group.iter().filter(|s| passing & 1 << (s.slot % 64) != 0) {
                        let i = spot.slot as usize;
                        let near = match reach.as_ref().and_then(|r| r.test(spot)) {
                            Some(true) => Near {
                                km,
                                measured: false,
                            },
                            Some(false) => continue,
                            None => match measure(i) {
                                Some(km) => Near { km, measured: true },
                                None => continue,
                            },
                        };
                        self.reached(word, 1 << (i % 64), remote);
                        self.offer(i, near, &features, &mut cell);
                    }
                }
            });
        if !within {
            cell.reset(0.0);
            for word in in_person.span() {
                let passing = passing(word, !0);
                self.classes.words(word, &mut features);
                for i in ones(passing, word) {
                    if let Some(km) = measure(i) {
                        self.reached(word, 1 << (i % 64), remote);
                        self.offer(i, Near { km, measured: true }, &features, &mut cell);
                    }
                }
            }
        }
    }

    /// Counts in-person candidates `bits` of word `word`, taking them out of `remote`.
    fn reached(&mut self, word: usize, bits: u64, remote: &mut Words) {
        remote.clear(word, bits);
        self.total += bits.count_ones() as usize;
    }
}

/// The bounds of the classes in one grid cell (at its least distance), worked out as met.
struct CellBounds {
    km: f64,
    /// Which cell this is (counting), and per class the cell it was worked out for, its
    /// bound there and the components behind it, so moving to the next cell clears nothing.
    cell: u32,
    bounds: Vec<(u32, f64, Components)>,
}

impl CellBounds {
    fn new(classes: usize) -> Self {
        let none = Components {
            concerns: None,
            style: None,
            modality: None,
            identity: None,
            distance: None,
            effectiveness: 0.0,
        };
        CellBounds {
            km: 0.0,
            cell: 0,
            bounds: vec![(0, 0.0, none); classes],
        }
    }

    fn reset(&mut self, km: f64) {
        self.km = km;
        self.cell += 1;
    }

    /// The bound of `class` in this cell (style closeness 1) and its components.
    fn get(&mut self, search: &Search, class: usize) -> (f64, Components) {
        let (cell, bound, components) = &mut self.bounds[class];
        if *cell != self.cell {
            let most = search.q.style.map(|_| 1.0);
            let terms = search.classes.terms[class];
            *cell = self.cell;
            *components = search.q.components(terms, most, Some(self.km));
            *bound = components.score(search.w);
        }
        (*bound, *components)
    }
}

/// An in-person candidate within reach: its distance in km when `measured`, otherwise a lower
/// bound on it (the listing is certainly within reach; the exact distance is computed only if
/// the listing may make the results).
#[derive(Clone, Copy)]
pub(super) struct Near {
    pub(super) km: f64,
    pub(super) measured: bool,
}
