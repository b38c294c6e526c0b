//! Demo stage (input side): the built-in **synthetic** example ("datos sintéticos") that
//! `codifica demo` imports, trains on, classifies and reports.
//!
//! In: a seed. Out: [`DemoData`], five months (2020-07 … 2020-11) of Monitoreo 360 interviews in
//! the canonical long CSV ([`DemoData::to_csv`]), plus the sampling population
//! ([`population_csv`]). The entities are real Colombian municipalities and departments
//! (DIVIPOLA codes, see [`entities`]); **every rating and answer is invented**: the answers are a
//! hand-written bank (`answers.rs`), the ratings come from a seeded generator. Human codes are
//! present on about 90 % of the open answers of July–October and absent in November, which the
//! model is meant to classify. A few panel entities are built to worsen (and two to improve) so
//! that trends and priority flags have something true to find.

mod answers;
pub mod entities;
mod generate;

use std::collections::BTreeSet;

use crate::ingest::canonical::col;

pub use entities::{ENTITIES, Entity, EntityKind, REGIONS};

/// Seed used by `codifica demo` unless told otherwise.
pub const DEFAULT_SEED: u64 = 360;

/// One-line notice every demo output should carry.
pub const SYNTHETIC_NOTICE: &str = "Datos sintéticos: entidades reales, respuestas y calificaciones inventadas para la demostración de codifica.";

/// The months the demo covers, in order.
pub const MONTHS: [&str; 5] = ["2020-07", "2020-08", "2020-09", "2020-10", "2020-11"];

/// Rating questions (1–5), overall first.
pub const RATING_QUESTIONS: [&str; 4] = [
    "calificacion_general",
    "calif_plan_indicativo",
    "calif_armonizacion",
    "calif_seguimiento_pdt",
];

/// Open "¿por qué?" questions, single-label.
pub const OPEN_QUESTIONS: [&str; 3] = [
    "articulacion_instrumentos",
    "necesidades_debilidades",
    "fortalecimiento_capacidades",
];

/// The requested-topics question, multi-label.
pub const DEMAND_QUESTION: &str = "demanda_temas";

/// Header of the canonical long CSV the demo writes.
pub const CSV_HEADER: [&str; 12] = [
    col::ENTITY_CODE,
    col::ENTITY_NAME,
    col::DEPARTMENT,
    col::REGION,
    col::ENTITY_KIND,
    col::MONTH,
    col::INTERVIEW_DATE,
    col::RESPONDENT_ROLE,
    col::QUESTION,
    col::ANSWER,
    col::RATING,
    col::CODES,
];

/// One row of the canonical long CSV: one answer (or rating) of one interview.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRow {
    pub entity_code: String,
    pub entity_name: String,
    pub department: String,
    pub region: String,
    /// `"alcaldía"` or `"gobernación"`.
    pub entity_kind: String,
    /// `YYYY-MM`.
    pub month: String,
    /// `YYYY-MM-DD`.
    pub interview_date: String,
    pub respondent_role: String,
    pub question: String,
    /// Empty for rating questions.
    pub answer: String,
    /// Set for rating questions only.
    pub rating: Option<f64>,
    /// Human-assigned code ids (empty when not coded).
    pub codes: Vec<String>,
}

/// The whole synthetic data set, rows ordered by month, entity code and question.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub rows: Vec<DemoRow>,
}

impl DemoData {
    /// Builds the data set; the same seed always gives the same rows.
    pub fn generate(seed: u64) -> DemoData {
        DemoData {
            rows: generate::generate(seed),
        }
    }

