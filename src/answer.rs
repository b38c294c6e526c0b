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

/// Texts that are not answers: empty, no letter or digit, or one of the usual ways of saying
/// nothing ("sin respuesta", "no sabe", "NS/NR", "N/A", "no aplica", "sin fundamento"…). They are
/// stored and searchable, but never used to train and never classified. Short but substantive
/// answers — "ninguno", "nada", "no", "todo" — are answers: "ninguno" to "¿qué temas necesitan
/// apoyo?" says something, and the codebook decides its code.
/// Normalised phrases (lowercase, accents folded, punctuation → spaces) that mean "no answer".
const NON_ANSWERS: &[&str] = &[
    "sin respuesta",
    "no responde",
    "no respondio",
    "no contesta",
    "no contesto",
    "no sabe",
    "no sabe no responde",
    "no sabe no contesta",
    "no se",
    "ns",
    "nr",
    "ns nr",
    "nsnr",
    "n a",
    "na",
    "no aplica",
    "sin informacion",
    "sin info",
    "sin dato",
    "sin datos",
    "sin comentario",
    "sin comentarios",
    "sin observacion",
    "sin observaciones",
    "sin fundamento",
    "sin fundamentos",
    "sin justificacion",
    "no hay respuesta",
    "no registra",
    "no indica",
];

/// Lowercase, fold the common Spanish accents, turn everything that is not a letter or digit
/// into single spaces.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for ch in text.chars().flat_map(char::to_lowercase) {
        let ch = match ch {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            c => c,
        };
        if ch.is_alphanumeric() {
            out.push(ch);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// True for empty text, text without a single letter or digit, and the non-answer phrases.
pub fn is_non_answer(text: &str) -> bool {
    // Every phrase is short: a long text is a non-answer only when it has no letter or digit
    // (this keeps the batch path free of allocations).
    if text.len() > 64 {
        return !text.chars().any(char::is_alphanumeric);
    }
    let n = normalise(text);
    n.is_empty() || NON_ANSWERS.contains(&n.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_answers_are_recognised() {
        for t in [
            "",
            "  ",
            ".",
            "-",
            "...",
            "Sin respuesta",
            "NO SABE",
            "NS/NR",
            "N/A",
            "no sabe, no responde",
            "Sin fundamento.",
        ] {
            assert!(is_non_answer(t), "{t:?}");
        }
    }

    #[test]
    fn short_substantive_answers_are_kept() {
        for t in [
            "ninguno",
            "Nada",
            "no",
            "todo",
            "sin apoyo del DNP",
            "no sabe usar el KPT",
        ] {
            assert!(!is_non_answer(t), "{t:?}");
        }
    }
}
