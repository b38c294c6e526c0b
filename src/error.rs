//! Typed errors of the library. The binary maps them to messages and exit codes; nothing in the
//! library panics on bad input.
//!
//! Every error about user input says where: the file, and where it applies the row (1-based, the
//! header is row 1, as a spreadsheet shows it) and the column; query errors give the character
//! position.

use std::fmt;
use std::path::{Path, PathBuf};

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem in one cell or row of an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// 1-based row number as a spreadsheet shows it (header = 1). `None`: the whole file.
    pub row: Option<usize>,
    /// Column name (or letter for unnamed columns). `None`: the whole row.
    pub column: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
}

/// Characters of one row error's message shown (a message quoting a 5 MB header line would
/// otherwise print it, once per missing column).
const SHOWN_MESSAGE_CHARS: usize = 1_000;

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::escape::{CLIP_CHARS, clip};
        let message = clip(&self.message, SHOWN_MESSAGE_CHARS);
        let column = self.column.as_deref().map(|c| clip(c, CLIP_CHARS));
        match (&self.row, column) {
            (Some(r), Some(c)) => write!(f, "row {r}, column '{c}': {message}"),
            (Some(r), None) => write!(f, "row {r}: {message}"),
            (None, Some(c)) => write!(f, "column '{c}': {message}"),
            (None, None) => write!(f, "{message}"),
        }
    }
}

/// How many row errors an [`Error::Rows`] message lists before summarising the rest.
const SHOWN_ROW_ERRORS: usize = 20;

fn fmt_rows(file: &Path, errors: &[RowError]) -> String {
    let mut out = format!(
        "{}: {} problem{} found, nothing was written",
        file.display(),
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for e in errors.iter().take(SHOWN_ROW_ERRORS) {
        out.push_str(&format!("\n  {}: {e}", file.display()));
    }
    if errors.len() > SHOWN_ROW_ERRORS {
        out.push_str(&format!(
            "\n  … and {} more",
            errors.len() - SHOWN_ROW_ERRORS
        ));
    }
    out
}

/// A limit on what one query may ask for. Each keeps the memory and time of a search bounded
/// whoever sends it (one `/buscar` link with thousands of fuzzy words took gigabytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLimit {
    /// Characters in the query.
    Chars(usize),
    /// Words searched for (phrase words included; a repeated term counts once).
    Terms(usize),
    /// Prefix (`planea*`) and fuzzy (`palabra~`) terms, which expand to many index terms.
    Expansions(usize),
}

impl QueryLimit {
    /// The limit in English (CLI, library errors).
    pub fn english(&self) -> String {
        match self {
            QueryLimit::Chars(n) => {
                format!("the query is longer than {n} characters; shorten it")
            }
            QueryLimit::Terms(n) => format!(
                "the query has more than {n} words (repeated ones count once); split it into \
                 several searches"
            ),
            QueryLimit::Expansions(n) => format!(
                "the query has more than {n} prefix (*) and fuzzy (~) words together; use plain \
                 words for the rest"
            ),
        }
    }

    /// The limit in Spanish (the web app).
    pub fn spanish(&self) -> String {
        match self {
            QueryLimit::Chars(n) => {
                format!("la búsqueda tiene más de {n} caracteres; acórtela")
            }
            QueryLimit::Terms(n) => format!(
                "la búsqueda tiene más de {n} palabras (las repetidas cuentan una vez); divídala \
                 en varias búsquedas"
            ),
            QueryLimit::Expansions(n) => format!(
                "la búsqueda tiene más de {n} palabras con prefijo (*) o aproximadas (~); use \
                 palabras simples para las demás"
            ),
        }
    }
}

/// What a full disk says, wherever it surfaces: every write is atomic (one index commit, or a
/// temporary file renamed), so a failed one left the previous state.
pub(crate) const OUT_OF_SPACE: &str = "no space left on device; nothing was written";

