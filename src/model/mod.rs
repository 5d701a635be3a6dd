//! The stance/sentiment model: features + selected vocabulary + a linfa
//! classifier, trained the linfa way (params → checked params → `fit`).
//!
//! ```
//! use linfa::prelude::*;
//! use nabra::{Examples, Model, Target};
//!
//! let texts = [
//!     ("ندعم التعاون مع روسيا", "favor"), ("نرحب بالشراكة مع روسيا", "favor"),
//!     ("نشيد بدور روسيا", "favor"), ("ندين سياسات روسيا", "against"),
//!     ("نرفض تدخل روسيا", "against"), ("نحذر من خطر روسيا", "against"),
//! ];
//! let records = Examples::new(texts.iter().map(|(t, _)| (t.to_string(), Some(Target::text("روسيا")))));
//! let labels: Vec<String> = texts.iter().map(|(_, l)| l.to_string()).collect();
//! let model = Model::params().min_df(1).fit(&DatasetBase::new(records, labels))?;
//! let p = model.predict_text("ندعم التعاون مع إيران", Some(&Target::text("إيران")));
//! assert_eq!(p.label, "favor");
//! # Ok::<(), nabra::Error>(())
//! ```

mod calibrate;
mod classifier;
mod file;
mod naive_bayes;
mod params;
mod warm_start;

pub use calibrate::Calibration;
pub use classifier::{Classifier, ClassifierKind};
pub use file::FORMAT_VERSION;
pub(crate) use file::{frame, unframe};
pub(crate) use params::SplitMix64;
pub use params::{Balance, ModelParams, ModelValidParams};

use crate::data::LabeledText;
use crate::features::{ColumnCounts, FeatureExtractor, Scratch, SparseRow, Vocabulary};
use crate::metrics::Report;
use crate::{Error, Result, Target};
use classifier::LinearScorer;
use linfa::dataset::Records;
use linfa::traits::PredictInplace;
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The float type of the classifier: f32, because the dense matrix linfa
/// fits on is the training cost in time and memory, and f32 halves it (see
/// README "Measured" for the f64 comparison).
pub type Real = f32;

/// One text to classify, with an optional stance target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The text.
    pub text: String,
    /// The target, if any.
    pub target: Option<Target>,
}

/// A batch of texts: the records of a linfa `Dataset` for [`Model`].
///
/// ```
/// use linfa::dataset::Records;
/// let ex = nabra::Examples::new([("نص".to_string(), None)]);
/// assert_eq!(ex.nsamples(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Examples(pub Vec<Example>);

impl Examples {
    /// From (text, target) pairs.
    pub fn new<I: IntoIterator<Item = (String, Option<Target>)>>(items: I) -> Examples {
        Examples(
            items
                .into_iter()
                .map(|(text, target)| Example { text, target })
                .collect(),
        )
    }

    /// From labeled rows, dropping the labels.
    pub fn from_labeled(rows: &[LabeledText]) -> Examples {
        Examples::new(rows.iter().map(|r| (r.text.clone(), r.target.clone())))
    }
}

impl Records for Examples {
    type Elem = Example;

    fn nsamples(&self) -> usize {
        self.0.len()
    }

    /// Text has no fixed feature count; linfa only uses this for display.
    fn nfeatures(&self) -> usize {
        0
    }
}

/// One prediction: the best label and every label's probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The most probable label.
    pub label: String,
    /// Probability of the predicted label.
    pub confidence: f64,
    /// (label, probability) for every label, in the model's label order.
    pub probs: Vec<(String, f64)>,
}

/// Where the training data came from (recorded in the model file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSource {
    /// The file as given on the command line.
    pub path: String,
    /// FNV-1a 64 of the file's bytes, hex.
    pub fnv1a64: String,
    /// The split used, if any.
    pub split: Option<String>,
    /// Rows read.
    pub rows: usize,
}

/// What a model knows about its own training.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TrainingInfo {
    /// Rows per label used for fitting (before balancing).
    pub rows_per_label: Vec<(String, usize)>,
    /// Training data files.
    pub data: Vec<DataSource>,
    /// The seed.
    pub seed: u64,
    /// Metrics on a held-out part of the training data.
    pub dev: Option<Report>,
    /// Metrics on a test split, recorded by `nabra train --test-split`.
    pub test: Option<Report>,
    /// The class-offset calibration, when it ran. It does not run when
    /// `calibration_folds` is 0, for naive Bayes, or when some class has
    /// fewer training rows than folds (there is nothing to hold out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
}

/// A trained model: everything needed to predict, and how it was made.
#[derive(Debug, Clone)]
pub struct Model {
    params: ModelValidParams,
    labels: Vec<String>,
    vocabulary: Vocabulary,
    classifier: Classifier,
    /// Added to the classifier's logits (see `calibrate.rs`); empty = none.
    class_offsets: Vec<f64>,
    info: TrainingInfo,
    /// Derived on fit/load.
    scorer: LinearScorer,
    extractor: std::sync::Arc<FeatureExtractor>,
}

