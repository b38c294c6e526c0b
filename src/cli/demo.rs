//! `codifica demo`: the main job on the built-in synthetic example, with no set-up.
//!
//! Builds a workspace (a fresh folder under the system's temporary directory unless `--dir` is
//! given), imports five months of synthetic Monitoreo 360 interviews, shows searches, trains on
//! the coded months (July–October), evaluates, classifies November, shows the review queue's
//! head, flags the entities needing priority attention and writes November's report.

use std::path::{Path, PathBuf};

use anyhow::Context;
use codifica::app::import::{ImportOptions, import};
use codifica::config::Config;
use codifica::demo::{DEFAULT_SEED, DemoData, SYNTHETIC_NOTICE};
use codifica::search::{SearchRequest, search};
use codifica::store::Store;
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
    let ws = Workspace::init(&dir, Config::monitoreo360_text(), false)?;
    codifica::codebook::install_defaults(&ws)?;
    let data_path = write_data(&ws, args.seed)?;
    step_import(&ws, &data_path)?;
    step_search(&ws)?;
    super::demo_steps::after_search(&ws)?;
    let (me, ws) = (command_name(), shell_word(&dir.display().to_string()));
    println!("\nEverything above lives in {}: try", dir.display());
    println!("  {me} -w {ws} search 'conectividad OR internet' --count-by region");
    println!("  {me} -w {ws} serve");
    Ok(())
}

/// How to type this binary in the closing hint so that the hint runs as printed: `codifica` when
/// that name on the PATH is this very binary (after `cargo install`), else this binary's full
/// path (`cargo run --release` leaves it in target/release/, which is not on the PATH).
fn command_name() -> String {
    let me = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("codifica"))
            .find(|p| p.is_file())
            .and_then(|p| p.canonicalize().ok())
    });
    match me {
        Some(me) if on_path.as_ref() != Some(&me) => shell_word(&me.display().to_string()),
        _ => "codifica".to_string(),
    }
}

/// `s` as one shell word: unchanged when it holds only safe characters, else single-quoted.
fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn demo_dir(dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match dir {
        Some(d) => Ok(d),
        None => {
            let t = tempfile::Builder::new()
                .prefix("codifica-demo-")
                .tempdir()
                .context("creating a temporary folder")?;
            Ok(t.keep())
        }
    }
}

fn write_data(ws: &Workspace, seed: u64) -> anyhow::Result<PathBuf> {
    let data = DemoData::generate(seed);
    let path = ws.root().join("demo-datos-sinteticos.csv");
    codifica::fsutil::atomic_write(&path, data.to_csv().as_bytes())?;
    Ok(path)
}

fn heading(title: &str) {
    println!("\n== {title}");
}

fn step_import(ws: &Workspace, path: &Path) -> anyhow::Result<()> {
    heading("Import");
    let report = import(ws, path, &ImportOptions::default())?;
    println!(
        "{}: {} answers in {} months (added {}, replaced {}, unchanged {})",
        path.file_name().unwrap_or_default().to_string_lossy(),
        report.answers,
        report.months.len(),
        report.added,
        report.replaced,
        report.unchanged
    );
    Ok(())
}

fn step_search(ws: &Workspace) -> anyhow::Result<()> {
    heading("Search");
    let store = Store::open(ws)?;
    let queries = [
        "conectividad OR internet",
        "planeacion",
        "\"seguimiento al PDT\"",
        "capacita*",
        "articulacion NOT dependencias",
        "rotacion~1",
    ];
    for q in queries {
        let mut req = SearchRequest::new(q);
        req.limit = 2;
        let res = search(&store, &ws.config().analyzer, &req)?;
        println!("\n  search {q:?}: {} answers", res.total);
        for hit in &res.hits {
            println!(
                "    {:.2}  {} {} [{}]  {}",
                hit.score,
                hit.month,
                hit.entity_name,
                hit.question,
                hit.snippet.marked("«", "»")
            );
        }
    }
    Ok(())
}
