//! Use case: export the coded answers for spreadsheets (CSV, XLSX, code-presence matrix,
//! crosstabs by region or month) and for other QDA tools (a REFI-QDA `.qdpx` project).
//!
//! In: an [`ExportRequest`] (what the CLI's flags or a web form say). Out: the file, written
//! atomically, and an [`ExportReport`] saying what it holds. Code labels come from the same
//! codebooks the report shows ([`crate::trends::load_codebooks`]: the workspace's file, else the
//! built-in default).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::codebook::Codebook;
use crate::error::{Error, Result};
use crate::month::Month;
use crate::qda::qdpx;
use crate::report::export::{self, CodeSource, CrossBy, Table};
use crate::store::{AnswerFilter, Store};
use crate::tabular;
use crate::trends::{Codebooks, load_codebooks};
use crate::workspace::Workspace;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One row per answer, CSV (UTF-8).
    Csv,
    /// One row per answer, Excel workbook.
    Xlsx,
    /// Code presence 0/1 (answers × codes, or entities × codes with --by entity).
    Matrix,
    /// Codes × region or month counts (--by region|month).
    Crosstab,
    /// REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder.
    Qdpx,
}

/// The rows of a matrix or the columns of a crosstab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportBy {
    /// One row per answer (matrix).
    Answer,
    /// One row per entity (matrix).
    Entity,
    /// One column per region (crosstab).
    Region,
    /// One column per month (crosstab).
    Month,
}

/// Which codes a matrix or crosstab counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportCodes {
    /// The analysts' codes only.
    Human,
    /// The model's codes only.
    Machine,
    /// Human where present, else machine.
    Effective,
}

/// One export.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub format: ExportFormat,
    pub output: PathBuf,
    pub month: Option<Month>,
    pub question: Option<String>,
    pub by: Option<ExportBy>,
    pub codes: ExportCodes,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub format: ExportFormat,
    pub output: PathBuf,
    /// The rows written (answers, matrix or crosstab rows, project sources).
    pub total: usize,
    /// The same in words, e.g. "a 12 × 30 matrix".
    pub what: String,
    /// Codes without a codebook entry, left out of a project.
    #[serde(skip)]
    pub unknown_codes: Vec<String>,
}

/// Runs one export.
pub fn export(ws: &Workspace, req: &ExportRequest) -> Result<ExportReport> {
    let (filter, source) = checked(ws, req)?;
    let store = Store::open(ws)?;
    let codebooks = load_codebooks(ws)?;
    let all = || store.answers(&filter);
    let out = &req.output;
    let mut unknown_codes = Vec::new();
    let (total, what) = match req.format {
        ExportFormat::Csv => {
            let n = write_csv(&store, &filter, &codebooks, coders(ws)?, out)?;
            (n, format!("{n} answers"))
        }
        ExportFormat::Xlsx => {
            let t = export::answers_table(&all()?, &codebooks, coders(ws)?);
            write_xlsx(out, "respuestas", &t)?;
            (t.rows.len(), format!("{} answers", t.rows.len()))
        }
        ExportFormat::Matrix => {
            let by_entity = req.by == Some(ExportBy::Entity);
            let t = export::matrix(&all()?, &codebooks, source, by_entity);
            write_any(out, "matriz", &t)?;
            let what = format!("a {} × {} matrix", t.rows.len(), t.headers.len());
            (t.rows.len(), what)
        }
        ExportFormat::Crosstab => {
            let by = match req.by {
                Some(ExportBy::Month) => CrossBy::Month,
                _ => CrossBy::Region,
            };
            let t = export::crosstab(&all()?, &codebooks, source, by);
            write_any(out, "tabla", &t)?;
            let codes = t.rows.len().saturating_sub(1);
            (codes, format!("a crosstab of {codes} codes"))
        }
        ExportFormat::Qdpx => {
            let r = write_qdpx(ws, req, codebooks, &all()?)?;
            unknown_codes = r.1;
            r.0
        }
    };
    Ok(ExportReport {
        format: req.format,
        output: out.clone(),
        total,
        what,
        unknown_codes,
    })
}

