//! The fitted part of the features: which buckets are kept, and their IDF.
//!
//! IDF is learned once from the training corpus and stored, unlike
//! linfa-preprocessing's `TfIdfVectorizer`, which takes IDF from whatever
//! batch it transforms (so one test sentence would get different weights
//! alone than in a batch).

use super::RawCounts;
use super::select::{DocFreqs, select_top_k};
use crate::prefetch::prefetch;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

thread_local! {
    static COUNTS: RefCell<ColumnCounts> = RefCell::new(ColumnCounts::default());
}

/// Marks an empty slot of [`ColumnCounts`] (columns are below 2^28).
const EMPTY: u32 = u32::MAX;

/// The summed occurrences of each column in one row, in order of first
/// occurrence: what [`Vocabulary::accumulate`] builds, reused across rows.
///
/// A small open-addressing table sized to the row, not an array over all
/// columns: a row touches a few hundred columns, and a table that fits in
/// L1 cache spares the cache miss per occurrence that a per-column array
/// larger than L2 costs.
///
/// ```
/// use nabra::features::{ColumnCounts, Vocabulary};
/// let v = Vocabulary::fit(&[vec![(3, 1.0), (5, 1.0)], vec![(3, 1.0)]], &[0, 1], 2, 16, 10, 1, true);
/// let mut counts = ColumnCounts::default();
/// v.accumulate(&[(5, 1.0), (3, 1.0), (5, 1.0), (4, 1.0)], &mut counts);
/// // bucket 4 is not a column; columns in order of first occurrence
/// assert_eq!(counts.iter().collect::<Vec<_>>(), [(1, 2.0), (0, 1.0)]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ColumnCounts {
    /// (column or `EMPTY`, summed count) in each slot: a probe reads one
    /// cache line, not one per array.
    slots: Vec<(u32, f32)>,
    /// Occupied slots in order of first occurrence: the first `len`.
    order: Vec<u32>,
    len: usize,
    /// 32 − log2(table size): the multiplicative hash keeps the top bits.
    shift: u32,
    /// The selected occurrences of the row being accumulated.
    hits: Vec<(u32, f32)>,
}

impl ColumnCounts {
    /// Empties the table and sizes it for up to `distinct` columns (load ≤ ½).
    fn reset(&mut self, distinct: usize) {
        for &s in &self.order[..self.len] {
            self.slots[s as usize].0 = EMPTY;
        }
        self.len = 0;
        let want = (distinct * 2).next_power_of_two().max(256);
        // grow when needed; shrink after a huge row so small rows stay in cache
        if self.slots.len() < want || self.slots.len() > want * 64 {
            self.slots = vec![(EMPTY, 0.0); want];
            self.shift = 32 - want.trailing_zeros();
        }
    }

