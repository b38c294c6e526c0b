//! Files a job reads or writes outside the workspace, given by path: a table of answers, a table
//! of results, model files, any output. One reader and one writer each, so that every input is
//! read the same way (encoding and delimiter sniffing) and every output is written whole or not
//! at all.

use std::path::{Path, PathBuf};

use crate::analyze::AnalyzerSettings;
use crate::error::Result;
pub use crate::ingest::table::Table;
use crate::model::ModelSet;

/// Reads a table of answers whole: a workbook (XLSX, XLS, ODS…, first sheet) or a CSV in UTF-8,
/// UTF-16 or Windows-1252, delimited by `,`, `;` or tab. A row that cannot be read makes an
/// error naming every such row.
pub fn read_table(path: &Path) -> Result<Table> {
    crate::ingest::table::read_table(path)
}

/// Writes a table of results to `path`: `.csv`, `.jsonl` (one object per row) or `.xlsx`.
pub fn write_table(path: &Path, headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
    crate::tabular::write_table(path, headers, rows)
}

/// Writes `bytes` to `path` whole or not at all: a crash leaves the old file or the new one.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::fsutil::atomic_write(path, bytes)
}

/// The model files of `dir` (a workspace's models folder), sorted; none when it does not exist.
pub fn model_files(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(crate::model::examples::model_files(dir)?)
}

/// Loads model files into one set, each checked against `analyzer` (a model trained under
/// another analyzer would see other words); a question present in two files is an error.
pub fn load_models(paths: &[PathBuf], analyzer: &AnalyzerSettings) -> Result<ModelSet> {
    Ok(crate::model::examples::load_models(paths, analyzer)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_table_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        write_table(
            &path,
            &["id", "texto"],
            &[vec!["1".into(), "sí; no".into()]],
        )
        .unwrap();
        let t = read_table(&path).unwrap();
        assert_eq!(t.headers, ["id", "texto"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!((t.rows[0].get(0), t.rows[0].get(1)), ("1", "sí; no"));
    }

    #[test]
    fn a_missing_models_folder_has_no_models() {
        let dir = tempfile::tempdir().unwrap();
        assert!(model_files(&dir.path().join("models")).unwrap().is_empty());
    }
}
