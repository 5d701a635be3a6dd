//! Hyperparameters (linfa style): [`ModelParams`] → `check()` →
//! [`ModelValidParams`] → `fit(&Dataset)` → [`Model`].

use super::calibrate::{Problem, calibrate};
use super::classifier::{Classifier, ClassifierKind};
use super::{Examples, Model, TrainingInfo};
use crate::features::{
    FeatureExtractor, FeatureOptions, RawCounts, Scratch, SparseRow, Vocabulary, WordClusters,
};
use crate::text::TextOptions;
use crate::{Error, Result};
use linfa::traits::Fit;
use linfa::{DatasetBase, ParamGuard};
use ndarray::Array1;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How to handle unequal class sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Balance {
    /// Fit on the rows as they are.
    None,
    /// Duplicate rows of smaller classes (drawn with the seed) until every
    /// class has as many rows as the largest.
    Oversample,
}

/// Checked hyperparameters; fit with [`linfa::traits::Fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelValidParams {
    /// Text pipeline settings.
    pub text: TextOptions,
    /// Feature settings.
    pub features: FeatureOptions,
    /// Number of hashed features kept for the classifier.
    pub k: usize,
    /// A feature must occur in at least this many training texts.
    pub min_df: u32,
    /// The classifier.
    pub classifier: ClassifierKind,
    /// Class balancing.
    pub balance: Balance,
    /// Seed for everything random (balancing draws, dev split, folds).
    pub seed: u64,
    /// Folds for tuning per-class offsets on out-of-fold predictions
    /// (`calibrate.rs`); 0 turns calibration off. Logistic regression only.
    /// On by default (5): in nested cross-validation on Mawqif train it
    /// raised F_avg by 0.012 (README, "Class-offset calibration"). Models
    /// saved before it existed load with 0, as they were trained.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub calibration_folds: usize,
    /// Word clusters learned from unlabeled text ([`WordClusters`]); their
    /// ids become features. Stored in the model file with everything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Arc<WordClusters>>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Unchecked hyperparameters with builder methods.
///
/// ```
/// use linfa::ParamGuard;
/// let p = nabra::Model::params().k(5000).seed(7);
/// assert_eq!(p.check_ref().unwrap().k, 5000);
/// assert!(nabra::Model::params().k(0).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ModelParams(ModelValidParams);

impl ModelValidParams {
    /// The default hyperparameters (chosen on Mawqif dev splits; see README).
    pub const DEFAULT: ModelValidParams = ModelValidParams {
        text: TextOptions::DEFAULT,
        features: FeatureOptions::DEFAULT,
        k: 60_000,
        min_df: 2,
        classifier: ClassifierKind::DEFAULT,
        balance: Balance::None,
        seed: 42,
        calibration_folds: 5,
        clusters: None,
    };

    /// The feature extractor these settings describe.
    pub(crate) fn extractor(&self) -> FeatureExtractor {
        let fx = FeatureExtractor::new(self.text, self.features);
        match &self.clusters {
            Some(c) => fx.with_clusters(Arc::clone(c)),
            None => fx,
        }
    }
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams(ModelValidParams::DEFAULT)
    }
}

impl ModelParams {
    /// Text pipeline settings.
    pub fn text(mut self, text: TextOptions) -> Self {
        self.0.text = text;
        self
    }
    /// Feature settings.
    pub fn features(mut self, features: FeatureOptions) -> Self {
        self.0.features = features;
        self
    }
    /// Number of selected features (columns of the dense matrix).
    pub fn k(mut self, k: usize) -> Self {
        self.0.k = k;
        self
    }
    /// Minimum document frequency of a selected feature.
    pub fn min_df(mut self, min_df: u32) -> Self {
        self.0.min_df = min_df;
        self
    }
    /// The classifier and its hyperparameters.
    pub fn classifier(mut self, classifier: ClassifierKind) -> Self {
        self.0.classifier = classifier;
        self
    }
    /// Class balancing.
    pub fn balance(mut self, balance: Balance) -> Self {
        self.0.balance = balance;
        self
    }
    /// Seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
    /// Folds for calibrating class offsets (0 = off, else 2..=20).
    pub fn calibration_folds(mut self, folds: usize) -> Self {
        self.0.calibration_folds = folds;
        self
    }
    /// Word clusters to add as features (`None` = none); they must have
    /// been learned with the same text settings.
    pub fn clusters(mut self, clusters: Option<Arc<WordClusters>>) -> Self {
        self.0.clusters = clusters;
        self
    }
}

impl ParamGuard for ModelParams {
    type Checked = ModelValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&ModelValidParams> {
        let p = &self.0;
        p.features.validate()?;
        p.classifier.validate()?;
        if p.k == 0 || p.k > 2_000_000 {
            return Err(Error::InvalidParams(format!(
                "k must be in 1..=2000000, got {}",
                p.k
            )));
        }
        if p.min_df == 0 {
            return Err(Error::InvalidParams("min_df must be >= 1".into()));
        }
        if p.calibration_folds == 1 || p.calibration_folds > 20 {
            return Err(Error::InvalidParams(format!(
                "calibration_folds must be 0 (off) or in 2..=20, got {}",
                p.calibration_folds
            )));
        }
        if let Some(c) = &p.clusters {
            if c.text_options() != &p.text {
                return Err(Error::InvalidParams(
                    "the word clusters were learned with other text settings than the model's; \
                     rebuild them with the model's settings"
                        .into(),
                ));
            }
        }
        Ok(p)
    }

