//! `codifica review`: the review queue of `app::review` (least sure first, answers without a
//! suggestion last); `--output FILE` writes its export, to fill `codes` and `codifica import`.

use std::path::PathBuf;

mod print;

use anyhow::{Context, bail};
use codifica::app::review::{self, Models, QueueRequest};
use codifica::month::Month;

use super::Global;

/// Options of `codifica review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Month to review (YYYY-MM; default: every month).
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Only this question (a question id of codifica.toml).
    #[arg(long, short = 'Q', value_name = "Q")]
    pub question: Option<String>,
    /// How many answers to list.
    #[arg(long, short = 'n', default_value_t = 20)]
    pub limit: usize,
    /// Write the queue as a long table to code and re-import (.csv or .xlsx).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Model file for answers not classified yet (default: the workspace's models/).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Print the queue as one JSON document: {"total", "listed", "unclassified",
    /// "coded_by_analyst", "accepted", "waiting", "items": […]}.
    #[arg(long)]
    pub json: bool,
}

/// The queue request of the flags (the month parsed leniently, as everywhere).
fn request(args: &Args) -> anyhow::Result<QueueRequest> {
    let month = args.month.as_deref().map(Month::parse_arg).transpose();
    Ok(QueueRequest {
        month: month.map_err(anyhow::Error::msg).context("--month")?,
        question: args.question.clone(),
        models: args.model.clone().map_or(Models::Workspace, Models::File),
        ..Default::default()
    })
}

/// Runs `codifica review`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let req = request(&args)?;
    let ws = super::open_workspace(g)?;
    let store = codifica::store::Store::open(&ws)?;
    let mut q = review::queue(&ws, &store, &req)?;
    let c = &q.counts;
    if !g.quiet && !args.json {
        let (h, a, w) = (c.human, c.accepted, c.waiting);
        println!("coded by an analyst: {h}; accepted automatically: {a}; waiting for review: {w}");
    }
    if q.items.is_empty() {
        let m = req.month.map_or(String::new(), |m| format!(" in {m}"));
        bail!("no uncoded answers to review{m}");
    }
    let total = q.items.len();
    q.items.truncate(args.limit);
    if let Some(out) = &args.output {
        review::write_export(out, &q.items)?;
    }
    if args.json {
        return print::json(&q, total);
    }
    if !g.quiet {
        print::table(&q, args.output.as_deref());
    }
    Ok(())
}
