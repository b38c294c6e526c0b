//! `codifica codebook rename | merge`.

use codifica::app::codebook::Edit;
use codifica::workspace::Workspace;

use super::super::Global;
use super::report::{apply, report};

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
