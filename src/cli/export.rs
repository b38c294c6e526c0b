//! `codifica export`: coded answers out for spreadsheets (CSV, XLSX, code-presence matrix,
//! crosstabs by region or month) and for other QDA tools (a REFI-QDA `.qdpx` project).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use codifica::codebook::{self, Codebook};
use codifica::export::{self, CodeSource, CrossBy, Table};
use codifica::month::Month;
use codifica::qda::qdpx;
use codifica::store::{AnswerFilter, Store};
use codifica::tabular;
use codifica::workspace::Workspace;

use super::Global;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum By {
    /// One row per answer (matrix).
    Answer,
    /// One row per entity (matrix).
    Entity,
    /// One column per region (crosstab).
    Region,
    /// One column per month (crosstab).
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Codes {
    /// The analysts' codes only.
    Human,
    /// The model's codes only.
    Machine,
    /// Human where present, else machine.
    Effective,
}

/// Options of `codifica export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to write: csv or xlsx (one row per answer), matrix, crosstab, qdpx (`--help` says more).
    #[arg(long, short = 'f', value_enum)]
    format: Format,
    /// Output file (.csv / .xlsx / .jsonl for matrix and crosstab; .qdpx for qdpx).
    #[arg(long, short = 'o')]
    output: PathBuf,
    /// Only this month (YYYY-MM).
    #[arg(long, value_parser = Month::parse_arg)]
    month: Option<Month>,
    /// Only this question.
    #[arg(long, short = 'Q')]
    question: Option<String>,
    /// Rows of a matrix (answer, entity) or columns of a crosstab (region, month).
    #[arg(long, value_enum)]
    by: Option<By>,
    /// Which codes a matrix or crosstab counts (effective: human where present, else machine).
    #[arg(long, value_enum, default_value = "effective")]
    codes: Codes,
    /// Print what was written as one JSON document ({"format", "output", "total", "what"}).
    #[arg(long)]
    json: bool,
}

/// The answers as CSV, read and written one month at a time so that exporting a whole
/// workspace holds one month in memory: a first pass collects the extra column names (the
/// header must list them), the second writes the rows.
fn write_csv(
    store: &Store,
    filter: &AnswerFilter,
    codebooks: &BTreeMap<String, Codebook>,
    out: &Path,
) -> anyhow::Result<usize> {
    let mut names = BTreeSet::new();
    for month in store.answers_by_month(filter)? {
        for a in month? {
            names.extend(a.attributes.into_keys());
        }
    }
    let columns = export::AnswerColumns::new(&names);
    let rows = store
        .answers_by_month(filter)?
        .flat_map(|month| match month {
            Ok(answers) => answers
                .iter()
                .map(|a| Ok(columns.row(a, codebooks)))
                .collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        });
    Ok(tabular::write_csv_stream(out, &columns.headers(), rows)?)
}

/// Runs `codifica export`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = super::open_workspace(g)?;
    if let Some(q) = &args.question
        && ws.config().question(q).is_none()
    {
        anyhow::bail!("no question '{q}' in codifica.toml");
    }
    let store = Store::open(&ws)?;
    let filter = AnswerFilter {
        month: args.month,
        question: args.question.clone(),
        entity: None,
    };
    let codebooks = load_codebooks(&ws)?;
    // CSV streams; the other formats need every answer at once (sheet, matrix, project).
    let all_answers = || store.answers(&filter);
    let source = match args.codes {
        Codes::Human => CodeSource::Human,
        Codes::Machine => CodeSource::Machine,
        Codes::Effective => CodeSource::Effective,
    };
    let out = &args.output;
    let format_name = format!("{:?}", args.format).to_lowercase();
    let json = args.json;
    // `total`: the rows written (answers, matrix or crosstab rows, project sources).
    let done = |total: usize, what: String| {
        if json {
            let doc = serde_json::json!({
                "format": format_name,
                "output": out,
                "total": total,
                "what": what,
            });
            println!("{doc:#}");
        } else if !g.quiet {
            println!("Wrote {what} to {}", out.display());
        }
    };
    match args.format {
        Format::Csv => {
            let n = write_csv(&store, &filter, &codebooks, out)?;
            done(n, format!("{n} answers"));
        }
        Format::Xlsx => {
            let t = export::answers_table(&all_answers()?, &codebooks);
            write_xlsx(out, "respuestas", &t)?;
            done(t.rows.len(), format!("{} answers", t.rows.len()));
        }
        Format::Matrix => {
            let by_entity = match args.by {
                None | Some(By::Answer) => false,
                Some(By::Entity) => true,
                Some(b) => anyhow::bail!("a matrix is by answer or entity, not {b:?}"),
            };
            let t = export::matrix(&all_answers()?, &codebooks, source, by_entity);
            write_any(out, "matriz", &t)?;
            done(
                t.rows.len(),
                format!("a {} × {} matrix", t.rows.len(), t.headers.len()),
            )
        }
        Format::Crosstab => {
            let by = match args.by {
                Some(By::Region) => CrossBy::Region,
                Some(By::Month) => CrossBy::Month,
                _ => anyhow::bail!("a crosstab needs --by region or --by month"),
            };
            let t = export::crosstab(&all_answers()?, &codebooks, source, by);
            write_any(out, "tabla", &t)?;
            let codes = t.rows.len().saturating_sub(1);
            done(codes, format!("a crosstab of {codes} codes"))
        }
        Format::Qdpx => {
            let cbs: Vec<Codebook> = codebooks
                .into_values()
                .filter(|cb| args.question.as_ref().is_none_or(|q| *q == cb.question))
                .collect();
            let project = qdpx::build(ws.config(), &cbs, &all_answers()?)?;
            qdpx::write(out, &project)?;
            let s = &project.summary;
            done(
                s.sources,
                format!(
                    "a REFI-QDA project ({} sources, {} cases, {} human and {} machine codings)",
                    s.sources, s.cases, s.human_codings, s.machine_codings
                ),
            );
            if !s.unknown_codes.is_empty() && !g.quiet {
                let list: Vec<&str> = s.unknown_codes.iter().map(String::as_str).collect();
                eprintln!(
                    "note: codes without a codebook entry were left out: {}",
                    list.join(", ")
                );
            }
        }
    }
    Ok(())
}

fn load_codebooks(ws: &Workspace) -> anyhow::Result<BTreeMap<String, Codebook>> {
    let mut out = BTreeMap::new();
    for q in ws.config().coded_questions() {
        if let Some(cb) = codebook::load(ws, &q.id)? {
            out.insert(q.id.clone(), cb);
        }
    }
    Ok(out)
}

fn write_xlsx(path: &std::path::Path, sheet: &str, t: &Table) -> anyhow::Result<()> {
    let s = tabular::Sheet {
        name: sheet,
        headers: t.headers.clone(),
        rows: t.rows.clone(),
    };
    tabular::write_workbook(path, &[s])?;
    Ok(())
}

fn write_any(path: &std::path::Path, sheet: &str, t: &Table) -> anyhow::Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "xlsx" {
        return write_xlsx(path, sheet, t);
    }
    tabular::write_table(path, &t.header_refs(), &t.rows)?;
    Ok(())
}
