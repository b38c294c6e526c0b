//! Stage: themes (analyze → features → **themes**). Emerging themes: the answers the codebook
//! does not capture, grouped so an analyst can decide whether a new code is due.
//!
//! In: the answers of a period whose best code is weak ([`is_weak`]: coded "Otro" by a human,
//! or uncoded with a low-confidence or no machine coding), the same analyzer and TF-IDF as the
//! classifier. Out: a few candidate themes ([`Theme`]: label from the most distinctive terms,
//! size, three representative quotes, growth against the previous months) and the terms whose
//! share rose most across all answers ([`RisingTerm`]). The number of themes is the k with the
//! best silhouette ([`kmeans::choose_k`]); every random choice is seeded.

pub mod html;
pub mod kmeans;
mod terms;

use std::collections::BTreeMap;

use linfa::ParamGuard;
use serde::Serialize;

use crate::analyze::Analyzer;
use crate::answer::{Answer, is_non_answer};
use crate::codebook::Codebook;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::features::{SparseRecords, TfidfParams, TfidfSettings, TfidfVectorizer};
use crate::month::Month;
use crate::store::{AnswerFilter, Store};
use crate::trends::Codebooks;

pub use terms::{RisingTerm, SurfaceForms, rising_terms};

/// What to look at and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeOptions {
    /// First and last month of the period (inclusive).
    pub from: Month,
    pub to: Month,
    /// Only this question (all coded questions when `None`).
    pub question: Option<String>,
    /// Most themes to consider (k is measured in `2..=max_themes`).
    pub max_themes: usize,
    /// A machine coding below this calibrated confidence is weak.
    pub min_confidence: f64,
    /// Months before `from` that growth and rising terms compare against.
    pub history_months: usize,
    /// Seed of the clustering.
    pub seed: u64,
}

impl ThemeOptions {
    /// Defaults for one month.
    pub fn month(m: Month) -> ThemeOptions {
        ThemeOptions {
            from: m,
            to: m,
            question: None,
            max_themes: 8,
            min_confidence: 0.5,
            history_months: 3,
            seed: 42,
        }
    }
}

/// A quoted answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    pub key: String,
    pub entity_name: String,
    pub month: Month,
    pub question: String,
    pub text: String,
}

/// How many weak answers of one month fall in a theme.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthCount {
    pub month: Month,
    /// Answers of the theme that month.
    pub count: usize,
    /// Weak answers that month (0: no weak answers, not "no interviews").
    pub weak: usize,
}

/// One candidate theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theme {
    /// Short label: its most distinctive terms, joined by " · ".
    pub label: String,
    /// Those terms, as the answers write them.
    pub terms: Vec<String>,
    /// Answers of the period in the theme.
    pub size: usize,
    /// The answers nearest the theme's centre (up to three distinct texts).
    pub quotes: Vec<Quote>,
    /// The previous months with answers, oldest first, then the period itself.
    pub growth: Vec<MonthCount>,
    /// Answer keys of its members (to send to review with a new code).
    pub keys: Vec<String>,
    /// Mean cosine of its members with its centre (how tight it is).
    pub cohesion: f64,
}

/// The emerging themes of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeReport {
    pub from: Month,
    pub to: Month,
    pub question: Option<String>,
    /// Answers with text in the period (coded questions), and how many of them are weak.
    pub answers: usize,
    pub weak: usize,
    /// Weak answers left out of every theme (no known term, or in a group too small).
    pub unthemed: usize,
    /// Every k tried with its silhouette; the chosen one is `themes.len()` before small
    /// groups are dropped.
    pub k_scores: Vec<(usize, f64)>,
    pub chosen_k: usize,
    pub themes: Vec<Theme>,
    pub rising: Vec<RisingTerm>,
}

/// A code that says "none of the others": id or label "otro"/"otros"/"other"/"otra", or a
/// label beginning with "Otro…" ("Otros temas").
pub fn is_catch_all(id: &str, cb: Option<&Codebook>) -> bool {
    let fold = |s: &str| crate::store::filter_key(s);
    let catch = |s: &str| {
        let f = fold(s);
        let first = f.split([' ', '_', '-']).next().unwrap_or("");
        matches!(
            first,
            "otro" | "otros" | "otra" | "otras" | "other" | "others"
        )
    };
    catch(id) || cb.and_then(|c| c.code(id)).is_some_and(|c| catch(&c.label))
}

