//! `codifica flags` (not yet implemented in this build).

use super::Global;

/// Options of `codifica flags`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica flags`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica flags` is not implemented yet")
}