/// Reusable buffers for prediction on one thread, including the compiled
/// matchers of recently used targets, so a caller predicting many texts
/// (e.g. one per (quote, actor) across articles) compiles each target once.
///
/// ```
/// use nabra::{builtin::Builtin, model::PredictState, Target};
/// let model = Builtin::Stance.load()?;
/// let mut state = PredictState::default();
/// let t = Target::text("إيران");
/// let a = model.predict_sequential_in(&mut state, [("نرحب بمبادرة إيران", Some(&t))]);
/// let b = model.predict_sequential([("نرحب بمبادرة إيران", Some(&t))]);
/// assert_eq!(a, b);
/// # Ok::<(), nabra::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct PredictState {
    scratch: Scratch,
    raw: Vec<(u32, f32)>,
    counts: ColumnCounts,
    probs: Vec<f64>,
}

impl Model {
    /// Default hyperparameters, to adjust and `fit`.
    pub fn params() -> ModelParams {
        ModelParams::default()
    }

    pub(crate) fn assemble(
        params: ModelValidParams,
        labels: Vec<String>,
        vocabulary: Vocabulary,
        classifier: Classifier,
        class_offsets: Vec<f64>,
        info: TrainingInfo,
    ) -> Result<Model> {
        if !(class_offsets.is_empty() || class_offsets.len() == labels.len())
            || class_offsets
                .iter()
                .any(|o| !o.is_finite() || o.abs() > 100.0)
        {
            return Err(Error::model_format(
                "<model>",
                "class offsets do not match the labels or are out of range".to_string(),
            ));
        }
        let scorer = classifier.scorer(&vocabulary, labels.len(), &class_offsets)?;
        Ok(Model {
            extractor: std::sync::Arc::new(params.extractor()),
            params,
            labels,
            vocabulary,
            classifier,
            class_offsets,
            info,
            scorer,
        })
    }

    /// The labels, in class-index order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The hyperparameters the model was trained with.
    pub fn hyperparams(&self) -> &ModelValidParams {
        &self.params
    }

    /// Training metadata.
    pub fn info(&self) -> &TrainingInfo {
        &self.info
    }

    /// Mutable training metadata (to record data sources and test metrics).
    pub fn info_mut(&mut self) -> &mut TrainingInfo {
        &mut self.info
    }

    /// The fitted vocabulary (selected hashed features and their IDF).
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The offsets added to each class's logit (label order), tuned on
    /// out-of-fold predictions at training time; empty when not calibrated.
    /// Probabilities are softmax(linfa's logits + offsets).
    pub fn class_offsets(&self) -> &[f64] {
        &self.class_offsets
    }

    /// The fitted linfa classifier.
    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    /// The feature extractor the model uses.
    pub fn extractor(&self) -> &FeatureExtractor {
        &self.extractor
    }

    /// The feature row the classifier sees for `text`: (column, value) pairs,
    /// each column once.
    pub fn features(&self, text: &str, target: Option<&Target>) -> SparseRow {
        let mut st = PredictState::default();
        self.extractor
            .extract_occurrences(text, target, &mut st.scratch, &mut st.raw);
        let mut row = SparseRow::new();
        self.vocabulary.transform(&st.raw, &mut row);
        row
    }

    /// Class probabilities into `st.probs`: extraction, then the fused
    /// count → TF-IDF → score step (no TF-IDF row is built).
    fn probabilities_into(&self, text: &str, target: Option<&Target>, st: &mut PredictState) {
        self.extractor
            .extract_occurrences(text, target, &mut st.scratch, &mut st.raw);
        self.vocabulary.accumulate(&st.raw, &mut st.counts);
        self.scorer
            .probabilities_from_counts(&st.counts, &mut st.probs);
    }

    fn predict_with(
        &self,
        text: &str,
        target: Option<&Target>,
        st: &mut PredictState,
    ) -> Prediction {
        self.probabilities_into(text, target, st);
        let best = argmax(&st.probs);
        Prediction {
            label: self.labels[best].clone(),
            confidence: st.probs[best],
            probs: self
                .labels
                .iter()
                .cloned()
                .zip(st.probs.iter().copied())
                .collect(),
        }
    }

    /// Predicts one text, toward `target` when given.
    pub fn predict_text(&self, text: &str, target: Option<&Target>) -> Prediction {
        self.predict_with(text, target, &mut PredictState::default())
    }

    /// Predicts a batch in parallel (rayon); output order equals input order.
    ///
    /// ```
    /// # use linfa::prelude::*;
    /// # use nabra::{Examples, Model};
    /// # let rows = [("خبر سار جدا", "pos"), ("نجاح كبير", "pos"), ("كارثة مؤلمة", "neg"), ("خسائر فادحة", "neg")];
    /// # let x = Examples::new(rows.iter().map(|(t, _)| (t.to_string(), None)));
    /// # let y: Vec<String> = rows.iter().map(|(_, l)| l.to_string()).collect();
    /// # let model = Model::params().min_df(1).fit(&DatasetBase::new(x, y))?;
    /// let batch = Examples::new([("نجاح سار".to_string(), None), ("كارثة".to_string(), None)]);
    /// let preds = model.predict_batch(&batch.0);
    /// assert_eq!(preds.len(), 2);
    /// assert_eq!(preds[1].label, "neg");
    /// # Ok::<(), nabra::Error>(())
    /// ```
    pub fn predict_batch(&self, examples: &[Example]) -> Vec<Prediction> {
        examples
            .par_iter()
            .map_init(PredictState::default, |st, ex| {
                self.predict_with(&ex.text, ex.target.as_ref(), st)
            })
            .collect()
    }

