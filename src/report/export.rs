//! Stage: report (exports). Stored answers and codebooks in; tables for spreadsheets out.
//!
//! - [`answers_table`]: one row per answer with its attributes, human codes (ids and labels),
//!   machine codes, confidence and margin.
//! - [`matrix`]: code presence 0/1, answers (or entities) × codes.
//! - [`crosstab`]: codes × region or month, counting answers with each code, with a first row
//!   giving how many answers each column holds (the denominator).
//!
//! Tables are plain rows of strings; `tabular` writes them (CSV/XLSX/JSONL) and neutralises cells
//! that would run as formulas.

use std::collections::{BTreeMap, BTreeSet};

use crate::answer::Answer;
use crate::codebook::{self, Codebook};

/// A table: header and rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Headers as `&str`, for `tabular::write_table`.
    pub fn header_refs(&self) -> Vec<&str> {
        self.headers.iter().map(String::as_str).collect()
    }
}

/// Which codes a matrix or crosstab counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeSource {
    /// The analysts' codes only.
    Human,
    /// The model's (or autocode's) codes only.
    Machine,
    /// Human codes where present, else the machine's (what reports count).
    #[default]
    Effective,
}

impl CodeSource {
    fn codes<'a>(&self, a: &'a Answer) -> &'a [String] {
        match self {
            CodeSource::Human => &a.codes,
            CodeSource::Machine => a.machine.as_ref().map_or(&[], |m| m.codes.as_slice()),
            CodeSource::Effective => a.effective_codes(),
        }
    }
}

/// What a crosstab's columns are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossBy {
    Region,
    Month,
}

const FIXED: &[&str] = &[
    "key",
    "entity_code",
    "entity_name",
    "department",
    "region",
    "entity_kind",
    "month",
    "question",
    "answer_id",
    "interview_date",
    "respondent_role",
    "rating",
    "text",
    "codes",
    "code_labels",
    "coder",
    "coded_at",
    "machine_codes",
    "machine_confidence",
    "machine_margin",
    "machine_model",
];

/// One row per answer. Extra imported columns follow the fixed ones (sorted; prefixed `attr_`
/// if a name clashes with a fixed column). Codes are `;`-separated, as `import` reads them.
/// `coders` names who set each answer's human codes (see [`Coders`]).
pub fn answers_table(
    answers: &[Answer],
    codebooks: &BTreeMap<String, Codebook>,
    coders: Coders,
) -> Table {
    let columns =
        AnswerColumns::new(answers.iter().flat_map(|a| a.attributes.keys())).with_coders(coders);
    Table {
        headers: columns.headers(),
        rows: answers.iter().map(|a| columns.row(a, codebooks)).collect(),
    }
}

/// The columns of [`answers_table`], known before the rows, so that a large export can write
/// rows as it reads them (`codifica export --format csv` reads the store twice: the extra
/// column names first, then the rows, one month at a time).
pub struct AnswerColumns {
    /// Names of the extra imported columns, sorted.
    extra: Vec<String>,
    coders: Coders,
}

/// Who set each answer's current human codes and when (UTC), by answer key: the team log's
/// last stamp (`app::team::last_coders`). The `coder` and `coded_at` columns are empty for an
/// answer without human codes or without a stamp (coded before the log existed).
pub type Coders = BTreeMap<String, (String, String)>;

