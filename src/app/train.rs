//! Use case: train one classifier per question from coded examples — the workspace's human codes
//! (one model file per question in `models/`) or a coded file (all questions in one model file).
//! `evaluate` gathers its examples here too, so both see the same answers.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::analyze::{Analyzer, AnalyzerSettings};
use crate::app::{Monitor, check, display_q};
use crate::error::{Error, Result};
use crate::model::examples::{
    ExampleSpec, WorkspaceExamples, model_file_name, read_examples, workspace_examples,
};
use crate::model::{Example, ModelSet, QuestionModel, TrainSettings};
use crate::store::Store;
use crate::workspace::{Workspace, WorkspaceLock};

/// Coded examples by question id.
pub type ByQuestion = BTreeMap<String, WorkspaceExamples>;

/// Training the workspace: its human codes, one model file per question in `models/`.
#[derive(Debug, Clone, Default)]
pub struct TrainRequest {
    /// Only this question (else every coded question with human codes).
    pub question: Option<String>,
    pub settings: TrainSettings,
}

/// Where a training from a file writes its models.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    /// Every question's model in this one file.
    File(&'a std::path::Path),
    /// One file per question in the workspace's `models/` (under its write lock).
    Workspace(&'a Workspace),
}

/// What a training wrote.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// The trained models, by question (their metadata holds the cross-validation).
    pub models: Vec<QuestionModel>,
    /// The model files written.
    pub files: Vec<PathBuf>,
}

/// Trains the workspace's coded questions and writes one model file per question. Holds the
/// workspace's write lock from the first read to the last write (another process meanwhile
/// gets "busy"); checks `monitor` between questions, and a stopped job writes nothing.
pub fn train_workspace(
    ws: &Workspace,
    store: &Store,
    req: &TrainRequest,
    monitor: &dyn Monitor,
) -> Result<TrainReport> {
    let lock = ws.lock()?;
    train_locked(ws, store, req, monitor, &lock)
}

/// [`train_workspace`] for a caller that already holds the workspace's write lock (a web job
/// holds it for the whole job).
pub fn train_locked(
    ws: &Workspace,
    store: &Store,
    req: &TrainRequest,
    monitor: &dyn Monitor,
    _lock: &WorkspaceLock,
) -> Result<TrainReport> {
    let by_q = workspace_examples_for(ws, store, req.question.as_deref())?;
    let analyzer = &ws.config().analyzer;
    let models = train_all(analyzer, &by_q, &req.settings, true, monitor)?;
    check(monitor)?;
    let files = write_workspace_models(ws, analyzer, &models)?;
    Ok(TrainReport { models, files })
}

/// Trains on examples read from a coded file ([`file_examples`]) and writes the models to `to`.
pub fn train_file(
    by_q: &ByQuestion,
    settings: &TrainSettings,
    analyzer: &AnalyzerSettings,
    to: Destination<'_>,
    monitor: &dyn Monitor,
) -> Result<TrainReport> {
    let models = train_all(analyzer, by_q, settings, false, monitor)?;
    check(monitor)?;
    let files = match to {
        Destination::File(path) => {
            ModelSet::new(analyzer, models.clone()).save(path)?;
            vec![path.to_path_buf()]
        }
        Destination::Workspace(ws) => {
            let _lock = ws.lock()?;
            write_workspace_models(ws, analyzer, &models)?
        }
    };
    Ok(TrainReport { models, files })
}

/// One model per question, in question order.
fn train_all(
    analyzer: &AnalyzerSettings,
    by_q: &ByQuestion,
    base: &TrainSettings,
    from_workspace: bool,
    monitor: &dyn Monitor,
) -> Result<Vec<QuestionModel>> {
    let mut analyzer = Analyzer::new(analyzer);
    let mut models = Vec::new();
    for (i, (q, w)) in by_q.iter().enumerate() {
        check(monitor)?;
        monitor.progress(i, by_q.len(), q);
        let s = settings_for(base, from_workspace, &w.examples).check()?;
        let m = QuestionModel::train(q, &mut analyzer, &w.examples, &s)
            .map_err(|e| Error::from(e).context(format!("question {}", display_q(q))))?;
        models.push(m);
    }
    monitor.progress(by_q.len(), by_q.len(), "");
    Ok(models)
}

/// Writes one model file per question into the workspace's `models/` (the caller holds the lock).
fn write_workspace_models(
    ws: &Workspace,
    analyzer: &AnalyzerSettings,
    models: &[QuestionModel],
) -> Result<Vec<PathBuf>> {
    let dir = ws.models_dir();
    let mut out = Vec::new();
    for m in models {
        let path = dir.join(model_file_name(&m.question));
        ModelSet::new(analyzer, vec![m.clone()]).save(&path)?;
        out.push(path);
    }
    Ok(out)
}

/// The settings for one question: in workspace mode a question whose human codes include
/// answers with several codes is trained multi-label (its codebook allows it); from a file only
/// the request's `multi_label` decides.
pub fn settings_for(base: &TrainSettings, from_workspace: bool, ex: &[Example]) -> TrainSettings {
    let mut s = base.clone();
    if from_workspace && ex.iter().any(|e| e.codes.len() > 1) {
        s.multi_label = true;
    }
    s
}

/// The human-coded answers of the workspace's coded questions (or only `only`, which must be a
/// coded question of the config).
pub fn workspace_examples_for(
    ws: &Workspace,
    store: &Store,
    only: Option<&str>,
) -> Result<ByQuestion> {
    if let Some(q) = only {
        match ws.config().question(q) {
            None => {
                return Err(Error::invalid(format!(
                    "the workspace has no question {q:?}"
                )));
            }
            Some(question) if !question.is_coded() => {
                return Err(Error::invalid(format!(
                    "question {q:?} is a rating question: only open/choice questions are coded"
                )));
            }
            _ => {}
        }
    }
    let out = workspace_examples(store, ws.config(), only)?;
    if out.is_empty() {
        return Err(Error::invalid(
            "the workspace has no human-coded answers to learn from (import coded months first)",
        ));
    }
    Ok(out)
}

/// The coded examples of a file, by question; `only` keeps one value of its question column.
pub fn file_examples(spec: &ExampleSpec, only: Option<&str>) -> Result<ByQuestion> {
    let mut by_q: ByQuestion = read_examples(spec)?
        .into_iter()
        .map(|(q, examples)| {
            let months = Vec::new();
            (q, WorkspaceExamples { examples, months })
        })
        .collect();
    if let Some(q) = only {
        if spec.question_column.is_some() {
            by_q.retain(|k, _| k == q);
        }
        if by_q.is_empty() {
            return Err(Error::invalid(format!(
                "no coded examples for question {q:?}"
            )));
        }
    }
    Ok(by_q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(codes: &[&str]) -> Example {
        Example {
            text: "texto".into(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
            group: None,
        }
    }

    /// Several human codes on one answer make a workspace question multi-label; a file's
    /// question only by the request.
    #[test]
    fn multi_label_follows_the_workspace_codes() {
        let base = TrainSettings::default();
        let ex = [example(&["a"]), example(&["a", "b"])];
        assert!(settings_for(&base, true, &ex).multi_label);
        assert!(!settings_for(&base, false, &ex).multi_label);
        assert!(!settings_for(&base, true, &ex[..1]).multi_label);
    }
}
