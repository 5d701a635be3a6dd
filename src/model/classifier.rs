//! The linfa classifiers behind a model, and the sparse scorer that predicts
//! from their fitted parameters without building dense rows.

use super::Real;
use super::naive_bayes;
use super::warm_start::SparseSoftmax;
use crate::features::{ColumnCounts, SparseRow, Vocabulary};
use crate::prefetch::prefetch;
use crate::{Error, Result};
use linfa::Dataset;
use linfa::traits::Fit;
use linfa_bayes::{MultinomialNb, NaiveBayes};
use linfa_logistic::{MultiFittedLogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Which linfa classifier to train, with its hyperparameters.
///
/// ```
/// use nabra::ClassifierKind;
/// let lr = ClassifierKind::default();
/// assert!(matches!(lr, ClassifierKind::Logistic { .. }));
/// let nb = ClassifierKind::NaiveBayes { alpha: 0.1 };
/// assert_eq!(nb.name(), "nb");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClassifierKind {
    /// `linfa_logistic::MultiLogisticRegression` (L-BFGS, L2 penalty).
    Logistic {
        /// L2 penalty weight (scikit-learn's C is 1/alpha).
        alpha: f64,
        /// L-BFGS iteration cap.
        max_iterations: u64,
        /// Convergence tolerance. linfa stops when the L2 norm of the
        /// gradient falls below it; the warm-start solver stops when the
        /// largest gradient component of the mean loss does (scikit-learn's
        /// rule). 3e-5 gave the same Mawqif test predictions as a fit run to
        /// full convergence.
        gradient_tolerance: f64,
        /// Start linfa's L-BFGS from the optimum found by a sparse solver of
        /// the same objective (see `warm_start.rs`): same model, a fraction
        /// of the dense passes.
        #[serde(default)]
        warm_start: bool,
    },
    /// `linfa_bayes::MultinomialNb` on absolute TF-IDF values.
    NaiveBayes {
        /// Additive smoothing.
        alpha: f64,
    },
}

impl Default for ClassifierKind {
    fn default() -> Self {
        ClassifierKind::DEFAULT
    }
}

impl ClassifierKind {
    /// Default L2 penalty of logistic regression (chosen on Mawqif dev).
    pub const DEFAULT_LR_ALPHA: f64 = 0.3;
    /// Default L-BFGS iteration cap.
    pub const DEFAULT_MAX_ITERATIONS: u64 = 100;
    /// Default convergence tolerance.
    pub const DEFAULT_TOLERANCE: f64 = 3e-5;
    /// Logistic regression with the default settings.
    pub const DEFAULT: ClassifierKind = ClassifierKind::Logistic {
        alpha: Self::DEFAULT_LR_ALPHA,
        max_iterations: Self::DEFAULT_MAX_ITERATIONS,
        gradient_tolerance: Self::DEFAULT_TOLERANCE,
        warm_start: true,
    };
    /// Default smoothing for naive Bayes.
    pub const DEFAULT_NB_ALPHA: f64 = 0.1;

    /// Short name: `lr` or `nb`.
    pub fn name(&self) -> &'static str {
        match self {
            ClassifierKind::Logistic { .. } => "lr",
            ClassifierKind::NaiveBayes { .. } => "nb",
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidParams(m));
        match *self {
            ClassifierKind::Logistic {
                alpha,
                max_iterations,
                gradient_tolerance,
                ..
            } => {
                if !(alpha.is_finite() && alpha >= 0.0) {
                    return bad(format!(
                        "logistic alpha must be finite and >= 0, got {alpha}"
                    ));
                }
                if max_iterations == 0 {
                    return bad("max_iterations must be > 0".into());
                }
                if !(gradient_tolerance.is_finite() && gradient_tolerance > 0.0) {
                    return bad(format!(
                        "gradient_tolerance must be > 0, got {gradient_tolerance}"
                    ));
                }
            }
            ClassifierKind::NaiveBayes { alpha } => {
                if !(alpha.is_finite() && alpha > 0.0) {
                    return bad(format!("naive Bayes alpha must be > 0, got {alpha}"));
                }
            }
        }
        Ok(())
    }
}

/// linfa L-BFGS iterations after a warm start.
const POLISH_ITERATIONS: u64 = 1;

/// A fitted linfa model, serialized as is into the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Classifier {
    /// Multinomial logistic regression.
    Logistic {
        /// The fitted linfa model.
        model: MultiFittedLogisticRegression<Real, usize>,
    },
    /// Multinomial naive Bayes.
    NaiveBayes {
        /// The fitted linfa model.
        model: MultinomialNb<Real, usize>,
    },
}

