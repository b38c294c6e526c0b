//! The learner's settings `train` and `evaluate` share, turned into the use cases' settings (the
//! examples' options are in `examples.rs`), and how both find the workspace and its analyzer.

use anyhow::Context;

use super::Global;
use codifica::analyze::AnalyzerSettings;
use codifica::model::TrainSettings;
use codifica::model::classifier::{DEFAULT_CV_MAX_ROWS, Learner};
use codifica::model::linear::{ClassWeight, ComplementNbSettings, LinearSvcSettings};
use codifica::workspace::Workspace;

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
