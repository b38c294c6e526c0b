//! `codifica evaluate` (not yet implemented in this build).

use super::Global;

/// Options of `codifica evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica evaluate`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica evaluate` is not implemented yet")
}
