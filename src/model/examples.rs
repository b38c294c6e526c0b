//! Stage: model (input side). Coded examples from a table, and model files on disk.
//!
//! In: a CSV/XLSX table (read by [`crate::ingest::table::read_table`]) with a text column, a code
//! column and optionally a question column and `COL=VAL` filters; or a folder of model files.
//! Out: examples grouped by question; a merged [`ModelSet`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::analyze::AnalyzerSettings;
use crate::ingest::table::{Table, read_table};
use crate::model::classifier::Example;
use crate::model::error::{EngineError, Result};
use crate::model::persist::ModelSet;

/// Extension of model files.
pub const MODEL_EXT: &str = "model";

/// A row filter `COL=VAL` (or `COL!=VAL`); values compare trimmed, case-sensitive.
#[derive(Debug, Clone, PartialEq)]
pub struct RowFilter {
    /// Column name.
    pub column: String,
    /// Value to compare with.
    pub value: String,
    /// `!=` instead of `=`.
    pub negate: bool,
}

impl std::str::FromStr for RowFilter {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (column, value, negate) = if let Some((c, v)) = s.split_once("!=") {
            (c, v, true)
        } else if let Some((c, v)) = s.split_once('=') {
            (c, v, false)
        } else {
            return Err(format!("expected COL=VAL or COL!=VAL, got {s:?}"));
        };
        if column.trim().is_empty() {
            return Err(format!("empty column name in {s:?}"));
        }
        Ok(RowFilter {
            column: column.trim().to_string(),
            value: value.trim().to_string(),
            negate,
        })
    }
}

/// Splits a code cell: codes are separated by `;` (surrounding spaces ignored).
pub fn split_codes(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

/// Row indices of `table` that pass every filter (missing filter columns are errors).
pub fn filtered_rows(table: &Table, filters: &[RowFilter]) -> Result<Vec<usize>> {
    let cols: Vec<(usize, &RowFilter)> = filters
        .iter()
        .map(|f| Ok((table.column(&f.column)?, f)))
        .collect::<Result<_>>()?;
    Ok((0..table.rows.len())
        .filter(|&i| {
            cols.iter()
                .all(|(c, f)| (table.rows[i].get(*c).trim() == f.value) != f.negate)
        })
        .collect())
}

/// Where coded examples come from.
#[derive(Debug, Clone)]
pub struct ExampleSpec {
    /// The table.
    pub file: PathBuf,
    /// Column with the answer text.
    pub text_column: String,
    /// Column with the code(s).
    pub code_column: String,
    /// Column naming the question (one model per distinct value), if any.
    pub question_column: Option<String>,
    /// Row filters.
    pub filters: Vec<RowFilter>,
    /// Column naming each row's group (cabildo, region, month): validation keeps whole groups
    /// on one side. It must exist and hold at least two groups.
    pub group_column: Option<String>,
}

/// Reads coded examples grouped by question (`""` without a question column). Rows with an
/// empty code cell are kept with no codes (training skips them; evaluation too).
pub fn read_examples(spec: &ExampleSpec) -> Result<BTreeMap<String, Vec<Example>>> {
    let table = read_table(&spec.file)?;
    let tc = table.column(&spec.text_column)?;
    let cc = table.column(&spec.code_column)?;
    let qc = spec
        .question_column
        .as_deref()
        .map(|q| table.column(q))
        .transpose()?;
    let gc = spec
        .group_column
        .as_deref()
        .map(|g| table.column(g))
        .transpose()?;
    let mut out: BTreeMap<String, Vec<Example>> = BTreeMap::new();
    let mut groups = std::collections::BTreeSet::new();
    for i in filtered_rows(&table, &spec.filters)? {
        let r = &table.rows[i];
        let q = qc.map_or(String::new(), |c| r.get(c).trim().to_string());
        let group = gc.map(|c| r.get(c).trim().to_string());
        if let Some(g) = &group {
            groups.insert(g.clone());
        }
        out.entry(q).or_default().push(Example {
            text: r.get(tc).to_string(),
            codes: split_codes(r.get(cc)),
            group,
        });
    }
    if let Some(col) = &spec.group_column
        && groups.len() < 2
    {
        return Err(EngineError::InvalidParams(format!(
            "{}: group column {col:?} holds {} group{} (after filters): grouped validation \
             needs at least 2",
            spec.file.display(),
            groups.len(),
            if groups.len() == 1 { "" } else { "s" }
        )));
    }
    if out.is_empty() {
        return Err(EngineError::EmptyTrainingSet(format!(
            "{}: no rows (after filters)",
            spec.file.display()
        )));
    }
    Ok(out)
}

/// A question's human-coded answers from a workspace, with the month of each.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceExamples {
    pub examples: Vec<Example>,
    pub months: Vec<crate::month::Month>,
}

