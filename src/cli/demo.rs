//! `codifica demo` (not yet implemented in this build).

use super::Global;

/// Options of `codifica demo`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica demo`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica demo` is not implemented yet")
}