    fn check(self) -> Result<ModelValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl Fit<Examples, Vec<String>, Error> for ModelValidParams {
    type Object = Model;

    /// Extracts features (in parallel), selects `k` by chi-square, learns IDF,
    /// balances classes and fits the linfa classifier on the dense matrix.
    fn fit(&self, dataset: &DatasetBase<Examples, Vec<String>>) -> Result<Model> {
        let examples = &dataset.records.0;
        let targets = &dataset.targets;
        if examples.len() != targets.len() {
            return Err(Error::InvalidParams(format!(
                "{} texts but {} labels",
                examples.len(),
                targets.len()
            )));
        }
        let mut labels: Vec<String> = targets.clone();
        labels.sort();
        labels.dedup();
        if labels.len() < 2 {
            return Err(Error::TooFewClasses {
                path: "<training data>".into(),
                found: labels,
            });
        }
        let y: Vec<usize> = targets
            .iter()
            .map(|t| labels.binary_search(t).unwrap_or(0))
            .collect();

        let extractor = self.extractor();
        let raw: Vec<RawCounts> = examples
            .par_iter()
            .map_init(Scratch::default, |scratch, ex| {
                let mut out = Vec::new();
                extractor.extract_into(&ex.text, ex.target.as_ref(), scratch, &mut out);
                out
            })
            .collect();

        let vocab = Vocabulary::fit(
            &raw,
            &y,
            labels.len(),
            self.features.buckets(),
            self.k,
            self.min_df,
            self.features.sublinear_tf,
        );
        if vocab.is_empty() {
            return Err(Error::NoRows {
                path: "<training data>".into(),
                reason: format!(
                    "no feature occurs in at least {} texts (min_df)",
                    self.min_df
                ),
            });
        }

        let mut order: Vec<usize> = (0..raw.len()).collect();
        if self.balance == Balance::Oversample {
            order = oversample(&y, labels.len(), self.seed);
        }
        let rows: Vec<SparseRow> = order
            .iter()
            .map(|&r| {
                let mut row = Vec::new();
                vocab.transform(&raw[r], &mut row);
                row
            })
            .collect();
        let yy = Array1::from_iter(order.iter().map(|&r| y[r]));
        let classifier = Classifier::fit(&self.classifier, &rows, yy, vocab.len(), labels.len())?;
        drop(rows);
        let calibration = match (self.classifier, classifier.sparse_params()) {
            (ClassifierKind::Logistic { alpha, .. }, Some(w)) if self.calibration_folds >= 2 => {
                let problem = Problem {
                    raw: &raw,
                    y: &y,
                    labels: &labels,
                    vocabulary: &vocab,
                    k: self.k,
                    min_df: self.min_df,
                    alpha,
                    oversample: self.balance == Balance::Oversample,
                    seed: self.seed,
                };
                calibrate(&problem, &w, self.calibration_folds)
            }
            _ => None,
        };
        drop(raw);
        let mut counts = vec![0usize; labels.len()];
        for &c in &y {
            counts[c] += 1;
        }
        let offsets = calibration
            .as_ref()
            .map(|c| c.offsets.clone())
            .unwrap_or_default();
        let info = TrainingInfo {
            rows_per_label: labels.iter().cloned().zip(counts).collect(),
            seed: self.seed,
            calibration,
            ..TrainingInfo::default()
        };
        Model::assemble(self.clone(), labels, vocab, classifier, offsets, info)
    }
}

/// SplitMix64: a tiny fixed PRNG, so draws are the same on every platform.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Row order with smaller classes topped up by random duplicates.
pub(crate) fn oversample(y: &[usize], n_classes: usize, seed: u64) -> Vec<usize> {
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    let max = by_class.iter().map(Vec::len).max().unwrap_or(0);
    let mut rng = SplitMix64::new(seed);
    let mut order: Vec<usize> = (0..y.len()).collect();
    for rows in &by_class {
        if rows.is_empty() {
            continue;
        }
        for _ in rows.len()..max {
            order.push(rows[rng.below(rows.len())]);
        }
    }
    order
}

/// Splits row indices into (fit, dev) with about `fraction` of every class in
/// dev, drawn with `seed`.
pub(crate) fn stratified_split(
    labels: &[String],
    fraction: f64,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    let mut classes: Vec<&String> = labels.iter().collect();
    classes.sort();
    classes.dedup();
    let mut rng = SplitMix64::new(seed ^ 0xd1b5_4a32_d192_ed03);
    let mut dev = Vec::new();
    for c in classes {
        let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| &labels[i] == c).collect();
        // Fisher–Yates
        for i in (1..rows.len()).rev() {
            rows.swap(i, rng.below(i + 1));
        }
        let take = ((rows.len() as f64) * fraction).round() as usize;
        dev.extend_from_slice(&rows[..take.min(rows.len().saturating_sub(1))]);
    }
    dev.sort_unstable();
    let mut is_dev = vec![false; labels.len()];
    for &i in &dev {
        is_dev[i] = true;
    }
    let fit = (0..labels.len()).filter(|&i| !is_dev[i]).collect();
    (fit, dev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversampling_equalizes_classes() {
        let y = [0, 0, 0, 0, 1, 2, 2];
        let order = oversample(&y, 3, 1);
        let mut counts = [0; 3];
        for &i in &order {
            counts[y[i]] += 1;
        }
        assert_eq!(counts, [4, 4, 4]);
        assert_eq!(order, oversample(&y, 3, 1), "deterministic");
    }

    #[test]
    fn stratified_split_keeps_every_class() {
        let labels: Vec<String> = (0..100)
            .map(|i| if i % 10 == 0 { "a" } else { "b" }.to_string())
            .collect();
        let (fit, dev) = stratified_split(&labels, 0.2, 3);
        assert_eq!(fit.len() + dev.len(), 100);
        assert_eq!(dev.iter().filter(|&&i| labels[i] == "a").count(), 2);
        assert_eq!(dev.iter().filter(|&&i| labels[i] == "b").count(), 18);
    }
}
