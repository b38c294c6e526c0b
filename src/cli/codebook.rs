//! `codifica codebook`: list, show and edit the questions' codebooks (the answers' codes follow
//! every rename and merge), and exchange them with other QDA tools as REFI-QDA `.qdc` files.
//! Every edit is one transaction of `app::codebook`, as on the web's Libro de códigos page.

mod add;
mod edit;
mod export;
mod list;
mod qdc;
mod report;
mod set;
mod show;

use clap::Subcommand;

use super::Global;

/// Options of `codifica codebook`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// List the coded questions, with their codebooks and code counts.
    List {
        /// Print the list as one JSON document ({"total", "questions": […]}).
        #[arg(long)]
        json: bool,
    },
    /// Show a question's codebook as a table (or JSON).
    Show {
        /// The question whose codebook this is (a coded question id of codifica.toml).
        #[arg(long, short = 'Q')]
        question: String,
        /// Print the codebook as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a code (its GUID is minted once, here).
    Add(add::AddArgs),
    /// Rename a code's id and/or label; answers coded with it (human and machine) follow.
    Rename(edit::RenameArgs),
    /// Merge code FROM into code INTO: answers coded FROM become coded INTO, FROM is removed.
    Merge(edit::MergeArgs),
    /// Set a code's description, parent and/or polarity (one edit).
    Set(set::SetArgs),
    /// Write a question's codebook as a REFI-QDA codebook (.qdc).
    Export(export::ExportArgs),
    /// Read a REFI-QDA codebook (.qdc, or a project's codebook) as a question's codebook. Codes
    /// the workspace knows (by GUID, then by a stated match, then by label, accent- and
    /// case-insensitive) keep their id, GUID, polarity and seeds. A codebook with one top-level
    /// category per question is split onto the questions whose names match.
    Import(qdc::ImportArgs),
}

/// Runs `codifica codebook`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = super::open_workspace(g)?;
    match args.command {
        Cmd::List { json } => list::list(&ws, json),
        Cmd::Show { question, json } => show::show(&ws, &question, json),
        Cmd::Add(a) => add::run(&ws, g, a),
        Cmd::Rename(a) => edit::rename(&ws, g, a),
        Cmd::Merge(a) => edit::merge(&ws, g, a),
        Cmd::Set(a) => set::set(&ws, g, a),
        Cmd::Export(a) => export::export(&ws, g, a),
        Cmd::Import(a) => qdc::import(&ws, g, a),
    }
}