    /// Predicts a batch on the calling thread only.
    pub fn predict_sequential<'a, I>(&self, examples: I) -> Vec<Prediction>
    where
        I: IntoIterator<Item = (&'a str, Option<&'a Target>)>,
    {
        self.predict_sequential_in(&mut PredictState::default(), examples)
    }

    /// Like [`Model::predict_sequential`], reusing `state` (buffers and
    /// compiled targets) from earlier calls.
    pub fn predict_sequential_in<'a, I>(
        &self,
        state: &mut PredictState,
        examples: I,
    ) -> Vec<Prediction>
    where
        I: IntoIterator<Item = (&'a str, Option<&'a Target>)>,
    {
        examples
            .into_iter()
            .map(|(t, tg)| self.predict_with(t, tg, state))
            .collect()
    }

    /// Class indices for a batch (parallel), reading each item's text and
    /// target in place: copying labeled rows into [`Examples`] first cost a
    /// few percent of evaluation.
    fn predict_indices<T: Sync>(
        &self,
        items: &[T],
        get: impl Fn(&T) -> (&str, Option<&Target>) + Sync,
    ) -> Vec<usize> {
        items
            .par_iter()
            .map_init(PredictState::default, |st, item| {
                let (text, target) = get(item);
                self.probabilities_into(text, target, st);
                argmax(&st.probs)
            })
            .collect()
    }

    /// Dense feature matrix for `examples` (rows × columns), as linfa's own
    /// `predict_probabilities` needs it. For tests and benchmarks.
    pub fn dense_features(&self, examples: &[Example]) -> Array2<Real> {
        let mut x = Array2::zeros((examples.len(), self.vocabulary.len()));
        for (i, ex) in examples.iter().enumerate() {
            for (c, v) in self.features(&ex.text, ex.target.as_ref()) {
                x[[i, c as usize]] = v as Real;
            }
        }
        x
    }

    /// Evaluates on labeled rows. Labels unknown to the model are an error
    /// naming them (`source` names the data in the message).
    pub fn evaluate(&self, rows: &[LabeledText], source: impl Into<PathBuf>) -> Result<Report> {
        let gold = self.label_indices(rows, source)?;
        let pred = self.predict_indices(rows, |r| (&r.text, r.target.as_ref()));
        Ok(Report::new(&self.labels, &gold, &pred))
    }

    /// Evaluates on labeled rows and also per value of their `group`
    /// (rows without a group are only in the overall report).
    pub fn evaluate_by_group(
        &self,
        rows: &[LabeledText],
        source: impl Into<PathBuf>,
    ) -> Result<(Report, Vec<(String, Report)>)> {
        let gold = self.label_indices(rows, source)?;
        let pred = self.predict_indices(rows, |r| (&r.text, r.target.as_ref()));
        let mut groups: std::collections::BTreeMap<&str, (Vec<usize>, Vec<usize>)> =
            Default::default();
        for ((r, &g), &p) in rows.iter().zip(&gold).zip(&pred) {
            if let Some(name) = &r.group {
                let e = groups.entry(name.as_str()).or_default();
                e.0.push(g);
                e.1.push(p);
            }
        }
        let per_group = groups
            .into_iter()
            .map(|(name, (g, p))| (name.to_string(), Report::new(&self.labels, &g, &p)))
            .collect();
        Ok((Report::new(&self.labels, &gold, &pred), per_group))
    }

    fn label_indices(
        &self,
        rows: &[LabeledText],
        source: impl Into<PathBuf>,
    ) -> Result<Vec<usize>> {
        let mut unknown: Vec<String> = Vec::new();
        let gold: Vec<usize> = rows
            .iter()
            .map(|r| match self.labels.iter().position(|l| *l == r.label) {
                Some(i) => i,
                None => {
                    if !unknown.contains(&r.label) {
                        unknown.push(r.label.clone());
                    }
                    usize::MAX
                }
            })
            .collect();
        if !unknown.is_empty() {
            unknown.sort();
            return Err(Error::LabelMismatch {
                path: source.into(),
                unknown,
                model: self.labels.clone(),
            });
        }
        Ok(gold)
    }
}

fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// linfa's predict interface: `model.predict(&dataset)` gives the labels.
impl PredictInplace<Examples, Vec<String>> for Model {
    fn predict_inplace(&self, x: &Examples, y: &mut Vec<String>) {
        let idx = self.predict_indices(&x.0, |ex| (&ex.text, ex.target.as_ref()));
        y.clear();
        y.extend(idx.into_iter().map(|i| self.labels[i].clone()));
    }

    fn default_target(&self, x: &Examples) -> Vec<String> {
        Vec::with_capacity(x.0.len())
    }
}

pub(crate) use params::stratified_split as params_split;
