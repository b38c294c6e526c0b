//! `codifica export`: flags into an [`ExportRequest`], the report printed. The work is
//! [`codifica::app::export`].

use std::path::PathBuf;

use codifica::app::export::{ExportBy, ExportCodes, ExportFormat, ExportRequest, export};
use codifica::month::Month;

use super::Global;

/// Options of `codifica export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to write: csv or xlsx (one row per answer), matrix, crosstab, qdpx (`--help` says more).
    #[arg(long, short = 'f', value_enum)]
    format: ExportFormat,
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
    by: Option<ExportBy>,
    /// Which codes a matrix or crosstab counts (effective: human where present, else machine).
    #[arg(long, value_enum, default_value = "effective")]
    codes: ExportCodes,
    /// Print what was written as one JSON document ({"format", "output", "total", "what"}).
    #[arg(long)]
    json: bool,
}

/// Runs `codifica export`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = super::open_workspace(g)?;
    let json = args.json;
    let r = export(&ws, &args.into())?;
    if json {
        println!("{:#}", serde_json::to_value(&r)?);
    } else if !g.quiet {
        println!("Wrote {} to {}", r.what, r.output.display());
    }
    if !r.unknown_codes.is_empty() && !g.quiet {
        let codes = r.unknown_codes.join(", ");
        eprintln!("note: codes without a codebook entry were left out: {codes}");
    }
    Ok(())
}

impl From<Args> for ExportRequest {
    fn from(a: Args) -> ExportRequest {
        let (format, output, month, question) = (a.format, a.output, a.month, a.question);
        let (by, codes) = (a.by, a.codes);
        ExportRequest {
            format,
            output,
            month,
            question,
            by,
            codes,
        }
    }
}
