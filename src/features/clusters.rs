//! Word clusters learned from unlabeled text: a distributional stage that
//! lets the classifier generalize from a word seen in training to words
//! used in the same contexts but never labeled.
//!
//! The recipe is the count-based one of Levy, Goldberg & Dagan (2015):
//! co-occurrence counts in a ±`window` (weighted 1/distance), positive PMI
//! with context-distribution smoothing (exponent 0.75), a truncated SVD with
//! singular values raised to 0.5, then spherical k-means on the unit-length
//! word vectors, once per requested cluster count ("level"). Each level is a
//! coarser or finer partition of the same words; the feature extractor adds
//! one feature per level for every word it finds here.
//!
//! Everything is deterministic for a given seed: the random projection of
//! the SVD comes from a seeded generator, k-means starts from words spread
//! evenly over the frequency ranking, and every floating-point sum runs in a
//! fixed order (parallel loops only split independent rows).
//!
//! Why not linfa's `KMeans`: it is Euclidean with random k-means++ starts
//! and several runs; cosine (spherical) k-means is the usual choice for word
//! vectors and is a few lines on top of the SVD output.

use crate::model::Examples;
use crate::text::{Analysis, TextOptions, TextPipeline};
use crate::{Error, Result};
use linfa::traits::Fit;
use linfa::{DatasetBase, ParamGuard};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Word → cluster ids at one or more levels, with the text settings whose
/// terms (stems) they were learned on.
///
/// ```
/// use linfa::{traits::Fit, DatasetBase, ParamGuard};
/// use nabra::features::WordClusters;
/// // "tea" and "coffee" share contexts, as do "red" and "blue"
/// let mut texts = Vec::new();
/// for _ in 0..20 {
///     for (drink, colour) in [("tea", "red"), ("coffee", "blue")] {
///         texts.push((format!("we drink hot {drink} every morning"), None));
///         texts.push((format!("the car is painted {colour} and shiny"), None));
///     }
/// }
/// let params = WordClusters::params().levels(vec![2]).dimensions(4).min_count(2);
/// let clusters = params.check()?.fit(&DatasetBase::new(nabra::Examples::new(texts), ()))?;
/// assert_eq!(clusters.cluster("tea", 0), clusters.cluster("coffee", 0));
/// assert_ne!(clusters.cluster("tea", 0), clusters.cluster("red", 0));
/// assert_eq!(clusters.cluster("zebra", 0), None);
/// # Ok::<(), nabra::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ClustersData", into = "ClustersData")]
pub struct WordClusters {
    data: ClustersData,
    /// hash of a term's bytes → its row in `data.terms` (rebuilt on load);
    /// keyed by a 64-bit hash rather than the bytes so a lookup on the
    /// prediction path is one hash and one integer compare
    index: TermIndex,
}

impl PartialEq for WordClusters {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ClustersData {
    text: TextOptions,
    /// Number of clusters at each level.
    levels: Vec<usize>,
    terms: Vec<String>,
    /// `ids[level][term]`.
    ids: Vec<Vec<u32>>,
}

impl TryFrom<ClustersData> for WordClusters {
    type Error = String;

