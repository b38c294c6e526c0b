//! Stage: ingest. Files in (CSV, XLSX/XLS/ODS; long or wide), validated `Answer`s out — or every
//! problem found, with file, row and column, and nothing at all written.
//!
//! This stage validates and writes nothing: [`validate`] reads every row (pass 1, streaming;
//! valid answers are spooled to an anonymous temporary file, so memory does not grow with the
//! file) and returns every problem, or the spooled answers. The workspace import job
//! (`crate::app::import`) takes the lock and, only if no problem was found, upserts the spool
//! into the store in one commit (pass 2). See `docs/import.md` for the formats.

pub mod canonical;
pub mod limits;
pub mod reader;
pub mod table;
pub mod validate;
pub mod wide;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::answer::{Answer, Supplied};
use crate::codebook::Codebook;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::workspace::Workspace;
use reader::SourceFormat;
use validate::Validator;

/// What `codifica import` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// A `[[mapping]]` of codifica.toml: the file is a wide (or stacked) sheet.
    pub mapping: Option<String>,
    /// The workbook sheet (overrides the mapping's).
    pub sheet: Option<String>,
    /// Validate and count, write nothing.
    pub dry_run: bool,
    /// Add unknown questions to codifica.toml as open questions instead of refusing them.
    pub new_questions: bool,
    /// An empty `codes` cell clears the stored human codes (by default it keeps them).
    pub replace_codes: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: PathBuf,
    pub format: SourceFormat,
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    /// Answers found in them.
    pub answers: usize,
    pub added: usize,
    pub replaced: usize,
    pub unchanged: usize,
    /// Stored answers whose `codes` cell was empty and whose human codes were kept.
    pub codes_kept: usize,
    /// Stored answers whose human codes the file changed (or cleared, `--replace-codes`).
    pub codes_changed: usize,
    /// Months present in the file, sorted.
    pub months: Vec<String>,
    /// Questions present in the file, sorted.
    pub questions: Vec<String>,
    /// Questions added to codifica.toml (`--new-questions`).
    pub new_questions: Vec<String>,
    pub dry_run: bool,
    /// Entities whose code or name disagrees with the DIVIPOLA gazetteer (notes, not errors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<EntityNote>,
}

/// An entity of the file that the DIVIPOLA gazetteer does not confirm: a code it lacks, or a
/// name other than the gazetteer's for that code (a misspelt municipality), with the closest
/// gazetteer entities by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityNote {
    pub code: String,
    pub name: String,
    /// The gazetteer's name for `code` (`None`: the gazetteer has no such code).
    pub divipola_name: Option<String>,
    /// Closest gazetteer entities by name: (code, name), nearest first.
    pub closest: Vec<(String, String)>,
}

/// Progress of a running import, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Pass 1: rows read and validated so far.
    Reading { rows: usize },
    /// Pass 2: answers written so far, of `total`.
    Writing { done: usize, total: usize },
}

/// The outcome of pass 1: what the file holds, and its valid answers spooled for pass 2.
pub struct Validated {
    pub format: SourceFormat,
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    pub answers: usize,
    pub months: BTreeSet<String>,
    pub questions: BTreeSet<String>,
    /// Questions the file names that the config lacks (`new_questions`).
    pub added: Vec<String>,
    /// The file's attribute columns (stored attributes of other names are kept).
    pub attribute_columns: BTreeSet<String>,
    /// Entity code → the first name the file gives it.
    pub entities: BTreeMap<String, String>,
    pub spool: Spool,
}

/// What pass 1 reads the file against: the config, its loaded codebooks (the validator reads no
/// files), the shape (`None`: the canonical long format) and where to spool.
pub struct Checks<'a> {
    pub config: &'a Config,
    pub codebooks: BTreeMap<String, Codebook>,
    pub mapping: Option<&'a wide::WideMapping>,
    pub new_questions: bool,
    /// Folder of the spool file (the workspace: on disk, never a RAM-backed /tmp).
    pub spool_dir: &'a Path,
}

/// The codebooks in force of the config's questions (the workspace's file, else the built-in
/// default: the codebook the web app codes with), loaded once for the validator (which reads no
/// files), so that `import` and the web refuse the same codes. A broken codebook file is an error.
pub fn load_codebooks(ws: &Workspace) -> Result<BTreeMap<String, Codebook>> {
    let mut out = BTreeMap::new();
    for q in &ws.config().questions {
        if let Some(cb) = crate::codebook::load_or_default(ws, &q.id)? {
            out.insert(q.id.clone(), cb);
        }
    }
    Ok(out)
}

