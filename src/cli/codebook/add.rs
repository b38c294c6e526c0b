//! `codifica codebook add`, and the report every edit prints.

use codifica::app::codebook::Edit;
use codifica::codebook::Polarity;
use codifica::codebook::edit::NewCode;
use codifica::workspace::Workspace;

use super::super::Global;
use super::report::{apply, report};

/// Options of `codebook add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The question whose codebook this is (a coded question id of codifica.toml).
    #[arg(long, short = 'Q')]
    question: String,
    /// Code id: a short slug (letters, digits, '_', '-', '.').
    id: String,
    /// Label shown to people (unique in the codebook).
    #[arg(long)]
    label: String,
    /// What the code means, for the coders (shown in `show` and exported to REFI-QDA).
    #[arg(long, default_value = "")]
    description: String,
    /// positive | neutral | negative.
    #[arg(long, default_value = "neutral")]
    polarity: Polarity,
    /// Id of the parent code.
    #[arg(long)]
    parent: Option<String>,
    /// Colour #RRGGBB (or #RGB).
    #[arg(long)]
    color: Option<String>,
    /// Seed term or phrase for `autocode` (repeat the option for several).
    #[arg(long = "seed")]
    seeds: Vec<String>,
    /// A grouping node, not used to code answers.
    #[arg(long)]
    category: bool,
}

/// Runs `codebook add`.
pub fn run(ws: &Workspace, g: &Global, a: AddArgs) -> anyhow::Result<()> {
    let id = a.id.clone();
    let new = NewCode {
        id: a.id,
        label: a.label,
        description: a.description,
        polarity: a.polarity,
        parent: a.parent,
        color: a.color,
        seeds: a.seeds,
        category: a.category,
    };
    let r = apply(ws, &a.question, Edit::Add(new))?;
    let guid = r.guid.clone().unwrap_or_default();
    report(g, &r, &format!("Added code '{id}' (GUID {guid})"));
    Ok(())
}
