//! Stage: ingest, the canonical long format. A header row in, [`Draft`]s out: one row per
//! answer, with the columns of `docs/import.md`. Header names match case-insensitively and
//! trimmed; unknown columns are kept as attributes; the columns a review export adds
//! (`suggested_code`, `confidence`, `margin`, `top_terms`) are recognised and ignored, so an
//! analyst can fill `codes` in a review export and import it back.

use std::collections::{BTreeMap, BTreeSet};

use crate::answer::Supplied;

use crate::error::RowError;
use crate::ingest::reader::{Row, column_label};
use crate::ingest::validate::{Cell, Draft};

/// The canonical long format's column names, defined once: the importer, the demo's CSV and
/// the review export all name their columns from here, so a file one writes the other reads.
pub mod col {
    pub const ENTITY_CODE: &str = "entity_code";
    pub const ENTITY_NAME: &str = "entity_name";
    pub const DEPARTMENT: &str = "department";
    pub const REGION: &str = "region";
    pub const MONTH: &str = "month";
    pub const QUESTION: &str = "question";
    pub const ANSWER: &str = "answer";
    pub const RATING: &str = "rating";
    pub const CODES: &str = "codes";
    pub const ENTITY_KIND: &str = "entity_kind";
    pub const INTERVIEW_DATE: &str = "interview_date";
    pub const RESPONDENT_ROLE: &str = "respondent_role";
    pub const ANSWER_ID: &str = "answer_id";
}

/// Columns every canonical file must have.
pub const REQUIRED: [&str; 7] = [
    col::ENTITY_CODE,
    col::ENTITY_NAME,
    col::DEPARTMENT,
    col::REGION,
    col::MONTH,
    col::QUESTION,
    col::ANSWER,
];

/// Columns used when present.
pub const OPTIONAL: [&str; 6] = [
    col::RATING,
    col::CODES,
    col::ENTITY_KIND,
    col::INTERVIEW_DATE,
    col::RESPONDENT_ROLE,
    col::ANSWER_ID,
];

/// Columns of a review export that an import ignores (the model's suggestion, not data).
pub const IGNORED: [&str; 4] = ["suggested_code", "confidence", "margin", "top_terms"];

/// Where each canonical column is in a file's header.
#[derive(Debug, Clone)]
pub struct Columns {
    index: BTreeMap<&'static str, usize>,
    labels: Vec<String>,
    /// (index, name) of the extra columns kept as attributes.
    attributes: Vec<(usize, String)>,
}

impl Columns {
    /// Resolves the header; every missing required column and every repeated name is a problem
    /// on row 1.
    pub fn resolve(headers: &[String]) -> Result<Columns, Vec<RowError>> {
        let mut index = BTreeMap::new();
        let mut attributes = Vec::new();
        let mut errors = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, h) in headers.iter().enumerate() {
            let name = crate::ingest::table::header_key(h);
            if name.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(name.clone(), i) {
                errors.push(RowError {
                    row: Some(1),
                    column: Some(h.trim().to_string()),
                    message: format!(
                        "column '{}' appears twice in the header (columns {} and {})",
                        h.trim(),
                        crate::ingest::reader::column_letter(first),
                        crate::ingest::reader::column_letter(i)
                    ),
                });
                continue;
            }
            if let Some(known) = REQUIRED.iter().chain(OPTIONAL.iter()).find(|k| **k == name) {
                index.insert(*known, i);
            } else if !IGNORED.contains(&name.as_str()) {
                attributes.push((i, h.trim().to_string()));
            }
        }
        for col in REQUIRED {
            if !index.contains_key(col) {
                errors.push(RowError {
                    row: Some(1),
                    column: Some(col.to_string()),
                    message: format!(
                        "missing column '{col}' (the header has: {}); a canonical file needs {}",
                        headers
                            .iter()
                            .map(|h| h.trim())
                            .collect::<Vec<_>>()
                            .join(", "),
                        REQUIRED.join(", ")
                    ),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let labels = (0..headers.len())
            .map(|i| column_label(headers, i))
            .collect();
        Ok(Columns {
            index,
            labels,
            attributes,
        })
    }

    /// The fields this file supplies: a column absent from it (e.g. `entity_kind` in a review
    /// export) leaves the stored value alone on re-import.
    pub fn supplied(&self) -> Supplied {
        let has = |name: &str| self.index.contains_key(name);
        Supplied {
            entity_name: true,
            department: true,
            region: true,
            entity_kind: has("entity_kind"),
            text: true,
            rating: has("rating"),
            codes: has("codes"),
            interview_date: has("interview_date"),
            respondent_role: has("respondent_role"),
        }
    }

    /// The names of the columns kept as attributes.
    pub fn attribute_names(&self) -> BTreeSet<String> {
        self.attributes.iter().map(|(_, n)| n.clone()).collect()
    }

    fn cell(&self, row: &Row, name: &str) -> Cell {
        match self.index.get(name) {
            Some(&i) => Cell::new(row.get(i), &self.labels[i]),
            None => Cell::fixed(""),
        }
    }

    fn text(&self, row: &Row, name: &str) -> String {
        self.index
            .get(name)
            .map_or(String::new(), |&i| row.get(i).to_string())
    }

    /// The draft answer of one row.
    pub fn draft(&self, row: &Row) -> Draft {
        let attributes = self
            .attributes
            .iter()
            .filter_map(|(i, name)| {
                let v = row.get(*i).trim();
                (!v.is_empty()).then(|| (name.clone(), v.to_string()))
            })
            .collect();
        Draft {
            row: row.line,
            entity_code: self.cell(row, "entity_code"),
            entity_name: self.text(row, "entity_name"),
            department: self.text(row, "department"),
            region: self.text(row, "region"),
            entity_kind: self.text(row, "entity_kind"),
            month: self.cell(row, "month"),
            question: self.cell(row, "question"),
            answer_id: self.cell(row, "answer_id"),
            text: self.cell(row, "answer"),
            rating: self.cell(row, "rating"),
            codes: self.cell(row, "codes"),
            interview_date: self.text(row, "interview_date"),
            respondent_role: self.text(row, "respondent_role"),
            attributes,
            supplied: self.supplied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn header_is_matched_loosely_and_extras_kept() {
        let headers = h(&[
            " Entity_Code",
            "ENTITY_NAME",
            "department",
            "region",
            "month",
            "question",
            "answer",
            "rating",
            "codes",
            "encuestador",
            "suggested_code",
            "confidence",
        ]);
        let c = Columns::resolve(&headers).unwrap();
        let row = Row {
            line: 2,
            cells: h(&[
                "05001",
                "Medellín",
                "Antioquia",
                "Eje Cafetero",
                "2020-07",
                "q",
                "a",
                "",
                "",
                "Ana",
                "x",
                "0.9",
            ]),
            problems: vec![],
        };
        let d = c.draft(&row);
        assert_eq!(d.entity_code.value, "05001");
        assert_eq!(d.entity_code.column.as_deref(), Some("Entity_Code"));
        assert_eq!(d.attributes.len(), 1);
        assert_eq!(d.attributes["encuestador"], "Ana");
    }

    #[test]
    fn missing_and_repeated_columns_are_reported_on_row_one() {
        let errors = Columns::resolve(&h(&["entity_code", "month", "month"])).unwrap_err();
        assert!(errors.iter().all(|e| e.row == Some(1)));
        assert!(errors[0].message.contains("twice"));
        let missing: Vec<&str> = errors[1..]
            .iter()
            .filter_map(|e| e.column.as_deref())
            .collect();
        assert_eq!(
            missing,
            ["entity_name", "department", "region", "question", "answer"]
        );
    }
}
