//! `codifica import PROJECT.qdpx` (or `.qde`): a REFI-QDA project's coded sources as answers with
//! human codes, its codebook merged into the questions' codebooks (docs/qda.md). The job is
//! `codifica::app::qda_import`.

use std::path::Path;

use codifica::app::qda_import::{import_project, summary};
use codifica::workspace::Workspace;

use super::Global;

/// Runs the project import; `mapping` is a TOML file naming the variables (default: the ones
/// codifica's own export writes).
pub fn run(
    ws: &Workspace,
    file: &Path,
    mapping: Option<&Path>,
    dry_run: bool,
    json: bool,
    g: &Global,
) -> anyhow::Result<()> {
    let report = import_project(ws, file, mapping, dry_run)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        summary(&report, g.quiet)
            .iter()
            .for_each(|l| println!("{l}"));
    }
    Ok(())
}
