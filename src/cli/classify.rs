//! `codifica classify`: batch-classify answers with trained models.
//!
//! Workspace mode: `--month YYYY-MM [--question Q]` classifies the month's answers to coded
//! questions and stores the machine codes beside (never over) the human codes; `--output FILE`
//! also writes them out. File mode: `--input FILE --text-column C [--question-column C]
//! [--id-column C] --output FILE` (`.csv`, `.jsonl`, `.xlsx`). Each answer gets code(s), a
//! calibrated confidence in [0, 1], a margin and the terms that weighed most. Non-answers ("",
//! ".", "sin respuesta", "no sabe"…) get no code and status `non_answer`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};

use super::Global;
use super::train::{analyzer_settings, display_q};
use codifica::analyze::Analyzer;
use codifica::answer::MachineCoding;
use codifica::ingest::table::read_table;
use codifica::model::examples::{RowFilter, filtered_rows, load_models, model_files};
use codifica::model::{ModelSet, Prediction, QuestionModel};
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::tabular::write_table;
use codifica::workspace::Workspace;

/// Number of explaining terms kept per answer.
pub const TOP_TERMS: usize = 3;

/// Options of `codifica classify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Month to classify in the workspace (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Only this question.
    #[arg(long, value_name = "Q")]
    pub question: Option<String>,
    /// Model file (default: every model in the workspace's models/ folder).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// A CSV/XLSX of answers to classify (file mode).
    #[arg(long, value_name = "FILE", conflicts_with = "month")]
    pub input: Option<PathBuf>,
    /// Column with the answer text (file mode).
    #[arg(long, value_name = "C", default_value = "text")]
    pub text_column: String,
    /// Column naming each row's question (file mode).
    #[arg(long, value_name = "C")]
    pub question_column: Option<String>,
    /// Column with a row id (file mode; default: the row number).
    #[arg(long, value_name = "C")]
    pub id_column: Option<String>,
    /// Keep only rows where COL=VAL (or COL!=VAL); repeatable (file mode).
    #[arg(long = "where", value_name = "COL=VAL")]
    pub filters: Vec<RowFilter>,
    /// Where to write the classified rows (.csv, .jsonl or .xlsx).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Accept machine codes without review where the confidence reaches the threshold that
    /// kept this accuracy on the model's validation (e.g. 0.9); the rest wait in the review
    /// queue. Default: `accept_at` in codifica.toml, else nothing is accepted. Single-label
    /// questions only; an answer an analyst coded is never accepted over.
    #[arg(long, value_name = "P")]
    pub accept_at: Option<f64>,
}

/// Output header of classified rows.
pub const HEADERS: [&str; 10] = [
    "id",
    "question",
    "code",
    "confidence",
    "margin",
    "top_terms",
    "status",
    "text",
    "alternatives",
    "accepted",
];

