//! The model file: one header line, then a JSON body.
//!
//! ```text
//! nabra-model format=1 bytes=<body length> fnv1a64=<hex of body hash>
//! {"nabra_version": "...", "labels": [...], "vocabulary": {...}, "classifier": {...}, ...}
//! ```
//!
//! The header lets a loader tell a model from another file, refuse a newer
//! format with a clear message, and detect truncation (length) and corruption
//! (checksum) before parsing.

use super::{Model, ModelValidParams, TrainingInfo};
use crate::features::{Vocabulary, fnv1a64};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The model file format this version writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &str = "nabra-model";

#[derive(Serialize)]
struct Body {
    nabra_version: String,
    params: ModelValidParams,
    labels: Vec<String>,
    vocabulary: Vocabulary,
    classifier: super::Classifier,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    class_offsets: Vec<f64>,
    info: TrainingInfo,
}

/// [`Body`] as read. The classifier's fitted model is first read as a JSON
/// value: deserializing it straight through the internally tagged
/// [`super::Classifier`] buffers it in serde's generic content, which cannot
/// turn the string map keys of naive Bayes' `class_info` back into class
/// indices, so no naive Bayes model could be loaded.
#[derive(Deserialize)]
struct BodyIn {
    #[allow(dead_code)]
    nabra_version: String,
    params: ModelValidParams,
    labels: Vec<String>,
    vocabulary: Vocabulary,
    classifier: StoredClassifier,
    #[serde(default)]
    class_offsets: Vec<f64>,
    info: TrainingInfo,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StoredClassifier {
    Logistic { model: serde_json::Value },
    NaiveBayes { model: serde_json::Value },
}

impl StoredClassifier {
    fn into_classifier(self) -> serde_json::Result<super::Classifier> {
        Ok(match self {
            StoredClassifier::Logistic { model } => super::Classifier::Logistic {
                model: serde_json::from_value(model)?,
            },
            StoredClassifier::NaiveBayes { model } => super::Classifier::NaiveBayes {
                model: serde_json::from_value(model)?,
            },
        })
    }
}

/// Whether the model's scores are finite for every input: JSON numbers past
/// the `f32` range load as infinities, which turn probabilities into NaN.
/// Feature values are at most 1 in magnitude, so a non-finite weight or bias
/// shows in the scores of no feature, every feature at +1, or at -1.
fn scores_are_finite(model: &Model) -> bool {
    let n = model.vocabulary.len() as u32;
    let mut probs = Vec::new();
    [
        Vec::new(),
        (0..n).map(|c| (c, 1.0)).collect(),
        (0..n).map(|c| (c, -1.0)).collect(),
    ]
    .iter()
    .all(|row: &Vec<(u32, f32)>| {
        model.scorer.probabilities(row, &mut probs);
        probs.iter().all(|p| p.is_finite())
    })
}

/// Frames a JSON body for a file: a header line (`magic`, format version,
/// body length, FNV-1a checksum), then the body.
pub(crate) fn frame(magic: &str, json: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "{magic} format={FORMAT_VERSION} bytes={} fnv1a64={:016x}\n",
        json.len(),
        fnv1a64(json)
    )
    .into_bytes();
    out.extend_from_slice(json);
    out
}

/// Checks a framed file's header (magic, format, length, checksum) and
/// returns its body; `what` names the expected kind of file in errors.
pub(crate) fn unframe<'a>(
    magic: &str,
    what: &str,
    bytes: &'a [u8],
    name: &Path,
) -> Result<&'a [u8]> {
    let bad = |m: String| Error::model_format(name, m);
    let nl = bytes
        .iter()
        .take(256)
        .position(|&b| b == b'\n')
        .ok_or_else(|| bad(format!("not a nabra {what} file (no header line)")))?;
    let header = std::str::from_utf8(&bytes[..nl])
        .map_err(|_| bad(format!("not a nabra {what} file (header is not text)")))?;
    let mut parts = header.split(' ');
    if parts.next() != Some(magic) {
        return Err(bad(format!("not a nabra {what} file (bad magic)")));
    }
    let mut format = None;
    let mut len = None;
    let mut sum = None;
    for p in parts {
        match p.split_once('=') {
            Some(("format", v)) => format = v.parse::<u32>().ok(),
            Some(("bytes", v)) => len = v.parse::<usize>().ok(),
            Some(("fnv1a64", v)) => sum = u64::from_str_radix(v, 16).ok(),
            _ => {}
        }
    }
    let format = format.ok_or_else(|| bad("header has no valid format=".into()))?;
    if format > FORMAT_VERSION {
        return Err(bad(format!(
            "{what} format {format} is newer than this nabra {} supports (format {FORMAT_VERSION}); upgrade nabra",
            env!("CARGO_PKG_VERSION")
        )));
    }
    if format < FORMAT_VERSION {
        return Err(bad(format!(
            "{what} format {format} is older than format {FORMAT_VERSION}; rebuild it"
        )));
    }
    let (len, sum) = match (len, sum) {
        (Some(l), Some(s)) => (l, s),
        _ => return Err(bad("header lacks bytes= or fnv1a64=".into())),
    };
    let body = &bytes[nl + 1..];
    if body.len() < len {
        return Err(bad(format!(
            "truncated: header promises {len} bytes of body, file has {}",
            body.len()
        )));
    }
    if body.len() > len {
        return Err(bad(format!(
            "{} unexpected bytes after the body",
            body.len() - len
        )));
    }
    if fnv1a64(body) != sum {
        return Err(bad("corrupt: checksum mismatch".into()));
    }
    Ok(body)
}