/// True when an answer's best code is weak: not a non-answer, and either coded only with
/// catch-all codes by a human, or without a human code and with no machine coding, a
/// catch-all machine code or a calibrated confidence below `min_confidence`.
pub fn is_weak(a: &Answer, cb: Option<&Codebook>, min_confidence: f64) -> bool {
    if is_non_answer(&a.text) {
        return false;
    }
    if !a.codes.is_empty() {
        return a.codes.iter().all(|c| is_catch_all(c, cb));
    }
    match &a.machine {
        None => true,
        Some(m) => m.confidence < min_confidence || m.codes.iter().all(|c| is_catch_all(c, cb)),
    }
}

/// The TF-IDF the themes use: the classifier's word unigrams and bigrams, a feature in at
/// least two answers (a word one person wrote cannot make a theme).
pub fn theme_tfidf() -> TfidfParams {
    TfidfParams::new(TfidfSettings {
        word_ngram_max: 2,
        char_ngrams: None,
        word_chars: None,
        min_df: 2,
        sublinear_tf: true,
    })
}

/// Texts as vectors: the fitted vectorizer, the rows with at least one known feature, and the
/// index (into `terms`) of each of those rows.
pub struct Vectors {
    pub vectorizer: TfidfVectorizer,
    pub rows: SparseRecords,
    pub kept: Vec<usize>,
}

/// Fits the theme TF-IDF on `terms` and keeps the rows with a feature.
pub fn vectorize(terms: &[Vec<String>]) -> Result<Vectors> {
    let params = theme_tfidf()
        .check()
        .map_err(|e| Error::internal(e.to_string()))?;
    let vectorizer =
        TfidfVectorizer::fit(&params, terms).map_err(|e| Error::internal(e.to_string()))?;
    let all = vectorizer
        .transform(terms)
        .map_err(|e| Error::internal(e.to_string()))?;
    let kept: Vec<usize> = (0..terms.len())
        .filter(|&i| !all.row(i).0.is_empty())
        .collect();
    let rows = all
        .select(&kept)
        .map_err(|e| Error::internal(e.to_string()))?;
    Ok(Vectors {
        vectorizer,
        rows,
        kept,
    })
}

/// Smallest group shown as a theme: a theme is something several entities said.
pub fn min_theme_size(n: usize) -> usize {
    (n / 50).clamp(3, 10)
}

/// What [`find_themes`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Largest first.
    pub themes: Vec<Theme>,
    /// Every k tried with its silhouette.
    pub k_scores: Vec<(usize, f64)>,
    /// The k chosen (before small groups were dropped).
    pub chosen_k: usize,
    /// Weak answers in no theme.
    pub unthemed: usize,
}

impl Found {
    fn none(unthemed: usize) -> Found {
        Found {
            themes: Vec::new(),
            k_scores: Vec::new(),
            chosen_k: 0,
            unthemed,
        }
    }
}

/// Themes of a set of weak answers (the pure core of [`themes_from_store`]). `history` holds
/// the weak answers of earlier months, oldest first, to measure growth.
pub fn find_themes(
    weak: &[Answer],
    history: &[(Month, Vec<Answer>)],
    opts: &ThemeOptions,
    analyzer: &mut Analyzer,
    forms: &mut SurfaceForms,
) -> Result<Found> {
    let terms: Vec<Vec<String>> = weak
        .iter()
        .map(|a| forms.terms(analyzer, &a.text))
        .collect();
    let min_size = min_theme_size(weak.len());
    if weak.len() < 2 * min_size {
        return Ok(Found::none(weak.len()));
    }
    let v = vectorize(&terms)?;
    let k_max = opts.max_themes.min(v.kept.len() / min_size).max(1);
    let Some((c, scores)) = kmeans::choose_k(&v.rows, 2..=k_max, opts.seed) else {
        return Ok(Found::none(weak.len()));
    };
    let means = column_means(&v.rows);
    let mut themes = Vec::new();
    let mut themed = 0;
    for t in 0..c.k {
        let members: Vec<usize> = (0..v.kept.len()).filter(|&i| c.assign[i] == t).collect();
        if members.len() < min_size {
            continue;
        }
        themed += members.len();
        let terms = terms::distinctive(&c.centroids[t], &means, &v.vectorizer, forms, 3);
        let growth = growth(
            history,
            weak.len(),
            members.len(),
            opts.to,
            (&c, t),
            &v,
            analyzer,
            forms,
        );
        themes.push(Theme {
            label: terms.join(" · "),
            terms,
            size: members.len(),
            quotes: quotes(weak, &v.kept, &members, &c.sim),
            growth,
            keys: members.iter().map(|&i| weak[v.kept[i]].key()).collect(),
            cohesion: members.iter().map(|&i| f64::from(c.sim[i])).sum::<f64>()
                / members.len() as f64,
        });
    }
    themes.sort_by(|a, b| b.size.cmp(&a.size).then(a.label.cmp(&b.label)));
    Ok(Found {
        themes,
        k_scores: scores,
        chosen_k: c.k,
        unthemed: weak.len() - themed,
    })
}

