//! The text `codifica flags` prints: the flagged entities with their reasons, then the entities
//! that improved most.

use std::io::Write;

use codifica::month::Month;
use codifica::trends::FlagReport;

use super::output::plural;

/// The month's summary line, the flagged entities and the improved ones.
pub fn print_text(report: &FlagReport, month: Month) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if report.interviewed == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "{}: {} interviewed, {} priority attention (most severe first).",
        month,
        plural(report.interviewed, "entity", "entities"),
        plural(report.flagged.len(), "needs", "need")
    )?;
    print_flagged(&mut out, report)?;
    print_improved(&mut out, report)
}

/// The flagged entities, most severe first, each with its reasons.
fn print_flagged(out: &mut impl Write, report: &FlagReport) -> std::io::Result<()> {
    for (i, f) in report.flagged.iter().enumerate() {
        let (code, name, dept, region) = (&f.entity_code, &f.entity_name, &f.department, &f.region);
        let n = i + 1;
        writeln!(
            out,
            "\n{n}. {code} {name} — {dept}, {region} (severity {:.2})",
            f.severity
        )?;
        for line in f.reasons.iter().flat_map(|r| r.text_lines()) {
            writeln!(out, "   {line}")?;
        }
    }
    Ok(())
}

/// The entities that improved most, if any.
fn print_improved(out: &mut impl Write, report: &FlagReport) -> std::io::Result<()> {
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
