//! Stage: ingest, spreadsheets as analysts keep them, through a named column mapping declared
//! in `codifica.toml` (`[[mapping]]`, see `docs/import.md`). Rows in, [`Draft`]s out.
//!
//! Two layouts:
//! - **wide**: one row per interview, one column per question (`questions = { "Column" = "id" }`);
//!   a rating question's cell is its rating, another question's cell is its text; an empty cell
//!   is no answer.
//! - **stacked**: one row per answer, the question named in a column (`question_column`, with
//!   `question_values` mapping the sheet's wording to question ids) and the answer in
//!   `answer_column` — the shape of many government exports, such as the Chilean cabildos file.

use std::collections::{BTreeSet, HashMap};

use crate::answer::Supplied;
// Declared in `config` (it is part of `codifica.toml`); re-exported here for existing callers.
pub use crate::config::WideMapping;
use crate::config::{Config, QuestionKind};
use crate::error::RowError;
use crate::ingest::reader::{Row, column_label};
use crate::ingest::table::header_key;
use crate::ingest::validate::{Cell, Draft};
use crate::month::Month;

fn loose(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A mapping resolved against one file's header.
pub struct Resolved<'m> {
    mapping: &'m WideMapping,
    labels: Vec<String>,
    entity_code: usize,
    entity_name: Option<usize>,
    department: Option<usize>,
    region: Option<usize>,
    entity_kind: Option<usize>,
    month: Option<usize>,
    month_value: String,
    interview_date: Option<usize>,
    respondent_role: Option<usize>,
    answer_id: Vec<usize>,
    layout: Layout,
    attributes: Vec<(usize, String)>,
    question_values: HashMap<String, String>,
    repeats: HashMap<String, usize>,
}

enum Layout {
    /// (question column, question id, codes column)
    Wide(Vec<(usize, String, Option<usize>)>),
    Stacked {
        question: usize,
        answer: Option<usize>,
        rating: Option<usize>,
        codes: Option<usize>,
    },
}

impl WideMapping {
    /// Checks the mapping against a file's header: every named column must exist (problems on
    /// row 1), exactly one of `month`/`month_value`, exactly one layout.
    pub fn resolve(&self, headers: &[String]) -> Result<Resolved<'_>, Vec<RowError>> {
        let mut l = HeaderLookup::new(headers, &self.name);
        let entity_code = l.need(&self.entity_code);
        let entity_name = l.opt(&self.entity_name);
        let department = l.opt(&self.department);
        let region = l.opt(&self.region);
        let entity_kind = l.opt(&self.entity_kind);
        let month = l.opt(&self.month);
        let interview_date = l.opt(&self.interview_date);
        let respondent_role = l.opt(&self.respondent_role);
        let answer_id: Vec<usize> = self.answer_id.iter().map(|c| l.need(c)).collect();
        let attributes: Vec<(usize, String)> = self
            .attributes
            .iter()
            .map(|c| (l.need(c), c.clone()))
            .collect();
        let month_value = self.fixed_month(&mut l);
        let layout = self.layout(&mut l);
        if !l.errors.is_empty() {
            return Err(l.errors);
        }
        Ok(Resolved {
            mapping: self,
            labels: (0..headers.len())
                .map(|i| column_label(headers, i))
                .collect(),
            entity_code,
            entity_name,
            department,
            region,
            entity_kind,
            month,
            month_value,
            interview_date,
            respondent_role,
            answer_id,
            layout,
            attributes,
            question_values: self
                .question_values
                .iter()
                .map(|(k, v)| (loose(k), v.clone()))
                .collect(),
            repeats: HashMap::new(),
        })
    }

    /// The fixed month (`month_value`, normalised), or "" when the month is a column; exactly
    /// one of the two must be given.
    fn fixed_month(&self, l: &mut HeaderLookup<'_>) -> String {
        match (&self.month, &self.month_value) {
            (Some(_), None) => String::new(),
            (None, Some(v)) => match Month::parse_lenient(v) {
                Some(m) => m.to_string(),
                None => {
                    l.problem(
                        None,
                        format!(
                            "mapping '{}': month_value '{v}' is not a month (YYYY-MM)",
                            self.name
                        ),
                    );
                    String::new()
                }
            },
            _ => {
                l.problem(
                    None,
                    format!(
                        "mapping '{}' needs exactly one of `month` (a column) or `month_value` (a fixed month)",
                        self.name
                    ),
                );
                String::new()
            }
        }
    }

    /// One column per question (wide) or one row per answer (stacked); not both, not neither.
    fn layout(&self, l: &mut HeaderLookup<'_>) -> Layout {
        match (&self.question_column, self.questions.is_empty()) {
            (None, false) => {
                let mut cols = Vec::new();
                for (col, id) in &self.questions {
                    let qi = l.need(col);
                    let ci = self.codes.get(id).map(|c| l.need(c));
                    cols.push((qi, id.clone(), ci));
                }
                for id in self.codes.keys() {
                    if !self.questions.values().any(|q| q == id) {
                        l.problem(
                            None,
                            format!(
                                "mapping '{}': `codes` names question '{id}', which no question column maps to",
                                self.name
                            ),
                        );
                    }
                }
                cols.sort_by_key(|c| c.0);
                Layout::Wide(cols)
            }
            (Some(qc), true) => Layout::Stacked {
                question: l.need(qc),
                answer: l.opt(&self.answer_column),
                rating: l.opt(&self.rating_column),
                codes: l.opt(&self.codes_column),
            },
            _ => {
                l.problem(
                    None,
                    format!(
                        "mapping '{}' needs either `questions` (one column per question) or `question_column` (one row per answer), not both",
                        self.name
                    ),
                );
                Layout::Wide(Vec::new())
            }
        }
    }
}

