//! The unit of data: one answer of one entity to one question in one month.
//!
//! Produced by `ingest`, stored by `store`, read by every later stage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::month::Month;

/// Codes assigned by a trained model, kept apart from the human codes (which they never
/// overwrite).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MachineCoding {
    /// Predicted code ids (one for single-label models).
    pub codes: Vec<String>,
    /// Calibrated confidence of the top prediction, in [0, 1].
    pub confidence: f64,
    /// Gap between the best and second-best calibrated scores: small means unsure.
    pub margin: f64,
    /// The terms that weighed most in the decision.
    pub top_terms: Vec<String>,
    /// Which model produced it (file name and training date).
    pub model: String,
}

/// One answer. Its identity is [`Answer::key`]: entity, month, question and optional answer id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub entity_code: String,
    pub entity_name: String,
    pub department: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_kind: Option<String>,
    pub month: Month,
    pub question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_id: Option<String>,
    /// The free text ("" for a pure rating).
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    /// Human-assigned code ids.
    #[serde(default)]
    pub codes: Vec<String>,
    /// Model-assigned codes, if a model classified this answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineCoding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent_role: Option<String>,
    /// Extra columns of the imported file, kept verbatim.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl Answer {
    /// The answer's identity: `entity|month|question|answer_id`.
    pub fn key(&self) -> String {
        answer_key(
            &self.entity_code,
            self.month,
            &self.question,
            self.answer_id.as_deref(),
        )
    }

    /// The same answer as imported data: everything except the machine coding, which a
    /// re-import must neither count as a change nor erase.
    pub fn same_content(&self, other: &Answer) -> bool {
        let mut a = self.clone();
        a.machine = other.machine.clone();
        &a == other
    }

    /// The codes that count for reporting: human codes when present, else the model's.
    pub fn effective_codes(&self) -> &[String] {
        if !self.codes.is_empty() {
            return &self.codes;
        }
        self.machine.as_ref().map_or(&[], |m| m.codes.as_slice())
    }

    /// True when a human coded it.
    pub fn is_coded(&self) -> bool {
        !self.codes.is_empty()
    }
}

/// Builds an answer key from its parts (see [`Answer::key`]).
pub fn answer_key(entity: &str, month: Month, question: &str, answer_id: Option<&str>) -> String {
    format!("{entity}|{month}|{question}|{}", answer_id.unwrap_or(""))
}

/// Texts that are not answers: empty, punctuation only, or the usual ways of saying "no answer".
/// They are stored and searchable, but never used to train and never classified (see README).
pub fn is_non_answer(text: &str) -> bool {
    const NON_ANSWERS: &[&str] = &[
        "sin respuesta",
        "no responde",
        "no respondio",
        "no sabe",
        "no sabe no responde",
        "ns nr",
        "nsnr",
        "ns",
        "nr",
        "n a",
        "na",
        "no aplica",
        "sin informacion",
        "sin dato",
        "sin datos",
        "no contesta",
        "sin comentarios",
        "ninguna",
        "ninguno",
    ];
    let words = crate::analyze::plain_terms(text);
    if words.is_empty() {
        return true;
    }
    let joined = words.join(" ");
    NON_ANSWERS.contains(&joined.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_answers() {
        for t in ["", ".", "  - ", "Sin respuesta", "NO SABE", "N/A", "NS/NR", "no respondió"] {
            assert!(is_non_answer(t), "{t:?}");
        }
        for t in ["no", "no sirve", "sin conexión a internet", "Ninguna dificultad"] {
            assert!(!is_non_answer(t), "{t:?}");
        }
    }
}
