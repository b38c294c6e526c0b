//! Stage: model (cold start). Dictionary coding before there are coded examples, like WordStat or
//! MAXDictio: a codebook's seed terms in, codes per answer out.
//!
//! Seeds and answers go through THE analyzer (`analyze::Analyzer`, the one the index and the
//! classifier use), so "capacitaciones" matches the seed "capacitación" (same stem, accents
//! folded). A multi-word seed matches when its terms appear consecutively and in order in the
//! answer's terms; since stop words are removed before matching, "ciclo de la planeación" also
//! matches "ciclo de planeación" and "ciclo planeación", but not "ciclo completo de planeación".
//!
//! Decision: every occurrence of a seed is one hit for its code. A multi-label codebook gets all
//! codes with at least one hit. A single-label codebook gets the code with most hits; a tie goes
//! to the code listed first in the codebook (ties are counted in [`Outcome::ties`]). Answers with
//! no hit, and non-answers, get no code. Categories (`category = true`) are never assigned.
//!
//! Quality is measured against the human codes with the same metrics as the trained model's
//! `evaluate` (`model::metrics`), so the analyst sees when the model overtakes the dictionary.

use std::collections::{BTreeMap, BTreeSet};

use crate::analyze::Analyzer;
use crate::answer::{Answer, MachineCoding, is_non_answer};
use crate::codebook::Codebook;
use crate::error::{Error, Result};
use crate::model::metrics::{self, Report};

/// Model name recorded on machine codings written by `autocode --store`.
pub const MODEL_NAME: &str = "autocode";
/// Pseudo-code standing for "no code" in single-label evaluation (scored like any other label,
/// as scikit-learn does with a prediction outside the true labels).
pub const NO_CODE: &str = "(sin código)";

/// One code's seeds, analyzed.
#[derive(Debug, Clone)]
struct Entry {
    id: String,
    /// (seed as written, its analyzer terms)
    seeds: Vec<(String, Vec<String>)>,
}

/// A codebook's seeds, analyzed once and ready to match.
#[derive(Debug, Clone)]
pub struct Lexicon {
    entries: Vec<Entry>,
    multi_label: bool,
    /// Seeds that analyze to nothing (only stop words), which can never match.
    pub warnings: Vec<String>,
}

/// The dictionary's decision on one answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AutoCoding {
    /// Assigned codes (at most one for single-label codebooks), codebook order.
    pub codes: Vec<String>,
    /// Hits per code with at least one hit, codebook order.
    pub hits: Vec<(String, usize)>,
    /// The seeds that matched, as written in the codebook (deduplicated, in match order).
    pub matched: Vec<String>,
    /// True when the text is a non-answer (never coded).
    pub non_answer: bool,
    /// True when two codes tied for most hits (single-label) and the first in order won.
    pub tie: bool,
}

impl AutoCoding {
    /// The decision as a machine coding: confidence = share of all hits held by the top code,
    /// margin = (top − second) / all hits.
    pub fn to_machine(&self) -> MachineCoding {
        let total: usize = self.hits.iter().map(|(_, n)| n).sum();
        let mut counts: Vec<usize> = self.hits.iter().map(|(_, n)| *n).collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let top = counts.first().copied().unwrap_or(0);
        let second = counts.get(1).copied().unwrap_or(0);
        let share = |n: usize| {
            if total == 0 {
                0.0
            } else {
                n as f64 / total as f64
            }
        };
        MachineCoding {
            codes: self.codes.clone(),
            confidence: share(top),
            margin: share(top - second),
            top_terms: self.matched.iter().take(10).cloned().collect(),
            model: MODEL_NAME.to_string(),
            ..Default::default()
        }
    }
}

impl Lexicon {
    /// Analyzes the seeds of `cb`'s codable codes. Refuses a codebook without any usable seed.
    pub fn new(cb: &Codebook, analyzer: &mut Analyzer) -> Result<Lexicon> {
        let mut warnings = Vec::new();
        let mut entries = Vec::new();
        for c in cb.codable() {
            let mut seeds = Vec::new();
            let mut seen = BTreeSet::new();
            for s in &c.seeds {
                let terms = analyzer.terms(s);
                if terms.is_empty() {
                    warnings.push(format!(
                        "code '{}': seed '{s}' has only stop words, it never matches",
                        c.id
                    ));
                } else if seen.insert(terms.clone()) {
                    seeds.push((s.clone(), terms));
                }
            }
            entries.push(Entry {
                id: c.id.clone(),
                seeds,
            });
        }
        if entries.iter().all(|e| e.seeds.is_empty()) {
            return Err(Error::conflict(format!(
                "the codebook of {} has no seed terms: add `seeds = [...]` to its codes",
                cb.question
            )));
        }
        Ok(Lexicon {
            entries,
            multi_label: cb.multi_label,
            warnings,
        })
    }

