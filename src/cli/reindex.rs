//! `codifica reindex`: rebuild the search index from the answers stored in it, under the
//! workspace's current analyzer (after an upgrade of codifica, or a change of `[analyzer]`).

use codifica::store::{ReindexReport, Store};
use codifica::workspace::Workspace;

use super::Global;

/// Options of `codifica reindex`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `codifica reindex`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = Workspace::open(&g.workspace)?;
    let _lock = ws.lock()?;
    let report = Store::reindex(&ws)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if !g.quiet {
        print_text(&report);
    }
    Ok(())
}

fn print_text(report: &ReindexReport) {
    let (answers, now) = (report.answers, &report.now);
    let Some(old) = &report.built_with else {
        println!("Rebuilt the index: {answers} answers, analyzer {now} (unchanged)");
        return;
    };
    println!("Rebuilt the index: {answers} answers, analyzer {old} -> {now}");
    println!("  models trained under the old analyzer are refused: run codifica train");
}
