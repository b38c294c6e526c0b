//! `codifica classify --month M`: a workspace month through the models, the machine codes
//! stored beside (never over) the human codes.

use std::path::Path;

use anyhow::Context;

use super::classify::Args;
use super::learn::workspace;
use super::{Global, classify_file, classify_print};
use codifica::app::Unmonitored;
use codifica::app::classify::{self, HEADERS, MonthRequest};
use codifica::app::files::write_table;
use codifica::month::Month;
use codifica::store::Store;

/// Runs workspace mode.
pub fn run_workspace(args: &Args, month: &str, g: &Global) -> anyhow::Result<()> {
    let month = Month::parse_arg(month)
        .map_err(anyhow::Error::msg)
        .context("--month")?;
    let ws = workspace(g, "")?;
    let accept_at = classify::check_accept_at(args.accept_at.or(ws.config().accept_at))?;
    let set = classify_file::models_for(args, g)?;
    let (question, store) = (args.question.clone(), Store::open(&ws)?);
    let model_tag = model_tag(args);
    let req = MonthRequest {
        month,
        question,
        accept_at,
        model_tag,
    };
    let r = classify::classify_month(&ws, &store, &set, &req, &Unmonitored)?;
    if let Some(out) = &args.output {
        write_table(out, &HEADERS, &r.rows)?;
    }
    if !g.quiet {
        classify_print::print_month(&r);
    }
    Ok(())
}

/// What the stored codings name as their model: the `--model` file's name, or "models/".
fn model_tag(args: &Args) -> String {
    let name = args.model.as_deref().and_then(Path::file_name);
    name.map_or("models/".to_string(), |f| f.to_string_lossy().to_string())
}