/// Refuses what cannot be exported before anything is read: an unknown question, a `--by` the
/// format has no use for.
fn checked(ws: &Workspace, req: &ExportRequest) -> Result<(AnswerFilter, CodeSource)> {
    if let Some(q) = &req.question {
        ws.config().require_question(q)?;
    }
    match (req.format, req.by) {
        (ExportFormat::Matrix, Some(b @ (ExportBy::Region | ExportBy::Month))) => {
            return Err(Error::invalid(format!(
                "a matrix is by answer or entity, not {b:?}"
            )));
        }
        (ExportFormat::Crosstab, None | Some(ExportBy::Answer | ExportBy::Entity)) => {
            return Err(Error::invalid("a crosstab needs --by region or --by month"));
        }
        _ => {}
    }
    let filter = AnswerFilter {
        month: req.month,
        question: req.question.clone(),
        entity: None,
    };
    let source = match req.codes {
        ExportCodes::Human => CodeSource::Human,
        ExportCodes::Machine => CodeSource::Machine,
        ExportCodes::Effective => CodeSource::Effective,
    };
    Ok((filter, source))
}

/// The answers as CSV, read and written one month at a time so that exporting a whole
/// workspace holds one month in memory: a first pass collects the extra column names (the
/// header must list them), the second writes the rows.
fn write_csv(
    store: &Store,
    filter: &AnswerFilter,
    codebooks: &Codebooks,
    coders: export::Coders,
    out: &Path,
) -> Result<usize> {
    let mut names = BTreeSet::new();
    for month in store.answers_by_month(filter)? {
        for a in month? {
            names.extend(a.attributes.into_keys());
        }
    }
    let columns = export::AnswerColumns::new(&names).with_coders(coders);
    let rows = store
        .answers_by_month(filter)?
        .flat_map(|month| match month {
            Ok(answers) => answers
                .iter()
                .map(|a| Ok(columns.row(a, codebooks)))
                .collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        });
    tabular::write_csv_stream(out, &columns.headers(), rows)
}

/// Who set each answer's human codes (the team log's last stamps; unknown coders left out).
fn coders(ws: &Workspace) -> Result<export::Coders> {
    Ok(super::team::last_coders(ws)?
        .into_iter()
        .filter_map(|(k, s)| s.coder.map(|c| (k, (c, s.at))))
        .collect())
}

/// A REFI-QDA project of the asked question's codebooks (all when none was asked).
fn write_qdpx(
    ws: &Workspace,
    req: &ExportRequest,
    codebooks: Codebooks,
    answers: &[crate::answer::Answer],
) -> Result<((usize, String), Vec<String>)> {
    let cbs: Vec<Codebook> = codebooks
        .into_values()
        .filter(|cb| req.question.as_ref().is_none_or(|q| *q == cb.question))
        .collect();
    let project = qdpx::build_with_coders(ws.config(), &cbs, answers, &coders(ws)?)?;
    qdpx::write(&req.output, &project)?;
    let s = &project.summary;
    let what = format!(
        "a REFI-QDA project ({} sources, {} cases, {} human and {} machine codings)",
        s.sources, s.cases, s.human_codings, s.machine_codings
    );
    let unknown = s.unknown_codes.iter().cloned().collect();
    Ok(((s.sources, what), unknown))
}

fn write_xlsx(path: &Path, sheet: &str, t: &Table) -> Result<()> {
    let s = tabular::Sheet {
        name: sheet,
        headers: t.headers.clone(),
        rows: t.rows.clone(),
    };
    tabular::write_workbook(path, &[s])
}

/// A table to `.xlsx` (named sheet), else by extension (`.csv`, `.jsonl`).
fn write_any(path: &Path, sheet: &str, t: &Table) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "xlsx" {
        return write_xlsx(path, sheet, t);
    }
    tabular::write_table(path, &t.header_refs(), &t.rows)
}
/// Writes the workspace's codebook of `question` to `output` as a REFI-QDA codebook (`.qdc`),
/// for other QDA tools. Returns how many codes it holds. A question without a codebook file is
/// an error naming it.
pub fn export_codebook(ws: &Workspace, question: &str, output: &Path) -> Result<usize> {
    let cb = crate::codebook::edit::load_required(ws, question)?;
    crate::fsutil::atomic_write(output, crate::qda::qdc::to_qdc(&cb)?.as_bytes())?;
    Ok(cb.codes.len())
}
