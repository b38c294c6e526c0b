//! `codifica review`: the answers the model was least sure of, lowest margin first.
//!
//! Reads the workspace's answers (a month, or all) to coded questions that have no human code
//! yet; uses their stored machine coding, or classifies them on the fly when a model exists.
//! Non-answers are skipped. Prints the head of the queue; `--output FILE` writes it as a
//! canonical long table (entity_code, entity_name, department, region, month, question,
//! answer_id, answer, rating, codes + suggested_code, confidence, margin, top_terms): the
//! analyst fills `codes` and runs `codifica import` on the file; the next `train` learns from it.

use std::path::PathBuf;

use anyhow::{Context, bail};

use super::Global;
use super::classify::TOP_TERMS;
use codifica::analyze::Analyzer;
use codifica::answer::Answer;
use codifica::model::examples::{load_models, model_files};
use codifica::model::review::{CodingCounts, least_sure_first, needs_review};
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::tabular::write_table;
use codifica::workspace::Workspace;

/// Options of `codifica review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Month to review (YYYY-MM; default: every month).
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Only this question.
    #[arg(long, value_name = "Q")]
    pub question: Option<String>,
    /// How many answers to list.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Write the queue as a long table to code and re-import (.csv or .xlsx).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Model file for answers not classified yet (default: the workspace's models/).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
}

/// Columns of the review export: the importer's canonical long columns, then the suggestion.
pub const HEADERS: [&str; 14] = [
    "entity_code",
    "entity_name",
    "department",
    "region",
    "month",
    "question",
    "answer_id",
    "answer",
    "rating",
    "codes",
    "suggested_code",
    "confidence",
    "margin",
    "top_terms",
];

/// One entry of the queue.
#[derive(Debug, Clone)]
pub struct Item {
    /// The answer.
    pub answer: Answer,
    /// Suggested code(s).
    pub codes: Vec<String>,
    /// Calibrated confidence.
    pub confidence: f64,
    /// Margin (low = unsure).
    pub margin: f64,
    /// Explaining terms.
    pub top_terms: Vec<String>,
}

/// Sorts the queue by [`codifica::model::review::least_sure_first`].
pub fn order_queue(items: &mut [Item]) {
    items.sort_by(|a, b| {
        least_sure_first(
            Some((a.confidence, a.margin)),
            &a.answer.key(),
            Some((b.confidence, b.margin)),
            &b.answer.key(),
        )
    });
}

fn export_row(it: &Item) -> Vec<String> {
    let a = &it.answer;
    vec![
        a.entity_code.clone(),
        a.entity_name.clone(),
        a.department.clone(),
        a.region.clone(),
        a.month.to_string(),
        a.question.clone(),
        a.answer_id.clone().unwrap_or_default(),
        a.text.clone(),
        a.rating.map_or(String::new(), |r| r.to_string()),
        a.codes.join(";"),
        it.codes.join(";"),
        format!("{:.4}", it.confidence),
        format!("{:.4}", it.margin),
        it.top_terms.join("; "),
    ]
}

/// Runs `codifica review`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let month = args
        .month
        .as_deref()
        .map(|m| {
            Month::parse_arg(m)
                .map_err(anyhow::Error::msg)
                .context("--month")
        })
        .transpose()?;
    let ws = Workspace::open(&g.workspace)
        .with_context(|| format!("no workspace at {}", g.workspace.display()))?;
    let store = Store::open(&ws)?;
    let filter = AnswerFilter {
        month,
        question: args.question.clone(),
        ..Default::default()
    };
    let mut counts = CodingCounts::default();
    let pending = store.answers_where(&filter, |a| {
        counts.add(a, ws.config());
        needs_review(a, ws.config())
    })?;
    if !g.quiet {
        println!(
            "coded by an analyst: {}; accepted automatically: {}; waiting for review: {}",
            counts.human, counts.accepted, counts.waiting
        );
    }
    if pending.is_empty() {
        bail!(
            "no uncoded answers to review{}",
            month.map_or(String::new(), |m| format!(" in {m}"))
        );
    }
    let paths = match &args.model {
        Some(p) => vec![p.clone()],
        None => model_files(&ws.models_dir())?,
    };
    let needs_model = pending.iter().any(|a| a.machine.is_none());
    let set = if needs_model && !paths.is_empty() {
        Some(load_models(&paths, &ws.config().analyzer)?)
    } else {
        None
    };
    let mut analyzer = Analyzer::new(&ws.config().analyzer);
    let mut items = Vec::new();
    let mut unclassified = 0;
    for a in pending {
        if let Some(m) = &a.machine {
            items.push(Item {
                codes: m.codes.clone(),
                confidence: m.confidence,
                margin: m.margin,
                top_terms: m.top_terms.clone(),
                answer: a,
            });
            continue;
        }
        match set.as_ref().map(|s| s.get(&a.question)) {
            Some(Ok(model)) => {
                let p = model.scorer().predict(&mut analyzer, &a.text, TOP_TERMS);
                items.push(Item {
                    codes: p.codes,
                    confidence: p.confidence,
                    margin: p.margin,
                    top_terms: p.top_terms,
                    answer: a,
                });
            }
            _ => unclassified += 1,
        }
    }
    if items.is_empty() {
        bail!(
            "none of the {unclassified} uncoded answers has a model suggestion: run `codifica train` and `codifica classify` first"
        );
    }
    order_queue(&mut items);
    items.truncate(args.limit);
    if let Some(out) = &args.output {
        let rows: Vec<Vec<String>> = items.iter().map(export_row).collect();
        write_table(out, &HEADERS, &rows)?;
    }
    if !g.quiet {
        println!("conf.  margin  suggested code        entity / question: answer");
        for it in &items {
            let text = codifica::trends::clip(&it.answer.text, 70);
            println!(
                "{:.2}   {:.3}   {:20}  {} / {}: {}",
                it.confidence,
                it.margin,
                it.codes.join(";"),
                it.answer.entity_name,
                it.answer.question,
                text
            );
        }
        if unclassified > 0 {
            eprintln!("note: {unclassified} uncoded answers have no model for their question");
        }
        if let Some(out) = &args.output {
            println!(
                "wrote {} answers to {}: fill the `codes` column and run `codifica import` on it",
                items.len(),
                out.display()
            );
        }
    }
    Ok(())
}
