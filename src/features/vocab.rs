//! The fitted part of the features: which buckets are kept, and their IDF.
//!
//! IDF is learned once from the training corpus and stored, unlike
//! linfa-preprocessing's `TfIdfVectorizer`, which takes IDF from whatever
//! batch it transforms (so one test sentence would get different weights
//! alone than in a batch).

use super::RawCounts;
use super::select::{DocFreqs, select_top_k};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// Per-thread scratch for [`Vocabulary::transform`]: where each column sits in
/// the row being built (`u32::MAX` = not yet); reset after every row.
#[derive(Default)]
struct Accumulator {
    slot: Vec<u32>,
}

thread_local! {
    static ACCUMULATOR: RefCell<Accumulator> = RefCell::new(Accumulator::default());
}

/// A feature row for the classifier: (column, value) pairs, each column once.
pub type SparseRow = Vec<(u32, f32)>;

/// Selected buckets (the model's columns, ascending) with their IDF.
///
/// ```
/// use nabra::features::Vocabulary;
/// // two documents of class 0 share bucket 7; bucket 9 marks class 1
/// let rows = vec![vec![(7, 1.0)], vec![(7, 2.0)], vec![(9, 1.0)], vec![(9, 1.0), (7, 1.0)]];
/// // (buckets below n_buckets / 2 are character n-grams, normalized apart from the rest)
/// let v = Vocabulary::fit(&rows, &[0, 0, 1, 1], 2, 16, 10, 1, true);
/// assert_eq!(v.buckets(), &[7, 9]);
/// let mut row = Vec::new();
/// v.transform(&[(7, 2.0), (8, 5.0)], &mut row); // bucket 8 is not a column
/// assert_eq!(row.len(), 1);
/// assert!((row[0].1 - 1.0).abs() < 1e-6); // L2-normalized
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "VocabularyData", into = "VocabularyData")]
pub struct Vocabulary {
    data: VocabularyData,
    /// bucket → column as a rank/select bitmap (rebuilt on load): bit b is
    /// set when bucket b is a column, and its column is the number of set
    /// bits below it. 1/32 of a `u32` table's size, so lookups stay in cache.
    selected: Vec<u64>,
    /// Set bits in all words before each word of `selected`.
    rank: Vec<u32>,
    /// Columns below this are character n-grams (their buckets are in the
    /// lower half, and columns follow bucket order).
    char_columns: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct VocabularyData {
    n_buckets: usize,
    buckets: Vec<u32>,
    idf: Vec<f32>,
    sublinear_tf: bool,
}

impl TryFrom<VocabularyData> for Vocabulary {
    type Error = String;

    fn try_from(data: VocabularyData) -> Result<Self, String> {
        if data.n_buckets == 0 || data.n_buckets > 1 << 28 {
            return Err(format!("bucket count {} out of range", data.n_buckets));
        }
        if data.idf.len() != data.buckets.len() {
            return Err("IDF and column lists differ in length".into());
        }
        if !data.buckets.windows(2).all(|w| w[0] < w[1])
            || data
                .buckets
                .last()
                .is_some_and(|&b| b as usize >= data.n_buckets)
        {
            return Err("column buckets are not ascending within range".into());
        }
        if data.idf.iter().any(|x| !x.is_finite()) {
            return Err("non-finite IDF".into());
        }
        let words = data.n_buckets.div_ceil(64);
        let mut selected = vec![0u64; words];
        for &b in &data.buckets {
            selected[b as usize / 64] |= 1 << (b % 64);
        }
        let mut rank = Vec::with_capacity(words);
        let mut total = 0u32;
        for w in &selected {
            rank.push(total);
            total += w.count_ones();
        }
        let half = (data.n_buckets / 2) as u32;
        let char_columns = data.buckets.partition_point(|&b| b < half) as u32;
        Ok(Vocabulary {
            data,
            selected,
            rank,
            char_columns,
        })
    }
}

impl From<Vocabulary> for VocabularyData {
    fn from(v: Vocabulary) -> Self {
        v.data
    }
}

impl Vocabulary {
    /// Fits on raw count rows with class indices `labels` (< `n_classes`):
    /// keeps the `k` best buckets by chi-square among those in ≥ `min_df`
    /// documents, and stores their smoothed IDF ln((1+n)/(1+df)) + 1.
    #[allow(clippy::too_many_arguments)]
    pub fn fit(
        rows: &[RawCounts],
        labels: &[usize],
        n_classes: usize,
        n_buckets: usize,
        k: usize,
        min_df: u32,
        sublinear_tf: bool,
    ) -> Vocabulary {
        let freqs = DocFreqs::count(rows, labels, n_classes, n_buckets);
        let buckets = select_top_k(&freqs, k, min_df);
        let n = rows.len() as f64;
        let idf = buckets
            .iter()
            .map(|&b| ((1.0 + n) / (1.0 + f64::from(freqs.df[b as usize]))).ln() as f32 + 1.0)
            .collect();
        let data = VocabularyData {
            n_buckets,
            buckets,
            idf,
            sublinear_tf,
        };
        Vocabulary::try_from(data).expect("fit builds a consistent vocabulary")
    }