impl AnswerColumns {
    /// The columns for answers carrying these extra attribute names (repeats allowed).
    pub fn new<'a>(attribute_names: impl IntoIterator<Item = &'a String>) -> AnswerColumns {
        let extra: BTreeSet<&String> = attribute_names.into_iter().collect();
        AnswerColumns {
            extra: extra.into_iter().cloned().collect(),
            coders: Coders::new(),
        }
    }

    /// The same columns, filling `coder` and `coded_at` from `coders`.
    pub fn with_coders(self, coders: Coders) -> AnswerColumns {
        AnswerColumns { coders, ..self }
    }

    /// Header row.
    pub fn headers(&self) -> Vec<String> {
        let mut headers: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
        for k in &self.extra {
            let mut h = k.clone();
            while headers.contains(&h) {
                h = format!("attr_{h}");
            }
            headers.push(h);
        }
        headers
    }

    /// One answer's row.
    pub fn row(&self, a: &Answer, codebooks: &BTreeMap<String, Codebook>) -> Vec<String> {
        let labels: Vec<String> = a
            .codes
            .iter()
            .map(|c| codebook::label_of(codebooks.get(&a.question), c).to_string())
            .collect();
        let m = a.machine.as_ref();
        let key = a.key();
        let (coder, at) = match self.coders.get(&key) {
            Some((c, t)) if a.is_coded() => (c.clone(), t.clone()),
            _ => Default::default(),
        };
        let mut row = vec![
            key,
            a.entity_code.clone(),
            a.entity_name.clone(),
            a.department.clone(),
            a.region.clone(),
            a.entity_kind.clone().unwrap_or_default(),
            a.month.to_string(),
            a.question.clone(),
            a.answer_id.clone().unwrap_or_default(),
            a.interview_date.clone().unwrap_or_default(),
            a.respondent_role.clone().unwrap_or_default(),
            a.rating.map(|r| r.to_string()).unwrap_or_default(),
            a.text.clone(),
            a.codes.join(";"),
            labels.join(";"),
            coder,
            at,
            m.map(|m| m.codes.join(";")).unwrap_or_default(),
            m.map(|m| format!("{:.3}", m.confidence))
                .unwrap_or_default(),
            m.map(|m| format!("{:.3}", m.margin)).unwrap_or_default(),
            m.map(|m| m.model.clone()).unwrap_or_default(),
        ];
        for k in &self.extra {
            row.push(a.attributes.get(k).cloned().unwrap_or_default());
        }
        row
    }
}

/// Code columns of the questions present: `(question, code id)`, codebook order, then codes the
/// answers carry that no codebook lists (sorted).
fn code_columns(
    answers: &[&Answer],
    codebooks: &BTreeMap<String, Codebook>,
    source: CodeSource,
) -> Vec<(String, String)> {
    let questions: BTreeSet<&str> = answers.iter().map(|a| a.question.as_str()).collect();
    let mut cols = Vec::new();
    let mut known = BTreeSet::new();
    for q in &questions {
        if let Some(cb) = codebooks.get(*q) {
            for c in cb.codable() {
                cols.push((q.to_string(), c.id.clone()));
                known.insert((q.to_string(), c.id.clone()));
            }
        }
    }
    let stray: BTreeSet<(String, String)> = answers
        .iter()
        .flat_map(|a| {
            source
                .codes(a)
                .iter()
                .map(|c| (a.question.clone(), c.clone()))
        })
        .filter(|k| !known.contains(k))
        .collect();
    cols.extend(stray);
    cols
}

/// The answers a code table counts: those of questions with a codebook, or carrying codes.
fn with_codes<'a>(
    answers: &'a [Answer],
    codebooks: &BTreeMap<String, Codebook>,
    source: CodeSource,
) -> Vec<&'a Answer> {
    answers
        .iter()
        .filter(|a| codebooks.contains_key(&a.question) || !source.codes(a).is_empty())
        .collect()
}

fn column_name(q: &str, c: &str, single_question: bool) -> String {
    if single_question {
        c.to_string()
    } else {
        format!("{q}:{c}")
    }
}

