//! `codifica agreement FILE --coder-a COL --coder-b COL`: agreement between two coders (two
//! humans, or a human and the model's `code` column): percent agreement, Cohen's kappa and
//! Krippendorff's alpha (nominal), overall and per code (`app::agreement`). Codes in a cell are
//! `;`-separated; rows where either coder left the cell empty are skipped (and counted).

use std::path::PathBuf;

use super::Global;
use codifica::app::agreement::{FileRequest, from_file};
use codifica::model::agreement::{AgreementReport, AgreementStats};
use codifica::model::examples::RowFilter;

/// Options of `codifica agreement`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// CSV/XLSX with one row per answer and one column per coder.
    pub file: PathBuf,
    /// Column of the first coder.
    #[arg(long, value_name = "COL")]
    pub coder_a: String,
    /// Column of the second coder.
    #[arg(long, value_name = "COL")]
    pub coder_b: String,
    /// Keep only rows where COL=VAL (or COL!=VAL); repeatable.
    #[arg(long = "where", value_name = "COL=VAL")]
    pub filters: Vec<RowFilter>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

fn line(name: &str, s: &AgreementStats, w: usize) -> String {
    let (n, pct, k, a) = (s.units, 100.0 * s.percent, s.kappa, s.alpha);
    format!("{name:w$}  {n:>5}  {pct:>7.1}%  {k:>6.3}  {a:>6.3}")
}

/// Runs `codifica agreement`.
pub fn run(args: Args, _g: &Global) -> anyhow::Result<()> {
    let r = from_file(&FileRequest {
        file: args.file,
        coder_a: args.coder_a,
        coder_b: args.coder_b,
        filters: args.filters,
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print_table(&r);
    }
    Ok(())
}

/// Overall then per code, and a note on skipped rows.
fn print_table(r: &AgreementReport) {
    let widest = r.per_code.iter().map(|(c, _)| c.chars().count()).max();
    let w = widest.unwrap_or(7).clamp(7, 40);
    println!("{:w$}  units  agreement   kappa   alpha", "code");
    println!("{}", line("(overall)", &r.overall, w));
    for (c, s) in &r.per_code {
        println!("{}", line(c, s, w));
    }
    if r.skipped > 0 {
        eprintln!("note: {} rows skipped (a coder left them empty)", r.skipped);
    }
}