/// Finds a mapping's columns in a header (trimmed, case-insensitive), collecting a row-1
/// problem for each one that is missing.
struct HeaderLookup<'h> {
    headers: &'h [String],
    /// The header names trimmed and lowercased, computed once.
    normalized: Vec<String>,
    mapping: &'h str,
    errors: Vec<RowError>,
}

impl<'h> HeaderLookup<'h> {
    fn new(headers: &'h [String], mapping: &'h str) -> HeaderLookup<'h> {
        HeaderLookup {
            headers,
            normalized: headers.iter().map(|h| header_key(h)).collect(),
            mapping,
            errors: Vec::new(),
        }
    }

    fn problem(&mut self, column: Option<&str>, message: String) {
        self.errors.push(RowError {
            row: Some(1),
            column: column.map(str::to_string),
            message,
        });
    }

    /// The index of column `name`; a missing one is a problem (and 0, never used then).
    fn need(&mut self, name: &str) -> usize {
        let want = header_key(name);
        if let Some(i) = self.normalized.iter().position(|h| *h == want) {
            return i;
        }
        let message = format!(
            "missing column '{name}' named by mapping '{}' (the header has: {})",
            self.mapping,
            self.headers.join(", ")
        );
        self.problem(Some(name), message);
        0
    }

    /// [`HeaderLookup::need`] for a column the mapping may leave out.
    fn opt(&mut self, name: &Option<String>) -> Option<usize> {
        name.as_deref().map(|n| self.need(n))
    }
}

