//! Use case: what the workspace holds — answers by month and question, how far their coding
//! went ([`CodingCounts`], the one count of `status`, the review queue, the web's Tablero), and
//! the trained models and codebooks.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::model::review::CodingCounts;
use crate::store::{AnswerFilter, Store};
use crate::workspace::Workspace;

/// One question's answers in one month.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Counts {
    pub answers: usize,
    /// Answers to a coded question with some text.
    pub with_text: usize,
    pub human_coded: usize,
    /// Machine codes accepted without review (`classify --accept-at`).
    pub accepted: usize,
    /// Machine-coded, waiting for review.
    pub machine_coded: usize,
    /// With text and no code at all (non-answers included).
    pub uncoded: usize,
}

impl Counts {
    /// Fills the coding columns from the one coverage count.
    fn set_coverage(&mut self, c: &CodingCounts) {
        self.human_coded = c.human;
        self.accepted = c.accepted;
        self.machine_coded = c.suggested;
        self.uncoded = self.with_text - c.human - c.accepted - c.suggested;
    }
}

/// What the workspace holds.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub workspace: String,
    pub survey: String,
    pub answers: usize,
    pub entities: usize,
    /// month → question → counts
    pub months: BTreeMap<String, BTreeMap<String, Counts>>,
    pub models: Vec<String>,
    pub codebooks: Vec<String>,
}

/// Counts the workspace one entity at a time: it never needs the whole workspace in memory.
pub fn status(ws: &Workspace, store: &Store) -> Result<Status> {
    let mut tally: BTreeMap<(String, String), (Counts, CodingCounts)> = BTreeMap::new();
    let (mut answers, mut entities) = (0, 0);
    for group in store.answers_by_entity(&AnswerFilter::default())? {
        let group = group?;
        entities += 1;
        answers += group.len();
        for a in &group {
            let key = (a.month.to_string(), a.question.clone());
            let (counts, coverage) = tally.entry(key).or_default();
            counts.answers += 1;
            let coded = ws
                .config()
                .question(&a.question)
                .is_some_and(|q| q.is_coded());
            if coded && !a.text.trim().is_empty() {
                counts.with_text += 1;
                coverage.add(a, ws.config());
            }
        }
    }
    let mut months: BTreeMap<String, BTreeMap<String, Counts>> = BTreeMap::new();
    for ((month, question), (mut counts, coverage)) in tally {
        counts.set_coverage(&coverage);
        months.entry(month).or_default().insert(question, counts);
    }
    Ok(Status {
        workspace: ws.root().display().to_string(),
        survey: ws.config().survey.clone(),
        answers,
        entities,
        months,
        models: list_dir(&ws.models_dir(), "model"),
        codebooks: list_dir(&ws.codebooks_dir(), "toml"),
    })
}

/// File names in `dir` with extension `ext`, sorted.
fn list_dir(dir: &Path, ext: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    out.sort();
    out
}
