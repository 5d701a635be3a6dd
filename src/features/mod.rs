//! Turning analyzed text into sparse hashed feature vectors.
//!
//! Features are word 1–2-grams over stems (negated words marked), character
//! 2–5-grams inside word boundaries, and, when a target is given, words near
//! its mentions and word n-grams conjoined with the target's key. Each
//! feature string is hashed (FNV-1a 64, as [`fnv1a64`], then the `fmix64`
//! avalanche) into one of 2^`buckets_log2` buckets with a sign, so no
//! vocabulary is stored during extraction.
//!
//! With [`WordClusters`] learned from unlabeled text, every known word also
//! gives its cluster id at each level (conjoined with the target, if any).
//!
//! [`FeatureExtractor::extract`] returns raw signed counts;
//! [`Vocabulary`] (fitted at training time) keeps the selected buckets and
//! their IDF and turns counts into the TF-IDF, L2-normalized rows the
//! classifier sees.

mod clusters;
mod hash;
mod select;
mod vocab;

pub use clusters::{ClusterParams, ClusterValidParams, MAX_LEVELS, WordClusters};
pub use hash::fnv1a64;
pub use select::chi_square;
pub use vocab::{ColumnCounts, SparseRow, Vocabulary};

use crate::text::{Analysis, Target, TargetMatcher, TextOptions, TextPipeline, TokenKind};
use crate::{Error, Result};
use hash::{Fnv, PackedChar};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Namespaces keep feature families apart in the hash space.
const NS_WORD: u8 = 1;
const NS_CHAR: u8 = 2;
const NS_NEAR: u8 = 3;
const NS_CONJ: u8 = 4;
const NS_BIAS: u8 = 5;
const NS_CLUSTER: u8 = 6;
/// The placeholder term that replaces target mentions.
pub const TARGET_PLACEHOLDER: &str = "<T>";

/// Feature settings; stored in every model.
///
/// ```
/// let f = nabra::features::FeatureOptions::default();
/// assert_eq!((f.word_ngrams, f.char_ngrams), ((1, 2), (2, 5)));
/// assert!(f.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureOptions {
    /// log2 of the number of hash buckets (8..=28).
    pub buckets_log2: u8,
    /// Word n-gram orders (min, max) over terms; (0, 0) turns them off.
    pub word_ngrams: (usize, usize),
    /// Character n-gram orders (min, max) inside space-padded words; (0, 0) off.
    pub char_ngrams: (usize, usize),
    /// Signed hashing: one hash bit chooses ±1 so colliding features cancel
    /// in expectation instead of adding up.
    pub signed: bool,
    /// Replace a term frequency tf by 1 + ln(tf).
    pub sublinear_tf: bool,
    /// Words within this many terms of a target mention also give
    /// side-marked "near target" features (0 = off).
    pub near_window: usize,
    /// Conjoin word n-grams with the target's key, so the model can learn
    /// target-specific cues next to shared ones.
    pub target_conjunction: bool,
    /// Also conjoin character n-grams with the target's key.
    pub target_conjunction_chars: bool,
}

impl Default for FeatureOptions {
    fn default() -> Self {
        FeatureOptions::DEFAULT
    }
}

impl FeatureOptions {
    /// The default settings.
    pub const DEFAULT: FeatureOptions = FeatureOptions {
        buckets_log2: 20,
        word_ngrams: (1, 2),
        char_ngrams: (2, 5),
        signed: true,
        sublinear_tf: true,
        near_window: 3,
        target_conjunction: true,
        target_conjunction_chars: false,
    };

    /// Checks ranges; returns a message naming the bad setting.
    pub fn validate(&self) -> Result<()> {
        if !(8..=28).contains(&self.buckets_log2) {
            return Err(Error::InvalidParams(format!(
                "buckets_log2 must be in 8..=28, got {}",
                self.buckets_log2
            )));
        }
        for (name, (lo, hi), max) in [
            ("word_ngrams", self.word_ngrams, 4),
            ("char_ngrams", self.char_ngrams, 8),
        ] {
            let off = lo == 0 && hi == 0;
            if !off && (lo == 0 || lo > hi || hi > max) {
                return Err(Error::InvalidParams(format!(
                    "{name} must be (0, 0) or 1 <= min <= max <= {max}, got ({lo}, {hi})"
                )));
            }
        }
        if self.word_ngrams == (0, 0) && self.char_ngrams == (0, 0) {
            return Err(Error::InvalidParams(
                "word_ngrams and char_ngrams cannot both be off".into(),
            ));
        }
        Ok(())
    }

    /// Number of hash buckets.
    pub fn buckets(&self) -> usize {
        1usize << self.buckets_log2
    }
}

/// One hashed feature occurrence: bucket and sign (+1.0 or -1.0).
pub type RawCounts = Vec<(u32, f32)>;

