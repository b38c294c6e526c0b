//! Use case: how good is the classifier? Validation of the training settings on the coded
//! examples — forward in time for a workspace (train on the months before each of the last
//! `last` months, test on it), folds of whole groups for a file with groups, stratified k-fold
//! on request — or trained models against held-out coded examples. Warns about codes with too
//! few examples to learn.

use crate::analyze::{Analyzer, AnalyzerSettings};
use crate::app::train::{ByQuestion, settings_for};
use crate::app::{Monitor, check, display_q};
use crate::error::{Error, Result};
use crate::model::classifier::{MIN_EXAMPLES_PER_CODE, cross_validate, evaluate_holdout, prepare};
use crate::model::examples::WorkspaceExamples;
use crate::model::metrics::Report;
use crate::model::validation::{MonthResult, forward_obstacle, forward_validate};
use crate::model::{ModelSet, TrainSettings};

/// How to validate the training settings.
#[derive(Debug, Clone)]
pub struct EvaluateRequest {
    pub settings: TrainSettings,
    /// The examples are the workspace's (forward validation by month is possible).
    pub from_workspace: bool,
    /// Random stratified folds instead of forward validation or folds of whole groups.
    pub kfold: bool,
    /// Folds of the k-fold or grouped cross-validation (≥ 2).
    pub folds: usize,
    /// Forward validation tests the last `last` months with human codes (≥ 1).
    pub last: usize,
}

impl Default for EvaluateRequest {
    fn default() -> Self {
        EvaluateRequest {
            settings: TrainSettings::default(),
            from_workspace: true,
            kfold: false,
            folds: 5,
            last: 3,
        }
    }
}

/// One question's evaluation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub question: String,
    pub report: Report,
    /// Month by month (forward validation only).
    pub months: Vec<MonthResult>,
    /// Codes too rare to learn, a fallback from forward validation…
    pub warnings: Vec<String>,
}

/// Refuses folds below 2 and `last` of 0.
pub fn check_request(req: &EvaluateRequest) -> Result<()> {
    if req.folds < 2 {
        return Err(Error::invalid("--folds must be at least 2"));
    }
    if req.last == 0 {
        return Err(Error::invalid("--last must be at least 1"));
    }
    Ok(())
}

/// Validates the training settings on every question's examples.
pub fn validate_all(
    analyzer: &AnalyzerSettings,
    by_q: &ByQuestion,
    req: &EvaluateRequest,
    monitor: &dyn Monitor,
) -> Result<Vec<Outcome>> {
    check_request(req)?;
    let mut analyzer = Analyzer::new(analyzer);
    let mut out = Vec::new();
    for (i, (q, w)) in by_q.iter().enumerate() {
        check(monitor)?;
        monitor.progress(i, by_q.len(), q);
        out.push(validate(req, &mut analyzer, q, w).map_err(|e| e.context(display_q(q)))?);
    }
    Ok(out)
}

/// Evaluates trained models against every question's examples (held out from their training).
pub fn held_out(
    set: &ModelSet,
    analyzer: &AnalyzerSettings,
    by_q: &ByQuestion,
) -> Result<Vec<Outcome>> {
    let mut analyzer = Analyzer::new(analyzer);
    let mut out = Vec::new();
    for (q, w) in by_q {
        let m = set.get(q)?;
        let report = evaluate_holdout(m, &mut analyzer, &w.examples)
            .map_err(|e| Error::from(e).context(format!("question {}", display_q(q))))?;
        let (months, warnings) = (Vec::new(), Vec::new());
        let question = q.clone();
        out.push(Outcome {
            question,
            report,
            months,
            warnings,
        });
    }
    Ok(out)
}

/// One question: forward in time for a workspace (falling back to cross-validation, with a
/// warning, when too few months are coded), else cross-validation.
fn validate(
    req: &EvaluateRequest,
    analyzer: &mut Analyzer,
    q: &str,
    w: &WorkspaceExamples,
) -> Result<Outcome> {
    let mut settings = settings_for(&req.settings, req.from_workspace, &w.examples);
    settings.cv_folds = req.folds;
    let settings = settings.check()?;
    let mut warnings = Vec::new();
    if req.from_workspace && !req.kfold {
        match forward_obstacle(&w.months, &w.examples, req.last) {
            None => {
                let f = forward_validate(&settings, analyzer, q, &w.examples, &w.months, req.last)?;
                let question = q.to_string();
                let (report, months) = (f.pooled, f.months);
                return Ok(Outcome {
                    question,
                    report,
                    months,
                    warnings,
                });
            }
            Some(why) => warnings.push(format!("{why}: falling back to cross-validation")),
        }
    }
    cross_validated(req, &settings, analyzer, q, w, warnings)
}

/// Cross-validation (by whole groups when the examples have groups and `kfold` is off).
fn cross_validated(
    req: &EvaluateRequest,
    settings: &TrainSettings,
    analyzer: &mut Analyzer,
    q: &str,
    w: &WorkspaceExamples,
    mut warnings: Vec<String>,
) -> Result<Outcome> {
    let mut examples = w.examples.clone();
    if req.kfold {
        examples.iter_mut().for_each(|e| e.group = None);
    }
    let p = prepare(analyzer, &examples, settings)?;
    warnings.extend(rare_codes(&p.codes, &p.labels));
    if p.codes.len() < 2 {
        let q = display_q(q);
        return Err(Error::invalid(format!(
            "question {q}: only one code, nothing to evaluate"
        )));
    }
    let groups = p.groups.as_deref();
    let out = cross_validate(settings, &p.codes, &p.terms, &p.labels, groups)?;
    let (question, report, months) = (q.to_string(), out.report, Vec::new());
    Ok(Outcome {
        question,
        report,
        months,
        warnings,
    })
}

/// A warning for each code with fewer examples than a classifier can learn from.
pub fn rare_codes(codes: &[String], labels: &[Vec<usize>]) -> Vec<String> {
    let mut counts = vec![0usize; codes.len()];
    for &c in labels.iter().flatten() {
        counts[c] += 1;
    }
    codes
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n < MIN_EXAMPLES_PER_CODE)
        .map(|(c, n)| format!("code {c} has only {n} examples: too few to learn"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_codes_are_named_with_their_counts() {
        let codes = vec!["frecuente".to_string(), "rara".to_string()];
        let mut labels = vec![vec![0]; MIN_EXAMPLES_PER_CODE];
        labels.push(vec![0, 1]);
        let w = rare_codes(&codes, &labels);
        assert_eq!(
            w,
            vec!["code rara has only 1 examples: too few to learn".to_string()]
        );
    }

    #[test]
    fn folds_and_months_are_checked() {
        let bad = EvaluateRequest {
            folds: 1,
            ..Default::default()
        };
        assert!(
            check_request(&bad)
                .unwrap_err()
                .to_string()
                .contains("--folds")
        );
        let bad = EvaluateRequest {
            last: 0,
            ..Default::default()
        };
        assert!(
            check_request(&bad)
                .unwrap_err()
                .to_string()
                .contains("--last")
        );
        assert!(check_request(&EvaluateRequest::default()).is_ok());
    }
}
