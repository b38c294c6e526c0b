//! The command line: global options, one file per subcommand, and the mapping of errors to exit
//! codes. `anyhow` lives only here, at the edge; the library returns typed errors.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod agreement;
mod autocode;
mod autocode_print;
mod bar;
mod classify;
mod classify_file;
mod classify_month;
mod classify_print;
mod codebook;
mod demo;
mod demo_steps;
mod evaluate;
mod evaluate_print;
mod export;
mod flags;
mod flags_print;
mod import;
mod init;
mod learn;
mod output;
mod qda_import;
mod reindex;
mod report;
mod review;
mod sample;
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

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a workspace (codifica.toml, index, models, codebooks).
    Init(init::Args),
    /// Show what the workspace holds.
    Status(status::Args),
    /// Import a month of interviews (long CSV, or a wide CSV/XLSX through a mapping).
    Import(import::Args),
    /// Search answers by keyword (BM25, boolean, phrases, prefix, fuzzy) with filters.
    Search(search::Args),
    /// Train one classifier per coded question.
    Train(train::Args),
    /// Evaluate a classifier (k-fold cross-validation or a held-out file).
    Evaluate(evaluate::Args),
    /// Classify answers (a workspace month, or a file) with a trained model.
    Classify(classify::Args),
    /// List the answers the model was least sure of, to code them first.
    Review(review::Args),
    /// Agreement between two coders: percent, Cohen's kappa, Krippendorff's alpha.
    Agreement(agreement::Args),
    /// Per-entity series of ratings and codes across interviews.
    Trends(trends::Args),
    /// Entities needing priority attention in a month, with reasons.
    Flags(flags::Args),
    /// Write the month's report (HTML, XLSX, GeoJSON).
    Report(report::Args),
    /// Draw next month's interview sample, stratified by region.
    Sample(sample::Args),
    /// List, show and edit codebooks; import/export REFI-QDA codebooks.
    Codebook(codebook::Args),
    /// Code answers by the codebook's seed terms (a cold start before any training).
    Autocode(autocode::Args),
    /// Export coded answers (XLSX, CSV, code matrix, crosstabs, REFI-QDA project).
    Export(export::Args),
    /// Run the whole job on a built-in synthetic example.
    Demo(demo::Args),
    /// Group the answers no code captures well into candidate new themes.
    Themes(themes::Args),
    /// Start the local web app for analysts.
    Serve(serve::Args),
    /// Rebuild the search index from the stored answers under the current analyzer.
    Reindex(reindex::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell) on standard output.
    #[command(after_help = "Install, e.g.: codifica completions bash > \
        ~/.local/share/bash-completion/completions/codifica")]
    Completions {
        /// The shell: bash, zsh, fish, powershell (elvish too).
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff) on standard output: codifica's, or one subcommand's.
    #[command(
        after_help = "Install, e.g.: codifica manpage > ~/.local/share/man/man1/codifica.1; \
        codifica manpage review > ~/.local/share/man/man1/codifica-review.1"
    )]
    Manpage {
        /// A subcommand (e.g. `review`; `codebook` for the codebook subcommands' summary).
        command: Option<String>,
    },
}

/// The workspace folder from `--workspace` or `CODIFICA_WORKSPACE`. An empty value (an exported
/// but empty variable, as `CODIFICA_WORKSPACE=`) means the default, the current folder, rather
/// than clap's "a value is required for '--workspace'", which blames an option never typed.
fn workspace_path(s: &str) -> Result<PathBuf, std::convert::Infallible> {
    Ok(PathBuf::from(if s.is_empty() { "." } else { s }))
}

