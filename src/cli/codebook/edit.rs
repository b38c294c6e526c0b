//! `codifica codebook rename | merge | set`.

use codifica::app::codebook::Edit;
use codifica::codebook::Polarity;
use codifica::codebook::edit::SetCode;
use codifica::workspace::Workspace;

use super::super::Global;
use super::add::{apply, report};

/// Options of `codebook rename`.
#[derive(Debug, clap::Args)]
pub struct RenameArgs {
    /// The question whose codebook this is (a coded question id of codifica.toml).
    #[arg(long, short = 'Q')]
    question: String,
    /// The code's current id.
    code: String,
    /// New id.
    #[arg(long = "id")]
    new_id: Option<String>,
    /// New label.
    #[arg(long = "label")]
    new_label: Option<String>,
}

/// Options of `codebook merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The question whose codebook this is (a coded question id of codifica.toml).
    #[arg(long, short = 'Q')]
    question: String,
    /// The code to remove (its answers move to INTO).
    from: String,
    /// The code that stays.
    into: String,
}

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

/// Runs `codebook rename`.
pub fn rename(ws: &Workspace, g: &Global, a: RenameArgs) -> anyhow::Result<()> {
    let target = a.new_id.clone().unwrap_or_else(|| a.code.clone());
    let what = format!("Renamed '{}' → '{target}'", a.code);
    let (code, new_id, new_label) = (a.code, a.new_id, a.new_label);
    let r = apply(
        ws,
        &a.question,
        Edit::Rename {
            code,
            new_id,
            new_label,
        },
    )?;
    report(g, &r, &what);
    Ok(())
}

/// Runs `codebook merge`.
pub fn merge(ws: &Workspace, g: &Global, a: MergeArgs) -> anyhow::Result<()> {
    let what = format!("Merged '{}' into '{}'", a.from, a.into);
    let r = apply(
        ws,
        &a.question,
        Edit::Merge {
            from: a.from,
            into: a.into,
        },
    )?;
    report(g, &r, &what);
    Ok(())
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
