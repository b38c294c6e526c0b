//! `codifica evaluate`: how good is the classifier?
//!
//! Without `--model`: stratified k-fold cross-validation of the training settings on the coded
//! examples (workspace or `--examples FILE`). With `--model PATH` (or `--held-out`): the trained
//! model against a held-out coded file. Prints accuracy, macro / micro / weighted F1, Cohen's
//! kappa, per-code precision / recall / F1 / support and the confusion matrix; `--json` for
//! machines. Warns about codes with too few examples to learn.

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
use codifica::model::examples::{load_models, model_files};
use codifica::model::metrics::Report;
use codifica::workspace::Workspace;

/// Options of `codifica evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub examples: ExampleArgs,
    #[command(flatten)]
    pub learner: LearnerArgs,
    /// Evaluate this trained model file on the examples (held-out evaluation) instead of
    /// cross-validating.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Evaluate the workspace's trained models (models/) on the examples.
    #[arg(long, conflicts_with = "model")]
    pub held_out: bool,
    /// Folds of the cross-validation.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `codifica evaluate`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let asettings = analyzer_settings(g);
    let mut analyzer = Analyzer::new(&asettings);
    let by_q = gather_examples(&args.examples, g)?;
    let mut results: Vec<(String, Report, Vec<String>)> = Vec::new();
    if args.model.is_some() || args.held_out {
        let paths = match &args.model {
            Some(p) => vec![p.clone()],
            None => {
                let ws = Workspace::open(&g.workspace)
                    .with_context(|| format!("no workspace at {}", g.workspace.display()))?;
                model_files(&ws.models_dir())?
            }
        };
        let set = load_models(&paths, &asettings)?;
        for (q, ex) in &by_q {
            let m = set.get(q)?;
            let r = evaluate_holdout(m, &mut analyzer, ex)
                .with_context(|| format!("question {}", display_q(q)))?;
            results.push((q.clone(), r, Vec::new()));
        }
    } else {
        if args.folds < 2 {
            bail!("--folds must be at least 2");
        }
        let mut settings = args.learner.settings()?;
        settings.cv_folds = args.folds;
        for (q, ex) in &by_q {
            let settings = settings_for(&settings, &args.examples, ex);
            let p = prepare(&mut analyzer, ex, settings.multi_label)
                .with_context(|| format!("question {}", display_q(q)))?;
            let mut warnings = p.warnings.clone();
            let mut counts = vec![0usize; p.codes.len()];
            for l in &p.labels {
                for &c in l {
                    counts[c] += 1;
                }
            }
            for (c, n) in p.codes.iter().zip(&counts) {
                if *n < MIN_EXAMPLES_PER_CODE {
                    warnings.push(format!("code {c} has only {n} examples: too few to learn"));
                }
            }
            if p.codes.len() < 2 {
                bail!(
                    "question {}: only one code, nothing to evaluate",
                    display_q(q)
                );
            }
            let out = cross_validate(&settings, &p.codes, &p.terms, &p.labels)
                .with_context(|| format!("question {}", display_q(q)))?;
            results.push((q.clone(), out.report, warnings));
        }
    }
    if args.json {
        let v: Vec<_> = results
            .iter()
            .map(|(q, r, w)| serde_json::json!({"question": q, "report": r, "warnings": w}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let mode = if args.model.is_some() || args.held_out {
        "held-out".to_string()
    } else {
        format!("{}-fold cross-validation", args.folds)
    };
    for (q, r, w) in &results {
        print_report(q, r, &mode);
        for w in w {
            eprintln!("warning: {}: {w}", display_q(q));
        }
    }
    Ok(())
}

fn print_report(q: &str, r: &Report, mode: &str) {
    let multi = r.confusion.is_none();
    println!(
        "== {} ({mode}, {} answers{})",
        display_q(q),
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