impl Resolved<'_> {
    /// The names of the columns kept as attributes.
    pub fn attribute_names(&self) -> BTreeSet<String> {
        self.attributes.iter().map(|(_, n)| n.clone()).collect()
    }

    fn cell(&self, row: &Row, idx: usize) -> Cell {
        Cell::new(row.get(idx), &self.labels[idx])
    }

    fn text(&self, row: &Row, idx: Option<usize>) -> String {
        idx.map_or(String::new(), |i| row.get(i).to_string())
    }

    /// The draft answers of one row (none when every mapped answer cell is empty).
    pub fn drafts(&mut self, row: &Row, config: &Config) -> Vec<Draft> {
        let answer_id = if self.answer_id.is_empty() {
            Cell::fixed("")
        } else {
            let parts: Vec<&str> = self.answer_id.iter().map(|&i| row.get(i).trim()).collect();
            let value = if parts.iter().all(|p| p.is_empty()) {
                String::new()
            } else {
                parts.join("/")
            };
            Cell {
                value,
                column: Some(
                    self.answer_id
                        .iter()
                        .map(|&i| self.labels[i].clone())
                        .collect::<Vec<_>>()
                        .join("+"),
                ),
            }
        };
        let base = Draft {
            row: row.line,
            entity_code: self.cell(row, self.entity_code),
            entity_name: self.text(row, self.entity_name),
            department: self.text(row, self.department),
            region: self.text(row, self.region),
            entity_kind: self.text(row, self.entity_kind),
            month: match self.month {
                Some(i) => self.cell(row, i),
                None => Cell::fixed(&self.month_value),
            },
            answer_id,
            interview_date: self.text(row, self.interview_date),
            respondent_role: self.text(row, self.respondent_role),
            attributes: self
                .attributes
                .iter()
                .filter_map(|(i, name)| {
                    let v = row.get(*i).trim();
                    (!v.is_empty()).then(|| (name.clone(), v.to_string()))
                })
                .collect(),
            supplied: Supplied {
                entity_name: self.entity_name.is_some(),
                department: self.department.is_some(),
                region: self.region.is_some(),
                entity_kind: self.entity_kind.is_some(),
                interview_date: self.interview_date.is_some(),
                respondent_role: self.respondent_role.is_some(),
                ..Supplied::default()
            },
            ..Draft::default()
        };
        let mut out = Vec::new();
        match &self.layout {
            Layout::Wide(cols) => {
                for (qi, id, ci) in cols {
                    let value = row.get(*qi);
                    let codes = ci.map(|c| self.cell(row, c)).unwrap_or_default();
                    if value.trim().is_empty() && codes.value.trim().is_empty() {
                        continue;
                    }
                    let mut d = base.clone();
                    d.question = Cell {
                        value: id.clone(),
                        column: Some(self.labels[*qi].clone()),
                    };
                    let is_rating = config
                        .question(id)
                        .is_some_and(|q| q.kind == QuestionKind::Rating);
                    if is_rating {
                        d.rating = self.cell(row, *qi);
                        d.supplied.rating = true;
                    } else {
                        d.text = self.cell(row, *qi);
                        d.supplied.text = true;
                    }
                    d.codes = codes;
                    d.supplied.codes = ci.is_some();
                    out.push(d);
                }
            }
            Layout::Stacked {
                question,
                answer,
                rating,
                codes,
            } => {
                let mut d = base;
                let raw = row.get(*question).trim();
                let id = self
                    .question_values
                    .get(&loose(raw))
                    .cloned()
                    .unwrap_or_else(|| raw.to_string());
                d.question = Cell {
                    value: id,
                    column: Some(self.labels[*question].clone()),
                };
                d.text = answer.map(|i| self.cell(row, i)).unwrap_or_default();
                d.rating = rating.map(|i| self.cell(row, i)).unwrap_or_default();
                d.codes = codes.map(|i| self.cell(row, i)).unwrap_or_default();
                d.supplied.text = answer.is_some();
                d.supplied.rating = rating.is_some();
                d.supplied.codes = codes.is_some();
                out.push(d);
            }
        }
        if self.mapping.number_repeats {
            for d in &mut out {
                let key = format!(
                    "{}|{}|{}|{}",
                    d.entity_code.value.trim(),
                    d.month.value.trim(),
                    d.question.value,
                    d.answer_id.value
                );
                let n = self.repeats.entry(key).or_insert(0);
                *n += 1;
                if *n > 1 {
                    d.answer_id.value = format!("{}#{n}", d.answer_id.value);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn row(line: usize, cells: &[&str]) -> Row {
        Row {
            line,
            cells: h(cells),
            problems: vec![],
        }
    }

    #[test]
    fn wide_rows_become_one_draft_per_filled_question() {
        let text = r#"
name = "m"
entity_code = "Código"
month = "Mes"
answer_id = "Encuestado"
[questions]
"Calificación" = "calificacion_general"
"¿Por qué?" = "articulacion_instrumentos"
[codes]
articulacion_instrumentos = "Códigos"
"#;
        let m: WideMapping = toml::from_str(text).unwrap();
        assert_eq!(m.answer_id, ["Encuestado"]);
        let config = Config::monitoreo360();
        let headers = h(&[
            "Código",
            "Mes",
            "Encuestado",
            "Calificación",
            "¿Por qué?",
            "Códigos",
        ]);
        let mut r = m.resolve(&headers).unwrap();
        let drafts = r.drafts(
            &row(2, &["05001", "julio 2020", "1", "4,5", "Porque sí", "a;b"]),
            &config,
        );
        assert_eq!(drafts.len(), 2);
        assert_eq!(drafts[0].question.value, "calificacion_general");
        assert_eq!(drafts[0].rating.value, "4,5");
        assert_eq!(drafts[1].text.value, "Porque sí");
        assert_eq!(drafts[1].codes.value, "a;b");
        assert_eq!(drafts[1].answer_id.value, "1");
        let empty = r.drafts(&row(3, &["05001", "julio 2020", "2", "", "", ""]), &config);
        assert!(empty.is_empty());
    }

    #[test]
    fn stacked_rows_with_numbered_repeats() {
        let text = r#"
name = "s"
entity_code = "id"
month_value = "2016-07"
answer_id = ["mesa", "concepto"]
number_repeats = true
question_column = "pregunta"
answer_column = "fundamento"
codes_column = "concepto"
[question_values]
"¿Cuáles  son los VALORES?" = "valores"
"#;
        let m: WideMapping = toml::from_str(text).unwrap();
        let headers = h(&["id", "mesa", "pregunta", "concepto", "fundamento"]);
        let mut r = m.resolve(&headers).unwrap();
        let config = Config::monitoreo360();
        let a = r.drafts(
            &row(2, &["81", "1", "¿Cuáles son los valores?", "Otro", "x"]),
            &config,
        );
        let b = r.drafts(
            &row(3, &["81", "1", "¿Cuáles son los valores?", "Otro", "y"]),
            &config,
        );
        assert_eq!(a[0].question.value, "valores");
        assert_eq!(a[0].month.value, "2016-07");
        assert_eq!(a[0].answer_id.value, "1/Otro");
        assert_eq!(b[0].answer_id.value, "1/Otro#2");
        assert_eq!(b[0].text.value, "y");
    }

    #[test]
    fn bad_mapping_names_the_missing_columns() {
        let m: WideMapping = toml::from_str("name = \"m\"\nentity_code = \"x\"\nmonth = \"mes\"\n[questions]\nq = \"calificacion_general\"\n").unwrap();
        let errors = m.resolve(&h(&["a", "q"])).err().unwrap();
        let cols: Vec<&str> = errors.iter().filter_map(|e| e.column.as_deref()).collect();
        assert_eq!(cols, ["x", "mes"]);
        assert!(
            toml::from_str::<WideMapping>("name = \"m\"\nentity_code = \"x\"\nbogus = 1\n")
                .is_err()
        );
    }
}
