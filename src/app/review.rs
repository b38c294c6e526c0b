//! Use case: the review queue. One queue for `codifica review` and the web app's Codificar and
//! Revisar pages: the answers to coded questions that no analyst has coded yet (non-answers and
//! automatically accepted codes left out), each with the model's suggestion — the stored machine
//! coding, else a prediction of the workspace's model when one exists — least sure first, and
//! the answers without any suggestion LAST, never dropped: an analyst must never lose sight of
//! an uncoded answer (the CLI used to drop them when no model existed; the web listed them last,
//! which is the rule kept).
//!
//! Also here: the queue's export schema (a canonical long table that `codifica import` reads
//! back, its suggestion columns ignored), the one code-validity check ("may this answer carry
//! these codes") and accepting or correcting codes, which never erases an analyst's codes.

use std::path::PathBuf;

use crate::analyze::Analyzer;
use crate::answer::{Answer, MachineCoding};
use crate::codebook::{self, Codebook, CodesProblem};
use crate::config::Config;
use crate::error::{EngineError, Error, Result};
use crate::model::examples::{load_models, model_files};
use crate::model::persist::ModelSet;
use crate::model::review::{CodingCounts, least_sure_first, needs_review};
use crate::month::Month;
use crate::store::{AnswerFilter, Store};
use crate::tabular::write_table;
use crate::workspace::Workspace;

/// Explaining terms kept per on-the-fly suggestion (as `classify` keeps).
pub const TOP_TERMS: usize = 3;

/// Columns of the review export: the importer's canonical long columns, then the suggestion
/// (which `import` recognises and ignores).
pub const HEADERS: [&str; 14] = [
    "entity_code",
    "entity_name",
    "department",
    "region",
    "month",
    "question",
    "answer_id",
    "answer",
    "rating",
    "codes",
    "suggested_code",
    "confidence",
    "margin",
    "top_terms",
];

/// A band of the suggestion's confidence, for filtering the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Below 50 %.
    Low,
    /// 50 % to 80 %.
    Medium,
    /// 80 % and above.
    High,
    /// No suggestion at all.
    Unsuggested,
}

impl Band {
    /// Every band, in the order a filter lists them.
    pub const ALL: [Band; 4] = [Band::Low, Band::Medium, Band::High, Band::Unsuggested];

    /// The band of a suggestion's confidence (`None`: no suggestion).
    pub fn of(confidence: Option<f64>) -> Band {
        match confidence {
            None => Band::Unsuggested,
            Some(c) if c < 0.5 => Band::Low,
            Some(c) if c < 0.8 => Band::Medium,
            Some(_) => Band::High,
        }
    }

    /// The band's id in URLs and flags.
    pub fn id(self) -> &'static str {
        match self {
            Band::Low => "baja",
            Band::Medium => "media",
            Band::High => "alta",
            Band::Unsuggested => "sin",
        }
    }

    /// The band named by [`Band::id`].
    pub fn parse(s: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.id() == s)
    }

    /// The band as an analyst reads it (Spanish).
    pub fn label(self) -> &'static str {
        match self {
            Band::Low => "Baja (menos de 50 %)",
            Band::Medium => "Media (50 % a 80 %)",
            Band::High => "Alta (80 % o más)",
            Band::Unsuggested => "Sin sugerencia",
        }
    }
}

/// Where suggestions for answers not classified yet come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Models {
    /// The workspace's `models/` (none there: no on-the-fly suggestion).
    #[default]
    Workspace,
    /// This model file.
    File(PathBuf),
}

/// Which part of the queue to build.
#[derive(Debug, Clone, Default)]
pub struct QueueRequest {
    pub month: Option<Month>,
    /// A coded question of the config.
    pub question: Option<String>,
    /// Only answers whose suggestion (or one of its alternatives) is this code.
    pub code: Option<String>,
    pub band: Option<Band>,
    pub models: Models,
}

/// The model's suggestion for one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub codes: Vec<String>,
    pub confidence: f64,
    pub margin: f64,
    pub top_terms: Vec<String>,
    /// Up to three most probable codes with their probabilities, most probable first.
    pub alternatives: Vec<(String, f64)>,
}

impl From<&MachineCoding> for Suggestion {
    fn from(m: &MachineCoding) -> Suggestion {
        Suggestion {
            codes: m.codes.clone(),
            confidence: m.confidence,
            margin: m.margin,
            top_terms: m.top_terms.clone(),
            alternatives: m.alternatives.clone(),
        }
    }
}

impl Suggestion {
    /// Up to three codes to offer as one-key choices: the alternatives, else the codes.
    pub fn top_codes(&self) -> Vec<String> {
        let mut out: Vec<String> = self.alternatives.iter().map(|(c, _)| c.clone()).collect();
        for c in &self.codes {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
        out.truncate(3);
        out
    }
}

/// One entry of the queue.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub answer: Answer,
    pub suggestion: Option<Suggestion>,
}

