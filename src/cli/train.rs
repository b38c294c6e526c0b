//! `codifica train`: learn one classifier per question from coded examples.
//!
//! Workspace mode (default): the human codes of the workspace's coded (open / choice) questions,
//! one model file per question in `models/`. File mode: `--examples FILE --text-column C
//! --code-column C [--question-column C] [--where COL=VAL]…`, one classifier per distinct
//! question value, all in one model file (`--model PATH`, default `models/<name>.model`).
//! The option groups here are shared with `evaluate` (same settings, same examples).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::Global;
use codifica::analyze::{Analyzer, AnalyzerSettings};
use codifica::features::TfidfSettings;
use codifica::model::classifier::{DEFAULT_CV_MAX_ROWS, Learner};
use codifica::model::examples::{ExampleSpec, RowFilter, model_file_name, read_examples};
use codifica::model::linear::{ClassWeight, ComplementNbSettings, LinearSvcSettings};
use codifica::model::{Example, ModelSet, QuestionModel, TrainSettings};
use codifica::store::{AnswerFilter, Store};
use codifica::workspace::Workspace;

/// Where the coded examples come from (shared with `evaluate`).
#[derive(Debug, Clone, clap::Args)]
pub struct ExampleArgs {
    /// A CSV/XLSX of coded examples instead of the workspace's human codes.
    #[arg(long, value_name = "FILE")]
    pub examples: Option<PathBuf>,
    /// Column with the answer text (with --examples).
    #[arg(long, value_name = "C", default_value = "text")]
    pub text_column: String,
    /// Column with the code(s), several separated by `;` (with --examples).
    #[arg(long, value_name = "C", default_value = "code")]
    pub code_column: String,
    /// Column naming the question: one classifier per distinct value (with --examples).
    #[arg(long, value_name = "C")]
    pub question_column: Option<String>,
    /// Keep only rows where COL=VAL (or COL!=VAL); repeatable (with --examples).
    #[arg(long = "where", value_name = "COL=VAL")]
    pub filters: Vec<RowFilter>,
    /// Only this question (workspace mode, or one value of --question-column).
    #[arg(long, value_name = "Q")]
    pub question: Option<String>,
}

/// Learner and feature settings (shared with `evaluate`). Defaults chosen by measurement on the
/// cabildos benchmark (see scripts/bench_classifier.sh and models/README.md).
#[derive(Debug, Clone, clap::Args)]
pub struct LearnerArgs {
    /// Answers may carry several codes (one-vs-rest with a threshold) instead of exactly one.
    /// In workspace mode a question whose human codes already have several codes per answer is
    /// trained multi-label anyway.
    #[arg(long)]
    pub multi_label: bool,
    /// Learner: `svc` (linear SVM), `cnb` (Complement Naive Bayes) or `svc+cnb` (blend).
    #[arg(long, default_value = "svc", value_parser = ["svc", "cnb", "svc+cnb"])]
    pub learner: String,
    /// SVM regularisation C (larger = fits the training codes more closely).
    #[arg(long, default_value_t = 0.2)]
    pub c: f64,
    /// SVM class weights: `balanced` (rare codes count more) or `uniform`.
    #[arg(long, default_value = "balanced", value_parser = ["balanced", "uniform"])]
    pub class_weight: String,
    /// Complement NB smoothing.
    #[arg(long, default_value_t = 0.3)]
    pub cnb_alpha: f64,
    /// Weight of the naive Bayes scores in the `svc+cnb` blend.
    #[arg(long, default_value_t = 0.5)]
    pub cnb_weight: f32,
    /// Longest word n-gram (1 or 2).
    #[arg(long, default_value_t = 2)]
    pub ngrams: u8,
    /// Character n-grams inside terms, e.g. `3-5`, or `none`.
    #[arg(long, default_value = "3-5")]
    pub char_ngrams: String,
    /// Minimum number of training answers a feature must occur in.
    #[arg(long, default_value_t = 1)]
    pub min_df: u32,
    /// Cross-validation folds for the stored metrics and the confidence calibration (0 = none).
    #[arg(long, default_value_t = 5)]
    pub cv_folds: usize,
    /// When training: cross-validate (for the stored metrics, calibration and offsets) on a
    /// stratified sample of at most about this many answers per question (0 = all); the final
    /// model always learns from every answer. `evaluate` always uses every answer.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CV_MAX_ROWS)]
    pub cv_max_rows: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Do not shift per-code decision offsets to raise cross-validated macro-F1.
    #[arg(long)]
    pub no_offsets: bool,
}