    fn try_from(data: ClustersData) -> std::result::Result<Self, String> {
        if data.levels.is_empty() || data.levels.len() > MAX_LEVELS {
            return Err(format!(
                "need 1..={MAX_LEVELS} levels, got {}",
                data.levels.len()
            ));
        }
        if data.ids.len() != data.levels.len() {
            return Err("cluster ids do not match the levels".into());
        }
        for (ids, &k) in data.ids.iter().zip(&data.levels) {
            if ids.len() != data.terms.len() {
                return Err("cluster ids do not match the terms".into());
            }
            if ids.iter().any(|&c| c as usize >= k) {
                return Err(format!("a cluster id is out of range for level size {k}"));
            }
        }
        let mut index = TermIndex::with_capacity_and_hasher(data.terms.len(), Default::default());
        for (i, t) in data.terms.iter().enumerate() {
            if index.insert(term_key(t.as_bytes()), i as u32).is_some() {
                return Err(format!("term {t:?} is listed twice (or shares its hash)"));
            }
        }
        Ok(WordClusters { data, index })
    }
}

impl From<WordClusters> for ClustersData {
    fn from(c: WordClusters) -> Self {
        c.data
    }
}

type TermIndex = HashMap<u64, u32, std::hash::BuildHasherDefault<super::hash::PremixedHasher>>;

/// The index key of a term: its namespaced FNV-1a hash. Two distinct terms
/// share a key with probability about 2^-64 per pair; a clash between two
/// clustered terms is refused when the index is built.
fn term_key(term: &[u8]) -> u64 {
    let mut h = super::hash::Fnv::new(0xC1);
    h.bytes(term);
    h.finish()
}

/// At most this many levels (each adds one feature per known word).
pub const MAX_LEVELS: usize = 8;

impl WordClusters {
    /// Default hyperparameters (see [`ClusterParams`]).
    pub fn params() -> ClusterParams {
        ClusterParams::default()
    }

    /// Cluster counts, one per level.
    pub fn levels(&self) -> &[usize] {
        &self.data.levels
    }

    /// Number of clustered terms.
    pub fn len(&self) -> usize {
        self.data.terms.len()
    }

    /// Whether no term is clustered.
    pub fn is_empty(&self) -> bool {
        self.data.terms.is_empty()
    }

    /// The text settings the terms were produced with; a model must use the
    /// same ones, or its terms would not match.
    pub fn text_options(&self) -> &TextOptions {
        &self.data.text
    }

    /// The cluster of `term` (a stem as the text pipeline produces it) at
    /// `level`, if the term is known.
    pub fn cluster(&self, term: &str, level: usize) -> Option<u32> {
        let row = self.row(term.as_bytes())?;
        self.data.ids.get(level).map(|ids| ids[row])
    }

    /// Row of a term, for [`WordClusters::id`].
    #[inline]
    pub(crate) fn row(&self, term: &[u8]) -> Option<usize> {
        self.index.get(&term_key(term)).map(|&r| r as usize)
    }

    /// Cluster id of row `row` at `level` (both in range).
    #[inline]
    pub(crate) fn id(&self, level: usize, row: usize) -> u32 {
        self.data.ids[level][row]
    }

    /// Serializes to bytes: a header line (magic, format, length, checksum)
    /// and a JSON body, like a model file.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(self).map_err(|e| {
            Error::model_format("<memory>", format!("cannot serialize clusters: {e}"))
        })?;
        Ok(crate::model::frame(MAGIC, &json))
    }

    /// Writes the clusters to `path` atomically (temporary file, then rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let bytes = self.to_bytes()?;
        crate::io::write_atomic(path.as_ref(), |w| std::io::Write::write_all(w, &bytes))
    }

    /// Loads a clusters file written by [`WordClusters::save`]; truncated,
    /// corrupt or foreign files give an error naming the file.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("c.clusters");
    /// std::fs::write(&path, "not clusters").unwrap();
    /// let err = nabra::features::WordClusters::load(&path).unwrap_err();
    /// assert!(err.to_string().contains("c.clusters"));
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<WordClusters> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        WordClusters::from_bytes_named(&bytes, path)
    }

    /// Loads clusters from bytes; `name` is used in error messages.
    pub fn from_bytes_named(bytes: &[u8], name: &Path) -> Result<WordClusters> {
        let body = crate::model::unframe(MAGIC, "word clusters", bytes, name)?;
        serde_json::from_slice(body)
            .map_err(|e| Error::model_format(name, format!("corrupt body: {e}")))
    }
}

const MAGIC: &str = "nabra-clusters";

