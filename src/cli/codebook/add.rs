//! `codifica codebook add`, and the report every edit prints.

use codifica::app::codebook::{self, Edit, EditReport};
use codifica::codebook::Polarity;
use codifica::codebook::edit::NewCode;
use codifica::workspace::Workspace;

use super::super::Global;

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

/// Applies one edit through `app::codebook`.
pub fn apply(ws: &Workspace, question: &str, e: Edit) -> anyhow::Result<EditReport> {
    let store = codifica::store::Store::open(ws)?;
    Ok(codebook::apply(ws, &store, question, e)?)
}

/// What an edit did, and a reminder to retrain when answers' code ids changed.
pub fn report(g: &Global, r: &EditReport, what: &str) {
    if g.quiet {
        return;
    }
    match r.recoded {
        false => println!("{what}"),
        true => println!(
            "{what}; {} answers re-coded (human and machine codes)",
            r.answers_changed
        ),
    }
    println!("  codebook: {}", r.path.display());
    if r.recoded && r.models_exist {
        println!(
            "  note: trained models still predict the old code ids; run `codifica train` again"
        );
    }
}
