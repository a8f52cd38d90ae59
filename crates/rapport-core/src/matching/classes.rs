//! Classes of candidates by the score features bitsets can tell, each with a bound on its
//! members' scores, so that a search visits the best classes first and skips the rest.

use super::bitset::BitSet;
use super::index::Index;
use super::query::{Query, Terms};
use super::rules::{Components, Weights};
use super::vocab::Strength;

/// The features a set can tell that raise a candidate's score: each of the client's first
/// three concerns listed, a wished modality shared, each `prefer` identity wish met, and a
/// rating for one of the first concerns (without one, effectiveness is known: all unrated).
///
/// A class is the subset of features a candidate has (bit `j` for feature `j`). Its terms are
/// the best a candidate with exactly those features can have (every further concern listed,
/// every rated first concern rated effective), and a candidate's own terms are each at most
/// those: the score only grows with each term, so a score from the class's terms (with the
/// candidate's style, or 1, and distance) bounds the candidate's. Bounds are computed by the
/// same code as scores, so comparing them with a kept score is exact.
pub(super) struct Classes<'a> {
    /// Per feature, the sets of which any will do.
    pub features: Vec<Vec<&'a BitSet>>,
    /// Per class, its best terms.
    pub terms: Vec<Terms>,
    /// Per class, the components of a remote member at best (style closeness 1).
    pub remote: Vec<Components>,
    /// Per class, the score of `remote`: a bound on a remote member's.
    pub bounds: Vec<f64>,
    /// Per class, whether its terms are every member's (no style, no further concern, known
    /// effectiveness): then a remote member's score is the class's, without reading its row.
    pub exact: Vec<bool>,
    /// The classes by their bound, best first.
    pub order: Vec<usize>,
}

impl<'a> Classes<'a> {
    pub fn new(index: &'a Index, q: &Query, w: &Weights) -> Self {
        let req = q.req;
        let fields = &index.fields;
        let firsts = &req.concerns[..q.firsts];
        let mut features: Vec<Vec<&BitSet>> = Vec::new();
        let mut weights = Vec::new();
        for (c, weight) in firsts.iter().zip([3, 2, 1]) {
            features.push(vec![fields.concern(*c)]);
            weights.push(weight);
        }
        let modality = (!req.modalities.is_empty()).then(|| {
            features.push(req.modalities.iter().map(|m| fields.modality(*m)).collect());
            features.len() - 1
        });
        let rated = (!firsts.is_empty()).then(|| {
            features.push(firsts.iter().map(|c| fields.rated(*c)).collect());
            features.len() - 1
        });
        let wishes = features.len();
        features.extend(
            fields
                .wishes(req, Strength::Prefer)
                .into_iter()
                .map(|set| vec![set]),
        );
        let further = q.concern_total - weights.iter().sum::<u32>();
        let has =
            |class: usize, feature: Option<usize>| feature.is_some_and(|j| class >> j & 1 == 1);
        let terms: Vec<Terms> = (0..1usize << features.len())
            .map(|class| Terms {
                listed: further
                    + (weights.iter().enumerate())
                        .filter(|&(j, _)| has(class, Some(j)))
                        .map(|(_, weight)| weight)
                        .sum::<u32>(),
                shared: has(class, modality),
                met: (class >> wishes).count_ones(),
                halves: if has(class, rated) { 2 } else { 1 } * q.firsts as u32,
            })
            .collect();
        let most = q.style.map(|_| 1.0);
        let remote: Vec<Components> = terms.iter().map(|t| q.components(*t, most, None)).collect();
        let exact = (0..terms.len())
            .map(|class| q.style.is_none() && further == 0 && !has(class, rated))
            .collect();
        let bounds: Vec<f64> = remote.iter().map(|c| c.score(w)).collect();
        let mut order: Vec<usize> = (0..terms.len()).collect();
        order.sort_unstable_by(|&a, &b| bounds[b].total_cmp(&bounds[a]));
        Classes {
            features,
            terms,
            remote,
            bounds,
            exact,
            order,
        }
    }

    /// The class with every feature, whose bound is the highest.
    pub fn best(&self) -> usize {
        self.terms.len() - 1
    }

    /// Word `w` of each feature.
    pub fn words(&self, w: usize, out: &mut [u64]) {
        for (word, sets) in out.iter_mut().zip(&self.features) {
            *word = sets.iter().fold(0, |any, s| any | s.word(w));
        }
    }

    /// The class of bit `bit` of a word whose feature words are `features`.
    pub fn of(bit: usize, features: &[u64]) -> usize {
        (features.iter().enumerate())
            .fold(0, |class, (j, f)| class | ((f >> bit) as usize & 1) << j)
    }

    /// The bits of `bits` in `class`, given the word's feature words.
    pub fn members(class: usize, bits: u64, features: &[u64]) -> u64 {
        (features.iter().enumerate()).fold(bits, |bits, (j, &f)| {
            bits & if class >> j & 1 == 1 { f } else { !f }
        })
    }
}