/// Checked cluster hyperparameters; fit with [`linfa::traits::Fit`] on
/// texts ([`Examples`], targets ignored, dataset targets `()`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterValidParams {
    /// Text pipeline settings (must match the model's).
    pub text: TextOptions,
    /// Cluster counts, one per level (each ≥ 2, at most [`MAX_LEVELS`]).
    pub levels: Vec<usize>,
    /// SVD dimensions of the word vectors.
    pub dimensions: usize,
    /// Co-occurrence window (words on each side).
    pub window: usize,
    /// A term must occur at least this often to be clustered.
    pub min_count: u64,
    /// At most this many terms (the most frequent) are clustered.
    pub max_terms: usize,
    /// Seed of the SVD's random projection.
    pub seed: u64,
}

/// Unchecked cluster hyperparameters with builder methods.
///
/// ```
/// use linfa::ParamGuard;
/// let p = nabra::features::WordClusters::params().levels(vec![50, 500]);
/// assert_eq!(p.check_ref().unwrap().levels, vec![50, 500]);
/// assert!(nabra::features::WordClusters::params().levels(vec![]).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterParams(ClusterValidParams);

impl Default for ClusterParams {
    /// Levels 150 and 1,500 over 100 dimensions, window 4, terms seen ≥ 5
    /// times, at most 30,000 of them (chosen by cross-validation on Mawqif
    /// train; README, "Word clusters").
    fn default() -> Self {
        ClusterParams(ClusterValidParams {
            text: TextOptions::DEFAULT,
            levels: vec![150, 1500],
            dimensions: 100,
            window: 4,
            min_count: 5,
            max_terms: 30_000,
            seed: 42,
        })
    }
}

impl ClusterParams {
    /// The settings as they stand, before checking (for showing defaults).
    ///
    /// ```
    /// assert_eq!(nabra::features::WordClusters::params().settings().levels, vec![150, 1500]);
    /// ```
    pub fn settings(&self) -> &ClusterValidParams {
        &self.0
    }
    /// Text pipeline settings (use the model's).
    pub fn text(mut self, text: TextOptions) -> Self {
        self.0.text = text;
        self
    }
    /// Cluster counts, one per level.
    pub fn levels(mut self, levels: Vec<usize>) -> Self {
        self.0.levels = levels;
        self
    }
    /// SVD dimensions.
    pub fn dimensions(mut self, d: usize) -> Self {
        self.0.dimensions = d;
        self
    }
    /// Co-occurrence window.
    pub fn window(mut self, w: usize) -> Self {
        self.0.window = w;
        self
    }
    /// Minimum term count.
    pub fn min_count(mut self, n: u64) -> Self {
        self.0.min_count = n;
        self
    }
    /// Maximum number of terms.
    pub fn max_terms(mut self, n: usize) -> Self {
        self.0.max_terms = n;
        self
    }
    /// Seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
}

impl ParamGuard for ClusterParams {
    type Checked = ClusterValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&ClusterValidParams> {
        let p = &self.0;
        let bad = |m: String| Err(Error::InvalidParams(m));
        if p.levels.is_empty() || p.levels.len() > MAX_LEVELS {
            return bad(format!(
                "need 1..={MAX_LEVELS} cluster levels, got {}",
                p.levels.len()
            ));
        }
        if let Some(&k) = p.levels.iter().find(|&&k| !(2..=100_000).contains(&k)) {
            return bad(format!("cluster counts must be in 2..=100000, got {k}"));
        }
        if !(2..=1000).contains(&p.dimensions) {
            return bad(format!(
                "dimensions must be in 2..=1000, got {}",
                p.dimensions
            ));
        }
        if !(1..=50).contains(&p.window) {
            return bad(format!("window must be in 1..=50, got {}", p.window));
        }
        if p.min_count == 0 {
            return bad("min_count must be at least 1".into());
        }
        if p.max_terms < 2 || p.max_terms > 2_000_000 {
            return bad(format!(
                "max_terms must be in 2..=2000000, got {}",
                p.max_terms
            ));
        }
        Ok(p)
    }

