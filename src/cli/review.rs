//! `codifica review`: the review queue of `app::review` (least sure first, answers without a
//! suggestion last); `--output FILE` writes its export, to fill `codes` and `codifica import`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use codifica::app::review::{self, Models, Queue, QueueItem, QueueRequest};
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

/// Runs `codifica review`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let month = args.month.as_deref().map(Month::parse_arg).transpose();
    let req = QueueRequest {
        month: month.map_err(anyhow::Error::msg).context("--month")?,
        question: args.question.clone(),
        models: args.model.clone().map_or(Models::Workspace, Models::File),
        ..Default::default()
    };
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
        return print_json(&q, total);
    }
    if !g.quiet {
        print_table(&q, args.output.as_deref());
    }
    Ok(())
}

fn print_table(q: &Queue, output: Option<&std::path::Path>) {
    println!("conf.  margin  suggested code        entity / question: answer");
    for it in &q.items {
        let text = codifica::trends::clip(&it.answer.text, 70);
        let (who, question) = (&it.answer.entity_name, &it.answer.question);
        let s = it.suggestion.as_ref();
        let conf = s.map_or("  -   ".into(), |s| format!("{:.2}  ", s.confidence));
        let margin = s.map_or("  -   ".into(), |s| format!(" {:.3}", s.margin));
        let codes = s.map_or("(no suggestion)".into(), |s| s.codes.join(";"));
        println!("{conf} {margin}   {codes:20}  {who} / {question}: {text}");
    }
    if q.unsuggested > 0 {
        eprintln!(
            "note: {} uncoded answers have no model suggestion (listed last)",
            q.unsuggested
        );
    }
    if let Some(out) = output {
        let (n, out) = (q.items.len(), out.display());
        println!(
            "wrote {n} answers to {out}: fill the `codes` column and run `codifica import` on it"
        );
    }
}

fn json_item(it: &QueueItem) -> serde_json::Value {
    let (a, s) = (&it.answer, it.suggestion.as_ref());
    serde_json::json!({
        "entity_code": a.entity_code, "entity_name": a.entity_name,
        "month": a.month.to_string(), "question": a.question, "answer_id": a.answer_id,
        "answer": a.text, "suggested_codes": s.map_or(vec![], |s| s.codes.clone()),
        "confidence": s.map(|s| s.confidence), "margin": s.map(|s| s.margin),
        "top_terms": s.map_or(vec![], |s| s.top_terms.clone()),
    })
}

/// `--json`: the queue's head as one document, with the queue's full length (`total`).
fn print_json(q: &Queue, total: usize) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Value> = q.items.iter().map(json_item).collect();
    let c = &q.counts;
    let doc = serde_json::json!({
        "total": total, "listed": rows.len(), "unclassified": q.unsuggested,
        "coded_by_analyst": c.human, "accepted": c.accepted, "waiting": c.waiting, "items": rows,
    });
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(())
}
