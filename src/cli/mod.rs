//! The command line: global options, one file per subcommand, and the mapping of errors to exit
//! codes. `anyhow` lives only here, at the edge; the library returns typed errors.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use command::Command;

mod agreement;
mod autocode;
mod autocode_print;
mod bar;
mod classify;
mod classify_file;
mod classify_month;
mod classify_print;
mod codebook;
mod command;
mod demo;
mod demo_hint;
mod demo_steps;
mod evaluate;
mod evaluate_print;
mod examples;
mod exit;
mod export;
mod flags;
mod flags_print;
mod import;
mod init;
mod learn;
mod manual;
mod output;
mod qda_import;
mod reindex;
mod report;
mod review;
mod sample;
mod sample_print;
mod search;
mod search_filters;
mod search_print;
mod search_query;
mod serve;
mod status;
mod themes;
mod train;
mod train_print;
mod trends;
mod trends_print;

/// Options shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Workspace folder (holds codifica.toml, the index, models and codebooks).
    #[arg(
        long,
        short = 'w',
        global = true,
        env = "CODIFICA_WORKSPACE",
        default_value = ".",
        value_parser = workspace_path
    )]
    pub workspace: PathBuf,
    /// Print only results and errors (no progress bars or notes).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Who is coding: stamped on every human code a command writes (default: $CODIFICA_CODER,
    /// else the OS user name, else "desconocido").
    #[arg(long, global = true, value_name = "NAME")]
    pub coder: Option<String>,
}

/// codifica: qualitative coding of Spanish interview answers (Monitoreo 360, DNP).
#[derive(Debug, Parser)]
#[command(name = "codifica", version, about, long_about = None, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// The workspace folder from `--workspace` or `CODIFICA_WORKSPACE`. An empty value (an exported
/// but empty variable, as `CODIFICA_WORKSPACE=`) means the default, the current folder, rather
/// than clap's "a value is required for '--workspace'", which blames an option never typed.
fn workspace_path(s: &str) -> Result<PathBuf, std::convert::Infallible> {
    Ok(PathBuf::from(if s.is_empty() { "." } else { s }))
}

/// Runs the command line and maps the outcome to an exit code (see [`exit`]).
pub fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let json = exit::wants_json(&argv);
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => return exit::usage(e, json),
    };
    if !matches!(cli.command, Command::Serve(_)) {
        exit::default_sigpipe();
    }
    exit::outcome(run(cli), json)
}

/// Runs the subcommand of a parsed command line.
fn run(cli: Cli) -> anyhow::Result<()> {
    command::run(cli.command, &cli.global)
}

/// Opens the workspace named by the global options.
pub fn open_workspace(g: &Global) -> anyhow::Result<codifica::workspace::Workspace> {
    Ok(codifica::workspace::Workspace::open(&g.workspace)?)
}