/// Extracts raw hashed feature counts from text.
///
/// ```
/// use nabra::features::{FeatureExtractor, FeatureOptions};
/// use nabra::text::TextOptions;
/// use nabra::Target;
/// let fx = FeatureExtractor::new(TextOptions::default(), FeatureOptions::default());
/// let a = fx.extract("ندعم التعاون مع إيران", None);
/// let b = fx.extract("ندعم التعاون مع إيران", None);
/// assert_eq!(a, b); // deterministic
/// let t = fx.extract("ندعم التعاون مع إيران", Some(&Target::text("إيران")));
/// assert_ne!(a, t); // the target changes the features
/// ```
#[derive(Debug)]
pub struct FeatureExtractor {
    pipeline: TextPipeline,
    options: FeatureOptions,
    mask: u32,
    clusters: Option<Arc<WordClusters>>,
}

/// Reusable buffers for extraction (one per thread).
#[derive(Debug, Default)]
pub struct Scratch {
    analysis: Analysis,
    terms: Vec<(usize, usize, bool)>,
    term_buf: String,
    /// The characters of ` word ` while its n-grams are hashed.
    chars: Vec<PackedChar>,
    /// Recently used targets and their compiled matchers, most recent first
    /// (a batch usually cycles through a few targets).
    matchers: Vec<(Target, TargetMatcher)>,
}

impl FeatureExtractor {
    /// Builds the extractor.
    pub fn new(text: TextOptions, options: FeatureOptions) -> FeatureExtractor {
        let mask = (1u64 << options.buckets_log2.clamp(1, 31)) as u32 - 1;
        FeatureExtractor {
            pipeline: TextPipeline::new(text),
            options,
            mask,
            clusters: None,
        }
    }

    /// Adds word-cluster features from `clusters` (learned with the same
    /// text settings).
    ///
    /// ```
    /// use linfa::{traits::Fit, DatasetBase, ParamGuard};
    /// use nabra::features::{FeatureExtractor, FeatureOptions, WordClusters};
    /// use nabra::text::TextOptions;
    /// let texts = (0..40).map(|i| (format!("نشرب الشاي {} صباحا ونحب القهوة", i % 4), None));
    /// let clusters = WordClusters::params().levels(vec![2]).dimensions(2).min_count(2)
    ///     .check()?.fit(&DatasetBase::new(nabra::Examples::new(texts), ()))?;
    /// let plain = FeatureExtractor::new(TextOptions::default(), FeatureOptions::default());
    /// let with = FeatureExtractor::new(TextOptions::default(), FeatureOptions::default())
    ///     .with_clusters(std::sync::Arc::new(clusters));
    /// assert!(with.extract("نحب الشاي", None).len() > plain.extract("نحب الشاي", None).len());
    /// # Ok::<(), nabra::Error>(())
    /// ```
    pub fn with_clusters(mut self, clusters: Arc<WordClusters>) -> FeatureExtractor {
        self.clusters = Some(clusters);
        self
    }

    /// The word clusters, if any.
    pub fn clusters(&self) -> Option<&WordClusters> {
        self.clusters.as_deref()
    }

    /// The text pipeline.
    pub fn pipeline(&self) -> &TextPipeline {
        &self.pipeline
    }

    /// The feature settings.
    pub fn options(&self) -> &FeatureOptions {
        &self.options
    }

    /// Raw counts for `text` toward `target`: sorted by bucket, merged,
    /// zero sums removed.
    pub fn extract(&self, text: &str, target: Option<&Target>) -> RawCounts {
        let mut out = Vec::new();
        self.extract_into(text, target, &mut Scratch::default(), &mut out);
        out
    }

    /// Like [`FeatureExtractor::extract`], reusing `scratch`'s buffers. The
    /// last few compiled targets are cached in `scratch`.
    pub fn extract_into(
        &self,
        text: &str,
        target: Option<&Target>,
        scratch: &mut Scratch,
        out: &mut RawCounts,
    ) {
        self.extract_occurrences(text, target, scratch, out);
        merge_counts(out);
    }

