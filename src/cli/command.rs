//! The subcommands and the dispatch from one to its `run`.

use clap::Subcommand;

use super::{
    Global, agreement, autocode, classify, codebook, demo, evaluate, export, flags, import, init,
    manual, reindex, report, review, sample, search, serve, status, themes, train, trends,
};

/// The subcommands of `codifica`, in the order `--help` lists them.
#[derive(Debug, Subcommand)]
pub enum Command {
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

/// Runs one subcommand with the global options.
pub fn run(command: Command, g: &Global) -> anyhow::Result<()> {
    match command {
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
        Command::Completions { shell } => manual::completions(shell),
        Command::Manpage { command } => manual::manpage(command.as_deref()),
    }
}
