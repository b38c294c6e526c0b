//! `codifica autocode` (not yet implemented in this build).

use super::Global;

/// Options of `codifica autocode`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `codifica autocode`.
pub fn run(_args: Args, _g: &Global) -> anyhow::Result<()> {
    anyhow::bail!("`codifica autocode` is not implemented yet")
}
