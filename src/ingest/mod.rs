//! Stage: ingest. Files in (CSV, XLSX/XLS/ODS; long or wide), validated `Answer`s out — or every
//! problem found, with file, row and column, and nothing at all written.
//!
//! [`import`] is the whole pipeline: lock the workspace, read and validate every row (pass 1,
//! streaming; valid answers are spooled to an anonymous temporary file, so memory does not grow
//! with the file), then, only if no problem was found, upsert the spooled answers into the store
//! in one commit (pass 2). See `docs/import.md` for the formats.

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

use crate::answer::{Answer, CodesOutcome, Supplied};
use crate::codebook::Codebook;
use crate::config::Question;
use crate::error::{Error, Result};
use crate::store::{Store, UpsertSummary};
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
}

/// Progress of a running import, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Pass 1: rows read and validated so far.
    Reading { rows: usize },
    /// Pass 2: answers written so far, of `total`.
    Writing { done: usize, total: usize },
}

/// Imports `path` into the workspace (see the module docs). All or nothing.
pub fn import(ws: &Workspace, path: &Path, opts: &ImportOptions) -> Result<ImportReport> {
    import_with_progress(ws, path, opts, &mut |_| {})
}

/// [`import`], reporting progress.
pub fn import_with_progress(
    ws: &Workspace,
    path: &Path,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    // A dry run writes nothing, so it does not need (nor wait for) the lock.
    let _lock = if opts.dry_run { None } else { Some(ws.lock()?) };
    let mapping = match &opts.mapping {
        None => None,
        Some(name) => Some(find_mapping(ws, name)?),
    };
    // A mapping's sheet applies to workbooks; the same sheet exported as CSV reads as well.
    let mapping_sheet = match mapping.and_then(|m| m.sheet.as_deref()) {
        Some(s) if reader::is_workbook(path)? => Some(s),
        _ => None,
    };
    let sheet = opts.sheet.as_deref().or(mapping_sheet);
    let stamp = reader::FileStamp::of(path)?;
    let source = reader::open(path, sheet)?;
    let mut pass = validate_all(ws, source, mapping, opts.new_questions, progress)?;
    stamp.check_unchanged(path)?;
    let total = pass.answers;
    let new_questions = pass.added.clone();
    // New questions go into codifica.toml BEFORE the commit: a crash between the two then leaves
    // a question without answers (harmless), never answers of a question the config lacks.
    if !opts.dry_run && !new_questions.is_empty() {
        let mut config = ws.config().clone();
        config
            .questions
            .extend(new_questions.iter().map(|id| Question::new_open(id)));
        ws.clone().save_config(config)?;
    }
    let mut merge = Merge {
        attribute_columns: std::mem::take(&mut pass.attribute_columns),
        replace_codes: opts.replace_codes,
        kept: 0,
        changed: 0,
    };
    let summary = if opts.dry_run {
        plan(ws, &mut pass.spool, &mut merge)?
    } else {
        write(ws, &mut pass.spool, total, &mut merge, progress)?
    };
    Ok(ImportReport {
        file: path.to_path_buf(),
        format: pass.format,
        rows: pass.rows,
        answers: total,
        added: summary.added,
        replaced: summary.replaced,
        unchanged: summary.unchanged,
        codes_kept: merge.kept,
        codes_changed: merge.changed,
        months: pass.months.into_iter().collect(),
        questions: pass.questions.into_iter().collect(),
        new_questions,
        dry_run: opts.dry_run,
    })
}

/// The wide mapping `name` of the workspace's config; unknown, an error listing the known ones.
fn find_mapping<'w>(ws: &'w Workspace, name: &str) -> Result<&'w wide::WideMapping> {
    ws.config().mapping(name).ok_or_else(|| {
        let known: Vec<&str> = ws
            .config()
            .mappings
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        Error::invalid(format!(
            "no mapping named '{name}' in {} (it has: {}); see docs/import.md",
            ws.config_path().display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ))
    })
}

