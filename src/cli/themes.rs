//! `codifica themes`: the answers no code captures well, grouped into candidate themes, and the
//! terms whose share rose most (the library does the work: `codifica::themes`).

use std::io::Write;

use anyhow::Context;
use codifica::month::Month;
use codifica::store::Store;
use codifica::themes::{ThemeOptions, ThemeReport, themes_from_store};
use codifica::trends::load_codebooks;

use super::{Global, open_workspace};

/// Options of `codifica themes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One month, YYYY-MM (or give --from and --to).
    #[arg(long, value_parser = super::trends::parse_month, conflicts_with_all = ["from", "to"])]
    month: Option<Month>,
    /// First month of the period, YYYY-MM.
    #[arg(long, value_parser = super::trends::parse_month, requires = "to")]
    from: Option<Month>,
    /// Last month of the period, YYYY-MM.
    #[arg(long, value_parser = super::trends::parse_month, requires = "from")]
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
    let (from, to) = match (args.month, args.from, args.to) {
        (Some(m), _, _) => (m, m),
        (None, Some(f), Some(t)) => (f, t),
        _ => anyhow::bail!("give --month YYYY-MM, or --from YYYY-MM and --to YYYY-MM"),
    };
    if !(0.0..=1.0).contains(&args.min_confidence) {
        anyhow::bail!(
            "--min-confidence must be between 0 and 1, got {}",
            args.min_confidence
        );
    }
    let ws = open_workspace(g)?;
    let store = Store::open(&ws)?;
    let codebooks = load_codebooks(&ws)?;
    let opts = ThemeOptions {
        from,
        to,
        question: args.question,
        max_themes: usize::from(args.max_themes),
        min_confidence: args.min_confidence,
        seed: args.seed,
        ..ThemeOptions::month(to)
    };
    let report = themes_from_store(&store, ws.config(), &codebooks, &opts)?;
    if let (Some(n), Some(q), Some(id), Some(label)) = (
        args.adopt,
        opts.question.as_deref(),
        args.code_id.as_deref(),
        args.code_label.as_deref(),
    ) {
        let theme = n
            .checked_sub(1)
            .and_then(|i| report.themes.get(i))
            .with_context(|| format!("--adopt {n}: there are {} themes", report.themes.len()))?;
        let _lock = ws.lock()?;
        let done = codifica::themes::adopt_theme(&ws, &store, q, theme, id, label)?;
        println!(
            "code '{id}' added to {q}; {} answers suggested for review, {} already coded by a human left as they are",
            done.suggested, done.human_coded
        );
        return Ok(());
    }
    if args.json {
        let text = serde_json::to_string_pretty(&report).context("serialising the themes")?;
        writeln!(std::io::stdout().lock(), "{text}")?;
        return Ok(());
    }
    print_text(&report, args.min_confidence).or_else(super::trends::quiet_broken_pipe)
}

fn period(r: &ThemeReport) -> String {
    if r.from == r.to {
        r.from.to_string()
    } else {
        format!("{} to {}", r.from, r.to)
    }
}

fn print_text(r: &ThemeReport, min_conf: f64) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} of {} answers have a weak code (human \"otro\", or uncoded with machine \
         confidence < {min_conf} or none).",
        period(r),
        r.weak,
        r.answers
    )?;
    if r.themes.is_empty() {
        writeln!(out, "No candidate themes (too few weak answers).")?;
    } else {
        let scores: Vec<String> = r
            .k_scores
            .iter()
            .map(|(k, s)| format!("{k}:{s:.3}"))
            .collect();
        writeln!(
            out,
            "{} candidate themes (k = {} by silhouette; {}); {} answers in no theme.",
            r.themes.len(),
            r.chosen_k,
            scores.join(" "),
            r.unthemed
        )?;
    }
    for (i, t) in r.themes.iter().enumerate() {
        let growth: Vec<String> = t
            .growth
            .iter()
            .map(|g| format!("{} {}", g.month, g.count))
            .collect();
        writeln!(
            out,
            "\n{}. {} — {} answers (by month: {})",
            i + 1,
            t.label,
            t.size,
            growth.join(", ")
        )?;
        for q in &t.quotes {
            writeln!(out, "   «{}» — {}, {}", q.text, q.entity_name, q.month)?;
        }
    }
    if !r.rising.is_empty() {
        writeln!(out, "\nTerms whose share rose most:")?;
        for t in &r.rising {
            let before = t.share_before.map_or("no earlier answers".into(), |b| {
                format!("{:.1} %", 100.0 * b)
            });
            writeln!(
                out,
                "  {}: {:.1} % of answers ({}), before {before}",
                t.term,
                100.0 * t.share,
                t.count
            )?;
        }
    }
    Ok(())
}