/// The whole queue, in review order, with the month's coding counts.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    pub items: Vec<QueueItem>,
    /// Coded by analysts / accepted automatically / waiting, over the request's month and
    /// question (before the code and band filters).
    pub counts: CodingCounts,
    /// Items without any suggestion (listed last).
    pub unsuggested: usize,
}

/// Refuses a question that is not a coded question of the config, naming the ones it has.
pub fn check_question(config: &Config, question: &str) -> Result<()> {
    let Some(q) = config.question(question) else {
        let ids: Vec<&str> = config.questions.iter().map(|q| q.id.as_str()).collect();
        return Err(Error::invalid(format!(
            "unknown question '{question}': codifica.toml has {}",
            ids.join(", ")
        )));
    };
    if !q.is_coded() {
        return Err(Error::invalid(format!(
            "question '{question}' is not a coded question: nothing to review"
        )));
    }
    Ok(())
}

/// Builds the review queue: see the module's documentation for the rule.
pub fn queue(ws: &Workspace, store: &Store, req: &QueueRequest) -> Result<Queue> {
    let config = ws.config();
    if let Some(q) = &req.question {
        check_question(config, q)?;
    }
    let filter = AnswerFilter {
        month: req.month,
        question: req.question.clone(),
        entity: None,
    };
    let mut counts = CodingCounts::default();
    let pending = store.answers_where(&filter, |a| {
        counts.add(a, config);
        needs_review(a, config)
    })?;
    let models = load_if_needed(ws, &req.models, &pending)?;
    let mut analyzer = Analyzer::new(&config.analyzer);
    let mut items: Vec<QueueItem> = pending
        .into_iter()
        .map(|a| suggest(a, models.as_ref(), &mut analyzer))
        .filter(|it| keep(it, req))
        .collect();
    order(&mut items);
    let unsuggested = items.iter().filter(|it| it.suggestion.is_none()).count();
    Ok(Queue {
        items,
        counts,
        unsuggested,
    })
}

/// The model set, loaded only when some answer has no stored machine coding.
fn load_if_needed(ws: &Workspace, models: &Models, pending: &[Answer]) -> Result<Option<ModelSet>> {
    if pending.iter().all(|a| a.machine.is_some()) {
        return Ok(None);
    }
    let paths = match models {
        Models::File(p) => vec![p.clone()],
        Models::Workspace => model_files(&ws.models_dir()).map_err(core_error)?,
    };
    if paths.is_empty() {
        return Ok(None);
    }
    load_models(&paths, &ws.config().analyzer)
        .map(Some)
        .map_err(core_error)
}

/// A model-loading failure in the library's taxonomy (an unusable model is the user's to fix).
fn core_error(e: EngineError) -> Error {
    match e {
        EngineError::Core(e) => e,
        EngineError::ModelFile { path, reason } => Error::Model {
            path,
            message: reason,
        },
        other => Error::invalid(other.to_string()),
    }
}

/// The answer with its stored suggestion, else the model's prediction, else none.
fn suggest(a: Answer, models: Option<&ModelSet>, analyzer: &mut Analyzer) -> QueueItem {
    let suggestion = match (&a.machine, models.map(|s| s.get(&a.question))) {
        (Some(m), _) => Some(Suggestion::from(m)),
        (None, Some(Ok(model))) => {
            let p = model.scorer().predict(analyzer, &a.text, TOP_TERMS);
            Some(Suggestion {
                codes: p.codes,
                confidence: p.confidence,
                margin: p.margin,
                top_terms: p.top_terms,
                alternatives: p.alternatives,
            })
        }
        _ => None,
    };
    QueueItem {
        answer: a,
        suggestion,
    }
}

/// The request's code and band filters.
fn keep(it: &QueueItem, req: &QueueRequest) -> bool {
    let conf = it.suggestion.as_ref().map(|s| s.confidence);
    let band_ok = req.band.is_none_or(|b| Band::of(conf) == b);
    let code_ok = req.code.as_ref().is_none_or(|c| {
        it.suggestion
            .as_ref()
            .is_some_and(|s| s.codes.contains(c) || s.alternatives.iter().any(|(x, _)| x == c))
    });
    band_ok && code_ok
}

/// Review order ([`least_sure_first`]): least sure first, unsuggested last, then by key.
pub fn order(items: &mut [QueueItem]) {
    let sure = |it: &QueueItem| it.suggestion.as_ref().map(|s| (s.confidence, s.margin));
    items.sort_by(|a, b| least_sure_first(sure(a), &a.answer.key(), sure(b), &b.answer.key()));
}

