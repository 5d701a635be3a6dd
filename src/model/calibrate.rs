//! Class offsets tuned on out-of-fold predictions for the metric a model is
//! judged by.
//!
//! Logistic regression picks the most probable class, which maximizes
//! accuracy. Stance is judged by F_avg (mean F1 of favor and against) and
//! sentiment by macro-F1, and on skewed data both are higher when the
//! smaller classes are predicted a little more often. So after fitting we
//! refit the model on k−1 of k folds of the training rows, score the held-out
//! fold, and choose one additive offset per class logit that maximizes the
//! metric on those out-of-fold scores. The offsets shift the decision and the
//! probabilities (a prior shift); the fitted linfa model is unchanged.
//!
//! Each fold selects its own features and IDF from its own rows, so a
//! held-out row is scored exactly as an unseen text would be. The fold fits
//! start from the full fit's weights and run the sparse solver
//! (`warm_start.rs`) to a looser tolerance, so calibration costs a fraction
//! of the full fit.

use super::params::{SplitMix64, oversample};
use super::warm_start::SparseSoftmax;
use crate::features::{RawCounts, SparseRow, Vocabulary};
use crate::metrics::Report;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What calibration found; kept in the model's training record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Number of folds.
    pub folds: usize,
    /// The metric maximized: "f_avg" or "macro_f1".
    pub metric: String,
    /// The metric on out-of-fold predictions without offsets.
    pub before: f64,
    /// The metric on out-of-fold predictions with the chosen offsets.
    pub after: f64,
    /// The offset added to each class's logit, in label order.
    pub offsets: Vec<f64>,
}

/// Offsets are searched on this grid (logit units), coordinate by coordinate.
const STEP: f64 = 0.1;
const MAX_OFFSET: f64 = 2.0;
/// Fold fits stop at this tolerance (the full fit uses the model's own).
/// They start from the full fit's weights, which have seen the held-out
/// rows, and stopping early keeps that memory: on Mawqif the out-of-fold
/// F_avg before offsets was 0.741 at 1e-4, as from a cold start, but 0.754
/// at 3e-4 and 0.809 at 1e-3. Do not loosen it for speed.
const FOLD_TOLERANCE: f64 = 1e-4;
const FOLD_ITERATIONS: usize = 300;

/// The training problem, as the full fit saw it.
pub(crate) struct Problem<'a> {
    /// Raw feature counts, one per training row (before balancing).
    pub(crate) raw: &'a [RawCounts],
    /// Class index of each row.
    pub(crate) y: &'a [usize],
    pub(crate) labels: &'a [String],
    /// The full fit's vocabulary; each fold selects its own the same way.
    pub(crate) vocabulary: &'a Vocabulary,
    /// Selection settings the full vocabulary was fitted with.
    pub(crate) k: usize,
    pub(crate) min_df: u32,
    pub(crate) alpha: f64,
    /// Whether the full fit oversampled smaller classes.
    pub(crate) oversample: bool,
    pub(crate) seed: u64,
}

