//! A plain growable bitset over listing slots: the engine's set filters are word-wide ANDs.

use std::ops::Range;

/// One bit per listing slot; missing words read as zero so sets of different lengths combine.
///
/// Listings are laid out by jurisdiction, so many sets (a jurisdiction's, an insurer's) have
/// their ones in a narrow band of words; the set remembers the first word it ever touched so a
/// query can visit only [`BitSet::span`] instead of the whole directory.
#[derive(Debug, Clone, Default)]
pub(crate) struct BitSet {
    words: Vec<u64>,
    /// No word before this one has ever had a bit set. Clearing never moves it (it is a bound,
    /// not an exact first word), so upserts and removes stay O(1).
    first: usize,
}

impl BitSet {
    pub fn set(&mut self, i: usize) {
        self.set_word(i / 64, 1 << (i % 64));
    }

    /// Sets the ones of `bits` in word `w`, for builders that gather a word at a time.
    pub fn set_word(&mut self, w: usize, bits: u64) {
        if bits == 0 {
            return;
        }
        if self.words.is_empty() || w < self.first {
            self.first = w;
        }
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= bits;
    }

    pub fn clear(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }

    /// Word `w` (bits `64w .. 64w + 63`), zero past the end.
    pub fn word(&self, w: usize) -> u64 {
        self.words.get(w).copied().unwrap_or(0)
    }

    /// The words that may hold ones; every word outside is zero.
    pub fn span(&self) -> Range<usize> {
        self.first.min(self.words.len())..self.words.len()
    }

    pub fn bytes(&self) -> usize {
        self.words.capacity() * 8
    }

    /// Room for `bits` bits without growing, for sets a bulk build knows will span about that.
    pub fn with_capacity(bits: usize) -> Self {
        BitSet {
            words: Vec::with_capacity(bits.div_ceil(64)),
            first: 0,
        }
    }

    /// Gives back the room growing left past the last word (up to half the set).
    pub fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
    }
}

/// The slots of the ones in word `w` whose bits are `bits`, lowest first.
pub(crate) fn ones(bits: u64, w: usize) -> impl Iterator<Item = usize> {
    let mut rest = bits;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let bit = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            w * 64 + bit
        })
    })
}
