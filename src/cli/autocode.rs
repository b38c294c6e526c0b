//! `codifica autocode`: code a question's answers by the codebook's seed terms (dictionary
//! coding, a cold start before any training), optionally store them as machine codes and score
//! them against the human codes with the trained model's metrics.

use std::path::PathBuf;

use anyhow::Context;
use codifica::analyze::Analyzer;
use codifica::autocode::{self, AutoCoding, Lexicon};
use codifica::codebook::edit;
use codifica::model::metrics::Report;
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::workspace::Workspace;

use super::{Global, plural};

/// Options of `codifica autocode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The question to code (its codebook's seeds are the dictionary).
    #[arg(long, short = 'Q')]
    question: String,
    /// Only this month (YYYY-MM; default: every month).
    #[arg(long, value_parser = parse_month)]
    month: Option<Month>,
    /// Write one row per answer (.csv, .xlsx or .jsonl).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Store the codes as the answers' machine codes (model "autocode"); human codes are never
    /// touched. Replaces earlier machine codes of these answers.
    #[arg(long)]
    store: bool,
    /// Score against the human codes with the metrics of `codifica evaluate`.
    #[arg(long)]
    evaluate: bool,
    /// Print the evaluation as JSON.
    #[arg(long, requires = "evaluate")]
    json: bool,
}

fn parse_month(s: &str) -> Result<Month, String> {
    Month::parse_arg(s)
}

