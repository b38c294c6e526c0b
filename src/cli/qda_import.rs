//! `codifica import PROJECT.qdpx` (or `.qde`): a REFI-QDA project's coded sources as answers with
//! human codes, its codebook merged into the questions' codebooks (docs/qda.md).

use std::path::Path;

use codifica::qda::import::{self, ProjectReport, QdaMapping};
use codifica::workspace::Workspace;

use super::Global;

/// Runs the project import; `mapping` is a TOML file naming the variables (default: the ones
/// codifica's own export writes).
pub fn run(
    ws: &Workspace,
    file: &Path,
    mapping: Option<&Path>,
    dry_run: bool,
    json: bool,
    g: &Global,
) -> anyhow::Result<()> {
    let mapping = match mapping {
        Some(p) => QdaMapping::load(p)?,
        None => QdaMapping::default(),
    };
    let report = import::import_project(ws, file, &mapping, dry_run)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report, g.quiet);
    }
    Ok(())
}

fn print_summary(r: &ProjectReport, quiet: bool) {
    let counts = format!(
        "added {}, replaced {}, unchanged {}",
        r.added, r.replaced, r.unchanged
    );
    if r.dry_run {
        println!("dry run, nothing written: would have {counts}");
    } else {
        println!("{counts}");
    }
    if quiet {
        return;
    }
    println!(
        "  {}: {} text sources, {} answers ({} from coded spans); {} human codings, {} machine codings",
        r.file.display(),
        r.sources,
        r.answers,
        r.span_answers,
        r.human_codings,
        r.machine_codings
    );
    if !r.coders.is_empty() {
        println!(
            "  coders (kept in the attribute 'coder'): {}",
            r.coders.join(", ")
        );
    }
    for b in &r.codebooks {
        println!(
            "  codebook {}: matched {} by GUID, {} by mapping, {} by label; new {}; existing codes not in the project (kept) {}",
            b.question,
            b.by_guid,
            b.by_mapping,
            b.by_label,
            b.new.len(),
            b.unmatched_existing_kept.len()
        );
        if !b.new.is_empty() {
            println!("    new: {}", b.new.join(", "));
        }
    }
    for s in r.skipped.iter().take(20) {
        println!("  skipped: {s}");
    }
    if r.skipped.len() > 20 {
        println!("  … and {} more skipped", r.skipped.len() - 20);
    }
}
