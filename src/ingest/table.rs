//! Stage: ingest. Reading a table (CSV or XLSX) into header + rows of text cells, whatever the
//! encoding and delimiter an analyst's spreadsheet program chose.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One data row: its 1-based row number as a spreadsheet shows it (header = row 1) and cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Record {
    /// The cell at `idx`, or "" when the row is short.
    pub fn get(&self, idx: usize) -> &str {
        self.cells.get(idx).map_or("", |s| s.as_str())
    }
}

/// A whole table in memory.
#[derive(Debug, Clone)]
pub struct Table {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub rows: Vec<Record>,
}

impl Table {
    /// Index of the column named `name` (case-insensitive, trimmed), or an error naming the file
    /// and the column.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.find_column(name).ok_or_else(|| {
            Error::at(
                &self.path,
                Some(1),
                Some(name),
                format!(
                    "missing column '{name}' (the file has: {})",
                    self.headers.join(", ")
                ),
            )
        })
    }

    /// Index of the column named `name`, if present ([`header_key`]).
    pub fn find_column(&self, name: &str) -> Option<usize> {
        find_header(&self.headers, name)
    }
}

/// The one header matcher of every table codifica reads (month imports, wide mappings,
/// populations, gazetteers, `--examples`): a header names a column when the two agree trimmed
/// and lowercased, so `Entity_Code ` is `entity_code`. (The reader already dropped any U+FEFF.)
pub fn header_key(header: &str) -> String {
    header.trim().to_lowercase()
}

/// Index of the first header that matches `name` by [`header_key`].
pub fn find_header(headers: &[String], name: &str) -> Option<usize> {
    let want = header_key(name);
    headers.iter().position(|h| header_key(h) == want)
}

/// Reads a whole table into memory (for small files; imports stream through
/// [`crate::ingest::reader::open`]): workbooks (XLSX/XLSM/XLSB/XLS/ODS, recognised by content)
/// through calamine (first sheet), anything else as CSV (UTF-8 with or without BOM, UTF-16 with
/// BOM, or Windows-1252; `,`, `;` or tab). Blank rows are skipped; a row with a reading problem
/// (NUL byte, oversized cell, quote never closed, wrong cell count) makes it an
/// [`Error::Rows`] naming every such row.
pub fn read_table(path: &Path) -> Result<Table> {
    crate::ingest::reader::read_table(path)
}
