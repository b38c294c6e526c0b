//! `codifica evaluate`: how good is the classifier?
//!
//! Without `--model`: validation of the training settings on the coded examples — forward in
//! time for a workspace (train on the months before each of the last `--last` months, test on
//! it), folds of whole groups for `--examples FILE --group-column C`, stratified k-fold with
//! `--kfold` (or a file without groups). With `--model PATH` (or `--held-out`): the trained
//! model against a held-out coded file. Prints accuracy, macro / micro / weighted F1, Cohen's
//! kappa, per-code precision / recall / F1 / support and the confusion matrix; `--json` for
//! machines. Warns about codes with too few examples to learn.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};

use super::Global;
use super::train::{
    ExampleArgs, LearnerArgs, analyzer_settings, display_q, gather_examples, settings_for,
};
use codifica::analyze::Analyzer;
use codifica::model::classifier::{
    MIN_EXAMPLES_PER_CODE, cross_validate, evaluate_holdout, prepare,
};
use codifica::model::examples::{WorkspaceExamples, load_models, model_files};
use codifica::model::metrics::{Ranking, Report};
use codifica::model::validation::{MonthResult, forward_obstacle, forward_validate};
use codifica::workspace::Workspace;

/// Options of `codifica evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub examples: ExampleArgs,
    #[command(flatten)]
    pub learner: LearnerArgs,
    /// Evaluate this trained model file on the examples (held-out evaluation) instead of
    /// validating the training settings.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Evaluate the workspace's trained models (models/) on the examples.
    #[arg(long, conflicts_with = "model")]
    pub held_out: bool,
    /// Stratified k-fold cross-validation with random folds instead of forward validation (a
    /// workspace) or folds of whole groups (--group-column): random folds put answers of the
    /// same people on both sides and overstate what a new month will see.
    #[arg(long)]
    pub kfold: bool,
    /// Folds of the k-fold or grouped cross-validation.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Forward validation: test each of the last N months with human codes, training on the
    /// months before it.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub last: usize,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One question's evaluation.
struct Outcome {
    question: String,
    report: Report,
    months: Vec<MonthResult>,
    warnings: Vec<String>,
}

