//! Use case: agreement between two coders of one table (two analysts, or an analyst and the
//! model's column): percent agreement, Cohen's kappa and Krippendorff's alpha (nominal), overall
//! and per code (`model::agreement`). `codifica agreement` prints it; the web's double coding
//! computes the same report from stored codes.

use std::path::{Path, PathBuf};

use crate::error::{EngineResult, Error};
use crate::ingest::table::read_table;
use crate::model::agreement::{AgreementReport, agreement};
use crate::model::examples::{RowFilter, filtered_rows, split_codes};

/// Which columns of which file to compare.
#[derive(Debug, Clone)]
pub struct FileRequest {
    /// CSV/XLSX with one row per answer and one column per coder.
    pub file: PathBuf,
    pub coder_a: String,
    pub coder_b: String,
    /// Keep only rows passing every filter.
    pub filters: Vec<RowFilter>,
}

/// The two coders' `;`-separated codes of every kept row, compared. Refuses a table where no
/// row has codes from both coders (nothing to compare).
pub fn from_file(req: &FileRequest) -> EngineResult<AgreementReport> {
    let table = read_table(&req.file)?;
    let ca = table.column(&req.coder_a)?;
    let cb = table.column(&req.coder_b)?;
    let rows = filtered_rows(&table, &req.filters)?;
    let codes = |col: usize| -> Vec<Vec<String>> {
        rows.iter()
            .map(|&i| split_codes(table.rows[i].get(col)))
            .collect()
    };
    let r = agreement(&codes(ca), &codes(cb));
    if r.overall.units == 0 {
        return Err(no_units(&req.file, &req.coder_a, &req.coder_b).into());
    }
    Ok(r)
}

fn no_units(file: &Path, a: &str, b: &str) -> Error {
    Error::file(file, format!("no row has codes in both {a} and {b}"))
}
