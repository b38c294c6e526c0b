//! `codifica demo`: the main job on the built-in synthetic example, with no set-up.
//!
//! Builds a workspace (a fresh folder under the system's temporary directory unless `--dir` is
//! given), imports five months of synthetic Monitoreo 360 interviews, shows searches, trains on
//! the coded months (July–October), evaluates, classifies November, shows the review queue's
//! head, flags the entities needing priority attention and writes November's report.

use std::path::{Path, PathBuf};

use anyhow::Context;
use codifica::app::demo;
use codifica::app::import::{ImportOptions, import};
use codifica::demo::{DEFAULT_SEED, SYNTHETIC_NOTICE};
use codifica::workspace::Workspace;

use super::Global;

/// Options of `codifica demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Build the demo workspace here (must not already be a workspace) instead of a new
    /// temporary folder.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// Runs `codifica demo`.
pub fn run(args: Args, _g: &Global) -> anyhow::Result<()> {
    let dir = demo_dir(args.dir)?;
    println!("codifica demo — {SYNTHETIC_NOTICE}");
    println!("Workspace: {}\n", dir.display());
    let (ws, data_path) = demo::create(&dir, args.seed)?;
    step_import(&ws, &data_path)?;
    step_search(&ws)?;
    super::demo_steps::after_search(&ws)?;
    super::demo_hint::print(&dir);
    Ok(())
}

/// `--dir`, or a new folder under the system's temporary directory, kept after the run.
fn demo_dir(dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(d) = dir {
        return Ok(d);
    }
    let t = tempfile::Builder::new()
        .prefix("codifica-demo-")
        .tempdir()
        .context("creating a temporary folder")?;
    Ok(t.keep())
}

fn step_import(ws: &Workspace, path: &Path) -> anyhow::Result<()> {
    println!("\n== Import");
    let r = import(ws, path, &ImportOptions::default())?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let (added, replaced, unchanged) = (r.added, r.replaced, r.unchanged);
    let months = r.months.len();
    println!(
        "{name}: {} answers in {months} months (added {added}, replaced {replaced}, unchanged {unchanged})",
        r.answers
    );
    Ok(())
}

fn step_search(ws: &Workspace) -> anyhow::Result<()> {
    println!("\n== Search");
    for (q, res) in demo::searches(ws, 2)? {
        println!("\n  search {q:?}: {} answers", res.total);
        for h in &res.hits {
            let snippet = h.snippet.marked("«", "»");
            let (score, month, name, question) = (h.score, h.month, &h.entity_name, &h.question);
            println!("    {score:.2}  {month} {name} [{question}]  {snippet}");
        }
    }
    Ok(())
}