/// The three most probable codes with their probabilities, `code (0.62); code (0.21); …`.
fn alternatives(p: &Prediction) -> String {
    p.alternatives
        .iter()
        .map(|(c, q)| format!("{c} ({q:.2})"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The confidence threshold that accepts machine codes at accuracy `at` for `model` (None:
/// nothing can be accepted at that accuracy, or the question is multi-label).
fn acceptance(model: &QuestionModel, at: Option<f64>) -> Option<f64> {
    let at = at?;
    if model.settings.multi_label {
        return None;
    }
    model.confidence.threshold_for(at)
}

/// Checks `--accept-at` (or the config's `accept_at`).
fn accept_at(
    args: &Args,
    config: Option<&codifica::config::Config>,
) -> anyhow::Result<Option<f64>> {
    let at = args.accept_at.or(config.and_then(|c| c.accept_at));
    if let Some(p) = at
        && !(p > 0.0 && p < 1.0)
    {
        bail!("--accept-at must be between 0 and 1 (exclusive), got {p}");
    }
    Ok(at)
}

/// One output row.
pub fn output_row(
    id: &str,
    question: &str,
    p: &Prediction,
    text: &str,
    accepted: bool,
) -> Vec<String> {
    let mut row = base_row(id, question, p, text);
    row.push(alternatives(p));
    row.push(if accepted { "yes" } else { "" }.to_string());
    row
}

fn base_row(id: &str, question: &str, p: &Prediction, text: &str) -> Vec<String> {
    vec![
        id.to_string(),
        question.to_string(),
        p.codes.join(";"),
        if p.non_answer {
            String::new()
        } else {
            format!("{:.4}", p.confidence)
        },
        if p.non_answer {
            String::new()
        } else {
            format!("{:.4}", p.margin)
        },
        p.top_terms.join("; "),
        if p.non_answer { "non_answer" } else { "ok" }.to_string(),
        text.to_string(),
    ]
}

fn models_for(args: &Args, g: &Global) -> anyhow::Result<ModelSet> {
    let asettings = analyzer_settings(g);
    let paths = match &args.model {
        Some(p) => vec![p.clone()],
        None => {
            let ws = Workspace::open(&g.workspace).with_context(|| {
                format!(
                    "no workspace at {} (pass --model PATH)",
                    g.workspace.display()
                )
            })?;
            model_files(&ws.models_dir())?
        }
    };
    Ok(load_models(&paths, &asettings)?)
}

/// Runs `codifica classify`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    match (&args.input, &args.month) {
        (Some(_), _) => run_file(&args, g),
        (None, Some(_)) => run_workspace(&args, g),
        (None, None) => bail!("pass --month YYYY-MM (workspace) or --input FILE --output FILE"),
    }
}

fn run_file(args: &Args, g: &Global) -> anyhow::Result<()> {
    let (Some(input), Some(output)) = (&args.input, &args.output) else {
        bail!("file mode needs --input FILE and --output FILE");
    };
    let at = accept_at(
        args,
        Workspace::open(&g.workspace)
            .ok()
            .as_ref()
            .map(|w| w.config()),
    )?;
    // The input first: a bad or hostile file is refused before any model is loaded.
    let table = read_table(input)?;
    let set = models_for(args, g)?;
    let tc = table.column(&args.text_column)?;
    let qc = args
        .question_column
        .as_deref()
        .map(|c| table.column(c))
        .transpose()?;
    let ic = args
        .id_column
        .as_deref()
        .map(|c| table.column(c))
        .transpose()?;
    let rows = filtered_rows(&table, &args.filters)?;
    let mut analyzer = Analyzer::new(&set.analyzer);
    // Route rows to their question's model first, so an unknown question fails before any work.
    let mut by_q: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in &rows {
        let q = match (qc, &args.question) {
            (Some(c), _) => table.rows[i].get(c).trim().to_string(),
            (None, Some(q)) => q.clone(),
            (None, None) => String::new(),
        };
        if args
            .question
            .as_ref()
            .is_some_and(|o| qc.is_some() && *o != q)
        {
            continue;
        }
        by_q.entry(q).or_default().push(i);
    }
    for q in by_q.keys() {
        set.get(q).with_context(|| {
            format!(
                "{}: rows of question {} have no model (models for: {})",
                input.display(),
                display_q(q),
                set.models
                    .iter()
                    .map(|m| display_q(&m.question))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    }
    let mut out: Vec<(usize, Vec<String>)> = Vec::with_capacity(rows.len());
    let (mut n, mut non, mut accepted) = (0usize, 0usize, 0usize);
    for (q, idx) in &by_q {
        let model = set.get(q)?;
        let threshold = acceptance(model, at);
        let mut scorer = model.scorer();
        for &i in idx {
            let r = &table.rows[i];
            let text = r.get(tc);
            let p = scorer.predict(&mut analyzer, text, TOP_TERMS);
            n += 1;
            non += usize::from(p.non_answer);
            let ok = !p.non_answer && threshold.is_some_and(|t| p.confidence >= t);
            accepted += usize::from(ok);
            let id = ic.map_or_else(|| r.line.to_string(), |c| r.get(c).to_string());
            out.push((i, output_row(&id, q, &p, text, ok)));
        }
    }
    out.sort_by_key(|(i, _)| *i);
    let rows: Vec<Vec<String>> = out.into_iter().map(|(_, r)| r).collect();
    write_table(output, &HEADERS, &rows)?;
    if !g.quiet {
        println!(
            "classified {n} answers ({non} non-answers without a code) → {}",
            output.display()
        );
        if let Some(p) = at {
            println!(
                "accepted {accepted} at {:.0} % accuracy; {} to review",
                p * 100.0,
                n - non - accepted
            );
        }
    }
    Ok(())
}

fn run_workspace(args: &Args, g: &Global) -> anyhow::Result<()> {
    let month_s = args.month.as_deref().unwrap_or_default();
    let month = Month::parse_arg(month_s)
        .map_err(anyhow::Error::msg)
        .context("--month")?;
    let ws = Workspace::open(&g.workspace)
        .with_context(|| format!("no workspace at {}", g.workspace.display()))?;
    let at = accept_at(args, Some(ws.config()))?;
    let set = models_for(args, g)?;
    let model_tag = args
        .model
        .as_ref()
        .and_then(|p| p.file_name())
        .map_or("models/".to_string(), |f| f.to_string_lossy().to_string());
    let _lock = ws.lock()?;
    let store = Store::open(&ws)?;
    let answers = store.answers(&AnswerFilter {
        month: Some(month),
        question: args.question.clone(),
        ..Default::default()
    })?;
    let coded: Vec<&codifica::answer::Answer> = answers
        .iter()
        .filter(|a| {
            ws.config()
                .question(&a.question)
                .is_none_or(|q| q.is_coded())
        })
        .collect();
    if coded.is_empty() {
        bail!("no answers to coded questions in {month} (import the month first)");
    }
    let mut by_q: BTreeMap<&str, Vec<&codifica::answer::Answer>> = BTreeMap::new();
    for a in coded {
        by_q.entry(a.question.as_str()).or_default().push(a);
    }
    let missing: Vec<&str> = by_q
        .keys()
        .copied()
        .filter(|q| set.get(q).is_err())
        .collect();
    if !missing.is_empty() {
        bail!(
            "no model for question(s) {} — run `codifica train` (or restrict with --question)",
            missing.join(", ")
        );
    }
    let mut analyzer = Analyzer::new(&set.analyzer);
    let mut codings = Vec::new();
    let mut rows = Vec::new();
    let mut summary: BTreeMap<&str, Tally> = BTreeMap::new();
    for (q, list) in &by_q {
        let model = set.get(q)?;
        let threshold = acceptance(model, at);
        let tag = format!("{model_tag} ({})", set.created);
        let mut scorer = model.scorer();
        for a in list {
            let p = scorer.predict(&mut analyzer, &a.text, TOP_TERMS);
            let s = summary.entry(q).or_default();
            s.threshold = threshold;
            let mut ok = false;
            if p.non_answer {
                s.non += 1;
            } else {
                s.n += 1;
                s.conf += p.confidence;
                // A human code always wins: an answer an analyst coded is never accepted.
                ok = a.codes.is_empty() && threshold.is_some_and(|t| p.confidence >= t);
                s.accepted += usize::from(ok);
                s.human += usize::from(!a.codes.is_empty());
                codings.push((
                    a.key(),
                    MachineCoding {
                        codes: p.codes.clone(),
                        confidence: p.confidence,
                        margin: p.margin,
                        top_terms: p.top_terms.clone(),
                        model: tag.clone(),
                        accepted: ok,
                        alternatives: p.alternatives.clone(),
                    },
                ));
            }
            rows.push(output_row(&a.key(), q, &p, &a.text, ok));
        }
    }
    let stored = store.set_machine_codings(&codings)?;
    if let Some(out) = &args.output {
        write_table(out, &HEADERS, &rows)?;
    }
    if !g.quiet {
        for (q, t) in &summary {
            println!(
                "{q}: {} answers classified (mean confidence {:.2}), {} non-answer{} left uncoded",
                t.n,
                if t.n > 0 { t.conf / t.n as f64 } else { 0.0 },
                t.non,
                if t.non == 1 { "" } else { "s" }
            );
            if let Some(p) = at {
                match t.threshold {
                    Some(th) => println!(
                        "  accepted automatically at {:.0} % accuracy (confidence >= {th:.3}): {}; \
                         coded by an analyst: {}; to review: {}",
                        p * 100.0,
                        t.accepted,
                        t.human,
                        t.n - t.accepted - t.human
                    ),
                    None => println!(
                        "  nothing accepted: no confidence level kept {:.0} % accuracy in \
                         validation (or the question is multi-label); {} to review",
                        p * 100.0,
                        t.n - t.human
                    ),
                }
            }
        }
        println!("stored {stored} machine codings for {month} (human codes untouched)");
    }
    Ok(())
}

/// Per-question counts of a workspace classification.
#[derive(Default)]
struct Tally {
    n: usize,
    non: usize,
    conf: f64,
    accepted: usize,
    human: usize,
    threshold: Option<f64>,
}
