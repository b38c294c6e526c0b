//! `codifica autocode`: code a question's answers by the codebook's seed terms (dictionary
//! coding, a cold start before any training), optionally store them as machine codes and score
//! them against the human codes with the trained model's metrics. The use case is
//! [`codifica::app::autocode`]; the evaluation table is printed by `autocode_print`.

use std::path::PathBuf;

use codifica::app::autocode::{self as app, AutocodeReport, AutocodeRequest};
use codifica::month::Month;
use codifica::store::Store;

use super::Global;
use super::autocode_print::{print_report, print_summary};

/// Options of `codifica autocode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The question to code (its codebook's seeds are the dictionary).
    #[arg(long, short = 'Q')]
    question: String,
    /// Only this month (YYYY-MM; default: every month).
    #[arg(long, value_parser = Month::parse_arg)]
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

/// Runs `codifica autocode`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = super::open_workspace(g)?;
    let lexicon = app::lexicon(&ws, &args.question)?;
    for w in lexicon.1.warnings.iter().filter(|_| !g.quiet) {
        eprintln!("note: {w}");
    }
    let req = AutocodeRequest {
        question: args.question.clone(),
        month: args.month,
        output: args.output.clone(),
        store: args.store,
        evaluate: args.evaluate,
    };
    let r = app::autocode(&ws, &Store::open(&ws)?, lexicon, &req)?;
    if args.json {
        let v = serde_json::json!({
            "question": args.question, "autocode": r.evaluation.flatten(), "model_cv": r.model_cv,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_text(&args, &r, g.quiet);
    }
    Ok(())
}

fn print_text(args: &Args, r: &AutocodeReport, quiet: bool) {
    print_summary(&r.codebook, &r.outcome);
    if let Some(path) = args.output.as_ref().filter(|_| !quiet) {
        println!("  wrote {}", path.display());
    }
    if let Some(n) = r.stored.filter(|_| !quiet) {
        let model = codifica::autocode::MODEL_NAME;
        println!("  stored machine codes (model \"{model}\") on {n} answers");
    }
    match &r.evaluation {
        Some(Some(e)) => print_report(e, r.model_cv.as_ref()),
        Some(None) => println!("  evaluation: no human-coded answers to compare with"),
        None => {}
    }
}
