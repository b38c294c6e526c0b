//! `codifica flags`: the entities interviewed in a month that need priority attention, most
//! severe first, each with its reasons; and the entities that improved most.

use std::io::Write;

use anyhow::Context;
use codifica::month::Month;

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
    print_text(&report, args.month).or_else(super::trends::quiet_broken_pipe)
}

fn print_text(report: &codifica::trends::FlagReport, month: Month) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if report.interviewed == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "{}: {} interviewed, {} priority attention (most severe first).",
        month,
        super::plural(report.interviewed, "entity", "entities"),
        super::plural(report.flagged.len(), "needs", "need")
    )?;
    print_flagged(&mut out, report)?;
    print_improved(&mut out, report)
}

/// The flagged entities, most severe first, each with its reasons.
fn print_flagged(
    out: &mut impl Write,
    report: &codifica::trends::FlagReport,
) -> std::io::Result<()> {
    for (i, f) in report.flagged.iter().enumerate() {
        writeln!(
            out,
            "\n{}. {} {} — {}, {} (severity {:.2})",
            i + 1,
            f.entity_code,
            f.entity_name,
            f.department,
            f.region,
            f.severity
        )?;
        for line in f.reasons.iter().flat_map(|r| r.text_lines()) {
            writeln!(out, "   {line}")?;
        }
    }
    Ok(())
}

/// The entities that improved most, if any.
fn print_improved(
    out: &mut impl Write,
    report: &codifica::trends::FlagReport,
) -> std::io::Result<()> {
    if !report.improved.is_empty() {
        writeln!(out, "\nImproved most:")?;
        for m in &report.improved {
            writeln!(
                out,
                "  {} {} ({}): {}",
                m.entity_code, m.entity_name, m.region, m.message
            )?;
        }
    }
    Ok(())
}
