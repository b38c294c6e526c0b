//! `codifica evaluate`: how good is the classifier?
//!
//! Validation of the training settings (forward in time, grouped or k-fold), or trained models
//! against held-out examples: [`codifica::app::evaluate`]; the tables are in `evaluate_print`.

use std::path::PathBuf;

use super::examples::ExampleArgs;
use super::learn::{LearnerArgs, analyzer_settings, workspace};
use super::{Global, evaluate_print};
use codifica::analyze::AnalyzerSettings;
use codifica::app::Unmonitored;
use codifica::app::evaluate::{self, EvaluateRequest};
use codifica::app::files::{load_models, model_files};
use codifica::model::ModelSet;

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

/// Runs `codifica evaluate`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let req = args.request()?;
    evaluate::check_request(&req)?;
    let analyzer = analyzer_settings(g);
    let by_q = args.examples.gather(g)?;
    let results = match args.model.is_some() || args.held_out {
        true => evaluate::held_out(&args.models(g, &analyzer)?, &analyzer, &by_q)?,
        false => evaluate::validate_all(&analyzer, &by_q, &req, &Unmonitored)?,
    };
    evaluate_print::print_all(&results, args.json)
}

impl Args {
    fn request(&self) -> anyhow::Result<EvaluateRequest> {
        Ok(EvaluateRequest {
            settings: self.learner.settings()?,
            from_workspace: self.examples.examples.is_none(),
            kfold: self.kfold,
            folds: self.folds,
            last: self.last,
        })
    }

    /// `--model PATH`, or the workspace's models (`--held-out`).
    fn models(&self, g: &Global, analyzer: &AnalyzerSettings) -> anyhow::Result<ModelSet> {
        let paths = match &self.model {
            Some(p) => vec![p.clone()],
            None => model_files(&workspace(g, "")?.models_dir())?,
        };
        Ok(load_models(&paths, analyzer)?)
    }
}