impl LearnerArgs {
    /// The validated training settings.
    pub fn settings(&self) -> anyhow::Result<TrainSettings> {
        let char_ngrams = match self.char_ngrams.trim() {
            "none" | "" => None,
            s => {
                let (a, b) = s
                    .split_once('-')
                    .with_context(|| format!("--char-ngrams {s:?}: expected MIN-MAX or none"))?;
                Some((
                    a.trim().parse().context("--char-ngrams: bad minimum")?,
                    b.trim().parse().context("--char-ngrams: bad maximum")?,
                ))
            }
        };
        let svc = LinearSvcSettings {
            c: self.c,
            class_weight: if self.class_weight == "uniform" {
                ClassWeight::Uniform
            } else {
                ClassWeight::Balanced
            },
            seed: self.seed,
            ..Default::default()
        };
        let cnb = ComplementNbSettings {
            alpha: self.cnb_alpha,
        };
        let learner = match self.learner.as_str() {
            "cnb" => Learner::ComplementNb(cnb),
            "svc+cnb" => Learner::SvcCnb {
                svc,
                cnb,
                cnb_weight: self.cnb_weight,
            },
            _ => Learner::LinearSvc(svc),
        };
        Ok(TrainSettings {
            tfidf: TfidfSettings {
                word_ngram_max: self.ngrams,
                char_ngrams,
                min_df: self.min_df,
                sublinear_tf: true,
            },
            learner,
            multi_label: self.multi_label,
            cv_folds: self.cv_folds,
            cv_max_rows: self.cv_max_rows,
            seed: self.seed,
            tune_offsets: !self.no_offsets,
        })
    }
}

/// Options of `codifica train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub examples: ExampleArgs,
    #[command(flatten)]
    pub learner: LearnerArgs,
    /// Model file to write (default: the workspace's models/ folder, one file per question).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Print the training summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The analyzer settings to use: the workspace's when there is one, else the defaults.
pub fn analyzer_settings(g: &Global) -> AnalyzerSettings {
    Workspace::open(&g.workspace)
        .map(|ws| ws.config().analyzer.clone())
        .unwrap_or_default()
}

/// Coded examples grouped by question, from the file or the workspace.
pub fn gather_examples(
    ex: &ExampleArgs,
    g: &Global,
) -> anyhow::Result<BTreeMap<String, Vec<Example>>> {
    let mut by_q = match &ex.examples {
        Some(file) => read_examples(&ExampleSpec {
            file: file.clone(),
            text_column: ex.text_column.clone(),
            code_column: ex.code_column.clone(),
            question_column: ex.question_column.clone(),
            filters: ex.filters.clone(),
        })?,
        None => workspace_examples(g, ex.question.as_deref())?,
    };
    if let Some(q) = &ex.question {
        if ex.examples.is_some() && ex.question_column.is_some() {
            by_q.retain(|k, _| k == q);
        }
        if by_q.is_empty() {
            bail!("no coded examples for question {q:?}");
        }
    }
    Ok(by_q)
}

/// Human-coded answers of the workspace's coded questions.
fn workspace_examples(
    g: &Global,
    only: Option<&str>,
) -> anyhow::Result<BTreeMap<String, Vec<Example>>> {
    let ws = Workspace::open(&g.workspace).with_context(|| {
        format!(
            "no workspace at {} (or pass --examples FILE)",
            g.workspace.display()
        )
    })?;
    if let Some(q) = only {
        match ws.config().question(q) {
            None => bail!("the workspace has no question {q:?}"),
            Some(question) if !question.is_coded() => {
                bail!("question {q:?} is a rating question: only open/choice questions are coded")
            }
            _ => {}
        }
    }
    let store = Store::open(&ws)?;
    let mut out = BTreeMap::new();
    for q in ws.config().coded_questions() {
        if only.is_some_and(|o| o != q.id) {
            continue;
        }
        let answers = store.answers(&AnswerFilter {
            question: Some(q.id.clone()),
            ..Default::default()
        })?;
        let ex: Vec<Example> = answers
            .into_iter()
            .filter(|a| !a.codes.is_empty())
            .map(|a| Example {
                text: a.text,
                codes: a.codes,
            })
            .collect();
        if !ex.is_empty() {
            out.insert(q.id.clone(), ex);
        }
    }
    if out.is_empty() {
        bail!("the workspace has no human-coded answers to learn from (import coded months first)");
    }
    Ok(out)
}