fn io_out_of_space(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

fn io_message(e: &std::io::Error) -> String {
    if io_out_of_space(e) {
        OUT_OF_SPACE.to_string()
    } else {
        e.to_string()
    }
}

/// tantivy wraps I/O errors in several variants (and prints them with `{:?}`): the full disk is
/// recognised in its debug form, the one place all of them show it.
fn index_out_of_space(e: &tantivy::TantivyError) -> bool {
    let debug = format!("{e:?}");
    debug.contains("StorageFull")
        || debug.contains("QuotaExceeded")
        || debug.contains("No space left on device")
}

fn index_message(e: &tantivy::TantivyError) -> String {
    match e {
        _ if index_out_of_space(e) => OUT_OF_SPACE.to_string(),
        // The indexing thread died (tantivy keeps only this sentence): the commit never happened.
        tantivy::TantivyError::ErrorInThread(m) if m.contains("killed") => {
            "the index writer stopped before its commit (is the disk full?); nothing was written"
                .to_string()
        }
        other => format!("index error: {other}"),
    }
}

/// Errors of the codifica library.
///
/// Two kinds (see [`Error::is_user_error`]): what the person running codifica can fix (a bad
/// file, query or argument, a busy workspace, a missing model) and internal failures (the search
/// index failing). New variants may be added, hence `#[non_exhaustive]`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {}", path.display(), io_message(source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An input file has invalid rows or cells; nothing was written.
    #[error("{}", fmt_rows(file, errors))]
    Rows {
        file: PathBuf,
        errors: Vec<RowError>,
    },
    /// A file as a whole cannot be used (unreadable, wrong format, empty…).
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    /// A query could not be parsed.
    #[error("invalid query at position {position}: {message}")]
    Query { position: usize, message: String },
    /// A query passes one of the limits that keep its cost bounded ([`QueryLimit`]).
    #[error("invalid query at position {position}: {}", limit.english())]
    QueryLimit { position: usize, limit: QueryLimit },
    /// A model file cannot be used.
    #[error("model {}: {message}", path.display())]
    Model { path: PathBuf, message: String },
    /// Another process holds the workspace's write lock.
    #[error("workspace {} is busy: another codifica process is writing to it; try again when it finishes", path.display())]
    Busy { path: PathBuf },
    /// The index was built by another analyzer than the workspace's: its terms would not match
    /// the queries' and features' terms.
    #[error(
        "the index in {} was built with analyzer {built_with} but this workspace now uses {now}: \
         run `codifica reindex` to rebuild it from the stored answers (nothing is lost; models \
         must then be retrained), or restore the [analyzer] settings",
        dir.display()
    )]
    IndexStale {
        dir: PathBuf,
        built_with: String,
        now: String,
        /// Same `[analyzer]` settings: only the analyzer's version or lexicons changed.
        same_settings: bool,
    },
    /// A value of the request that cannot be used: a flag, a form field or a setting (`name`),
    /// refused by a `check()` before any work.
    #[error("{message}")]
    Argument {
        /// The flag, field or setting, as the user typed it (`--size`, `mes`…).
        name: &'static str,
        /// What is wrong, in one sentence.
        message: String,
    },
    /// Something the request names does not exist in the workspace (a question, an answer, a
    /// mapping, a codebook, a theme).
    #[error("{message}")]
    NotFound {
        /// What is missing, in one sentence.
        message: String,
    },
    /// The workspace's current state forbids the request (codes that answers still use, a
    /// folder that is already a workspace, or is not one).
    #[error("{message}")]
    Conflict {
        /// What stands in the way and how to clear it.
        message: String,
    },
    /// A user error not yet given its own variant. New code should use a specific one
    /// ([`Error::Argument`], [`Error::NotFound`], [`Error::Conflict`]…).
    #[error("{0}")]
    Invalid(String),
    /// An internal failure: a bug, or the machine failing (a poisoned lock, corrupt data in the
    /// index, a web server that cannot start or listen, a writer library's error). Not the
    /// user's to fix: the CLI exits with 3, the web answers 500 and logs it.
    #[error("{0}")]
    Internal(String),
    /// The search index failed.
    #[error("{}", index_message(.0))]
    Index(#[from] tantivy::TantivyError),
    /// The coding engine refused or failed (training, evaluating, a model file), with what it
    /// was working on: the use cases of `crate::app` return one error type.
    #[error("{context}{}{source}", if context.is_empty() { "" } else { ": " })]
    Engine {
        /// What it was working on ("question q1"), or empty.
        context: String,
        source: Box<EngineError>,
    },
}

