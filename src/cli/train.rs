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
use codifica::model::classifier::{DEFAULT_CV_MAX_ROWS, Learner};
use codifica::model::examples::{
    ExampleSpec, RowFilter, WorkspaceExamples, model_file_name, read_examples, workspace_examples,
};
use codifica::model::linear::{ClassWeight, ComplementNbSettings, LinearSvcSettings};
use codifica::model::{Example, LearnerKind, ModelSet, QuestionModel, TrainSettings};
use codifica::store::Store;
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
    /// Column naming each answer's group (cabildo, region, month…): validation keeps whole
    /// groups on one side, as a new month does (with --examples).
    #[arg(long, value_name = "C")]
    pub group_column: Option<String>,
}

/// Learner and feature settings (shared with `evaluate`). Unset options take the library's
/// defaults ([`TrainSettings::default`]), chosen by grouped validation on the cabildos
/// benchmark (see scripts/bench_classifier.sh and models/README.md).
#[derive(Debug, Clone, clap::Args)]
pub struct LearnerArgs {
    /// Answers may carry several codes (one-vs-rest with a threshold) instead of exactly one.
    /// In workspace mode a question whose human codes already have several codes per answer is
    /// trained multi-label anyway.
    #[arg(long)]
    pub multi_label: bool,
    /// Learner: `svc` (linear SVM), `cnb` (Complement Naive Bayes) or `svc+cnb` (blend)
    /// [default: the library's].
    #[arg(long)]
    pub learner: Option<LearnerKind>,
    /// SVM regularisation C (larger = fits the training codes more closely).
    #[arg(long)]
    pub c: Option<f64>,
    /// SVM class weights: `balanced` (rare codes count more) or `uniform`.
    #[arg(long)]
    pub class_weight: Option<ClassWeight>,
    /// Complement NB smoothing.
    #[arg(long, default_value_t = 0.3)]
    pub cnb_alpha: f64,
    /// Weight of the naive Bayes scores in the `svc+cnb` blend.
    #[arg(long, default_value_t = 0.5)]
    pub cnb_weight: f32,
    /// Longest word n-gram (1 or 2).
    #[arg(long)]
    pub ngrams: Option<u8>,
    /// Character n-grams inside the stemmed terms, e.g. `3-5`, or `none`.
    #[arg(long, value_name = "MIN-MAX|none")]
    pub char_ngrams: Option<String>,
    /// Character n-grams of the surface words (folded, stop words kept), e.g. `2-5`, or `none`.
    #[arg(long, value_name = "MIN-MAX|none")]
    pub word_chars: Option<String>,
    /// Minimum number of training answers a feature must occur in.
    #[arg(long)]
    pub min_df: Option<u32>,
    /// Cross-validation folds for the stored metrics, the offsets, the calibration and the
    /// confidence (0 = none).
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

/// `MIN-MAX` or `none`.
fn parse_range(flag: &str, s: &str) -> anyhow::Result<Option<(u8, u8)>> {
    match s.trim() {
        "none" | "" => Ok(None),
        s => {
            let (a, b) = s
                .split_once('-')
                .with_context(|| format!("{flag} {s:?}: expected MIN-MAX or none"))?;
            Ok(Some((
                a.trim()
                    .parse()
                    .with_context(|| format!("{flag}: bad minimum"))?,
                b.trim()
                    .parse()
                    .with_context(|| format!("{flag}: bad maximum"))?,
            )))
        }
    }
}

impl LearnerArgs {
    /// The training settings: the library's defaults with the given options applied.
    pub fn settings(&self) -> anyhow::Result<TrainSettings> {
        let mut s = TrainSettings::default();
        if let Some(c) = &self.char_ngrams {
            s.tfidf.char_ngrams = parse_range("--char-ngrams", c)?;
        }
        if let Some(w) = &self.word_chars {
            s.tfidf.word_chars = parse_range("--word-chars", w)?;
        }
        if let Some(n) = self.ngrams {
            s.tfidf.word_ngram_max = n;
        }
        if let Some(m) = self.min_df {
            s.tfidf.min_df = m;
        }
        let mut svc = match &s.learner {
            Learner::LinearSvc(v) | Learner::SvcCnb { svc: v, .. } => v.clone(),
            Learner::ComplementNb(_) => LinearSvcSettings::default(),
        };
        if let Some(c) = self.c {
            svc.c = c;
        }
        if let Some(w) = self.class_weight {
            svc.class_weight = w;
        }
        svc.seed = self.seed;
        let cnb = ComplementNbSettings {
            alpha: self.cnb_alpha,
        };
        s.learner = match self.learner {
            Some(LearnerKind::Cnb) => Learner::ComplementNb(cnb),
            Some(LearnerKind::SvcCnb) => Learner::SvcCnb {
                svc,
                cnb,
                cnb_weight: self.cnb_weight,
            },
            Some(LearnerKind::Svc) => Learner::LinearSvc(svc),
            None => match s.learner {
                Learner::LinearSvc(_) => Learner::LinearSvc(svc),
                Learner::SvcCnb { cnb_weight, .. } => Learner::SvcCnb {
                    svc,
                    cnb,
                    cnb_weight,
                },
                other => other,
            },
        };
        s.multi_label = self.multi_label;
        s.cv_folds = self.cv_folds;
        s.cv_max_rows = self.cv_max_rows;
        s.seed = self.seed;
        s.tune_offsets = s.tune_offsets && !self.no_offsets;
        Ok(s)
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

/// Coded examples grouped by question, from the file or the workspace (with their months in
/// workspace mode; none for a file).
pub fn gather_examples(
    ex: &ExampleArgs,
    g: &Global,
) -> anyhow::Result<BTreeMap<String, WorkspaceExamples>> {
    let mut by_q = match &ex.examples {
        Some(file) => read_examples(&ExampleSpec {
            file: file.clone(),
            text_column: ex.text_column.clone(),
            code_column: ex.code_column.clone(),
            question_column: ex.question_column.clone(),
            filters: ex.filters.clone(),
            group_column: ex.group_column.clone(),
        })?
        .into_iter()
        .map(|(q, examples)| {
            let w = WorkspaceExamples {
                examples,
                months: Vec::new(),
            };
            (q, w)
        })
        .collect(),
        None => {
            if ex.group_column.is_some() {
                bail!("--group-column goes with --examples (a workspace is grouped by month)");
            }
            from_workspace(g, ex.question.as_deref())?
        }
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
fn from_workspace(
    g: &Global,
    only: Option<&str>,
) -> anyhow::Result<BTreeMap<String, WorkspaceExamples>> {
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
    let out = workspace_examples(&store, ws.config(), only)?;
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
    for (q, w) in &by_q {
        let ex = &w.examples;
        let s = settings_for(&settings, &args.examples, ex).check()?;
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
                let cov = r
                    .ranking
                    .as_ref()
                    .and_then(|k| k.coverage.iter().find(|c| c.target == 0.9))
                    .map_or(String::new(), |c| {
                        format!(", {:.1} % acceptable at 90 % accuracy", c.share * 100.0)
                    });
                format!(
                    "{}{sample}: accuracy {:.3}, macro-F1 {:.3}{cov}",
                    r.protocol, r.accuracy, r.macro_f1
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