/// Runs `codifica train`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let settings = args.learner.settings()?;
    let analyzer_settings = analyzer_settings(g);
    let mut analyzer = Analyzer::new(&analyzer_settings);
    let by_q = gather_examples(&args.examples, g)?;
    let mut models = Vec::new();
    for (q, ex) in &by_q {
        let s = settings_for(&settings, &args.examples, ex);
        let m = QuestionModel::train(q, &mut analyzer, ex, &s)
            .with_context(|| format!("question {}", display_q(q)))?;
        models.push(m);
    }
    let written = write_models(&args, g, &analyzer_settings, models.clone())?;
    if args.json {
        let summary: Vec<_> = models
            .iter()
            .map(|m| {
                serde_json::json!({
                    "question": m.question, "rows": m.meta.rows, "non_answers": m.meta.non_answers,
                    "codes": m.codes.len(), "rows_per_code": m.meta.rows_per_code,
                    "cv": m.meta.cv.as_ref().map(|r| serde_json::json!({
                        "rows": r.n, "accuracy": r.accuracy, "macro_f1": r.macro_f1, "micro_f1": r.micro_f1,
                        "weighted_f1": r.weighted_f1, "kappa": r.kappa })),
                    "warnings": m.meta.warnings,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "models": summary,
                "files": written,
            }))?
        );
        return Ok(());
    }
    for m in &models {
        let cv = m
            .meta
            .cv
            .as_ref()
            .map_or("no cross-validation".to_string(), |r| {
                let sample = if r.n < m.meta.rows {
                    format!(" on a sample of {}", r.n)
                } else {
                    String::new()
                };
                format!(
                    "{}-fold CV{sample}: accuracy {:.3}, macro-F1 {:.3}",
                    m.settings.cv_folds, r.accuracy, r.macro_f1
                )
            });
        println!(
            "{}: {} answers, {} codes{}, {} non-answers skipped; {cv}",
            display_q(&m.question),
            m.meta.rows,
            m.codes.len(),
            if m.settings.multi_label {
                " (multi-label)"
            } else {
                ""
            },
            m.meta.non_answers
        );
        for w in &m.meta.warnings {
            eprintln!("warning: {}: {w}", display_q(&m.question));
        }
    }
    for f in &written {
        if !g.quiet {
            println!("wrote {}", f.display());
        }
    }
    Ok(())
}

/// The settings for one question: in workspace mode a question whose human codes include
/// answers with several codes is trained multi-label (its codebook allows it); in file mode
/// only `--multi-label` decides.
pub fn settings_for(base: &TrainSettings, ex_args: &ExampleArgs, ex: &[Example]) -> TrainSettings {
    let mut s = base.clone();
    if ex_args.examples.is_none() && ex.iter().any(|e| e.codes.len() > 1) {
        s.multi_label = true;
    }
    s
}

/// A question id for messages.
pub fn display_q(q: &str) -> String {
    if q.is_empty() {
        "(all answers)".into()
    } else {
        q.to_string()
    }
}

fn write_models(
    args: &Args,
    g: &Global,
    analyzer: &AnalyzerSettings,
    models: Vec<QuestionModel>,
) -> anyhow::Result<Vec<PathBuf>> {
    if let Some(path) = &args.model {
        ModelSet::new(analyzer, models).save(path)?;
        return Ok(vec![path.clone()]);
    }
    let ws = Workspace::open(&g.workspace).with_context(|| {
        format!(
            "no workspace at {} to hold the model: pass --model PATH",
            g.workspace.display()
        )
    })?;
    let _lock = ws.lock()?;
    let dir = ws.models_dir();
    let mut out = Vec::new();
    for m in models {
        let path: PathBuf = dir.join(model_file_name(&m.question));
        ModelSet::new(analyzer, vec![m]).save(Path::new(&path))?;
        out.push(path);
    }
    Ok(out)
}
