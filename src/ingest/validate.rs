//! Stage: ingest, validation. A [`Draft`] (the raw cells of one answer, with the columns they
//! came from) in, a checked [`Answer`] out — or the row's problems, collected so that one pass
//! reports every problem of the file. Shared by the long and the wide formats.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;

use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

use crate::answer::{Answer, Supplied, answer_key};
use crate::codebook::{Codebook, CodesProblem};
use crate::config::{Config, QuestionKind};
use crate::error::{Result, RowError};
use crate::month::Month;

/// Problems kept before validation stops reading (the message says how many were kept).
pub const MAX_ERRORS: usize = 10_000;

/// One cell of a draft: its text and the column it came from (`None`: not from the file, e.g.
/// a mapping's fixed month).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub value: String,
    pub column: Option<String>,
}

impl Cell {
    /// A cell read from `column`.
    pub fn new(value: &str, column: &str) -> Cell {
        Cell {
            value: value.to_string(),
            column: Some(column.to_string()),
        }
    }

    /// A value that is not in the file.
    pub fn fixed(value: &str) -> Cell {
        Cell {
            value: value.to_string(),
            column: None,
        }
    }

    fn trimmed(&self) -> &str {
        self.value.trim()
    }
}

/// The raw fields of one answer, before validation.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// Spreadsheet row (header = 1).
    pub row: usize,
    pub entity_code: Cell,
    pub entity_name: String,
    pub department: String,
    pub region: String,
    pub entity_kind: String,
    pub month: Cell,
    pub question: Cell,
    pub answer_id: Cell,
    pub text: Cell,
    pub rating: Cell,
    pub codes: Cell,
    pub interview_date: String,
    pub respondent_role: String,
    pub attributes: BTreeMap<String, String>,
    /// Which fields the file supplies (the others keep their stored values on re-import).
    pub supplied: Supplied,
}

/// Parses a rating: digits with `.` or a single `,` as decimal mark ("4,5" → 4.5, as Spanish
/// spreadsheets write it). Empty → `None`. Words ("cuatro") and thousands separators are refused.
pub fn parse_rating(s: &str) -> std::result::Result<Option<f64>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let normal = if !t.contains('.') && t.matches(',').count() == 1 {
        t.replace(',', ".")
    } else {
        t.to_string()
    };
    match normal.parse::<f64>() {
        Ok(v) if v.is_finite() && !normal.contains(['e', 'E']) => Ok(Some(v)),
        _ => Err(format!(
            "'{t}' is not a number: write ratings with digits (4, 4.5 or 4,5)"
        )),
    }
}

/// Splits a `codes` cell: `;`-separated ids, trimmed, empty parts dropped, duplicates removed
/// (first occurrence kept).
pub fn split_codes(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in s.split(';').map(str::trim).filter(|c| !c.is_empty()) {
        if !out.iter().any(|o| o == c) {
            out.push(c.to_string());
        }
    }
    out
}

/// Text as stored: trimmed and in Unicode NFC (so a file saved on a Mac, in NFD, imports to the
/// same answers and re-imports as unchanged).
pub fn clean_text(s: &str) -> String {
    let t = s.trim();
    if is_nfc_quick(t.chars()) == unicode_normalization::IsNormalized::Yes {
        t.to_string()
    } else {
        t.nfc().collect()
    }
}

fn optional(s: &str) -> Option<String> {
    let t = clean_text(s);
    (!t.is_empty()).then_some(t)
}

/// Validates drafts against the workspace: questions, rating scales, codebooks, duplicate keys.
///
/// It reads no files: the caller loads the codebooks (see [`crate::ingest`]), so validating
/// stays below the workspace layer.
pub struct Validator<'a> {
    config: &'a Config,
    new_questions: bool,
    added: BTreeSet<String>,
    codebooks: BTreeMap<String, Codebook>,
    /// Answer key → the row it was first seen on (duplicate detection; ~100 MB per million).
    seen: FxHashMap<String, usize>,
    errors: Vec<RowError>,
    dropped: usize,
}

