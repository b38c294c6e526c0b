//! Use case: code a question's answers by its codebook's seed terms (dictionary coding, a cold
//! start before any training); optionally write them out, store them as machine codes (human
//! codes are never touched) and score them against the human codes.

use std::path::{Path, PathBuf};

use crate::analyze::Analyzer;
use crate::answer::{Answer, MachineCoding};
use crate::autocode::{self, AutoCoding, Lexicon, Outcome};
use crate::codebook::{Codebook, edit};
use crate::error::{Error, Result};
use crate::model::metrics::Report;
use crate::month::Month;
use crate::store::{AnswerFilter, Store};
use crate::workspace::Workspace;

/// What to code and what to do with the codes.
#[derive(Debug, Clone, Default)]
pub struct AutocodeRequest {
    pub question: String,
    /// Only this month (else every month).
    pub month: Option<Month>,
    /// Write one row per answer here (.csv, .xlsx or .jsonl).
    pub output: Option<PathBuf>,
    /// Store the codes as the answers' machine codes (model [`autocode::MODEL_NAME`]).
    pub store: bool,
    /// Score against the human codes.
    pub evaluate: bool,
}

/// What the dictionary did.
#[derive(Debug, Clone)]
pub struct AutocodeReport {
    pub codebook: Codebook,
    pub outcome: Outcome,
    /// Answers whose machine codes were stored (`store`).
    pub stored: Option<usize>,
    /// The score against the human codes (`evaluate`; `None` inside: no human codes).
    pub evaluation: Option<Option<Report>>,
    /// The trained model's cross-validated quality, to compare with (`evaluate`).
    pub model_cv: Option<Report>,
}

/// The question's codebook and its dictionary (with the seeds' warnings), before any answer
/// is read.
pub fn lexicon(ws: &Workspace, question: &str) -> Result<(Codebook, Lexicon)> {
    let cb = edit::load_required(ws, question)?;
    let mut analyzer = Analyzer::new(&ws.config().analyzer);
    let lexicon = Lexicon::new(&cb, &mut analyzer)?;
    Ok((cb, lexicon))
}

/// Codes the answers. Storing is a read-modify-write: the lock is held from the read, so an
/// import in between cannot change an answer whose codes were computed from its old text.
pub fn autocode(
    ws: &Workspace,
    store: &Store,
    (codebook, lexicon): (Codebook, Lexicon),
    req: &AutocodeRequest,
) -> Result<AutocodeReport> {
    let _lock = if req.store { Some(ws.lock()?) } else { None };
    let answers = answers(store, req)?;
    let mut analyzer = Analyzer::new(&ws.config().analyzer);
    let outcome = autocode::code_all(&lexicon, &mut analyzer, &answers);
    if let Some(path) = &req.output {
        write_rows(path, &answers, &outcome.codings)?;
    }
    let stored = match req.store {
        true => Some(store.set_machine_codings(&codings(&answers, &outcome.codings))?),
        false => None,
    };
    let evaluation = req
        .evaluate
        .then(|| autocode::evaluate(&codebook, &answers, &outcome.codings));
    let model_cv = req.evaluate.then(|| model_cv(ws, &req.question)).flatten();
    Ok(AutocodeReport {
        codebook,
        outcome,
        stored,
        evaluation,
        model_cv,
    })
}

fn answers(store: &Store, req: &AutocodeRequest) -> Result<Vec<Answer>> {
    let filter = AnswerFilter {
        month: req.month,
        question: Some(req.question.clone()),
        entity: None,
    };
    let answers = store.answers(&filter)?;
    if answers.is_empty() {
        let when = req.month.map(|m| format!(" in {m}")).unwrap_or_default();
        let q = &req.question;
        return Err(Error::invalid(format!(
            "no answers to question '{q}'{when} in the workspace"
        )));
    }
    Ok(answers)
}

/// The machine codings to store: every answer but the non-answers.
fn codings(answers: &[Answer], codings: &[AutoCoding]) -> Vec<(String, MachineCoding)> {
    answers
        .iter()
        .zip(codings)
        .filter(|(_, c)| !c.non_answer)
        .map(|(a, c)| (a.key(), c.to_machine()))
        .collect()
}

/// Columns of the `output` file.
pub const HEADERS: [&str; 9] = [
    "key",
    "entity_code",
    "entity_name",
    "month",
    "text",
    "autocode",
    "hits",
    "matched_seeds",
    "human_codes",
];

fn write_rows(path: &Path, answers: &[Answer], codings: &[AutoCoding]) -> Result<()> {
    let rows: Vec<Vec<String>> = answers
        .iter()
        .zip(codings)
        .map(|(a, c)| row(a, c))
        .collect();
    crate::tabular::write_table(path, &HEADERS, &rows)
        .map_err(|e| e.context(format!("writing {}", path.display())))
}

fn row(a: &Answer, c: &AutoCoding) -> Vec<String> {
    let hits: Vec<String> = c.hits.iter().map(|(k, n)| format!("{k}:{n}")).collect();
    vec![
        a.key(),
        a.entity_code.clone(),
        a.entity_name.clone(),
        a.month.to_string(),
        a.text.clone(),
        c.codes.join(";"),
        hits.join(";"),
        c.matched.join(";"),
        a.codes.join(";"),
    ]
}

/// The cross-validated quality recorded in the question's trained model, if there is one.
fn model_cv(ws: &Workspace, question: &str) -> Option<Report> {
    let path = ws
        .models_dir()
        .join(crate::model::examples::model_file_name(question));
    if !path.exists() {
        return None;
    }
    let set = crate::model::ModelSet::load(&path, &ws.config().analyzer).ok()?;
    set.get(question).ok()?.meta.cv.clone()
}
