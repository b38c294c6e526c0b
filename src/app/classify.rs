//! Use case: classify answers with trained models — a workspace month, whose machine codes are
//! stored beside (never over) the human codes, or a table of answers. Each answer gets code(s),
//! a calibrated confidence, a margin, the terms that weighed most and the next likeliest codes;
//! non-answers get no code. With `accept_at`, machine codes whose confidence reaches the level
//! that kept that accuracy in validation are accepted without review — never over a human code.

use std::collections::BTreeMap;

use crate::analyze::Analyzer;
use crate::answer::{Answer, MachineCoding};
use crate::app::{Monitor, check, display_q};
use crate::error::{Error, Result};
use crate::ingest::table::Table;
use crate::model::examples::{RowFilter, filtered_rows, load_models, model_files};
use crate::model::{ModelSet, Prediction, QuestionModel};
use crate::month::Month;
use crate::store::{AnswerFilter, Store};
use crate::workspace::{Workspace, WorkspaceLock};

/// Number of explaining terms kept per answer.
pub const TOP_TERMS: usize = 3;

/// Columns of classified rows (the `--output` file).
pub const HEADERS: [&str; 10] = [
    "id",
    "question",
    "code",
    "confidence",
    "margin",
    "top_terms",
    "status",
    "text",
    "alternatives",
    "accepted",
];

/// Classifying a workspace month.
#[derive(Debug, Clone)]
pub struct MonthRequest {
    pub month: Month,
    /// Only this question.
    pub question: Option<String>,
    /// Accept machine codes at this accuracy (checked by [`check_accept_at`]).
    pub accept_at: Option<f64>,
    /// Names the models in the stored codings ("models/" or the model file's name).
    pub model_tag: String,
}

/// Per-question counts of a month's classification.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Tally {
    /// Answers classified (non-answers apart).
    pub n: usize,
    /// Non-answers, left without a code.
    pub non: usize,
    /// Sum of the confidences (mean = conf / n).
    pub conf: f64,
    /// Accepted without review.
    pub accepted: usize,
    /// Already coded by an analyst (never accepted over).
    pub human: usize,
    /// The confidence that accepts at `accept_at` (None: nothing can be accepted).
    pub threshold: Option<f64>,
}

impl Tally {
    /// Answers that wait for an analyst.
    pub fn to_review(&self) -> usize {
        self.n - self.accepted - self.human
    }

    /// Mean confidence of the classified answers.
    pub fn mean_confidence(&self) -> f64 {
        if self.n > 0 {
            self.conf / self.n as f64
        } else {
            0.0
        }
    }
}

/// What a month's classification did.
#[derive(Debug, Clone)]
pub struct MonthReport {
    pub month: Month,
    pub accept_at: Option<f64>,
    /// By question id.
    pub questions: BTreeMap<String, Tally>,
    /// Machine codings stored.
    pub stored: usize,
    /// One row per answer (columns [`HEADERS`]).
    pub rows: Vec<Vec<String>>,
}

/// Checks an acceptance accuracy: strictly between 0 and 1.
pub fn check_accept_at(at: Option<f64>) -> Result<Option<f64>> {
    match at {
        Some(p) if !(p > 0.0 && p < 1.0) => Err(Error::invalid(format!(
            "--accept-at must be between 0 and 1 (exclusive), got {p}"
        ))),
        at => Ok(at),
    }
}

/// Every model of the workspace's `models/` folder.
pub fn workspace_models(ws: &Workspace) -> Result<ModelSet> {
    let paths = model_files(&ws.models_dir())?;
    Ok(load_models(&paths, &ws.config().analyzer)?)
}

/// Classifies a workspace month and stores the machine codes in one commit, under the
/// workspace's write lock. Checks `monitor` between questions; a stopped job stores nothing.
pub fn classify_month(
    ws: &Workspace,
    store: &Store,
    set: &ModelSet,
    req: &MonthRequest,
    monitor: &dyn Monitor,
) -> Result<MonthReport> {
    check_accept_at(req.accept_at)?;
    let lock = ws.lock()?;
    classify_locked(ws, store, set, req, monitor, &lock)
}

