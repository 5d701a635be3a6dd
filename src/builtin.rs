//! The default models, embedded in the binary so nabra works with no files.
//!
//! Both are trained from our own corpora in `datasets/` by
//! `bash models/build.sh`; their files in `models/` are compiled in here.

use crate::{Model, Result};
use std::path::Path;

/// The stance model file (favor / against / neutral toward a target),
/// trained on `datasets/news_stance.csv`.
pub const STANCE_MODEL: &[u8] = include_bytes!("../models/stance.model");

/// The sentence sentiment model file (positive / negative / neutral),
/// trained on `datasets/news_sentiment.csv`.
pub const SENTIMENT_MODEL: &[u8] = include_bytes!("../models/sentiment.model");

/// The built-in models by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// [`STANCE_MODEL`].
    Stance,
    /// [`SENTIMENT_MODEL`].
    Sentiment,
}

impl Builtin {
    /// Parses `stance` or `sentiment`.
    ///
    /// ```
    /// use nabra::builtin::Builtin;
    /// assert_eq!(Builtin::from_name("stance"), Some(Builtin::Stance));
    /// assert_eq!(Builtin::from_name("my.model"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Builtin> {
        match name {
            "stance" => Some(Builtin::Stance),
            "sentiment" => Some(Builtin::Sentiment),
            _ => None,
        }
    }

    /// The name, as accepted by [`Builtin::from_name`].
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Stance => "stance",
            Builtin::Sentiment => "sentiment",
        }
    }

    /// The model file's bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Builtin::Stance => STANCE_MODEL,
            Builtin::Sentiment => SENTIMENT_MODEL,
        }
    }

    /// Loads the model.
    ///
    /// ```
    /// use nabra::{builtin::Builtin, Target};
    /// let stance = Builtin::Stance.load()?;
    /// let p = stance.predict_text("ندين بشدة العدوان الذي تشنه إسرائيل", Some(&Target::text("إسرائيل")));
    /// assert_eq!(p.label, "against");
    /// let sentiment = Builtin::Sentiment.load()?;
    /// assert_eq!(sentiment.predict_text("ارتفعت الصادرات بنسبة قياسية هذا العام", None).label, "positive");
    /// # Ok::<(), nabra::Error>(())
    /// ```
    pub fn load(self) -> Result<Model> {
        let name = format!("<built-in {} model>", self.name());
        Model::from_bytes_named(self.bytes(), Path::new(&name))
    }
}

/// Loads a model given as a built-in name (`stance`, `sentiment`) or a path.
pub fn load_model(name_or_path: &str) -> Result<Model> {
    match Builtin::from_name(name_or_path) {
        Some(b) => b.load(),
        None => Model::load(name_or_path),
    }
}
