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
use crate::features::{fnv1a64, Vocabulary};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The model file format this version writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &str = "nabra-model";

#[derive(Serialize, Deserialize)]
struct Body {
    nabra_version: String,
    params: ModelValidParams,
    labels: Vec<String>,
    vocabulary: Vocabulary,
    classifier: super::Classifier,
    info: TrainingInfo,
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
            info: self.info.clone(),
        };
        let json = serde_json::to_vec(&body)
            .map_err(|e| Error::model_format("<memory>", format!("cannot serialize: {e}")))?;
        let mut out = format!(
            "{MAGIC} format={FORMAT_VERSION} bytes={} fnv1a64={:016x}\n",
            json.len(),
            fnv1a64(&json)
        )
        .into_bytes();
        out.extend_from_slice(&json);
        Ok(out)
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
        let nl = bytes
            .iter()
            .take(256)
            .position(|&b| b == b'\n')
            .ok_or_else(|| bad("not a nabra model (no header line)".into()))?;
        let header = std::str::from_utf8(&bytes[..nl])
            .map_err(|_| bad("not a nabra model (header is not text)".into()))?;
        let mut parts = header.split(' ');
        if parts.next() != Some(MAGIC) {
            return Err(bad("not a nabra model (bad magic)".into()));
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
                "model format {format} is newer than this nabra {} supports (format {FORMAT_VERSION}); upgrade nabra",
                env!("CARGO_PKG_VERSION")
            )));
        }
        if format < FORMAT_VERSION {
            return Err(bad(format!(
                "model format {format} is older than format {FORMAT_VERSION}; retrain the model"
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
        let b: Body =
            serde_json::from_slice(body).map_err(|e| bad(format!("corrupt body: {e}")))?;
        let params = b.params;
        params
            .features
            .validate()
            .map_err(|e| bad(format!("invalid settings: {e}")))?;
        if b.vocabulary.n_buckets() != params.features.buckets() {
            return Err(bad("vocabulary does not match the feature settings".into()));
        }
        let mut model = Model::assemble(params, b.labels, b.vocabulary, b.classifier, b.info)
            .map_err(|e| match e {
                Error::ModelFormat { reason, .. } => bad(reason),
                other => other,
            })?;
        if model.params.text.negation_window > 1000 || model.labels.len() < 2 {
            return Err(bad("implausible settings".into()));
        }
        model.info.data.shrink_to_fit();
        Ok(model)
    }
}
