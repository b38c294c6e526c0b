//! `codifica review` (not yet implemented in this build).

use super::Global;

/// Options of `codifica review`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica review`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica review` is not implemented yet")
}
