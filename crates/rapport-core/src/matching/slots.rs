//! The index's id → slot map, holding slots only: the id text it is keyed by is the index's own
//! `ids` (a slot's id), not a second copy.
//!
//! A `HashMap<Box<str>, u32>` keeps a copy of every id (one allocation each) and 24 bytes per
//! bucket; at a million listings that was about 50 bytes per listing and a million allocations
//! per build. Here a bucket is a `u32` and a control byte. Ids are open-ended input, so they
//! keep a keyed hash (see [`super::fxhash`]): crafted ids cannot make lookups collide.

use hashbrown::HashTable;
use std::hash::{BuildHasher, RandomState};
use std::mem::size_of;

/// Slots by id; the caller passes the id text of each slot (`ids[slot]`) to every call.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    table: HashTable<u32>,
    keys: RandomState,
}

impl Slots {
    /// Room for `n` ids without growing.
    pub fn with_capacity(n: usize) -> Self {
        Slots {
            table: HashTable::with_capacity(n),
            keys: RandomState::new(),
        }
    }

    fn hash(&self, id: &str) -> u64 {
        self.keys.hash_one(id)
    }

    /// The slot of `id`.
    pub fn get(&self, ids: &[Box<str>], id: &str) -> Option<u32> {
        self.table
            .find(self.hash(id), |&s| &*ids[s as usize] == id)
            .copied()
    }

    /// Maps `id` to `slot`, returning the slot it had before. `ids` must hold the id text of
    /// every slot already in the map.
    pub fn insert(&mut self, ids: &[Box<str>], id: &str, slot: u32) -> Option<u32> {
        let keys = &self.keys;
        match self.table.entry(
            keys.hash_one(id),
            |&s| &*ids[s as usize] == id,
            |&s| keys.hash_one(&*ids[s as usize]),
        ) {
            hashbrown::hash_table::Entry::Occupied(mut e) => {
                Some(std::mem::replace(e.get_mut(), slot))
            }
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(slot);
                None
            }
        }
    }

    /// Unmaps `id`, returning its slot.
    pub fn remove(&mut self, ids: &[Box<str>], id: &str) -> Option<u32> {
        let hash = self.hash(id);
        self.table
            .find_entry(hash, |&s| &*ids[s as usize] == id)
            .ok()
            .map(|e| e.remove().0)
    }

    /// Renumbers every slot by `to` (the same ids, at new places); the ids' text is unchanged,
    /// so every entry keeps its bucket.
    pub fn renumber(&mut self, to: impl Fn(u32) -> u32) {
        for s in self.table.iter_mut() {
            *s = to(*s);
        }
    }

    /// Every slot in use.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.table.iter().copied()
    }

    /// How many ids are mapped.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no id is mapped.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Memory of the buckets and their control bytes.
    pub fn bytes(&self) -> usize {
        let buckets = self.table.capacity() * 8 / 7;
        buckets.next_power_of_two() * (size_of::<u32>() + 1)
    }
}
