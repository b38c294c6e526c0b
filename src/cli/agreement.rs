//! `codifica agreement FILE --coder-a COL --coder-b COL`: agreement between two coders (two
//! humans, or a human and the model's `code` column): percent agreement, Cohen's kappa and
//! Krippendorff's alpha (nominal), overall and per code. Codes in a cell are `;`-separated;
//! rows where either coder left the cell empty are skipped (and counted).

use std::path::PathBuf;

use super::Global;
use codifica::ingest::table::read_table;
use codifica::model::agreement::{AgreementStats, agreement};
use codifica::model::examples::{RowFilter, filtered_rows, split_codes};

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
    format!(
        "{name:w$}  {:>5}  {:>7.1}%  {:>6.3}  {:>6.3}",
        s.units,
        100.0 * s.percent,
        s.kappa,
        s.alpha
    )
}

/// Runs `codifica agreement`.
pub fn run(args: Args, _g: &Global) -> anyhow::Result<()> {
    let table = read_table(&args.file)?;
    let ca = table.column(&args.coder_a)?;
    let cb = table.column(&args.coder_b)?;
    let rows = filtered_rows(&table, &args.filters)?;
    let a: Vec<Vec<String>> = rows
        .iter()
        .map(|&i| split_codes(table.rows[i].get(ca)))
        .collect();
    let b: Vec<Vec<String>> = rows
        .iter()
        .map(|&i| split_codes(table.rows[i].get(cb)))
        .collect();
    let r = agreement(&a, &b);
    if r.overall.units == 0 {
        anyhow::bail!(
            "{}: no row has codes in both {} and {}",
            args.file.display(),
            args.coder_a,
            args.coder_b
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    let w = r
        .per_code
        .iter()
        .map(|(c, _)| c.chars().count())
        .max()
        .unwrap_or(7)
        .clamp(7, 40);
    println!("{:w$}  units  agreement   kappa   alpha", "code");
    println!("{}", line("(overall)", &r.overall, w));
    for (c, s) in &r.per_code {
        println!("{}", line(c, s, w));
    }
    if r.skipped > 0 {
        eprintln!("note: {} rows skipped (a coder left them empty)", r.skipped);
    }
    Ok(())
}