/// Runs `codifica evaluate`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    if args.folds < 2 {
        bail!("--folds must be at least 2");
    }
    if args.last == 0 {
        bail!("--last must be at least 1");
    }
    let asettings = analyzer_settings(g);
    let mut analyzer = Analyzer::new(&asettings);
    let by_q = gather_examples(&args.examples, g)?;
    let results = if args.model.is_some() || args.held_out {
        held_out(&args, g, &asettings, &mut analyzer, &by_q)?
    } else {
        let mut out = Vec::new();
        for (q, w) in &by_q {
            out.push(validate(&args, &mut analyzer, q, w).with_context(|| display_q(q))?);
        }
        out
    };
    if args.json {
        let v: Vec<_> = results
            .iter()
            .map(|o| {
                serde_json::json!({"question": o.question, "report": o.report,
                    "months": o.months, "warnings": o.warnings})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    for o in &results {
        print_report(&o.question, &o.report);
        print_months(&o.months);
        for w in &o.warnings {
            eprintln!("warning: {}: {w}", display_q(&o.question));
        }
    }
    Ok(())
}

fn held_out(
    args: &Args,
    g: &Global,
    asettings: &codifica::analyze::AnalyzerSettings,
    analyzer: &mut Analyzer,
    by_q: &BTreeMap<String, WorkspaceExamples>,
) -> anyhow::Result<Vec<Outcome>> {
    let paths = match &args.model {
        Some(p) => vec![p.clone()],
        None => {
            let ws = Workspace::open(&g.workspace)
                .with_context(|| format!("no workspace at {}", g.workspace.display()))?;
            model_files(&ws.models_dir())?
        }
    };
    let set = load_models(&paths, asettings)?;
    let mut out = Vec::new();
    for (q, w) in by_q {
        let m = set.get(q)?;
        let report = evaluate_holdout(m, analyzer, &w.examples)
            .with_context(|| format!("question {}", display_q(q)))?;
        out.push(Outcome {
            question: q.clone(),
            report,
            months: Vec::new(),
            warnings: Vec::new(),
        });
    }
    Ok(out)
}

/// Validates the training settings on one question's examples: forward in time for a
/// workspace, by whole groups for a file with a group column, k-fold on request or otherwise.
fn validate(
    args: &Args,
    analyzer: &mut Analyzer,
    q: &str,
    w: &WorkspaceExamples,
) -> anyhow::Result<Outcome> {
    let mut settings = settings_for(&args.learner.settings()?, &args.examples, &w.examples);
    settings.cv_folds = args.folds;
    let settings = settings.check()?;
    let mut warnings = Vec::new();
    let workspace = args.examples.examples.is_none();
    if workspace && !args.kfold {
        match forward_obstacle(&w.months, &w.examples, args.last) {
            None => {
                let f =
                    forward_validate(&settings, analyzer, q, &w.examples, &w.months, args.last)?;
                return Ok(Outcome {
                    question: q.to_string(),
                    report: f.pooled,
                    months: f.months,
                    warnings,
                });
            }
            Some(why) => warnings.push(format!("{why}: falling back to cross-validation")),
        }
    }
    let mut examples = w.examples.clone();
    if args.kfold {
        examples.iter_mut().for_each(|e| e.group = None);
    }
    let p = prepare(analyzer, &examples, &settings)?;
    for (c, n) in p.codes.iter().zip(code_counts(&p.labels, p.codes.len())) {
        if n < MIN_EXAMPLES_PER_CODE {
            warnings.push(format!("code {c} has only {n} examples: too few to learn"));
        }
    }
    if p.codes.len() < 2 {
        bail!(
            "question {}: only one code, nothing to evaluate",
            display_q(q)
        );
    }
    let out = cross_validate(
        &settings,
        &p.codes,
        &p.terms,
        &p.labels,
        p.groups.as_deref(),
    )?;
    Ok(Outcome {
        question: q.to_string(),
        report: out.report,
        months: Vec::new(),
        warnings,
    })
}

fn code_counts(labels: &[Vec<usize>], k: usize) -> Vec<usize> {
    let mut counts = vec![0usize; k];
    for l in labels {
        for &c in l {
            counts[c] += 1;
        }
    }
    counts
}

fn print_months(months: &[MonthResult]) {
    if months.is_empty() {
        return;
    }
    println!("month      trained on  tested  accuracy  macro-F1  cov@90");
    for m in months {
        let cov = m
            .report
            .ranking
            .as_ref()
            .and_then(|r| r.coverage.iter().find(|c| c.target == 0.9))
            .map_or("-".to_string(), |c| format!("{:.3}", c.share));
        println!(
            "{:<9}  {:>10}  {:>6}  {:>8.3}  {:>8.3}  {:>6}",
            m.month.to_string(),
            m.trained_on,
            m.report.n,
            m.report.accuracy,
            m.report.macro_f1,
            cov
        );
    }
    println!();
}

fn print_report(q: &str, r: &Report) {
    let multi = r.confusion.is_none();
    println!(
        "== {} ({}, {} answers{})",
        display_q(q),
        r.protocol,
        r.n,
        if multi {
            ", multi-label: accuracy = exact code set"
        } else {
            ""
        }
    );
    println!(
        "accuracy {:.3}  macro-F1 {:.3}  micro-F1 {:.3}  weighted-F1 {:.3}  kappa {}",
        r.accuracy,
        r.macro_f1,
        r.micro_f1,
        r.weighted_f1,
        r.kappa.map_or("-".to_string(), |k| format!("{k:.3}"))
    );
    if let Some(rk) = &r.ranking {
        print_ranking(rk);
    }
    let w = r
        .per_code
        .iter()
        .map(|c| c.code.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    println!("{:w$}  precision  recall     F1  support", "code");
    for c in &r.per_code {
        let name: String = c.code.chars().take(w).collect();
        println!(
            "{name:w$}  {:>9.3}  {:>6.3}  {:>5.3}  {:>7}",
            c.precision, c.recall, c.f1, c.support
        );
    }
    if let Some(cm) = &r.confusion
        && cm.len() <= 12
    {
        println!("confusion matrix (rows: human code, columns: model), codes in the order above:");
        for row in cm {
            let cells: Vec<String> = row.iter().map(|n| format!("{n:>5}")).collect();
            println!("{}", cells.join(""));
        }
    }
    println!();
}

/// The confidence's ranking: top-3 accuracy, what can be accepted at 95 / 90 / 80 % accuracy,
/// and the reliability table.
fn print_ranking(r: &Ranking) {
    println!("top-3 accuracy {:.3}", r.top3_accuracy);
    for c in &r.coverage {
        match c.threshold {
            Some(t) => println!(
                "accept at {:.0} % accuracy: {:.1} % of the answers (confidence >= {t:.3})",
                c.target * 100.0,
                c.share * 100.0
            ),
            None => println!(
                "accept at {:.0} % accuracy: none (no confidence level keeps that accuracy)",
                c.target * 100.0
            ),
        }
    }
    println!("reliability: confidence bin -> answers, mean confidence, accuracy");
    for b in &r.reliability {
        println!(
            "  [{:.1}, {:.1})  {:>6}  {:.3}  {:.3}",
            b.lo, b.hi, b.n, b.confidence, b.accuracy
        );
    }
}
