//! `codifica codebook` (not yet implemented in this build).

use super::Global;

/// Options of `codifica codebook`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica codebook`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica codebook` is not implemented yet")
}
