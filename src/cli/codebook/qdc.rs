//! `codifica codebook import`: a REFI-QDA codebook (.qdc) into the questions' codebooks.

use std::path::PathBuf;

use codifica::app::codebook::{ImportRequest, ImportedPart, import_qdc};
use codifica::workspace::Workspace;

use super::super::Global;

/// Options of `codebook import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The REFI-QDA codebook (.qdc) to read.
    file: PathBuf,
    /// The question (default: the file name, if it is a question id); or, repeated,
    /// CATEGORY=QUESTION for a codebook split by category.
    #[arg(long, short = 'Q')]
    question: Vec<String>,
    /// A stated match LABEL=ID: the file's code LABEL is the workspace's code ID (repeat).
    #[arg(long = "map", value_name = "LABEL=ID")]
    map: Vec<String>,
    /// A TOML file of stated matches and categories: `[codes]` LABEL = "id", `[categories]`
    /// CATEGORY = "question".
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Check and report, write nothing (the same checks as the real run).
    #[arg(long)]
    dry_run: bool,
}

/// Runs `codebook import`.
pub fn import(ws: &Workspace, g: &Global, a: ImportArgs) -> anyhow::Result<()> {
    let (file, questions, map, mapping, dry_run) =
        (a.file, a.question, a.map, a.mapping, a.dry_run);
    let req = ImportRequest {
        file,
        questions,
        map,
        mapping,
        dry_run,
    };
    let store = codifica::store::Store::open(ws)?;
    for p in import_qdc(ws, &store, &req)? {
        if !g.quiet {
            p.part.warnings.iter().for_each(|w| eprintln!("note: {w}"));
        }
        match p.written {
            false => println!("{} — dry run, nothing written", summary(&p)),
            true if !g.quiet => println!("{}\n  codebook: {}", summary(&p), edit_path(ws, &p)),
            true => {}
        }
    }
    Ok(())
}

fn edit_path(ws: &Workspace, p: &ImportedPart) -> String {
    codifica::codebook::path_for(ws, &p.part.codebook.question)
        .display()
        .to_string()
}

fn summary(p: &ImportedPart) -> String {
    let (cb, m) = (&p.part.codebook, &p.part.matching);
    let removed = match m.unmatched_existing.is_empty() {
        true => String::new(),
        false => format!(" (removed: {})", m.unmatched_existing.join(", ")),
    };
    format!(
        "Imported {} codes into {}: matched {} (by GUID {}, by mapping {}, by label {}), \
         new {}, existing codes not in the file {}{removed}",
        cb.codes.len(),
        cb.question,
        p.part.matched,
        m.by_guid,
        m.by_mapping,
        m.by_label,
        m.new.len(),
        m.unmatched_existing.len(),
    )
}
