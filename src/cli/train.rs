//! `codifica train`: learn one classifier per question from coded examples.
//!
//! Workspace mode (default): the human codes of the workspace's coded (open / choice) questions,
//! one model file per question in `models/`. File mode: `--examples FILE --text-column C
//! --code-column C [--question-column C] [--where COL=VAL]…`, one classifier per distinct
//! question value, all in one model file (`--model PATH`, default `models/<name>.model`).
//! The use case is [`codifica::app::train`]; this file turns flags into its request.

use std::path::PathBuf;

use super::examples::ExampleArgs;
use super::learn::{LearnerArgs, analyzer_settings, workspace};
use super::{Global, train_print};
use codifica::app::Unmonitored;
use codifica::app::train::{self, Destination, TrainReport, TrainRequest};
use codifica::model::TrainSettings;
use codifica::store::Store;

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

/// Runs `codifica train`.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let settings = args.learner.settings()?;
    let report = match &args.examples.examples {
        Some(_) => from_file(&args, settings, g)?,
        None => from_workspace(&args, settings, g)?,
    };
    train_print::print(&report, args.json, g.quiet)
}

/// Workspace mode: its human codes, one model file per question.
fn from_workspace(args: &Args, settings: TrainSettings, g: &Global) -> anyhow::Result<TrainReport> {
    args.examples.no_groups()?;
    let ws = workspace(g, "(or pass --examples FILE)")?;
    let question = args.examples.question.clone();
    let req = TrainRequest { question, settings };
    let store = Store::open(&ws)?;
    Ok(train::train_workspace(&ws, &store, &req, &Unmonitored)?)
}

/// File mode: the examples first (a bad file is refused before anything else), then where to.
fn from_file(args: &Args, settings: TrainSettings, g: &Global) -> anyhow::Result<TrainReport> {
    let by_q = args.examples.gather(g)?;
    let (a, s) = (analyzer_settings(g), &settings);
    if let Some(path) = &args.model {
        let to = Destination::File(path);
        return Ok(train::train_file(&by_q, s, &a, to, &Unmonitored)?);
    }
    let ws = workspace(g, "to hold the model: pass --model PATH")?;
    let to = Destination::Workspace(&ws);
    Ok(train::train_file(&by_q, s, &a, to, &Unmonitored)?)
}