/// [`classify_month`] for a caller that already holds the workspace's write lock.
pub fn classify_locked(
    ws: &Workspace,
    store: &Store,
    set: &ModelSet,
    req: &MonthRequest,
    monitor: &dyn Monitor,
    _lock: &WorkspaceLock,
) -> Result<MonthReport> {
    let at = check_accept_at(req.accept_at)?;
    let by_q = month_answers(ws, store, set, req)?;
    let mut analyzer = Analyzer::new(&set.analyzer);
    let tag = format!("{} ({})", req.model_tag, set.created);
    let mut report = MonthReport {
        month: req.month,
        accept_at: at,
        questions: BTreeMap::new(),
        stored: 0,
        rows: Vec::new(),
    };
    let mut codings = Vec::new();
    for (i, (q, list)) in by_q.iter().enumerate() {
        check(monitor)?;
        monitor.progress(i, by_q.len(), q);
        let model = set.get(q)?;
        let tally = report.questions.entry(q.clone()).or_default();
        let mut job = Batch {
            model,
            at,
            tag: &tag,
            tally,
            codings: &mut codings,
        };
        report.rows.extend(job.run(&mut analyzer, list));
    }
    check(monitor)?;
    report.stored = store.set_machine_codings(&codings)?;
    monitor.progress(by_q.len(), by_q.len(), "");
    Ok(report)
}

/// The month's answers to coded questions, by question; refuses a month without any, and
/// questions without a model.
fn month_answers(
    ws: &Workspace,
    store: &Store,
    set: &ModelSet,
    req: &MonthRequest,
) -> Result<BTreeMap<String, Vec<Answer>>> {
    let filter = AnswerFilter {
        month: Some(req.month),
        question: req.question.clone(),
        ..Default::default()
    };
    let config = ws.config();
    let mut by_q: BTreeMap<String, Vec<Answer>> = BTreeMap::new();
    for a in store.answers(&filter)? {
        if config.question(&a.question).is_none_or(|q| q.is_coded()) {
            by_q.entry(a.question.clone()).or_default().push(a);
        }
    }
    if by_q.is_empty() {
        let m = req.month;
        let msg = format!("no answers to coded questions in {m} (import the month first)");
        return Err(Error::invalid(msg));
    }
    let missing: Vec<&str> = by_q
        .keys()
        .map(String::as_str)
        .filter(|q| set.get(q).is_err())
        .collect();
    if !missing.is_empty() {
        return Err(Error::invalid(format!(
            "no model for question(s) {} — run `codifica train` (or restrict with --question)",
            missing.join(", ")
        )));
    }
    Ok(by_q)
}

/// One question's answers of a month through its model.
struct Batch<'a> {
    model: &'a QuestionModel,
    at: Option<f64>,
    tag: &'a str,
    tally: &'a mut Tally,
    codings: &'a mut Vec<(String, MachineCoding)>,
}

impl Batch<'_> {
    /// Predicts every answer, counts it and keeps its coding; returns the output rows.
    fn run(&mut self, analyzer: &mut Analyzer, answers: &[Answer]) -> Vec<Vec<String>> {
        let threshold = acceptance(self.model, self.at);
        self.tally.threshold = threshold;
        let mut scorer = self.model.scorer();
        let mut rows = Vec::with_capacity(answers.len());
        for a in answers {
            let p = scorer.predict(analyzer, &a.text, TOP_TERMS);
            let ok = self.count(a, &p, threshold);
            if !p.non_answer {
                self.codings.push((a.key(), coding(&p, self.tag, ok)));
            }
            rows.push(output_row(&a.key(), &a.question, &p, &a.text, ok));
        }
        rows
    }

    /// Counts one prediction; true when it is accepted. A human code always wins: an answer an
    /// analyst coded is never accepted.
    fn count(&mut self, a: &Answer, p: &Prediction, threshold: Option<f64>) -> bool {
        let t = &mut *self.tally;
        if p.non_answer {
            t.non += 1;
            return false;
        }
        t.n += 1;
        t.conf += p.confidence;
        let ok = a.codes.is_empty() && threshold.is_some_and(|th| p.confidence >= th);
        t.accepted += usize::from(ok);
        t.human += usize::from(!a.codes.is_empty());
        ok
    }
}

fn coding(p: &Prediction, model: &str, accepted: bool) -> MachineCoding {
    MachineCoding {
        codes: p.codes.clone(),
        confidence: p.confidence,
        margin: p.margin,
        top_terms: p.top_terms.clone(),
        model: model.to_string(),
        accepted,
        alternatives: p.alternatives.clone(),
    }
}

/// The confidence threshold that accepts machine codes at accuracy `at` for `model` (None:
/// nothing can be accepted at that accuracy, or the question is multi-label).
pub fn acceptance(model: &QuestionModel, at: Option<f64>) -> Option<f64> {
    if model.settings.multi_label {
        return None;
    }
    model.confidence.threshold_for(at?)
}

