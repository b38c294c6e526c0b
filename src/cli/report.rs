//! `codifica report` (not yet implemented in this build).

use super::Global;

/// Options of `codifica report`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica report`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica report` is not implemented yet")
}
