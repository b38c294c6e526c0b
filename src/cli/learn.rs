//! The option groups `train` and `evaluate` share: where the coded examples come from and the
//! learner's settings, turned into the use cases' requests.

use std::path::PathBuf;

use anyhow::{Context, bail};

use super::Global;
use codifica::analyze::AnalyzerSettings;
use codifica::app::train::ByQuestion;
use codifica::model::TrainSettings;
use codifica::model::classifier::{DEFAULT_CV_MAX_ROWS, Learner};
use codifica::model::examples::{ExampleSpec, RowFilter};
use codifica::model::linear::{ClassWeight, ComplementNbSettings, LinearSvcSettings};
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
    #[arg(long, value_parser = ["svc", "cnb", "svc+cnb"])]
    pub learner: Option<String>,
    /// SVM regularisation C (larger = fits the training codes more closely).
    #[arg(long)]
    pub c: Option<f64>,
    /// SVM class weights: `balanced` (rare codes count more) or `uniform`.
    #[arg(long, value_parser = ["balanced", "uniform"])]
    pub class_weight: Option<String>,
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
    let s = s.trim();
    if s == "none" || s.is_empty() {
        return Ok(None);
    }
    let (a, b) = s
        .split_once('-')
        .with_context(|| format!("{flag} {s:?}: expected MIN-MAX or none"))?;
    let min = a
        .trim()
        .parse()
        .with_context(|| format!("{flag}: bad minimum"));
    let max = b
        .trim()
        .parse()
        .with_context(|| format!("{flag}: bad maximum"));
    Ok(Some((min?, max?)))
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
        s.tfidf.word_ngram_max = self.ngrams.unwrap_or(s.tfidf.word_ngram_max);
        s.tfidf.min_df = self.min_df.unwrap_or(s.tfidf.min_df);
        s.learner = self.learner(&s.learner);
        s.multi_label = self.multi_label;
        s.cv_folds = self.cv_folds;
        s.cv_max_rows = self.cv_max_rows;
        s.seed = self.seed;
        s.tune_offsets = s.tune_offsets && !self.no_offsets;
        Ok(s)
    }

    /// The SVM settings: the default learner's, with `--c`, `--class-weight` and the seed.
    fn svc(&self, default: &Learner) -> LinearSvcSettings {
        let mut svc = match default {
            Learner::LinearSvc(v) | Learner::SvcCnb { svc: v, .. } => v.clone(),
            Learner::ComplementNb(_) => LinearSvcSettings::default(),
        };
        svc.c = self.c.unwrap_or(svc.c);
        if let Some(w) = &self.class_weight {
            svc.class_weight = match w.as_str() {
                "uniform" => ClassWeight::Uniform,
                _ => ClassWeight::Balanced,
            };
        }
        svc.seed = self.seed;
        svc
    }

    /// `--learner` over the default learner.
    fn learner(&self, default: &Learner) -> Learner {
        let svc = self.svc(default);
        let cnb = ComplementNbSettings {
            alpha: self.cnb_alpha,
        };
        let cnb_weight = self.cnb_weight;
        match (self.learner.as_deref(), default) {
            (Some("cnb"), _) => Learner::ComplementNb(cnb),
            (Some("svc+cnb"), _) => Learner::SvcCnb {
                svc,
                cnb,
                cnb_weight,
            },
            (Some(_), _) | (None, Learner::LinearSvc(_)) => Learner::LinearSvc(svc),
            (None, Learner::SvcCnb { cnb_weight, .. }) => Learner::SvcCnb {
                svc,
                cnb,
                cnb_weight: *cnb_weight,
            },
            (None, other) => other.clone(),
        }
    }
}

impl ExampleArgs {
    /// The example file's reading rules (with `--examples`).
    pub fn spec(&self) -> Option<ExampleSpec> {
        Some(ExampleSpec {
            file: self.examples.clone()?,
            text_column: self.text_column.clone(),
            code_column: self.code_column.clone(),
            question_column: self.question_column.clone(),
            filters: self.filters.clone(),
            group_column: self.group_column.clone(),
        })
    }

    /// Coded examples grouped by question, from the file or the workspace.
    pub fn gather(&self, g: &Global) -> anyhow::Result<ByQuestion> {
        if let Some(spec) = self.spec() {
            return Ok(codifica::app::train::file_examples(
                &spec,
                self.question.as_deref(),
            )?);
        }
        self.no_groups()?;
        let ws = workspace(g, "(or pass --examples FILE)")?;
        let store = Store::open(&ws)?;
        let q = self.question.as_deref();
        Ok(codifica::app::train::workspace_examples_for(
            &ws, &store, q,
        )?)
    }
}

impl ExampleArgs {
    /// Refuses `--group-column` without `--examples`.
    pub fn no_groups(&self) -> anyhow::Result<()> {
        if self.group_column.is_some() {
            bail!("--group-column goes with --examples (a workspace is grouped by month)");
        }
        Ok(())
    }
}

/// The workspace, or an error saying what to pass instead.
pub fn workspace(g: &Global, instead: &str) -> anyhow::Result<Workspace> {
    let at = g.workspace.display();
    let sep = if instead.is_empty() { "" } else { " " };
    Workspace::open(&g.workspace).with_context(|| format!("no workspace at {at}{sep}{instead}"))
}

/// The analyzer settings to use: the workspace's when there is one, else the defaults.
pub fn analyzer_settings(g: &Global) -> AnalyzerSettings {
    Workspace::open(&g.workspace)
        .map(|ws| ws.config().analyzer.clone())
        .unwrap_or_default()
}
