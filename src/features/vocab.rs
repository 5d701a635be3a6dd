//! The fitted part of the features: which buckets are kept, and their IDF.
//!
//! IDF is learned once from the training corpus and stored, unlike
//! linfa-preprocessing's `TfIdfVectorizer`, which takes IDF from whatever
//! batch it transforms (so one test sentence would get different weights
//! alone than in a batch).

use super::select::{select_top_k, DocFreqs};
use super::RawCounts;
use serde::{Deserialize, Serialize};

/// A feature row for the classifier: (column, value), sorted by column.
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
    /// bucket → column + 1 (0 = not selected); rebuilt on load.
    col_of: Vec<u32>,
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
        let mut col_of = vec![0u32; data.n_buckets];
        for (c, &b) in data.buckets.iter().enumerate() {
            col_of[b as usize] = c as u32 + 1;
        }
        Ok(Vocabulary { data, col_of })
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

    /// Raw counts → TF-IDF row over the selected columns. Character n-gram
    /// columns (lower half of the buckets) and word-level columns (upper
    /// half) are each L2-normalized to 1.
    pub fn transform(&self, raw: &[(u32, f32)], out: &mut SparseRow) {
        out.clear();
        let half = (self.data.n_buckets / 2) as u32;
        let mut split = 0;
        for &(b, tf) in raw {
            let Some(&c) = self.col_of.get(b as usize) else {
                continue;
            };
            if c == 0 {
                continue;
            }
            let col = c - 1;
            if b < half {
                split += 1;
            }
            let mag = tf.abs();
            let w = if self.data.sublinear_tf {
                1.0 + mag.ln()
            } else {
                mag
            };
            out.push((col, w.copysign(tf) * self.data.idf[col as usize]));
        }
        // raw is sorted by bucket and columns follow bucket order: already
        // sorted, with the character group first
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