    /// The feature occurrences of `text`, one (bucket, ±1) per occurrence,
    /// unsorted and unmerged: the prediction path, where
    /// [`Vocabulary::transform`] drops unselected buckets before any sorting.
    pub fn extract_occurrences(
        &self,
        text: &str,
        target: Option<&Target>,
        scratch: &mut Scratch,
        out: &mut RawCounts,
    ) {
        out.clear();
        const CACHED_TARGETS: usize = 32;
        if let Some(t) = target {
            match scratch.matchers.iter().position(|(cached, _)| cached == t) {
                Some(0) => {}
                Some(i) => scratch.matchers[..=i].rotate_right(1),
                None => {
                    scratch.matchers.truncate(CACHED_TARGETS - 1);
                    let m = TargetMatcher::new(t, self.pipeline.normalizer());
                    scratch.matchers.insert(0, (t.clone(), m));
                }
            }
        }
        let Scratch {
            analysis,
            terms,
            term_buf,
            chars,
            matchers,
        } = scratch;
        let target = target.and(matchers.first()).map(|(t, m)| (t, m));
        self.pipeline
            .analyze_into(text, target.map(|t| t.1), analysis);
        let opts = &self.options;

        let key_hash = target.filter(|_| opts.target_conjunction).map(|(t, _)| {
            let mut h = Fnv::new(NS_CONJ);
            h.bytes(t.key().as_bytes());
            h.byte(0);
            h
        });
        let char_key = key_hash.filter(|_| opts.target_conjunction_chars);

        // Character n-grams over the surface of word-like tokens.
        if opts.char_ngrams.1 > 0 {
            let (lo, hi) = opts.char_ngrams;
            let plain = Fnv::new(NS_CHAR);
            let seeds = [plain, char_key.unwrap_or(plain)];
            let seeds = &seeds[..1 + usize::from(char_key.is_some())];
            for tok in analysis.tokens() {
                if !matches!(tok.kind, TokenKind::Word | TokenKind::Hashtag) {
                    continue;
                }
                let word = tok.text(analysis.text()).trim_start_matches('#');
                self.push_char_ngrams(word, (lo, hi), seeds, chars, out);
            }
        }

        // The term sequence, with each target mention collapsed to <T>.
        terms.clear();
        term_buf.clear();
        let mentions = analysis.mentions();
        let mut m = 0;
        let mut i = 0;
        let ntok = analysis.tokens().len();
        while i < ntok {
            if m < mentions.len() && mentions[m].0 == i {
                let s = term_buf.len();
                term_buf.push_str(TARGET_PLACEHOLDER);
                terms.push((s, term_buf.len(), false));
                i = mentions[m].1;
                m += 1;
                continue;
            }
            if let Some(t) = analysis.term(i) {
                let s = term_buf.len();
                term_buf.push_str(t);
                terms.push((s, term_buf.len(), analysis.is_negated(i)));
            }
            i += 1;
        }
        let term = |j: usize| -> (&[u8], bool) {
            let (s, e, neg) = terms[j];
            (&term_buf.as_bytes()[s..e], neg)
        };

        // Word n-grams, plain and conjoined with the target key.
        if opts.word_ngrams.1 > 0 {
            let (lo, hi) = opts.word_ngrams;
            for start in 0..terms.len() {
                for seed in std::iter::once(Fnv::new(NS_WORD)).chain(key_hash) {
                    let mut h = seed;
                    for k in 0..hi.min(terms.len() - start) {
                        let (t, neg) = term(start + k);
                        if k > 0 {
                            h.byte(0x1f);
                        }
                        if neg {
                            h.byte(b'!');
                        }
                        h.bytes(t);
                        if k + 1 >= lo {
                            self.push(h, out, 1);
                        }
                    }
                }
            }
        }

        // Cluster ids of known words at every level: conjoined with the
        // target when there is one (a cluster holds words of both stances,
        // which only the target tells apart: nested CV on Mawqif preferred
        // this to plain + conjoined), plain otherwise.
        if let Some(cl) = &self.clusters {
            let seed = key_hash.unwrap_or(Fnv::new(NS_CLUSTER));
            for j in 0..terms.len() {
                let (t, neg) = term(j);
                let Some(row) = cl.row(t) else { continue };
                for level in 0..cl.levels().len() {
                    let mut h = seed;
                    h.byte(NS_CLUSTER);
                    h.byte(level as u8);
                    if neg {
                        h.byte(b'!');
                    }
                    h.bytes(&cl.id(level, row).to_le_bytes());
                    self.push(h, out, 1);
                }
            }
        }

        // Side-marked words near each mention.
        if opts.near_window > 0 && !mentions.is_empty() {
            let w = opts.near_window;
            let placeholder = TARGET_PLACEHOLDER.as_bytes();
            for j in 0..terms.len() {
                if term(j).0 != placeholder {
                    continue;
                }
                for (side, range) in [
                    (b'<', j.saturating_sub(w)..j),
                    (b'>', j + 1..(j + 1 + w).min(terms.len())),
                ] {
                    for q in range {
                        let (t, neg) = term(q);
                        if t == placeholder {
                            continue;
                        }
                        let mut h = Fnv::new(NS_NEAR);
                        h.byte(side);
                        if neg {
                            h.byte(b'!');
                        }
                        h.bytes(t);
                        self.push(h, out, 1);
                    }
                }
            }
        }

        // A per-target bias feature.
        if let Some((t, _)) = target {
            let mut h = Fnv::new(NS_BIAS);
            h.bytes(t.key().as_bytes());
            self.push(h, out, 1);
        }
    }