impl From<EngineError> for Error {
    fn from(e: EngineError) -> Error {
        match e {
            EngineError::Core(e) => e,
            e => Error::Engine {
                context: String::new(),
                source: Box::new(e),
            },
        }
    }
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A whole-file problem.
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::File {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A single located problem in an input file.
    pub fn at(
        file: impl Into<PathBuf>,
        row: Option<usize>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Error {
        Error::Rows {
            file: file.into(),
            errors: vec![RowError {
                row,
                column: column.map(str::to_string),
                message: message.into(),
            }],
        }
    }

    /// `self` with what it was working on in front ("question q1: …"), as anyhow's context.
    pub fn context(self, context: impl Into<String>) -> Error {
        match self {
            Error::Engine { context: c, source } if c.is_empty() => Error::Engine {
                context: context.into(),
                source,
            },
            e => Error::Engine {
                context: context.into(),
                source: Box::new(EngineError::Core(e)),
            },
        }
    }

    /// A user error without a variant of its own (prefer [`Error::argument`],
    /// [`Error::not_found`], [`Error::conflict`]).
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid(message.into())
    }

    /// A value of the request (`name`: the flag, field or setting) that cannot be used.
    pub fn argument(name: &'static str, message: impl Into<String>) -> Error {
        Error::Argument {
            name,
            message: message.into(),
        }
    }

    /// Something the request names does not exist.
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::NotFound {
            message: message.into(),
        }
    }

    /// The workspace's state forbids the request.
    pub fn conflict(message: impl Into<String>) -> Error {
        Error::Conflict {
            message: message.into(),
        }
    }

    /// An internal failure (see [`Error::Internal`]).
    pub fn internal(message: impl Into<String>) -> Error {
        Error::Internal(message.into())
    }

    /// True for an error the user can act on: a bad input file, query or argument, something
    /// named that does not exist, a busy workspace, a stale index, an unusable model, a path
    /// that cannot be read or written, a full disk. False for internal failures
    /// ([`Error::Internal`], the search index failing for another reason than a full disk),
    /// which the CLI reports with exit code 3 instead of 1 (README, "Exit codes").
    pub fn is_user_error(&self) -> bool {
        match self {
            Error::Index(_) => self.is_out_of_space(),
            Error::Internal(_) => false,
            Error::Argument { .. } | Error::NotFound { .. } | Error::Conflict { .. } => true,
            Error::Engine { source, .. } => source.is_user_error(),
            Error::Io { .. }
            | Error::Rows { .. }
            | Error::File { .. }
            | Error::Query { .. }
            | Error::QueryLimit { .. }
            | Error::Model { .. }
            | Error::Busy { .. }
            | Error::IndexStale { .. }
            | Error::Invalid(_) => true,
        }
    }

    /// True when the disk (or the user's quota) is full.
    pub fn is_out_of_space(&self) -> bool {
        match self {
            Error::Io { source, .. } => io_out_of_space(source),
            Error::Index(e) => index_out_of_space(e),
            _ => false,
        }
    }
}

