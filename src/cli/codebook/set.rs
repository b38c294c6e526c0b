//! `codifica codebook set`: a code's description, parent and/or polarity, in one edit.

use codifica::app::codebook::Edit;
use codifica::codebook::Polarity;
use codifica::codebook::edit::SetCode;
use codifica::workspace::Workspace;

use super::super::Global;
use super::report::{apply, report};

/// Options of `codebook set`.
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The question whose codebook this is (a coded question id of codifica.toml).
    #[arg(long, short = 'Q')]
    question: String,
    /// The code's id.
    code: String,
    /// What the code means, for the coders.
    #[arg(long)]
    description: Option<String>,
    /// Id of the new parent code ("" moves the code to the top level).
    #[arg(long)]
    parent: Option<String>,
    /// positive | neutral | negative.
    #[arg(long)]
    polarity: Option<Polarity>,
}

/// Runs `codebook set`.
pub fn set(ws: &Workspace, g: &Global, a: SetArgs) -> anyhow::Result<()> {
    let parent = a.parent.map(|p| Some(p).filter(|p| !p.trim().is_empty()));
    let set = SetCode {
        description: a.description,
        parent,
        polarity: a.polarity,
    };
    if set == SetCode::default() {
        anyhow::bail!("nothing to set: give --description, --parent and/or --polarity");
    }
    let what = format!("Updated code '{}'", a.code);
    let r = apply(ws, &a.question, Edit::Set { code: a.code, set })?;
    report(g, &r, &what);
    Ok(())
}
