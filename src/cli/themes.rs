//! `codifica themes`: the answers no code captures well, grouped into candidate themes, and the
//! terms whose share rose most (the job is `codifica::app::themes`).

use codifica::app::report::Period;
use codifica::app::themes::{ThemeParams, adopt, listing, themes};
use codifica::month::Month;

use super::output::print_lines;
use super::{Global, open_workspace};

/// Options of `codifica themes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One month, YYYY-MM (or give --from and --to).
    #[arg(long, value_parser = Month::parse_arg, conflicts_with_all = ["from", "to"])]
    month: Option<Month>,
    /// First month of the period, YYYY-MM.
    #[arg(long, value_parser = Month::parse_arg, requires = "to")]
    from: Option<Month>,
    /// Last month of the period, YYYY-MM.
    #[arg(long, value_parser = Month::parse_arg, requires = "from")]
    to: Option<Month>,
    /// Only this question.
    #[arg(long)]
    question: Option<String>,
    /// Most themes to consider (the number is chosen by silhouette up to this).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(2..=50))]
    max_themes: u16,
    /// A machine code below this calibrated confidence counts as weak.
    #[arg(long, default_value_t = 0.5)]
    min_confidence: f64,
    /// Seed of the clustering.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Make theme N (as numbered in the listing) a new code of --question: its answers without
    /// a human code go to the review queue with that code suggested (never coded silently).
    #[arg(long, requires_all = ["question", "code_id", "code_label"])]
    adopt: Option<usize>,
    /// Id of the new code (with --adopt).
    #[arg(long, requires = "adopt")]
    code_id: Option<String>,
    /// Label of the new code (with --adopt).
    #[arg(long, requires = "adopt")]
    code_label: Option<String>,
}

/// Runs `codifica themes`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let params = args.params()?;
    let ws = open_workspace(g)?;
    if let (Some(n), Some(id), Some(label)) = (args.adopt, &args.code_id, &args.code_label) {
        println!("{}", adopt(&ws, &params, n, id, label)?);
        return Ok(());
    }
    let report = themes(&ws, &params)?;
    let text = match args.json {
        true => vec![serde_json::to_string_pretty(&report)?],
        false => listing(&report, args.min_confidence),
    };
    print_lines(&text)
}

impl Args {
    fn params(&self) -> anyhow::Result<ThemeParams> {
        let (from, to) = Period::from_flags(self.month, self.from, self.to)?.bounds();
        let (question, seed) = (self.question.clone(), self.seed);
        let (max_themes, min_confidence) = (usize::from(self.max_themes), self.min_confidence);
        Ok(ThemeParams {
            from,
            to,
            question,
            max_themes,
            min_confidence,
            seed,
        })
    }
}