/// Mean of each column over the rows (what a term weighs in an average weak answer).
fn column_means(x: &SparseRecords) -> Vec<f32> {
    let mut m = vec![0.0f32; x.0.cols()];
    for i in 0..x.0.rows() {
        let (ids, vals) = x.row(i);
        for (&j, &v) in ids.iter().zip(vals) {
            m[j as usize] += v;
        }
    }
    let n = x.0.rows().max(1) as f32;
    m.iter_mut().for_each(|v| *v /= n);
    m
}

/// Up to three distinct texts nearest the centre.
fn quotes(weak: &[Answer], kept: &[usize], members: &[usize], sim: &[f32]) -> Vec<Quote> {
    let mut order = members.to_vec();
    order.sort_by(|&a, &b| sim[b].total_cmp(&sim[a]).then(a.cmp(&b)));
    let mut out: Vec<Quote> = Vec::new();
    for i in order {
        let a = &weak[kept[i]];
        let text = a.text.trim();
        if out.iter().any(|q| q.text.eq_ignore_ascii_case(text)) {
            continue;
        }
        out.push(Quote {
            key: a.key(),
            entity_name: a.entity_name.clone(),
            month: a.month,
            question: a.question.clone(),
            text: text.to_string(),
        });
        if out.len() == 3 {
            break;
        }
    }
    out
}

/// Members of theme `t` among each earlier month's weak answers: those whose nearest theme
/// centre is `t` and at least as near as the theme's own lower quartile of members.
#[allow(clippy::too_many_arguments)]
fn growth(
    history: &[(Month, Vec<Answer>)],
    weak_now: usize,
    size_now: usize,
    to: Month,
    (c, t): (&kmeans::Clustering, usize),
    v: &Vectors,
    analyzer: &mut Analyzer,
    forms: &mut SurfaceForms,
) -> Vec<MonthCount> {
    let mut own: Vec<f32> = (0..c.assign.len())
        .filter(|&i| c.assign[i] == t)
        .map(|i| c.sim[i])
        .collect();
    own.sort_by(f32::total_cmp);
    let floor = own.get(own.len() / 4).copied().unwrap_or(1.0);
    let mut out = Vec::new();
    for (month, answers) in history {
        let docs: Vec<Vec<String>> = answers
            .iter()
            .map(|a| forms.terms(analyzer, &a.text))
            .collect();
        let count = match v.vectorizer.transform(&docs) {
            Ok(x) => (0..x.0.rows())
                .filter(|&i| {
                    let sims: Vec<f32> = c
                        .centroids
                        .iter()
                        .map(|cen| {
                            let (ids, vals) = x.row(i);
                            ids.iter()
                                .zip(vals)
                                .map(|(&j, &w)| w * cen[j as usize])
                                .sum()
                        })
                        .collect();
                    let best = (0..sims.len()).max_by(|&a, &b| sims[a].total_cmp(&sims[b]));
                    best == Some(t) && sims[t] >= floor && sims[t] > 0.0
                })
                .count(),
            Err(_) => 0,
        };
        out.push(MonthCount {
            month: *month,
            count,
            weak: answers.len(),
        });
    }
    out.push(MonthCount {
        month: to,
        count: size_now,
        weak: weak_now,
    });
    out
}