/// Tunes per-class offsets with `folds`-fold cross-validation, starting each
/// fold fit from `w_full` (the full fit's parameters in the sparse solver's
/// layout). Returns `None` when there are too few rows per class to fold.
pub(crate) fn calibrate(p: &Problem, w_full: &[f64], folds: usize) -> Option<Calibration> {
    let c = p.labels.len();
    let fold_of = assign_folds(p.y, c, folds, p.seed)?;
    // Out-of-fold logits, fold by fold (in parallel; each fold is
    // deterministic, so the result does not depend on the thread count).
    let n = p.raw.len();
    let per_fold: Vec<Vec<(usize, Vec<f64>)>> = (0..folds)
        .into_par_iter()
        .map(|f| {
            let fit: Vec<usize> = (0..n).filter(|&i| fold_of[i] != f).collect();
            // the fold's own feature selection and IDF, as for unseen text
            let fit_raw: Vec<RawCounts> = fit.iter().map(|&i| p.raw[i].clone()).collect();
            let fit_y: Vec<usize> = fit.iter().map(|&i| p.y[i]).collect();
            let full = p.vocabulary;
            let vocab = Vocabulary::fit(
                &fit_raw,
                &fit_y,
                c,
                full.n_buckets(),
                p.k,
                p.min_df,
                full.sublinear_tf(),
            );
            drop(fit_raw);
            let order: Vec<usize> = if p.oversample {
                oversample(&fit_y, c, p.seed)
                    .into_iter()
                    .map(|j| fit[j])
                    .collect()
            } else {
                fit
            };
            let mut rows: Vec<SparseRow> = Vec::with_capacity(order.len());
            for &i in &order {
                let mut row = SparseRow::new();
                vocab.transform(&p.raw[i], &mut row);
                rows.push(row);
            }
            let y: Vec<usize> = order.iter().map(|&i| p.y[i]).collect();
            let problem = SparseSoftmax {
                rows: &rows,
                y: &y,
                n_features: vocab.len(),
                n_classes: c,
                alpha: p.alpha,
            };
            // start from the full fit's weights of the buckets both selected
            let mut init = vec![0.0; (vocab.len() + 1) * c];
            for (col, &b) in vocab.buckets().iter().enumerate() {
                if let Some(full_col) = full.column(b) {
                    let from = full_col as usize * c;
                    init[col * c..(col + 1) * c].copy_from_slice(&w_full[from..from + c]);
                }
            }
            let b0 = full.len() * c;
            init[vocab.len() * c..].copy_from_slice(&w_full[b0..b0 + c]);
            let w = problem.minimize_from(init, FOLD_TOLERANCE, FOLD_ITERATIONS);
            let mut row = SparseRow::new();
            (0..n)
                .filter(|&i| fold_of[i] == f)
                .map(|i| {
                    vocab.transform(&p.raw[i], &mut row);
                    (i, logits(&w, &row, vocab.len(), c))
                })
                .collect()
        })
        .collect();
    let mut oof = vec![Vec::new(); n];
    for (i, s) in per_fold.into_iter().flatten() {
        oof[i] = s;
    }

    let probe = Report::new(p.labels, p.y, p.y);
    let (metric, score): (&str, fn(&Report) -> f64) = if probe.f_avg.is_some() {
        ("f_avg", |r| r.f_avg.unwrap_or(0.0))
    } else {
        ("macro_f1", |r| r.macro_f1)
    };
    let evaluate = |offsets: &[f64]| {
        let pred: Vec<usize> = oof.iter().map(|s| argmax_shifted(s, offsets)).collect();
        score(&Report::new(p.labels, p.y, &pred))
    };
    let mut offsets = vec![0.0; c];
    let before = evaluate(&offsets);
    let mut best = before;
    let steps = (MAX_OFFSET / STEP).round() as i32;
    // Coordinate ascent; class 0 stays at 0 (only differences matter).
    // Ties keep the offset closest to 0, so no evidence means no shift.
    for _round in 0..3 {
        let mut changed = false;
        for k in 1..c {
            let mut choice = offsets[k];
            let mut choice_score = best;
            for s in -steps..=steps {
                let v = f64::from(s) * STEP;
                let mut trial = offsets.clone();
                trial[k] = v;
                let m = evaluate(&trial);
                if m > choice_score + 1e-12
                    || (m >= choice_score - 1e-12 && v.abs() < choice.abs() - 1e-9)
                {
                    choice = v;
                    choice_score = m;
                }
            }
            if choice != offsets[k] {
                offsets[k] = choice;
                best = choice_score;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    Some(Calibration {
        folds,
        metric: metric.to_string(),
        before,
        after: best,
        offsets,
    })
}

/// Fold of each row: every class dealt round-robin over the folds after a
/// seeded shuffle, so folds are stratified. `None` when some class has fewer
/// rows than folds.
fn assign_folds(y: &[usize], n_classes: usize, folds: usize, seed: u64) -> Option<Vec<usize>> {
    if folds < 2 {
        return None;
    }
    let mut rng = SplitMix64::new(seed ^ 0x6a09_e667_f3bc_c908);
    let mut fold_of = vec![0; y.len()];
    for class in 0..n_classes {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        if rows.len() < folds {
            return None;
        }
        for i in (1..rows.len()).rev() {
            rows.swap(i, rng.below(i + 1));
        }
        for (j, &r) in rows.iter().enumerate() {
            fold_of[r] = j % folds;
        }
    }
    Some(fold_of)
}

/// Class logits of one row under parameters `w` (sparse solver layout:
/// n_features × c weights, then the c intercepts).
fn logits(w: &[f64], row: &SparseRow, n_features: usize, c: usize) -> Vec<f64> {
    let mut s = w[n_features * c..(n_features + 1) * c].to_vec();
    for &(j, x) in row {
        let base = j as usize * c;
        for (sk, wk) in s.iter_mut().zip(&w[base..base + c]) {
            *sk += f64::from(x) * wk;
        }
    }
    s
}

fn argmax_shifted(s: &[f64], offsets: &[f64]) -> usize {
    let mut best = 0;
    for k in 1..s.len() {
        if s[k] + offsets[k] > s[best] + offsets[best] {
            best = k;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_and_seeded() {
        let y: Vec<usize> = (0..50).map(|i| usize::from(i % 5 == 0)).collect();
        let f = assign_folds(&y, 2, 5, 1).unwrap();
        for fold in 0..5 {
            let minority = (0..50).filter(|&i| f[i] == fold && y[i] == 1).count();
            assert_eq!(minority, 2, "fold {fold}");
        }
        assert_eq!(f, assign_folds(&y, 2, 5, 1).unwrap());
        assert_ne!(f, assign_folds(&y, 2, 5, 2).unwrap());
        assert!(
            assign_folds(&y, 2, 20, 1).is_none(),
            "10 minority rows, 20 folds"
        );
    }

    #[test]
    fn offsets_shift_the_decision() {
        assert_eq!(argmax_shifted(&[1.0, 0.8], &[0.0, 0.0]), 0);
        assert_eq!(argmax_shifted(&[1.0, 0.8], &[0.0, 0.3]), 1);
    }
}