/// Classifying a table of answers.
#[derive(Debug, Clone, Default)]
pub struct TableRequest {
    pub text_column: String,
    /// Column naming each row's question (else every row is `question`'s, or `""`'s).
    pub question_column: Option<String>,
    /// Column with a row id (default: the row number).
    pub id_column: Option<String>,
    pub filters: Vec<RowFilter>,
    /// Only this question (or, without a question column, the question of every row).
    pub question: Option<String>,
    pub accept_at: Option<f64>,
}

/// What a table's classification found.
#[derive(Debug, Clone, Default)]
pub struct TableReport {
    /// One row per kept input row, in input order (columns [`HEADERS`]).
    pub rows: Vec<Vec<String>>,
    pub n: usize,
    pub non: usize,
    pub accepted: usize,
}

/// Classifies the rows of `table` with `set`. Rows are routed to their question's model first,
/// so an unknown question fails before any work.
pub fn classify_table(table: &Table, set: &ModelSet, req: &TableRequest) -> Result<TableReport> {
    let at = check_accept_at(req.accept_at)?;
    let tc = table.column(&req.text_column)?;
    let column = |c: &Option<String>| c.as_deref().map(|c| table.column(c)).transpose();
    let (qc, ic) = (column(&req.question_column)?, column(&req.id_column)?);
    let by_q = route(table, req, qc)?;
    check_models(table, set, &by_q)?;
    let mut analyzer = Analyzer::new(&set.analyzer);
    let mut out: Vec<(usize, Vec<String>)> = Vec::new();
    let mut report = TableReport::default();
    for (q, idx) in &by_q {
        let model = set.get(q)?;
        let threshold = acceptance(model, at);
        let mut scorer = model.scorer();
        for &i in idx {
            let r = &table.rows[i];
            let p = scorer.predict(&mut analyzer, r.get(tc), TOP_TERMS);
            let ok = !p.non_answer && threshold.is_some_and(|t| p.confidence >= t);
            report.n += 1;
            report.non += usize::from(p.non_answer);
            report.accepted += usize::from(ok);
            let id = ic.map_or_else(|| r.line.to_string(), |c| r.get(c).to_string());
            out.push((i, output_row(&id, q, &p, r.get(tc), ok)));
        }
    }
    out.sort_by_key(|(i, _)| *i);
    report.rows = out.into_iter().map(|(_, r)| r).collect();
    Ok(report)
}

/// The kept rows of `table` by question.
fn route(
    table: &Table,
    req: &TableRequest,
    qc: Option<usize>,
) -> Result<BTreeMap<String, Vec<usize>>> {
    let mut by_q: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in filtered_rows(table, &req.filters)? {
        let q = match (qc, &req.question) {
            (Some(c), _) => table.rows[i].get(c).trim().to_string(),
            (None, Some(q)) => q.clone(),
            (None, None) => String::new(),
        };
        if qc.is_some() && req.question.as_ref().is_some_and(|o| *o != q) {
            continue;
        }
        by_q.entry(q).or_default().push(i);
    }
    Ok(by_q)
}

/// Refuses rows of a question that has no model, naming the questions that have one.
fn check_models(table: &Table, set: &ModelSet, by_q: &BTreeMap<String, Vec<usize>>) -> Result<()> {
    let Some(q) = by_q.keys().find(|q| set.get(q).is_err()) else {
        return Ok(());
    };
    let have: Vec<String> = set.models.iter().map(|m| display_q(&m.question)).collect();
    Err(Error::invalid(format!(
        "{}: rows of question {} have no model (models for: {})",
        table.path.display(),
        display_q(q),
        have.join(", ")
    )))
}

/// One output row.
pub fn output_row(
    id: &str,
    question: &str,
    p: &Prediction,
    text: &str,
    accepted: bool,
) -> Vec<String> {
    let num = |x: f64| {
        if p.non_answer {
            String::new()
        } else {
            format!("{x:.4}")
        }
    };
    let alternatives: Vec<String> = p
        .alternatives
        .iter()
        .map(|(c, q)| format!("{c} ({q:.2})"))
        .collect();
    vec![
        id.to_string(),
        question.to_string(),
        p.codes.join(";"),
        num(p.confidence),
        num(p.margin),
        p.top_terms.join("; "),
        if p.non_answer { "non_answer" } else { "ok" }.to_string(),
        text.to_string(),
        alternatives.join("; "),
        if accepted { "yes" } else { "" }.to_string(),
    ]
}
