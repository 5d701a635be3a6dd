//! # nabra (نبرة, "tone")
//!
//! Who takes which stance toward whom in Arabic news: an Arabic text pipeline
//! (normalization with offsets, tokenization, light stemming, negation
//! marking, target mentions), hashed n-gram features with TF-IDF learned at
//! training time, and linfa classifiers (logistic regression by default,
//! multinomial naive Bayes as a fast alternative), trained from labeled CSV.
//!
//! The pipeline reads like Hugging Face `tokenizers`: small stages passing one
//! type ([`text::Analysis`]) that keeps offsets; the model follows linfa
//! (params → checked params → `fit` → fitted model).
//!
//! Article scoring, the main job, chains [`quotes`] → [`speakers`] →
//! [`actors`] → stance in [`analyzer::Analyzer`]; [`sources`] reads articles
//! from files, directories, JSONL, CSV or stdin and [`score::Scorer`] streams
//! them in parallel; [`gold`] evaluates against annotated articles.
//!
//! ```
//! let analyzer = nabra::analyzer::Analyzer::builtin()?;
//! let a = analyzer.analyze("وقال المتحدث إن «واشنطن تتحمل مسؤولية التصعيد».");
//! assert_eq!(a.quotes[0].speaker.as_deref(), Some("المتحدث"));
//! assert_eq!(a.quotes[0].actors[0].actor, "USA");
//! # Ok::<(), nabra::Error>(())
//! ```
//!
//! Training and prediction on labeled text:
//!
//! ```
//! use nabra::{data::LabeledText, train::train_rows, Model, Target};
//! use linfa::ParamGuard;
//!
//! let rows: Vec<LabeledText> = [
//!     ("نؤيد التعاون مع إيران", "favor"), ("نشيد بموقف إيران", "favor"),
//!     ("نرحب بمبادرة إيران", "favor"), ("ندين تدخل إيران", "against"),
//!     ("نرفض سياسة إيران", "against"), ("نحذر من أطماع إيران", "against"),
//! ].iter().map(|(t, l)| LabeledText {
//!     text: t.to_string(), label: l.to_string(),
//!     target: Some(Target::text("إيران")), line: 0, group: None,
//! }).collect();
//! let model = train_rows(&rows, &Model::params().min_df(1).check()?, 0.0, "<memory>")?;
//!
//! // save, load, predict with a target
//! let bytes = model.to_bytes()?;
//! let model = Model::from_bytes(&bytes)?;
//! let p = model.predict_text("ندين سياسة تركيا", Some(&Target::text("تركيا")));
//! assert_eq!(p.label, "against");
//! assert!((p.probs.iter().map(|(_, x)| x).sum::<f64>() - 1.0).abs() < 1e-9);
//!
//! // evaluate
//! let report = model.evaluate(&rows, "<memory>")?;
//! assert_eq!(report.rows, 6);
//! # Ok::<(), nabra::Error>(())
//! ```

pub mod actors;
pub mod analyzer;
pub mod builtin;
pub mod data;
pub mod error;
pub mod features;
pub mod gold;
pub mod io;
pub mod metrics;
pub mod model;
mod prefetch;
pub mod quotes;
pub mod score;
pub mod segment;
pub mod sources;
pub mod speakers;
pub mod text;
pub mod train;

pub use error::{Error, Location, Result};
pub use model::{
    Balance, Classifier, ClassifierKind, Example, Examples, Model, ModelParams, ModelValidParams,
    Prediction, Real, TrainingInfo,
};
pub use text::Target;
