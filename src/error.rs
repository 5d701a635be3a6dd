//! The one error type of the crate.
//!
//! Every variant that comes from input data names where the problem is (file and
//! line where there is one) and what is wrong, so a user can fix the input
//! without reading our source.

use std::fmt;
use std::path::PathBuf;

/// Where a problem in input data was found: a file (or `<memory>` / `<stdin>`)
/// and, when known, a 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, or a pseudo-name such as `<stdin>` or `<memory>`.
    pub path: PathBuf,
    /// 1-based line number, when the problem is tied to one line.
    pub line: Option<u64>,
}

impl Location {
    /// A location in `path`, at `line` when given.
    ///
    /// ```
    /// let loc = nabra::Location::new("data.csv", Some(3));
    /// assert_eq!(loc.to_string(), "data.csv:3");
    /// ```
    pub fn new(path: impl Into<PathBuf>, line: Option<u64>) -> Location {
        Location {
            path: path.into(),
            line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path.display(), line),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// Everything that can go wrong in nabra.
///
/// ```
/// let err = nabra::Model::from_bytes(b"not a model").unwrap_err();
/// assert!(matches!(err, nabra::Error::ModelFormat { .. }));
/// assert!(err.to_string().contains("not a nabra model"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A CSV file could not be parsed (bad quoting, unequal field counts, …).
    Csv {
        /// Where.
        at: Location,
        /// What the CSV parser said.
        message: String,
    },
    /// Columns the caller asked for are not in the header.
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// Columns asked for but not found.
        missing: Vec<String>,
        /// Columns the header does have.
        found: Vec<String>,
    },
    /// A required field is empty.
    EmptyField {
        /// Where.
        at: Location,
        /// The column name.
        column: String,
    },
    /// A record is not valid UTF-8.
    InvalidUtf8 {
        /// Where.
        at: Location,
    },
    /// A record or line is larger than the configured limit.
    RecordTooLarge {
        /// Where.
        at: Location,
        /// The limit in bytes.
        limit: usize,
    },
    /// No usable rows (e.g. the requested split is absent).
    NoRows {
        /// The file.
        path: PathBuf,
        /// Why there were none.
        reason: String,
    },
    /// Training needs at least two distinct labels.
    TooFewClasses {
        /// The file (or `<memory>`).
        path: PathBuf,
        /// The labels that were found.
        found: Vec<String>,
    },
    /// Evaluation data has labels the model does not know.
    LabelMismatch {
        /// The file.
        path: PathBuf,
        /// Labels in the data that the model lacks.
        unknown: Vec<String>,
        /// The model's labels.
        model: Vec<String>,
    },
    /// A model file is truncated, corrupt, from another format version, or not a model.
    ModelFormat {
        /// The file (or `<memory>`).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Hyperparameters out of range.
    InvalidParams(String),
    /// The linfa solver failed.
    Fit(String),
    /// A malformed record in a batch input (JSONL line, article file).
    BadRecord {
        /// Where.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// The run was cancelled (Ctrl-C, SIGTERM) before it completed; no
    /// output file was written.
    Interrupted,
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn model_format(path: impl Into<PathBuf>, reason: impl Into<String>) -> Error {
        Error::ModelFormat {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            Error::Csv { at, message } => write!(f, "{at}: invalid CSV: {message}"),
            Error::MissingColumns {
                path,
                missing,
                found,
            } => write!(
                f,
                "{}: missing column(s) {}; the header has: {}",
                path.display(),
                quoted(missing),
                quoted(found)
            ),
            Error::EmptyField { at, column } => write!(f, "{at}: empty {column:?} field"),
            Error::InvalidUtf8 { at } => write!(f, "{at}: invalid UTF-8"),
            Error::RecordTooLarge { at, limit } => {
                write!(f, "{at}: record larger than the limit of {limit} bytes")
            }
            Error::NoRows { path, reason } => write!(f, "{}: no rows: {reason}", path.display()),
            Error::TooFewClasses { path, found } => write!(
                f,
                "{}: training needs at least two labels, found {}",
                path.display(),
                if found.is_empty() {
                    "none".to_string()
                } else {
                    quoted(found)
                }
            ),
            Error::LabelMismatch {
                path,
                unknown,
                model,
            } => write!(
                f,
                "{}: label(s) {} are not among the model's labels {}",
                path.display(),
                quoted(unknown),
                quoted(model)
            ),
            Error::ModelFormat { path, reason } => {
                write!(f, "{}: not a usable nabra model: {reason}", path.display())
            }
            Error::InvalidParams(msg) => write!(f, "invalid parameters: {msg}"),
            Error::Fit(msg) => write!(f, "training failed: {msg}"),
            Error::BadRecord { at, message } => write!(f, "{at}: {message}"),
            Error::Interrupted => write!(f, "interrupted before completion; no output written"),
        }
    }
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<linfa::Error> for Error {
    fn from(e: linfa::Error) -> Error {
        Error::Fit(e.to_string())
    }
}

impl From<linfa_logistic::error::Error> for Error {
    fn from(e: linfa_logistic::error::Error) -> Error {
        Error::Fit(e.to_string())
    }
}

impl From<linfa_bayes::NaiveBayesError> for Error {
    fn from(e: linfa_bayes::NaiveBayesError) -> Error {
        Error::Fit(e.to_string())
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