impl<'a> Validator<'a> {
    /// A validator against `config` and its questions' loaded `codebooks` (question id →
    /// codebook; a question without one takes any code); `new_questions` accepts unknown
    /// questions as open ones.
    pub fn new(
        config: &'a Config,
        codebooks: BTreeMap<String, Codebook>,
        new_questions: bool,
    ) -> Validator<'a> {
        Validator {
            config,
            new_questions,
            added: BTreeSet::new(),
            codebooks,
            seen: FxHashMap::default(),
            errors: Vec::new(),
            dropped: 0,
        }
    }

    fn config(&self) -> &Config {
        self.config
    }

    /// Records a problem found outside validation (reading problems, mapping problems).
    pub fn push(&mut self, e: RowError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        } else {
            self.dropped += 1;
        }
    }

    /// True once [`MAX_ERRORS`] problems were collected: reading can stop.
    pub fn is_full(&self) -> bool {
        self.errors.len() >= MAX_ERRORS
    }

    /// The problems found so far, with a closing note when some were not kept.
    pub fn into_errors(mut self) -> Vec<RowError> {
        if self.dropped > 0 {
            self.errors.push(RowError {
                row: None,
                column: None,
                message: format!(
                    "stopped after {MAX_ERRORS} problems; at least {} more not listed",
                    self.dropped
                ),
            });
        }
        self.errors
    }

    /// True when problems were found.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Questions that `--new-questions` will add, sorted.
    pub fn added_questions(&self) -> Vec<String> {
        self.added.iter().cloned().collect()
    }

    /// Checks one draft. `Ok(None)`: the draft had problems (recorded). `Err`: the workspace
    /// itself cannot be read (a broken codebook file).
    pub fn check(&mut self, d: Draft) -> Result<Option<Answer>> {
        let before = self.errors.len() + self.dropped;
        let row = d.row;
        let entity = d.entity_code.trimmed().to_string();
        if entity.is_empty() {
            self.err(
                row,
                &d.entity_code,
                "entity_code is empty: every answer needs its entity's code",
            );
        } else if entity.contains('|') {
            self.err(row, &d.entity_code, "entity_code must not contain '|'");
        }
        let month = self.month(row, &d.month);
        let question = d.question.trimmed().to_string();
        let kind = self.question_kind(row, &d.question);
        let rating = match parse_rating(&d.rating.value) {
            Ok(r) => r,
            Err(m) => {
                self.err(row, &d.rating, &m);
                None
            }
        };
        if let (Some(r), Some(k)) = (rating, kind) {
            self.check_rating(row, &d.rating, &question, k, r);
        }
        let codes = split_codes(&d.codes.value);
        if !codes.is_empty() {
            match kind {
                Some(QuestionKind::Rating) => self.err(
                    row,
                    &d.codes,
                    &format!("'{question}' is a rating question: its answers take no codes"),
                ),
                Some(_) => self.check_codes(row, &d.codes, &question, &codes)?,
                None => {}
            }
        }
        let answer_id = optional(&d.answer_id.value);
        if answer_id.as_deref().is_some_and(|a| a.contains('|')) {
            self.err(row, &d.answer_id, "answer_id must not contain '|'");
        }
        if self.errors.len() + self.dropped > before {
            return Ok(None);
        }
        let Some(month) = month else { return Ok(None) };
        let key = answer_key(&entity, month, &question, answer_id.as_deref());
        if let Some(first) = self.seen.get(&key) {
            let msg = format!(
                "duplicate answer: row {first} has the same entity ({entity}), month ({month}), \
                 question ({question}){}; remove one, or add an answer_id column to tell them apart",
                answer_id
                    .as_deref()
                    .map(|a| format!(" and answer_id ({a})"))
                    .unwrap_or_default()
            );
            self.push(RowError {
                row: Some(row),
                column: None,
                message: msg,
            });
            return Ok(None);
        }
        self.seen.insert(key, row);
        Ok(Some(Answer {
            entity_code: entity,
            entity_name: clean_text(&d.entity_name),
            department: clean_text(&d.department),
            region: clean_text(&d.region),
            entity_kind: optional(&d.entity_kind),
            month,
            question,
            answer_id,
            text: clean_text(&d.text.value),
            rating,
            codes,
            machine: None,
            interview_date: optional(&d.interview_date),
            respondent_role: optional(&d.respondent_role),
            attributes: d.attributes,
        }))
    }

    fn err(&mut self, row: usize, cell: &Cell, message: &str) {
        self.push(RowError {
            row: Some(row),
            column: cell.column.clone(),
            message: message.to_string(),
        });
    }

    fn month(&mut self, row: usize, cell: &Cell) -> Option<Month> {
        let v = cell.trimmed();
        if v.is_empty() {
            self.err(
                row,
                cell,
                "month is empty: write it as YYYY-MM, e.g. 2020-07",
            );
            return None;
        }
        let m = Month::parse(v).or_else(|| Month::parse_lenient(v));
        if m.is_none() {
            self.err(
                row,
                cell,
                &format!(
                    "'{v}' is not a month: write it as YYYY-MM, e.g. 2020-07 (\"julio 2020\", \
                     \"2020/7\" and \"07/2020\" are accepted too)"
                ),
            );
        }
        m
    }

    fn question_kind(&mut self, row: usize, cell: &Cell) -> Option<QuestionKind> {
        let id = cell.trimmed();
        if id.is_empty() {
            self.err(row, cell, "question is empty");
            return None;
        }
        if let Some(q) = self.config().question(id) {
            return Some(q.kind);
        }
        if self.new_questions {
            if id.contains(['|', ' ']) {
                self.err(
                    row,
                    cell,
                    &format!("'{id}' cannot become a question id: ids have no spaces or '|'"),
                );
                return None;
            }
            self.added.insert(id.to_string());
            return Some(QuestionKind::Open);
        }
        let known: Vec<&str> = self
            .config()
            .questions
            .iter()
            .map(|q| q.id.as_str())
            .collect();
        self.err(
            row,
            cell,
            &format!(
                "unknown question '{id}' (codifica.toml has: {}); add it there, or import with \
                 --new-questions to add it as an open question",
                known.join(", ")
            ),
        );
        None
    }

    fn check_rating(
        &mut self,
        row: usize,
        cell: &Cell,
        question: &str,
        kind: QuestionKind,
        r: f64,
    ) {
        match self.config().question(question) {
            Some(q) if kind == QuestionKind::Rating => {
                let [lo, hi] = q.scale;
                if r < lo || r > hi {
                    self.err(
                        row,
                        cell,
                        &format!("rating {r} is off the scale of '{question}' ({lo}–{hi})"),
                    );
                }
            }
            _ => self.err(
                row,
                cell,
                &format!(
                    "'{question}' is not a rating question, so it takes no rating (put the \
                     number in a rating question's row)"
                ),
            ),
        }
    }

    fn check_codes(
        &mut self,
        row: usize,
        cell: &Cell,
        question: &str,
        codes: &[String],
    ) -> Result<()> {
        let Some(cb) = self.codebooks.get(question) else {
            return Ok(());
        };
        let msg = match cb.check_codes(codes) {
            Ok(()) => return Ok(()),
            Err(CodesProblem::Unknown(unknown)) => format!(
                "code{} {} not in the codebook of '{question}' (codebooks/{question}.toml); \
                 add {} with `codifica codebook`, or fix the spelling",
                if unknown.len() == 1 { "" } else { "s" },
                unknown
                    .iter()
                    .map(|c| format!("'{c}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if unknown.len() == 1 { "it" } else { "them" },
            ),
            Err(CodesProblem::SeveralOnSingleLabel(n)) => format!(
                "{n} codes on '{question}', whose codebook allows one code per answer \
                 (codebooks/{question}.toml, multi_label = false): keep one, or make the \
                 codebook multi-label"
            ),
        };
        self.err(row, cell, &msg);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codebook;
    use crate::workspace::Workspace;

    #[test]
    fn ratings() {
        assert_eq!(parse_rating("4"), Ok(Some(4.0)));
        assert_eq!(parse_rating(" 4,5 "), Ok(Some(4.5)));
        assert_eq!(parse_rating("4.5"), Ok(Some(4.5)));
        assert_eq!(parse_rating(""), Ok(None));
        for bad in ["cuatro", "1.000,5", "4,5,1", "NaN", "inf", "1e0", "4 5"] {
            assert!(parse_rating(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_and_text() {
        assert_eq!(split_codes(" a; b ;;a"), ["a", "b"]);
        assert!(split_codes(" ; ").is_empty());
        assert_eq!(clean_text(" Bogota\u{301} "), "Bogotá");
    }

    fn draft(row: usize, q: &str, rating: &str, text: &str) -> Draft {
        Draft {
            row,
            entity_code: Cell::new("05001", "entity_code"),
            month: Cell::new("julio 2020", "month"),
            question: Cell::new(q, "question"),
            rating: Cell::new(rating, "rating"),
            text: Cell::new(text, "answer"),
            codes: Cell::new("", "codes"),
            ..Draft::default()
        }
    }

    #[test]
    fn collects_every_problem() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
        codebook::install_defaults(&ws).unwrap();
        let codebooks = crate::ingest::load_codebooks(&ws).unwrap();
        let mut v = Validator::new(ws.config(), codebooks, false);
        let ok = v
            .check(draft(2, "calificacion_general", "4,5", ""))
            .unwrap()
            .unwrap();
        assert_eq!(ok.rating, Some(4.5));
        assert_eq!(ok.month.to_string(), "2020-07");
        assert!(
            v.check(draft(3, "calificacion_general", "6", ""))
                .unwrap()
                .is_none()
        );
        assert!(
            v.check(draft(4, "calificacion_general", "cuatro", ""))
                .unwrap()
                .is_none()
        );
        assert!(v.check(draft(5, "nope", "", "x")).unwrap().is_none());
        assert!(
            v.check(draft(6, "articulacion_instrumentos", "3", "x"))
                .unwrap()
                .is_none()
        );
        let mut d = draft(7, "articulacion_instrumentos", "", "x");
        d.codes = Cell::new("no_such_code", "codes");
        assert!(v.check(d).unwrap().is_none());
        assert!(
            v.check(draft(8, "calificacion_general", "3", ""))
                .unwrap()
                .is_none()
        );
        let errors = v.into_errors();
        let rows: Vec<Option<usize>> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [Some(3), Some(4), Some(5), Some(6), Some(7), Some(8)]);
        assert!(errors[0].message.contains("off the scale"));
        assert_eq!(errors[1].column.as_deref(), Some("rating"));
        assert!(errors[2].message.contains("unknown question"));
        assert!(errors[4].message.contains("no_such_code"));
        assert!(errors[5].message.contains("row 2"), "{}", errors[5].message);
    }

    #[test]
    fn new_questions_become_open() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
        let mut v = Validator::new(ws.config(), BTreeMap::new(), true);
        assert!(v.check(draft(2, "nueva", "", "x")).unwrap().is_some());
        assert!(v.check(draft(3, "con espacio", "", "x")).unwrap().is_none());
        assert_eq!(v.added_questions(), ["nueva"]);
    }
}