    fn check(self) -> Result<ClusterValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl<T> Fit<Examples, T, Error> for ClusterValidParams {
    type Object = WordClusters;

    /// Learns the clusters from the texts (targets are ignored).
    fn fit(&self, dataset: &DatasetBase<Examples, T>) -> Result<WordClusters> {
        let pipeline = TextPipeline::new(self.text);
        let docs: Vec<Vec<String>> = dataset
            .records
            .0
            .par_iter()
            .map_init(Analysis::default, |a, ex| {
                pipeline.analyze_into(&ex.text, None, a);
                (0..a.tokens().len())
                    .filter_map(|i| a.term(i).map(str::to_string))
                    .collect()
            })
            .collect();
        let terms = frequent_terms(&docs, self.min_count, self.max_terms);
        let largest = self.levels.iter().copied().max().unwrap_or(0);
        if terms.len() < largest.max(self.dimensions) {
            return Err(Error::NoRows {
                path: "<unlabeled texts>".into(),
                reason: format!(
                    "only {} terms occur at least {} times; need at least {} \
                     (the largest cluster count and the dimensions)",
                    terms.len(),
                    self.min_count,
                    largest.max(self.dimensions)
                ),
            });
        }
        let ppmi = ppmi_rows(&docs, &terms, self.window);
        drop(docs);
        let vectors = svd_vectors(&ppmi, self.dimensions, self.seed);
        let ids = self
            .levels
            .iter()
            .map(|&k| spherical_kmeans(&vectors, k))
            .collect();
        WordClusters::try_from(ClustersData {
            text: self.text,
            levels: self.levels.clone(),
            terms,
            ids,
        })
        .map_err(Error::InvalidParams)
    }
}

const KMEANS_ITERATIONS: usize = 20;
const POWER_ITERATIONS: usize = 3;
const OVERSAMPLING: usize = 10;

/// Terms seen at least `min_count` times, most frequent first (ties by
/// term), at most `max_terms`.
fn frequent_terms(docs: &[Vec<String>], min_count: u64, max_terms: usize) -> Vec<String> {
    let mut freq: HashMap<&str, u64> = HashMap::new();
    for t in docs.iter().flatten() {
        *freq.entry(t.as_str()).or_default() += 1;
    }
    let mut v: Vec<(&str, u64)> = freq.into_iter().filter(|x| x.1 >= min_count).collect();
    v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.truncate(max_terms);
    v.into_iter().map(|(t, _)| t.to_string()).collect()
}

/// A sparse row: (column, value), columns ascending.
type Row = Vec<(u32, f64)>;

/// Positive PMI of the 1/distance-weighted, symmetric co-occurrence counts,
/// with the context distribution raised to 0.75.
fn ppmi_rows(docs: &[Vec<String>], terms: &[String], window: usize) -> Vec<Row> {
    let index: HashMap<&str, u32> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i as u32))
        .collect();
    let mut counts: Vec<HashMap<u32, f64>> = vec![HashMap::new(); terms.len()];
    let mut ids = Vec::new();
    for d in docs {
        ids.clear();
        ids.extend(d.iter().map(|t| index.get(t.as_str()).copied()));
        for (i, &a) in ids.iter().enumerate() {
            let Some(a) = a else { continue };
            for (d, &b) in ids[i + 1..].iter().take(window).enumerate() {
                let Some(b) = b else { continue };
                let w = 1.0 / (d + 1) as f64;
                *counts[a as usize].entry(b).or_default() += w;
                *counts[b as usize].entry(a).or_default() += w;
            }
        }
    }
    let rows: Vec<Row> = counts
        .into_iter()
        .map(|m| {
            let mut r: Row = m.into_iter().collect();
            r.sort_unstable_by_key(|p| p.0);
            r
        })
        .collect();
    let row_sum: Vec<f64> = rows.iter().map(|r| r.iter().map(|p| p.1).sum()).collect();
    let context: Vec<f64> = row_sum.iter().map(|s| s.powf(0.75)).collect();
    let context_total: f64 = context.iter().sum();
    rows.into_par_iter()
        .enumerate()
        .map(|(a, r)| {
            r.into_iter()
                .filter_map(|(b, c)| {
                    let pmi = (c * context_total / (row_sum[a] * context[b as usize])).ln();
                    (pmi > 0.0).then_some((b, pmi))
                })
                .collect()
        })
        .collect()
}

