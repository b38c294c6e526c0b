//! Terms for people: stems shown as the answers write them, the distinctive terms of a theme,
//! and the terms whose share rose most.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::analyze::Analyzer;
use crate::answer::Answer;
use crate::features::TfidfVectorizer;

/// The words each stem was written as, counted, so "conectivid" shows as "conectividad".
#[derive(Debug, Default)]
pub struct SurfaceForms {
    forms: FxHashMap<String, FxHashMap<String, usize>>,
}

impl SurfaceForms {
    /// The analyzer's terms of `text`, remembering how each was written.
    pub fn terms(&mut self, analyzer: &mut Analyzer, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        analyzer.for_each_token(text, |t| {
            let surface = text
                .get(t.offset_from..t.offset_to)
                .unwrap_or(&t.text)
                .to_lowercase();
            *self
                .forms
                .entry(t.text.clone())
                .or_default()
                .entry(surface)
                .or_insert(0) += 1;
            out.push(t.text.clone());
        });
        out
    }

    /// The most frequent written form of a stem (ties: alphabetical), or the stem itself; a
    /// bigram "a b" shows as both words.
    pub fn display(&self, term: &str) -> String {
        term.split(' ')
            .map(|s| {
                self.forms
                    .get(s)
                    .and_then(|m| {
                        m.iter()
                            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                            .map(|(w, _)| w.clone())
                    })
                    .unwrap_or_else(|| s.to_string())
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The `n` word features by which a centroid exceeds the average row most, shown as written;
/// a bigram is skipped when its words are already shown, a word when its bigram is.
pub fn distinctive(
    centroid: &[f32],
    means: &[f32],
    v: &TfidfVectorizer,
    forms: &SurfaceForms,
    n: usize,
) -> Vec<String> {
    let mut order: Vec<usize> = (0..centroid.len())
        .filter(|&j| v.is_word_feature(j) && centroid[j] > 0.0)
        .collect();
    let lift = |j: usize| centroid[j] - means[j];
    order.sort_by(|&a, &b| lift(b).total_cmp(&lift(a)).then(a.cmp(&b)));
    let mut chosen: Vec<String> = Vec::new();
    for j in order {
        let name = v.feature_name(j);
        let covered = chosen.iter().any(|c| {
            c.split(' ').any(|w| name.split(' ').any(|x| x == w))
                && (c.contains(' ') || name.contains(' '))
        });
        if covered || chosen.iter().any(|c| c == name) {
            continue;
        }
        chosen.push(name.to_string());
        if chosen.len() == n {
            break;
        }
    }
    chosen.iter().map(|t| forms.display(t)).collect()
}

/// A term whose share of answers rose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RisingTerm {
    /// As the answers write it.
    pub term: String,
    /// The analyzer's term.
    pub stem: String,
    /// Answers of the period containing it, and their share.
    pub count: usize,
    pub share: f64,
    /// Its share in the earlier months (`None`: no earlier answers to compare with).
    pub share_before: Option<f64>,
}

/// Share of answers containing each term.
fn shares(
    answers: &[Answer],
    analyzer: &mut Analyzer,
    forms: &mut SurfaceForms,
) -> FxHashMap<String, usize> {
    let mut df: FxHashMap<String, usize> = FxHashMap::default();
    for a in answers {
        let set: FxHashSet<String> = forms.terms(analyzer, &a.text).into_iter().collect();
        for t in set {
            *df.entry(t).or_insert(0) += 1;
        }
    }
    df
}

/// The `n` terms whose share of answers rose most from `before` to `now` (in at least three
/// answers of `now`: one entity's pet word is not a trend). Without earlier answers, the most
/// frequent terms of `now`, with `share_before` empty.
pub fn rising_terms(
    now: &[Answer],
    before: &[Answer],
    analyzer: &mut Analyzer,
    forms: &mut SurfaceForms,
    n: usize,
) -> Vec<RisingTerm> {
    if now.is_empty() {
        return Vec::new();
    }
    let df_now = shares(now, analyzer, forms);
    let df_before = shares(before, analyzer, forms);
    let (n_now, n_before) = (now.len() as f64, before.len() as f64);
    let mut out: Vec<RisingTerm> = df_now
        .into_iter()
        .filter(|(_, c)| *c >= 3)
        .map(|(stem, count)| {
            let share_before = (!before.is_empty())
                .then(|| df_before.get(&stem).copied().unwrap_or(0) as f64 / n_before);
            RisingTerm {
                term: forms.display(&stem),
                stem,
                count,
                share: count as f64 / n_now,
                share_before,
            }
        })
        .filter(|t| t.share_before.is_none_or(|b| t.share > b))
        .collect();
    let rise = |t: &RisingTerm| t.share - t.share_before.unwrap_or(0.0);
    out.sort_by(|a, b| rise(b).total_cmp(&rise(a)).then(a.stem.cmp(&b.stem)));
    out.truncate(n);
    out
}
