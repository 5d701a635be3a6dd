//! Chi-square feature scoring, in one sparse pass.
//!
//! linfa's classifiers take dense matrices, so of the million hash buckets
//! only the K most class-informative can be kept. The score is scikit-learn's
//! `chi2` on binary presence: for each bucket, Σ_c (O_c − E_c)² / E_c with
//! O_c the documents of class c containing it and E_c = df · N_c / N.

use super::RawCounts;

/// Per-bucket document frequencies, overall and per class, from one pass over
/// the rows.
#[derive(Debug, Clone)]
pub(crate) struct DocFreqs {
    pub(crate) df: Vec<u32>,
    /// `class_df[b * n_classes + c]`.
    pub(crate) class_df: Vec<u32>,
    pub(crate) class_sizes: Vec<u32>,
    pub(crate) n_classes: usize,
}

impl DocFreqs {
    pub(crate) fn count(
        rows: &[RawCounts],
        labels: &[usize],
        n_classes: usize,
        buckets: usize,
    ) -> Self {
        let mut df = vec![0u32; buckets];
        let mut class_df = vec![0u32; buckets * n_classes];
        let mut class_sizes = vec![0u32; n_classes];
        for (row, &y) in rows.iter().zip(labels) {
            class_sizes[y] += 1;
            for &(b, _) in row {
                let b = b as usize;
                df[b] += 1;
                class_df[b * n_classes + y] += 1;
            }
        }
        DocFreqs {
            df,
            class_df,
            class_sizes,
            n_classes,
        }
    }
}

/// The chi-square score of every bucket (0 for buckets never seen).
///
/// `df_by_class[c]` is the number of documents of class `c` containing the
/// feature, `class_sizes[c]` the number of documents of class `c`.
///
/// ```
/// // a feature in every document of class 0 and none of class 1 scores high
/// let s1 = nabra::features::chi_square(&[10, 0], &[10, 10]);
/// let s2 = nabra::features::chi_square(&[5, 5], &[10, 10]);
/// assert!(s1 > 9.9 && s2 == 0.0);
/// ```
pub fn chi_square(df_by_class: &[u32], class_sizes: &[u32]) -> f64 {
    let n: f64 = class_sizes.iter().map(|&c| f64::from(c)).sum();
    let df: f64 = df_by_class.iter().map(|&c| f64::from(c)).sum();
    if n == 0.0 || df == 0.0 {
        return 0.0;
    }
    df_by_class
        .iter()
        .zip(class_sizes)
        .filter(|(_, nc)| **nc > 0)
        .map(|(&o, &nc)| {
            let e = df * f64::from(nc) / n;
            let d = f64::from(o) - e;
            d * d / e
        })
        .sum()
}

/// Keeps the `k` buckets with the highest chi-square among those in at least
/// `min_df` documents; ties go to the lower bucket so the choice is
/// deterministic. Returns bucket ids in ascending order.
pub(crate) fn select_top_k(freqs: &DocFreqs, k: usize, min_df: u32) -> Vec<u32> {
    let c = freqs.n_classes;
    let mut scored: Vec<(f64, u32)> = freqs
        .df
        .iter()
        .enumerate()
        .filter(|(_, df)| **df >= min_df.max(1))
        .map(|(b, _)| {
            let s = chi_square(&freqs.class_df[b * c..(b + 1) * c], &freqs.class_sizes);
            (s, b as u32)
        })
        .collect();
    if scored.len() > k {
        scored.select_nth_unstable_by(k, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(k);
    }
    let mut out: Vec<u32> = scored.into_iter().map(|(_, b)| b).collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_informative_bucket() {
        // bucket 1 separates the classes, bucket 2 is everywhere, bucket 3 is rare
        let rows: Vec<RawCounts> = vec![
            vec![(1, 1.0), (2, 1.0)],
            vec![(1, 1.0), (2, 1.0)],
            vec![(2, 1.0), (3, 1.0)],
            vec![(2, 1.0)],
        ];
        let f = DocFreqs::count(&rows, &[0, 0, 1, 1], 2, 8);
        assert_eq!(select_top_k(&f, 1, 1), vec![1]);
        assert_eq!(select_top_k(&f, 10, 2), vec![1, 2]);
    }
}
