//! `codifica agreement` (not yet implemented in this build).

use super::Global;

/// Options of `codifica agreement`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica agreement`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica agreement` is not implemented yet")
}
