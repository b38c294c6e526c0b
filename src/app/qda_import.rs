//! Use case: import a REFI-QDA project (`.qdpx`, `.qde`): its coded sources as answers with
//! human codes, its codebook merged into the questions' codebooks (docs/qda.md). The qda stage
//! plans (reads and matches, writes nothing); this job takes the lock and applies the plan.

use std::path::Path;

use crate::error::Result;
use crate::qda::import::{QdaMapping, apply, plan};
use crate::store::Store;
use crate::workspace::Workspace;

pub use crate::qda::import::{ProjectReport, is_project};

/// Imports the project at `path`, all or nothing; `mapping` is a TOML file naming its variables
/// (default: the ones codifica's own export writes). Takes the write lock unless `dry_run`.
pub fn import_project(
    ws: &Workspace,
    path: &Path,
    mapping: Option<&Path>,
    dry_run: bool,
) -> Result<ProjectReport> {
    let mapping = match mapping {
        Some(p) => QdaMapping::load(p)?,
        None => QdaMapping::default(),
    };
    let _lock = if dry_run { None } else { Some(ws.lock()?) };
    let store = Store::open(ws)?;
    let plan = plan(ws, &store, path, &mapping)?;
    if dry_run {
        let mut r = plan.report;
        r.dry_run = true;
        return Ok(r);
    }
    let report = apply(ws, &store, plan)?;
    super::team::record_each(ws, &report.coded)?;
    Ok(report)
}

/// The project import's summary as the command line prints it (English, one line each).
pub fn summary(r: &ProjectReport, quiet: bool) -> Vec<String> {
    let counts = format!(
        "added {}, replaced {}, unchanged {}",
        r.added, r.replaced, r.unchanged
    );
    let mut out = vec![if r.dry_run {
        format!("dry run, nothing written: would have {counts}")
    } else {
        counts
    }];
    if quiet {
        return out;
    }
    out.push(format!(
        "  {}: {} text sources, {} answers ({} from coded spans); {} human codings, {} machine codings",
        r.file.display(),
        r.sources,
        r.answers,
        r.span_answers,
        r.human_codings,
        r.machine_codings
    ));
    if !r.coders.is_empty() {
        out.push(format!(
            "  coders (kept in the attribute 'coder'): {}",
            r.coders.join(", ")
        ));
    }
    out.extend(r.codebooks.iter().flat_map(codebook_lines));
    out.extend(r.skipped.iter().take(20).map(|s| format!("  skipped: {s}")));
    if r.skipped.len() > 20 {
        out.push(format!("  … and {} more skipped", r.skipped.len() - 20));
    }
    out
}

fn codebook_lines(b: &crate::qda::import::CodebookReport) -> Vec<String> {
    let mut out = vec![format!(
        "  codebook {}: matched {} by GUID, {} by mapping, {} by label; new {}; existing codes not in the project (kept) {}",
        b.question,
        b.by_guid,
        b.by_mapping,
        b.by_label,
        b.new.len(),
        b.unmatched_existing_kept.len()
    )];
    if !b.new.is_empty() {
        out.push(format!("    new: {}", b.new.join(", ")));
    }
    out
}
