//! Stage: ingest. Low-level table reading (encodings, delimiters, XLSX). Owned by the ingest work.

use std::path::Path;

use crate::error::{Error, Result};
use crate::ingest::table::{Record, Table};

/// Reads a whole table (see [`crate::ingest::table::read_table`]).
pub fn read_table(path: &Path) -> Result<Table> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|_| Error::file(path, "not UTF-8"))?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| Error::file(path, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Error::file(path, e.to_string()))?;
        rows.push(Record {
            line: i + 2,
            cells: rec.iter().map(str::to_string).collect(),
        });
    }
    Ok(Table {
        path: path.to_path_buf(),
        headers,
        rows,
    })
}