/// The outcome of pass 1.
struct Validated {
    format: SourceFormat,
    rows: usize,
    answers: usize,
    months: BTreeSet<String>,
    questions: BTreeSet<String>,
    added: Vec<String>,
    /// The file's attribute columns (stored attributes of other names are kept).
    attribute_columns: BTreeSet<String>,
    spool: Spool,
}

/// How a re-imported answer is merged over the stored one, and what that did to human codes.
struct Merge {
    attribute_columns: BTreeSet<String>,
    replace_codes: bool,
    kept: usize,
    changed: usize,
}

impl Merge {
    fn apply(&mut self, a: Answer, supplied: Supplied, old: &Answer) -> Answer {
        let (a, outcome) =
            a.merged_over(old, supplied, &self.attribute_columns, self.replace_codes);
        match outcome {
            CodesOutcome::Kept => self.kept += 1,
            CodesOutcome::Changed => self.changed += 1,
            CodesOutcome::Same => {}
        }
        a
    }
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

fn validate_all(
    ws: &Workspace,
    mut source: reader::Source,
    mapping: Option<&wide::WideMapping>,
    new_questions: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Validated> {
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
    let codebooks = load_codebooks(ws)?;
    let mut v = Validator::new(ws.config(), codebooks, new_questions);
    let mut spool = Spool::new(ws.root())?;
    let (mut rows, mut answers) = (0usize, 0usize);
    let mut months = BTreeSet::new();
    let mut questions = BTreeSet::new();
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
            Shape::Wide(resolved) => resolved.drafts(&row, ws.config()),
        };
        for d in drafts {
            let supplied = d.supplied;
            if let Some(a) = v.check(d)? {
                answers += 1;
                if !v.has_errors() {
                    months.insert(a.month.to_string());
                    questions.insert(a.question.clone());
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
        spool,
    })
}

fn plan(ws: &Workspace, spool: &mut Spool, merge: &mut Merge) -> Result<UpsertSummary> {
    let store = Store::open(ws)?;
    let mut answers = spool.read()?;
    let total = store.plan_upsert_with(answers.by_ref(), |a, supplied, old| {
        merge.apply(a, supplied, old)
    })?;
    answers.error.take().map_or(Ok(total), Err)
}

fn write(
    ws: &Workspace,
    spool: &mut Spool,
    total: usize,
    merge: &mut Merge,
    progress: &mut dyn FnMut(Progress),
) -> Result<UpsertSummary> {
    let store = Store::open(ws)?;
    let mut answers = spool.read()?;
    // The spool is our own file, written moments ago: failing to read it back means the disk
    // failed under us. The error reaches the store before its commit, so nothing is written.
    let items = std::iter::from_fn(|| match answers.next() {
        Some(a) => Some(Ok(a)),
        None => answers.error.take().map(Err),
    });
    let summary = store.try_upsert_with(
        items,
        |a, supplied, old| merge.apply(a, supplied, old),
        |done| {
            if done % 1024 == 0 || done == total {
                progress(Progress::Writing { done, total });
            }
        },
    )?;
    progress(Progress::Writing { done: total, total });
    Ok(summary)
}

/// Validated answers waiting for pass 2, one JSON line each, in an anonymous temporary file
/// (deleted by the OS when dropped).
struct Spool {
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

    fn read(&mut self) -> Result<SpoolReader> {
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

struct SpoolReader {
    lines: BufReader<std::fs::File>,
    line: String,
    path: PathBuf,
    error: Option<Error>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::store::AnswerFilter;

    const HEADER: &str =
        "entity_code,entity_name,department,region,month,question,answer,rating,codes\n";

    fn setup(body: &str) -> (tempfile::TempDir, Workspace, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let ws =
            Workspace::init(&dir.path().join("ws"), Config::monitoreo360_text(), false).unwrap();
        let file = dir.path().join("m.csv");
        std::fs::write(&file, format!("{HEADER}{body}")).unwrap();
        (dir, ws, file)
    }

    #[test]
    fn import_is_idempotent_and_replaces_changed_rows() {
        let body = "05001,Medellín,Antioquia,Eje Cafetero,2020-07,calificacion_general,,4,\n\
                    05001,Medellín,Antioquia,Eje Cafetero,2020-07,articulacion_instrumentos,Sí ayuda,,\n";
        let (dir, ws, file) = setup(body);
        let r = import(&ws, &file, &ImportOptions::default()).unwrap();
        assert_eq!(
            (r.rows, r.answers, r.added, r.replaced, r.unchanged),
            (2, 2, 2, 0, 0)
        );
        let r = import(&ws, &file, &ImportOptions::default()).unwrap();
        assert_eq!((r.added, r.replaced, r.unchanged), (0, 0, 2));
        let changed = body.replace(",4,", ",3,");
        std::fs::write(&file, format!("{HEADER}{changed}")).unwrap();
        let dry = ImportOptions {
            dry_run: true,
            ..Default::default()
        };
        let r = import(&ws, &file, &dry).unwrap();
        assert_eq!((r.added, r.replaced, r.unchanged), (0, 1, 1));
        let store = Store::open(&ws).unwrap();
        let all = store.answers(&AnswerFilter::default()).unwrap();
        assert_eq!(
            all.iter().filter_map(|a| a.rating).collect::<Vec<_>>(),
            [4.0]
        );
        let r = import(&ws, &file, &ImportOptions::default()).unwrap();
        assert_eq!((r.added, r.replaced, r.unchanged), (0, 1, 1));
        assert_eq!(store.len().unwrap(), 2);
        drop(dir);
    }

    #[test]
    fn bad_rows_write_nothing_and_new_questions_are_saved_on_success() {
        let (_dir, ws, file) = setup(
            "05001,Medellín,Antioquia,Eje Cafetero,2020-07,calificacion_general,,4,\n\
             05001,Medellín,Antioquia,Eje Cafetero,2020-07,pregunta_nueva,texto,,\n",
        );
        let err = import(&ws, &file, &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 3") && err.contains("unknown question"),
            "{err}"
        );
        assert_eq!(Store::open(&ws).unwrap().len().unwrap(), 0);
        let opts = ImportOptions {
            new_questions: true,
            ..Default::default()
        };
        let r = import(&ws, &file, &opts).unwrap();
        assert_eq!(r.new_questions, ["pregunta_nueva"]);
        let again = Workspace::open(ws.root()).unwrap();
        assert!(
            again
                .config()
                .question("pregunta_nueva")
                .is_some_and(|q| q.is_coded())
        );
    }

    #[test]
    fn a_file_changed_while_it_is_read_is_refused() {
        let (_dir, ws, file) = setup("05001,M,A,R,2020-07,calificacion_general,,4,\n");
        let mut changed = false;
        let mut rewrite = |p: Progress| {
            if matches!(p, Progress::Reading { .. }) && !changed {
                changed = true;
                let mut text = std::fs::read_to_string(&file).unwrap();
                text.push_str("08001,B,A,R,2020-07,calificacion_general,,3,\n");
                std::fs::write(&file, text).unwrap();
            }
        };
        let err = import_with_progress(&ws, &file, &ImportOptions::default(), &mut rewrite)
            .unwrap_err()
            .to_string();
        assert!(err.contains("changed while it was being imported"), "{err}");
        assert_eq!(Store::open(&ws).unwrap().len().unwrap(), 0);
    }

    #[test]
    fn busy_workspace_is_refused() {
        let (_dir, ws, file) = setup("05001,M,A,R,2020-07,calificacion_general,,4,\n");
        let _held = ws.lock().unwrap();
        let err = import(&ws, &file, &ImportOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Busy { .. }), "{err}");
    }
}