    /// Codes one text.
    pub fn code(&self, analyzer: &mut Analyzer, text: &str) -> AutoCoding {
        if is_non_answer(text) {
            return AutoCoding {
                non_answer: true,
                ..Default::default()
            };
        }
        let terms = analyzer.terms(text);
        let mut out = AutoCoding::default();
        for e in &self.entries {
            let mut n = 0;
            for (seed, seq) in &e.seeds {
                let k = occurrences(&terms, seq);
                if k > 0 {
                    n += k;
                    if !out.matched.contains(seed) {
                        out.matched.push(seed.clone());
                    }
                }
            }
            if n > 0 {
                out.hits.push((e.id.clone(), n));
            }
        }
        if self.multi_label {
            out.codes = out.hits.iter().map(|(c, _)| c.clone()).collect();
        } else if let Some(best) = out.hits.iter().map(|(_, n)| *n).max() {
            let mut winners = out.hits.iter().filter(|(_, n)| *n == best);
            if let Some((c, _)) = winners.next() {
                out.codes = vec![c.clone()];
            }
            out.tie = winners.next().is_some();
        }
        out
    }
}

/// Occurrences of `seq` as consecutive terms in `terms`.
fn occurrences(terms: &[String], seq: &[String]) -> usize {
    if seq.is_empty() || seq.len() > terms.len() {
        return 0;
    }
    terms.windows(seq.len()).filter(|w| *w == seq).count()
}

/// The result of coding a set of answers.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One decision per input answer, same order.
    pub codings: Vec<AutoCoding>,
    /// Answers that got at least one code.
    pub coded: usize,
    /// Non-answers skipped.
    pub non_answers: usize,
    /// Single-label ties resolved by codebook order.
    pub ties: usize,
}

/// Codes every answer.
pub fn code_all(lexicon: &Lexicon, analyzer: &mut Analyzer, answers: &[Answer]) -> Outcome {
    let codings: Vec<AutoCoding> = answers
        .iter()
        .map(|a| lexicon.code(analyzer, &a.text))
        .collect();
    Outcome {
        coded: codings.iter().filter(|c| !c.codes.is_empty()).count(),
        non_answers: codings.iter().filter(|c| c.non_answer).count(),
        ties: codings.iter().filter(|c| c.tie).count(),
        codings,
    }
}