/// Fewest distinct months with human codes for the month to be the validation group; with fewer,
/// the entity is (a new month brings new people, and so does a new entity).
pub const MIN_MONTH_GROUPS: usize = 3;

/// The human-coded answers of the workspace's coded questions (or only `only`), each example's
/// group set for validation: its month when the codes span at least [`MIN_MONTH_GROUPS`]
/// months, else its entity.
pub fn workspace_examples(
    store: &crate::store::Store,
    config: &crate::config::Config,
    only: Option<&str>,
) -> crate::error::Result<BTreeMap<String, WorkspaceExamples>> {
    let mut out = BTreeMap::new();
    for q in config.coded_questions() {
        if only.is_some_and(|o| o != q.id) {
            continue;
        }
        let answers = store.answers(&crate::store::AnswerFilter {
            question: Some(q.id.clone()),
            ..Default::default()
        })?;
        let coded: Vec<_> = answers
            .into_iter()
            .filter(|a| !a.codes.is_empty())
            .collect();
        if coded.is_empty() {
            continue;
        }
        let n_months = coded
            .iter()
            .map(|a| a.month)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let by_month = n_months >= MIN_MONTH_GROUPS;
        let mut w = WorkspaceExamples::default();
        for a in coded {
            let group = if by_month {
                a.month.to_string()
            } else {
                a.entity_code.clone()
            };
            w.months.push(a.month);
            w.examples.push(Example {
                text: a.text,
                codes: a.codes,
                group: Some(group),
            });
        }
        out.insert(q.id.clone(), w);
    }
    Ok(out)
}

/// File-name-safe form of a question id (`""` → `default`).
pub fn model_file_name(question: &str) -> String {
    let s: String = question
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = if s.is_empty() {
        "default".to_string()
    } else {
        s
    };
    format!("{s}.{MODEL_EXT}")
}

/// Model files in `dir`, sorted.
pub fn model_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(EngineError::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == MODEL_EXT))
        .collect();
    v.sort();
    Ok(v)
}

/// Loads and merges model files (each checked against `analyzer`); a question present in two
/// files is an error.
pub fn load_models(paths: &[PathBuf], analyzer: &AnalyzerSettings) -> Result<ModelSet> {
    let mut merged: Option<ModelSet> = None;
    for p in paths {
        let set = ModelSet::load(p, analyzer)?;
        match merged.as_mut() {
            None => merged = Some(set),
            Some(m) => {
                for q in set.models {
                    if m.models.iter().any(|x| x.question == q.question) {
                        return Err(EngineError::ModelFile {
                            path: p.clone(),
                            reason: format!(
                                "question {:?} has a model in another file too",
                                q.question
                            ),
                        });
                    }
                    m.models.push(q);
                }
            }
        }
    }
    merged
        .ok_or_else(|| EngineError::NoModel("(no model files found: run `codifica train`)".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_codes_parse() {
        let f: RowFilter = "theme=derechos".parse().unwrap();
        assert_eq!(
            (f.column.as_str(), f.value.as_str(), f.negate),
            ("theme", "derechos", false)
        );
        let f: RowFilter = "x != 1".parse().unwrap();
        assert!(f.negate && f.value == "1");
        assert!("nothing".parse::<RowFilter>().is_err());
        assert_eq!(split_codes(" a; b ;;"), vec!["a", "b"]);
        assert_eq!(model_file_name("p 1/x"), "p_1_x.model");
        assert_eq!(model_file_name(""), "default.model");
    }
}
