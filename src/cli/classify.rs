//! `codifica classify`: batch-classify answers with trained models.
//!
//! Workspace mode: `--month YYYY-MM [--question Q]` classifies the month's answers to coded
//! questions and stores the machine codes beside (never over) the human codes; `--output FILE`
//! also writes them out. File mode: `--input FILE --text-column C [--question-column C]
//! [--id-column C] --output FILE` (`.csv`, `.jsonl`, `.xlsx`). The use case is
//! [`codifica::app::classify`]; this file turns flags into its requests and prints the counts.

use super::{Global, classify_file, classify_month};
use std::path::PathBuf;

use anyhow::bail;

use codifica::model::examples::RowFilter;

/// Options of `codifica classify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Month to classify in the workspace (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Only this question.
    #[arg(long, value_name = "Q")]
    pub question: Option<String>,
    /// Model file (default: every model in the workspace's models/ folder).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// A CSV/XLSX of answers to classify (file mode).
    #[arg(long, value_name = "FILE", conflicts_with = "month")]
    pub input: Option<PathBuf>,
    /// Column with the answer text (file mode).
    #[arg(long, value_name = "C", default_value = "text")]
    pub text_column: String,
    /// Column naming each row's question (file mode).
    #[arg(long, value_name = "C")]
    pub question_column: Option<String>,
    /// Column with a row id (file mode; default: the row number).
    #[arg(long, value_name = "C")]
    pub id_column: Option<String>,
    /// Keep only rows where COL=VAL (or COL!=VAL); repeatable (file mode).
    #[arg(long = "where", value_name = "COL=VAL")]
    pub filters: Vec<RowFilter>,
    /// Where to write the classified rows (.csv, .jsonl or .xlsx).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Accept machine codes without review where the confidence reaches the threshold that
    /// kept this accuracy on the model's validation (e.g. 0.9); the rest wait in the review
    /// queue. Default: `accept_at` in codifica.toml, else nothing is accepted. Single-label
    /// questions only; an answer an analyst coded is never accepted over.
    #[arg(long, value_name = "P")]
    pub accept_at: Option<f64>,
}

/// Runs `codifica classify`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    match (&args.input, &args.month) {
        (Some(_), _) => classify_file::run_file(&args, g),
        (None, Some(m)) => classify_month::run_workspace(&args, m, g),
        (None, None) => bail!("pass --month YYYY-MM (workspace) or --input FILE --output FILE"),
    }
}
