//! `codifica serve` (not yet implemented in this build).

use super::Global;

/// Options of `codifica serve`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica serve`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica serve` is not implemented yet")
}
