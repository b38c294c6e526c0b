//! The unit of data: one answer of one entity to one question in one month.
//!
//! Produced by `ingest`, stored by `store`, read by every later stage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::month::Month;

/// Codes assigned by a trained model, kept apart from the human codes (which they never
/// overwrite).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// Accepted without review (`classify --accept-at`): the confidence reached the threshold
    /// that kept the chosen accuracy on the model's out-of-fold answers. It counts as coded for
    /// reports until an analyst codes the answer; a human code always wins.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accepted: bool,
    /// The three most probable codes with their probabilities, most probable first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<(String, f64)>,
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

/// Which fields of an answer an imported file supplies. A field the file does not supply (its
/// column is absent, e.g. `entity_kind` in a review export) keeps its stored value: importing a
/// file can only change what the file says. Attributes are tracked by column name apart from
/// this (see [`Answer::merged_over`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplied {
    #[serde(default)]
    pub entity_name: bool,
    #[serde(default)]
    pub department: bool,
    #[serde(default)]
    pub region: bool,
    #[serde(default)]
    pub entity_kind: bool,
    #[serde(default)]
    pub text: bool,
    #[serde(default)]
    pub rating: bool,
    #[serde(default)]
    pub codes: bool,
    #[serde(default)]
    pub interview_date: bool,
    #[serde(default)]
    pub respondent_role: bool,
}

impl Supplied {
    /// Every field supplied (a file with every column).
    pub fn all() -> Supplied {
        Supplied {
            entity_name: true,
            department: true,
            region: true,
            entity_kind: true,
            text: true,
            rating: true,
            codes: true,
            interview_date: true,
            respondent_role: true,
        }
    }
}

/// What happened to the stored human codes of one answer when an import merged over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodesOutcome {
    /// Same codes as stored (or no stored answer).
    Same,
    /// The file's cell was empty and the stored human codes were kept.
    Kept,
    /// The file gave other codes (or, with `--replace-codes`, cleared them).
    Changed,
}

impl Answer {
    /// This imported answer merged over the stored `old` one (same key): fields the file does
    /// not supply keep their stored values, attributes whose column is not in `attribute_columns`
    /// are kept, and an empty `codes` cell keeps the stored human codes unless `replace_codes`
    /// (an analyst's coding must not vanish because the month's original file, with its empty
    /// `codes` column, was imported again). The machine coding is the store's business.
    pub fn merged_over(
        mut self,
        old: &Answer,
        supplied: Supplied,
        attribute_columns: &std::collections::BTreeSet<String>,
        replace_codes: bool,
    ) -> (Answer, CodesOutcome) {
        let keep = |new: &mut String, given: bool, old: &String| {
            if !given {
                new.clone_from(old);
            }
        };
        keep(
            &mut self.entity_name,
            supplied.entity_name,
            &old.entity_name,
        );
        keep(&mut self.department, supplied.department, &old.department);
        keep(&mut self.region, supplied.region, &old.region);
        keep(&mut self.text, supplied.text, &old.text);
        let keep_opt = |new: &mut Option<String>, given: bool, old: &Option<String>| {
            if !given {
                new.clone_from(old);
            }
        };
        keep_opt(
            &mut self.entity_kind,
            supplied.entity_kind,
            &old.entity_kind,
        );
        keep_opt(
            &mut self.interview_date,
            supplied.interview_date,
            &old.interview_date,
        );
        keep_opt(
            &mut self.respondent_role,
            supplied.respondent_role,
            &old.respondent_role,
        );
        if !supplied.rating {
            self.rating = old.rating;
        }
        let mut attributes = old.attributes.clone();
        attributes.retain(|k, _| !attribute_columns.contains(k));
        attributes.append(&mut self.attributes);
        self.attributes = attributes;
        let outcome = if !supplied.codes {
            self.codes.clone_from(&old.codes);
            CodesOutcome::Same
        } else if self.codes.is_empty() && old.is_coded() && !replace_codes {
            self.codes.clone_from(&old.codes);
            CodesOutcome::Kept
        } else if self.codes != old.codes {
            CodesOutcome::Changed
        } else {
            CodesOutcome::Same
        };
        (self, outcome)
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
