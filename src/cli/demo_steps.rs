//! The later steps of `codifica demo` (training, classification, flags, report).

use codifica::workspace::Workspace;

/// Runs the demo's steps after the searches.
pub fn after_search(_ws: &Workspace) -> anyhow::Result<()> {
    Ok(())
}
