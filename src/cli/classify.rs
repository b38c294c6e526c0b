//! `codifica classify` (not yet implemented in this build).

use super::Global;

/// Options of `codifica classify`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica classify`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica classify` is not implemented yet")
}
