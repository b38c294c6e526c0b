//! Errors of the coding engine (features → model → classify). Typed, so the CLI can say which
//! input was wrong; linfa's traits require an error type that converts from `linfa::Error`.

use std::path::PathBuf;

/// Everything the engine can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Hyper-parameters that cannot work (C ≤ 0, empty n-gram range, …).
    #[error("invalid parameter: {0}")]
    InvalidParams(String),
    /// No usable training rows (after dropping empty answers and non-answers).
    #[error("empty training set: {0}")]
    EmptyTrainingSet(String),
    /// Rows and targets disagree, or a matrix has the wrong width.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A model file that cannot be used.
    #[error("model file {path}: {reason}")]
    ModelFile {
        /// The file.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// No classifier for a question.
    #[error("no model for question {0:?}")]
    NoModel(String),
    /// Bad input data (labels, agreement columns…).
    #[error("{0}")]
    Data(String),
    /// I/O while reading or writing a model.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Reading an input table, or another error of the rest of the crate.
    #[error(transparent)]
    Core(#[from] crate::error::Error),
    /// Error bubbled up from linfa.
    #[error("linfa: {0}")]
    Linfa(#[from] linfa::Error),
}

/// Result alias of the engine.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
