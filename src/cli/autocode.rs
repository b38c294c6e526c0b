//! `codifica autocode`: code a question's answers by the codebook's seed terms (dictionary
//! coding, a cold start before any training), optionally store them as machine codes and score
//! them against the human codes with the trained model's metrics. The use case is
//! [`codifica::app::autocode`]; the evaluation table is printed by `autocode_print`.

use std::path::PathBuf;

use codifica::app::autocode::{self as app, AutocodeRequest};
use codifica::month::Month;
use codifica::store::Store;

use super::{Global, autocode_print};

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
    let r = app::autocode(&ws, &Store::open(&ws)?, lexicon, &args.request())?;
    let output = args.output.as_deref();
    autocode_print::print(&args.question, output, &r, args.json, g.quiet)
}

impl Args {
    fn request(&self) -> AutocodeRequest {
        AutocodeRequest {
            question: self.question.clone(),
            month: self.month,
            output: self.output.clone(),
            store: self.store,
            evaluate: self.evaluate,
        }
    }
}