/// Errors of the coding engine (features → model → classify). Typed, so the CLI can say which
/// input was wrong; linfa's traits require an error type that converts from `linfa::Error`.
/// Declared here, below every stage of the engine, so `features` need not reach up into `model`
/// (`model::error` re-exports it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// A model trained under other analyzer settings than the workspace's: its terms would not
    /// match. The user retrains (or restores the settings).
    #[error("model file {path}: {reason}")]
    RetrainNeeded {
        /// The file.
        path: PathBuf,
        /// The two analyzers, and what to do.
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
    Core(#[from] Error),
    /// Error bubbled up from linfa.
    #[error("linfa: {0}")]
    Linfa(#[from] linfa::Error),
    /// An internal failure of the engine (a model that cannot be serialized, a training thread
    /// that died): a bug, not the user's to fix.
    #[error("{0}")]
    Internal(String),
}

impl EngineError {
    /// As [`Error::is_user_error`]: false for the engine's internal failures (linfa's, and shape
    /// mismatches between matrices, which are bugs).
    pub fn is_user_error(&self) -> bool {
        match self {
            EngineError::Core(e) => e.is_user_error(),
            EngineError::Linfa(_) | EngineError::Shape(_) | EngineError::Internal(_) => false,
            EngineError::InvalidParams(_)
            | EngineError::EmptyTrainingSet(_)
            | EngineError::ModelFile { .. }
            | EngineError::RetrainNeeded { .. }
            | EngineError::NoModel(_)
            | EngineError::Data(_)
            | EngineError::Io { .. } => true,
        }
    }
}

/// Result alias of the engine.
pub type EngineResult<T, E = EngineError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_errors_apart_from_internal_ones() {
        let user = [
            Error::invalid("bad --month"),
            Error::file("a.csv", "empty"),
            Error::Busy { path: "ws".into() },
            Error::io("a.csv", std::io::Error::from(std::io::ErrorKind::NotFound)),
            Error::argument("--size", "the sample size must be at least 1"),
            Error::not_found("no question 'x' in codifica.toml"),
            Error::conflict("codes in use"),
        ];
        assert!(user.iter().all(Error::is_user_error));
        let internal = Error::internal("the writer was poisoned by an earlier failure");
        assert!(!internal.is_user_error());
        assert_eq!(
            internal.to_string(),
            "the writer was poisoned by an earlier failure"
        );
        assert!(!EngineError::Internal("cannot serialize model".into()).is_user_error());
        assert!(
            EngineError::RetrainNeeded {
                path: "m.model".into(),
                reason: "retrain the model".into()
            }
            .is_user_error()
        );
        let broken = Error::Index(tantivy::TantivyError::InternalError("bug".into()));
        assert!(!broken.is_user_error());
        let full = Error::Index(tantivy::TantivyError::IoError(std::sync::Arc::new(
            std::io::Error::from_raw_os_error(28),
        )));
        assert!(full.is_user_error(), "a full disk is the user's to free");
        assert!(EngineError::NoModel("q".into()).is_user_error());
        assert!(!EngineError::Shape("3 rows, 2 targets".into()).is_user_error());
        assert!(!EngineError::Core(broken).is_user_error());
    }

    /// A header of a million columns missing the required ones: the message stays small.
    #[test]
    fn a_huge_header_does_not_make_a_huge_error() {
        let header = vec!["x"; 1_000_000].join(", ");
        let errors: Vec<RowError> = (0..6)
            .map(|i| RowError {
                row: Some(1),
                column: Some(format!("col{i}{}", "y".repeat(10_000))),
                message: format!("missing column (the header has: {header})"),
            })
            .collect();
        let e = Error::Rows {
            file: "big.csv".into(),
            errors,
        };
        let text = e.to_string();
        assert!(text.len() < 12_000, "{} bytes", text.len());
        assert!(text.contains("more characters"));
    }

    /// A full disk reads as such, in plain words, from the index as from a file write.
    #[test]
    fn a_full_disk_is_named_without_a_debug_dump() {
        let enospc = || std::io::Error::from(std::io::ErrorKind::StorageFull);
        let index = Error::Index(tantivy::TantivyError::IoError(
            std::sync::Arc::new(enospc()),
        ));
        let file = Error::io("models/m.model", enospc());
        for e in [&index, &file] {
            let text = e.to_string();
            assert!(e.is_out_of_space(), "{text}");
            assert!(
                text.contains("no space left on device; nothing was written"),
                "{text}"
            );
            assert!(!text.contains("Os {") && !text.contains("kind:"), "{text}");
        }
        let killed = Error::Index(tantivy::TantivyError::ErrorInThread(
            "An index writer was killed.".into(),
        ));
        assert!(
            killed.to_string().contains("nothing was written"),
            "{killed}"
        );
        assert!(!Error::invalid("x").is_out_of_space());
    }
}
