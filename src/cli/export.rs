//! `codifica export` (not yet implemented in this build).

use super::Global;

/// Options of `codifica export`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica export`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica export` is not implemented yet")
}