/// Code presence, 0/1: one row per answer (of questions with a codebook or with codes), or per
/// entity when `by_entity` (1 when any of its answers carries the code).
pub fn matrix(
    answers: &[Answer],
    codebooks: &BTreeMap<String, Codebook>,
    source: CodeSource,
    by_entity: bool,
) -> Table {
    let answers = with_codes(answers, codebooks, source);
    let cols = code_columns(&answers, codebooks, source);
    let single = cols.iter().map(|(q, _)| q).collect::<BTreeSet<_>>().len() <= 1;
    let col_index: BTreeMap<(&str, &str), usize> = cols
        .iter()
        .enumerate()
        .map(|(i, (q, c))| ((q.as_str(), c.as_str()), i))
        .collect();
    let mark = |a: &Answer, row: &mut [u8]| {
        for c in source.codes(a) {
            if let Some(&i) = col_index.get(&(a.question.as_str(), c.as_str())) {
                row[i] = 1;
            }
        }
    };
    let code_headers = cols.iter().map(|(q, c)| column_name(q, c, single));
    if by_entity {
        let mut ents: BTreeMap<&str, (&Answer, Vec<u8>)> = BTreeMap::new();
        for a in &answers {
            let e = ents
                .entry(a.entity_code.as_str())
                .or_insert_with(|| (a, vec![0; cols.len()]));
            mark(a, &mut e.1);
        }
        let headers = ["entity_code", "entity_name", "department", "region"]
            .iter()
            .map(|s| s.to_string())
            .chain(code_headers)
            .collect();
        let rows = ents
            .values()
            .map(|(a, v)| {
                let mut row = vec![
                    a.entity_code.clone(),
                    a.entity_name.clone(),
                    a.department.clone(),
                    a.region.clone(),
                ];
                row.extend(v.iter().map(|x| x.to_string()));
                row
            })
            .collect();
        return Table { headers, rows };
    }
    let headers = [
        "key",
        "entity_code",
        "entity_name",
        "region",
        "month",
        "question",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(code_headers)
    .collect();
    let rows = answers
        .iter()
        .map(|a| {
            let mut v = vec![0u8; cols.len()];
            mark(a, &mut v);
            let mut row = vec![
                a.key(),
                a.entity_code.clone(),
                a.entity_name.clone(),
                a.region.clone(),
                a.month.to_string(),
                a.question.clone(),
            ];
            row.extend(v.iter().map(|x| x.to_string()));
            row
        })
        .collect();
    Table { headers, rows }
}

/// Counts of answers carrying each code, per region or month (plus a total column); the first
/// row ("(respuestas)") counts the answers of each column.
pub fn crosstab(
    answers: &[Answer],
    codebooks: &BTreeMap<String, Codebook>,
    source: CodeSource,
    by: CrossBy,
) -> Table {
    let answers = with_codes(answers, codebooks, source);
    let key = |a: &Answer| match by {
        CrossBy::Region => a.region.clone(),
        CrossBy::Month => a.month.to_string(),
    };
    let groups: Vec<String> = answers
        .iter()
        .map(|a| key(a))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let gi: BTreeMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    let cols = code_columns(&answers, codebooks, source);
    let mut counts: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    let mut totals = vec![0usize; groups.len()];
    for a in &answers {
        let g = gi[key(a).as_str()];
        totals[g] += 1;
        let distinct: BTreeSet<&String> = source.codes(a).iter().collect();
        for c in distinct {
            counts
                .entry((a.question.as_str(), c.as_str()))
                .or_insert_with(|| vec![0; groups.len()])[g] += 1;
        }
    }
    let mut headers: Vec<String> = ["question", "code", "label", "polarity"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    headers.extend(groups.iter().cloned());
    headers.push("total".into());
    let mut rows = Vec::with_capacity(cols.len() + 1);
    let mut first = vec!["".to_string(), "(respuestas)".into(), "".into(), "".into()];
    first.extend(totals.iter().map(|n| n.to_string()));
    first.push(totals.iter().sum::<usize>().to_string());
    rows.push(first);
    for (q, c) in &cols {
        let v = counts
            .get(&(q.as_str(), c.as_str()))
            .cloned()
            .unwrap_or_else(|| vec![0; groups.len()]);
        let code = codebooks.get(q).and_then(|cb| cb.code(c));
        let mut row = vec![
            q.clone(),
            c.clone(),
            code.map(|k| k.label.clone()).unwrap_or_default(),
            code.map(|k| format!("{:?}", k.polarity).to_lowercase())
                .unwrap_or_default(),
        ];
        row.extend(v.iter().map(|n| n.to_string()));
        row.push(v.iter().sum::<usize>().to_string());
        rows.push(row);
    }
    Table { headers, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::MachineCoding;

    fn ans(entity: &str, region: &str, month: &str, codes: &[&str], machine: &[&str]) -> Answer {
        let mut a: Answer = serde_json::from_value(serde_json::json!({
            "entity_code": entity, "entity_name": format!("E{entity}"), "department": "D",
            "region": region, "month": month, "question": "articulacion_instrumentos",
            "text": "=HYPERLINK(\"x\")", "codes": codes}))
        .unwrap();
        if !machine.is_empty() {
            a.machine = Some(MachineCoding {
                codes: machine.iter().map(|s| s.to_string()).collect(),
                confidence: 0.75,
                margin: 0.5,
                top_terms: vec![],
                model: "m".into(),
                ..Default::default()
            });
        }
        a
    }

    fn books() -> BTreeMap<String, Codebook> {
        let cb = Codebook::default_for("articulacion_instrumentos").unwrap();
        BTreeMap::from([(cb.question.clone(), cb)])
    }

    #[test]
    fn answers_table_has_codes_labels_and_machine() {
        let mut a = ans(
            "1",
            "Caribe",
            "2024-01",
            &["integralidad"],
            &["sin_contribucion"],
        );
        a.attributes.insert("text".into(), "x".into());
        let b = ans("2", "Caribe", "2024-01", &[], &["sin_contribucion"]);
        let stamp = ("Ana".to_string(), "2024-02-01T10:00:00Z".to_string());
        let coders = Coders::from([(a.key(), stamp.clone()), (b.key(), stamp)]);
        let t = answers_table(&[a, b], &books(), coders);
        let col = |h: &str| t.headers.iter().position(|x| x == h).unwrap();
        assert_eq!(t.rows[0][col("codes")], "integralidad");
        assert_eq!(t.rows[0][col("coder")], "Ana");
        assert_eq!(t.rows[0][col("coded_at")], "2024-02-01T10:00:00Z");
        // No human codes, no coder (the stamp was of codes since cleared).
        assert_eq!(t.rows[1][col("coder")], "");
        assert_eq!(
            t.rows[0][col("code_labels")],
            "Comprensión de la integralidad del proceso"
        );
        assert_eq!(t.rows[0][col("machine_codes")], "sin_contribucion");
        assert_eq!(t.rows[0][col("machine_confidence")], "0.750");
        assert_eq!(t.rows[0][col("attr_text")], "x");
    }

    #[test]
    fn matrix_and_crosstab_count() {
        let answers = vec![
            ans("1", "Caribe", "2024-01", &["integralidad"], &[]),
            ans("1", "Caribe", "2024-02", &[], &["sin_contribucion"]),
            ans(
                "2",
                "Pacífico",
                "2024-02",
                &["integralidad", "integralidad"],
                &[],
            ),
        ];
        let m = matrix(&answers, &books(), CodeSource::Effective, false);
        let ci = m.headers.iter().position(|h| h == "integralidad").unwrap();
        let cs = m
            .headers
            .iter()
            .position(|h| h == "sin_contribucion")
            .unwrap();
        assert_eq!((m.rows[0][ci].as_str(), m.rows[1][cs].as_str()), ("1", "1"));
        let e = matrix(&answers, &books(), CodeSource::Human, true);
        assert_eq!(e.rows.len(), 2);
        assert_eq!(e.rows[0][4], "1");
        let cell = |t: &Table, code: &str, col: &str| {
            let r = t.rows.iter().find(|r| r[1] == code).unwrap();
            r[t.headers.iter().position(|h| h == col).unwrap()].clone()
        };
        let x = crosstab(&answers, &books(), CodeSource::Effective, CrossBy::Region);
        assert_eq!(cell(&x, "integralidad", "Caribe"), "1");
        assert_eq!(cell(&x, "integralidad", "Pacífico"), "1");
        assert_eq!(cell(&x, "integralidad", "total"), "2");
        assert_eq!(cell(&x, "(respuestas)", "Caribe"), "2");
        let y = crosstab(&answers, &books(), CodeSource::Human, CrossBy::Month);
        assert_eq!(cell(&y, "sin_contribucion", "2024-02"), "0");
        assert_eq!(cell(&y, "integralidad", "2024-02"), "1");
    }
}