/// Runs `codifica autocode`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = super::open_workspace(g)?;
    let cb = edit::load_required(&ws, &args.question)?;
    let mut analyzer = Analyzer::new(&ws.config().analyzer);
    let lexicon = Lexicon::new(&cb, &mut analyzer)?;
    if !g.quiet {
        for w in &lexicon.warnings {
            eprintln!("note: {w}");
        }
    }
    // Storing is a read-modify-write: hold the lock from the read, so an import in between
    // cannot change an answer whose codes were computed from its old text.
    let _lock = if args.store { Some(ws.lock()?) } else { None };
    let store = Store::open(&ws)?;
    let filter = AnswerFilter {
        month: args.month,
        question: Some(args.question.clone()),
        entity: None,
    };
    let answers = store.answers(&filter)?;
    if answers.is_empty() {
        anyhow::bail!(
            "no answers to question '{}'{} in the workspace",
            args.question,
            args.month.map(|m| format!(" in {m}")).unwrap_or_default()
        );
    }
    let out = autocode::code_all(&lexicon, &mut analyzer, &answers);
    if !args.json {
        print_summary(&cb, &out);
    }
    if let Some(path) = &args.output {
        write_rows(path, &answers, &out.codings)?;
        if !g.quiet && !args.json {
            println!("  wrote {}", path.display());
        }
    }
    if args.store {
        let codings: Vec<(String, codifica::answer::MachineCoding)> = answers
            .iter()
            .zip(&out.codings)
            .filter(|(_, c)| !c.non_answer)
            .map(|(a, c)| (a.key(), c.to_machine()))
            .collect();
        let n = store.set_machine_codings(&codings)?;
        if !g.quiet && !args.json {
            println!(
                "  stored machine codes (model \"{}\") on {n} answers",
                autocode::MODEL_NAME
            );
        }
    }
    if args.evaluate {
        let report = autocode::evaluate(&cb, &answers, &out.codings);
        let model = model_cv(&ws, &args.question);
        if args.json {
            let v = serde_json::json!({
                "question": args.question,
                "autocode": report,
                "model_cv": model,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            match &report {
                Some(r) => print_report(r, model.as_ref()),
                None => println!("  evaluation: no human-coded answers to compare with"),
            }
        }
    }
    Ok(())
}

fn print_summary(cb: &codifica::codebook::Codebook, out: &autocode::Outcome) {
    let n = out.codings.len();
    let real = n - out.non_answers;
    let pct = |k: usize| {
        if real == 0 {
            0.0
        } else {
            100.0 * k as f64 / real as f64
        }
    };
    println!(
        "autocode {}: {}, {}, {} coded ({:.1}% of real answers), {}",
        cb.question,
        plural(n, "answer", "answers"),
        plural(out.non_answers, "non-answer", "non-answers"),
        out.coded,
        pct(out.coded),
        plural(out.ties, "tie", "ties")
    );
    for c in cb.codable() {
        let k = out
            .codings
            .iter()
            .filter(|x| x.codes.contains(&c.id))
            .count();
        println!("  {:<30} {:>6} {:>6.1}%", c.id, k, pct(k));
    }
}

fn write_rows(
    path: &std::path::Path,
    answers: &[codifica::answer::Answer],
    codings: &[AutoCoding],
) -> anyhow::Result<()> {
    let headers = [
        "key",
        "entity_code",
        "entity_name",
        "month",
        "text",
        "autocode",
        "hits",
        "matched_seeds",
        "human_codes",
    ];
    let rows: Vec<Vec<String>> = answers
        .iter()
        .zip(codings)
        .map(|(a, c)| {
            vec![
                a.key(),
                a.entity_code.clone(),
                a.entity_name.clone(),
                a.month.to_string(),
                a.text.clone(),
                c.codes.join(";"),
                c.hits
                    .iter()
                    .map(|(k, n)| format!("{k}:{n}"))
                    .collect::<Vec<_>>()
                    .join(";"),
                c.matched.join(";"),
                a.codes.join(";"),
            ]
        })
        .collect();
    codifica::tabular::write_table(path, &headers, &rows)
        .with_context(|| format!("writing {}", path.display()))
}

/// The cross-validated quality recorded in the question's trained model, if there is one.
fn model_cv(ws: &Workspace, question: &str) -> Option<Report> {
    let path = ws
        .models_dir()
        .join(codifica::model::examples::model_file_name(question));
    if !path.exists() {
        return None;
    }
    let set = codifica::model::ModelSet::load(&path, &ws.config().analyzer).ok()?;
    set.get(question).ok()?.meta.cv.clone()
}

/// One score of an evaluation report.
type Metric = fn(&Report) -> f64;

fn print_report(r: &Report, model: Option<&Report>) {
    println!("  evaluation against human codes ({} answers):", r.n);
    let kappa = |r: &Report| r.kappa.map_or("-".to_string(), |k| format!("{k:.3}"));
    println!(
        "  {:<18} {:>9} {:>9}",
        "",
        "autocode",
        if model.is_some() { "model(cv)" } else { "" }
    );
    let m = |f: Metric| model.map_or(String::new(), |x| format!("{:.3}", f(x)));
    let metrics: [(&str, Metric); 4] = [
        ("accuracy", |x| x.accuracy),
        ("macro F1", |x| x.macro_f1),
        ("micro F1", |x| x.micro_f1),
        ("weighted F1", |x| x.weighted_f1),
    ];
    for (name, f) in metrics {
        println!("  {:<18} {:>9.3} {:>9}", name, f(r), m(f));
    }
    println!(
        "  {:<18} {:>9} {:>9}",
        "kappa",
        kappa(r),
        model.map_or(String::new(), kappa)
    );
    if let Some(x) = model {
        let verdict = if x.macro_f1 > r.macro_f1 {
            "the trained model beats the dictionary (macro F1): prefer `codifica classify`"
        } else {
            "the dictionary is still as good as the trained model (macro F1): code more examples"
        };
        println!("  {verdict}");
    }
    println!(
        "  {:<30} {:>9} {:>7} {:>7} {:>7}",
        "code", "precision", "recall", "F1", "support"
    );
    for c in &r.per_code {
        println!(
            "  {:<30} {:>9.3} {:>7.3} {:>7.3} {:>7}",
            c.code, c.precision, c.recall, c.f1, c.support
        );
    }
}
