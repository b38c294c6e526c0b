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

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "row {r}, column '{c}': {}", self.message),
            (Some(r), None) => write!(f, "row {r}: {}", self.message),
            (None, Some(c)) => write!(f, "column '{c}': {}", self.message),
            (None, None) => write!(f, "{}", self.message),
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

/// Errors of the codifica library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
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
    /// An argument or a state of the workspace that makes the request impossible.
    #[error("{0}")]
    Invalid(String),
    /// The search index failed.
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
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

    /// An invalid request.
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid(message.into())
    }
}