impl Classifier {
    /// Fits on sparse rows (densified for linfa's logistic regression); `y`
    /// holds class indices 0..n_classes, all present.
    pub(crate) fn fit(
        kind: &ClassifierKind,
        rows: &[SparseRow],
        y: Array1<usize>,
        n_features: usize,
        n_classes: usize,
    ) -> Result<Classifier> {
        match *kind {
            ClassifierKind::Logistic {
                alpha,
                max_iterations,
                gradient_tolerance,
                warm_start,
            } => {
                let mut params = MultiLogisticRegression::<Real>::default()
                    .alpha(alpha as Real)
                    .max_iterations(max_iterations)
                    .gradient_tolerance(gradient_tolerance as Real);
                let x = if warm_start {
                    let y_vec = y.to_vec();
                    let problem = SparseSoftmax {
                        rows,
                        y: &y_vec,
                        n_features,
                        n_classes,
                        alpha,
                    };
                    // The dense matrix does not depend on the weights, so it
                    // is built while the solver runs: building it is mostly
                    // first-touch page faults, and the solver's sequential
                    // L-BFGS steps leave the second core room.
                    let (w, x) = rayon::join(
                        || problem.minimize(gradient_tolerance, 10 * max_iterations as usize),
                        || dense_rows(rows, n_features),
                    );
                    let init = Array2::from_shape_vec(
                        (n_features + 1, n_classes),
                        w.into_iter().map(|v| v as Real).collect(),
                    )
                    .map_err(|e| Error::Fit(e.to_string()))?;
                    // In f32, linfa's gradient norm at the optimum is bounded
                    // below by rounding noise in the sum over rows, so from
                    // the sparse optimum more than a few iterations only burn
                    // dense passes without moving the model.
                    params = params
                        .initial_params(init)
                        .max_iterations(max_iterations.min(POLISH_ITERATIONS));
                    x
                } else {
                    dense_rows(rows, n_features)
                };
                let model = params.fit(&Dataset::new(x, y))?;
                Ok(Classifier::Logistic { model })
            }
            ClassifierKind::NaiveBayes { alpha } => {
                // Sparse sums; see naive_bayes.rs for why not linfa's fit.
                let y = y.to_vec();
                let model = naive_bayes::fit(rows, &y, n_features, n_classes, alpha as Real)?;
                Ok(Classifier::NaiveBayes { model })
            }
        }
    }

    /// The fitted logistic parameters in the sparse solver's layout
    /// (n_features × n_classes weights, then the intercepts); `None` for
    /// naive Bayes.
    pub(crate) fn sparse_params(&self) -> Option<Vec<f64>> {
        match self {
            Classifier::Logistic { model } => Some(
                model
                    .params()
                    .iter()
                    .chain(model.intercept().iter())
                    .map(|&v| f64::from(v))
                    .collect(),
            ),
            Classifier::NaiveBayes { .. } => None,
        }
    }

    /// linfa's own dense probabilities (rows × classes, class order 0..C).
    /// The sparse scorer behind [`Model::predict_text`](crate::Model::predict_text)
    /// must agree with this; it exists for tests
    /// and benchmarks.
    pub fn dense_probabilities(&self, x: &Array2<Real>) -> Array2<Real> {
        match self {
            Classifier::Logistic { model } => model.predict_probabilities(x),
            Classifier::NaiveBayes { model } => {
                // linfa's own joint log-likelihood, normalized with a stable
                // softmax: `predict_proba` exponentiates without subtracting
                // the maximum and underflows to inf/NaN in f32 on long texts.
                let x = x.mapv(Real::abs);
                let jll = model.joint_log_likelihood(x.view());
                let mut out = Array2::zeros((x.nrows(), jll.len()));
                for (&c, col) in &jll {
                    out.column_mut(*c).assign(col);
                }
                for mut row in out.rows_mut() {
                    let max = row.iter().copied().fold(Real::NEG_INFINITY, Real::max);
                    row.mapv_inplace(|v| (v - max).exp());
                    let sum = row.sum();
                    row.mapv_inplace(|v| v / sum);
                }
                out
            }
        }
    }

    /// The equivalent linear scorer: scores = x·W + b + offsets (then
    /// softmax), with `vocabulary`'s IDF packed next to each column's weights.
    pub(crate) fn scorer(
        &self,
        vocabulary: &Vocabulary,
        n_classes: usize,
        offsets: &[f64],
    ) -> Result<LinearScorer> {
        let n_features = vocabulary.len();
        let bad = |m: &str| Err(Error::model_format("<model>", m.to_string()));
        match self {
            Classifier::Logistic { model } => {
                let (w, b) = (model.params(), model.intercept());
                if w.dim() != (n_features, n_classes) || b.len() != n_classes {
                    return bad("classifier shape does not match the vocabulary and labels");
                }
                if model.classes() != (0..n_classes).collect::<Vec<_>>().as_slice() {
                    return bad("classifier classes are not 0..n");
                }
                let weights: Vec<Real> = w.iter().copied().collect();
                Ok(LinearScorer::new(vocabulary, &weights, b.to_vec(), false))
            }
            Classifier::NaiveBayes { model } => nb_scorer(model, vocabulary, n_classes),
        }
        .map(|mut s| {
            for (b, o) in s.bias.iter_mut().zip(offsets) {
                *b += *o as Real;
            }
            s
        })
    }
}