/// Pass 1: reads and validates every row of `source`; every problem (with row, column and cell)
/// in one [`Error::Rows`], else the valid answers spooled.
pub fn validate(
    checks: Checks<'_>,
    mut source: reader::Source,
    progress: &mut dyn FnMut(Progress),
) -> Result<Validated> {
    let mapping = checks.mapping;
    let path = source.path.clone();
    let rows_error = |errors| Error::Rows {
        file: path.clone(),
        errors,
    };
    enum Shape<'m> {
        Long(canonical::Columns),
        Wide(Box<wide::Resolved<'m>>),
    }
    let mut shape = match mapping {
        None => Shape::Long(canonical::Columns::resolve(&source.headers).map_err(rows_error)?),
        Some(m) => Shape::Wide(Box::new(m.resolve(&source.headers).map_err(rows_error)?)),
    };
    let attribute_columns = match &shape {
        Shape::Long(cols) => cols.attribute_names(),
        Shape::Wide(resolved) => resolved.attribute_names(),
    };
    let mut v = Validator::new(checks.config, checks.codebooks, checks.new_questions);
    let mut spool = Spool::new(checks.spool_dir)?;
    let (mut rows, mut answers) = (0usize, 0usize);
    let mut months = BTreeSet::new();
    let mut questions = BTreeSet::new();
    let mut entities = BTreeMap::new();
    for row in source.by_ref() {
        let row = row?;
        rows += 1;
        if rows % 4096 == 0 {
            progress(Progress::Reading { rows });
        }
        let had_problems = !row.problems.is_empty();
        for p in row.problems.iter().cloned() {
            v.push(p);
        }
        if had_problems {
            // A row that could not be read whole (cut cell, wrong cell count) is not
            // validated further: its cells would only give misleading follow-on errors.
            continue;
        }
        let drafts = match &mut shape {
            Shape::Long(cols) => vec![cols.draft(&row)],
            Shape::Wide(resolved) => resolved.drafts(&row, checks.config),
        };
        for d in drafts {
            let supplied = d.supplied;
            if let Some(a) = v.check(d)? {
                answers += 1;
                if !v.has_errors() {
                    months.insert(a.month.to_string());
                    questions.insert(a.question.clone());
                    if !entities.contains_key(&a.entity_code) {
                        entities.insert(a.entity_code.clone(), a.entity_name.clone());
                    }
                    spool.push(&a, supplied)?;
                }
            }
        }
        if v.is_full() {
            break;
        }
    }
    progress(Progress::Reading { rows });
    if v.has_errors() {
        return Err(rows_error(v.into_errors()));
    }
    if rows == 0 {
        return Err(Error::file(
            &path,
            "has a header but no data rows: there is nothing to import",
        ));
    }
    if answers == 0 {
        return Err(Error::file(
            &path,
            format!("has {rows} rows but no answers: every mapped question cell is empty"),
        ));
    }
    spool.finish()?;
    Ok(Validated {
        format: source.format.clone(),
        rows,
        answers,
        months,
        questions,
        added: v.added_questions(),
        attribute_columns,
        entities,
        spool,
    })
}

/// Validated answers waiting for pass 2, one JSON line each, in an anonymous temporary file
/// (deleted by the OS when dropped).
pub struct Spool {
    file: BufWriter<std::fs::File>,
    path: PathBuf,
}

impl Spool {
    /// An unnamed file in `dir` (the workspace: on disk, never a RAM-backed /tmp; it leaves
    /// nothing behind even if the process is killed).
    fn new(dir: &Path) -> Result<Spool> {
        let path = dir.to_path_buf();
        let file = tempfile::tempfile_in(dir).map_err(|e| Error::io(&path, e))?;
        Ok(Spool {
            file: BufWriter::with_capacity(1 << 20, file),
            path,
        })
    }

    fn push(&mut self, a: &Answer, supplied: Supplied) -> Result<()> {
        serde_json::to_writer(&mut self.file, &(supplied, a))
            .map_err(|e| Error::io(&self.path, std::io::Error::other(e)))?;
        self.file
            .write_all(b"\n")
            .map_err(|e| Error::io(&self.path, e))
    }

    fn finish(&mut self) -> Result<()> {
        self.file.flush().map_err(|e| Error::io(&self.path, e))
    }

    /// The spooled answers from the start (read back in pass 2).
    pub fn read(&mut self) -> Result<SpoolReader> {
        let mut f = self
            .file
            .get_ref()
            .try_clone()
            .map_err(|e| Error::io(&self.path, e))?;
        f.rewind().map_err(|e| Error::io(&self.path, e))?;
        Ok(SpoolReader {
            lines: BufReader::with_capacity(1 << 20, f),
            line: String::new(),
            path: self.path.clone(),
            error: None,
        })
    }
}

/// The spooled answers, one by one; a read failure ends the iteration and is kept in `error`.
pub struct SpoolReader {
    lines: BufReader<std::fs::File>,
    line: String,
    path: PathBuf,
    pub error: Option<Error>,
}

impl Iterator for SpoolReader {
    type Item = (Answer, Supplied);

    fn next(&mut self) -> Option<(Answer, Supplied)> {
        if self.error.is_some() {
            return None;
        }
        self.line.clear();
        match self.lines.read_line(&mut self.line) {
            Ok(0) => None,
            Ok(_) => match serde_json::from_str::<(Supplied, Answer)>(&self.line) {
                Ok((s, a)) => Some((a, s)),
                Err(e) => {
                    self.error = Some(Error::io(&self.path, std::io::Error::other(e)));
                    None
                }
            },
            Err(e) => {
                self.error = Some(Error::io(&self.path, e));
                None
            }
        }
    }
}