/// One row of the review export ([`HEADERS`]).
pub fn export_row(it: &QueueItem) -> Vec<String> {
    let a = &it.answer;
    let s = it.suggestion.as_ref();
    vec![
        a.entity_code.clone(),
        a.entity_name.clone(),
        a.department.clone(),
        a.region.clone(),
        a.month.to_string(),
        a.question.clone(),
        a.answer_id.clone().unwrap_or_default(),
        a.text.clone(),
        a.rating.map_or(String::new(), |r| r.to_string()),
        a.codes.join(";"),
        s.map_or(String::new(), |s| s.codes.join(";")),
        s.map_or(String::new(), |s| format!("{:.4}", s.confidence)),
        s.map_or(String::new(), |s| format!("{:.4}", s.margin)),
        s.map_or(String::new(), |s| s.top_terms.join("; ")),
    ]
}

/// Writes queue items as the review export (.csv or .xlsx), for the analyst to fill `codes` and
/// run `codifica import` on it.
pub fn write_export(path: &std::path::Path, items: &[QueueItem]) -> Result<()> {
    let rows: Vec<Vec<String>> = items.iter().map(export_row).collect();
    write_table(path, &HEADERS, &rows)
}

/// Why codes cannot be stored on an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRefusal {
    /// The question has no codebook (neither the workspace's nor a built-in one).
    NoCodebook,
    /// The codebook refuses them.
    Codes(CodesProblem),
}

/// The codebook a question is coded with (the workspace's file, else the built-in default).
pub fn codebook_in_force(ws: &Workspace, question: &str) -> Result<Option<Codebook>> {
    codebook::load_or_default(ws, question)
}

/// The one code-validity check: may an answer to `question` carry `codes`? Every id in the
/// codebook in force ([`codebook_in_force`]), and at most one unless it is multi-label. `import`
/// applies the same rule to the same codebooks (`ingest::load_codebooks`).
pub fn check_codes(
    ws: &Workspace,
    question: &str,
    codes: &[String],
) -> Result<std::result::Result<(), CodeRefusal>> {
    Ok(match codebook_in_force(ws, question)? {
        None => Err(CodeRefusal::NoCodebook),
        Some(cb) => cb.check_codes(codes).map_err(CodeRefusal::Codes),
    })
}

/// The refusal worded in Spanish, for the web app.
pub fn refusal_es(question: &str, r: &CodeRefusal) -> String {
    match r {
        CodeRefusal::NoCodebook => format!("la pregunta «{question}» no tiene libro de códigos"),
        CodeRefusal::Codes(CodesProblem::Unknown(unknown)) => format!(
            "el código «{}» no está en el libro de códigos de «{question}»",
            unknown.join("», «")
        ),
        CodeRefusal::Codes(CodesProblem::SeveralOnSingleLabel(_)) => {
            format!("la pregunta «{question}» admite un solo código por respuesta")
        }
    }
}

/// Human codes to store from accepted or corrected suggestions (answer key, codes). An answer
/// that already has human codes keeps them (accepting never overwrites an analyst), empty code
/// lists are skipped (nothing erases a code), and every set passes [`check_codes`]. Returns the
/// updates to write; the caller holds the workspace lock and writes them in one commit.
pub fn accept_plan(
    ws: &Workspace,
    store: &Store,
    proposed: &[(String, Vec<String>)],
) -> Result<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for (key, codes) in proposed {
        let Some(a) = store.get(key)? else {
            return Err(Error::invalid(format!("no answer with key '{key}'")));
        };
        if codes.is_empty() || a.is_coded() {
            continue;
        }
        if let Err(r) = check_codes(ws, &a.question, codes)? {
            return Err(Error::invalid(format!(
                "{key}: {}",
                refusal_es(&a.question, &r)
            )));
        }
        out.push((key.clone(), codes.clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_split_at_half_and_four_fifths() {
        assert_eq!(Band::of(None), Band::Unsuggested);
        assert_eq!(Band::of(Some(0.49)), Band::Low);
        assert_eq!(Band::of(Some(0.5)), Band::Medium);
        assert_eq!(Band::of(Some(0.8)), Band::High);
        for b in Band::ALL {
            assert_eq!(Band::parse(b.id()), Some(b));
        }
    }

    #[test]
    fn top_codes_are_alternatives_then_codes_at_most_three() {
        let s = Suggestion {
            codes: vec!["d".into()],
            confidence: 0.4,
            margin: 0.1,
            top_terms: vec![],
            alternatives: vec![("a".into(), 0.4), ("b".into(), 0.3), ("c".into(), 0.2)],
        };
        assert_eq!(s.top_codes(), ["a", "b", "c"]);
        let s = Suggestion {
            alternatives: vec![],
            ..s
        };
        assert_eq!(s.top_codes(), ["d"]);
    }
}
