//! `codifica trends` (not yet implemented in this build).

use super::Global;

/// Options of `codifica trends`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica trends`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica trends` is not implemented yet")
}