/// A dense row-major matrix.
struct Dense {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Dense {
    fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

/// `m · x` for the symmetric sparse `m` (one row per term).
fn sparse_times(m: &[Row], x: &Dense) -> Dense {
    let cols = x.cols;
    let mut data = vec![0.0; m.len() * cols];
    data.par_chunks_mut(cols)
        .zip(m.par_iter())
        .for_each(|(out, row)| {
            for &(j, w) in row {
                for (o, v) in out.iter_mut().zip(x.row(j as usize)) {
                    *o += w * v;
                }
            }
        });
    Dense {
        rows: m.len(),
        cols,
        data,
    }
}

/// Orthonormalizes the columns (modified Gram–Schmidt, twice for accuracy).
fn orthonormalize(y: &mut Dense) {
    let (n, l) = (y.rows, y.cols);
    for _ in 0..2 {
        for c in 0..l {
            for p in 0..c {
                let d: f64 = (0..n).map(|i| y.data[i * l + c] * y.data[i * l + p]).sum();
                for i in 0..n {
                    y.data[i * l + c] -= d * y.data[i * l + p];
                }
            }
            let norm = (0..n)
                .map(|i| y.data[i * l + c].powi(2))
                .sum::<f64>()
                .sqrt();
            let inv = if norm > 1e-300 { 1.0 / norm } else { 0.0 };
            for i in 0..n {
                y.data[i * l + c] *= inv;
            }
        }
    }
}

/// Unit-length word vectors U·S^0.5 of the top `dims` singular directions of
/// the symmetric PPMI matrix, by randomized range finding (Halko, Martinsson
/// & Tropp 2011) with power iterations.
fn svd_vectors(m: &[Row], dims: usize, seed: u64) -> Dense {
    let n = m.len();
    let l = (dims + OVERSAMPLING).min(n);
    let mut rng = crate::model::SplitMix64::new(seed);
    let omega = Dense {
        rows: n,
        cols: l,
        data: (0..n * l)
            .map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5)
            .collect(),
    };
    let mut q = sparse_times(m, &omega);
    for _ in 0..POWER_ITERATIONS {
        orthonormalize(&mut q);
        q = sparse_times(m, &q);
    }
    orthonormalize(&mut q);
    // B = Qᵀ M; since M is symmetric, Bᵀ = M Q, and B Bᵀ = (MQ)ᵀ(MQ).
    let mq = sparse_times(m, &q);
    let mut gram = vec![0.0; l * l];
    for i in 0..n {
        let r = mq.row(i);
        for a in 0..l {
            for b in a..l {
                gram[a * l + b] += r[a] * r[b];
            }
        }
    }
    for a in 0..l {
        for b in 0..a {
            gram[a * l + b] = gram[b * l + a];
        }
    }
    let (values, vectors) = jacobi_eigen(&mut gram, l);
    let mut order: Vec<usize> = (0..l).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    order.truncate(dims);
    // B Bᵀ = W Λ Wᵀ gives U = Q W and singular values √λ; scale by S^0.5.
    let scale: Vec<f64> = order
        .iter()
        .map(|&o| values[o].max(0.0).powf(0.25))
        .collect();
    let mut out = Dense {
        rows: n,
        cols: dims,
        data: vec![0.0; n * dims],
    };
    out.data
        .par_chunks_mut(dims)
        .enumerate()
        .for_each(|(i, e)| {
            let qi = q.row(i);
            for (d, &o) in order.iter().enumerate() {
                let s: f64 = (0..l).map(|a| qi[a] * vectors[a * l + o]).sum();
                e[d] = s * scale[d];
            }
            normalize(e);
        });
    out
}

fn normalize(v: &mut [f64]) {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Eigenvalues and eigenvectors (columns of the returned row-major matrix)
/// of a small symmetric matrix, by cyclic Jacobi rotations.
fn jacobi_eigen(a: &mut [f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().max(1e-300);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|p| (p + 1..n).map(move |q| (p, q)))
            .map(|(p, q)| a[p * n + q].powi(2))
            .sum();
        if off <= 1e-24 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = if theta == 0.0 {
                    1.0
                } else {
                    theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (x, y) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * x - s * y;
                    a[k * n + q] = s * x + c * y;
                }
                for k in 0..n {
                    let (x, y) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * x - s * y;
                    a[q * n + k] = s * x + c * y;
                }
                for k in 0..n {
                    let (x, y) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * x - s * y;
                    v[k * n + q] = s * x + c * y;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

/// Spherical k-means of unit rows into `k` clusters, started from rows
/// spread evenly over the (frequency-ordered) rows.
fn spherical_kmeans(x: &Dense, k: usize) -> Vec<u32> {
    let (n, dims) = (x.rows, x.cols);
    let mut centroids: Vec<f64> = (0..k).flat_map(|c| x.row(c * n / k).to_vec()).collect();
    let mut assign = vec![u32::MAX; n];
    for _ in 0..KMEANS_ITERATIONS {
        let next: Vec<u32> = (0..n)
            .into_par_iter()
            .map(|i| {
                let e = x.row(i);
                let mut best = (f64::NEG_INFINITY, 0u32);
                for (c, cent) in centroids.chunks_exact(dims).enumerate() {
                    let s: f64 = e.iter().zip(cent).map(|(a, b)| a * b).sum();
                    if s > best.0 {
                        best = (s, c as u32);
                    }
                }
                best.1
            })
            .collect();
        let changed = next != assign;
        assign = next;
        if !changed {
            break;
        }
        let mut sums = vec![0.0; k * dims];
        for (i, &c) in assign.iter().enumerate() {
            let s = &mut sums[c as usize * dims..(c as usize + 1) * dims];
            for (a, b) in s.iter_mut().zip(x.row(i)) {
                *a += b;
            }
        }
        // a cluster left empty keeps its old centroid
        for (c, s) in sums.chunks_exact_mut(dims).enumerate() {
            if s.iter().any(|&v| v != 0.0) {
                normalize(s);
                centroids[c * dims..(c + 1) * dims].copy_from_slice(s);
            }
        }
    }
    assign
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_finds_eigenpairs() {
        let mut a = vec![2.0, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 5.0];
        let orig = a.clone();
        let (vals, vecs) = jacobi_eigen(&mut a, 3);
        let mut sorted = vals.clone();
        sorted.sort_by(f64::total_cmp);
        for (got, want) in sorted.iter().zip([1.0, 3.0, 5.0]) {
            assert!((got - want).abs() < 1e-9, "{sorted:?}");
        }
        for (j, &val) in vals.iter().enumerate() {
            for i in 0..3 {
                let av: f64 = (0..3).map(|k| orig[i * 3 + k] * vecs[k * 3 + j]).sum();
                assert!((av - val * vecs[i * 3 + j]).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn corrupt_data_is_rejected() {
        let data = ClustersData {
            text: TextOptions::DEFAULT,
            levels: vec![2],
            terms: vec!["a".into(), "b".into()],
            ids: vec![vec![0, 2]],
        };
        assert!(WordClusters::try_from(data.clone()).is_err());
        let dup = ClustersData {
            terms: vec!["a".into(), "a".into()],
            ids: vec![vec![0, 1]],
            ..data
        };
        assert!(WordClusters::try_from(dup).unwrap_err().contains("twice"));
    }
}