    /// The character n-grams of lengths `lo..=hi` of ` word ` (the word
    /// padded with a space each side), once per seed, in the order: start
    /// position, seed, length. Each n-gram's hash extends the one a
    /// character shorter, so a start position costs one pass over at most
    /// `hi` characters, read from `chars` (the word's characters as packed
    /// UTF-8, filled here) rather than from a padded copy of the word.
    #[inline]
    fn push_char_ngrams(
        &self,
        word: &str,
        (lo, hi): (usize, usize),
        seeds: &[Fnv],
        chars: &mut Vec<PackedChar>,
        out: &mut RawCounts,
    ) {
        chars.clear();
        chars.push(PackedChar::SPACE);
        chars.extend(PackedChar::decode(word));
        chars.push(PackedChar::SPACE);
        let n = chars.len();
        out.reserve(n * (hi + 1).saturating_sub(lo.max(1)) * seeds.len());
        for i in 0..n {
            let gram = &chars[i..(i + hi).min(n)];
            for &seed in seeds {
                let mut h = seed;
                for (k, c) in gram.iter().enumerate() {
                    c.hash_into(&mut h);
                    if k + 1 >= lo {
                        self.push(h, out, 0);
                    }
                }
            }
        }
    }

    /// Adds one feature occurrence. Character n-grams (`group` 0) hash into
    /// the lower half of the buckets, all word-level features (`group` 1)
    /// into the upper half, so the vocabulary can normalize the two groups
    /// separately (as scikit-learn's union of two TF-IDF vectorizers does).
    #[inline]
    fn push(&self, h: Fnv, out: &mut RawCounts, group: u32) {
        let v = h.finish();
        // the sign bit of ±1.0 straight from the hash: a branch here would
        // be mispredicted half the time
        let sign_bit = ((v >> 63) as u32 & u32::from(self.options.signed)) << 31;
        let sign = f32::from_bits(1.0f32.to_bits() | sign_bit);
        let half = self.mask >> 1;
        out.push((((v as u32) & half) | (group * (half + 1)), sign));
    }
}

/// Sorts by bucket, sums duplicates and drops exact zeros.
fn merge_counts(out: &mut RawCounts) {
    out.sort_unstable_by_key(|p| p.0);
    let mut w = 0;
    for r in 0..out.len() {
        if w > 0 && out[w - 1].0 == out[r].0 {
            out[w - 1].1 += out[r].1;
        } else {
            out[w] = out[r];
            w += 1;
        }
    }
    out.truncate(w);
    out.retain(|p| p.1 != 0.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fx(opts: FeatureOptions) -> FeatureExtractor {
        FeatureExtractor::new(TextOptions::default(), opts)
    }

    #[test]
    fn counts_are_sorted_and_merged() {
        let c = fx(FeatureOptions::default()).extract("سلام سلام سلام", None);
        assert!(c.windows(2).all(|w| w[0].0 < w[1].0));
        // the unigram "سلام" occurs three times
        assert!(c.iter().any(|p| p.1.abs() == 3.0));
    }

    #[test]
    fn negation_changes_features() {
        let f = fx(FeatureOptions {
            char_ngrams: (0, 0),
            ..Default::default()
        });
        let a = f.extract("ندعم القرار", None);
        let b = f.extract("لا ندعم القرار", None);
        let shared = a.iter().filter(|p| b.iter().any(|q| q.0 == p.0)).count();
        assert!(shared < a.len(), "negated words must hash differently");
    }

    #[test]
    fn placeholder_makes_targets_interchangeable() {
        let f = fx(FeatureOptions {
            char_ngrams: (0, 0),
            target_conjunction: false,
            ..Default::default()
        });
        let a = f.extract("ندعم التعاون مع إيران", Some(&Target::text("إيران")));
        let b = f.extract("ندعم التعاون مع روسيا", Some(&Target::text("روسيا")));
        // only the bias feature (per target key) differs
        let diff = a.iter().filter(|p| !b.contains(p)).count();
        assert_eq!(diff, 1, "{a:?} vs {b:?}");
    }

    #[test]
    fn unsigned_hashing_is_nonnegative() {
        let c = fx(FeatureOptions {
            signed: false,
            ..Default::default()
        })
        .extract("نص قصير للاختبار", None);
        assert!(c.iter().all(|p| p.1 > 0.0));
    }

    #[test]
    fn invalid_options_rejected() {
        for bad in [
            FeatureOptions {
                buckets_log2: 3,
                ..Default::default()
            },
            FeatureOptions {
                word_ngrams: (2, 1),
                ..Default::default()
            },
            FeatureOptions {
                word_ngrams: (0, 0),
                char_ngrams: (0, 0),
                ..Default::default()
            },
        ] {
            assert!(bad.validate().is_err());
        }
    }
}