/// Reads the class priors and feature log-probabilities of a fitted
/// `MultinomialNb` through its serde form (linfa exposes no accessors), as
/// the linear scorer jll = ln prior + x·log p.
fn nb_scorer(
    model: &MultinomialNb<Real, usize>,
    vocabulary: &Vocabulary,
    n_classes: usize,
) -> Result<LinearScorer> {
    let n_features = vocabulary.len();
    let bad = |m: &str| Error::model_format("<model>", format!("naive Bayes parameters: {m}"));
    let params = naive_bayes::parameters(model).map_err(|e| bad(&e.to_string()))?;
    let mut weights = vec![0.0 as Real; n_features * n_classes];
    let mut bias = vec![Real::NEG_INFINITY; n_classes];
    for (&c, class) in &params.class_info {
        if c >= n_classes {
            return Err(bad("class index out of range"));
        }
        bias[c] = class.prior.ln();
        if class.feature_log_prob.len() != n_features {
            return Err(bad("feature count"));
        }
        for (j, &x) in class.feature_log_prob.iter().enumerate() {
            weights[j * n_classes + c] = x;
        }
    }
    Ok(LinearScorer::new(vocabulary, &weights, bias, true))
}

/// Scores a sparse row with a linear model: softmax(x·W + b). This is the
/// prediction fast path: it touches only the row's nonzero columns.
///
/// Each column's IDF and class weights sit together in one packed table, so
/// [`LinearScorer::probabilities_from_counts`] can go from summed counts to
/// class scores reading one cache line per column, without building the
/// TF-IDF row. Per-group L2 normalization factors out of the dot product:
/// x·W = Σ_g (1/‖x_g‖) Σ_{j∈g} x_j W_j.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinearScorer {
    /// Row-major n_features × (1 + n_classes): IDF, then the class weights.
    table: Vec<Real>,
    bias: Vec<Real>,
    n_classes: usize,
    /// Naive Bayes was fitted on |x|.
    absolute_input: bool,
    /// Columns below this are normalized as the character group.
    char_columns: u32,
    sublinear_tf: bool,
}

impl LinearScorer {
    /// `weights` is row-major n_features × n_classes.
    fn new(
        vocabulary: &Vocabulary,
        weights: &[Real],
        bias: Vec<Real>,
        absolute_input: bool,
    ) -> Self {
        let n_classes = bias.len();
        let mut table = Vec::with_capacity(vocabulary.len() * (1 + n_classes));
        for (j, &idf) in vocabulary.idf().iter().enumerate() {
            table.push(idf);
            table.extend_from_slice(&weights[j * n_classes..(j + 1) * n_classes]);
        }
        LinearScorer {
            table,
            bias,
            n_classes,
            absolute_input,
            char_columns: vocabulary.char_columns(),
            sublinear_tf: vocabulary.sublinear_tf(),
        }
    }

    /// IDF and class weights of column `col`, if it exists.
    #[inline]
    fn column(&self, col: u32) -> Option<(Real, &[Real])> {
        let stride = 1 + self.n_classes;
        let base = col as usize * stride;
        let c = self.table.get(base..base + stride)?;
        Some((c[0], &c[1..]))
    }