    /// The column of bucket `b`, if it was selected.
    ///
    /// ```
    /// use nabra::features::Vocabulary;
    /// let rows = vec![vec![(3, 1.0), (700, 1.0)], vec![(3, 1.0), (700, 1.0)]];
    /// let v = Vocabulary::fit(&rows, &[0, 1], 2, 1024, 10, 1, true);
    /// assert_eq!((v.column(3), v.column(700), v.column(4)), (Some(0), Some(1), None));
    /// ```
    #[inline]
    pub fn column(&self, b: u32) -> Option<u32> {
        let word = *self.selected.get(b as usize / 64)?;
        let bit = 1u64 << (b % 64);
        (word & bit != 0).then(|| self.rank[b as usize / 64] + (word & (bit - 1)).count_ones())
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.data.buckets.len()
    }

    /// True when no bucket was selected.
    pub fn is_empty(&self) -> bool {
        self.data.buckets.is_empty()
    }

    /// The selected buckets, ascending; column `i` is `buckets()[i]`.
    pub fn buckets(&self) -> &[u32] {
        &self.data.buckets
    }

    /// The IDF of each column.
    pub fn idf(&self) -> &[f32] {
        &self.data.idf
    }

    /// Number of hash buckets the vocabulary was fitted for.
    pub fn n_buckets(&self) -> usize {
        self.data.n_buckets
    }

    /// Raw counts → TF-IDF row over the selected columns, each column once,
    /// character-group columns before word-group columns, otherwise in
    /// order of first occurrence. `raw` may be merged or not, in any order
    /// (occurrences of one bucket are summed in a per-thread accumulator, so
    /// no sorting is needed). Character n-gram columns (lower half of the
    /// buckets) and word-level columns (upper half) are each L2-normalized.
    pub fn transform(&self, raw: &[(u32, f32)], out: &mut SparseRow) {
        out.clear();
        ACCUMULATOR.with(|acc| {
            let mut acc = acc.borrow_mut();
            let acc = &mut *acc;
            if acc.slot.len() < self.len() {
                acc.slot.resize(self.len(), u32::MAX);
            }
            for &(b, tf) in raw {
                if let Some(col) = self.column(b) {
                    let c = col as usize;
                    if acc.slot[c] == u32::MAX {
                        acc.slot[c] = out.len() as u32;
                        out.push((col, 0.0));
                    }
                    out[acc.slot[c] as usize].1 += tf;
                }
            }
            for p in out.iter() {
                acc.slot[p.0 as usize] = u32::MAX;
            }
        });
        out.retain(|p| p.1 != 0.0);
        for p in out.iter_mut() {
            let mag = p.1.abs();
            let tf = if self.data.sublinear_tf {
                1.0 + mag.ln()
            } else {
                mag
            };
            p.1 = tf.copysign(p.1) * self.data.idf[p.0 as usize];
        }
        // extraction emits character n-grams first, but merged input is in
        // bucket order: either way a stable partition puts chars first
        let is_char = |p: &(u32, f32)| p.0 < self.char_columns;
        if !out.is_sorted_by_key(|p| !is_char(p)) {
            out.sort_by_key(|p| !is_char(p));
        }
        let split = out.partition_point(is_char);
        let (chars, words) = out.split_at_mut(split);
        for group in [chars, words] {
            let norm = group.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt();
            if norm > 0.0 {
                for p in group.iter_mut() {
                    p.1 /= norm;
                }
            }
        }
    }
}
