//! `codifica import FILE`: load a month of interviews (canonical long CSV/XLSX, or a wide sheet
//! through a `[[mapping]]`). All or nothing; the summary says added / replaced / unchanged.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use codifica::ingest::reader::SourceFormat;
use codifica::ingest::{self, ImportOptions, ImportReport, Progress};
use indicatif::{ProgressBar, ProgressStyle};

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
        let mapping = args.mapping.as_deref().map(std::path::Path::new);
        return super::qda_import::run(&ws, &args.file, mapping, args.dry_run, args.json, g);
    }
    let opts = ImportOptions {
        mapping: args.mapping,
        sheet: args.sheet,
        dry_run: args.dry_run,
        new_questions: args.new_questions,
        replace_codes: args.replace_codes,
    };
    let bar = (!g.quiet && std::io::stderr().is_terminal()).then(new_bar);
    let mut on_progress = |p: Progress| {
        if let Some(bar) = &bar {
            show(bar, p);
        }
    };
    let result = ingest::import_with_progress(&ws, &args.file, &opts, &mut on_progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = result?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report, g.quiet);
    }
    Ok(())
}

fn new_bar() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn show(bar: &ProgressBar, p: Progress) {
    match p {
        Progress::Reading { rows } => {
            bar.set_message(format!("reading and validating: {rows} rows"));
        }
        Progress::Writing { done, total } => {
            if bar.length() != Some(total as u64) {
                bar.set_style(
                    ProgressStyle::with_template("writing {bar:40} {pos}/{len} answers ({eta})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_length(total as u64);
            }
            bar.set_position(done as u64);
        }
    }
}

fn print_summary(r: &ImportReport, quiet: bool) {
    let counts = format!(
        "added {}, replaced {}, unchanged {}",
        r.added, r.replaced, r.unchanged
    );
    if r.dry_run {
        println!("dry run, nothing written: would have {counts}");
    } else {
        println!("{counts}");
    }
    print_codes(r);
    if quiet {
        return;
    }
    let format = match &r.format {
        SourceFormat::Csv {
            encoding,
            delimiter,
        } => {
            let d = if *delimiter == '\t' {
                "tab".to_string()
            } else {
                format!("'{delimiter}'")
            };
            format!("CSV, {encoding:?}, {d}")
        }
        SourceFormat::Sheet { sheet, hidden } if hidden.is_empty() => format!("sheet '{sheet}'"),
        SourceFormat::Sheet { sheet, hidden } => {
            format!(
                "sheet '{sheet}'; hidden sheets not read: {}",
                hidden.join(", ")
            )
        }
    };
    println!(
        "  {} ({format}): {} rows, {} answers; months {}; questions {}",
        r.file.display(),
        r.rows,
        r.answers,
        r.months.join(", "),
        r.questions.join(", ")
    );
    if !r.new_questions.is_empty() {
        let verb = if r.dry_run { "would add" } else { "added" };
        println!(
            "  {verb} open question{} to codifica.toml: {}",
            if r.new_questions.len() == 1 { "" } else { "s" },
            r.new_questions.join(", ")
        );
    }
}

/// What the import did to human codes already stored: kept (empty cells) and changed.
fn print_codes(r: &ImportReport) {
    let (kept, changed) = if r.dry_run {
        ("would keep", "would change")
    } else {
        ("kept", "changed")
    };
    if r.codes_kept > 0 {
        println!(
            "{kept} the human codes of {} answer{} whose `codes` cell was empty \
             (--replace-codes clears them)",
            r.codes_kept,
            if r.codes_kept == 1 { "" } else { "s" }
        );
    }
    if r.codes_changed > 0 {
        println!(
            "{changed} the human codes of {} answer{}",
            r.codes_changed,
            if r.codes_changed == 1 { "" } else { "s" }
        );
    }
}
