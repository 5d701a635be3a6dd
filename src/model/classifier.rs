//! The linfa classifiers behind a model, and the sparse scorer that predicts
//! from their fitted parameters without building dense rows.

use super::Real;
use super::warm_start::SparseSoftmax;
use crate::features::SparseRow;
use crate::{Error, Result};
use linfa::Dataset;
use linfa::traits::Fit;
use linfa_bayes::{MultinomialNb, NaiveBayes};
use linfa_logistic::{MultiFittedLogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
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
    /// Fits on sparse rows (densified for linfa); `y` holds class indices
    /// 0..n_classes, all present.
    pub(crate) fn fit(
        kind: &ClassifierKind,
        rows: &[SparseRow],
        y: Array1<usize>,
        n_features: usize,
        n_classes: usize,
    ) -> Result<Classifier> {
        let mut x = Array2::<Real>::zeros((rows.len(), n_features));
        for (i, row) in rows.iter().enumerate() {
            for &(c, v) in row {
                x[[i, c as usize]] = v as Real;
            }
        }
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
                if warm_start {
                    let y_vec = y.to_vec();
                    let problem = SparseSoftmax {
                        rows,
                        y: &y_vec,
                        n_features,
                        n_classes,
                        alpha,
                    };
                    let w = problem.minimize(gradient_tolerance, 10 * max_iterations as usize);
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
                }
                let model = params.fit(&Dataset::new(x, y))?;
                Ok(Classifier::Logistic { model })
            }
            ClassifierKind::NaiveBayes { alpha } => {
                let ds = Dataset::new(x.mapv(Real::abs), y);
                let model = MultinomialNb::params().alpha(alpha as Real).fit(&ds)?;
                Ok(Classifier::NaiveBayes { model })
            }
        }
    }

    /// linfa's own dense probabilities (rows × classes, class order 0..C).
    /// The sparse [`LinearScorer`] must agree with this; it exists for tests
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

    /// The equivalent linear scorer: scores = x·W + b (then softmax).
    pub(crate) fn scorer(&self, n_features: usize, n_classes: usize) -> Result<LinearScorer> {
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
                Ok(LinearScorer {
                    weights: w.iter().copied().collect(),
                    bias: b.to_vec(),
                    n_classes,
                    absolute_input: false,
                })
            }
            Classifier::NaiveBayes { model } => nb_scorer(model, n_features, n_classes),
        }
    }
}

/// Reads the class priors and feature log-probabilities of a fitted
/// `MultinomialNb` through its serde form (linfa exposes no accessors), as
/// the linear scorer jll = ln prior + x·log p.
fn nb_scorer(
    model: &MultinomialNb<Real, usize>,
    n_features: usize,
    n_classes: usize,
) -> Result<LinearScorer> {
    let bad = |m: &str| Error::model_format("<model>", format!("naive Bayes parameters: {m}"));
    let v = serde_json::to_value(model).map_err(|e| bad(&e.to_string()))?;
    let info = v
        .get("class_info")
        .and_then(|c| c.as_object())
        .ok_or_else(|| bad("no class_info"))?;
    let mut weights = vec![0.0 as Real; n_features * n_classes];
    let mut bias = vec![Real::NEG_INFINITY; n_classes];
    for (k, ci) in info {
        let c: usize = k.parse().map_err(|_| bad("class key"))?;
        if c >= n_classes {
            return Err(bad("class index out of range"));
        }
        let prior = ci
            .get("prior")
            .and_then(|p| p.as_f64())
            .ok_or_else(|| bad("prior"))?;
        bias[c] = (prior as Real).ln();
        let data = ci
            .get("feature_log_prob")
            .and_then(|f| f.get("data"))
            .and_then(|d| d.as_array())
            .ok_or_else(|| bad("feature_log_prob"))?;
        if data.len() != n_features {
            return Err(bad("feature count"));
        }
        for (j, x) in data.iter().enumerate() {
            weights[j * n_classes + c] = x.as_f64().ok_or_else(|| bad("value"))? as Real;
        }
    }
    Ok(LinearScorer {
        weights,
        bias,
        n_classes,
        absolute_input: true,
    })
}

/// Scores a sparse row with a linear model: softmax(x·W + b). This is the
/// prediction fast path: it touches only the row's nonzero columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinearScorer {
    /// Row-major n_features × n_classes.
    weights: Vec<Real>,
    bias: Vec<Real>,
    n_classes: usize,
    /// Naive Bayes was fitted on |x|.
    absolute_input: bool,
}

impl LinearScorer {
    /// Class probabilities for a sparse row of (column, value).
    pub(crate) fn probabilities(&self, row: &[(u32, f32)], out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.bias.iter().map(|&b| b as f64));
        let c = self.n_classes;
        for &(col, v) in row {
            let v = if self.absolute_input { v.abs() } else { v } as Real;
            let base = col as usize * c;
            if let Some(w) = self.weights.get(base..base + c) {
                for (o, &wk) in out.iter_mut().zip(w) {
                    *o += f64::from(v * wk);
                }
            }
        }
        let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut sum = 0.0;
        for o in out.iter_mut() {
            *o = (*o - max).exp();
            sum += *o;
        }
        for o in out.iter_mut() {
            *o /= sum;
        }
    }
}
