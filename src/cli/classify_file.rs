//! `codifica classify --input FILE --output FILE`: a table of answers through the models, the
//! classified rows written out.

use anyhow::bail;

use super::Global;
use super::classify::Args;
use super::learn::{analyzer_settings, workspace};
use codifica::app::classify::{self, HEADERS, TableReport, TableRequest};
use codifica::app::files::{load_models, read_table, write_table};
use codifica::model::ModelSet;
use codifica::workspace::Workspace;

/// `--model PATH`, or every model of the workspace.
pub fn models_for(args: &Args, g: &Global) -> anyhow::Result<ModelSet> {
    let paths = match &args.model {
        Some(p) => vec![p.clone()],
        None => {
            let ws = workspace(g, "(pass --model PATH)")?;
            return Ok(classify::workspace_models(&ws)?);
        }
    };
    Ok(load_models(&paths, &analyzer_settings(g))?)
}

/// Runs file mode.
pub fn run_file(args: &Args, g: &Global) -> anyhow::Result<()> {
    let (Some(input), Some(output)) = (&args.input, &args.output) else {
        bail!("file mode needs --input FILE and --output FILE");
    };
    let config = Workspace::open(&g.workspace).ok();
    let config = config.and_then(|w| w.config().accept_at);
    let accept_at = classify::check_accept_at(args.accept_at.or(config))?;
    // The input first: a bad or hostile file is refused before any model is loaded.
    let table = read_table(input)?;
    let req = request(args, accept_at);
    let r = classify::classify_table(&table, &models_for(args, g)?, &req)?;
    write_table(output, &HEADERS, &r.rows)?;
    if !g.quiet {
        print_counts(&r, accept_at, output);
    }
    Ok(())
}

fn request(args: &Args, accept_at: Option<f64>) -> TableRequest {
    TableRequest {
        text_column: args.text_column.clone(),
        question_column: args.question_column.clone(),
        id_column: args.id_column.clone(),
        filters: args.filters.clone(),
        question: args.question.clone(),
        accept_at,
    }
}

fn print_counts(r: &TableReport, accept_at: Option<f64>, output: &std::path::Path) {
    let (n, non, out) = (r.n, r.non, output.display());
    println!("classified {n} answers ({non} non-answers without a code) → {out}");
    if let Some(p) = accept_at.map(|p| p * 100.0) {
        let (accepted, review) = (r.accepted, n - non - r.accepted);
        println!("accepted {accepted} at {p:.0} % accuracy; {review} to review");
    }
}
