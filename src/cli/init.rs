//! `codifica init`: create a workspace with the Monitoreo 360 config (or a given one).

use std::path::PathBuf;

use anyhow::Context;
use codifica::config::Config;
use codifica::workspace::Workspace;

use super::Global;

/// Options of `codifica init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Start from this codifica.toml instead of the Monitoreo 360 default.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Overwrite an existing codifica.toml (answers, models and codebooks are kept).
    #[arg(long)]
    force: bool,
}

/// Runs `codifica init`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let text = config_text(&args)?;
    // `--force` on an existing workspace rewrites its config and codebooks: hold the write lock
    // so a running import or web save never sees them change under it. (A folder whose config
    // does not open has no other writer to wait for.)
    let _lock = match Workspace::open(&g.workspace) {
        Ok(existing) if args.force => Some(existing.lock()?),
        _ => None,
    };
    let ws = Workspace::init(&g.workspace, &text, args.force)?;
    install_codebooks(&ws)?;
    if !g.quiet {
        print_created(&ws);
    }
    Ok(())
}

/// The text of `--config`, or Monitoreo 360's built-in config.
fn config_text(args: &Args) -> anyhow::Result<String> {
    let Some(p) = &args.config else {
        return Ok(Config::monitoreo360_text().to_string());
    };
    std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
}

/// What was created, and the next step.
fn print_created(ws: &Workspace) {
    let c = ws.config();
    println!(
        "Created workspace {} for \"{}\"",
        ws.root().display(),
        c.survey
    );
    println!("  config:    {}", ws.config_path().display());
    println!("  questions: {}", c.questions.len());
    println!("  next:      codifica import FILE   (see README: input formats)");
}

/// Copies the default codebooks into the workspace (without overwriting edited ones).
fn install_codebooks(ws: &Workspace) -> anyhow::Result<()> {
    codifica::codebook::install_defaults(ws)?;
    Ok(())
}
