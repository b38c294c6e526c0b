//! `codifica search` (not yet implemented in this build).

use super::Global;

/// Options of `codifica search`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica search`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica search` is not implemented yet")
}