impl Model {
    /// Serializes the model to bytes (header + JSON body).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let body = Body {
            nabra_version: env!("CARGO_PKG_VERSION").to_string(),
            params: self.params.clone(),
            labels: self.labels.clone(),
            vocabulary: self.vocabulary.clone(),
            classifier: self.classifier.clone(),
            class_offsets: self.class_offsets.clone(),
            info: self.info.clone(),
        };
        let json = serde_json::to_vec(&body)
            .map_err(|e| Error::model_format("<memory>", format!("cannot serialize: {e}")))?;
        Ok(frame(MAGIC, &json))
    }

    /// Writes the model to `path` atomically (temporary file, then rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let bytes = self.to_bytes()?;
        crate::io::write_atomic(path.as_ref(), |w| std::io::Write::write_all(w, &bytes))
    }

    /// Loads a model file.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("missing.model");
    /// let err = nabra::Model::load(&path).unwrap_err();
    /// assert!(err.to_string().contains("missing.model"));
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Model> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Model::from_bytes_named(&bytes, path)
    }

    /// Loads a model from bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        Model::from_bytes_named(bytes, Path::new("<memory>"))
    }

    /// Loads a model from bytes; `name` is used in error messages.
    pub fn from_bytes_named(bytes: &[u8], name: &Path) -> Result<Model> {
        let bad = |m: String| Error::model_format(name, m);
        let body = unframe(MAGIC, "model", bytes, name)?;
        let b: BodyIn =
            serde_json::from_slice(body).map_err(|e| bad(format!("corrupt body: {e}")))?;
        let classifier = b
            .classifier
            .into_classifier()
            .map_err(|e| bad(format!("corrupt body: classifier: {e}")))?;
        let params = b.params;
        params
            .features
            .validate()
            .map_err(|e| bad(format!("invalid settings: {e}")))?;
        if b.vocabulary.n_buckets() != params.features.buckets() {
            return Err(bad("vocabulary does not match the feature settings".into()));
        }
        let mut model = Model::assemble(
            params,
            b.labels,
            b.vocabulary,
            classifier,
            b.class_offsets,
            b.info,
        )
        .map_err(|e| match e {
            Error::ModelFormat { reason, .. } => bad(reason),
            other => other,
        })?;
        if model.params.text.negation_window > 1000 || model.labels.len() < 2 {
            return Err(bad("implausible settings".into()));
        }
        if !scores_are_finite(&model) {
            return Err(bad("classifier parameters are not finite".into()));
        }
        model.info.data.shrink_to_fit();
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use crate::{ClassifierKind, Examples, Model, Target};
    use linfa::prelude::*;

    fn fit(kind: ClassifierKind) -> Model {
        let rows = [
            ("نؤيد التعاون مع إيران", "favor"),
            ("نرحب بمبادرة إيران", "favor"),
            ("ندين تدخل إيران", "against"),
            ("نرفض سياسة إيران", "against"),
        ];
        let x = Examples::new(rows.iter().map(|(t, _)| (t.to_string(), None)));
        let y: Vec<String> = rows.iter().map(|(_, l)| l.to_string()).collect();
        Model::params()
            .min_df(1)
            .classifier(kind)
            .fit(&DatasetBase::new(x, y))
            .unwrap()
    }

    fn reframe(bytes: &[u8], edit: impl Fn(&str) -> String) -> Vec<u8> {
        let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
        let body = edit(std::str::from_utf8(&bytes[nl + 1..]).unwrap());
        let mut out = format!(
            "nabra-model format=1 bytes={} fnv1a64={:016x}\n",
            body.len(),
            crate::features::fnv1a64(body.as_bytes())
        )
        .into_bytes();
        out.extend_from_slice(body.as_bytes());
        out
    }

    #[test]
    fn naive_bayes_round_trips() {
        let nb = fit(ClassifierKind::NaiveBayes { alpha: 0.1 });
        let bytes = nb.to_bytes().unwrap();
        let loaded = Model::from_bytes(&bytes).unwrap();
        // (class_info is a hash map: its order, so the bytes, may differ)
        assert_eq!(loaded.labels(), nb.labels());
        let t = Target::text("إيران");
        assert_eq!(
            loaded.predict_text("ندين سياسة إيران", Some(&t)),
            nb.predict_text("ندين سياسة إيران", Some(&t))
        );
    }

    #[test]
    fn infinite_parameters_are_rejected() {
        let bytes = fit(ClassifierKind::default()).to_bytes().unwrap();
        let inf = reframe(&bytes, |b| {
            let key = "\"intercept\":{\"v\":1,\"dim\":[2],\"data\":[";
            let at = b.find(key).unwrap() + key.len();
            let end = at + b[at..].find(',').unwrap();
            format!("{}1e39{}", &b[..at], &b[end..])
        });
        let e = Model::from_bytes(&inf).unwrap_err().to_string();
        assert!(e.contains("not finite"), "{e}");
        let nb = fit(ClassifierKind::NaiveBayes { alpha: 0.1 })
            .to_bytes()
            .unwrap();
        let zero = reframe(&nb, |b| {
            let mut b = b.to_string();
            while let Some(at) = b.find("\"prior\":0.") {
                let end = at + b[at..].find([',', '}']).unwrap();
                b.replace_range(at..end, "\"prior\":0");
            }
            b
        });
        let e = Model::from_bytes(&zero).unwrap_err().to_string();
        assert!(e.contains("not finite"), "{e}");
    }
}