/// Scores the dictionary's codes against the human codes of the answers that have them (and
/// are real answers), with the trained model's metrics. `None` when no answer is human-coded.
/// Single-label rows use the first human code; an answer the dictionary left uncoded is predicted
/// [`NO_CODE`].
pub fn evaluate(cb: &Codebook, answers: &[Answer], codings: &[AutoCoding]) -> Option<Report> {
    let mut codes: Vec<String> = cb.codable().map(|c| c.id.clone()).collect();
    let mut index: BTreeMap<String, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i))
        .collect();
    let mut intern = |c: &str, codes: &mut Vec<String>| -> usize {
        if let Some(&i) = index.get(c) {
            return i;
        }
        index.insert(c.to_string(), codes.len());
        codes.push(c.to_string());
        codes.len() - 1
    };
    let mut truth_s = Vec::new();
    let mut pred_s = Vec::new();
    let mut truth_m = Vec::new();
    let mut pred_m = Vec::new();
    for (a, c) in answers.iter().zip(codings) {
        let human: Vec<&str> = a
            .codes
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        if human.is_empty() || c.non_answer {
            continue;
        }
        if cb.multi_label {
            truth_m.push(
                human
                    .iter()
                    .map(|h| intern(h, &mut codes))
                    .collect::<Vec<_>>(),
            );
            pred_m.push(
                c.codes
                    .iter()
                    .map(|p| intern(p, &mut codes))
                    .collect::<Vec<_>>(),
            );
        } else {
            truth_s.push(intern(human[0], &mut codes));
            let p = c.codes.first().map_or(NO_CODE, String::as_str);
            pred_s.push(intern(p, &mut codes));
        }
    }
    if truth_s.is_empty() && truth_m.is_empty() {
        return None;
    }
    Some(if cb.multi_label {
        let k = codes.len();
        let onehot = |l: &Vec<usize>| {
            let mut v = vec![false; k];
            for &i in l {
                v[i] = true;
            }
            v
        };
        let t: Vec<Vec<bool>> = truth_m.iter().map(onehot).collect();
        let p: Vec<Vec<bool>> = pred_m.iter().map(onehot).collect();
        metrics::multi_label(&codes, &t, &p)
    } else {
        metrics::single_label(&codes, &truth_s, &pred_s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codebook::{Code, Polarity};

    fn code(id: &str, seeds: &[&str]) -> Code {
        Code {
            id: id.into(),
            guid: crate::qda::guid_for("t", id),
            label: id.to_uppercase(),
            description: String::new(),
            polarity: Polarity::Neutral,
            parent: None,
            color: None,
            seeds: seeds.iter().map(|s| s.to_string()).collect(),
            category: false,
        }
    }

    fn cb(multi: bool) -> Codebook {
        Codebook {
            question: "q".into(),
            title: String::new(),
            multi_label: multi,
            codes: vec![
                code("capacitacion", &["capacitación", "taller"]),
                code("ciclo", &["ciclo de la planeación"]),
                code("conectividad", &["conectividad", "internet"]),
            ],
        }
    }

    #[test]
    fn stems_accents_and_multiword_seeds() {
        let mut an = Analyzer::default();
        let lx = Lexicon::new(&cb(true), &mut an).unwrap();
        // plural + no accent → stem match
        assert_eq!(
            lx.code(&mut an, "Las CAPACITACIONES fueron buenas").codes,
            ["capacitacion"]
        );
        // stop-word gap differs ("de" only) → still consecutive terms
        assert_eq!(
            lx.code(&mut an, "entendimos el ciclo de planeación").codes,
            ["ciclo"]
        );
        // a content word in between breaks the phrase
        assert!(
            lx.code(&mut an, "el ciclo completo de la planeación")
                .codes
                .is_empty()
        );
        // order matters
        assert!(lx.code(&mut an, "la planeación del ciclo").codes.is_empty());
        let both = lx.code(&mut an, "taller sobre conectividad");
        assert_eq!(both.codes, ["capacitacion", "conectividad"]);
        assert!(lx.code(&mut an, "No sabe").non_answer);
    }

    #[test]
    fn single_label_takes_most_hits_ties_go_to_codebook_order() {
        let mut an = Analyzer::default();
        let lx = Lexicon::new(&cb(false), &mut an).unwrap();
        let c = lx.code(&mut an, "internet y conectividad, y un taller");
        assert_eq!(c.codes, ["conectividad"]);
        assert_eq!(
            c.hits,
            [
                ("capacitacion".to_string(), 1),
                ("conectividad".to_string(), 2)
            ]
        );
        let m = c.to_machine();
        assert!((m.confidence - 2.0 / 3.0).abs() < 1e-9 && (m.margin - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(m.model, MODEL_NAME);
        let t = lx.code(&mut an, "internet y taller");
        assert_eq!(t.codes, ["capacitacion"]);
        assert!(t.tie);
    }

    #[test]
    fn every_default_seed_can_match() {
        let mut an = Analyzer::default();
        for (q, _) in crate::codebook::DEFAULTS {
            let cb = Codebook::default_for(q).unwrap();
            let lx = Lexicon::new(&cb, &mut an).unwrap();
            assert!(lx.warnings.is_empty(), "{q}: {:?}", lx.warnings);
        }
    }

    #[test]
    fn evaluation_uses_model_metrics() {
        let mut an = Analyzer::default();
        let book = cb(false);
        let lx = Lexicon::new(&book, &mut an).unwrap();
        let mk = |text: &str, code: &str| -> Answer {
            serde_json::from_value(serde_json::json!({
                "entity_code": "1", "entity_name": "X", "department": "D", "region": "R",
                "month": "2024-01", "question": "q", "text": text, "codes": [code]}))
            .unwrap()
        };
        let answers = vec![
            mk("un taller", "capacitacion"),
            mk("sin internet", "conectividad"),
            mk("nada que decir al respecto", "ciclo"),
        ];
        let out = code_all(&lx, &mut an, &answers);
        let r = evaluate(&book, &answers, &out.codings).unwrap();
        assert_eq!(r.n, 3);
        assert!((r.accuracy - 2.0 / 3.0).abs() < 1e-9);
        assert!(r.per_code.iter().any(|m| m.code == NO_CODE));
    }
}
