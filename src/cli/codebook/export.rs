//! `codifica codebook export`: a question's codebook as a REFI-QDA codebook (.qdc).

use std::path::PathBuf;

use codifica::app::export::export_codebook;
use codifica::workspace::Workspace;

use super::super::Global;

/// Options of `codebook export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The question whose codebook this is (a coded question id of codifica.toml).
    #[arg(long, short = 'Q')]
    question: String,
    /// Output format (only `qdc`).
    #[arg(long, default_value = "qdc", value_parser = ["qdc"])]
    format: String,
    /// The .qdc file to write.
    #[arg(long, short = 'o')]
    output: PathBuf,
}

/// Runs `codebook export`.
pub fn export(ws: &Workspace, g: &Global, a: ExportArgs) -> anyhow::Result<()> {
    let n = export_codebook(ws, &a.question, &a.output)?;
    if !g.quiet {
        let out = a.output.display();
        println!("Wrote {n} codes of {} to {out}", a.question);
    }
    Ok(())
}