    /// Class probabilities for a TF-IDF row of (column, value).
    pub(crate) fn probabilities(&self, row: &[(u32, f32)], out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.bias.iter().map(|&b| f64::from(b)));
        for &(col, v) in row {
            let v = if self.absolute_input { v.abs() } else { v } as Real;
            if let Some((_, w)) = self.column(col) {
                for (o, &wk) in out.iter_mut().zip(w) {
                    *o += f64::from(v * wk);
                }
            }
        }
        softmax(out);
    }

    /// Class probabilities straight from a row's summed counts: the same
    /// TF-IDF weighting and per-group normalization as
    /// [`Vocabulary::transform`], fused with the dot product.
    pub(crate) fn probabilities_from_counts(&self, counts: &ColumnCounts, out: &mut Vec<f64>) {
        // A fixed class count lets the compiler keep the running sums in
        // registers; summed through memory, each column's additions wait on
        // the previous column's (store forwarding), which cost about a
        // quarter of the scoring time. The result is the same either way.
        let norm2 = match self.n_classes {
            2 => self.group_sums::<2>(counts, out),
            3 => self.group_sums::<3>(counts, out),
            4 => self.group_sums::<4>(counts, out),
            _ => self.group_sums_any(counts, out),
        };
        let c = self.n_classes;
        let scale = norm2.map(|n2| {
            if n2 > 0.0 {
                1.0 / f64::from(n2.sqrt())
            } else {
                0.0
            }
        });
        for k in 0..c {
            out[k] = f64::from(self.bias[k]) + out[k] * scale[0] + out[c + k] * scale[1];
        }
        out.truncate(c);
        softmax(out);
    }

    /// The TF-IDF value (before normalization) of column `col` with summed
    /// count `n`, and the column's weights; `None` for a column outside the
    /// table.
    #[inline(always)]
    fn weighted(&self, col: u32, n: f32) -> Option<(f32, &[Real])> {
        let (idf, w) = self.column(col)?;
        let mag = n.abs();
        // most counts are 1, where 1 + ln 1 = 1 exactly: skip the call
        let tf = if self.sublinear_tf && mag != 1.0 {
            1.0 + mag.ln()
        } else {
            mag
        };
        Some((tf.copysign(n) * idf, w))
    }

    /// Prefetches the table lines of all columns of `counts`.
    #[inline(always)]
    fn prefetch_columns(&self, counts: &ColumnCounts) {
        let stride = 1 + self.n_classes;
        // Ask for every column's line first, so their cache misses overlap.
        for (col, _) in counts.iter() {
            prefetch(&self.table, col as usize * stride);
        }
    }

    /// Calls `f(group, x, weights)` for each column of `counts` with a
    /// nonzero count (group 0 = characters, 1 = words; x its TF-IDF value,
    /// absolute for naive Bayes), and returns each group's squared norm.
    #[inline(always)]
    fn for_each_weighted(
        &self,
        counts: &ColumnCounts,
        mut f: impl FnMut(usize, f32, &[Real]),
    ) -> [f32; 2] {
        self.prefetch_columns(counts);
        // one sum per group in its own variable: indexed by the group, the
        // two sums went through memory or conditional moves for every column
        let (mut chars, mut words) = (0.0f32, 0.0f32);
        for (col, n) in counts.iter() {
            if n == 0.0 {
                continue;
            }
            let Some((x, w)) = self.weighted(col, n) else {
                continue;
            };
            let g = usize::from(col >= self.char_columns);
            if g == 0 {
                chars += x * x;
            } else {
                words += x * x;
            }
            f(g, if self.absolute_input { x.abs() } else { x }, w);
        }
        [chars, words]
    }

    /// The partial dot products of the character group, then the word
    /// group, into `out` (2 × `C` values); returns each group's squared
    /// norm.
    #[inline(always)]
    fn group_sums<const C: usize>(&self, counts: &ColumnCounts, out: &mut Vec<f64>) -> [f32; 2] {
        let (mut chars, mut words) = ([0.0f64; C], [0.0f64; C]);
        let norm2 = self.for_each_weighted(counts, |g, x, w| {
            let acc = if g == 0 { &mut chars } else { &mut words };
            for k in 0..C {
                acc[k] += f64::from(x * w[k]);
            }
        });
        out.clear();
        out.extend_from_slice(&chars);
        out.extend_from_slice(&words);
        norm2
    }

    /// [`LinearScorer::group_sums`] for any number of classes.
    fn group_sums_any(&self, counts: &ColumnCounts, out: &mut Vec<f64>) -> [f32; 2] {
        let c = self.n_classes;
        out.clear();
        out.resize(2 * c, 0.0);
        self.for_each_weighted(counts, |g, x, w| {
            for (o, &wk) in out[g * c..(g + 1) * c].iter_mut().zip(w) {
                *o += f64::from(x * wk);
            }
        })
    }
}

/// The rows as the dense matrix linfa's logistic regression takes. Filled
/// in parallel blocks of rows: most of the cost is the page faults of first
/// touching rows × K floats, and those proceed in parallel.
fn dense_rows(rows: &[SparseRow], n_features: usize) -> Array2<Real> {
    const BLOCK: usize = 256;
    let mut x = Array2::<Real>::zeros((rows.len(), n_features));
    let width = n_features.max(1);
    if let Some(flat) = x.as_slice_mut() {
        flat.par_chunks_mut(BLOCK * width)
            .zip(rows.par_chunks(BLOCK))
            .for_each(|(block, rows)| {
                for (row, out) in rows.iter().zip(block.chunks_exact_mut(width)) {
                    for &(c, v) in row {
                        out[c as usize] = v as Real;
                    }
                }
            });
    }
    x
}

/// In-place softmax, shifted by the maximum for stability.
fn softmax(v: &mut [f64]) {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for o in v.iter_mut() {
        *o = (*o - max).exp();
        sum += *o;
    }
    for o in v.iter_mut() {
        *o /= sum;
    }
}
