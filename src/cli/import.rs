//! `codifica import FILE`: load a month of interviews (canonical long CSV/XLSX, or a wide sheet
//! through a `[[mapping]]`). All or nothing; the summary says added / replaced / unchanged. The
//! job is `codifica::app::import`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use codifica::app::import::{ImportOptions, Progress, import_as, named_shape, summary};
use codifica::app::team::resolve_coder;

use super::{Global, open_workspace};

/// Options of `codifica import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file: CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM or Windows-1252; `,` `;` or tab),
    /// or a workbook (XLSX, XLSM, XLSB, XLS, ODS). See docs/import.md.
    file: PathBuf,
    /// Read the file through this `[[mapping]]` of codifica.toml (wide spreadsheets); for a
    /// REFI-QDA project (.qdpx, .qde), a TOML file mapping its variables (docs/qda.md).
    #[arg(long, value_name = "NAME")]
    mapping: Option<String>,
    /// Workbook sheet to read (default: the mapping's, else the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Validate and count what would change, without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Add questions missing from codifica.toml as open questions instead of refusing them.
    #[arg(long)]
    new_questions: bool,
    /// An empty `codes` cell clears the human codes stored for that answer. Without it, an
    /// empty cell keeps them (re-importing the month's original file does not erase coding).
    #[arg(long)]
    replace_codes: bool,
    /// Print the import report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `codifica import`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    if codifica::qda::import::is_project(&args.file) {
        let mapping = args.mapping.as_deref().map(Path::new);
        return super::qda_import::run(&ws, &args.file, mapping, args.dry_run, args.json, g);
    }
    let coder = resolve_coder(g.coder.as_deref())?;
    let opts = ImportOptions {
        mapping: args.mapping,
        sheet: args.sheet,
        dry_run: args.dry_run,
        new_questions: args.new_questions,
        replace_codes: args.replace_codes,
    };
    let shape = named_shape(&ws, &opts)?;
    let bar = (!g.quiet && std::io::stderr().is_terminal()).then(super::bar::Bar::new);
    let mut on_progress = |p: Progress| bar.iter().for_each(|b| b.show(p));
    let result = import_as(
        &ws,
        &args.file,
        &opts,
        shape.as_ref(),
        Some(&coder),
        &mut on_progress,
    );
    drop(bar);
    let report = result?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        summary(&report, g.quiet)
            .iter()
            .for_each(|l| println!("{l}"));
    }
    Ok(())
}
