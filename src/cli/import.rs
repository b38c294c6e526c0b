//! `codifica import` (not yet implemented in this build).

use super::Global;

/// Options of `codifica import`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica import`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica import` is not implemented yet")
}
