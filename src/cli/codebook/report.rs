//! What every `codifica codebook` edit does and prints.

use codifica::app::codebook::{self, Edit, EditReport};
use codifica::workspace::Workspace;

use super::super::Global;

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