/// Reads the period (and its history) from the store and finds its themes and rising terms.
pub fn themes_from_store(
    store: &Store,
    config: &Config,
    codebooks: &Codebooks,
    opts: &ThemeOptions,
) -> Result<ThemeReport> {
    if opts.to < opts.from {
        return Err(Error::argument(
            "--from",
            format!("--from {} is after --to {}", opts.from, opts.to),
        ));
    }
    if let Some(q) = &opts.question
        && !config.question(q).is_some_and(|q| q.is_coded())
    {
        return Err(Error::not_found(format!(
            "'{q}' is not a coded question of this workspace"
        )));
    }
    let mut analyzer = Analyzer::new(&config.analyzer);
    let mut forms = SurfaceForms::default();
    let keep = |a: &Answer| {
        opts.question.as_ref().is_none_or(|q| &a.question == q)
            && config.question(&a.question).is_some_and(|q| q.is_coded())
            && !is_non_answer(&a.text)
    };
    let weak_of = |a: &Answer| is_weak(a, codebooks.get(&a.question), opts.min_confidence);
    let mut period = Vec::new();
    let mut weak = Vec::new();
    let mut m = opts.from;
    while m <= opts.to {
        for a in month_answers(store, m, opts)?
            .into_iter()
            .filter(|a| keep(a))
        {
            if weak_of(&a) {
                weak.push(a.clone());
            }
            period.push(a);
        }
        m = m.next();
    }
    let mut history = Vec::new();
    let mut all_history = Vec::new();
    let mut m = opts.from;
    for _ in 0..opts.history_months {
        m = m.prev();
        let answers: Vec<Answer> = month_answers(store, m, opts)?
            .into_iter()
            .filter(|a| keep(a))
            .collect();
        if answers.is_empty() {
            continue;
        }
        history.push((m, answers.iter().filter(|a| weak_of(a)).cloned().collect()));
        all_history.extend(answers);
    }
    history.reverse();
    let found = find_themes(&weak, &history, opts, &mut analyzer, &mut forms)?;
    let rising = rising_terms(&period, &all_history, &mut analyzer, &mut forms, 10);
    Ok(ThemeReport {
        from: opts.from,
        to: opts.to,
        question: opts.question.clone(),
        answers: period.len(),
        weak: weak.len(),
        unthemed: found.unthemed,
        k_scores: found.k_scores,
        chosen_k: found.chosen_k,
        themes: found.themes,
        rising,
    })
}

fn month_answers(store: &Store, m: Month, opts: &ThemeOptions) -> Result<Vec<Answer>> {
    store.answers(&AnswerFilter {
        month: Some(m),
        question: opts.question.clone(),
        entity: None,
    })
}

/// Counts of each question among a theme's members (for display).
pub fn questions_of(theme: &Theme) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for k in &theme.keys {
        if let Some(q) = k.split('|').nth(2) {
            *out.entry(q.to_string()).or_insert(0) += 1;
        }
    }
    out
}

/// What adopting a theme as a code did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adopted {
    /// Answers now waiting in the review queue with the new code suggested.
    pub suggested: usize,
    /// Theme answers a human already coded (e.g. "Otro"): left as they are.
    pub human_coded: usize,
}

/// Makes a theme a new code of `question`: adds the code (the analyst's id and label) to the
/// codebook, then suggests it — as a machine coding with confidence 0, so the review queue
/// shows them first — for the theme's answers of that question that have no human code. Never
/// codes an answer: the analyst confirms each in review. The caller holds the workspace lock.
pub fn adopt_theme(
    ws: &crate::workspace::Workspace,
    store: &Store,
    question: &str,
    theme: &Theme,
    id: &str,
    label: &str,
) -> Result<Adopted> {
    use crate::codebook::edit::{NewCode, Recode, commit, new_codebook};
    let old = crate::codebook::load_or_default(ws, question)?;
    let mut cb = match &old {
        Some(cb) => cb.clone(),
        None => new_codebook(ws, question)?,
    };
    cb.add_code(NewCode {
        id: id.to_string(),
        label: label.to_string(),
        description: format!("Tema emergente: {}.", theme.label),
        ..Default::default()
    })
    .map_err(|m| Error::argument("codebook", m))?;
    commit(ws, store, old.as_ref(), &cb, &Recode::default())?;
    let mut suggestions = Vec::new();
    let mut human_coded = 0;
    for key in theme
        .keys
        .iter()
        .filter(|k| k.split('|').nth(2) == Some(question))
    {
        match store.get(key)? {
            Some(a) if a.codes.is_empty() => suggestions.push((
                key.clone(),
                crate::answer::MachineCoding {
                    codes: vec![id.to_string()],
                    confidence: 0.0,
                    margin: 0.0,
                    top_terms: theme.terms.clone(),
                    model: "tema emergente".into(),
                    ..Default::default()
                },
            )),
            Some(_) => human_coded += 1,
            None => {}
        }
    }
    let suggested = store.set_machine_codings(&suggestions)?;
    Ok(Adopted {
        suggested,
        human_coded,
    })
}

#[cfg(test)]
mod tests;