/// Whether the command line asks for JSON (`--json` before any `--`): errors are then printed as
/// JSON too, so a script reading the output gets one format.
fn wants_json(argv: &[OsString]) -> bool {
    argv.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// An error as the one JSON document `--json` promises: `{"error": "…", "exit_code": N}`.
fn json_error(message: &str, code: u8) -> String {
    serde_json::json!({ "error": message, "exit_code": code }).to_string()
}

/// Runs the command line and maps the outcome to an exit code: 0 success, 1 error the user can
/// act on (bad input, busy workspace, missing model…; the message goes to stderr), 2 usage error
/// (from clap), 3 internal failure (the search index failing; see `Error::is_user_error`). With
/// `--json`, errors of every kind are printed on stderr as one JSON object.
pub fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let json = wants_json(&argv);
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) if json && e.use_stderr() => {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or_default();
            eprintln!("{}", json_error(first.trim_start_matches("error: "), 2));
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    if !matches!(cli.command, Command::Serve(_)) {
        default_sigpipe();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = exit_code(&err);
            if json {
                eprintln!("{}", json_error(&render(&err), code));
            } else {
                eprintln!("error: {}", render(&err));
            }
            ExitCode::from(code)
        }
    }
}

/// 1 for an error the user can act on, 3 for an internal failure.
fn exit_code(err: &anyhow::Error) -> u8 {
    let internal = err.chain().any(|c| {
        c.downcast_ref::<codifica::Error>()
            .map(|e| !e.is_user_error())
            .or_else(|| {
                c.downcast_ref::<codifica::error::EngineError>()
                    .map(|e| !e.is_user_error())
            })
            .unwrap_or(false)
    });
    if internal { 3 } else { 1 }
}

/// Rust ignores SIGPIPE, so `println!` into a closed pipe (`codifica search x | head`) panics.
/// Command-line output gets the Unix default back: the process ends quietly, as `grep` does.
/// Not for `serve`, whose sockets must survive clients that hang up.
fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn render(err: &anyhow::Error) -> String {
    let mut out = err.to_string();
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(&format!(": {c}"));
        }
    }
    out
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Init(a) => init::run(a, g),
        Command::Reindex(a) => reindex::run(a, g),
        Command::Status(a) => status::run(a, g),
        Command::Import(a) => import::run(a, g),
        Command::Search(a) => search::run(a, g),
        Command::Train(a) => train::run(a, g),
        Command::Evaluate(a) => evaluate::run(a, g),
        Command::Classify(a) => classify::run(a, g),
        Command::Review(a) => review::run(a, g),
        Command::Agreement(a) => agreement::run(a, g),
        Command::Trends(a) => trends::run(a, g),
        Command::Flags(a) => flags::run(a, g),
        Command::Report(a) => report::run(a, g),
        Command::Sample(a) => sample::run(a, g),
        Command::Codebook(a) => codebook::run(a, g),
        Command::Autocode(a) => autocode::run(a, g),
        Command::Export(a) => export::run(a, g),
        Command::Demo(a) => demo::run(a, g),
        Command::Themes(a) => themes::run(a, g),
        Command::Serve(a) => serve::run(a, g),
        Command::Completions { shell } => completions(shell),
        Command::Manpage { command } => manpage(command.as_deref()),
    }
}

/// `codifica completions SHELL`: the shell's completion script on stdout.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "codifica", &mut std::io::stdout());
    Ok(())
}

/// `codifica manpage [COMMAND]`: the page of codifica, or of one subcommand as `codifica-NAME`.
fn manpage(command: Option<&str>) -> anyhow::Result<()> {
    let mut cli = Cli::command();
    // Builds the tree so each subcommand's page lists the global options too.
    cli.build();
    let man = match command {
        None => clap_mangen::Man::new(cli),
        Some(name) => {
            let Some(sub) = cli.find_subcommand(name) else {
                let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                anyhow::bail!("no subcommand '{name}': codifica has {}", names.join(", "));
            };
            let title = format!("codifica-{name}");
            let sub = sub
                .clone()
                .display_name(title.clone())
                .bin_name(format!("codifica {name}"));
            clap_mangen::Man::new(sub)
                .title(title)
                .source(format!("codifica {}", env!("CARGO_PKG_VERSION")))
        }
    };
    let mut out = std::io::stdout().lock();
    man.render(&mut out)?;
    Ok(())
}

/// Opens the workspace named by the global options.
pub fn open_workspace(g: &Global) -> anyhow::Result<codifica::workspace::Workspace> {
    Ok(codifica::workspace::Workspace::open(&g.workspace)?)
}
