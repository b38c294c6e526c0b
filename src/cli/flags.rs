//! `codifica flags`: the entities interviewed in a month that need priority attention, most
//! severe first, each with its reasons; and the entities that improved most.

use std::io::Write;

use anyhow::Context;
use codifica::month::Month;

use super::flags_print::print_text;
use super::output::quiet_broken_pipe;
use super::{Global, open_workspace};

/// Options of `codifica flags`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The month, YYYY-MM.
    #[arg(long, value_parser = Month::parse_arg)]
    month: Month,
    /// Print JSON: {month, interviewed, flagged: [...], improved: [...]}.
    #[arg(long)]
    json: bool,
}

/// Runs `codifica flags`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let report = codifica::app::flags::flags(&open_workspace(g)?, args.month)?;
    if report.interviewed == 0 && !g.quiet {
        eprintln!("note: no interviews in {} in this workspace", args.month);
    }
    if args.json {
        let text = serde_json::to_string_pretty(&report).context("serialising the flags")?;
        writeln!(std::io::stdout().lock(), "{text}")?;
        return Ok(());
    }
    print_text(&report, args.month).or_else(quiet_broken_pipe)
}
