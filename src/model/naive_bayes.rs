//! Fitting linfa's multinomial naive Bayes from sparse rows.
//!
//! A multinomial naive Bayes model is a function of per-class feature sums
//! and row counts only, so there is no need for the dense rows × features
//! matrix linfa's `fit` takes. There is also a practical reason not to call
//! it: linfa-bayes 0.8.1 leaves a `dbg!` in `MultinomialNb::fit_with` that
//! writes every class histogram (megabytes at K = 60,000) to stderr. Here the
//! same statistics are summed over the sparse rows and the model is built
//! through linfa's own serde representation, so the result is a genuine
//! `linfa_bayes::MultinomialNb` that predicts, saves and loads as before; a
//! test checks it equals linfa's fit on the same data.

use super::Real;
use crate::features::SparseRow;
use crate::{Error, Result};
use linfa_bayes::MultinomialNb;
use ndarray::Array1;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// linfa-bayes' `ClassHistogram`, field for field (its serde layout).
#[derive(Serialize, Deserialize)]
pub(crate) struct Histogram {
    class_count: usize,
    pub(crate) prior: Real,
    feature_count: Array1<Real>,
    pub(crate) feature_log_prob: Array1<Real>,
}

/// linfa-bayes' `MultinomialNb`, field for field (its serde layout): the
/// one place nabra spells that layout, for building a model here and for
/// reading a fitted one's parameters ([`parameters`]).
#[derive(Serialize, Deserialize)]
pub(crate) struct Multinomial {
    pub(crate) class_info: BTreeMap<usize, Histogram>,
}

/// The per-class priors and feature log-probabilities of a fitted model
/// (linfa keeps them private; its serde form exposes them).
pub(crate) fn parameters(
    model: &MultinomialNb<Real, usize>,
) -> std::result::Result<Multinomial, serde_json::Error> {
    serde_json::from_value(serde_json::to_value(model)?)
}

/// Fits multinomial naive Bayes with additive smoothing `alpha` on the
/// absolute values of `rows` (class indices in `y`, 0..n_classes, all
/// present), exactly as linfa's `MultinomialNb::params().alpha(alpha).fit`
/// does on the dense matrix.
pub(crate) fn fit(
    rows: &[SparseRow],
    y: &[usize],
    n_features: usize,
    n_classes: usize,
    alpha: Real,
) -> Result<MultinomialNb<Real, usize>> {
    let mut sums = vec![Array1::<Real>::zeros(n_features); n_classes];
    let mut counts = vec![0usize; n_classes];
    for (row, &class) in rows.iter().zip(y) {
        let sum = sums
            .get_mut(class)
            .ok_or_else(|| Error::Fit(format!("class index {class} out of range")))?;
        counts[class] += 1;
        for &(column, value) in row {
            sum[column as usize] += (value as Real).abs();
        }
    }
    let total: usize = counts.iter().sum();
    let class_info = sums
        .into_iter()
        .zip(&counts)
        .enumerate()
        .filter(|(_, (_, n))| **n > 0)
        .map(|(class, (feature_count, &class_count))| {
            // linfa's update_with_smoothing: ln(count + α) − ln Σ(count + α).
            let smoothed = feature_count.mapv(|c| c + alpha);
            let log_total = smoothed.sum().ln();
            let histogram = Histogram {
                class_count,
                prior: class_count as Real / total as Real,
                feature_log_prob: smoothed.mapv(|c| c.ln() - log_total),
                feature_count,
            };
            (class, histogram)
        })
        .collect();
    let value = serde_json::to_value(Multinomial { class_info })
        .map_err(|e| Error::Fit(format!("naive Bayes model: {e}")))?;
    serde_json::from_value(value).map_err(|e| Error::Fit(format!("naive Bayes model: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::Dataset;
    use linfa::traits::Fit;
    use ndarray::Array2;

    /// Every number in two JSON trees, in order.
    fn numbers(v: &serde_json::Value, out: &mut Vec<f64>) {
        match v {
            serde_json::Value::Number(n) => out.push(n.as_f64().unwrap()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| numbers(x, out)),
            serde_json::Value::Object(m) => {
                // Class maps are keyed by class; visit keys in class order.
                let mut keys: Vec<_> = m.keys().collect();
                keys.sort();
                keys.into_iter().for_each(|k| numbers(&m[k], out));
            }
            _ => {}
        }
    }

    #[test]
    fn equals_linfa_fit_on_the_dense_matrix() {
        // Signed values as the hashed TF-IDF rows have; a column no row of
        // class 2 uses; an empty row.
        let rows: Vec<SparseRow> = vec![
            vec![(0, 0.5), (3, -0.25)],
            vec![(1, 1.0)],
            vec![(0, -0.75), (2, 0.1), (4, 0.3)],
            vec![],
            vec![(3, 0.9), (1, -0.2)],
            vec![(2, 0.6)],
        ];
        let y = [0usize, 1, 0, 2, 1, 2];
        let (n_features, n_classes, alpha) = (5, 3, 0.1);
        let ours = fit(&rows, &y, n_features, n_classes, alpha).unwrap();

        let mut x = Array2::<Real>::zeros((rows.len(), n_features));
        for (i, row) in rows.iter().enumerate() {
            for &(c, v) in row {
                x[[i, c as usize]] = (v as Real).abs();
            }
        }
        let dataset = Dataset::new(x, Array1::from(y.to_vec()));
        let linfa = MultinomialNb::params().alpha(alpha).fit(&dataset).unwrap();

        let (mut a, mut b) = (vec![], vec![]);
        numbers(&serde_json::to_value(&ours).unwrap(), &mut a);
        numbers(&serde_json::to_value(&linfa).unwrap(), &mut b);
        assert_eq!(a.len(), b.len());
        assert!(a.len() > 3 * 2 * n_features, "{a:?}");
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() <= 1e-6 * (1.0 + q.abs()), "{p} vs {q}");
        }
    }

    #[test]
    fn out_of_range_class_is_an_error() {
        let rows: Vec<SparseRow> = vec![vec![(0, 1.0)]];
        assert!(fit(&rows, &[3], 1, 2, 0.1).is_err());
    }
}