    /// The canonical long CSV (RFC 4180, UTF-8, `codes` joined with `;`).
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing into a Vec cannot fail on I/O, and every record has the header's width.
        let mut ok = w.write_record(CSV_HEADER).is_ok();
        for r in &self.rows {
            let rating = r.rating.map(format_rating).unwrap_or_default();
            let codes = r.codes.join(";");
            let rec = [
                r.entity_code.as_str(),
                &r.entity_name,
                &r.department,
                &r.region,
                &r.entity_kind,
                &r.month,
                &r.interview_date,
                &r.respondent_role,
                &r.question,
                &r.answer,
                &rating,
                &codes,
            ];
            ok &= w.write_record(rec).is_ok();
        }
        debug_assert!(ok, "in-memory CSV writing failed");
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Distinct months present, sorted.
    pub fn months(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.rows.iter().map(|r| r.month.as_str()).collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// Codes of the entities built to worsen (present in the data), sorted.
    pub fn worsening_entities(&self) -> Vec<String> {
        self.scripted(generate::Trend::Worsening)
    }

    /// Codes of the entities built to improve clearly (present in the data), sorted.
    pub fn improving_entities(&self) -> Vec<String> {
        self.scripted(generate::Trend::Improving)
    }

    fn scripted(&self, trend: generate::Trend) -> Vec<String> {
        let present: BTreeSet<&str> = self.rows.iter().map(|r| r.entity_code.as_str()).collect();
        let mut out: Vec<String> = generate::SCRIPTS
            .iter()
            .filter(|s| s.trend == trend && present.contains(s.code))
            .map(|s| s.code.to_string())
            .collect();
        out.sort();
        out
    }
}

/// The sampling population: every demo entity, as CSV with header
/// `entity_code,entity_name,department,region,entity_kind`.
pub fn population_csv() -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut ok = w
        .write_record([
            "entity_code",
            "entity_name",
            "department",
            "region",
            "entity_kind",
        ])
        .is_ok();
    for e in ENTITIES {
        let name = e.display_name();
        ok &= w
            .write_record([
                e.code,
                name.as_str(),
                e.department,
                e.region,
                e.kind.label(),
            ])
            .is_ok();
    }
    debug_assert!(ok, "in-memory CSV writing failed");
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The hand-written answer bank of one open or demand question: `(code, answers)` pairs in
/// codebook order (ambiguous answers excluded). Empty for other questions. Tests use it to check
/// the bank's variety.
pub fn answer_bank(question: &str) -> Vec<(&'static str, &'static [&'static str])> {
    let banks: &[answers::Bank] = match question {
        "articulacion_instrumentos" => answers::ARTICULACION,
        "necesidades_debilidades" => answers::NECESIDADES,
        "fortalecimiento_capacidades" => answers::FORTALECIMIENTO,
        "demanda_temas" => answers::DEMAND_PHRASES,
        _ => &[],
    };
    banks.iter().map(|b| (b.code, b.answers)).collect()
}

/// `4.0` → `"4"`, `3.5` → `"3.5"`.
pub fn format_rating(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_format_without_trailing_zero() {
        assert_eq!(format_rating(4.0), "4");
        assert_eq!(format_rating(3.5), "3.5");
        assert_eq!(format_rating(1.0), "1");
    }

    #[test]
    fn population_lists_every_entity_with_leading_zeros() {
        let csv = population_csv();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("entity_code,entity_name,department,region,entity_kind")
        );
        assert_eq!(csv.lines().count(), ENTITIES.len() + 1);
        assert!(
            csv.contains("05001,Alcaldía de Medellín,Antioquia,Eje Cafetero - Antioquia,alcaldía")
        );
        assert!(csv.contains(
            "05,Gobernación de Antioquia,Antioquia,Eje Cafetero - Antioquia,gobernación"
        ));
    }

    #[test]
    fn csv_quotes_commas_and_quotes() {
        let row = DemoRow {
            entity_code: "05001".into(),
            entity_name: "Alcaldía de Medellín".into(),
            department: "Antioquia".into(),
            region: "Eje Cafetero - Antioquia".into(),
            entity_kind: "alcaldía".into(),
            month: "2020-07".into(),
            interview_date: "2020-07-15".into(),
            respondent_role: "Enlace".into(),
            question: "necesidades_debilidades".into(),
            answer: "Sí, \"mucho\", gracias".into(),
            rating: None,
            codes: vec!["a".into(), "b".into()],
        };
        let csv = DemoData { rows: vec![row] }.to_csv();
        let line = csv.lines().nth(1).unwrap_or_default();
        assert!(
            line.contains("\"Sí, \"\"mucho\"\", gracias\",,a;b"),
            "{line}"
        );
    }
}
