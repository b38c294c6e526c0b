//! `codifica train` (not yet implemented in this build).

use super::Global;

/// Options of `codifica train`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica train`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica train` is not implemented yet")
}