    /// Adds each (column, count) of `items`. The table, its size and the
    /// length of `order` are held in locals for the loop: kept in the
    /// struct, every insertion's update of `order`'s length waits on the
    /// previous one's (through memory), a chain as long as the row.
    #[inline(always)]
    fn add_all(&mut self, items: &[(u32, f32)]) {
        let start = self.len;
        // grow only: the slots at and above `self.len` are stale, and each is
        // written before `self.len` moves past it
        if self.order.len() < start + items.len() {
            self.order.resize(start + items.len(), 0);
        }
        let slots = &mut self.slots[..];
        let order = &mut self.order[..];
        let mask = slots.len() - 1;
        let shift = self.shift;
        let mut len = start;
        for &(col, v) in items {
            let mut s = (col.wrapping_mul(0x9E37_79B1) >> shift) as usize;
            loop {
                let slot = &mut slots[s];
                if slot.0 == col {
                    slot.1 += v;
                    break;
                }
                if slot.0 == EMPTY {
                    *slot = (col, v);
                    order[len] = s as u32;
                    len += 1;
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        self.len = len;
    }

    /// (column, summed count) pairs in order of first occurrence; a count can
    /// be zero when signed occurrences cancel.
    pub fn iter(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.order[..self.len]
            .iter()
            .map(|&s| self.slots[s as usize])
    }

    /// Number of distinct columns.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the row touched no column.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// 64 buckets of the bucket → column map: which are columns, and how many
/// columns come before them. Word and rank share one cache line.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(C, align(16))]
struct Block {
    bits: u64,
    rank: u32,
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
    /// bits below it: 1/16 of a `u32` table's size (256 KB for 2^20
    /// buckets), one cache line per lookup.
    blocks: Vec<Block>,
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
        let mut blocks = vec![Block::default(); words];
        for &b in &data.buckets {
            blocks[b as usize / 64].bits |= 1 << (b % 64);
        }
        let mut total = 0u32;
        for blk in &mut blocks {
            blk.rank = total;
            total += blk.bits.count_ones();
        }
        let half = (data.n_buckets / 2) as u32;
        let char_columns = data.buckets.partition_point(|&b| b < half) as u32;
        Ok(Vocabulary {
            data,
            blocks,
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
        let (col, hit) = self.lookup(b);
        hit.then_some(col)
    }

    /// Bucket `b`'s column if it were selected, and whether it is: computed
    /// without a branch on the answer, for the lookup loop of
    /// [`Vocabulary::accumulate`].
    #[inline(always)]
    fn lookup(&self, b: u32) -> (u32, bool) {
        match self.blocks.get(b as usize / 64) {
            Some(blk) => {
                let bit = 1u64 << (b % 64);
                (
                    blk.rank + (blk.bits & (bit - 1)).count_ones(),
                    blk.bits & bit != 0,
                )
            }
            None => (0, false),
        }
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

    /// Sums the occurrences in `raw` (any order, merged or not) per selected
    /// column into `counts`, dropping unselected buckets: the first step of
    /// [`Vocabulary::transform`], and all a fused scorer needs.
    pub fn accumulate(&self, raw: &[(u32, f32)], counts: &mut ColumnCounts) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU has the popcnt instruction (checked just above).
            return unsafe { self.accumulate_popcnt(raw, counts) };
        }
        self.accumulate_with(raw, counts);
    }

    /// [`Vocabulary::accumulate`] compiled with the popcnt instruction,
    /// which the rank lookup uses once per occurrence (baseline x86-64
    /// lacks it and emulates it in a dozen instructions).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    unsafe fn accumulate_popcnt(&self, raw: &[(u32, f32)], counts: &mut ColumnCounts) {
        self.accumulate_with(raw, counts);
    }

    #[inline(always)]
    fn accumulate_with(&self, raw: &[(u32, f32)], counts: &mut ColumnCounts) {
        counts.reset(raw.len());
        // Two passes: the bitmap lookups first, branch-free and independent
        // of each other so their cache misses overlap, then the table.
        let hits = &mut counts.hits;
        // grow only: every slot below `n` is written before it is read
        if hits.len() < raw.len() {
            hits.resize(raw.len(), (0, 0.0));
        }
        let mut n = 0;
        const AHEAD: usize = 16;
        for (i, &(b, tf)) in raw.iter().enumerate() {
            if let Some(&(ahead, _)) = raw.get(i + AHEAD) {
                prefetch(&self.blocks, ahead as usize / 64);
            }
            let (col, hit) = self.lookup(b);
            hits[n] = (col, tf);
            n += usize::from(hit);
        }
        let hits = std::mem::take(&mut counts.hits);
        counts.add_all(&hits[..n]);
        counts.hits = hits;
    }

    /// Whether term frequencies are sublinear (1 + ln tf).
    pub fn sublinear_tf(&self) -> bool {
        self.data.sublinear_tf
    }

    /// Columns below this are character n-grams, normalized apart from the
    /// word-level columns above.
    pub fn char_columns(&self) -> u32 {
        self.char_columns
    }

    /// Raw counts → TF-IDF row over the selected columns, each column once,
    /// character-group columns before word-group columns, otherwise in
    /// order of first occurrence. `raw` may be merged or not, in any order
    /// (occurrences of one bucket are summed in a per-thread accumulator, so
    /// no sorting is needed). Character n-gram columns (lower half of the
    /// buckets) and word-level columns (upper half) are each L2-normalized.
    pub fn transform(&self, raw: &[(u32, f32)], out: &mut SparseRow) {
        out.clear();
        COUNTS.with(|counts| {
            let mut counts = counts.borrow_mut();
            self.accumulate(raw, &mut counts);
            out.extend(counts.iter());
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Column counts equal a plain per-column sum, for rows small and large
    /// (the table grows, shrinks, and is reused across rows).
    #[test]
    fn column_counts_equal_plain_sums() {
        let buckets = 1 << 12;
        let rows: Vec<RawCounts> = (0..3u32)
            .map(|r| (0..buckets as u32).map(|b| (b, 1.0 + r as f32)).collect())
            .collect();
        let v = Vocabulary::fit(&rows, &[0, 1, 0], 2, buckets, 3000, 1, true);
        let mut counts = ColumnCounts::default();
        let mut state = 7u64;
        for len in [5usize, 40_000, 3, 900, 0, 17] {
            let raw: RawCounts = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (
                        (state >> 33) as u32 % buckets as u32,
                        if state >> 63 == 1 { 1.0 } else { -1.0 },
                    )
                })
                .collect();
            v.accumulate(&raw, &mut counts);
            let mut want = BTreeMap::new();
            let mut first = Vec::new();
            for &(b, x) in &raw {
                if let Some(c) = v.column(b) {
                    *want.entry(c).or_insert_with(|| {
                        first.push(c);
                        0.0
                    }) += x;
                }
            }
            let got: Vec<(u32, f32)> = counts.iter().collect();
            let expect: Vec<(u32, f32)> = first.iter().map(|c| (*c, want[c])).collect();
            assert_eq!(got, expect, "row of {len}");
        }
    }
}
