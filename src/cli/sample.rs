//! `codifica sample` (not yet implemented in this build).

use super::Global;

/// Options of `codifica sample`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica sample`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica sample` is not implemented yet")
}
